// Texts of the staff patient search.
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'patients.nav': 'Patiënten',
  'patients.search.title': 'Patiënt zoeken',
  'patients.search.intro':
    'U vindt alleen patiënten met een lopende zorgrelatie met uw organisatie. Elke patiënt die u in de resultaten ziet, wordt vastgelegd in het inzageoverzicht van die patiënt.',
  'patients.search.name': 'Naam of deel van de naam',
  'patients.search.nameHint': 'Hoofdletters en accenten maken niet uit, bijvoorbeeld "vries" of "suzanne de vries".',
  'patients.search.born': 'Geboortedatum',
  'patients.search.bornHint': 'Bijvoorbeeld 12-04-1982.',
  'patients.search.submit': 'Zoeken',
  'patients.search.resultsTitle': 'Zoekresultaten',
  'patients.search.caption': 'Gevonden patiënten: {count}',
  'patients.search.colName': 'Naam',
  'patients.search.colBorn': 'Geboortedatum',
  'patients.search.colNumber': 'Patiëntnummer',
  'patients.search.none':
    'Geen patiënten gevonden. Controleer de spelling of zoek op geboortedatum. Patiënten zonder lopende zorgrelatie met uw organisatie vindt u niet.',
  'patients.search.more':
    'Er zijn meer dan {max} resultaten; u ziet de eerste {max}. Maak uw zoekopdracht specifieker, bijvoorbeeld met de geboortedatum.',
  'patients.search.back': 'Terug naar de werkplek',
  'patients.errors.criteria': 'Vul een naam (minstens 2 tekens) of een geboortedatum in.',
  'patients.errors.name': 'Vul bij naam 2 tot 100 letters in.',
  'patients.errors.born': 'Vul een geldige geboortedatum in, bijvoorbeeld 12-04-1982.',
  // A birth date the BRP does not know (DatumOnbekend), wherever staff see a birth date.
  'patients.birthDate.unknown': 'onbekend',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'patients.nav': 'Patients',
  'patients.search.title': 'Find a patient',
  'patients.search.intro':
    "You only find patients with a current care relationship with your organisation. Every patient you see in the results is recorded in that patient's access log.",
  'patients.search.name': 'Name or part of the name',
  'patients.search.nameHint': 'Capitals and accents do not matter, for example "vries" or "suzanne de vries".',
  'patients.search.born': 'Date of birth',
  'patients.search.bornHint': 'For example 12-04-1982.',
  'patients.search.submit': 'Search',
  'patients.search.resultsTitle': 'Search results',
  'patients.search.caption': 'Patients found: {count}',
  'patients.search.colName': 'Name',
  'patients.search.colBorn': 'Date of birth',
  'patients.search.colNumber': 'Patient number',
  'patients.search.none':
    'No patients found. Check the spelling or search by date of birth. Patients without a current care relationship with your organisation are not found.',
  'patients.search.more':
    'There are more than {max} results; you see the first {max}. Make your search more specific, for example with the date of birth.',
  'patients.search.back': 'Back to the workplace',
  'patients.errors.criteria': 'Enter a name (at least 2 characters) or a date of birth.',
  'patients.errors.name': 'Enter 2 to 100 letters for the name.',
  'patients.errors.born': 'Enter a valid date of birth, for example 12-04-1982.',
  'patients.birthDate.unknown': 'unknown',
};

export const patientMessages = defineMessages({ nl, en });

type PatientMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends PatientMessages {}
}
