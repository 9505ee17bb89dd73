// FHIR R4 Subscription (issue 14, MG-5, MG-13; Subscriptions Backport IG, rest-hook, id-only), over real HTTP against
// a real database: the organisation's API client creates Subscriptions over the FHIR API (bad ones refused with an
// OperationOutcome and nothing stored); a citizen's booking and message each arrive once, at the subscription of their
// topic only, as a notification Bundle naming the focus; the receiver reads the resource back with the client's token.
// Another organisation's client neither sees nor deletes them and hears nothing of the first organisation; DELETE
// stops the notifications.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import { atLocal, bookAppointment, cancelAppointment, isoWeekday, localDate, nextDate } from '../appointments/index.js';
import { createApiClient, fhir, tokenFor } from '../fhir/ingest.testkit.js';
import { loadBaseDefinitions, validateBase } from '../fhir/base/validate.js';
import { startCitizenConversation } from '../messages/conversations.js';
import type { Principal } from '../platform/db/principal.js';
import { runInScope, type DataScope } from '../platform/db/scope.js';
import { loginStaff } from '../staff/login.testkit.js';
import { Receiver } from './receiver.testkit.js';
import { PAYLOAD_CONTENT_EXT, TOPIC_BASE } from './subscriptions.js';

const RECEIVER_TOKEN = 'Bearer ontvanger-geheim-12345';

function subscription(endpoint: string, topic: string, extra: Record<string, unknown> = {}) {
  const { channel, ...rest } = extra as { channel?: Record<string, unknown> };
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'Afspraken naar het HIS',
    criteria: `${TOPIC_BASE}/${topic}`,
    channel: {
      type: 'rest-hook',
      endpoint,
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: PAYLOAD_CONTENT_EXT, valueCode: 'id-only' }] },
      ...channel,
    },
    ...rest,
  };
}

function nextMonday(): string {
  let d = nextDate(nextDate(nextDate(localDate(new Date()))));
  while (isoWeekday(d) !== 1) d = nextDate(d);
  return d;
}

interface Bundle {
  resourceType: string;
  type: string;
  entry: {
    fullUrl: string;
    resource?: { resourceType: string; parameter: { name: string; valueString?: string; part?: unknown[] }[] };
    request: { method: string; url: string };
  }[];
}

