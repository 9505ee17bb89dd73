// The operator's security alerts page (PR-7): only the operator sees and acknowledges alerts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient, csrfFrom } from '../../test/support/http-client.js';
import { withPrincipal } from '../platform/db/principal.js';
import { SESSION_COOKIE } from '../platform/session/sessions.js';
import { loginStaff, type StaffLogin } from '../staff/login.testkit.js';
import { alertDetail } from '../platform/auth/throttle.js';

describe('operator alerts', () => {
  let k: TestKoepel;
  let operator: StaffLogin;
  let alertId: string;
  const subject = `account:${'ab'.repeat(32)}`;

  before(async () => {
    k = await startKoepel();
    const row = await k.db
      .insertInto('security_alert')
      .values({
        kind: 'password-guessing',
        subject,
        detail: alertDetail({
          scope: 'account',
          failures: 5,
          windowMinutes: 15,
          blockedUntil: new Date(Date.now() + 900_000),
        }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    alertId = row.id;
    operator = await loginStaff(k.url, 'servicedesk@koepel.example');
  });
  after(async () => {
    await k.close();
  });

  test('the operator sees the alerts with a pseudonymous subject', async () => {
    const page = await operator.client.get('/operator/alerts');
    assert.equal(page.status, 200);
    assert.match(page.text, /<caption class="utrecht-table__caption">Meldingen, nieuwste eerst \(1 open\)<\/caption>/);
    assert.match(page.text, /Mogelijk raden van wachtwoorden/);
    assert.match(page.text, /abababababababab/);
    assert.match(page.text, /5 mislukte inlogpogingen op dit account binnen 15 minuten\. Geblokkeerd tot /);
    assert.match(page.text, new RegExp(`action="/operator/alerts/${alertId}/acknowledge"`));
    assert.equal(page.headers.get('cache-control'), 'no-store');
  });

  test('staff and citizens get 403, visitors 401', async () => {
    assert.equal((await new HttpClient(k.url).get('/operator/alerts')).status, 401);
    const staff = await loginStaff(k.url, 'fysio@beweegwijs.example');
    const staffPage = await staff.client.get('/operator/alerts');
    assert.equal(staffPage.status, 403);
    assert.doesNotMatch(staffPage.text, /abababab/);
    const ack = await staff.client.post(`/operator/alerts/${alertId}/acknowledge`, {
      _csrf: csrfFrom(staff.page.text),
    });
    assert.equal(ack.status, 403);

    const citizen = await k.db.selectFrom('citizen').select('id').executeTakeFirstOrThrow();
    const portal = await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow();
    const { token } = await k.koepel.app.koepel.sessions.create({
      kind: 'citizen',
      citizenId: citizen.id,
      portalId: portal.id,
    });
    const c = new HttpClient(k.url);
    c.cookies.set(SESSION_COOKIE, token);
    assert.equal((await c.get('/operator/alerts')).status, 403);

    // Row-level security agrees: a staff principal sees no alerts at all.
    const membership = await k.db
      .selectFrom('membership')
      .select(['staff_id', 'organisation_id'])
      .executeTakeFirstOrThrow();
    const rows = await withPrincipal(
      k.db,
      {
        kind: 'staff',
        staffId: membership.staff_id,
        organisationId: membership.organisation_id,
        role: 'doctor',
        permissions: [],
      },
      (tx) => tx.selectFrom('security_alert').select('id').execute(),
    );
    assert.equal(rows.length, 0);
    const still = await k.db
      .selectFrom('security_alert')
      .select('acknowledged_at')
      .where('id', '=', alertId)
      .executeTakeFirstOrThrow();
    assert.equal(still.acknowledged_at, null);
  });

  test('the operator acknowledges an alert (POST with CSRF), and it is logged', async () => {
    const page = await operator.client.get('/operator/alerts');
    const noCsrf = await operator.client.post(`/operator/alerts/${alertId}/acknowledge`, {});
    assert.equal(noCsrf.status, 403);
    const bad = await operator.client.post('/operator/alerts/not-a-uuid/acknowledge', { _csrf: csrfFrom(page.text) });
    assert.equal(bad.status, 400);
    const unknown = await operator.client.post('/operator/alerts/00000000-0000-4000-8000-000000000000/acknowledge', {
      _csrf: csrfFrom(page.text),
    });
    assert.equal(unknown.status, 404);

    const ok = await operator.client.post(`/operator/alerts/${alertId}/acknowledge`, { _csrf: csrfFrom(page.text) });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/operator/alerts');
    const row = await k.db
      .selectFrom('security_alert')
      .select('acknowledged_at')
      .where('id', '=', alertId)
      .executeTakeFirstOrThrow();
    assert.ok(row.acknowledged_at);
    const after = await operator.client.get('/operator/alerts');
    assert.match(after.text, /Afgehandeld op/);
    assert.match(after.text, /\(0 open\)/);
    const audit = await k.db
      .selectFrom('audit_log')
      .selectAll()
      .where('event_code', '=', 'security.alert.acknowledge')
      .executeTakeFirstOrThrow();
    assert.equal(audit.actor_type, 'operator');
    assert.equal(audit.resource_id, alertId);
  });
});
