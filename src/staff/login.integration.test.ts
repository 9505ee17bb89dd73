// Staff login against a real Koepel (PGlite, or PostgreSQL with KOEPEL_TEST_DATABASE_URL): identical answers,
// throttling and alerts (PR-7), two-step verification (ZL-3), session rotation and ending.
// Each test logs in from its own client address (X-Forwarded-For, with the proxy trusted) so that the per-address
// throttle of one test does not spill into the next.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient, csrfFrom } from '../../test/support/http-client.js';
import { DEMO_PASSWORD } from '../demo/seed.js';
import { SESSION_COOKIE } from '../platform/session/sessions.js';
import { codeAt } from './totp.js';
import { enrolOn, freshCode, loginStaff } from './login.testkit.js';

const GP_DOCTOR = 'huisarts@delinde.example';
const GP_ASSISTANT = 'assistent@delinde.example';
const GP_PRIVACY = 'privacy@delinde.example';
const PHARMACIST = 'apotheker@apotheekcentrum.example';
const PHARMACY_ADMIN = 'beheer@apotheekcentrum.example';
const PHYSIO = 'fysio@beweegwijs.example';
const HOSPITAL = 'arts@rivierenland.example';
const TEAM = 'wijkteam@buurtteam.example';
const OPERATOR = 'servicedesk@koepel.example';

let addressCounter = 0;
/** A client address of its own (TEST-NET-2), sent as X-Forwarded-For. */
function newAddress(): { ip: string; headers: Record<string, string> } {
  addressCounter += 1;
  const ip = `198.51.100.${addressCounter}`;
  return { ip, headers: { 'x-forwarded-for': ip } };
}

const stripCsrf = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');

