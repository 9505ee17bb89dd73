// One transaction per request (issue 10 §4): the session is read by koepel_open_session() in the transaction the
// request's data work continues. The database derives the principal there; the application must agree with it for
// every kind of session, and a request must never hold two connections or lose its session's "last seen".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { HttpClient } from '../../../test/support/http-client.js';
import { startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { citizenId, DEMO } from '../../../test/support/principals.js';
import { principalKey, withPrincipal } from '../db/principal.js';
import { principalOf, SESSION_COOKIE, type SessionStore } from './sessions.js';

/** Records the text of every statement this process sends (both database clients), while `on`. */
function statementRecorder(): { start(): void; stop(): string[] } {
  let seen: string[] | null = null;
  const wrap = (proto: object, method: string) => {
    let p: object | null = proto;
    while (p && !Object.prototype.hasOwnProperty.call(p, method)) p = Object.getPrototypeOf(p) as object | null;
    const target = p as Record<string, (...a: unknown[]) => unknown>;
    const original = target[method] as (...a: unknown[]) => unknown;
    target[method] = function (this: unknown, ...args: unknown[]) {
      const a = args[0];
      const text = typeof a === 'string' ? a : ((a as { text?: string } | undefined)?.text ?? '');
      seen?.push(text);
      return original.apply(this, args);
    };
  };
  wrap(pg.Client.prototype, 'query');
  wrap(PGlite.prototype, 'query');
  wrap(PGlite.prototype, 'exec');
  return {
    start: () => void (seen = []),
    stop: () => {
      const out = seen ?? [];
      seen = null;
      return out;
    },
  };
}

describe('one transaction per request', () => {
  let k: TestKoepel;
  let sessions: SessionStore;
  let portalId: string;
  const recorder = statementRecorder();

  before(async () => {
    k = await startKoepel();
    sessions = k.koepel.app.koepel.sessions;
    portalId = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
  });
  after(() => k.close());

  /** The principal koepel_open_session() switches a transaction to, for a token. */
  async function databasePrincipal(token: string): Promise<string | null> {
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(token, 'utf8').digest();
    return withPrincipal(k.db, { kind: 'system', purpose: 'session' }, async (tx) => {
      const { rows } = await sql<{ settings: string }>`
        select settings from koepel_open_session(${hash}, ${15 * 60_000}, ${30_000})`.execute(tx);
      return rows[0]?.settings ?? null;
    });
  }

  test('the database and the application agree on the principal of every kind of session', async () => {
    const citizen = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const staff = await k.db
      .selectFrom('staff_account as a')
      .innerJoin('membership as m', 'm.staff_id', 'a.id')
      .select(['a.id', 'm.organisation_id'])
      .where('a.email', '=', 'huisarts@delinde.example')
      .executeTakeFirstOrThrow();
    const operator = await k.db
      .selectFrom('staff_account')
      .select('id')
      .where('is_operator', '=', true)
      .executeTakeFirstOrThrow();
    const made = [
      await sessions.create({ kind: 'anonymous', state: { lang: 'en' } }),
      await sessions.create({ kind: 'citizen', citizenId: citizen, portalId }),
      // A citizen session without a portal is no citizen principal (principalOf): the database must agree.
      await sessions.create({ kind: 'citizen', citizenId: citizen }),
      await sessions.create({ kind: 'staff', staffId: staff.id, organisationId: staff.organisation_id }),
      await sessions.create({ kind: 'staff', staffId: operator.id }),
      // A staff session without an organisation of an employee who is no operator: anonymous.
      await sessions.create({ kind: 'staff', staffId: staff.id }),
    ];
    for (const { token } of made) {
      const expected = principalKey(principalOf(await sessions.load(token)));
      assert.equal(await databasePrincipal(token), expected);
    }
    const kinds = await Promise.all(made.map(async (m) => principalOf(await sessions.load(m.token)).kind));
    assert.deepEqual(kinds, ['anonymous', 'citizen', 'anonymous', 'staff', 'operator', 'anonymous']);

    // Ended, idle, or of a staff account whose sessions were revoked: anonymous in both, whatever the row says.
    const [, citizenSession, , staffSession] = made;
    assert.ok(citizenSession && staffSession);
    await k.db
      .updateTable('session')
      .set({ last_seen_at: new Date(Date.now() - 60 * 60_000) })
      .where('token_hash', '=', citizenSession.session.tokenHash)
      .execute();
    assert.equal(await databasePrincipal(citizenSession.token), principalKey({ kind: 'anonymous' }));
    await k.db
      .updateTable('staff_account')
      .set({ sessions_valid_after: new Date(Date.now() + 1000) })
      .where('id', '=', staff.id)
      .execute();
    assert.equal(await databasePrincipal(staffSession.token), principalKey({ kind: 'anonymous' }));
    assert.equal(await sessions.load(staffSession.token), null);
    assert.equal(await databasePrincipal('not-a-session-token-at-all-000000'), null);
  });

  test('the citizen home page is one transaction: the session read, the audit record and the page data', async () => {
    const citizen = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    const { token } = await sessions.create({ kind: 'citizen', citizenId: citizen, portalId });
    const c = new HttpClient(k.url);
    c.cookies.set(SESSION_COOKIE, token);
    assert.equal((await c.get('/home')).status, 200); // warm
    recorder.start();
    const page = await c.get('/home');
    const statements = recorder.stop();
    assert.equal(page.status, 200);
    const begins = statements.filter((s) => /^\s*begin\b/i.test(s));
    assert.equal(begins.length, 1, `one transaction, got:\n${statements.join('\n')}`);
    assert.match(statements[0] ?? '', /koepel_open_session/);
    assert.match(statements.find((s) => /audit_log/.test(s)) ?? '', /insert into audit_log/);
    assert.match(statements[statements.length - 1] ?? '', /^commit$/);
  });

  test('a form post reads its session in one round trip, then works in its own transaction', async () => {
    const { token, session } = await sessions.create({ kind: 'anonymous' });
    const c = new HttpClient(k.url);
    c.cookies.set(SESSION_COOKIE, token);
    recorder.start();
    const res = await c.post('/logout', { _csrf: session.csrfToken });
    const statements = recorder.stop();
    assert.ok(res.status < 500, `answered ${res.status}`);
    assert.match(statements[0] ?? '', /^begin;.*koepel_open_session.*; commit$/s);
  });

  test('a request that opens another transaction while its own is held neither waits for itself nor loses the visit', async () => {
    // GET /language (kernel-routes) updates the session through the session store: another transaction,
    // opened while the request holds the one its session was read in. On PGlite (one connection) a request that
    // did not let go of its own first would wait for itself for ever.
    const citizen = await citizenId(k.db, k.koepel.keys, DEMO.fatima);
    const { token, session } = await sessions.create({ kind: 'citizen', citizenId: citizen, portalId });
    const c = new HttpClient(k.url);
    c.cookies.set(SESSION_COOKIE, token);
    const old = new Date(Date.now() - 5 * 60_000);
    await k.db.updateTable('session').set({ last_seen_at: old }).where('token_hash', '=', session.tokenHash).execute();
    const res = await Promise.race([
      c.get('/language?lang=en&return=/home'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the request waited for itself')), 15_000)),
    ]);
    assert.equal(res.status, 303);
    const row = await k.db
      .selectFrom('session')
      .select(['last_seen_at', 'state'])
      .where('token_hash', '=', session.tokenHash)
      .executeTakeFirstOrThrow();
    assert.ok(row.last_seen_at.getTime() > old.getTime() + 60_000, 'the visit was noted and committed');
    assert.equal(row.state.lang, 'en');
  });
});
