// "Mijn dossier": the citizen's combined record, by section and by organisation, with the lab chart and documents.
import { defineCapability } from '../platform/capability.js';
import { dossierMessages } from './messages.js';
import { registerDossier } from './routes.js';

// What other capabilities use: the citizen's home page counts new items per provider the way the overview does.
export { countsByProvider } from './data.js';
// The appointments overview (src/appointments) shows provider systems' appointments the way the dossier reads them.
export { appointmentView, type AppointmentView } from './section-views.js';
// --- Issue 13: the medication passport (src/medication-passport) reads medication, sensitivities and particulars the
// way the dossier does (same resources, same MP9 reading, same reference resolution).
export { dossierProviders, type DossierProvider } from './data.js';
export { medicationOverview, type MedicationLine, type MedicationOverview } from './medication.js';
export { allergyRow, conditionRows, type AllergyRow, type ConditionRow } from './section-views.js';
export { conceptWords, extensionValue, Resolver, type DirectoryEntry } from './record-sections.js';
export { resolverFor } from './routes.js'; // repeat medication (src/medication-orders)
// --- end issue 13

export const dossier = defineCapability({
  name: 'dossier',
  messages: [dossierMessages],
  navigation: [{ area: 'citizen', href: '/dossier', label: 'dossier.nav', order: 20 }],
  register: registerDossier,
});
