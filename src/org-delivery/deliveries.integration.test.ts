// Delivery of citizen actions to the organisation's own system (issue 14, MG-5, MG-13), over real HTTP against a real
// database: the organisation's admin registers a webhook address (bad input refused; the secret shown once); each
// citizen action — booking, move, cancellation, message, record request, medication order and its cancellation —
// arrives once at a receiver on loopback, signed (verified with the standardwebhooks library), carrying ids only; the
// system reads the resource back over FHIR with its own token. A receiver that fails three times gets the retries and
// shows in the delivery log; "send again"; secret rotation signs with both secrets; organisations are isolated.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { csrfFrom } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import {
  atLocal,
  bookAppointment,
  cancelAppointment,
  isoWeekday,
  localDate,
  moveAppointment,
  nextDate,
} from '../appointments/index.js';
import { DEMO_PASSWORD } from '../demo/seed.js';
import { createApiClient, fhir, tokenFor } from '../fhir/ingest.testkit.js';
import { changeStatus, orderOffers, placeOrder } from '../medication-orders/index.js';
import { startCitizenConversation } from '../messages/conversations.js';
import { ROLE_DEFAULTS } from '../platform/auth/permissions.js';
import type { Principal } from '../platform/db/principal.js';
import { runInScope, type DataScope } from '../platform/db/scope.js';
import { createRequest, providerOffers } from '../record-requests/requests.js';
import { hashPassword } from '../staff/passwords.js';
import { loginStaff, type StaffLogin } from '../staff/login.testkit.js';
import { Receiver } from './receiver.testkit.js';

const ADMIN = '/staff/admin/deliveries';
const PHARMACY_ADMIN = 'beheer@apotheekcentrum.example';
const GP_ADMIN = 'beheer@delinde.example';

function shown(html: string, id: string): string {
  const m = new RegExp(`id="${id}"[^>]*>([^<]+)<`).exec(html);
  if (!m?.[1]) throw new Error(`no ${id} on the page`);
  return m[1];
}

function nextMonday(): string {
  let d = nextDate(nextDate(nextDate(localDate(new Date()))));
  while (isoWeekday(d) !== 1) d = nextDate(d);
  return d;
}

