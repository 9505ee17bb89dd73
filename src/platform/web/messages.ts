// Texts of the web shell: layout, navigation, error pages, landing and privacy pages.
const nl = {
  'layout.skipLink': 'Direct naar de inhoud',
  'layout.mainNav': 'Hoofdmenu',
  'layout.language': 'Taal',
  'layout.switchToEnglish': 'English',
  'layout.switchToDutch': 'Nederlands',
  'layout.logout': 'Uitloggen',
  'layout.loggedInAs': 'Ingelogd als {name}',
  'layout.home': 'Home',
  'footer.support': 'Technische ondersteuning',
  'footer.dpo': 'Functionaris gegevensbescherming',
  'footer.privacy': 'Privacyverklaring',
  'footer.staffLogin': 'Inloggen voor medewerkers',
  'footer.openSource': 'Koepel is open source (EUPL-1.2).',
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
  'error.reference': 'Kenmerk: {id}',
  'error.backHome': 'Naar de startpagina',
  'landing.title': 'Welkom bij {portal}',
  'landing.intro':
    'Log in met DigiD en zie in één overzicht de gegevens en diensten van uw zorgverleners: huisarts, apotheek, ziekenhuis en meer.',
  'landing.digid': 'Inloggen met DigiD',
  'landing.digidHelp':
    'U heeft de DigiD app met ID-check nodig (niveau Substantieel). Inloggen met alleen sms-controle is voor medische gegevens niet genoeg.',
  'landing.emergency': 'Bij spoed belt u 112 of uw huisarts. Dit portaal is niet voor spoedeisende vragen.',
  'privacy.title': 'Privacyverklaring',
  'privacy.updated': 'Laatst bijgewerkt op {date}',
  'privacy.controller.title': 'Wie is verantwoordelijk?',
  'privacy.controller.body':
    'Elke zorgverlener in dit portaal is verwerkingsverantwoordelijke voor de gegevens die hij beschikbaar stelt. {portal} verwerkt gegevens in opdracht van deze zorgverleners.',
  'privacy.data.title': 'Welke gegevens verwerken wij?',
  'privacy.data.body':
    'Uw burgerservicenummer (BSN) en uw gegevens uit de Basisregistratie Personen (naam, geslacht, geboortedatum en adres), uw e-mailadres en telefoonnummer als u die zelf opgeeft, de gegevens die uw zorgverleners beschikbaar stellen, en technische gegevens (IP-adres, browser, tijdstip) voor beveiliging en ondersteuning.',
  'privacy.cookies.title': 'Cookies',
  'privacy.cookies.body':
    'Wij gebruiken alleen één functionele, tijdelijke cookie om u ingelogd te houden. Die verdwijnt als u de browser sluit. Wij gebruiken geen analytische of tracking-cookies.',
  'privacy.security.title': 'Beveiliging',
  'privacy.security.body':
    'Medische gegevens en uw BSN worden versleuteld opgeslagen. Elke inzage in uw gegevens wordt vastgelegd; u kunt zelf zien wie uw gegevens bekeek.',
  'privacy.retention.title': 'Bewaartermijn',
  'privacy.retention.body':
    'Portaalgegevens bewaren wij tot een jaar na uw laatste gebruik. Beëindigt u uw account, dan verwijderen wij de medische gegevens in het portaal binnen drie maanden.',
  'privacy.rights.title': 'Uw rechten',
  'privacy.rights.body':
    'U heeft recht op inzage, correctie, verwijdering, overdraagbaarheid, bezwaar en beperking. U kunt een klacht indienen bij uw zorgverlener, bij de functionaris gegevensbescherming of bij de Autoriteit Persoonsgegevens.',
  'privacy.contact.title': 'Contact',
  'language.switched': 'Taal gewijzigd',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'layout.skipLink': 'Skip to content',
  'layout.mainNav': 'Main menu',
  'layout.language': 'Language',
  'layout.logout': 'Log out',
  'layout.loggedInAs': 'Logged in as {name}',
  'footer.support': 'Technical support',
  'footer.dpo': 'Data protection officer',
  'footer.privacy': 'Privacy statement',
  'footer.staffLogin': 'Staff login',
  'footer.openSource': 'Koepel is open source (EUPL-1.2).',
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
  'error.reference': 'Reference: {id}',
  'error.backHome': 'Go to the home page',
  'landing.title': 'Welcome to {portal}',
  'landing.intro':
    'Log in with DigiD and see the data and services of all your care providers in one place: GP, pharmacy, hospital and more.',
  'landing.digid': 'Log in with DigiD',
  'landing.digidHelp':
    'You need the DigiD app with ID check (level Substantial). Logging in with an SMS code alone is not enough for medical data.',
  'landing.emergency': 'In an emergency call 112 or your GP. This portal is not for urgent questions.',
  'privacy.title': 'Privacy statement',
  'privacy.updated': 'Last updated on {date}',
  'privacy.controller.title': 'Who is responsible?',
  'privacy.controller.body':
    'Each care provider in this portal is the controller of the data it makes available. {portal} processes data on behalf of these care providers.',
  'privacy.data.title': 'What data do we process?',
  'privacy.data.body':
    'Your citizen service number (BSN) and your data from the Personal Records Database (name, gender, birth date and address), your e-mail address and phone number if you supply them, the data your care providers make available, and technical data (IP address, browser, time) for security and support.',
  'privacy.cookies.title': 'Cookies',
  'privacy.cookies.body':
    'We use only one functional, temporary cookie to keep you logged in. It disappears when you close the browser. We use no analytics or tracking cookies.',
  'privacy.security.title': 'Security',
  'privacy.security.body':
    'Medical data and your BSN are stored encrypted. Every access to your data is logged; you can see for yourself who viewed your data.',
  'privacy.retention.title': 'Retention',
  'privacy.retention.body':
    'We keep portal data until one year after your last use. If you end your account, we delete the medical data in the portal within three months.',
  'privacy.rights.title': 'Your rights',
  'privacy.rights.body':
    'You have the right to inspect, correct, delete and port your data, to object and to restrict processing. You can complain to your care provider, the data protection officer or the Dutch Data Protection Authority.',
  'privacy.contact.title': 'Contact',
  'language.switched': 'Language changed',
};

export const platformMessages = { nl, en };