describe('staff login', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel({ KOEPEL_TRUST_PROXY: 'true', KOEPEL_LOGIN_MAX_FAILURES: '5' });
  });
  after(async () => {
    await k.close();
  });

  async function attempt(client: HttpClient, email: string, password: string, headers: Record<string, string>) {
    const form = await client.get('/staff/login', headers);
    return client.post('/staff/login', { _csrf: csrfFrom(form.text), email, password }, headers);
  }

  const staffId = async (email: string) =>
    (await k.db.selectFrom('staff_account').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  test('the login form is accessible markup: labels, autocomplete, CSRF', async () => {
    const c = new HttpClient(k.url);
    const res = await c.get('/staff/login');
    assert.equal(res.status, 200);
    assert.match(res.text, /<label class="utrecht-form-label" for="email">E-mailadres<\/label>/);
    assert.match(res.text, /id="email"[^>]*type="email"[^>]*autocomplete="username"/);
    assert.match(res.text, /id="password"[^>]*type="password"[^>]*autocomplete="current-password"/);
    assert.ok(csrfFrom(res.text));
    assert.ok(c.cookies.has(SESSION_COOKIE));
  });

  test('wrong password and unknown account give the same answer', async () => {
    const { headers } = newAddress();
    const a = await attempt(new HttpClient(k.url), PHARMACIST, 'not-the-password', headers);
    const b = await attempt(new HttpClient(k.url), 'nobody-here@apotheekcentrum.example', 'not-the-password', headers);
    const d = await attempt(new HttpClient(k.url), 'nobody-else@example.org', DEMO_PASSWORD, headers);
    assert.equal(a.status, 401);
    assert.equal(b.status, a.status);
    assert.equal(d.status, a.status);
    assert.equal(stripCsrf(b.text), stripCsrf(a.text));
    assert.equal(stripCsrf(d.text), stripCsrf(a.text));
    assert.match(a.text, /Het e-mailadres of het wachtwoord is niet juist/);
    // Neither answer repeats the address typed (which would differ and reveal nothing useful anyway).
    assert.doesNotMatch(a.text, /apotheker@apotheekcentrum/);
    assert.deepEqual(a.headers.getSetCookie(), b.headers.getSetCookie());
  });

  test('bad input gets a clear 400 page, never a 500', async () => {
    const { ip, headers } = newAddress();
    const c = new HttpClient(k.url);
    const form = await c.get('/staff/login', headers);
    const csrf = csrfFrom(form.text);
    const empty = await c.post('/staff/login', { _csrf: csrf, email: '', password: '' }, headers);
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Er is een probleem/);
    assert.match(empty.text, /href="#email"[^>]*>Vul uw e-mailadres in/);
    assert.match(empty.text, /href="#password"[^>]*>Vul uw wachtwoord in/);
    assert.match(empty.text, /aria-invalid="true"/);
    const notEmail = await c.post('/staff/login', { _csrf: csrf, email: 'geen-adres', password: 'x' }, headers);
    assert.equal(notEmail.status, 400);
    const twice = await c.request('POST', '/staff/login', `_csrf=${csrf}&email=a%40b.nl&email=c%40d.nl&password=x`, {
      ...headers,
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(twice.status, 400);
    const long = await c.post(
      '/staff/login',
      { _csrf: csrf, email: `${'a'.repeat(400)}@b.nl`, password: 'x' },
      headers,
    );
    assert.equal(long.status, 400);
    const noCsrf = await new HttpClient(k.url).post(
      '/staff/login',
      { email: PHARMACIST, password: DEMO_PASSWORD },
      headers,
    );
    assert.equal(noCsrf.status, 403);
    // None of this counted as a guess.
    const key = `address:${k.koepel.keys.blindIndex('throttle-address', ip).toString('hex')}`;
    const rows = await k.db.selectFrom('login_throttle').selectAll().where('key', '=', key).execute();
    assert.equal(rows.length, 0);
  });

  test('[PR-7] the Nth failure throttles and alerts the operator', async () => {
    const { ip, headers } = newAddress();
    const c = new HttpClient(k.url);
    for (let i = 1; i <= 4; i++) {
      const r = await attempt(c, PHARMACY_ADMIN, `wrong-${i}`, headers);
      assert.equal(r.status, 401, `failure ${i} is an ordinary failure`);
    }
    const fifth = await attempt(c, PHARMACY_ADMIN, 'wrong-5', headers);
    assert.equal(fifth.status, 429);
    assert.match(fifth.text, /Te veel pogingen/);
    assert.ok(Number(fifth.headers.get('retry-after')) > 0);

    // The block holds before any hashing: the right password is refused too, from any address.
    const right = await attempt(c, PHARMACY_ADMIN, DEMO_PASSWORD, headers);
    assert.equal(right.status, 429);
    const elsewhere = await attempt(new HttpClient(k.url), PHARMACY_ADMIN, DEMO_PASSWORD, newAddress().headers);
    assert.equal(elsewhere.status, 429);
    // An unknown account blocked the same way answers the same way.
    const { headers: h2 } = newAddress();
    for (let i = 1; i <= 5; i++)
      await attempt(new HttpClient(k.url), 'ghost@apotheekcentrum.example', `wrong-${i}`, h2);
    const ghost = await attempt(new HttpClient(k.url), 'ghost@apotheekcentrum.example', DEMO_PASSWORD, h2);
    assert.equal(ghost.status, 429);
    assert.equal(stripCsrf(ghost.text).replace(/\d+/g, ''), stripCsrf(right.text).replace(/\d+/g, ''));

    const subject = `account:${k.koepel.keys.blindIndex('throttle-account', PHARMACY_ADMIN).toString('hex')}`;
    const alerts = await k.db.selectFrom('security_alert').selectAll().where('subject', '=', subject).execute();
    assert.equal(alerts.length, 1, 'one alert per block');
    assert.equal(alerts[0]?.kind, 'password-guessing');

    // Nothing in the clear: no e-mail address, no IP address, in the throttle table, the alerts or the failure audit.
    const throttle = await k.db.selectFrom('login_throttle').selectAll().execute();
    const allAlerts = await k.db.selectFrom('security_alert').selectAll().execute();
    const blob = JSON.stringify([throttle, allAlerts]);
    for (const secret of [PHARMACY_ADMIN, 'apotheekcentrum', 'ghost', ip, '198.51.100'])
      assert.ok(!blob.includes(secret), secret);
    assert.ok(throttle.every((r) => /^(account|address):[0-9a-f]{64}$/.test(r.key)));
    const failures = await k.db
      .selectFrom('audit_log')
      .selectAll()
      .where('event_code', '=', 'staff.login')
      .where('outcome', '=', 'failure')
      .execute();
    assert.ok(failures.length >= 7);
    assert.ok(failures.every((f) => f.actor_id === null && f.actor_type === 'system' && f.citizen_id === null));
    assert.ok(!JSON.stringify(failures).includes('@'));
    assert.ok(failures.some((f) => f.reason === 'throttled'));

    // The operator sees the alert.
    const op = await loginStaff(k.url, OPERATOR, { headers: newAddress().headers });
    assert.equal(op.page.status, 200);
    assert.match(op.page.text, /Beveiligingsmeldingen/);
    assert.ok(op.page.text.includes(subject.slice('account:'.length, 'account:'.length + 16)));
    assert.match(op.page.text, /Mogelijk raden van wachtwoorden/);
    assert.match(op.page.text, /5 mislukte inlogpogingen op dit account binnen 15 minuten/);
  });

  test('[PR-7] failures per address across different accounts throttle that address and alert', async () => {
    const { ip, headers } = newAddress();
    const limit = 5 * 4;
    let last = 0;
    for (let i = 1; i <= limit; i++) {
      const r = await attempt(new HttpClient(k.url), `guess-${i}@delinde.example`, 'Welkom01!', headers);
      last = r.status;
      if (i < limit) assert.equal(r.status, 401, `failure ${i}`);
    }
    assert.equal(last, 429);
    // A real account with its right password is refused from that address, but works from another one.
    const refused = await attempt(new HttpClient(k.url), TEAM, DEMO_PASSWORD, headers);
    assert.equal(refused.status, 429);
    const ok = await loginStaff(k.url, TEAM, { headers: newAddress().headers });
    assert.equal(ok.page.status, 200);

    const subject = `address:${k.koepel.keys.blindIndex('throttle-address', ip).toString('hex')}`;
    const alert = await k.db.selectFrom('security_alert').selectAll().where('subject', '=', subject).executeTakeFirst();
    assert.ok(alert, 'an alert for the address');
    assert.ok(!alert.detail.includes(ip));
  });

  test('[PR-7] a block ends after its period; counters that say nothing any more are removed', async () => {
    const { headers } = newAddress();
    const key = `account:${k.koepel.keys.blindIndex('throttle-account', TEAM).toString('hex')}`;
    const stale = `account:${'0'.repeat(64)}`;
    const old = new Date(Date.now() - 60 * 60_000);
    await k.db.deleteFrom('login_throttle').where('key', '=', key).execute();
    await k.db
      .insertInto('login_throttle')
      .values([
        { key, failures: 5, window_started_at: old, blocked_until: new Date(Date.now() + 60_000) },
        { key: stale, failures: 2, window_started_at: old, blocked_until: null },
      ])
      .execute();
    assert.equal((await attempt(new HttpClient(k.url), TEAM, DEMO_PASSWORD, headers)).status, 429);
    // The block runs out: the right password works again, and the count starts afresh.
    await k.db
      .updateTable('login_throttle')
      .set({ blocked_until: new Date(Date.now() - 1000) })
      .where('key', '=', key)
      .execute();
    const wrong = await attempt(new HttpClient(k.url), TEAM, 'wrong', headers);
    assert.equal(wrong.status, 401);
    const row = await k.db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
    assert.equal(row.failures, 1);
    assert.equal(row.blocked_until, null);
    assert.equal(
      await k.db.selectFrom('login_throttle').select('key').where('key', '=', stale).executeTakeFirst(),
      undefined,
    );
    const { page } = await loginStaff(k.url, TEAM, { headers });
    assert.equal(page.status, 200);
    // A full login clears the account's count.
    assert.equal(
      await k.db.selectFrom('login_throttle').select('key').where('key', '=', key).executeTakeFirst(),
      undefined,
    );
  });

  test('[ZL-3] TOTP is mandatory where the organisation requires it', async () => {
    const { headers } = newAddress();
    const id = await staffId(GP_DOCTOR);
    const c = new HttpClient(k.url);
    const r = await attempt(c, GP_DOCTOR, DEMO_PASSWORD, headers);
    assert.equal(r.status, 303);
    assert.equal(r.location, '/staff/totp/enrol');
    // The password alone gives no staff session.
    assert.equal((await c.get('/staff')).location, '/staff/login?return=%2Fstaff');
    assert.equal((await c.get('/operator/alerts')).status, 401);
    const staffSessions = await k.db.selectFrom('session').select('kind').where('staff_id', '=', id).execute();
    assert.equal(staffSessions.length, 0);

    const page = await c.get('/staff/totp/enrol');
    assert.equal(page.status, 200);
    assert.match(page.text, /<img class="koepel-qr" src="data:image\/png;base64,[A-Za-z0-9+/=]+" alt="[^"]+"/);
    assert.match(page.text, /id="totp-secret"[^>]*>[A-Z2-7]{4}( [A-Z2-7]{1,4})+</);
    // A reload shows the same key (the app may have scanned it already).
    const again = await c.get('/staff/totp/enrol');
    assert.equal(
      /id="totp-secret"[^>]*>([^<]+)</.exec(again.text)?.[1],
      /id="totp-secret"[^>]*>([^<]+)</.exec(page.text)?.[1],
    );

    const wrong = await c.post('/staff/totp/enrol', { _csrf: csrfFrom(page.text), code: '000000' }, headers);
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /De code is niet juist/);
    assert.equal((await c.get('/staff')).location, '/staff/login?return=%2Fstaff');
    const badFormat = await c.post('/staff/totp/enrol', { _csrf: csrfFrom(page.text), code: 'abc' }, headers);
    assert.equal(badFormat.status, 400);

    const done = await enrolOn(c, page, '/staff/totp/enrol', k.url, GP_DOCTOR, headers);
    assert.equal(done.status, 303);
    assert.equal(done.location, '/staff');
    const home = await c.get('/staff');
    assert.equal(home.status, 200);
    assert.match(home.text, /Huisartsenpraktijk De Linde/);

    const row = await k.db
      .selectFrom('staff_account')
      .select(['totp_ciphertext', 'totp_confirmed_at', 'totp_last_step'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.ok(row.totp_confirmed_at);
    assert.ok(row.totp_ciphertext && row.totp_ciphertext.length > 20);
    assert.ok(row.totp_last_step && row.totp_last_step > 0);

    // Next time the code is asked for, and a wrong one is refused.
    const c2 = new HttpClient(k.url);
    const r2 = await attempt(c2, GP_DOCTOR, DEMO_PASSWORD, headers);
    assert.equal(r2.location, '/staff/login/totp');
    const totpPage = await c2.get('/staff/login/totp');
    assert.match(totpPage.text, /autocomplete="one-time-code"/);
    const bad = await c2.post('/staff/login/totp', { _csrf: csrfFrom(totpPage.text), code: '123456' }, headers);
    assert.equal(bad.status, 401);
    assert.equal((await c2.get('/staff')).location, '/staff/login?return=%2Fstaff');
    const good = await c2.post(
      '/staff/login/totp',
      { _csrf: csrfFrom(totpPage.text), code: await freshCode(k.url, GP_DOCTOR) },
      headers,
    );
    assert.equal(good.status, 303);
    assert.equal((await c2.get('/staff')).status, 200);
  });

  test('[ZL-3] a TOTP code cannot be replayed', async () => {
    const { headers } = newAddress();
    const first = await loginStaff(k.url, HOSPITAL, { headers });
    assert.equal(first.page.status, 200);
    const code = await freshCode(k.url, HOSPITAL);

    const c1 = new HttpClient(k.url);
    await attempt(c1, HOSPITAL, DEMO_PASSWORD, headers);
    const p1 = await c1.get('/staff/login/totp');
    const used = await c1.post('/staff/login/totp', { _csrf: csrfFrom(p1.text), code }, headers);
    assert.equal(used.status, 303);

    // The same code again (still within its 30 seconds): refused.
    const c2 = new HttpClient(k.url);
    await attempt(c2, HOSPITAL, DEMO_PASSWORD, headers);
    const p2 = await c2.get('/staff/login/totp');
    const replay = await c2.post('/staff/login/totp', { _csrf: csrfFrom(p2.text), code }, headers);
    assert.equal(replay.status, 401);
    assert.equal((await c2.get('/staff')).location, '/staff/login?return=%2Fstaff');
    // An older code (the previous step) is refused as well: steps only go forward.
    const secret = first.secret;
    assert.ok(secret);
    const older = codeAt(secret, Date.now() - 30_000);
    const replay2 = await c2.post('/staff/login/totp', { _csrf: csrfFrom(p2.text), code: older }, headers);
    assert.equal(replay2.status, 401);
  });

  test('[ZL-3] TOTP failures count toward the same throttle', async () => {
    const { headers } = newAddress();
    await loginStaff(k.url, PHARMACIST, { headers }); // enrols
    const c = new HttpClient(k.url);
    let last = 0;
    for (let i = 0; i < 5; i++) {
      const r = await attempt(c, PHARMACIST, DEMO_PASSWORD, headers);
      if (r.status === 429) {
        last = 429;
        break;
      }
      const p = await c.get('/staff/login/totp');
      last = (await c.post('/staff/login/totp', { _csrf: csrfFrom(p.text), code: '000000' }, headers)).status;
    }
    assert.equal(last, 429);
    const blocked = await attempt(new HttpClient(k.url), PHARMACIST, DEMO_PASSWORD, newAddress().headers);
    assert.equal(blocked.status, 429);
  });

  test('[ZL-3] where it is not required, the password suffices and the home page offers TOTP', async () => {
    const { headers } = newAddress();
    const c = new HttpClient(k.url);
    const r = await attempt(c, PHYSIO, DEMO_PASSWORD, headers);
    assert.equal(r.status, 303);
    assert.equal(r.location, '/staff');
    const home = await c.get('/staff');
    assert.equal(home.status, 200);
    assert.match(home.text, /href="\/staff\/account\/totp"/);

    const enrolPage = await c.get('/staff/account/totp');
    assert.equal(enrolPage.status, 200);
    assert.match(enrolPage.text, /data:image\/png;base64,/);
    const done = await enrolOn(c, enrolPage, '/staff/account/totp', k.url, PHYSIO, headers);
    assert.equal(done.status, 303);
    const account = await c.get('/staff/account');
    assert.match(account.text, /staat aan sinds/);
    assert.doesNotMatch((await c.get('/staff')).text, /href="\/staff\/account\/totp"/);

    // From now on this employee is asked for a code.
    const c2 = new HttpClient(k.url);
    const r2 = await attempt(c2, PHYSIO, DEMO_PASSWORD, headers);
    assert.equal(r2.location, '/staff/login/totp');
  });

  test('session rotated at login (cookie value changes)', async () => {
    const { headers } = newAddress();
    const c = new HttpClient(k.url);
    const form = await c.get('/staff/login', headers);
    const anonymous = c.cookies.get(SESSION_COOKIE);
    assert.ok(anonymous);
    const r = await c.post(
      '/staff/login',
      { _csrf: csrfFrom(form.text), email: GP_ASSISTANT, password: DEMO_PASSWORD },
      headers,
    );
    const pending = c.cookies.get(SESSION_COOKIE);
    assert.ok(pending && pending !== anonymous, 'new id after the password');
    const page = await c.get(r.location ?? '');
    const done = await enrolOn(c, page, '/staff/totp/enrol', k.url, GP_ASSISTANT, headers);
    assert.equal(done.location, '/staff');
    const staff = c.cookies.get(SESSION_COOKIE);
    assert.ok(staff && staff !== pending && staff !== anonymous, 'new id after the last factor');
    // The earlier session ids no longer work.
    for (const old of [anonymous, pending]) {
      const o = new HttpClient(k.url);
      o.cookies.set(SESSION_COOKIE, old);
      assert.equal((await o.get('/staff')).location, '/staff/login?return=%2Fstaff');
    }
    assert.equal((await c.get('/staff')).status, 200);
    const audit = await k.db
      .selectFrom('audit_log')
      .selectAll()
      .where('event_code', '=', 'staff.login')
      .where('outcome', '=', 'success')
      .where('actor_id', '=', await staffId(GP_ASSISTANT))
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.actor_type, 'staff');
    assert.ok(audit[0]?.actor_organisation_id);
  });

  test('a session from before logout is refused', async () => {
    const { headers } = newAddress();
    const { client } = await loginStaff(k.url, GP_PRIVACY, { headers });
    const token = client.cookies.get(SESSION_COOKIE);
    assert.ok(token);
    const home = await client.get('/staff');
    assert.equal(home.status, 200);
    const out = await client.post('/logout', { _csrf: csrfFrom(home.text) });
    assert.ok(out.status === 303 || out.status === 200, `logout answered ${out.status}`);
    const stale = new HttpClient(k.url);
    stale.cookies.set(SESSION_COOKIE, token);
    assert.equal((await stale.get('/staff')).location, '/staff/login?return=%2Fstaff');
    const search = await stale.post('/staff/patients/search', { _csrf: csrfFrom(home.text), name: 'vries' });
    // The form of an ended session goes to the login again (issue 10), never to the results.
    assert.ok(search.status === 303 || search.status === 401 || search.status === 403);
    assert.doesNotMatch(search.text, /Suzanne/);
  });

  test('an employee of several organisations chooses one; an operator lands on the alerts', async () => {
    const { headers } = newAddress();
    const id = await staffId(PHYSIO);
    const team = await k.db
      .selectFrom('organisation')
      .select('id')
      .where('kind', '=', 'neighbourhood_team')
      .executeTakeFirstOrThrow();
    await k.db
      .insertInto('membership')
      .values({ staff_id: id, organisation_id: team.id, role: 'therapist', permissions: ['patients:search'] })
      .execute();
    try {
      const { page } = await loginStaff(k.url, PHYSIO, { headers, organisation: team.id });
      assert.equal(page.status, 200);
      assert.match(page.text, /Buurtteam Oost/);
    } finally {
      await k.db.deleteFrom('membership').where('staff_id', '=', id).where('organisation_id', '=', team.id).execute();
    }
    const op = await loginStaff(k.url, OPERATOR, { headers });
    assert.match(op.page.text, /Beveiligingsmeldingen/);
    assert.equal((await op.client.get('/staff')).location, '/operator/alerts');
  });

  test('login pages without a pending login send the visitor back to the start', async () => {
    const c = new HttpClient(k.url);
    for (const path of ['/staff/login/totp', '/staff/totp/enrol', '/staff/login/organisation']) {
      const r = await c.get(path);
      assert.equal(r.status, 303, path);
      assert.equal(r.location, '/staff/login');
    }
  });
});
