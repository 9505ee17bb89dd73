// Server-side sessions in PostgreSQL. The browser holds one cookie: a random token; the database holds only its
// SHA-256. Sessions end after 15 minutes idle (DigiD norm T14) or at a fixed absolute limit, at logout, and when a
// staff account changes (sessions_valid_after). A new session id is issued at every login (rotation).
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import {
  beginStatement,
  openPinnedTransaction,
  runBatch,
  principalKey,
  settingsStatement,
  withPrincipal,
  type PinnedTransaction,
  type Principal,
} from '../db/principal.js';
import type { DB, StaffRole } from '../db/schema.js';

export const SESSION_COOKIE = '__Host-koepel-session';
const TOUCH_AFTER_MS = 30_000;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,100}$/;

/** A row of koepel_open_session() (migrations/0018_request_session.sql). */
interface OpenedRow {
  token_hash: Uint8Array;
  kind: Session['kind'];
  citizen_id: string | null;
  staff_id: string | null;
  organisation_id: string | null;
  portal_id: string | null;
  csrf_token: string;
  state: Record<string, unknown>;
  created_at: Date;
  last_seen_at: Date;
  absolute_expires_at: Date;
  ended_at: Date | null;
  sessions_valid_after: Date | null;
  disabled_at: Date | null;
  is_operator: boolean | null;
  display_name: string | null;
  role: StaffRole | null;
  permissions: string[] | null;
  membership_disabled_at: Date | null;
  membership_sessions_valid_after: Date | null;
  /** The principal the function switched the transaction to, as principalKey() writes it. */
  settings: string;
  /** The online functions of the session's organisation (migration 0035), for the staff menu. */
  organisation_functions: string[] | null;
}

export interface Session {
  tokenHash: Buffer;
  kind: 'anonymous' | 'citizen' | 'staff';
  citizenId: string | null;
  staffId: string | null;
  organisationId: string | null;
  portalId: string | null;
  csrfToken: string;
  state: Record<string, unknown>;
  createdAt: Date;
  /** The last visit the database noted (at most TOUCH_AFTER_MS old), and the fixed end: the session's two limits. */
  lastSeenAt: Date;
  absoluteExpiresAt: Date;
  /** Filled in for staff sessions from the current membership (rights can change during a session). */
  staff: {
    role: StaffRole;
    permissions: string[];
    isOperator: boolean;
    displayName: string;
    /** The online functions the organisation offers (MG-1): the staff menu leaves out the others' links. */
    organisationFunctions: string[];
  } | null;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest();
const newToken = () => randomBytes(32).toString('base64url');
const SYSTEM: Principal = { kind: 'system', purpose: 'session' };

export type NewSession = Pick<Session, 'kind'> &
  Partial<Pick<Session, 'citizenId' | 'staffId' | 'organisationId' | 'portalId' | 'state'>>;

export class SessionStore {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly limits: SessionLimits,
  ) {}

  /** Creates a session and returns the token for the cookie. */
  async create(s: NewSession): Promise<{ token: string; session: Session }> {
    const token = newToken();
    const tokenHash = hashToken(token);
    const csrfToken = randomBytes(24).toString('base64url');
    const now = new Date();
    await withPrincipal(this.db, SYSTEM, (tx) =>
      tx
        .insertInto('session')
        .values({
          token_hash: tokenHash,
          kind: s.kind,
          citizen_id: s.citizenId ?? null,
          staff_id: s.staffId ?? null,
          organisation_id: s.organisationId ?? null,
          portal_id: s.portalId ?? null,
          csrf_token: csrfToken,
          state: JSON.stringify(s.state ?? {}),
          last_seen_at: now,
          absolute_expires_at: new Date(now.getTime() + this.limits.absoluteMs),
        })
        .execute(),
    );
    const session = await this.load(token);
    if (!session) throw new Error('session vanished right after creation');
    return { token, session };
  }

