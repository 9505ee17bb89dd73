// Rights are set per employee (ZL-10). A role gives a starting set; an organisation's admin can add or remove
// single permissions for one employee (stored in membership.permissions, which is what counts).
import type { StaffRole } from '../platform/db/schema.js';

export const PERMISSIONS = {
  patientsSearch: 'patients:search',
  patientsRead: 'patients:read',
  /** Open a patient's record as the organisation holds it (issue 3). */
  recordRead: 'record:read',
  /** See and answer citizens' requests to make more of their record available (MG-7). */
  recordRequests: 'record:requests',
  auditRead: 'audit:read',
  adminStaff: 'admin:staff',
  adminOrganisation: 'admin:organisation',
  /** Register and revoke the organisation's API clients (provider systems). */
  adminApiClients: 'admin:api-clients',
} as const;
export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

const care: Permission[] = [
  PERMISSIONS.patientsSearch,
  PERMISSIONS.patientsRead,
  PERMISSIONS.recordRead,
  PERMISSIONS.recordRequests,
];

export const ROLE_DEFAULTS: Record<StaffRole, Permission[]> = {
  doctor: care,
  assistant: care,
  pharmacist: care,
  therapist: care,
  social_worker: care,
  admin: [PERMISSIONS.adminStaff, PERMISSIONS.adminOrganisation, PERMISSIONS.adminApiClients],
  privacy_officer: [PERMISSIONS.auditRead],
};