describe('delivery of citizen actions to the organisation’s own system (MG-5, MG-13)', () => {
  let k: TestKoepel;
  let gp: string;
  let pharmacy: string;
  let suzanne: string;
  let portal: string;
  let gpAdmin: StaffLogin;
  let pharmacyAdmin: StaffLogin;
  let gpHook: Receiver;
  let pharmacyHook: Receiver;
  let gpToken: string;
  let pharmacyToken: string;

  const citizen = (): Extract<Principal, { kind: 'citizen' }> => ({
    kind: 'citizen',
    citizenId: suzanne,
    portalId: portal,
  });
  const as = <T>(p: Principal, fn: (scope: DataScope) => Promise<T>) =>
    runInScope({ db: k.db, keys: k.koepel.keys }, p, fn);
  const run = () => k.koepel.jobs.runUntilIdle();

  async function register(admin: StaffLogin, name: string, url: string): Promise<string> {
    const list = await admin.client.get(ADMIN);
    const page = await admin.client.post(`${ADMIN}/endpoints`, { _csrf: csrfFrom(list.text), name, url });
    assert.equal(page.status, 200, page.text);
    return shown(page.text, 'webhook-secret');
  }

  before(async () => {
    k = await startKoepel({ KOEPEL_DELIVERY_RETRY_SECONDS: '0', KOEPEL_DELIVERY_MAX_ATTEMPTS: '5' });
    gp = await orgId(k.db, DEMO.gp);
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    const account = await k.db
      .insertInto('staff_account')
      .values({ email: GP_ADMIN, display_name: 'B. Heer', password_hash: await hashPassword(DEMO_PASSWORD) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await k.db
      .insertInto('membership')
      .values({ staff_id: account.id, organisation_id: gp, role: 'admin', permissions: ROLE_DEFAULTS.admin })
      .execute();
    gpAdmin = await loginStaff(k.url, GP_ADMIN);
    pharmacyAdmin = await loginStaff(k.url, PHARMACY_ADMIN);
    gpHook = await Receiver.start('/gp');
    pharmacyHook = await Receiver.start('/pharmacy');
    gpToken = await tokenFor(k.url, await createApiClient(k.db, gp));
    pharmacyToken = await tokenFor(k.url, await createApiClient(k.db, pharmacy));
  });
  after(async () => {
    await gpHook.close();
    await pharmacyHook.close();
    await k.close();
  });

  test('[MG-5] the admin registers an address: bad input is refused with a clear error and nothing stored', async () => {
    const list = await gpAdmin.client.get(ADMIN);
    assert.equal(list.status, 200);
    assert.match(list.text, /Meldingen aan uw eigen systeem/);
    const csrf = csrfFrom(list.text);
    assert.equal(
      (await gpAdmin.client.post(`${ADMIN}/endpoints`, { name: 'x', url: gpHook.url })).status,
      403,
      'no CSRF',
    );
    const cases: [Record<string, string>, RegExp][] = [
      [{ name: '  ', url: gpHook.url }, /Vul een naam in van 1 tot 100 tekens/],
      [{ name: 'x'.repeat(101), url: gpHook.url }, /Vul een naam in van 1 tot 100 tekens/],
      [{ name: 'HIS', url: 'ftp://his.example.nl/hook' }, /Vul een geldig https-adres in/],
      [{ name: 'HIS', url: 'https://user:pw@his.example.nl/hook' }, /Vul een geldig https-adres in/],
      [{ name: 'HIS', url: 'geen adres' }, /Vul een geldig https-adres in/],
      [{ name: 'HIS', url: `https://his.example.nl/${'x'.repeat(2000)}` }, /Vul een geldig https-adres in/],
      [{ name: 'HIS' }, /Vul een geldig https-adres in/],
    ];
    for (const [body, message] of cases) {
      const res = await gpAdmin.client.post(`${ADMIN}/endpoints`, { _csrf: csrf, ...body });
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match(res.text, message);
    }
    const n = await sql<{ n: number }>`select count(*)::int as n from org_endpoint`.execute(k.db);
    assert.equal(n.rows[0]?.n, 0, 'nothing stored');
    // A staff member without admin:api-clients has no access.
    const doctor = await loginStaff(k.url, 'huisarts@delinde.example');
    assert.equal((await doctor.client.get(ADMIN)).status, 403);

    gpHook.secret = await register(gpAdmin, 'HIS <productie>', gpHook.url);
    assert.match(gpHook.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const again = await gpAdmin.client.get(ADMIN);
    assert.ok(again.text.includes('HIS &lt;productie'), 'escaped');
    assert.ok(!again.text.includes('>HIS <productie>'), 'escaped as text');
    assert.ok(!again.text.includes(gpHook.secret), 'shown once');
    const row = await k.db.selectFrom('org_endpoint').select(['secret_ciphertext', 'url']).executeTakeFirstOrThrow();
    assert.ok(
      !Buffer.from(row.secret_ciphertext ?? [])
        .toString('latin1')
        .includes(gpHook.secret.slice(6)),
      'sealed',
    );
    pharmacyHook.secret = await register(pharmacyAdmin, 'Apotheeksysteem', pharmacyHook.url);
  });

  test('[MG-5] [MG-13] each citizen action arrives once, signed, ids only; the system reads it back over FHIR', async () => {
    const monday = nextMonday();
    const doctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    const consult = (
      await k.db
        .selectFrom('appointment_type')
        .select('id')
        .where('organisation_id', '=', gp)
        .where('name', '=', 'Consult')
        .executeTakeFirstOrThrow()
    ).id;
    const { id: appointment } = await as(citizen(), (s) =>
      bookAppointment(s, {
        organisationId: gp,
        citizenId: suzanne,
        typeId: consult,
        staffId: doctor.staffId,
        start: atLocal(monday, '09:00'),
        reason: 'Keelpijn sinds een week',
        reminderMinutes: null,
        idempotencyKey: null,
      }),
    );
    await as(citizen(), (s) =>
      moveAppointment(s, appointment, { start: atLocal(monday, '09:30'), staffId: doctor.staffId }),
    );
    await as(citizen(), (s) => cancelAppointment(s, appointment));
    const conversation = await as(citizen(), (s) =>
      startCitizenConversation(s, citizen(), {
        organisationId: gp,
        addressedTo: null,
        subject: 'Vraag over mijn bloeddruk',
        body: 'Mijn bloeddruk is 180/110, wat moet ik doen?',
        files: [],
        key: crypto.randomUUID(),
        followsId: null,
      }),
    );
    const request = await as(citizen(), async (s) => {
      const offer = (await providerOffers(s, citizen())).find((o) => o.organisationId === gp);
      assert.ok(offer && offer.askable.length > 0);
      const r = await createRequest(s, citizen(), {
        organisationId: gp,
        categories: [offer.askable[0] ?? 'lab'],
        note: 'Graag',
      });
      assert.ok(r.ok);
      return r.id;
    });
    const order = await as(citizen(), async (s) => {
      await s.audit({ event: 'test', action: 'R', citizenId: suzanne });
      const offer = (await orderOffers(s, citizen())).find((o) => o.organisationId === pharmacy);
      assert.ok(offer && offer.medicines.length > 0);
      return (
        await placeOrder(s, citizen(), {
          organisationId: pharmacy,
          resourceIds: [offer.medicines[0]?.resourceId ?? ''],
          note: 'Voor vrijdag',
          delivery: 'pickup',
          idempotencyKey: crypto.randomUUID(),
        })
      ).id;
    });
    await as(citizen(), async (s) => {
      await s.audit({ event: 'test', action: 'U', citizenId: suzanne });
      await changeStatus(s, { id: order, organisationId: pharmacy, citizenId: suzanne }, { status: 'cancelled' });
    });

    await run();
    await run(); // the fan-out's delivery jobs, if the first pass ended before them

    const gpTypes = gpHook.received.map((r) => r.body.type);
    assert.deepEqual(gpTypes.sort(), [
      'appointment.booked',
      'appointment.cancelled',
      'appointment.changed',
      'message.created',
      'record-request.created',
    ]);
    assert.deepEqual(pharmacyHook.received.map((r) => r.body.type).sort(), [
      'medication-order.cancelled',
      'medication-order.created',
    ]);
    for (const r of [...gpHook.received, ...pharmacyHook.received]) {
      assert.ok(r.verified, `signature of ${r.body.type} verifies`);
      assert.ok(r.headers['webhook-id'] && r.headers['webhook-timestamp'] && r.headers['webhook-signature']);
      assert.deepEqual(Object.keys(r.body).sort(), ['data', 'timestamp', 'type']);
      assert.deepEqual(Object.keys(r.body.data).sort(), ['id', 'organisation', 'resourceType']);
      // '180/110', not '180': three digits turn up in a random uuid now and then.
      for (const secret of ['Keelpijn', 'bloeddruk', '180/110', 'Graag', 'Voor vrijdag', suzanne]) {
        assert.ok(
          !r.raw.includes(secret),
          `no content in ${r.body.type}: ${secret === suzanne ? 'the citizen id' : secret} in ${r.raw}`,
        );
      }
    }
    const ids = new Set([...gpHook.received, ...pharmacyHook.received].map((r) => r.id));
    assert.equal(ids.size, 7, 'each action once');
    // Another run delivers nothing more.
    await run();
    assert.equal(gpHook.received.length + pharmacyHook.received.length, 7);

    const byType = (type: string) => gpHook.received.find((r) => r.body.type === type)?.body.data;
    assert.deepEqual(byType('appointment.booked'), {
      id: `koepel-${appointment}`,
      resourceType: 'Appointment',
      organisation: gp,
    });
    assert.deepEqual(byType('record-request.created'), {
      id: request,
      resourceType: 'RecordAccessRequest',
      organisation: gp,
    });
    // The system reads each resource back over FHIR with its own token.
    const read = await fhir(k.url, gpToken, 'GET', `/fhir/Appointment/koepel-${appointment}`);
    assert.equal(read.status, 200, read.text);
    assert.equal((read.json as { status: string }).status, 'cancelled');
    const message = byType('message.created');
    assert.ok(message);
    const comm = await fhir(k.url, gpToken, 'GET', `/fhir/Communication/${message.id}`);
    assert.equal(comm.status, 200, comm.text);
    assert.ok(conversation);
    const task = pharmacyHook.received.find((r) => r.body.type === 'medication-order.created')?.body.data;
    assert.deepEqual(task, { id: `koepel-${order}`, resourceType: 'Task', organisation: pharmacy });
    const taskRead = await fhir(k.url, pharmacyToken, 'GET', `/fhir/Task/${task.id}`);
    assert.equal(taskRead.status, 200, taskRead.text);
    // Not another organisation's system.
    assert.equal((await fhir(k.url, pharmacyToken, 'GET', `/fhir/Appointment/koepel-${appointment}`)).status, 404);

    // The delivery log: every delivery, delivered at the first attempt, with its HTTP status and no content.
    const log = await gpAdmin.client.get(ADMIN);
    assert.match(log.text, /appointment\.booked/);
    assert.equal((log.text.match(/koepel-delivery-delivered/g) ?? []).length, 5);
    assert.ok(
      !log.text.includes('Keelpijn') && !log.text.includes(pharmacyHook.url),
      'no content, no other organisation',
    );
  });

  test('[MG-5] a receiver that fails three times gets the retries and shows in the delivery log; send again', async () => {
    gpHook.received.length = 0;
    gpHook.answer = 'fail';
    gpHook.times = 3;
    await as(citizen(), async (s) => {
      const offer = (await providerOffers(s, citizen())).find((o) => o.organisationId === gp);
      assert.ok(offer);
      // The open request blocks a second one: a message instead.
      return startCitizenConversation(s, citizen(), {
        organisationId: gp,
        addressedTo: null,
        subject: 'Nog een vraag',
        body: 'Tekst',
        files: [],
        key: crypto.randomUUID(),
        followsId: null,
      });
    });
    // Each pass runs what is due; the back-off is 0 here, so the retries follow at once.
    for (let i = 0; i < 6 && gpHook.received.length === 0; i++) await run();
    assert.equal(gpHook.received.length, 1, 'delivered once, at the fourth attempt');
    const row = await k.db
      .selectFrom('org_delivery')
      .select(['id', 'state', 'attempts', 'last_status'])
      .where('organisation_id', '=', gp)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { state: row.state, attempts: row.attempts, last: row.last_status },
      { state: 'delivered', attempts: 4, last: 204 },
    );

    // A receiver that keeps failing: dead after the maximum (5), shown as failed with the last status.
    gpHook.answer = 'fail';
    gpHook.times = Infinity;
    const before = gpHook.hits;
    const doctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    await as(citizen(), (s) => bookAnother(s, doctor.staffId));
    for (let i = 0; i < 8; i++) await run();
    assert.equal(gpHook.hits - before, 5, 'five attempts, then no more');
    const dead = await k.db
      .selectFrom('org_delivery')
      .select(['id', 'state', 'attempts', 'last_status', 'last_error'])
      .where('organisation_id', '=', gp)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { state: dead.state, attempts: dead.attempts, status: dead.last_status, error: dead.last_error },
      { state: 'dead', attempts: 5, status: 500, error: 'http-500' },
    );
    const log = await gpAdmin.client.get(ADMIN);
    assert.match(log.text, /koepel-delivery-dead/);
    assert.match(log.text, />500</);

    // Send again: the receiver is back; the same webhook-id arrives once more.
    gpHook.answer = 'ok';
    gpHook.received.length = 0;
    const resend = await gpAdmin.client.post(`${ADMIN}/log/${dead.id}/resend`, { _csrf: csrfFrom(log.text) });
    assert.equal(resend.status, 303);
    await run();
    assert.equal(gpHook.received.length, 1);
    assert.equal(gpHook.received[0]?.id, dead.id);
    const after = await k.db
      .selectFrom('org_delivery')
      .select(['state', 'attempts'])
      .where('id', '=', dead.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(after, { state: 'delivered', attempts: 6 });

    async function bookAnother(s: DataScope, staffId: string) {
      // A booking only for this test (another time).
      const type = await s.tx
        .selectFrom('appointment_type')
        .select('id')
        .where('organisation_id', '=', gp)
        .where('name', '=', 'Consult')
        .executeTakeFirstOrThrow();
      await bookAppointment(s, {
        organisationId: gp,
        citizenId: suzanne,
        typeId: type.id,
        staffId,
        start: atLocal(nextMonday(), '10:00'),
        reason: '',
        reminderMinutes: null,
        idempotencyKey: null,
      });
    }
  });

  test('[MG-5] a new secret: both secrets sign during the grace period; the old one alone still verifies', async () => {
    const endpoint = await k.db
      .selectFrom('org_endpoint')
      .select('id')
      .where('organisation_id', '=', gp)
      .executeTakeFirstOrThrow();
    const list = await gpAdmin.client.get(ADMIN);
    const page = await gpAdmin.client.post(`${ADMIN}/endpoints/${endpoint.id}/rotate`, { _csrf: csrfFrom(list.text) });
    assert.equal(page.status, 200);
    const fresh = shown(page.text, 'webhook-secret');
    const old = gpHook.secret;
    assert.ok(old && fresh !== old);
    gpHook.received.length = 0;
    gpHook.secret = fresh;
    await as(citizen(), (s) =>
      startCitizenConversation(s, citizen(), {
        organisationId: gp,
        addressedTo: null,
        subject: 'Derde vraag',
        body: 'Tekst',
        files: [],
        key: crypto.randomUUID(),
        followsId: null,
      }),
    );
    await run();
    await run();
    const got = gpHook.received[0];
    assert.ok(got?.verified, 'verifies with the new secret');
    assert.equal(got.headers['webhook-signature']?.split(' ').length, 2, 'two signatures, space-separated');
    assert.doesNotThrow(() => new Webhook(old).verify(got.raw, got.headers), 'and with the old one');
  });

  test('[MG-5] isolation: an organisation’s admin sees and changes only its own endpoints and deliveries', async () => {
    const theirs = await k.db
      .selectFrom('org_endpoint')
      .select('id')
      .where('organisation_id', '=', pharmacy)
      .executeTakeFirstOrThrow();
    const theirDelivery = await k.db
      .selectFrom('org_delivery')
      .select('id')
      .where('organisation_id', '=', pharmacy)
      .executeTakeFirstOrThrow();
    const list = await gpAdmin.client.get(ADMIN);
    assert.ok(
      !list.text.includes('Apotheeksysteem') &&
        !list.text.includes(pharmacyHook.url) &&
        !list.text.includes('medication-order'),
    );
    const csrf = csrfFrom(list.text);
    for (const path of [
      `${ADMIN}/endpoints/${theirs.id}/rotate`,
      `${ADMIN}/endpoints/${theirs.id}/deactivate`,
      `${ADMIN}/log/${theirDelivery.id}/resend`,
      `${ADMIN}/log/not-a-uuid/resend`,
    ]) {
      assert.equal((await gpAdmin.client.post(path, { _csrf: csrf })).status, 404, path);
    }
    const active = await k.db
      .selectFrom('org_endpoint')
      .select('active')
      .where('id', '=', theirs.id)
      .executeTakeFirstOrThrow();
    assert.equal(active.active, true, 'untouched');
    // Row-level security, under the GP admin's own principal: none of the pharmacy's rows, and no write to them.
    const admin = await staffPrincipal(k.db, GP_ADMIN);
    const seen = await as(admin, async ({ tx }) => ({
      endpoints: await tx.selectFrom('org_endpoint').select('organisation_id').execute(),
      deliveries: await tx.selectFrom('org_delivery').select('organisation_id').execute(),
      updated: (
        await tx
          .updateTable('org_endpoint')
          .set({ url: 'https://evil.example/x' })
          .where('id', '=', theirs.id)
          .executeTakeFirst()
      ).numUpdatedRows,
    }));
    assert.ok(seen.endpoints.length > 0 && seen.endpoints.every((e) => e.organisation_id === gp));
    assert.ok(seen.deliveries.length > 0 && seen.deliveries.every((e) => e.organisation_id === gp));
    assert.equal(seen.updated, 0n);
    // A citizen sees none of it.
    const citizenSees = await as(
      citizen(),
      async ({ tx }) => (await tx.selectFrom('org_endpoint').select('id').execute()).length,
    );
    assert.equal(citizenSees, 0);
    // An endpoint cannot be made to point at another organisation's deliveries.
    await assert.rejects(
      as(admin, ({ tx }) =>
        tx
          .insertInto('org_endpoint')
          .values({
            organisation_id: pharmacy,
            name: 'x',
            url: 'https://x.example/h',
            secret_ciphertext: Buffer.alloc(1),
          })
          .execute(),
      ),
    );
  });

  test('[MG-5] switched off: no more deliveries to it', async () => {
    const endpoint = await k.db
      .selectFrom('org_endpoint')
      .select('id')
      .where('organisation_id', '=', gp)
      .executeTakeFirstOrThrow();
    const list = await gpAdmin.client.get(ADMIN);
    const off = await gpAdmin.client.post(`${ADMIN}/endpoints/${endpoint.id}/deactivate`, {
      _csrf: csrfFrom(list.text),
    });
    assert.equal(off.status, 303);
    const before = gpHook.hits;
    await as(citizen(), (s) =>
      startCitizenConversation(s, citizen(), {
        organisationId: gp,
        addressedTo: null,
        subject: 'Vierde vraag',
        body: 'Tekst',
        files: [],
        key: crypto.randomUUID(),
        followsId: null,
      }),
    );
    await run();
    assert.equal(gpHook.hits, before);
  });
});

describe('delivery in production mode: no private addresses (MG-5, SSRF)', () => {
  let k: TestKoepel;
  let hook: Receiver;
  before(async () => {
    k = await startKoepel({
      KOEPEL_DELIVERY_ALLOW_PRIVATE: 'false',
      KOEPEL_DELIVERY_RETRY_SECONDS: '0',
      KOEPEL_DELIVERY_MAX_ATTEMPTS: '1',
    });
    hook = await Receiver.start();
  });
  after(async () => {
    await hook.close();
    await k.close();
  });

  test('[MG-5] a loopback or private URL is refused at registration, and at delivery after DNS', async () => {
    const admin = await loginStaff(k.url, PHARMACY_ADMIN);
    const list = await admin.client.get(ADMIN);
    for (const url of [
      hook.url,
      hook.url.replace('http:', 'https:'),
      'https://localhost/hook',
      'https://169.254.169.254/latest',
      'https://[::1]/x',
      'https://10.0.0.8/x',
    ]) {
      const res = await admin.client.post(`${ADMIN}/endpoints`, { _csrf: csrfFrom(list.text), name: 'HIS', url });
      assert.equal(res.status, 400, url);
    }
    assert.equal((await k.db.selectFrom('org_endpoint').select('id').execute()).length, 0);
    // A registered name that now resolves to loopback (DNS changed, rebinding): refused at delivery.
    const ok = await admin.client.post(`${ADMIN}/endpoints`, {
      _csrf: csrfFrom(list.text),
      name: 'HIS',
      url: 'https://his.example.nl/hook',
    });
    assert.equal(ok.status, 200);
    await sql`update org_endpoint set url = ${`https://localhost:${new URL(hook.url).port}/hook`}`.execute(k.db);
    const pharmacy = await orgId(k.db, DEMO.pharmacy);
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    const me: Extract<Principal, { kind: 'citizen' }> = { kind: 'citizen', citizenId: suzanne, portalId: portal };
    await runInScope({ db: k.db, keys: k.koepel.keys }, me, async (s) => {
      await s.audit({ event: 'test', action: 'R', citizenId: suzanne });
      const offer = (await orderOffers(s, me)).find((o) => o.organisationId === pharmacy);
      assert.ok(offer);
      await placeOrder(s, me, {
        organisationId: pharmacy,
        resourceIds: [offer.medicines[0]?.resourceId ?? ''],
        note: '',
        delivery: 'pickup',
        idempotencyKey: crypto.randomUUID(),
      });
    });
    await k.koepel.jobs.runUntilIdle();
    await k.koepel.jobs.runUntilIdle();
    assert.equal(hook.hits, 0, 'nothing reached loopback');
    const d = await k.db.selectFrom('org_delivery').select(['state', 'last_error']).executeTakeFirstOrThrow();
    assert.ok(d.last_error === 'url-private' || d.last_error === 'address-private', String(d.last_error));
    assert.equal(d.state, 'dead');
  });
});
