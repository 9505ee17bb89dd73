// Texts of the organisation's category settings (MG-1).
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'orgAdmin.categories.title': 'Wat patiënten zien',
  'orgAdmin.categories.link': 'Wat patiënten van hun dossier zien',
  'orgAdmin.categories.intro':
    'Kies welke onderdelen van het dossier patiënten van {organisation} in het portaal zien. De wijziging geldt direct voor al uw patiënten. Wat u een patiënt op diens verzoek extra heeft gegeven, blijft voor die patiënt zichtbaar.',
  'orgAdmin.categories.legend': 'Onderdelen die patiënten zien',
  'orgAdmin.categories.hint': 'Een onderdeel dat u uitzet, zien patiënten niet meer; de gegevens blijven bewaard.',
  'orgAdmin.categories.submit': 'Opslaan',
  'orgAdmin.categories.saved': 'De instelling is opgeslagen.',
  'orgAdmin.categories.none': 'Patiënten zien nu geen enkel onderdeel van hun dossier bij uw organisatie.',
  'orgAdmin.categories.back': 'Terug naar de werkplek',
  'orgAdmin.categories.error': 'Kies alleen onderdelen uit de lijst.',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'orgAdmin.categories.title': 'What patients see',
  'orgAdmin.categories.link': 'What patients see of their record',
  'orgAdmin.categories.intro':
    'Choose which parts of the record patients of {organisation} see in the portal. The change applies at once to all your patients. What you gave a patient on their request stays visible to that patient.',
  'orgAdmin.categories.legend': 'Parts patients see',
  'orgAdmin.categories.hint': 'A part you switch off is no longer shown to patients; the data is kept.',
  'orgAdmin.categories.submit': 'Save',
  'orgAdmin.categories.saved': 'The setting has been saved.',
  'orgAdmin.categories.none': 'Patients now see no part of their record at your organisation.',
  'orgAdmin.categories.back': 'Back to the workplace',
  'orgAdmin.categories.error': 'Choose only parts from the list.',
};

export const organisationAdminMessages = defineMessages({ nl, en });

type OrganisationAdminMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends OrganisationAdminMessages {}
}
