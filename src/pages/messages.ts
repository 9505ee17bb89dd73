// Texts of the public pages: the landing page with the DigiD button and the privacy statement.
import { defineMessages } from '../platform/i18n/i18n.js';

const nl = {
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
  // Issue 14 (LU-10): versions of the privacy statement.
  'privacy.versionOf': 'Versie {version} van {date}',
  'privacy.versions.link': 'Eerdere versies van de privacyverklaring',
  'privacy.versions.title': 'Versies van de privacyverklaring',
  'privacy.versions.intro': 'Alle versies van de privacyverklaring van {portal}, nieuwste eerst.',
  'privacy.versions.item': 'Versie {version}, {date}',
  'privacy.versions.current': '(geldt nu)',
  'privacy.versions.old': 'Dit is een eerdere versie van {date}. Deze geldt niet meer.',
  'privacy.versions.toCurrent': 'Lees de privacyverklaring die nu geldt',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
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
  // Issue 14 (LU-10): versions of the privacy statement.
  'privacy.versionOf': 'Version {version} of {date}',
  'privacy.versions.link': 'Earlier versions of the privacy statement',
  'privacy.versions.title': 'Versions of the privacy statement',
  'privacy.versions.intro': 'Every version of the privacy statement of {portal}, newest first.',
  'privacy.versions.item': 'Version {version}, {date}',
  'privacy.versions.current': '(current)',
  'privacy.versions.old': 'This is an earlier version, of {date}. It no longer applies.',
  'privacy.versions.toCurrent': 'Read the current privacy statement',
};

export const pageMessages = defineMessages({ nl, en });

type PageMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends PageMessages {}
}
