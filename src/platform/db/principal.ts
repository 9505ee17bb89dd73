// Every query the application makes runs inside withPrincipal(): one transaction that first switches to the
// koepel_app role and sets who is asking, transaction-locally, so a pooled connection never carries it on.
// Row-level security policies (migrations/*.sql) read these settings; the app never filters tenants by hand.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, StaffRole } from './schema.js';

export type SystemPurpose =
  | 'citizen-login'
  | 'staff-login'
  | 'session'
  | 'audit-verify'
  | 'maintenance';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'system'; purpose: SystemPurpose }
  | { kind: 'citizen'; citizenId: string; portalId: string }
  | {
      kind: 'staff';
      staffId: string;
      organisationId: string;
      role: StaffRole;
      permissions: readonly string[];
    }
  | { kind: 'operator'; staffId: string };

export const APP_ROLE = 'koepel_app';

export type Tx = Transaction<DB>;

export function principalSettings(p: Principal): Record<string, string> {
  return {
    role: APP_ROLE,
    'koepel.principal_kind': p.kind,
    'koepel.organisation_id': p.kind === 'staff' ? p.organisationId : '',
    'koepel.citizen_id': p.kind === 'citizen' ? p.citizenId : '',
    'koepel.actor_id': p.kind === 'staff' || p.kind === 'operator' ? p.staffId : p.kind === 'citizen' ? p.citizenId : '',
    'koepel.permissions': p.kind === 'staff' ? p.permissions.join(',') : '',
    'koepel.purpose': p.kind === 'system' ? p.purpose : '',
    'koepel.audited_citizens': '',
    'koepel.patient_search': '',
  };
}

export async function setPrincipal(tx: Tx, p: Principal): Promise<void> {
  const entries = Object.entries(principalSettings(p));
  const calls = entries.map(([k, v]) => sql`set_config(${k}, ${v}, true)`);
  await sql`select ${sql.join(calls)}`.execute(tx);
}

export async function withPrincipal<T>(db: Kysely<DB>, principal: Principal, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await setPrincipal(tx, principal);
    return fn(tx);
  });
}