  /** The live session for a cookie token, or null (unknown, ended, idle too long, past its absolute limit). */
  async load(token: string): Promise<Session | null> {
    return (await this.open(token, false)).session;
  }

  /**
   * Reads the session for a cookie token in one round trip (BEGIN, the session purpose and koepel_open_session() as
   * one batch). With keep, the transaction stays open as the session's principal and is handed back, for the
   * request's data work to continue (withPrincipal, RequestTransaction); without, it commits in the same round trip.
   */
  async open(
    token: string,
    keep: boolean,
    touch = true,
  ): Promise<{ session: Session | null; pinned: PinnedTransaction | null; endedKind: Session['kind'] | null }> {
    if (!TOKEN_PATTERN.test(token)) return { session: null, pinned: null, endedKind: null };
    const tokenHash = hashToken(token);
    // Without touch (the session-timeout script asking how long is left), the visit is not noted: asking must not
    // keep a session alive. The function notes a visit only when the last one is older than its third argument.
    const touchAfter = touch ? TOUCH_AFTER_MS : Math.trunc(this.limits.absoluteMs) + 1;
    // Every value is generated here (a hex digest, two integers): nothing from the request is quoted into the SQL.
    const prologue =
      `${beginStatement(SYSTEM)}; select * from koepel_open_session('\\x${tokenHash.toString('hex')}'::bytea, ` +
      `${Math.trunc(this.limits.idleMs)}, ${touchAfter})`;
    // The row carries the visit noted before this one: when the function noted this one, it is now.
    const judge = (row: OpenedRow) => {
      const session = this.judge(row);
      if (session && touch && Date.now() - session.lastSeenAt.getTime() > TOUCH_AFTER_MS)
        session.lastSeenAt = new Date();
      return session;
    };
    if (!keep) {
      const row = (await runBatch(this.db, `${prologue}; commit`))[0] as OpenedRow | undefined;
      const session = row ? judge(row) : null;
      if (row && !session && !row.ended_at) await this.endByHash(tokenHash);
      return { session, pinned: null, endedKind: row && !session && this.timedOut(row) ? row.kind : null };
    }
    const { rows, pinned } = await openPinnedTransaction(this.db, prologue, principalKey({ kind: 'anonymous' }));
    const row = rows[0] as OpenedRow | undefined;
    const session = row ? judge(row) : null;
    if (row && !session && !row.ended_at) {
      // Idle, past its limit or revoked: ended for good (not only refused), once this transaction let go.
      await pinned.finish('commit');
      await this.endByHash(tokenHash);
      return { session: null, pinned: null, endedKind: this.timedOut(row) ? row.kind : null };
    }
    // The application is the judge of the principal: the database's derivation must agree with it, else the
    // application's settings win (a session at the edge of its idle limit, between two clocks).
    const principal = principalOf(session);
    const expected = principalKey(principal);
    if (row) pinned.key = row.settings;
    if (pinned.key !== expected) {
      try {
        await sql.raw(settingsStatement(principal)).execute(pinned.tx);
      } catch (err) {
        await pinned.finish('rollback').catch(() => undefined);
        throw err;
      }
      pinned.key = expected;
    }
    return { session, pinned, endedKind: row && !session && this.timedOut(row) ? row.kind : null };
  }

  /**
   * Whether a session ended by its time limits (idle, absolute) — not by a logout or a revoked account: only then do
   * pages say "your session has expired" (issue 17). A session ended when it was found idle counts as timed out.
   */
  private timedOut(row: OpenedRow): boolean {
    const end = row.ended_at?.getTime() ?? Date.now();
    return end - row.last_seen_at.getTime() > this.limits.idleMs || end > row.absolute_expires_at.getTime();
  }

