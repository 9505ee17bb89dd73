// The organisation's employees as its admin (admin:staff) manages them: list, invite, deactivate and reactivate,
// rights, two-step verification reset. Everything runs in the admin's own transaction: row-level security shows
// only memberships of the admin's organisation, and the triggers of migration 0017 refuse what an admin may not
// write (other columns, unknown rights, their own lock-out) even if this code asked for it.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type UpdateObject } from 'kysely';
import type { DataScope } from '../platform/http/request-context.js';
import type { DB, StaffRole } from '../platform/db/schema.js';
import { PERMISSIONS, ROLE_DEFAULTS, type Permission } from '../platform/auth/permissions.js';

export const ALL_PERMISSIONS: readonly Permission[] = Object.values(PERMISSIONS);
export const STAFF_ROLES: readonly StaffRole[] = [
  'doctor',
  'assistant',
  'pharmacist',
  'therapist',
  'social_worker',
  'admin',
  'privacy_officer',
];
export const INVITATION_DAYS = 7;

export const isPermission = (v: string): v is Permission => (ALL_PERMISSIONS as readonly string[]).includes(v);
export const isRole = (v: string): v is StaffRole => (STAFF_ROLES as readonly string[]).includes(v);

export interface EmployeeRow {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  permissions: Permission[];
  active: boolean;
  totpOn: boolean;
  /** Invited and no password set yet. */
  invited: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function baseQuery(scope: DataScope) {
  return scope.tx
    .selectFrom('membership as m')
    .innerJoin('staff_account as a', 'a.id', 'm.staff_id')
    .select([
      'a.id',
      'a.display_name',
      'a.email',
      'a.totp_confirmed_at',
      'a.password_hash',
      'm.role',
      'm.permissions',
      'm.disabled_at',
    ])
    .where('m.organisation_id', '=', sql<string>`koepel_org()`);
}

function toRow(r: {
  id: string;
  display_name: string;
  email: string;
  totp_confirmed_at: Date | null;
  password_hash: string;
  role: StaffRole;
  permissions: string[];
  disabled_at: Date | null;
}): EmployeeRow {
  return {
    id: r.id,
    name: r.display_name,
    email: r.email,
    role: r.role,
    permissions: ALL_PERMISSIONS.filter((p) => r.permissions.includes(p)),
    active: r.disabled_at === null,
    totpOn: r.totp_confirmed_at !== null,
    invited: r.password_hash.startsWith(INVITED_PREFIX),
  };
}

/** The employees of the admin's organisation (row-level security: memberships of koepel_org() only). */
export async function listEmployees(scope: DataScope): Promise<EmployeeRow[]> {
  const rows = await baseQuery(scope).orderBy('a.display_name').orderBy('a.id').execute();
  return rows.map(toRow);
}

/** One employee of the admin's organisation, or null (unknown, malformed, or another organisation's). */
export async function getEmployee(scope: DataScope, id: string): Promise<EmployeeRow | null> {
  if (!UUID.test(id)) return null;
  const r = await baseQuery(scope).where('a.id', '=', id).executeTakeFirst();
  return r ? toRow(r) : null;
}

/** An invited account's password hash: no password verifies against it (not a valid argon2 string). */
const INVITED_PREFIX = 'invited:';

export const tokenHash = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export interface Invited {
  staffId: string;
  token: string;
}

/** The error of an invitation for an address that already has an account (the unique key on the e-mail). */
export const isEmailTaken = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === '23505';

/**
 * Creates an account (no password yet) with a membership of the admin's organisation and a one-time link to set the
 * password. An address that already has an account is refused: that person's account is not the admin's to take
 * over (the service desk links an existing account to a second organisation).
 */
export async function inviteEmployee(
  scope: DataScope,
  admin: { staffId: string; organisationId: string },
  input: { email: string; name: string; role: StaffRole },
): Promise<Invited> {
  const staffId = randomUUID();
  const token = randomBytes(32).toString('base64url');
  // An address that has an account violates the unique key (23505): the caller's transaction rolls back whole.
  // (ON CONFLICT cannot be used: it needs to see the other row, which row-level security hides from the admin.)
  await scope.tx
    .insertInto('staff_account')
    .values({
      id: staffId,
      email: input.email,
      display_name: input.name,
      password_hash: `${INVITED_PREFIX}${randomBytes(16).toString('hex')}`,
      // The new employee sets up two-step verification at the first login.
      must_enrol_totp: true,
    })
    .execute();
  await scope.tx
    .insertInto('membership')
    .values({
      staff_id: staffId,
      organisation_id: admin.organisationId,
      role: input.role,
      permissions: ROLE_DEFAULTS[input.role],
    })
    .execute();
  await scope.tx
    .insertInto('staff_invitation')
    .values({
      token_hash: tokenHash(token),
      staff_id: staffId,
      organisation_id: admin.organisationId,
      created_by: admin.staffId,
      expires_at: new Date(Date.now() + INVITATION_DAYS * 24 * 60 * 60_000),
    })
    .execute();
  await scope.audit({
    event: 'staff.admin.invite',
    action: 'C',
    resourceType: 'staff_account',
    resourceId: staffId,
    reason: `role=${input.role}`,
  });
  return { staffId, token };
}

export async function setPermissions(scope: DataScope, staffId: string, permissions: Permission[]): Promise<void> {
  await scope.audit({
    event: 'staff.admin.permissions',
    action: 'U',
    resourceType: 'staff_account',
    resourceId: staffId,
    reason: `permissions=${permissions.join(',')}`,
  });
  await updateMembership(scope, staffId, { permissions });
}

export async function setActive(scope: DataScope, staffId: string, active: boolean): Promise<void> {
  await scope.audit({
    event: active ? 'staff.admin.reactivate' : 'staff.admin.deactivate',
    action: 'U',
    resourceType: 'staff_account',
    resourceId: staffId,
  });
  // Deactivating ends the employee's sessions here; reactivating never revives one that was open before.
  await updateMembership(
    scope,
    staffId,
    active ? { disabled_at: null } : { disabled_at: sql<Date>`now()`, sessions_valid_after: sql<Date>`now()` },
  );
}

async function updateMembership(scope: DataScope, staffId: string, set: UpdateObject<DB, 'membership'>): Promise<void> {
  const result = await scope.tx
    .updateTable('membership')
    .set(set)
    .where('staff_id', '=', staffId)
    .where('organisation_id', '=', sql<string>`koepel_org()`)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Error('membership not updated');
}

export type TotpResetResult = 'ok' | 'shared';

/**
 * Clears the employee's authenticator app and ends their sessions; they set it up again at the next login. Only for
 * an employee of this organisation alone (row-level security: an account shared with another organisation is
 * the service desk's to reset).
 */
export async function resetTotp(scope: DataScope, staffId: string): Promise<TotpResetResult> {
  const result = await scope.tx
    .updateTable('staff_account')
    .set({
      totp_ciphertext: null,
      totp_confirmed_at: null,
      totp_last_step: null,
      must_enrol_totp: true,
      sessions_valid_after: sql<Date>`now()`,
    })
    .where('id', '=', staffId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return 'shared';
  await scope.audit({
    event: 'staff.admin.totp-reset',
    action: 'U',
    resourceType: 'staff_account',
    resourceId: staffId,
  });
  return 'ok';
}
