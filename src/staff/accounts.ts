// Staff accounts and memberships as the login flow needs them. The functions take the caller's transaction:
// the login runs them under the system principal {purpose: 'staff-login'}, which row-level security allows to
// read accounts and memberships; a logged-in employee reads only their own account.
import type { Tx } from '../platform/db/principal.js';
import type { OrganisationKind, StaffRole } from '../platform/db/schema.js';
import { normaliseEmail } from '../platform/auth/throttle.js';

export interface LoginAccount {
  id: string;
  passwordHash: string;
  usable: boolean;
}

export async function findAccountByEmail(tx: Tx, email: string): Promise<LoginAccount | undefined> {
  const row = await tx
    .selectFrom('staff_account')
    .select(['id', 'password_hash', 'disabled_at'])
    .where('email', '=', normaliseEmail(email))
    .executeTakeFirst();
  return row && { id: row.id, passwordHash: row.password_hash, usable: row.disabled_at === null };
}

export interface StaffAccount {
  id: string;
  email: string;
  displayName: string;
  isOperator: boolean;
  totpCiphertext: Uint8Array | null;
  totpConfirmedAt: Date | null;
  disabled: boolean;
  /** An admin reset two-step verification: it is set up again at the next login. */
  mustEnrolTotp: boolean;
}

export async function getAccount(tx: Tx, staffId: string): Promise<StaffAccount | undefined> {
  const row = await tx
    .selectFrom('staff_account')
    .select([
      'id',
      'email',
      'display_name',
      'is_operator',
      'totp_ciphertext',
      'totp_confirmed_at',
      'disabled_at',
      'must_enrol_totp',
    ])
    .where('id', '=', staffId)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      email: row.email,
      displayName: row.display_name,
      isOperator: row.is_operator,
      totpCiphertext: row.totp_confirmed_at ? row.totp_ciphertext : null,
      totpConfirmedAt: row.totp_confirmed_at,
      disabled: row.disabled_at !== null,
      mustEnrolTotp: row.must_enrol_totp,
    }
  );
}

export interface MembershipChoice {
  organisationId: string;
  organisationName: string;
  kind: OrganisationKind;
  role: StaffRole;
  requiresTotp: boolean;
}

export async function membershipsOf(tx: Tx, staffId: string): Promise<MembershipChoice[]> {
  const rows = await tx
    .selectFrom('membership as m')
    .innerJoin('organisation as o', 'o.id', 'm.organisation_id')
    .select(['m.organisation_id', 'o.name', 'o.kind', 'm.role', 'o.requires_totp'])
    .where('m.staff_id', '=', staffId)
    .where('m.disabled_at', 'is', null)
    .orderBy('o.name')
    .execute();
  return rows.map((r) => ({
    organisationId: r.organisation_id,
    organisationName: r.name,
    kind: r.kind,
    role: r.role,
    requiresTotp: r.requires_totp,
  }));
}

/** ZL-3: two-step verification is required when any of the employee's organisations requires it, and always
 * for operator accounts (they see security data across all organisations). */
export function totpRequired(
  account: Pick<StaffAccount, 'isOperator' | 'mustEnrolTotp'>,
  memberships: MembershipChoice[],
): boolean {
  return account.isOperator || account.mustEnrolTotp || memberships.some((m) => m.requiresTotp);
}
