// Every query the application makes runs inside withPrincipal(): one transaction that first switches to the
// koepel_app role and sets who is asking, transaction-locally, so a pooled connection never carries it on.
// Row-level security policies (migrations/*.sql) read these settings; the app never filters tenants by hand.
import { sql, type Kysely } from 'kysely';
import type { DB, StaffRole } from './schema.js';

export type SystemPurpose =
  | 'citizen-login'
  | 'staff-login'
  | 'session'
  | 'audit-verify'
  | 'audit-checkpoint'
  | 'maintenance'
  | 'api-auth'
  | 'notifications';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'system'; purpose: SystemPurpose }
  | {
      kind: 'citizen';
      citizenId: string;
      portalId: string;
      /**
       * Set when an app the citizen authorised acts for them (citizen_app.id; src/citizen-apps): the same rights
       * as the citizen — the database cannot tell the two apart — and the app named in every audit record.
       */
      app?: string;
    }
  | {
      kind: 'staff';
      staffId: string;
      organisationId: string;
      role: StaffRole;
      permissions: readonly string[];
    }
  | { kind: 'operator'; staffId: string }
  /** An organisation's API client (a provider system), authenticated with OAuth2 client credentials. */
  | { kind: 'client'; clientId: string; organisationId: string };

export const APP_ROLE = 'koepel_app';

/** A connection inside a transaction opened by withPrincipal. */
export type Tx = Kysely<DB>;

export function principalSettings(p: Principal): Record<string, string> {
  return {
    role: APP_ROLE,
    'koepel.principal_kind': p.kind,
    'koepel.organisation_id': p.kind === 'staff' || p.kind === 'client' ? p.organisationId : '',
    'koepel.citizen_id': p.kind === 'citizen' ? p.citizenId : '',
    'koepel.portal_id': p.kind === 'citizen' ? p.portalId : '',
    'koepel.actor_id':
      p.kind === 'staff' || p.kind === 'operator'
        ? p.staffId
        : p.kind === 'citizen'
          ? p.citizenId
          : p.kind === 'client'
            ? p.clientId
            : '',
    'koepel.permissions': p.kind === 'staff' ? p.permissions.join(',') : '',
    'koepel.purpose': p.kind === 'system' ? p.purpose : '',
    'koepel.audited_citizens': '',
    'koepel.patient_search': '',
  };
}

// Every value is an id, a permission or a fixed word; anything else is refused rather than quoted.
const SAFE_SETTING = /^[\w:.,@-]*$/;

function beginStatement(p: Principal): string {
  const calls = Object.entries(principalSettings(p)).map(([k, v]) => {
    if (!SAFE_SETTING.test(v)) throw new Error(`refusing an unexpected principal setting for ${k}`);
    return `set_config('${k}', '${v}', true)`;
  });
  return `begin; select ${calls.join(', ')}`;
}

/**
 * Runs fn in one transaction as the given principal. BEGIN and the settings travel in one round trip (simple
 * query protocol); the values are validated above, never interpolated from free text.
 */
export async function withPrincipal<T>(db: Kysely<DB>, principal: Principal, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const begin = beginStatement(principal);
  return db.connection().execute(async (conn) => {
    await sql.raw(begin).execute(conn);
    try {
      const result = await fn(conn);
      await sql.raw('commit').execute(conn);
      return result;
    } catch (err) {
      await sql
        .raw('rollback')
        .execute(conn)
        .catch(() => undefined);
      throw err;
    }
  });
}