  /** The session a row describes if it is live by this process's clock, else null. */
  private judge(row: OpenedRow): Session | null {
    if (row.ended_at) return null;
    const now = Date.now();
    const idle = now - row.last_seen_at.getTime() > this.limits.idleMs;
    const expired = now > row.absolute_expires_at.getTime();
    const staffRevoked =
      row.kind === 'staff' &&
      (row.disabled_at !== null ||
        row.membership_disabled_at !== null ||
        (row.membership_sessions_valid_after !== null &&
          row.membership_sessions_valid_after.getTime() > row.created_at.getTime()) ||
        (row.sessions_valid_after !== null && row.sessions_valid_after.getTime() > row.created_at.getTime()));
    if (idle || expired || staffRevoked) return null;
    return {
      tokenHash: Buffer.from(row.token_hash),
      kind: row.kind,
      citizenId: row.citizen_id,
      staffId: row.staff_id,
      organisationId: row.organisation_id,
      portalId: row.portal_id,
      csrfToken: row.csrf_token,
      state: row.state,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      absoluteExpiresAt: row.absolute_expires_at,
      staff:
        row.kind === 'staff' && row.display_name !== null
          ? {
              role: row.role ?? 'assistant',
              permissions: row.permissions ?? [],
              isOperator: row.is_operator ?? false,
              displayName: row.display_name,
              organisationFunctions: row.organisation_functions ?? [],
            }
          : null,
    };
  }

  private async endByHash(tokenHash: Buffer): Promise<void> {
    await withPrincipal(this.db, SYSTEM, (tx) =>
      tx.updateTable('session').set({ ended_at: new Date() }).where('token_hash', '=', tokenHash).execute(),
    );
  }

  async updateState(session: Session, state: Record<string, unknown>): Promise<void> {
    session.state = state;
    await withPrincipal(this.db, SYSTEM, (tx) =>
      tx
        .updateTable('session')
        .set({ state: JSON.stringify(state) })
        .where('token_hash', '=', session.tokenHash)
        .execute(),
    );
  }

  /**
   * "Stay logged in" (WCAG 2.2.1): notes a visit now, so the idle limit starts again. The absolute limit stays.
   * Answers the session's new last visit.
   */
  async extend(session: Session): Promise<Date> {
    const now = new Date();
    await withPrincipal(this.db, SYSTEM, (tx) =>
      tx
        .updateTable('session')
        .set({ last_seen_at: now })
        .where('token_hash', '=', session.tokenHash)
        .where('ended_at', 'is', null)
        .execute(),
    );
    session.lastSeenAt = now;
    return now;
  }

  get idleMs(): number {
    return this.limits.idleMs;
  }

  async end(session: Session): Promise<void> {
    await withPrincipal(this.db, SYSTEM, (tx) =>
      tx.updateTable('session').set({ ended_at: new Date() }).where('token_hash', '=', session.tokenHash).execute(),
    );
  }

  /** Ends every session of a staff account (password change, disabling, lost device). */
  async endAllForStaff(staffId: string): Promise<void> {
    await withPrincipal(this.db, SYSTEM, async (tx) => {
      await tx
        .updateTable('staff_account')
        .set({ sessions_valid_after: sql<Date>`now()` })
        .where('id', '=', staffId)
        .execute();
      await tx
        .updateTable('session')
        .set({ ended_at: new Date() })
        .where('staff_id', '=', staffId)
        .where('ended_at', 'is', null)
        .execute();
    });
  }
}

export function principalOf(session: Session | null): Principal {
  if (!session) return { kind: 'anonymous' };
  if (session.kind === 'citizen' && session.citizenId && session.portalId) {
    return { kind: 'citizen', citizenId: session.citizenId, portalId: session.portalId };
  }
  if (session.kind === 'staff' && session.staffId && session.staff) {
    if (session.organisationId) {
      return {
        kind: 'staff',
        staffId: session.staffId,
        organisationId: session.organisationId,
        role: session.staff.role,
        permissions: session.staff.permissions,
      };
    }
    if (session.staff.isOperator) return { kind: 'operator', staffId: session.staffId };
  }
  return { kind: 'anonymous' };
}
