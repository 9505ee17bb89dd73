// "Mijn dossier": the citizen's combined record, by section and by organisation, with the lab chart and documents.
import { defineCapability } from '../platform/capability.js';
import { dossierMessages } from './messages.js';
import { registerDossier } from './routes.js';

// What other capabilities use: the citizen's home page counts new items per provider the way the overview does.
export { countsByProvider } from './data.js';
// The appointments overview (src/appointments) shows provider systems' appointments the way the dossier reads them.
export { appointmentView, type AppointmentView } from './section-views.js';
// Issue 13: repeat medication (src/medication-orders) offers the current medicines of this overview for ordering.
export { medicationOverview, type MedicationLine } from './medication.js';
export { resolverFor } from './routes.js';

export const dossier = defineCapability({
  name: 'dossier',
  messages: [dossierMessages],
  navigation: [{ area: 'citizen', href: '/dossier', label: 'dossier.nav', order: 20 }],
  register: registerDossier,
});
