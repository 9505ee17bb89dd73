// The medication passport (medicijnpaspoort) and the current medication overview (actueel medicatieoverzicht) as
// printable PDFs (issue 13, MG-8). Reads through "Mijn dossier"'s reading of medication and sensitivities; no table
// of its own.
import { defineCapability } from '../platform/capability.js';
import { medicationPassportMessages } from './messages.js';
import { registerMedicationPassport } from './routes.js';

export { offeredOverviews } from './data.js';

export const medicationPassport = defineCapability({
  name: 'medication-passport',
  messages: [medicationPassportMessages],
  register: registerMedicationPassport,
});
