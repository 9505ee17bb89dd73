// Texts of the DigiD simulator page.
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'simulator.title': 'DigiD-simulator',
  'simulator.notice':
    'Dit is de DigiD-simulator van Koepel. Hij bestaat alleen in de demo en in tests; in productie logt u in bij de echte DigiD en ziet Koepel uw DigiD-gegevens nooit.',
  'simulator.intro': 'Kies met welke testpersoon en op welk betrouwbaarheidsniveau u wilt inloggen.',
  'simulator.person.legend': 'Testpersoon',
  'simulator.person.option': '{name} (BSN {bsn})',
  'simulator.bsn.label': 'Of vul een ander test-BSN in (optioneel)',
  'simulator.bsn.hint':
    'Negen cijfers. Het BSN moet de elfproef doorstaan. Vult u hier iets in, dan gaat dit voor de keuze hierboven.',
  'simulator.level.legend': 'Betrouwbaarheidsniveau',
  'simulator.level.hint': 'Voor dit portaal is minimaal niveau Substantieel nodig.',
  'simulator.level.basis': 'Basis: gebruikersnaam en wachtwoord',
  'simulator.level.midden': 'Midden: DigiD app of sms-controle',
  'simulator.level.substantieel': 'Substantieel: DigiD app met ID-check',
  'simulator.level.hoog': 'Hoog: identiteitsbewijs met chip',
  'simulator.submit': 'Inloggen',
  'simulator.cancel': 'Annuleren',
  'simulator.error.bsnInvalid': 'Dit is geen geldig BSN: het moet uit negen cijfers bestaan en de elfproef doorstaan.',
  'simulator.error.personMissing': 'Kies een testpersoon of vul een BSN in.',
  'simulator.error.levelMissing': 'Kies een betrouwbaarheidsniveau.',
  'simulator.badRequest.title': 'Ongeldig inlogverzoek',
  'simulator.badRequest.body':
    'Dit inlogverzoek komt niet van een bekende toepassing of heeft een onbekend terugkeeradres. Ga terug naar het portaal en probeer opnieuw in te loggen.',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'simulator.title': 'DigiD simulator',
  'simulator.notice':
    "This is Koepel's DigiD simulator. It exists only in the demo and in tests; in production you log in at the real DigiD and Koepel never sees your DigiD credentials.",
  'simulator.intro': 'Choose the test person and the level of assurance to log in with.',
  'simulator.person.legend': 'Test person',
  'simulator.person.option': '{name} (BSN {bsn})',
  'simulator.bsn.label': 'Or enter another test BSN (optional)',
  'simulator.bsn.hint':
    'Nine digits. The BSN must pass the eleven test. If you fill this in, it takes precedence over the choice above.',
  'simulator.level.legend': 'Level of assurance',
  'simulator.level.hint': 'This portal needs at least level Substantial.',
  'simulator.level.basis': 'Basic: user name and password',
  'simulator.level.midden': 'Middle: DigiD app or SMS check',
  'simulator.level.substantieel': 'Substantial: DigiD app with ID check',
  'simulator.level.hoog': 'High: identity document with chip',
  'simulator.submit': 'Log in',
  'simulator.cancel': 'Cancel',
  'simulator.error.bsnInvalid': 'This is not a valid BSN: it must have nine digits and pass the eleven test.',
  'simulator.error.personMissing': 'Choose a test person or enter a BSN.',
  'simulator.error.levelMissing': 'Choose a level of assurance.',
  'simulator.badRequest.title': 'Invalid login request',
  'simulator.badRequest.body':
    'This login request does not come from a known application or has an unknown return address. Go back to the portal and try to log in again.',
};

export const simulatorMessages = defineMessages({ nl, en });

type SimulatorMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends SimulatorMessages {}
}
