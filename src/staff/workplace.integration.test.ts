// The staff workplace shell (issue 10): the menu by right, the open-request count, the staff footer, the dashboard,
// and a session that ends on a staff page going back to the staff login and from there back to that page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { csrfFrom, HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { DEMO_PASSWORD } from '../demo/seed.js';
import { freshCode, loginStaff } from './login.testkit.js';

const GP_ASSISTANT = 'assistent@delinde.example';
const GP_PRIVACY = 'privacy@delinde.example';
const PHARMACY_ADMIN = 'beheer@apotheekcentrum.example';
const PHARMACIST = 'apotheker@apotheekcentrum.example';
const PHYSIO = 'fysio@beweegwijs.example';

const menu = (html: string) => /<nav class="koepel-citizen-nav koepel-staff-nav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
const menuHrefs = (html: string) => [...menu(html).matchAll(/href="([^"]+)"/g)].map((m) => m[1]);

describe('staff workplace', () => {
  let k: TestKoepel;
  let gp: string;
  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
  });
  after(async () => {
    await k.close();
  });

  async function openRequests(n: number) {
    const people = [DEMO.suzanne, DEMO.pieter, DEMO.fatima].slice(0, n);
    for (const bsn of people)
      await k.db
        .insertInto('record_access_request')
        .values({
          organisation_id: gp,
          citizen_id: await citizenId(k.db, k.koepel.keys, bsn),
          categories: ['documents'],
        })
        .execute();
  }

  test('the menu shows what the employee’s rights allow; the staff footer, not the citizens’ helpdesk', async () => {
    const care = await loginStaff(k.url, GP_ASSISTANT);
    assert.deepEqual(menuHrefs(care.page.text), [
      '/staff/patients',
      '/staff/messages', // issue 13
      '/staff/agenda',
      '/staff/record-requests',
      '/staff/medication-orders', // issue 13: repeat medication
      '/staff/account',
    ]);
    assert.match(menu(care.page.text), /aria-label="Werkplek"/);
    assert.match(care.page.text, /Hulp bij de werkplek/);
    assert.doesNotMatch(care.page.text, /Technische ondersteuning/);
    assert.doesNotMatch(care.page.text, /support@gezondheidsportaal\.example/);

    const admin = await loginStaff(k.url, PHARMACY_ADMIN);
    // The pharmacy offers no appointments (MG-1): neither its admin nor its pharmacist sees the agenda links.
    assert.deepEqual(menuHrefs(admin.page.text), [
      '/staff/admin',
      '/staff/admin/deliveries', // issue 14: delivery to the organisation's own system
      '/staff/messages/settings',
      '/staff/account',
    ]);
    const pharmacist = await loginStaff(k.url, PHARMACIST);
    assert.deepEqual(menuHrefs(pharmacist.page.text), [
      '/staff/patients',
      '/staff/messages',
      '/staff/record-requests',
      '/staff/medication-orders',
      '/staff/account',
    ]);
    const privacy = await loginStaff(k.url, GP_PRIVACY);
    assert.deepEqual(menuHrefs(privacy.page.text), ['/staff/audit', '/staff/account']);
    // Every menu page answers (Auditlog comes with the audit capability) and marks itself as the current page.
    for (const href of ['/staff/patients', '/staff/agenda', '/staff/record-requests', '/staff/account']) {
      const page = await care.client.get(href);
      assert.equal(page.status, 200, href);
      assert.match(menu(page.text), new RegExp(`href="${href}"[^>]*aria-current="page"`), href);
    }
    assert.equal((await admin.client.get('/staff/admin')).status, 200);
    // Not on citizens' pages and not for visitors.
    assert.equal(menu((await new HttpClient(k.url).get('/')).text), '');
  });

  test('"Verzoeken" carries the number of open requests, with text for screen readers; the dashboard says what waits', async () => {
    const { client, page } = await loginStaff(k.url, GP_ASSISTANT);
    assert.match(menu(page.text), /Verzoeken, geen open/);
    await openRequests(3);
    const home = await client.get('/staff');
    assert.match(menu(home.text), /<span class="koepel-badge" aria-hidden="true">3<\/span>/);
    assert.match(menu(home.text), /<span class="koepel-visually-hidden">Verzoeken, 3 open<\/span>/);
    assert.match(home.text, /Wat op u wacht/);
    assert.match(home.text, /<a class="utrecht-link" href="\/staff\/record-requests">Verzoeken<\/a>/);
    // Another organisation's employee with the same right counts their own organisation's requests only.
    const pharmacist = await loginStaff(k.url, PHARMACIST);
    assert.match(menu(pharmacist.page.text), /Verzoeken, geen open/);
    // A handled request no longer counts.
    await k.db
      .updateTable('record_access_request')
      .set({ status: 'declined', handled_at: new Date() })
      .where('organisation_id', '=', gp)
      .where('citizen_id', '=', await citizenId(k.db, k.koepel.keys, DEMO.suzanne))
      .execute();
    assert.match(menu((await client.get('/staff/account')).text), /Verzoeken, 2 open/);
    // Counting reads no citizen: it writes no audit record about anyone.
    const before = await k.db.selectFrom('audit_log').select('id').where('citizen_id', 'is not', null).execute();
    await client.get('/staff/account');
    const afterCount = await k.db.selectFrom('audit_log').select('id').where('citizen_id', 'is not', null).execute();
    assert.equal(afterCount.length, before.length);
    // Without record:requests: no link, no count.
    const privacy = await loginStaff(k.url, GP_PRIVACY);
    assert.doesNotMatch(privacy.page.text, /Verzoeken/);
  });

  test('an ended staff session goes to the staff login and back to the page the employee was on', async () => {
    const { client } = await loginStaff(k.url, GP_ASSISTANT);
    assert.equal((await client.get('/staff/record-requests')).status, 200);
    // Idle longer than allowed.
    await k.db
      .updateTable('session')
      .set({ last_seen_at: new Date(Date.now() - 60 * 60_000) })
      .where('ended_at', 'is', null)
      .execute();
    const expired = await client.get('/staff/record-requests');
    assert.equal(expired.status, 303);
    assert.equal(expired.location, '/staff/login?return=%2Fstaff%2Frecord-requests');
    const form = await client.get(expired.location);
    assert.equal(form.status, 200);
    assert.match(form.text, /Log opnieuw in; daarna komt u terug op de pagina waar u was/);
    // Password, then the TOTP code; the last step lands on the page of before.
    const pw = await client.post('/staff/login', {
      _csrf: csrfFrom(form.text),
      email: GP_ASSISTANT,
      password: DEMO_PASSWORD,
    });
    assert.equal(pw.location, '/staff/login/totp');
    const totpForm = await client.get('/staff/login/totp');
    const done = await client.post('/staff/login/totp', {
      _csrf: csrfFrom(totpForm.text),
      code: await freshCode(k.url, GP_ASSISTANT),
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/staff/record-requests');
    assert.equal((await client.get('/staff/record-requests')).status, 200);

    // A form sent after the session timed out says so and offers to log in again (no "forged form" page; issue 17).
    const csrf = csrfFrom((await client.get('/staff/record-requests')).text);
    await k.db
      .updateTable('session')
      .set({ last_seen_at: new Date(Date.now() - 60 * 60_000) })
      .where('ended_at', 'is', null)
      .execute();
    const post = await client.post('/staff/patients/search', { _csrf: csrf, name: 'x' });
    assert.equal(post.status, 401);
    assert.match(post.text, /Uw sessie is verlopen/);
    assert.match(post.text, /href="\/staff\/login"/);
    // One ended otherwise (logged out elsewhere, account changed): to the staff login, as before.
    const again = await loginStaff(k.url, GP_ASSISTANT);
    const csrf2 = csrfFrom((await again.client.get('/staff')).text);
    await k.db.updateTable('session').set({ ended_at: new Date() }).where('ended_at', 'is', null).execute();
    const ended = await again.client.post('/staff/patients/search', { _csrf: csrf2, name: 'x' });
    assert.equal(ended.status, 303);
    assert.equal(ended.location, '/staff/login');
    // Without any session: a staff page also goes to the login, with the return.
    const fresh = await new HttpClient(k.url).get('/staff/admin/employees');
    assert.equal(fresh.location, '/staff/login?return=%2Fstaff%2Fadmin%2Femployees');
  });

  test('the return is a local staff path only: anything else is ignored (no open redirect)', async () => {
    // The physiotherapist's practice does not require TOTP: the password finishes the login.
    for (const bad of ['https://evil.example/', '//evil.example/staff', '/staff/../home', '/home', '/staff/login']) {
      const client = new HttpClient(k.url);
      const form = await client.get(`/staff/login?return=${encodeURIComponent(bad)}`);
      assert.equal(form.status, 200);
      assert.doesNotMatch(form.text, /Log opnieuw in; daarna/, bad);
      const done = await client.post('/staff/login', {
        _csrf: csrfFrom(form.text),
        email: PHYSIO,
        password: DEMO_PASSWORD,
      });
      assert.equal(done.location, '/staff', bad);
    }
    const client = new HttpClient(k.url);
    const form = await client.get('/staff/login?return=%2Fstaff%2Faccount');
    const done = await client.post('/staff/login', {
      _csrf: csrfFrom(form.text),
      email: PHYSIO,
      password: DEMO_PASSWORD,
    });
    assert.equal(done.location, '/staff/account');
  });
});
