// Texts about care providers: organisation types, the online functions they offer, contact details.
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'careProviders.kind.gp': 'Huisartsenpraktijk',
  'careProviders.kind.pharmacy': 'Apotheek',
  'careProviders.kind.hospital': 'Ziekenhuis',
  'careProviders.kind.physiotherapy': 'Fysiotherapie',
  'careProviders.kind.neighbourhood_team': 'Buurtteam/Wijkteam',
  'careProviders.kind.municipality': 'Gemeente',
  'careProviders.function.appointments': 'Afspraken',
  'careProviders.function.repeat-medication': 'Herhaalmedicatie',
  'careProviders.function.messages': 'Berichten',
  'careProviders.function.record': 'Dossier inzien',
  'careProviders.function.video-consult': 'Videoconsult',
  'careProviders.function.letters': 'Brieven',
  'careProviders.function.medication-overview': 'Medicatieoverzicht',
  'careProviders.type': 'Soort zorgverlener',
  'careProviders.address': 'Adres',
  'careProviders.phone': 'Telefoon',
  'careProviders.email': 'E-mail',
  'careProviders.website': 'Website',
  'careProviders.functions': 'Wat u online kunt regelen',
  'careProviders.atProvider': '{function}: bij deze zorgverlener zelf',
  'careProviders.noFunctions': 'Deze zorgverlener biedt hier (nog) geen online diensten aan.',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'careProviders.kind.gp': 'GP practice',
  'careProviders.kind.pharmacy': 'Pharmacy',
  'careProviders.kind.hospital': 'Hospital',
  'careProviders.kind.physiotherapy': 'Physiotherapy',
  'careProviders.kind.neighbourhood_team': 'Neighbourhood team',
  'careProviders.kind.municipality': 'Municipality',
  'careProviders.function.appointments': 'Appointments',
  'careProviders.function.repeat-medication': 'Repeat medication',
  'careProviders.function.messages': 'Messages',
  'careProviders.function.record': 'View your record',
  'careProviders.function.video-consult': 'Video consultation',
  'careProviders.function.letters': 'Letters',
  'careProviders.function.medication-overview': 'Medication overview',
  'careProviders.type': 'Type of care provider',
  'careProviders.address': 'Address',
  'careProviders.phone': 'Phone',
  'careProviders.email': 'E-mail',
  'careProviders.website': 'Website',
  'careProviders.functions': 'What you can arrange online',
  'careProviders.atProvider': '{function}: with this care provider itself',
  'careProviders.noFunctions': 'This care provider offers no online services here (yet).',
};

export const careProviderMessages = defineMessages({ nl, en });

type CareProviderMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends CareProviderMessages {}
}
