import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { HttpClient } from '../../../test/support/http-client.js';
import { citizenId, DEMO } from '../../../test/support/principals.js';
import { SESSION_COOKIE } from '../../platform/session/sessions.js';
import { callbackUrlFor, choose, loginWithDigid, openSimulator } from './test-driver.js';

const NOT_LOGGED_IN = /Log eerst in/;

async function assertNoCitizenSession(k: TestKoepel, c: HttpClient): Promise<void> {
  const home = await c.get('/home');
  assert.equal(home.status, 401, 'the login-required page, not the home page');
  assert.match(home.text, NOT_LOGGED_IN);
}

function withCode(url: string, change: (u: URL) => void): string {
  const u = new URL(url);
  change(u);
  return u.toString();
}

describe('citizen login with DigiD', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  test("Koepel's public DigiD keys are published as a JWK Set for the bridge operator: public halves only", async () => {
    const res = await fetch(`${k.url}/login/digid/jwks`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/jwk-set\+json/);
    assert.equal(res.headers.get('set-cookie'), null, 'no session for a machine fetch');
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    assert.deepEqual(
      jwks.keys.map((key) => [key.kid, key.use, key.alg]),
      k.config.digid.keys.map((key) => [key.kid, key.use, key.alg]),
    );
    for (const key of jwks.keys) {
      assert.equal(key.kty, 'RSA');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[secret], undefined, secret);
    }
  });

  test('[MG-2] a level below Substantieel is refused', async () => {
    for (const [level, name] of [
      ['basis', 'Basis'],
      ['midden', 'Midden'],
    ] as const) {
      const c = new HttpClient(k.url);
      const res = await loginWithDigid(c, DEMO.suzanne, level);
      assert.equal(res.status, 403, level);
      assert.match(res.text, /Hoger DigiD-niveau nodig/);
      assert.match(res.text, new RegExp(`niveau ${name}\\.`));
      assert.match(res.text, /DigiD app met ID-check/);
      await assertNoCitizenSession(k, c);
    }
    const denied = await k.db
      .selectFrom('audit_log')
      .select(['reason', 'citizen_id'])
      .where('event_code', '=', 'citizen.login')
      .where('outcome', '=', 'denied')
      .where('reason', 'like', '%below-substantieel')
      .execute();
    assert.equal(denied.length, 2);
    assert.ok(
      denied.every((r) => r.citizen_id === null),
      'a refused level does not even look the citizen up',
    );
  });

  test('[MG-2] Substantieel and Hoog are accepted', async () => {
    for (const level of ['substantieel', 'hoog'] as const) {
      const c = new HttpClient(k.url);
      const res = await loginWithDigid(c, DEMO.suzanne, level);
      assert.equal(res.status, 303, level);
      assert.equal(res.location, '/home');
      const home = await c.get('/home');
      assert.equal(home.status, 200);
      assert.match(home.text, /Welkom, mevrouw De Vries/);
    }
  });

  test('session id is rotated at login; the cookie is one __Host- session cookie (HttpOnly, Secure, SameSite=Lax, no expiry)', async () => {
    const c = new HttpClient(k.url);
    const url = await callbackUrlFor(c, DEMO.suzanne);
    const before = c.cookies.get(SESSION_COOKIE);
    assert.ok(before, 'the login start gave an anonymous session');
    const res = await c.get(url);
    assert.equal(res.status, 303);
    const after = c.cookies.get(SESSION_COOKIE);
    assert.ok(after);
    assert.notEqual(after, before, 'a new session id at login');

    const set = res.headers.getSetCookie();
    assert.equal(set.length, 1, 'exactly one cookie');
    const cookie = set[0] ?? '';
    assert.ok(cookie.startsWith('__Host-'), cookie);
    const attrs = cookie.split(';').map((a) => a.trim().toLowerCase());
    assert.ok(attrs.includes('httponly'), cookie);
    assert.ok(attrs.includes('secure'), cookie);
    assert.ok(attrs.includes('samesite=lax'), cookie);
    assert.ok(attrs.includes('path=/'), cookie);
    assert.ok(!attrs.some((a) => a.startsWith('max-age') || a.startsWith('expires') || a.startsWith('domain')), cookie);

    // The anonymous session is over: its cookie gets nobody anywhere.
    const old = new HttpClient(k.url);
    old.cookies.set(SESSION_COOKIE, before);
    await assertNoCitizenSession(k, old);
  });

  test('a callback with a wrong state is refused and leaves no session', async () => {
    const c = new HttpClient(k.url);
    const url = await callbackUrlFor(c, DEMO.suzanne);
    const res = await c.get(withCode(url, (u) => u.searchParams.set('state', 'forged-state-value')));
    assert.equal(res.status, 400);
    assert.match(res.text, /Inloggen is niet gelukt/);
    assert.equal(c.cookies.has(SESSION_COOKIE), false, 'the session cookie is cleared');
    await assertNoCitizenSession(k, c);
    // The genuine response cannot be used afterwards either: the pending login is gone.
    assert.equal((await c.get(url)).status, 400);
    await assertNoCitizenSession(k, c);
  });

  test('a tampered code is refused and leaves no session', async () => {
    const c = new HttpClient(k.url);
    const url = await callbackUrlFor(c, DEMO.suzanne);
    const res = await c.get(withCode(url, (u) => u.searchParams.set('code', `${u.searchParams.get('code') ?? ''}x`)));
    assert.equal(res.status, 400);
    assert.match(res.text, /Inloggen is niet gelukt/);
    await assertNoCitizenSession(k, c);
  });

  test('a replayed callback (the same callback URL twice) is refused and leaves no session', async () => {
    const c = new HttpClient(k.url);
    const url = await callbackUrlFor(c, DEMO.suzanne);
    assert.equal((await c.get(url)).status, 303);
    assert.equal((await c.get('/home')).status, 200);
    const again = await c.get(url);
    assert.equal(again.status, 400);
    assert.match(again.text, /Inloggen is niet gelukt/);
    await assertNoCitizenSession(k, c);

    // Someone else replaying it, with a login of their own under way, gets nowhere either.
    const other = new HttpClient(k.url);
    const own = new URL(await callbackUrlFor(other, DEMO.pieter));
    const replay = await other.get(
      withCode(url, (u) => u.searchParams.set('state', own.searchParams.get('state') ?? '')),
    );
    assert.equal(replay.status, 400);
    await assertNoCitizenSession(k, other);
  });

  test("a code issued to another browser's login cannot be redeemed (PKCE verifier and nonce)", async () => {
    const victim = new HttpClient(k.url);
    const stolen = new URL(await callbackUrlFor(victim, DEMO.suzanne));
    const attacker = new HttpClient(k.url);
    const own = new URL(await callbackUrlFor(attacker, DEMO.pieter));
    // The attacker's own state (so the state check passes), the victim's code: neither the PKCE verifier nor the
    // nonce match (the simulator's tests check each on its own).
    own.searchParams.set('code', stolen.searchParams.get('code') ?? '');
    const res = await attacker.get(own.toString());
    assert.equal(res.status, 400);
    await assertNoCitizenSession(k, attacker);
  });

  test('a callback without a session is refused', async () => {
    const c = new HttpClient(k.url);
    const url = await callbackUrlFor(c, DEMO.suzanne);
    const stranger = new HttpClient(k.url);
    const res = await stranger.get(url);
    assert.equal(res.status, 400);
    assert.match(res.text, /Inloggen is niet gelukt/);
    assert.equal(stranger.cookies.size, 0, 'no session was created');
    await assertNoCitizenSession(k, stranger);
  });

  test('a login that took too long is refused', async () => {
    const c = new HttpClient(k.url);
    const url = await callbackUrlFor(c, DEMO.suzanne);
    await sql`update session set state = jsonb_set(state, '{digid,startedAt}', '0'::jsonb) where state ? 'digid'`.execute(
      k.db,
    );
    const res = await c.get(url);
    assert.equal(res.status, 400);
    await assertNoCitizenSession(k, c);
  });

  test('cancelling at DigiD shows a clear page and logs nobody in', async () => {
    const c = new HttpClient(k.url);
    const { form } = await openSimulator(c);
    const cancelled = await choose(c, form, { person: DEMO.suzanne, action: 'cancel' });
    assert.equal(cancelled.status, 303);
    assert.match(cancelled.location ?? '', /error=access_denied/);
    const res = await c.get(cancelled.location ?? '');
    assert.equal(res.status, 200);
    assert.match(res.text, /Inloggen afgebroken/);
    await assertNoCitizenSession(k, c);
  });

  test('no care relationship (Noor Visser): the clear page, no citizen session, audited as denied', async () => {
    const c = new HttpClient(k.url);
    const res = await loginWithDigid(c, DEMO.noor);
    assert.equal(res.status, 200);
    assert.match(res.text, /U heeft \(nog\) geen zorgrelatie met een zorgverlener in dit portaal/);
    assert.match(res.text, /Wat kunt u doen\?/);
    assert.doesNotMatch(res.text, /Uitloggen/, 'not shown as logged in');
    assert.match(res.text, /U bent niet ingelogd in .*, dus u hoeft niet uit te loggen/, 'says there is no logout');
    assert.doesNotMatch(res.text, /U bent met DigiD ingelogd/);
    await assertNoCitizenSession(k, c);
    const noor = await citizenId(k.db, k.koepel.keys, DEMO.noor);
    const rows = await k.db
      .selectFrom('audit_log')
      .select(['outcome', 'reason'])
      .where('event_code', '=', 'citizen.login')
      .where('citizen_id', '=', noor)
      .execute();
    assert.deepEqual(
      rows.map((r) => r.outcome),
      ['denied'],
    );
  });

  test('a valid BSN unknown to the portal gets the same page', async () => {
    const c = new HttpClient(k.url);
    const { form } = await openSimulator(c);
    const chosen = await choose(c, form, { bsn: '999990056' });
    assert.equal(chosen.status, 303);
    const res = await c.get(chosen.location ?? '');
    assert.equal(res.status, 200);
    assert.match(res.text, /U heeft \(nog\) geen zorgrelatie/);
    await assertNoCitizenSession(k, c);
  });

  test('an invalid BSN is refused at the simulator with a clear message', async () => {
    for (const bsn of ['123456789', '999999322', '12345', 'abcdefghi']) {
      const c = new HttpClient(k.url);
      const { form } = await openSimulator(c);
      const res = await choose(c, form, { bsn });
      assert.equal(res.status, 400, bsn);
      assert.equal(res.location, null, 'no redirect back to the portal');
      assert.match(res.text, /Dit is geen geldig BSN/);
      assert.match(res.text, /aria-invalid="true"/);
    }
  });

  test('a login refreshes the BRP snapshot and records the login time', async () => {
    const id = await citizenId(k.db, k.koepel.keys, DEMO.fatima);
    await k.db
      .updateTable('citizen')
      .set({ brp_fetched_at: new Date('2020-01-01T00:00:00Z'), last_login_at: null })
      .where('id', '=', id)
      .execute();
    const c = new HttpClient(k.url);
    assert.equal((await loginWithDigid(c, DEMO.fatima)).status, 303);
    const row = await k.db
      .selectFrom('citizen')
      .select(['brp_fetched_at', 'last_login_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.ok(row.brp_fetched_at.getTime() > Date.now() - 60_000, 'BRP data fetched at this login');
    assert.ok(row.last_login_at && row.last_login_at.getTime() > Date.now() - 60_000);
    const events = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'action', 'outcome', 'actor_type', 'actor_id'])
      .where('citizen_id', '=', id)
      // the demo's record data was written (and audited) by API clients
      .where('actor_type', 'in', ['citizen', 'system'])
      .orderBy('id')
      .execute();
    // The BRP snapshot is written by the login flow's own principal (PZ-2: the citizen cannot write BRP columns).
    assert.deepEqual(
      events.map((e) => [e.event_code, e.action, e.outcome, e.actor_type, e.actor_id]),
      [
        ['citizen.login', 'E', 'success', 'citizen', id],
        ['citizen.brp.refresh', 'U', 'success', 'system', null],
      ],
    );
  });
});
