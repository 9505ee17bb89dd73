// The session timeout made adjustable (issue 17, WCAG 2.2.1) over HTTP against a real Koepel: a logged-in page carries
// the warning's dialog and its limits; asking how long is left never keeps a session alive; "stay logged in" starts
// the idle limit again but never moves the absolute one; after the end, pages and forms say so and offer to log in
// again, back to the same page, and nothing sent after the end is stored. (The dialog itself:
// test/e2e/session-timeout.integration.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { csrfFrom, HttpClient } from '../support/http-client.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';
import { choose, hiddenFields, loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { loginReturnPath } from '../../src/identity/digid/routes.js';
import { loginStaff } from '../../src/staff/login.testkit.js';
import { SESSION_COOKIE } from '../../src/platform/session/sessions.js';
import { createHash } from 'node:crypto';

const attr = (html: string, name: string): string | undefined => new RegExp(`${name}="([^"]*)"`).exec(html)?.[1];

describe('the session timeout, adjustable (issue 17, WCAG 2.2.1)', () => {
  let k: TestKoepel;
  let gp: string;

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
  });
  after(async () => {
    await k.close();
  });

  async function citizen(bsn: string = DEMO.suzanne): Promise<HttpClient> {
    const c = new HttpClient(k.url);
    assert.equal((await loginWithDigid(c, bsn)).status, 303);
    return c;
  }
  const hashOf = (c: HttpClient) =>
    createHash('sha256')
      .update(c.cookies.get(SESSION_COOKIE) ?? '', 'utf8')
      .digest();
  const row = (c: HttpClient) =>
    k.db
      .selectFrom('session')
      .select(['last_seen_at', 'absolute_expires_at', 'ended_at'])
      .where('token_hash', '=', hashOf(c))
      .executeTakeFirstOrThrow();
  const age = (c: HttpClient, ms: number) =>
    k.db
      .updateTable('session')
      .set({ last_seen_at: new Date(Date.now() - ms) })
      .where('token_hash', '=', hashOf(c))
      .execute();

  test('a logged-in page carries the dialog, its limits and the draft key; a visitor’s page only the script', async () => {
    const c = await citizen();
    const page = await c.get('/home');
    assert.equal(page.status, 200);
    assert.match(page.text, /<script src="\/assets\/session-timeout.js" defer><\/script>/);
    assert.match(page.text, /<dialog id="koepel-session-dialog"/);
    const idle = Number(attr(page.text, 'data-idle-remaining-ms'));
    assert.ok(idle > 14 * 60_000 && idle <= 15 * 60_000, String(idle));
    assert.equal(attr(page.text, 'data-warn-ms'), '120000');
    assert.ok(Number(attr(page.text, 'data-absolute-remaining-ms')) > 7 * 3_600_000);
    assert.equal(attr(page.text, 'data-login-path'), '/login/digid');
    const key = attr(page.text, 'data-draft-key') ?? '';
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    // The same person in a new session gets the same key (a draft survives the new login); another person not.
    const again = await (await citizen()).get('/home');
    assert.equal(attr(again.text, 'data-draft-key'), key);
    const other = await (await citizen(DEMO.pieter)).get('/home');
    assert.notEqual(attr(other.text, 'data-draft-key'), key);
    assert.ok(attr(other.text, 'data-draft-key'));

    const visitor = await new HttpClient(k.url).get('/');
    assert.match(visitor.text, /session-timeout.js/);
    assert.doesNotMatch(visitor.text, /koepel-session-dialog|data-draft-key/);
    const script = await new HttpClient(k.url).get('/assets/session-timeout.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
  });

  test('asking how long is left is not a visit: it never keeps a session alive', async () => {
    const c = await citizen();
    await age(c, 5 * 60_000);
    const before = (await row(c)).last_seen_at.getTime();
    const r = await c.get('/session/status');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const s = JSON.parse(r.text) as { active: boolean; idleRemainingMs: number; warnMs: number };
    assert.equal(s.active, true);
    assert.ok(s.idleRemainingMs > 9 * 60_000 && s.idleRemainingMs <= 10 * 60_000, String(s.idleRemainingMs));
    assert.equal((await row(c)).last_seen_at.getTime(), before);
    // An ordinary page is a visit.
    await c.get('/home');
    assert.ok((await row(c)).last_seen_at.getTime() > before + 4 * 60_000);
    // Nobody logged in: not active, and nothing about anyone.
    const anon = await new HttpClient(k.url).get('/session/status');
    assert.deepEqual(JSON.parse(anon.text), { active: false });
  });

  test('"Blijf ingelogd" starts the idle limit again, never the absolute one; only with the session’s CSRF token', async () => {
    const c = await citizen();
    const csrf = csrfFrom((await c.get('/home')).text);
    // A forged request (another token) is refused. (Any request with the cookie is a visit, as every page is.)
    const forged = await c.post('/session/extend', { _csrf: 'x'.repeat(32) });
    assert.equal(forged.status, 403);
    await age(c, 14 * 60_000);
    const absolute = (await row(c)).absolute_expires_at.getTime();

    const r = await c.request('POST', '/session/extend', undefined, { 'x-csrf-token': csrf });
    assert.equal(r.status, 200);
    const s = JSON.parse(r.text) as { active: boolean; idleRemainingMs: number; absoluteRemainingMs: number };
    assert.equal(s.active, true);
    assert.ok(s.idleRemainingMs > 14 * 60_000, String(s.idleRemainingMs));
    const after = await row(c);
    assert.ok(Date.now() - after.last_seen_at.getTime() < 10_000);
    assert.equal(after.absolute_expires_at.getTime(), absolute);

    // Without script: the form, back to its page (a local path only).
    const form = await c.post('/session/extend', { _csrf: csrf, return: '/dossier' });
    assert.equal(form.status, 303);
    assert.equal(form.location, '/dossier');
    for (const bad of ['//evil.example/x', 'https://evil.example/', '/a/../b', '/x?y=1']) {
      const r2 = await c.post('/session/extend', { _csrf: csrf, return: bad });
      assert.equal(r2.location, '/home', bad);
    }

    // Near the absolute limit the status says so; extending does not move it.
    await k.db
      .updateTable('session')
      .set({ absolute_expires_at: new Date(Date.now() + 60_000) })
      .where('token_hash', '=', hashOf(c))
      .execute();
    const near = JSON.parse((await c.request('POST', '/session/extend', undefined, { 'x-csrf-token': csrf })).text) as {
      absoluteRemainingMs: number;
      idleRemainingMs: number;
    };
    assert.ok(near.absoluteRemainingMs <= 60_000 && near.absoluteRemainingMs > 50_000);
    assert.ok(near.idleRemainingMs > near.absoluteRemainingMs);
  });

  test('after the end: a form says the session ended, stores nothing, and the login returns to the page', async () => {
    const c = await citizen();
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const csrf = csrfFrom((await c.get('/home')).text);
    const requestsBefore = await k.db
      .selectFrom('record_access_request')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('citizen_id', '=', suzanne)
      .executeTakeFirstOrThrow();
    await age(c, 16 * 60_000);
    const hash = hashOf(c);

    const status = await c.get('/session/status');
    assert.deepEqual(JSON.parse(status.text), { active: false });
    // The form sent after the end (its CSRF token of the ended session).
    const sent = await c.post('/record-requests', {
      _csrf: csrf,
      organisation: gp,
      categories: 'documents',
      note: 'Ik wil de verwijsbrief nalezen.',
    });
    assert.equal(sent.status, 401);
    assert.match(sent.text, /<title>Uw sessie is verlopen · /);
    assert.match(sent.text, /Wat u net verstuurde, is niet opgeslagen/);
    assert.match(sent.text, /<body[^>]* data-session-ended="true"/);
    assert.match(sent.text, /id="koepel-login-again"[^>]*>Opnieuw inloggen</);
    assert.match(sent.text, /href="\/login\/digid"/);
    assert.doesNotMatch(sent.text, /verwijsbrief/);
    assert.doesNotMatch(sent.text, /Formulier verlopen/);
    const requestsAfter = await k.db
      .selectFrom('record_access_request')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('citizen_id', '=', suzanne)
      .executeTakeFirstOrThrow();
    assert.equal(requestsAfter.n, requestsBefore.n);
    assert.ok(
      (await k.db.selectFrom('session').select('ended_at').where('token_hash', '=', hash).executeTakeFirst())?.ended_at,
    );

    // A page asked for after the end: the same, and the login comes back to it.
    const c2 = await citizen();
    await age(c2, 16 * 60_000);
    const page = await c2.get('/dossier');
    assert.equal(page.status, 401);
    assert.match(page.text, /Uw sessie is verlopen/);
    assert.match(page.text, /href="\/login\/digid\?return=%2Fdossier"/);
    assert.doesNotMatch(page.text, /niet opgeslagen/);

    // Logging in again from there lands on the page of before.
    const start = await c2.get('/login/digid?return=%2Fdossier');
    assert.equal(start.status, 303);
    assert.ok(start.location);
    const simulator = await c2.get(start.location);
    const chosen = await choose(c2, hiddenFields(simulator.text), { person: DEMO.suzanne });
    assert.equal(chosen.status, 303);
    assert.ok(chosen.location);
    const back = await c2.get(chosen.location.replace(k.url, ''));
    assert.equal(back.status, 303);
    assert.equal(back.location, '/dossier');
    assert.equal((await c2.get('/dossier')).status, 200);
  });

  test('a staff form after the end says so and offers the staff login; a staff page goes to the login with its return', async () => {
    const { client } = await loginStaff(k.url, 'assistent@delinde.example');
    const csrf = csrfFrom((await client.get('/staff')).text);
    const staffPage = await client.get('/staff');
    assert.equal(attr(staffPage.text, 'data-login-path'), '/staff/login');
    await age(client, 16 * 60_000);
    const sent = await client.post('/staff/patients/search', { _csrf: csrf, name: 'Vries' });
    assert.equal(sent.status, 401);
    assert.match(sent.text, /Uw sessie is verlopen/);
    assert.match(sent.text, /href="\/staff\/login"/);
  });

  test('the login returns only to a local citizen page (no open redirect)', () => {
    assert.equal(loginReturnPath('/dossier'), '/dossier');
    assert.equal(
      loginReturnPath('/record-requests/new/0b8f2f4e-5a4e-4a53-9d5f-111111111111'),
      '/record-requests/new/0b8f2f4e-5a4e-4a53-9d5f-111111111111',
    );
    assert.equal(loginReturnPath('/oauth/authorize?client_id=a&state=b'), '/oauth/authorize?client_id=a&state=b');
    for (const bad of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      '/a/../staff',
      '/staff',
      '/staff/patients',
      '/operator/jobs',
      '/login/digid',
      '/logout',
      '/session/extend',
      '/',
      '/dossier?x=1',
      '/dossier#x',
      42,
      undefined,
    ])
      assert.equal(loginReturnPath(bad), null, String(bad));
  });
});
