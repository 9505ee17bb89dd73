// Staff find their organisation's patients and open the record as their organisation holds it.
import { defineCapability } from '../platform/capability.js';
import { PERMISSIONS } from '../platform/auth/permissions.js';
import { patientMessages } from './messages.js';
import { patientRecordMessages } from './record-messages.js';
import { registerPatientRoutes } from './routes.js';

export { birthDateText, StaffBirthDate, PatientSearchForm } from './views.js';
export { patientsById } from './search.js';
// The staff agenda (src/agenda) finds the patient it books for with the same search.
export { parseCriteria, searchPatients, type CriteriaError, type PatientHit, type SearchResult } from './search.js';

export const patients = defineCapability({
  name: 'patients',
  messages: [patientMessages, patientRecordMessages],
  navigation: [
    {
      area: 'staff',
      href: '/staff/patients',
      label: 'patients.nav',
      order: 10,
      permissions: [PERMISSIONS.patientsSearch],
    },
  ],
  register: registerPatientRoutes,
});
