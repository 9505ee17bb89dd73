// Texts of staff login, two-step verification, the staff home and the staff account page.
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'staff.login.title': 'Inloggen voor medewerkers',
  'staff.login.intro': 'Log in met het e-mailadres en wachtwoord van uw account bij uw organisatie.',
  'staff.login.email': 'E-mailadres',
  'staff.login.password': 'Wachtwoord',
  'staff.login.submit': 'Inloggen',
  'staff.login.totpNote':
    'Daarna vragen wij een code uit uw authenticator-app, als uw organisatie dat vereist of als u die heeft ingesteld.',
  'staff.login.citizenHint': 'Bent u patiënt of cliënt? Log dan in met DigiD op de startpagina.',
  'staff.login.expired':
    'U was een tijd niet actief of uw sessie is verlopen. Log opnieuw in; daarna komt u terug op de pagina waar u was.',
  'staff.errors.emailMissing': 'Vul uw e-mailadres in.',
  'staff.errors.emailInvalid': 'Vul een geldig e-mailadres in, zoals naam@organisatie.nl.',
  'staff.errors.passwordMissing': 'Vul uw wachtwoord in.',
  'staff.errors.credentials': 'Het e-mailadres of het wachtwoord is niet juist.',
  'staff.errors.codeFormat': 'Vul de code van 6 cijfers uit uw authenticator-app in.',
  'staff.errors.codeWrong':
    'De code is niet juist of al gebruikt. Wacht op een nieuwe code in uw app en probeer het opnieuw.',
  'staff.errors.organisation': 'Kies een organisatie.',
  'staff.throttled.title': 'Te veel pogingen',
  'staff.throttled.body':
    'Er is te vaak een verkeerd wachtwoord of een verkeerde code ingevuld. Om uw account te beschermen kunt u een kwartier niet inloggen. Probeer het daarna opnieuw.',
  'staff.throttled.help': 'Lukt inloggen daarna nog steeds niet? Neem contact op met de beheerder van uw organisatie.',
  'staff.noAccess.title': 'Geen toegang',
  'staff.noAccess.body':
    'Uw account is niet gekoppeld aan een organisatie in dit portaal. Neem contact op met de beheerder van uw organisatie.',
  'staff.restart': 'Opnieuw inloggen',
  'staff.totp.title': 'Vul uw verificatiecode in',
  'staff.totp.intro':
    'Open de authenticator-app op uw telefoon en vul de code van 6 cijfers in die daar bij {portal} staat.',
  'staff.totp.code': 'Verificatiecode',
  'staff.totp.codeHint': '6 cijfers, bijvoorbeeld 123456. De code verandert elke 30 seconden.',
  'staff.totp.submit': 'Verder',
  'staff.enrol.title': 'Verificatie in twee stappen instellen',
  'staff.enrol.requiredIntro':
    'Uw organisatie vereist verificatie in twee stappen. Naast uw wachtwoord gebruikt u voortaan een code uit een authenticator-app op uw telefoon.',
  'staff.enrol.optionalIntro':
    'Met verificatie in twee stappen gebruikt u naast uw wachtwoord een code uit een authenticator-app op uw telefoon. Zo kan niemand inloggen met alleen uw wachtwoord.',
  'staff.enrol.step1':
    'Installeer een authenticator-app op uw telefoon, bijvoorbeeld FreeOTP, Aegis, Google Authenticator of Microsoft Authenticator.',
  'staff.enrol.step2': 'Kies in de app voor een nieuw account toevoegen en scan de QR-code hieronder.',
  'staff.enrol.step3': 'Vul de code van 6 cijfers in die de app daarna laat zien.',
  'staff.enrol.qrAlt':
    'QR-code met de sleutel voor uw authenticator-app. Kunt u die niet scannen, gebruik dan de sleutel hieronder.',
  'staff.enrol.manualTitle': 'Kunt u de QR-code niet scannen?',
  'staff.enrol.manualBody':
    'Kies in de app voor sleutel invoeren en typ deze sleutel over (de spaties mag u weglaten). Kies als type "op tijd gebaseerd", 6 cijfers, 30 seconden.',
  'staff.enrol.manualKey': 'Sleutel',
  'staff.enrol.submit': 'Bevestigen',
  'staff.enrol.done': 'Verificatie in twee stappen staat aan.',
  'staff.choose.title': 'Kies een organisatie',
  'staff.choose.intro': 'U werkt voor meer dan één organisatie. Voor welke wilt u nu werken?',
  'staff.choose.legend': 'Organisatie',
  'staff.choose.operator': 'Koepel-beheer (servicedesk)',
  'staff.choose.submit': 'Verder',
  'staff.nav.audit': 'Auditlog',
  'staff.nav.account': 'Mijn account',
  'staff.home.title': 'Werkplek',
  'staff.home.waiting': 'Wat op u wacht',
  'staff.home.welcome': 'Welkom, {name}',
  'staff.home.role': 'U werkt als {role} bij {organisation}.',
  'staff.home.organisation': 'Uw organisatie',
  'staff.home.kind': 'Soort',
  'staff.home.phone': 'Telefoon',
  'staff.home.email': 'E-mail',
  'staff.home.website': 'Website',
  'staff.home.address': 'Adres',
  'staff.home.agb': 'AGB-code',
  'staff.home.totpOffer':
    'Beveilig uw account met verificatie in twee stappen: dan kan niemand inloggen met alleen uw wachtwoord.',
  'staff.home.totpOfferLink': 'Verificatie in twee stappen instellen',
  'staff.home.account': 'Mijn account',
  'staff.home.noSearch':
    'U heeft geen recht om patiënten te zoeken. Heeft u dat wel nodig? Vraag het de beheerder van uw organisatie.',
  'staff.kind.gp': 'Huisartsenpraktijk',
  'staff.kind.pharmacy': 'Apotheek',
  'staff.kind.hospital': 'Ziekenhuis',
  'staff.kind.physiotherapy': 'Fysiotherapie',
  'staff.kind.neighbourhood_team': 'Buurtteam',
  'staff.kind.municipality': 'Gemeente',
  'staff.role.doctor': 'arts',
  'staff.role.assistant': 'assistent',
  'staff.role.pharmacist': 'apotheker',
  'staff.role.therapist': 'therapeut',
  'staff.role.social_worker': 'hulpverlener',
  'staff.role.admin': 'beheerder',
  'staff.role.privacy_officer': 'privacyfunctionaris',
  'staff.account.title': 'Mijn account',
  'staff.account.totpOn': 'Verificatie in twee stappen staat aan sinds {date}.',
  'staff.account.totpOff': 'Verificatie in twee stappen staat uit.',
  'staff.account.enrol': 'Authenticator-app instellen',
  'staff.account.reenrol': 'Nieuwe telefoon of app? Stel de authenticator-app opnieuw in',
  'staff.account.reenrolNote': 'Zodra u de nieuwe app bevestigt, werken codes uit de oude app niet meer.',
  'staff.account.back': 'Terug naar de werkplek',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'staff.login.title': 'Staff login',
  'staff.login.intro': "Log in with the e-mail address and password of your organisation's account.",
  'staff.login.email': 'E-mail address',
  'staff.login.password': 'Password',
  'staff.login.submit': 'Log in',
  'staff.login.totpNote':
    'Next we ask for a code from your authenticator app, if your organisation requires it or you have set it up.',
  'staff.login.citizenHint': 'Are you a patient or client? Log in with DigiD on the home page.',
  'staff.login.expired':
    'You were inactive for a while or your session ended. Log in again; you will then return to the page you were on.',
  'staff.errors.emailMissing': 'Enter your e-mail address.',
  'staff.errors.emailInvalid': 'Enter a valid e-mail address, like name@organisation.nl.',
  'staff.errors.passwordMissing': 'Enter your password.',
  'staff.errors.credentials': 'The e-mail address or the password is not correct.',
  'staff.errors.codeFormat': 'Enter the 6-digit code from your authenticator app.',
  'staff.errors.codeWrong':
    'The code is not correct or was already used. Wait for a new code in your app and try again.',
  'staff.errors.organisation': 'Choose an organisation.',
  'staff.throttled.title': 'Too many attempts',
  'staff.throttled.body':
    'A wrong password or code was entered too often. To protect your account you cannot log in for fifteen minutes. Please try again after that.',
  'staff.throttled.help': "Still cannot log in after that? Contact your organisation's administrator.",
  'staff.noAccess.title': 'No access',
  'staff.noAccess.body':
    "Your account is not linked to an organisation in this portal. Contact your organisation's administrator.",
  'staff.restart': 'Log in again',
  'staff.totp.title': 'Enter your verification code',
  'staff.totp.intro': 'Open the authenticator app on your phone and enter the 6-digit code shown for {portal}.',
  'staff.totp.code': 'Verification code',
  'staff.totp.codeHint': '6 digits, for example 123456. The code changes every 30 seconds.',
  'staff.totp.submit': 'Continue',
  'staff.enrol.title': 'Set up two-step verification',
  'staff.enrol.requiredIntro':
    'Your organisation requires two-step verification. Besides your password you will use a code from an authenticator app on your phone.',
  'staff.enrol.optionalIntro':
    'With two-step verification you use a code from an authenticator app on your phone besides your password, so nobody can log in with your password alone.',
  'staff.enrol.step1':
    'Install an authenticator app on your phone, for example FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator.',
  'staff.enrol.step2': 'In the app, choose to add a new account and scan the QR code below.',
  'staff.enrol.step3': 'Enter the 6-digit code the app then shows.',
  'staff.enrol.qrAlt': 'QR code with the key for your authenticator app. If you cannot scan it, use the key below.',
  'staff.enrol.manualTitle': 'Cannot scan the QR code?',
  'staff.enrol.manualBody':
    'In the app, choose to enter a key and type this key (you may leave out the spaces). Choose "time based", 6 digits, 30 seconds.',
  'staff.enrol.manualKey': 'Key',
  'staff.enrol.submit': 'Confirm',
  'staff.enrol.done': 'Two-step verification is on.',
  'staff.choose.title': 'Choose an organisation',
  'staff.choose.intro': 'You work for more than one organisation. Which one do you want to work for now?',
  'staff.choose.legend': 'Organisation',
  'staff.choose.operator': 'Koepel operations (service desk)',
  'staff.choose.submit': 'Continue',
  'staff.nav.audit': 'Audit log',
  'staff.nav.account': 'My account',
  'staff.home.title': 'Workplace',
  'staff.home.waiting': 'Waiting for you',
  'staff.home.welcome': 'Welcome, {name}',
  'staff.home.role': 'You work as {role} at {organisation}.',
  'staff.home.organisation': 'Your organisation',
  'staff.home.kind': 'Type',
  'staff.home.phone': 'Phone',
  'staff.home.email': 'E-mail',
  'staff.home.website': 'Website',
  'staff.home.address': 'Address',
  'staff.home.agb': 'AGB code',
  'staff.home.totpOffer':
    'Protect your account with two-step verification, so nobody can log in with your password alone.',
  'staff.home.totpOfferLink': 'Set up two-step verification',
  'staff.home.account': 'My account',
  'staff.home.noSearch':
    "You do not have the right to search for patients. If you need it, ask your organisation's administrator.",
  'staff.kind.gp': 'GP practice',
  'staff.kind.pharmacy': 'Pharmacy',
  'staff.kind.hospital': 'Hospital',
  'staff.kind.physiotherapy': 'Physiotherapy',
  'staff.kind.neighbourhood_team': 'Neighbourhood team',
  'staff.kind.municipality': 'Municipality',
  'staff.role.doctor': 'doctor',
  'staff.role.assistant': 'assistant',
  'staff.role.pharmacist': 'pharmacist',
  'staff.role.therapist': 'therapist',
  'staff.role.social_worker': 'social worker',
  'staff.role.admin': 'administrator',
  'staff.role.privacy_officer': 'privacy officer',
  'staff.account.title': 'My account',
  'staff.account.totpOn': 'Two-step verification has been on since {date}.',
  'staff.account.totpOff': 'Two-step verification is off.',
  'staff.account.enrol': 'Set up an authenticator app',
  'staff.account.reenrol': 'New phone or app? Set up the authenticator app again',
  'staff.account.reenrolNote': 'As soon as you confirm the new app, codes from the old app stop working.',
  'staff.account.back': 'Back to the workplace',
};

export const staffMessages = defineMessages({ nl, en });

type StaffMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends StaffMessages {}
}
