// Organisation admins manage their employees (issue 10, ZL-10), through HTTP: list, invite with a one-time link,
// rights, deactivate and reactivate, TOTP reset — each audited; and the refusals: no admin:staff, another
// organisation's employee, the admin's own lock-out, bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { csrfFrom, HttpClient, type Response } from '../../test/support/http-client.js';
import { DEMO_PASSWORD } from '../demo/seed.js';
import { loginStaff, type StaffLogin } from '../staff/login.testkit.js';
import { runInScope } from '../platform/db/scope.js';
import { staffPrincipal } from '../../test/support/principals.js';

const PHARMACY_ADMIN = 'beheer@apotheekcentrum.example';
const PHARMACIST = 'apotheker@apotheekcentrum.example';
const GP_DOCTOR = 'huisarts@delinde.example';
const GP_PRIVACY = 'privacy@delinde.example';
const LIST = '/staff/admin/employees';

describe('organisation admin: employees', () => {
  let k: TestKoepel;
  let admin: StaffLogin;
  let adminId: string;
  let pharmacistId: string;
  let gpDoctorId: string;

  const idOf = async (email: string) =>
    (await k.db.selectFrom('staff_account').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const audits = (event: string, resourceId: string) =>
    k.db
      .selectFrom('audit_log')
      .selectAll()
      .where('event_code', '=', event)
      .where('resource_id', '=', resourceId)
      .execute();
  const membership = async (staffId: string) =>
    k.db.selectFrom('membership').selectAll().where('staff_id', '=', staffId).executeTakeFirstOrThrow();

  /** Posts a form of the page at `pagePath` (its CSRF token), with repeated fields where a value is a list. */
  async function submit(
    c: HttpClient,
    pagePath: string,
    action: string,
    form: Record<string, string | string[]>,
  ): Promise<Response> {
    const page = await c.get(pagePath);
    const body = new URLSearchParams({ _csrf: csrfFrom(page.text) });
    for (const [key, v] of Object.entries(form)) for (const x of typeof v === 'string' ? [v] : v) body.append(key, x);
    return c.request('POST', action, body.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }

  before(async () => {
    k = await startKoepel();
    admin = await loginStaff(k.url, PHARMACY_ADMIN);
    adminId = await idOf(PHARMACY_ADMIN);
    pharmacistId = await idOf(PHARMACIST);
    gpDoctorId = await idOf(GP_DOCTOR);
  });
  after(async () => {
    await k.close();
  });

  test('the admin sees their own organisation’s employees, nobody else’s', async () => {
    const list = await admin.client.get(LIST);
    assert.equal(list.status, 200);
    assert.match(list.text, /R\. Mulder/);
    assert.match(list.text, /K\. Dekker/);
    assert.doesNotMatch(list.text, /Huisman|de Boer|Kaya|Jacobs/);
    assert.match(list.text, new RegExp(`href="${LIST}/${pharmacistId}"`));
  });

  test('[ZL-10] an admin changes an employee’s rights and that employee’s next request is refused', async () => {
    const pharmacist = await loginStaff(k.url, PHARMACIST);
    assert.equal((await pharmacist.client.get('/staff/patients')).status, 200);
    const page = `${LIST}/${pharmacistId}`;
    const r = await submit(admin.client, page, `${page}/permissions`, {
      permissions: ['patients:read', 'record:read', 'record:requests'],
    });
    assert.equal(r.status, 303);
    assert.equal(r.location, `${page}?done=saved`);
    assert.deepEqual((await membership(pharmacistId)).permissions.sort(), [
      'patients:read',
      'record:read',
      'record:requests',
    ]);
    // The same session, its next request: refused, and the menu no longer offers it.
    assert.equal((await pharmacist.client.get('/staff/patients')).status, 403);
    const search = await pharmacist.client.post('/staff/patients/search', {
      _csrf: csrfFrom((await pharmacist.client.get('/staff/account')).text),
      name: 'Jansen',
    });
    assert.equal(search.status, 403);
    assert.doesNotMatch((await pharmacist.client.get('/staff/account')).text, /href="\/staff\/patients"/);
    const [audit] = await audits('staff.admin.permissions', pharmacistId);
    assert.ok(audit);
    assert.equal(audit.actor_id, adminId);
    assert.equal(audit.action, 'U');
    assert.equal(audit.reason, 'permissions=patients:read,record:read,record:requests');
    // And back.
    await submit(admin.client, page, `${page}/permissions`, {
      permissions: ['patients:search', 'patients:read', 'record:read', 'record:requests'],
    });
    assert.equal((await pharmacist.client.get('/staff/patients')).status, 200);
  });

  test('invite: an account, a one-time link shown once, the password set through it, then a login with TOTP set-up', async () => {
    const r = await submit(admin.client, `${LIST}/new`, LIST, {
      name: 'J. Nieuw',
      email: 'Nieuw@ApotheekCentrum.example',
      role: 'assistant',
    });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.match(r.text, /Deze link ziet u maar één keer/);
    assert.match(r.text, /Koepel verstuurt nog geen e-mail/);
    const link = /id="invitation-link"[^>]*><span class="koepel-break">([^<]+)</.exec(r.text)?.[1] ?? '';
    const path = new URL(link).pathname;
    assert.match(path, /^\/staff\/set-password\/[A-Za-z0-9_-]{43}$/);
    const account = await k.db
      .selectFrom('staff_account')
      .selectAll()
      .where('email', '=', 'nieuw@apotheekcentrum.example')
      .executeTakeFirstOrThrow();
    assert.equal(account.must_enrol_totp, true);
    assert.equal((await membership(account.id)).role, 'assistant');
    assert.deepEqual((await membership(account.id)).permissions, [
      'patients:search',
      'patients:read',
      'record:read',
      'record:requests',
      'agenda:read',
      'agenda:reasons',
      'messages:read',
      'medication:orders',
    ]);
    // The token itself is stored nowhere.
    const invitation = await k.db
      .selectFrom('staff_invitation')
      .selectAll()
      .where('staff_id', '=', account.id)
      .execute();
    assert.equal(invitation.length, 1);
    assert.ok(
      !JSON.stringify(await k.db.selectFrom('staff_invitation').selectAll().execute()).includes(
        path.split('/')[3] ?? '?',
      ),
    );
    assert.equal((await audits('staff.admin.invite', account.id)).length, 1);
    // Before a password is set, no password logs in.
    const none = new HttpClient(k.url);
    const f = await none.get('/staff/login');
    const refused = await none.post('/staff/login', {
      _csrf: csrfFrom(f.text),
      email: 'nieuw@apotheekcentrum.example',
      password: account.password_hash,
    });
    assert.equal(refused.status, 401);

    const newcomer = new HttpClient(k.url);
    const form = await newcomer.get(path);
    assert.equal(form.status, 200);
    const short = await newcomer.post(path, { _csrf: csrfFrom(form.text), password: 'kort', confirm: 'kort' });
    assert.equal(short.status, 400);
    assert.match(short.text, /minstens 12 tekens/);
    const mismatch = await newcomer.post(path, {
      _csrf: csrfFrom(form.text),
      password: 'een lange zin hier',
      confirm: 'een andere zin hier',
    });
    assert.equal(mismatch.status, 400);
    const ok = await newcomer.post(path, {
      _csrf: csrfFrom(form.text),
      password: 'een lange zin hier',
      confirm: 'een lange zin hier',
    });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/staff/login?password=set');
    assert.equal((await audits('staff.password.set', account.id)).length, 1);
    // Once only.
    assert.equal((await new HttpClient(k.url).get(path)).status, 404);
    const again = await newcomer.post(path, {
      _csrf: csrfFrom(form.text),
      password: 'nog een lange zin',
      confirm: 'nog een lange zin',
    });
    assert.equal(again.status, 404);
    // The login asks for TOTP set-up (required after an invitation), then the employee is in.
    const login = await loginStaff(k.url, 'nieuw@apotheekcentrum.example', { password: 'een lange zin hier' });
    assert.equal(login.page.status, 200);
    assert.ok(login.secret, 'enrolled at the first login');
    assert.equal(
      (
        await k.db
          .selectFrom('staff_account')
          .select('must_enrol_totp')
          .where('id', '=', account.id)
          .executeTakeFirstOrThrow()
      ).must_enrol_totp,
      false,
    );
  });

  test('invite: bad input gets a clear error and writes nothing; an address with an account is refused', async () => {
    const count = async () => (await k.db.selectFrom('staff_account').select('id').execute()).length;
    const before = await count();
    const bad = await submit(admin.client, `${LIST}/new`, LIST, { name: '', email: 'geen-adres', role: 'king' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /href="#invite-name"[^>]*>Vul de naam van de medewerker in/);
    assert.match(bad.text, /href="#invite-email"[^>]*>Vul een geldig e-mailadres in/);
    assert.match(bad.text, /href="#invite-role"[^>]*>Kies een functie uit de lijst/);
    const taken = await submit(admin.client, `${LIST}/new`, LIST, { name: 'Dubbel', email: GP_DOCTOR, role: 'doctor' });
    assert.equal(taken.status, 409);
    assert.match(taken.text, /Voor dit e-mailadres kunt u geen account aanmaken/);
    assert.equal(await count(), before);
    // The GP doctor's account is untouched and not linked to the pharmacy.
    assert.equal(
      (await k.db.selectFrom('membership').select('organisation_id').where('staff_id', '=', gpDoctorId).execute())
        .length,
      1,
    );
  });

  test('deactivate ends the employee’s session and login; reactivate lets them in again; both audited', async () => {
    const pharmacist = await loginStaff(k.url, PHARMACIST);
    const page = `${LIST}/${pharmacistId}`;
    const off = await submit(admin.client, page, `${page}/deactivate`, {});
    assert.equal(off.status, 303);
    assert.notEqual((await membership(pharmacistId)).disabled_at, null);
    const next = await pharmacist.client.get('/staff/account');
    assert.equal(next.status, 303, 'the open session ended');
    assert.match(next.location ?? '', /^\/staff\/login/);
    await assert.rejects(loginStaff(k.url, PHARMACIST), /staff login did not finish: 403/);
    assert.match((await admin.client.get(LIST)).text, /Gedeactiveerd/);
    const on = await submit(admin.client, page, `${page}/reactivate`, {});
    assert.equal(on.status, 303);
    assert.equal((await membership(pharmacistId)).disabled_at, null);
    // The session of before stays ended; a new login works.
    assert.equal((await pharmacist.client.get('/staff/account')).status, 303);
    assert.equal((await loginStaff(k.url, PHARMACIST)).page.status, 200);
    assert.equal((await audits('staff.admin.deactivate', pharmacistId)).length, 1);
    assert.equal((await audits('staff.admin.reactivate', pharmacistId)).length, 1);
  });

  test('TOTP reset: the employee is logged out and sets up the authenticator app again at the next login', async () => {
    const pharmacist = await loginStaff(k.url, PHARMACIST);
    const page = `${LIST}/${pharmacistId}`;
    const r = await submit(admin.client, page, `${page}/reset-totp`, {});
    assert.equal(r.status, 303);
    const row = await k.db
      .selectFrom('staff_account')
      .selectAll()
      .where('id', '=', pharmacistId)
      .executeTakeFirstOrThrow();
    assert.equal(row.totp_ciphertext, null);
    assert.equal(row.totp_confirmed_at, null);
    assert.equal(row.must_enrol_totp, true);
    assert.equal((await pharmacist.client.get('/staff/account')).status, 303);
    // Next login: password, then enrolment (not a code from the old app).
    const c = new HttpClient(k.url);
    const f = await c.get('/staff/login');
    const pw = await c.post('/staff/login', { _csrf: csrfFrom(f.text), email: PHARMACIST, password: DEMO_PASSWORD });
    assert.equal(pw.location, '/staff/totp/enrol');
    assert.equal((await audits('staff.admin.totp-reset', pharmacistId)).length, 1);
    const again = await loginStaff(k.url, PHARMACIST);
    assert.equal(again.page.status, 200);
  });

  test('the admin cannot lock themselves out (own admin:staff, own deactivation), nor in the database', async () => {
    const page = `${LIST}/${adminId}`;
    const own = await admin.client.get(page);
    assert.match(own.text, /Uw eigen account kunt u niet deactiveren/);
    const rights = await submit(admin.client, page, `${page}/permissions`, { permissions: ['admin:organisation'] });
    assert.equal(rights.status, 409);
    assert.match(rights.text, /U kunt uzelf het recht om medewerkers te beheren niet afnemen/);
    const off = await submit(admin.client, page, `${page}/deactivate`, {});
    assert.equal(off.status, 409);
    const totp = await submit(admin.client, page, `${page}/reset-totp`, {});
    assert.equal(totp.status, 409);
    const m = await membership(adminId);
    assert.ok(m.permissions.includes('admin:staff'));
    assert.equal(m.disabled_at, null);
    assert.equal((await audits('staff.admin.permissions', adminId)).length, 0);
    // The admin can still work.
    assert.equal((await admin.client.get(LIST)).status, 200);
    // The database refuses it too, whatever code asks (migration 0017's trigger), and an admin's write to another
    // employee's password.
    const principal = await staffPrincipal(k.db, PHARMACY_ADMIN);
    const services = { db: k.koepel.database.db, keys: k.koepel.keys };
    await assert.rejects(
      runInScope(services, principal, ({ tx }) =>
        tx
          .updateTable('membership')
          .set({ permissions: ['admin:organisation'] })
          .where('staff_id', '=', adminId)
          .execute(),
      ),
      /lock themselves out/,
    );
    await assert.rejects(
      runInScope(services, principal, ({ tx }) =>
        tx.updateTable('staff_account').set({ password_hash: 'x' }).where('id', '=', pharmacistId).execute(),
      ),
      /only reset two-step verification/,
    );
  });

  test('refusals: without admin:staff 403; another organisation’s employee 404; unknown rights 400 and nothing written', async () => {
    const pharmacist = await loginStaff(k.url, PHARMACIST);
    assert.equal((await pharmacist.client.get(LIST)).status, 403);
    assert.equal((await pharmacist.client.get(`${LIST}/${adminId}`)).status, 403);
    const csrf = csrfFrom((await pharmacist.client.get('/staff/account')).text);
    const forged = await pharmacist.client.post(`${LIST}/${adminId}/deactivate`, { _csrf: csrf });
    assert.equal(forged.status, 403);
    assert.equal((await pharmacist.client.get('/staff/admin')).status, 403);

    // A GP admin (admin:staff at the GP) cannot see or change the pharmacy's employees, nor the GP's list show them.
    await k.db
      .updateTable('membership')
      .set({ permissions: ['audit:read', 'admin:staff'] })
      .where('staff_id', '=', await idOf(GP_PRIVACY))
      .execute();
    const gpAdmin = await loginStaff(k.url, GP_PRIVACY);
    const gpList = await gpAdmin.client.get(LIST);
    assert.equal(gpList.status, 200);
    assert.doesNotMatch(gpList.text, /Mulder|Dekker/);
    assert.equal((await gpAdmin.client.get(`${LIST}/${pharmacistId}`)).status, 404);
    const before = await membership(pharmacistId);
    const gpCsrf = csrfFrom(
      gpList.text.includes('_csrf') ? gpList.text : (await gpAdmin.client.get('/staff/account')).text,
    );
    for (const action of ['deactivate', 'reactivate', 'reset-totp']) {
      const r = await gpAdmin.client.post(`${LIST}/${pharmacistId}/${action}`, { _csrf: gpCsrf });
      assert.equal(r.status, 404, action);
    }
    const perms = await gpAdmin.client.post(`${LIST}/${pharmacistId}/permissions`, {
      _csrf: gpCsrf,
      permissions: 'admin:staff',
    });
    assert.equal(perms.status, 404);
    assert.deepEqual(await membership(pharmacistId), before);
    // Unknown and malformed ids: 404 too.
    assert.equal((await gpAdmin.client.get(`${LIST}/not-a-uuid`)).status, 404);
    assert.equal((await gpAdmin.client.get(`${LIST}/00000000-0000-4000-8000-000000000000`)).status, 404);

    // Unknown rights: a clear error, nothing written.
    const page = `${LIST}/${pharmacistId}`;
    const unknown = await submit(admin.client, page, `${page}/permissions`, {
      permissions: ['patients:search', 'root'],
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /Kies alleen rechten uit de lijst/);
    assert.deepEqual(await membership(pharmacistId), before);
    // No CSRF token: refused.
    const noCsrf = await admin.client.post(`${page}/deactivate`, {});
    assert.equal(noCsrf.status, 403);
    assert.equal((await membership(pharmacistId)).disabled_at, null);
    // A physiotherapist of another organisation is not in the pharmacy's list either.
    assert.doesNotMatch((await admin.client.get(LIST)).text, /Jacobs/);
  });
});