describe('FHIR Subscription for the organisation’s own system (MG-5, MG-13)', () => {
  let k: TestKoepel;
  let gp: string;
  let pharmacy: string;
  let suzanne: string;
  let portal: string;
  let gpToken: string;
  let pharmacyToken: string;
  let appointmentHook: Receiver;
  let messageHook: Receiver;
  let pharmacyHook: Receiver;
  let appointmentSub: string;
  let appointment: string;

  const citizen = (): Extract<Principal, { kind: 'citizen' }> => ({
    kind: 'citizen',
    citizenId: suzanne,
    portalId: portal,
  });
  const as = <T>(p: Principal, fn: (scope: DataScope) => Promise<T>) =>
    runInScope({ db: k.db, keys: k.koepel.keys }, p, fn);
  const run = async () => {
    await k.koepel.jobs.runUntilIdle();
    await k.koepel.jobs.runUntilIdle();
  };
  const endpoints = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from org_endpoint`.execute(k.db)).rows[0]?.n;

  before(async () => {
    loadBaseDefinitions(['Subscription', 'Parameters', 'Bundle']);
    k = await startKoepel({ KOEPEL_DELIVERY_RETRY_SECONDS: '0', KOEPEL_DELIVERY_MAX_ATTEMPTS: '3' });
    gp = await orgId(k.db, DEMO.gp);
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    gpToken = await tokenFor(k.url, await createApiClient(k.db, gp));
    pharmacyToken = await tokenFor(k.url, await createApiClient(k.db, pharmacy));
    appointmentHook = await Receiver.start('/fhir-hook/appointments');
    messageHook = await Receiver.start('/fhir-hook/messages');
    pharmacyHook = await Receiver.start('/fhir-hook/pharmacy');
  });
  after(async () => {
    await appointmentHook.close();
    await messageHook.close();
    await pharmacyHook.close();
    await k.close();
  });

  test('[MG-5] bad Subscriptions are refused with an OperationOutcome and nothing is stored', async () => {
    const url = appointmentHook.url;
    const without = (field: string) =>
      Object.fromEntries(Object.entries(subscription(url, 'appointment')).filter(([key]) => key !== field));
    const cases: [string, unknown, number, RegExp][] = [
      ['not a Subscription', { resourceType: 'Patient' }, 400, /must be a Subscription/],
      ['no criteria', without('criteria'), 400, /criteria is required/],
      ['no status', without('status'), 400, /status is required/],
      ['no reason', without('reason'), 400, /reason is required/],
      ['no channel', without('channel'), 400, /channel is required/],
      [
        'no endpoint',
        subscription(url, 'appointment', { channel: { endpoint: undefined } }),
        400,
        /channel.endpoint is required/,
      ],
      ['wrong channel type', subscription(url, 'appointment', { channel: { type: 'websocket' } }), 422, /rest-hook/],
      [
        'full-resource',
        subscription(url, 'appointment', {
          channel: { _payload: { extension: [{ url: PAYLOAD_CONTENT_EXT, valueCode: 'full-resource' }] } },
        }),
        422,
        /never pushes content/,
      ],
      [
        'no payload content extension (plain R4: the full resource)',
        subscription(url, 'appointment', { channel: { _payload: undefined } }),
        422,
        /id-only or empty/,
      ],
      [
        'xml payload',
        subscription(url, 'appointment', { channel: { payload: 'application/fhir+xml' } }),
        422,
        /fhir\+json/,
      ],
      ['unknown topic', subscription(url, 'vaccination'), 422, /Unknown topic/],
      [
        'a topic of another server',
        { ...subscription(url, 'appointment'), criteria: 'http://example.org/SubscriptionTopic/appointment' },
        422,
        /Unknown topic/,
      ],
      [
        'Observation?code=x criteria',
        { ...subscription(url, 'appointment'), criteria: 'Observation?code=x' },
        422,
        /Unknown topic/,
      ],
      ['ftp endpoint', subscription('ftp://his.example.nl/hook', 'appointment'), 422, /https URL/],
      ['userinfo', subscription('https://u:p@his.example.nl/hook', 'appointment'), 422, /user name/],
      ['status off', { ...subscription(url, 'appointment'), status: 'off' }, 422, /requested/],
      [
        'a header with a line break',
        subscription(url, 'appointment', { channel: { header: ['X-Test: a\r\nHost: evil'] } }),
        422,
        /header/,
      ],
      [
        'a reserved header',
        subscription(url, 'appointment', { channel: { header: ['Host: evil.example'] } }),
        422,
        /header/,
      ],
    ];
    for (const [name, body, status, words] of cases) {
      const r = await fhir(k.url, gpToken, 'POST', '/fhir/Subscription', body);
      assert.equal(r.status, status, name);
      const outcome = r.json as { resourceType: string; issue: { diagnostics: string }[] };
      assert.equal(outcome.resourceType, 'OperationOutcome', name);
      assert.match(outcome.issue.map((i) => i.diagnostics).join(' '), words, name);
    }
    // With the guard on (production): plain http and private addresses are refused, at creation too.
    const delivery = k.config.delivery;
    delivery.allowPrivate = false;
    try {
      for (const [endpoint, words] of [
        ['http://his.example.nl/hook', /https URL/],
        ['https://127.0.0.1/hook', /public address/],
        ['https://10.1.2.3/hook', /public address/],
        ['https://[::ffff:127.0.0.1]/hook', /public address/],
        ['https://his.internal/hook', /public address/],
        [url, /https URL/],
      ] as const) {
        const r = await fhir(k.url, gpToken, 'POST', '/fhir/Subscription', subscription(endpoint, 'appointment'));
        assert.equal(r.status, 422, endpoint);
        assert.match(JSON.stringify(r.json), words, endpoint);
      }
    } finally {
      delivery.allowPrivate = true;
    }
    // Only an API client: no token, or a citizen's session, sees no such type.
    const anonymous = await fhir(k.url, null, 'GET', '/fhir/Subscription');
    assert.equal(anonymous.status, 404);
    assert.equal((await fhir(k.url, null, 'POST', '/fhir/Subscription', subscription(url, 'appointment'))).status, 401);
    assert.equal(await endpoints(), 0, 'nothing stored');
  });

  test('[MG-5] [MG-13] the API client creates, reads and searches its Subscriptions; headers are sealed and never shown', async () => {
    const created = await fhir(
      k.url,
      gpToken,
      'POST',
      '/fhir/Subscription',
      subscription(appointmentHook.url, 'appointment', { channel: { header: [`Authorization: ${RECEIVER_TOKEN}`] } }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const resource = created.json as Record<string, unknown> & { id: string; status: string; channel: object };
    appointmentSub = resource.id;
    assert.equal(created.headers.get('location'), `${k.url}/fhir/Subscription/${appointmentSub}`);
    assert.equal(resource.status, 'active', 'requested becomes active');
    assert.deepEqual(validateBase(resource as unknown as { resourceType: string }), [], 'a valid R4 Subscription');
    assert.ok(!JSON.stringify(resource).includes('ontvanger-geheim'), 'the header is not shown back');

    const read = await fhir(k.url, gpToken, 'GET', `/fhir/Subscription/${appointmentSub}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.json, resource);

    const messages = await fhir(
      k.url,
      gpToken,
      'POST',
      '/fhir/Subscription',
      subscription(messageHook.url, 'message', {
        channel: { _payload: { extension: [{ url: PAYLOAD_CONTENT_EXT, valueCode: 'empty' }] } },
      }),
    );
    assert.equal(messages.status, 201);
    const mine = await fhir(k.url, gpToken, 'GET', '/fhir/Subscription');
    assert.equal(mine.status, 200);
    const bundle = mine.json as { type: string; total: number; entry: { resource: { id: string } }[] };
    assert.equal(bundle.type, 'searchset');
    assert.deepEqual(
      bundle.entry.map((e) => e.resource.id).sort(),
      [appointmentSub, (messages.json as { id: string }).id].sort(),
    );

    const row = await k.db
      .selectFrom('org_endpoint')
      .select(['headers_ciphertext', 'kind', 'organisation_id', 'secret_ciphertext'])
      .where('id', '=', appointmentSub)
      .executeTakeFirstOrThrow();
    assert.equal(row.kind, 'fhir-subscription');
    assert.equal(row.organisation_id, gp);
    assert.equal(row.secret_ciphertext, null);
    assert.ok(row.headers_ciphertext);
    assert.ok(!Buffer.from(row.headers_ciphertext).toString('latin1').includes('ontvanger-geheim'), 'sealed');
  });

  test('[MG-5] another organisation’s client can neither see nor delete them', async () => {
    const read = await fhir(k.url, pharmacyToken, 'GET', `/fhir/Subscription/${appointmentSub}`);
    assert.equal(read.status, 404);
    assert.equal((read.json as { resourceType: string }).resourceType, 'OperationOutcome');
    assert.equal((await fhir(k.url, pharmacyToken, 'DELETE', `/fhir/Subscription/${appointmentSub}`)).status, 404);
    const search = await fhir(k.url, pharmacyToken, 'GET', '/fhir/Subscription');
    assert.equal((search.json as { total: number }).total, 0);
    // The pharmacy subscribes to every citizen action of its own.
    const own = await fhir(
      k.url,
      pharmacyToken,
      'POST',
      '/fhir/Subscription',
      subscription(pharmacyHook.url, 'citizen-action'),
    );
    assert.equal(own.status, 201);
    assert.equal(
      (await fhir(k.url, gpToken, 'GET', `/fhir/Subscription/${(own.json as { id: string }).id}`)).status,
      404,
    );
    assert.equal(
      (await fhir(k.url, gpToken, 'GET', `/fhir/Subscription/${appointmentSub}`)).status,
      200,
      'still there',
    );
  });

  test('[MG-5] [MG-13] a booking and a message each arrive once, at their topic, as a notification Bundle naming the focus', async () => {
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
    appointment = (
      await as(citizen(), (s) =>
        bookAppointment(s, {
          organisationId: gp,
          citizenId: suzanne,
          typeId: consult,
          staffId: doctor.staffId,
          start: atLocal(monday, '10:00'),
          reason: 'Keelpijn sinds een week',
          reminderMinutes: null,
          idempotencyKey: null,
        }),
      )
    ).id;
    const conversation = await as(citizen(), (s) =>
      startCitizenConversation(s, citizen(), {
        organisationId: gp,
        addressedTo: null,
        subject: 'Vraag over mijn bloeddruk',
        body: 'Mijn bloeddruk is 180/110',
        files: [],
        key: crypto.randomUUID(),
        followsId: null,
      }),
    );
    await run();
    await run();

    assert.equal(appointmentHook.received.length, 1, 'the booking once, at the appointment topic only');
    assert.equal(messageHook.received.length, 1, 'the message once, at the message topic only');
    assert.equal(pharmacyHook.received.length, 0, 'the other organisation hears nothing');

    const [booked] = appointmentHook.received;
    assert.ok(booked);
    assert.equal(booked.headers['content-type'], 'application/fhir+json');
    assert.equal(booked.headers.authorization, RECEIVER_TOKEN, 'the header the receiver asked for');
    assert.equal(booked.headers['webhook-signature'], undefined, 'not a webhook');
    // (The blood pressure as written: "180" alone may turn up inside a random id or a time.)
    for (const secret of ['Keelpijn', 'bloeddruk', '180/110', suzanne]) assert.ok(!booked.raw.includes(secret), secret);
    const bundle = booked.body as unknown as Bundle;
    assert.deepEqual(validateBase(bundle as unknown as { resourceType: string }), [], 'a valid R4 Bundle');
    assert.equal(bundle.type, 'history');
    const status = bundle.entry[0]?.resource;
    assert.ok(status);
    assert.equal(status.resourceType, 'Parameters');
    assert.deepEqual(validateBase(status as unknown as { resourceType: string }), [], 'a valid Parameters');
    const param = (name: string) => status.parameter.find((p) => p.name === name) as Record<string, unknown>;
    assert.deepEqual(param('subscription').valueReference, {
      reference: `${k.url}/fhir/Subscription/${appointmentSub}`,
    });
    assert.equal(param('topic').valueCanonical, `${TOPIC_BASE}/appointment`);
    assert.equal(param('status').valueCode, 'active');
    assert.equal(param('type').valueCode, 'event-notification');
    assert.equal(param('events-since-subscription-start').valueString, '1');
    const focus = `${k.url}/fhir/Appointment/koepel-${appointment}`;
    assert.deepEqual(param('notification-event').part, [
      { name: 'event-number', valueString: '1' },
      {
        name: 'timestamp',
        valueInstant: (param('notification-event').part as { valueInstant?: string }[])[1]?.valueInstant,
      },
      { name: 'focus', valueReference: { reference: focus } },
    ]);
    assert.equal(bundle.entry[1]?.fullUrl, focus);
    assert.equal(bundle.entry.length, 2);

    // The receiver reads the resource back over the FHIR API with the client's token.
    const back = await fhir(k.url, gpToken, 'GET', `/fhir/Appointment/koepel-${appointment}`);
    assert.equal(back.status, 200);
    assert.equal((back.json as { resourceType: string }).resourceType, 'Appointment');
    assert.equal((await fhir(k.url, pharmacyToken, 'GET', `/fhir/Appointment/koepel-${appointment}`)).status, 404);

    // Content 'empty': the notification names no focus; the client searches for what is new.
    const empty = messageHook.received[0]?.body as unknown as Bundle;
    assert.equal(empty.entry.length, 1);
    assert.ok(!JSON.stringify(empty).includes(conversation));
    assert.ok(!JSON.stringify(empty).includes('focus'));

    // The delivery log shows them like webhook deliveries.
    const log = await k.db
      .selectFrom('org_delivery')
      .select(['event_type', 'state', 'event_number', 'endpoint_id'])
      .where('organisation_id', '=', gp)
      .orderBy('event_type')
      .execute();
    assert.deepEqual(
      log.map((l) => [l.event_type, l.state, Number(l.event_number)]),
      [
        ['appointment.booked', 'delivered', 1],
        ['message.created', 'delivered', 1],
      ],
    );
  });

  test('[MG-5] /fhir/metadata lists Subscription with create, read, search-type and delete', async () => {
    const cap = await fhir(k.url, null, 'GET', '/fhir/metadata');
    assert.equal(cap.status, 200);
    const rest = (cap.json as { rest: { resource?: { type: string; interaction: { code: string }[] }[] }[] }).rest;
    const entry = rest.flatMap((r) => r.resource ?? []).find((r) => r.type === 'Subscription');
    assert.ok(entry, 'Subscription listed');
    assert.deepEqual(entry.interaction.map((i) => i.code).sort(), ['create', 'delete', 'read', 'search-type']);
  });

  test('[MG-5] DELETE stops the notifications', async () => {
    const deleted = await fhir(k.url, gpToken, 'DELETE', `/fhir/Subscription/${appointmentSub}`);
    assert.equal(deleted.status, 204);
    assert.equal((await fhir(k.url, gpToken, 'GET', `/fhir/Subscription/${appointmentSub}`)).status, 404);
    assert.equal((await fhir(k.url, gpToken, 'DELETE', `/fhir/Subscription/${appointmentSub}`)).status, 404);
    assert.equal(((await fhir(k.url, gpToken, 'GET', '/fhir/Subscription')).json as { total: number }).total, 1);
    await as(citizen(), (s) => cancelAppointment(s, appointment));
    await run();
    assert.equal(appointmentHook.received.length, 1, 'nothing after the delete');
    assert.equal(messageHook.received.length, 1, 'not the message topic either');
    assert.equal(pharmacyHook.received.length, 0);
  });

  test('[MG-5] with the guard on, a delivery to a loopback http address is refused at delivery too', async () => {
    const delivery = k.config.delivery;
    delivery.allowPrivate = false;
    try {
      await as(citizen(), (s) =>
        startCitizenConversation(s, citizen(), {
          organisationId: gp,
          addressedTo: null,
          subject: 'Nog een vraag',
          body: 'Tweede bericht',
          files: [],
          key: crypto.randomUUID(),
          followsId: null,
        }),
      );
      await run();
    } finally {
      delivery.allowPrivate = true;
    }
    assert.equal(messageHook.received.length, 1, 'nothing new arrived');
    const last = await k.db
      .selectFrom('org_delivery')
      .select(['state', 'last_error', 'event_number'])
      .where('organisation_id', '=', gp)
      .where('event_type', '=', 'message.created')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.ok(last.state === 'failed' || last.state === 'dead', last.state);
    assert.equal(last.last_error, 'url-not-https');
    assert.equal(Number(last.event_number), 2, 'the second event of this subscription');
  });

  test('[MG-5] the admin screen lists the subscription among the endpoints, without a secret to rotate', async () => {
    const admin = await loginStaff(k.url, 'beheer@apotheekcentrum.example');
    const page = await admin.client.get('/staff/admin/deliveries');
    assert.equal(page.status, 200);
    assert.match(page.text, /FHIR Subscription \(citizen-action\)/);
    const [row] = await k.db
      .selectFrom('org_endpoint')
      .select('id')
      .where('organisation_id', '=', pharmacy)
      .where('kind', '=', 'fhir-subscription')
      .execute();
    assert.ok(row);
    assert.ok(page.text.includes(`/endpoints/${row.id}/deactivate`));
    assert.ok(!page.text.includes(`/endpoints/${row.id}/rotate`));
  });
});
