// Texts of the demo stand-in for a personal health app (/demo-pgo).
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'demoPgo.title': 'Voorbeeld-PGO',
  'demoPgo.link': 'Probeer het in deze demo met de Voorbeeld-PGO',
  'demoPgo.notice':
    'Dit is een voorbeeld van een app van een andere partij (een persoonlijke gezondheidsomgeving). Hij hoort niet bij het portaal en bestaat alleen in de demo.',
  'demoPgo.intro':
    'Met deze app kunt u uw gegevens uit het portaal bij elkaar zetten. De app vraagt het portaal om toegang; u logt daar in met DigiD en kiest of u toegang geeft.',
  'demoPgo.connect': 'Koppelen met {portal}',
  'demoPgo.again': 'Opnieuw ophalen',
  'demoPgo.read': 'De app heeft {count, plural, one {# gegeven} other {# gegevens}} uit uw dossier gelezen.',
  'demoPgo.caption': 'Gelezen uit het portaal, per soort',
  'demoPgo.col.type': 'Soort (FHIR)',
  'demoPgo.col.count': 'Aantal',
  'demoPgo.organisations': 'Van: {list}.',
  'demoPgo.after':
    'In het portaal ziet u deze app onder ‘Gekoppelde apps’, en elke keer dat hij las onder ‘Wie heeft mijn gegevens bekeken’.',
  'demoPgo.declined': 'U gaf de app geen toegang. Er is niets gelezen.',
  'demoPgo.failed': 'Het koppelen is niet gelukt. Probeer het opnieuw.',
} as const;

const en: Record<keyof typeof nl, string> = {
  'demoPgo.title': 'Example health app',
  'demoPgo.link': 'Try it in this demo with the example health app',
  'demoPgo.notice':
    'This is an example of another party’s app (a personal health environment). It is not part of the portal and exists only in the demo.',
  'demoPgo.intro':
    'This app brings your data from the portal together. It asks the portal for access; you log in there with DigiD and choose whether to give it.',
  'demoPgo.connect': 'Connect with {portal}',
  'demoPgo.again': 'Fetch again',
  'demoPgo.read': 'The app read {count, plural, one {# item} other {# items}} from your record.',
  'demoPgo.caption': 'Read from the portal, by kind',
  'demoPgo.col.type': 'Kind (FHIR)',
  'demoPgo.col.count': 'Number',
  'demoPgo.organisations': 'From: {list}.',
  'demoPgo.after':
    'In the portal you see this app under ‘Connected apps’, and every time it read under ‘Who has looked at my data’.',
  'demoPgo.declined': 'You did not give the app access. Nothing was read.',
  'demoPgo.failed': 'Connecting did not work. Please try again.',
};

export const demoPgoMessages = defineMessages({ nl, en });

type DemoPgoMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends DemoPgoMessages {}
}
