// Every query the application makes runs inside withPrincipal(): one transaction that first switches to the
// koepel_app role and sets who is asking, transaction-locally, so a pooled connection never carries it on.
// Row-level security policies (migrations/*.sql) read these settings; the app never filters tenants by hand.
import { AsyncLocalStorage } from 'node:async_hooks';
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
  | 'notifications'
  // Issue 13 (MG-9): Koepel posting a system message to a citizen (src/system-messages).
  | 'system-messages'
  // Issue 14: the job worker claiming, finishing and failing jobs (src/platform/jobs).
  | 'jobs'
  // Issue 14: sending a citizen's e-mail (reads the address and the switches; src/notifications).
  | 'email'
  // Issue 14: delivering events to an organisation's own system (webhooks, FHIR Subscription; src/org-delivery).
  | 'deliveries';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'system'; purpose: SystemPurpose }
  | {
      kind: 'citizen';
      citizenId: string;
      portalId: string;
      /**
       * Set when an app the citizen authorised acts for them (citizen_app.id; src/citizen-apps): the same rights
       * as the citizen — the database tells the two apart only for private notes (`koepel.citizen_app_id`, migration
       * 0031) — and the app named in every audit record.
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
    // An app acting for the citizen (issue 13, LU-3: private notes are the citizen's own, never an app's).
    'koepel.citizen_app_id': p.kind === 'citizen' && p.app ? p.app : '',
    'koepel.audited_citizens': '',
    'koepel.patient_search': '',
  };
}

// Every value is an id, a permission or a fixed word; anything else is refused rather than quoted.
const SAFE_SETTING = /^[\w:.,@-]*$/;

/** `select set_config(…)` of every setting of the principal, transaction-locally. */
export function settingsStatement(p: Principal): string {
  const calls = Object.entries(principalSettings(p)).map(([k, v]) => {
    if (!SAFE_SETTING.test(v)) throw new Error(`refusing an unexpected principal setting for ${k}`);
    return `set_config('${k}', '${v}', true)`;
  });
  return `select ${calls.join(', ')}`;
}

export function beginStatement(p: Principal): string {
  return `begin; ${settingsStatement(p)}`;
}

/**
 * Who a transaction runs as, in one string: two principals with the same key have the same rights in the database.
 * The same form as koepel_open_session() returns (migrations/0018_request_session.sql).
 */
export function principalKey(p: Principal): string {
  const s = principalSettings(p);
  return [
    s['koepel.principal_kind'],
    s['koepel.organisation_id'],
    s['koepel.citizen_id'],
    s['koepel.portal_id'],
    s['koepel.actor_id'],
    s['koepel.permissions'],
  ].join('|');
}

/** Ends a failed transaction; a failure to roll back (a lost connection) is not the error worth reporting. */
async function rollbackQuietly(conn: Tx): Promise<void> {
  await sql
    .raw('rollback')
    .execute(conn)
    .catch(() => undefined);
}

/**
 * Runs fn in one transaction as the given principal. BEGIN and the settings travel in one round trip (simple
 * query protocol); the values are validated above, never interpolated from free text.
 */
export async function withPrincipal<T>(db: Kysely<DB>, principal: Principal, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const begin = beginStatement(principal);
  // A request's own transaction, opened with its session and not used by the request's data work, ends first: it
  // holds a connection (PGlite has only one) and a request never needs two at once.
  await requestTransactions.getStore()?.release();
  return db.connection().execute(async (conn) => {
    await sql.raw(begin).execute(conn);
    try {
      const result = await fn(conn);
      await sql.raw('commit').execute(conn);
      return result;
    } catch (err) {
      await rollbackQuietly(conn);
      throw err;
    }
  });
}

// --- A request's transaction ------------------------------------------------------------------------------------
// The session of a request is read in a transaction that the request's data work then continues (issue 10 §4: one
// transaction per request instead of two, fewer round trips). The transaction is held open on its connection
// ("pinned") from the session look-up until the request's first data scope with the same principal takes it over,
// or until the request ends, or until anything else in the request asks for a transaction: whichever comes first.

/** A transaction held open on its connection until finish(). */
export interface PinnedTransaction {
  readonly tx: Tx;
  /** principalKey() of the settings it runs under. */
  key: string;
  /** Ends it (idempotent: the first call decides); resolves when the connection is back in the pool. */
  finish(how: 'commit' | 'rollback'): Promise<void>;
}

/**
 * Runs a batch of statements that opens and ends its own transaction (BEGIN … COMMIT) in one round trip, and answers
 * the rows of its last statement that returns rows. Simple protocol: every value in it must be generated, never free
 * text. If any statement fails, the transaction is rolled back before the connection goes back to the pool.
 */
export function runBatch(db: Kysely<DB>, batch: string): Promise<unknown[]> {
  return db.connection().execute(async (conn) => {
    try {
      return (await sql.raw(batch).execute(conn)).rows;
    } catch (err) {
      await rollbackQuietly(conn);
      throw err;
    }
  });
}

/**
 * Opens a transaction with a prologue of one or more statements sent in one round trip (simple protocol, so no
 * parameters: every value in it must be generated, never free text) that starts with BEGIN. Answers the rows of
 * the prologue's last statement that returns rows, and the transaction, held open until finish().
 */
export function openPinnedTransaction(
  db: Kysely<DB>,
  prologue: string,
  key: string,
): Promise<{ rows: unknown[]; pinned: PinnedTransaction }> {
  return new Promise((resolve, reject) => {
    let opened = false;
    let closed!: { resolve(): void; reject(e: unknown): void };
    const whenClosed = new Promise<void>((res, rej) => (closed = { resolve: res, reject: rej }));
    whenClosed.catch(() => undefined); // reported to whoever calls finish()
    db.connection()
      .execute(async (conn) => {
        let rows: unknown[];
        try {
          rows = (await sql.raw(prologue).execute(conn)).rows;
        } catch (err) {
          await rollbackQuietly(conn);
          throw err;
        }
        let end!: (how: 'commit' | 'rollback') => void;
        const ending = new Promise<'commit' | 'rollback'>((res) => (end = res));
        let finished: Promise<void> | null = null;
        const pinned: PinnedTransaction = {
          tx: conn,
          key,
          finish: (how) => {
            if (!finished) {
              end(how);
              finished = whenClosed;
            }
            return finished;
          },
        };
        opened = true;
        resolve({ rows, pinned });
        const how = await ending;
        try {
          await sql.raw(how).execute(conn);
        } catch (err) {
          await rollbackQuietly(conn);
          throw err;
        }
      })
      .then(
        () => closed.resolve(),
        (err: unknown) => (opened ? closed.reject(err) : reject(err instanceof Error ? err : new Error(String(err)))),
      );
  });
}

/** The request's own transaction while it is held for the request's first data scope. */
export class RequestTransaction {
  private pinned: PinnedTransaction | null = null;

  hold(pinned: PinnedTransaction): void {
    this.pinned = pinned;
  }

  /** The held transaction, handed over once, if it runs as this principal. The taker must finish() it. */
  take(principal: Principal): PinnedTransaction | null {
    const p = this.pinned;
    if (!p || p.key !== principalKey(principal)) return null;
    this.pinned = null;
    return p;
  }

  /** Commits the held transaction if nobody took it (its only writes are the session's "last seen"). */
  async release(): Promise<void> {
    const p = this.pinned;
    if (!p) return;
    this.pinned = null;
    await p.finish('commit');
  }
}

const requestTransactions = new AsyncLocalStorage<RequestTransaction>();

/** Runs fn (the rest of a request) with its request transaction known to withPrincipal (see there). */
export function withRequestTransaction<T>(rt: RequestTransaction, fn: () => T): T {
  return requestTransactions.run(rt, fn);
}
