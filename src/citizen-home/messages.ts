// Texts of the citizen's home page.
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'home.nav': 'Home',
  'home.title': 'Mijn overzicht',
  'home.welcome': 'Welkom, {name}',
  'home.providers.title': 'Mijn zorgverleners',
  'home.providers.intro':
    'Dit zijn de zorgverleners in {portal} bij wie u staat ingeschreven. Elke zorgverlener bepaalt zelf wat u hier online kunt regelen en is verantwoordelijk voor de gegevens die hij hier laat zien. Met vragen of verzoeken over uw gegevens kunt u bij elke zorgverlener zelf terecht.',
  'home.providers.none': 'U heeft op dit moment geen zorgrelatie met een zorgverlener in dit portaal.',
  'home.personal.title': 'Mijn gegevens',
  'home.personal.brpNote':
    'Deze gegevens komen uit de Basisregistratie Personen (BRP). U kunt ze hier niet wijzigen. Klopt er iets niet? Neem dan contact op met de gemeente waar u staat ingeschreven.',
  'home.personal.fetched': 'Opgehaald uit de BRP op {date}.',
  'home.personal.name': 'Naam',
  'home.personal.initials': 'Voorletters',
  'home.personal.bsn': 'Burgerservicenummer (BSN)',
  'home.personal.birthDate': 'Geboortedatum',
  'home.personal.gender': 'Geslacht',
  'home.personal.address': 'Adres',
  'home.personal.addressedAs': 'Aanschrijfwijze',
  'home.personal.birthDatePartial': '{date} (dag onbekend)',
  'home.personal.birthDateYear': '{date} (dag en maand onbekend)',
  'home.personal.birthDateUnknown': 'Geboortedatum onbekend',
  'home.personal.abroad': 'Adres in het buitenland:',
  'home.personal.abroadIn': 'Adres in het buitenland ({country}):',
  'home.personal.location': 'Locatie (geen adres):',
  'home.personal.addressUnknown': 'Adres onbekend',
  'home.personal.secrecy': 'Geheimhouding persoonsgegevens',
  'home.personal.secrecyYes':
    'Ja. De BRP geeft uw gegevens niet aan derden. Koepel geeft de gegevens uit de BRP (naam, BSN, geboortedatum, adres) daarom ook niet aan apps die u toegang geeft.',
  'home.personal.secrecyNo': 'Nee',
  'home.gender.M': 'Man',
  'home.gender.V': 'Vrouw',
  'home.gender.O': 'Onbekend',
  'home.appointments.title': 'Komende afspraken',
  'home.appointments.none': 'U heeft geen komende afspraken bij uw zorgverleners in dit portaal.',
  'home.appointments.all': 'Alle afspraken',
  'home.appointments.requested': 'aangevraagd, nog niet bevestigd',
  'home.appointments.more': 'Bekijk al uw afspraken in Mijn dossier',
  'home.new.title': 'Nieuw sinds uw vorige bezoek',
  'home.new.since': 'Sinds uw vorige bezoek op {date} is er nieuw of bijgewerkt:',
  'home.new.first': 'Dit is uw eerste bezoek. Dit delen uw zorgverleners nu met u:',
  'home.new.none': 'Er is niets nieuws sinds uw vorige bezoek op {date}.',
  'home.new.noneFirst': 'Uw zorgverleners delen nog geen uitslagen of documenten met u.',
  'home.new.lab.count': '{count, plural, one {# nieuwe uitslag} other {# nieuwe uitslagen}}',
  'home.new.documents.count': '{count, plural, one {# nieuw document} other {# nieuwe documenten}}',
  'home.new.firstLab.count': '{count, plural, one {# uitslag} other {# uitslagen}}',
  'home.new.firstDocuments.count': '{count, plural, one {# document} other {# documenten}}',
  // Issue 14 (LU-10)
  'home.privacyChanged.title': 'De privacyverklaring is gewijzigd',
  'home.privacyChanged.text': 'De privacyverklaring van {portal} is per {date} gewijzigd.',
  'home.privacyChanged.link': 'Lees wat er veranderd is',
  'home.dossier.title': 'Mijn dossier',
  'home.dossier.text':
    'Bekijk uw afspraken, labuitslagen, brieven, medicatie en meer van al uw zorgverleners op één plek.',
  'home.dossier.link': 'Naar Mijn dossier',
  'home.accessLog.link': 'Bekijk wie uw gegevens heeft bekeken',
  'home.recordRequests.link': 'Vraag een zorgverlener meer van uw dossier te laten zien',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'home.nav': 'Home',
  'home.title': 'My overview',
  'home.welcome': 'Welcome, {name}',
  'home.providers.title': 'My care providers',
  'home.providers.intro':
    'These are the care providers in {portal} you are registered with. Each care provider decides what you can arrange online here and is responsible for the data it shows here. You can direct questions or requests about your data to each care provider.',
  'home.providers.none': 'You currently have no care relationship with a care provider in this portal.',
  'home.personal.title': 'My personal details',
  'home.personal.brpNote':
    'These details come from the Personal Records Database (BRP). You cannot change them here. Is something wrong? Contact the municipality where you are registered.',
  'home.personal.fetched': 'Retrieved from the BRP on {date}.',
  'home.personal.name': 'Name',
  'home.personal.initials': 'Initials',
  'home.personal.bsn': 'Citizen service number (BSN)',
  'home.personal.birthDate': 'Date of birth',
  'home.personal.gender': 'Gender',
  'home.personal.address': 'Address',
  'home.personal.addressedAs': 'Form of address',
  'home.personal.birthDatePartial': '{date} (day unknown)',
  'home.personal.birthDateYear': '{date} (day and month unknown)',
  'home.personal.birthDateUnknown': 'Date of birth unknown',
  'home.personal.abroad': 'Address abroad:',
  'home.personal.abroadIn': 'Address abroad ({country}):',
  'home.personal.location': 'Location (no address):',
  'home.personal.addressUnknown': 'Address unknown',
  'home.personal.secrecy': 'Confidentiality of personal data',
  'home.personal.secrecyYes':
    'Yes. The BRP does not give your data to third parties. Koepel therefore does not give the data from the BRP (name, BSN, date of birth, address) to apps you give access either.',
  'home.personal.secrecyNo': 'No',
  'home.gender.M': 'Male',
  'home.gender.V': 'Female',
  'home.gender.O': 'Unknown',
  'home.appointments.title': 'Upcoming appointments',
  'home.appointments.none': 'You have no upcoming appointments with your care providers in this portal.',
  'home.appointments.all': 'All appointments',
  'home.appointments.requested': 'requested, not yet confirmed',
  'home.appointments.more': 'See all your appointments in My record',
  'home.new.title': 'New since your last visit',
  'home.new.since': 'Since your last visit on {date}, this is new or updated:',
  'home.new.first': 'This is your first visit. Your care providers now share this with you:',
  'home.new.none': 'Nothing is new since your last visit on {date}.',
  'home.new.noneFirst': 'Your care providers do not share results or documents with you yet.',
  'home.new.lab.count': '{count, plural, one {# new result} other {# new results}}',
  'home.new.documents.count': '{count, plural, one {# new document} other {# new documents}}',
  'home.new.firstLab.count': '{count, plural, one {# result} other {# results}}',
  'home.new.firstDocuments.count': '{count, plural, one {# document} other {# documents}}',
  // Issue 14 (LU-10)
  'home.privacyChanged.title': 'The privacy statement changed',
  'home.privacyChanged.text': 'The privacy statement of {portal} changed on {date}.',
  'home.privacyChanged.link': 'Read what changed',
  'home.dossier.title': 'My record',
  'home.dossier.text':
    'See your appointments, lab results, letters, medication and more from all your care providers in one place.',
  'home.dossier.link': 'Go to My record',
  'home.accessLog.link': 'See who has looked at your data',
  'home.recordRequests.link': 'Ask a care provider to show more of your record',
};

export const homeMessages = defineMessages({ nl, en });

type HomeMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends HomeMessages {}
}
