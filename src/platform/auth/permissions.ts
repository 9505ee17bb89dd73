// Rights are set per employee (ZL-10). A role gives a starting set; an organisation's admin can add or remove
// single permissions for one employee (stored in membership.permissions, which is what counts).
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../db/principal.js';
import type { StaffRole } from '../db/schema.js';
import { HttpError } from '../http/errors.js';

export const PERMISSIONS = {
  patientsSearch: 'patients:search',
  patientsRead: 'patients:read',
  /** Open a patient's record as the organisation holds it (issue 3). */
  recordRead: 'record:read',
  /** See and answer citizens' requests to make more of their record available (MG-7). */
  recordRequests: 'record:requests',
  /** See the organisation's agenda; book, move and cancel appointments for its patients (issue 12). */
  agendaRead: 'agenda:read',
  /** See the reasons citizens give for their appointments: medical content (issue 12). */
  agendaReasons: 'agenda:reasons',
  /** Read and answer the organisation's conversations with citizens (MG-9, issue 13). */
  messagesRead: 'messages:read',
  /** Handle citizens' repeat-medication orders (MG-8, issue 13). */
  medicationOrders: 'medication:orders',
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
  PERMISSIONS.agendaRead,
  PERMISSIONS.agendaReasons,
  PERMISSIONS.messagesRead,
  PERMISSIONS.medicationOrders,
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

// Who may use a route: each handler states it first, before it reads anything.

export function requireCitizen(req: FastifyRequest): Extract<Principal, { kind: 'citizen' }> {
  if (req.principal.kind !== 'citizen') throw new HttpError(401, 'loginRequired');
  return req.principal;
}

export function requireStaff(req: FastifyRequest, permission?: Permission): Extract<Principal, { kind: 'staff' }> {
  const p = req.principal;
  if (p.kind !== 'staff') throw new HttpError(401, 'loginRequired');
  if (permission && !p.permissions.includes(permission)) throw new HttpError(403, 'forbidden');
  return p;
}

export function requireOperator(req: FastifyRequest): Extract<Principal, { kind: 'operator' }> {
  const p = req.principal;
  if (p.kind === 'operator') return p;
  if (p.kind === 'anonymous') throw new HttpError(401, 'loginRequired');
  throw new HttpError(403, 'forbidden');
}
