import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { csrfFrom, HttpClient } from '../../test/support/http-client.js';
import { DEMO } from '../../test/support/principals.js';
import { SESSION_COOKIE } from '../platform/session/sessions.js';
import { loginWithDigid } from './digid/test-driver.js';

describe('logout', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  test('a citizen logs out: session ended server-side, cookie cleared, the old cookie no longer works', async () => {
    const c = new HttpClient(k.url);
    assert.equal((await loginWithDigid(c, DEMO.suzanne)).status, 303);
    const home = await c.get('/home');
    assert.equal(home.status, 200);
    const oldCookie = c.cookies.get(SESSION_COOKIE) ?? '';
    const res = await c.post('/logout', { _csrf: csrfFrom(home.text) });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/');
    assert.match(res.headers.getSetCookie().join('\n'), /__Host-koepel-session=;.*Expires=Thu, 01 Jan 1970/);
    assert.equal(c.cookies.has(SESSION_COOKIE), false);

    const replay = new HttpClient(k.url);
    replay.cookies.set(SESSION_COOKIE, oldCookie);
    const after = await replay.get('/home');
    assert.equal(after.status, 401);
    assert.match(after.text, /Log eerst in/);

    const audit = await k.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'citizen_id'])
      .where('event_code', '=', 'citizen.logout')
      .execute();
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0], { action: 'E', actor_type: 'citizen', citizen_id: null });
  });

  test('logout needs the CSRF token of a live session', async () => {
    const c = new HttpClient(k.url);
    await loginWithDigid(c, DEMO.pieter);
    const res = await c.post('/logout', { _csrf: 'forged' });
    assert.equal(res.status, 403);
    assert.equal((await c.get('/home')).status, 200, 'still logged in');
    const none = await c.post('/logout', {});
    assert.equal(none.status, 403);
    assert.equal((await c.get('/home')).status, 200, 'still logged in');
  });

  test('without a live session there is nothing to log out: a form after the session ended asks to log in again', async () => {
    const c = new HttpClient(k.url);
    c.cookies.set(SESSION_COOKIE, 'x'.repeat(43));
    const res = await c.post('/logout', { _csrf: 'x'.repeat(32) });
    assert.equal(res.status, 401);
    assert.match(res.text, /Log eerst in/);
    const forged = await new HttpClient(k.url).post('/logout', { _csrf: 'x'.repeat(32) });
    assert.equal(forged.status, 403, 'without any session cookie: a form without a valid token');
  });

  test('an anonymous session can be ended too (no audit record: nobody was logged in)', async () => {
    const c = new HttpClient(k.url);
    const page = await c.get('/login/digid');
    assert.equal(page.status, 303);
    const token = c.cookies.get(SESSION_COOKIE) ?? '';
    const session = await k.koepel.app.koepel.sessions.load(token);
    assert.ok(session);
    const before = await k.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await c.post('/logout', { _csrf: session.csrfToken });
    assert.equal(res.status, 303);
    assert.equal(await k.koepel.app.koepel.sessions.load(token), null);
    const after = await k.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(after.n, before.n);
  });

  test('a staff member logs out the same way', async () => {
    const staff = await k.db
      .selectFrom('staff_account as a')
      .innerJoin('membership as m', 'm.staff_id', 'a.id')
      .select(['a.id', 'm.organisation_id'])
      .where('a.email', '=', 'huisarts@delinde.example')
      .executeTakeFirstOrThrow();
    const { token, session } = await k.koepel.app.koepel.sessions.create({
      kind: 'staff',
      staffId: staff.id,
      organisationId: staff.organisation_id,
    });
    const c = new HttpClient(k.url);
    c.cookies.set(SESSION_COOKIE, token);
    const res = await c.post('/logout', { _csrf: session.csrfToken });
    assert.equal(res.status, 303);
    assert.equal(await k.koepel.app.koepel.sessions.load(token), null, 'the session is over');
    const audit = await k.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'actor_id', 'actor_organisation_id', 'citizen_id'])
      .where('event_code', '=', 'staff.logout')
      .execute();
    assert.deepEqual(audit, [
      {
        action: 'E',
        actor_type: 'staff',
        actor_id: staff.id,
        actor_organisation_id: staff.organisation_id,
        citizen_id: null,
      },
    ]);
  });
});
