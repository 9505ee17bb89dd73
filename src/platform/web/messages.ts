// Texts of the web shell: layout, footer, error pages, the language switch.
import { defineMessages } from '../i18n/i18n.js';
const nl = {
  'layout.skipLink': 'Direct naar de inhoud',
  'layout.mainNav': 'Hoofdmenu',
  'layout.language': 'Taal',
  'layout.switchToEnglish': 'English',
  'layout.switchToDutch': 'Nederlands',
  'layout.logout': 'Uitloggen',
  'layout.loggedInAs': 'Ingelogd als {name}',
  'layout.home': 'Home',
  'layout.citizenNav': 'Mijn portaal',
  'layout.staffNav': 'Werkplek',
  'layout.breadcrumb': 'Kruimelpad',
  'table.region': 'Tabel: {caption}',
  'pagination.previous': 'Vorige pagina',
  'pagination.next': 'Volgende pagina',
  'pagination.page': 'Pagina {page}',
  'form.errors.title': 'Er is een probleem',
  'footer.support': 'Technische ondersteuning',
  'footer.dpo': 'Functionaris gegevensbescherming',
  'footer.privacy': 'Privacyverklaring',
  'footer.staffLogin': 'Inloggen voor medewerkers',
  'footer.openSource': 'Koepel is open source (EUPL-1.2).',
  'footer.staff.help': 'Hulp bij de werkplek',
  'footer.staff.helpBody':
    'Vragen over uw account, uw rechten of inloggen? Neem contact op met de beheerder van uw organisatie.',
  'footer.staff.care': 'Zorgvuldig werken',
  'footer.staff.careBody':
    'Elke keer dat u gegevens van een patiënt bekijkt, wordt dat vastgelegd. Patiënten kunnen zien wie hun gegevens bekeek.',
  'error.notFound.title': 'Pagina niet gevonden',
  'error.notFound.body': 'De pagina die u zoekt bestaat niet (meer). Controleer het adres of ga naar de startpagina.',
  'error.badRequest.title': 'Verzoek niet begrepen',
  'error.badRequest.body': 'Uw verzoek kon niet worden verwerkt. Controleer wat u invulde en probeer het opnieuw.',
  'error.forbidden.title': 'Geen toegang',
  'error.forbidden.body': 'U heeft geen toegang tot deze pagina.',
  'error.csrf.title': 'Formulier verlopen',
  'error.csrf.body': 'Dit formulier is verlopen of niet geldig. Ga terug, vernieuw de pagina en probeer het opnieuw.',
  'error.tooLarge.title': 'Te veel gegevens',
  'error.tooLarge.body': 'U stuurde meer gegevens dan wij in één keer kunnen ontvangen.',
  'error.unavailable.title': 'Tijdelijk niet beschikbaar',
  'error.unavailable.body': 'Koepel kan op dit moment niet bij de gegevens. Probeer het over een paar minuten opnieuw.',
  'error.server.title': 'Er ging iets mis',
  'error.server.body':
    'Er ging aan onze kant iets mis. Probeer het later opnieuw. Blijft het misgaan, neem dan contact op met de ondersteuning.',
  'error.method.title': 'Niet toegestaan',
  'error.method.body': 'Deze handeling is hier niet toegestaan.',
  'error.loginRequired.title': 'Log eerst in',
  'error.loginRequired.body': 'U moet ingelogd zijn om deze pagina te zien. Uw sessie is misschien verlopen.',
  'error.misdirected.title': 'Ander adres',
  'error.misdirected.body':
    'Dit portaal werkt alleen op zijn eigen adres: {url}. Ga naar dat adres en begin daar opnieuw. Er is niets verstuurd.',
  'session.warn.title': 'Blijft u ingelogd?',
  'session.warn.body':
    'U bent een tijdje niet actief geweest. Om {time} wordt u automatisch uitgelogd, om uw gegevens te beschermen. Wilt u ingelogd blijven?',
  'session.absolute.title': 'U wordt bijna uitgelogd',
  'session.absolute.body':
    'Om {time} wordt u uitgelogd: u bent dan de langst toegestane tijd ingelogd. Dit kunt u niet verlengen. Wat u aan het typen bent, zetten we terug nadat u opnieuw bent ingelogd.',
  'session.ended.title': 'Uw sessie is verlopen',
  'session.ended.body': 'Om uw gegevens te beschermen bent u uitgelogd. Log opnieuw in om verder te gaan.',
  'session.ended.kept':
    'Wat u had getypt, bewaren we versleuteld in dit venster van uw browser. Nadat u opnieuw bent ingelogd, zetten we het terug.',
  'session.extend': 'Blijf ingelogd',
  'session.close': 'Sluiten',
  'session.loginAgain': 'Opnieuw inloggen',
  'session.restored':
    'We hebben teruggezet wat u had getypt voordat uw sessie verliep. Controleer het en verstuur het opnieuw.',
  'error.sessionEnded.title': 'Uw sessie is verlopen',
  'error.sessionEnded.body':
    'U was een tijd niet actief, of u was de langst toegestane tijd ingelogd. Om uw gegevens te beschermen bent u uitgelogd. Log opnieuw in om verder te gaan; daarna komt u terug op de pagina waar u was.',
  'error.sessionEnded.notSaved':
    'Wat u net verstuurde, is niet opgeslagen. Had u tekst getypt, dan zetten we die na het inloggen terug in het formulier (als uw browser dat toelaat).',
  'error.reference': 'Kenmerk: {id}',
  'error.backHome': 'Naar de startpagina',
  'language.switched': 'Taal gewijzigd',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'layout.skipLink': 'Skip to content',
  'layout.mainNav': 'Main menu',
  'layout.language': 'Language',
  'layout.logout': 'Log out',
  'layout.loggedInAs': 'Logged in as {name}',
  'layout.citizenNav': 'My portal',
  'layout.staffNav': 'Workplace',
  'layout.breadcrumb': 'Breadcrumb',
  'table.region': 'Table: {caption}',
  'pagination.previous': 'Previous page',
  'pagination.next': 'Next page',
  'pagination.page': 'Page {page}',
  'form.errors.title': 'There is a problem',
  'footer.support': 'Technical support',
  'footer.dpo': 'Data protection officer',
  'footer.privacy': 'Privacy statement',
  'footer.staffLogin': 'Staff login',
  'footer.openSource': 'Koepel is open source (EUPL-1.2).',
  'footer.staff.help': 'Help with the workplace',
  'footer.staff.helpBody':
    "Questions about your account, your rights or logging in? Contact your organisation's administrator.",
  'footer.staff.care': 'Working with care',
  'footer.staff.careBody':
    "Every time you view a patient's data, it is recorded. Patients can see who viewed their data.",
  'error.notFound.title': 'Page not found',
  'error.notFound.body':
    'The page you are looking for does not exist (any more). Check the address or go to the home page.',
  'error.badRequest.title': 'Request not understood',
  'error.badRequest.body': 'Your request could not be processed. Check what you entered and try again.',
  'error.forbidden.title': 'No access',
  'error.forbidden.body': 'You do not have access to this page.',
  'error.csrf.title': 'Form expired',
  'error.csrf.body': 'This form has expired or is not valid. Go back, reload the page and try again.',
  'error.tooLarge.title': 'Too much data',
  'error.tooLarge.body': 'You sent more data than we can receive at once.',
  'error.unavailable.title': 'Temporarily unavailable',
  'error.unavailable.body': 'Koepel cannot reach its data right now. Please try again in a few minutes.',
  'error.server.title': 'Something went wrong',
  'error.server.body':
    'Something went wrong on our side. Please try again later. If it keeps happening, contact support.',
  'error.method.title': 'Not allowed',
  'error.method.body': 'This action is not allowed here.',
  'error.loginRequired.title': 'Please log in first',
  'error.loginRequired.body': 'You need to be logged in to see this page. Your session may have expired.',
  'error.misdirected.title': 'Another address',
  'error.misdirected.body':
    'This portal only works at its own address: {url}. Go to that address and start again there. Nothing was sent.',
  'session.warn.title': 'Do you want to stay logged in?',
  'session.warn.body':
    'You have not been active for a while. At {time} you will be logged out automatically, to protect your data. Do you want to stay logged in?',
  'session.absolute.title': 'You will be logged out soon',
  'session.absolute.body':
    'At {time} you will be logged out: you will then have been logged in for the longest time allowed. This cannot be extended. What you are typing will be put back after you log in again.',
  'session.ended.title': 'Your session has expired',
  'session.ended.body': 'To protect your data you have been logged out. Log in again to continue.',
  'session.ended.kept':
    'What you typed is kept, encrypted, in this browser window. After you log in again, we put it back.',
  'session.extend': 'Stay logged in',
  'session.close': 'Close',
  'session.loginAgain': 'Log in again',
  'session.restored': 'We put back what you typed before your session expired. Check it and send it again.',
  'error.sessionEnded.title': 'Your session has expired',
  'error.sessionEnded.body':
    'You were not active for a while, or you were logged in for the longest time allowed. To protect your data you have been logged out. Log in again to continue; you will then return to the page you were on.',
  'error.sessionEnded.notSaved':
    'What you just sent has not been saved. If you typed text, we put it back in the form after you log in (if your browser allows it).',
  'error.reference': 'Reference: {id}',
  'error.backHome': 'Go to the home page',
  'language.switched': 'Language changed',
};

export const platformMessages = defineMessages({ nl, en });

type PlatformMessages = typeof nl;
declare module '../i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends PlatformMessages {}
}
