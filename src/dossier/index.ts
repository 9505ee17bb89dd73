// "Mijn dossier": the citizen's combined record, by section and by organisation, with the lab chart and documents.
import { defineCapability } from '../platform/capability.js';
import { dossierMessages } from './messages.js';
import { registerDossier } from './routes.js';

export { countsByProvider } from './data.js';
export { conceptText, fhirDate, firstConceptText } from './fhir-text.js';
export { Breadcrumb } from './views.js';

export const dossier = defineCapability({
  name: 'dossier',
  messages: [dossierMessages],
  navigation: [{ area: 'citizen', href: '/dossier', label: 'dossier.nav', order: 20 }],
  register: registerDossier,
});
