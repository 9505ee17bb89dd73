// The FHIR side of booking (issue 12, MG-5 and MG-6), over real HTTP against a real database: an organisation whose
// own system holds the agenda publishes a Schedule and free Slots; a citizen books one in Koepel ("aangevraagd");
// the system polls with _lastUpdated, reads the Appointment and confirms or refuses it; the citizen sees the answer.
// Also: a held slot is taken for everyone else and cannot be moved; another organisation's system sees nothing;
// only the allowed status changes pass (422 otherwise, nothing written); a stale If-Match is 412; pushed record
// Appointments keep working beside Koepel's bookings.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import type { Principal } from '../platform/db/principal.js';
import { runInScope, type DataScope } from '../platform/db/scope.js';
import {
  AppointmentRefused,
  agendaInputs,
  atLocal,
  bookAppointment,
  cancelAppointment,
  citizenAppointment,
  isoWeekday,
  localDate,
  nextDate,
  type Refusal,
} from '../appointments/index.js';
import { loadBaseDefinitions, validateBase } from './base/validate.js';
import { createApiClient, fhir, tokenFor, type FhirResponse, type TestApiClient } from './ingest.testkit.js';

type Json = Record<string, unknown>;

/** The first Monday at least three days ahead: inside the notice and horizon of the GP's Consult. */
function nextMonday(): string {
  let d = nextDate(nextDate(nextDate(localDate(new Date()))));
  while (isoWeekday(d) !== 1) d = nextDate(d);
  return d;
}

describe('booking over FHIR: Schedule, Slot and Appointment (MG-5)', () => {
  let k: TestKoepel;
  let gp: string;
  let his: TestApiClient;
  let other: TestApiClient;
  let hisToken: string;
  let otherToken: string;
  let suzanne: string;
  let pieter: string;
  let fatima: string;
  let portal: string;
  let consult: string;
  const monday = nextMonday();
  const at = (time: string) => atLocal(monday, time);

  const as = <T>(p: Principal, fn: (scope: DataScope) => Promise<T>) =>
    runInScope({ db: k.db, keys: k.koepel.keys }, p, fn);
  const citizen = (id: string): Principal => ({ kind: 'citizen', citizenId: id, portalId: portal });
  const call = (token: string | null, method: string, path: string, body?: unknown, headers: Json = {}) =>
    fhirWith(token, method, path, body, headers as Record<string, string>);

  async function fhirWith(
    token: string | null,
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<FhirResponse> {
    if (Object.keys(headers).length === 0) return fhir(k.url, token, method, path, body);
    const h: Record<string, string> = { accept: 'application/fhir+json', ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (body !== undefined) h['content-type'] = 'application/fhir+json';
    const res = await fetch(`${k.url}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  const schedule = (extra: Json = {}): Json => ({
    resourceType: 'Schedule',
    active: true,
    actor: [{ reference: 'Practitioner/dr-huisman', display: 'Dr. A. Huisman' }],
    ...extra,
  });
  const slot = (start: string, end: string, extra: Json = {}): Json => ({
    resourceType: 'Slot',
    schedule: { reference: 'Schedule/agenda-huisman' },
    status: 'free',
    start: at(start).toISOString(),
    end: at(end).toISOString(),
    appointmentType: { coding: [{ system: 'urn:test:his-afspraaktypen', code: 'CONS10' }] },
    ...extra,
  });
  const slotRow = (logicalId: string) =>
    k.db
      .selectFrom('appointment_slot')
      .selectAll()
      .where('organisation_id', '=', gp)
      .where('logical_id', '=', logicalId)
      .executeTakeFirstOrThrow();
  const refusal = async (p: Promise<unknown>): Promise<Refusal | 'ok'> => {
    try {
      await p;
      return 'ok';
    } catch (err) {
      if (err instanceof AppointmentRefused) return err.reason;
      throw err;
    }
  };
  const book = async (who: string, slotLogicalId: string, reason = '') => {
    const s = await slotRow(slotLogicalId);
    const start = (await sql<{ start: Date }>`select lower(${s.during}::tstzrange) as start`.execute(k.db)).rows[0]
      ?.start;
    return as(citizen(who), (scope) =>
      bookAppointment(scope, {
        organisationId: gp,
        citizenId: who,
        typeId: consult,
        staffId: null,
        slotId: s.id,
        start: start ?? new Date(0),
        reason,
        reminderMinutes: null,
        idempotencyKey: null,
      }),
    );
  };
  const bundleEntries = (r: FhirResponse) =>
    (((r.json as Json).entry ?? []) as { resource: Json }[]).map((e) => e.resource);
  const poll = async (token: string, query: string) => {
    const r = await call(token, 'GET', `/fhir/Appointment?${query}`);
    assert.equal(r.status, 200, r.text);
    return { total: (r.json as Json).total as number, items: bundleEntries(r), json: r.json as Json };
  };
  const participant = (a: Json, pred: (p: Json) => boolean) =>
    ((a.participant ?? []) as Json[]).find((p) => pred(p)) ?? null;
  const practitioner = (a: Json) =>
    participant(a, (p) => ((p.actor as Json | undefined)?.reference ?? '') === 'Practitioner/dr-huisman');
  const patientOf = (a: Json) => participant(a, (p) => (p.actor as Json | undefined)?.type === 'Patient');

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    fatima = await citizenId(k.db, k.koepel.keys, DEMO.fatima);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    // The GP's own system holds the agenda; its Consult has the code the system's slots carry.
    await k.db
      .updateTable('organisation')
      .set({
        agenda: 'external',
        functions: sql<string[]>`array_append(array_remove(functions, 'appointments'), 'appointments')`,
      })
      .where('id', '=', gp)
      .execute();
    consult = (
      await k.db
        .updateTable('appointment_type')
        .set({ code: 'CONS10' })
        .where('organisation_id', '=', gp)
        .where('name', '=', 'Consult')
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    his = await createApiClient(k.db, gp, 'HIS');
    other = await createApiClient(k.db, await orgId(k.db, DEMO.hospital), 'EPD');
    hisToken = await tokenFor(k.url, his);
    otherToken = await tokenFor(k.url, other);
    loadBaseDefinitions(['Appointment', 'Schedule', 'Slot', 'CapabilityStatement']);
  });
  after(async () => {
    await k.close();
  });

  test('[MG-5] the organisation’s system publishes a Schedule and Slots (PUT and a transaction Bundle); they are offered', async () => {
    const s = await call(hisToken, 'PUT', '/fhir/Schedule/agenda-huisman', schedule());
    assert.equal(s.status, 201, s.text);
    const a = await call(hisToken, 'PUT', '/fhir/Slot/slot-0900', slot('09:00', '09:10'));
    assert.equal(a.status, 201, a.text);
    // A transaction Bundle: a second Schedule and its Slots, referred to by fullUrl.
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:6a1b1f7e-0000-4000-8000-000000000001',
          resource: { ...schedule(), id: 'agenda-assistent', actor: [{ display: 'Assistente' }] },
          request: { method: 'PUT', url: 'Schedule/agenda-assistent' },
        },
        ...[
          ['slot-0910', '09:10', '09:20', 'urn:uuid:6a1b1f7e-0000-4000-8000-000000000001'],
          ['slot-0920', '09:20', '09:30', 'Schedule/agenda-huisman'],
          ['slot-0930', '09:30', '09:40', 'Schedule/agenda-huisman'],
        ].map(([id, from, to, ref]) => ({
          resource: { ...slot(from ?? '', to ?? ''), id, schedule: { reference: ref } },
          request: { method: 'PUT', url: `Slot/${id ?? ''}` },
        })),
      ],
    };
    const t = await call(hisToken, 'POST', '/fhir', bundle);
    assert.equal(t.status, 200, t.text);
    const slot0910 = await slotRow('slot-0910');
    assert.equal(
      (slot0910.resource as Json).schedule && ((slot0910.resource as Json).schedule as Json).reference,
      'Schedule/agenda-assistent',
    );
    assert.equal(slot0910.appointment_type_id, consult, 'the appointmentType code names the Consult');
    assert.equal(slot0910.status, 'free');
    // The citizen is offered these times (and nothing of the Koepel agenda, which the GP no longer uses).
    const inputs = await as(citizen(suzanne), (scope) => agendaInputs(scope.tx, gp, at('00:00'), at('23:59')));
    assert.deepEqual(
      inputs?.slots.map((x) => [x.start.toISOString(), x.actor]),
      [
        [at('09:00').toISOString(), 'Dr. A. Huisman'],
        [at('09:10').toISOString(), 'Assistente'],
        [at('09:20').toISOString(), 'Dr. A. Huisman'],
        [at('09:30').toISOString(), 'Dr. A. Huisman'],
      ],
    );
    // Read back by the provider; audited writes without a citizen.
    const back = await call(hisToken, 'GET', '/fhir/Slot/slot-0900');
    assert.equal(back.status, 200, back.text);
    assert.equal((back.json as Json).id, 'slot-0900');
    assert.equal(((back.json as Json).meta as Json).versionId, '1');
    const audits = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'citizen_id'])
      .where('event_code', 'like', 'agenda.resource.%')
      .execute();
    assert.ok(audits.length >= 6);
    assert.ok(audits.every((x) => x.citizen_id === null));
    // The system checks what it published: by Schedule and status, by _lastUpdated; another organisation sees none.
    const slots = await call(hisToken, 'GET', '/fhir/Slot?schedule=Schedule/agenda-huisman&status=free');
    assert.equal(slots.status, 200, slots.text);
    assert.deepEqual(
      bundleEntries(slots)
        .map((x) => String(x.id))
        .sort(), // one transaction: the same time, so in no particular order
      ['slot-0900', 'slot-0920', 'slot-0930'],
    );
    const schedules = await call(hisToken, 'GET', '/fhir/Schedule?_lastUpdated=gt2000-01-01T00:00:00Z');
    assert.equal((schedules.json as Json).total, 2);
    const future = new Date(Date.now() + 60_000).toISOString();
    // An offset instead of Z, even unencoded (+ reads as a space in a query string).
    const local = await call(hisToken, 'GET', '/fhir/Schedule?_lastUpdated=gt2000-01-01T01:00:00+01:00');
    assert.equal((local.json as Json).total, 2, local.text);
    assert.equal(((await call(hisToken, 'GET', `/fhir/Slot?_lastUpdated=gt${future}`)).json as Json).total, 0);
    assert.equal(((await call(otherToken, 'GET', '/fhir/Slot')).json as Json).total, 0);
    assert.equal((await call(hisToken, 'GET', '/fhir/Slot?actor=x')).status, 400);
    // A re-send without change is no new version.
    const again = await call(hisToken, 'PUT', '/fhir/Slot/slot-0900', slot('09:00', '09:10'));
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('etag'), 'W/"1"');
  });

  test('[MG-5] bad Schedules and Slots are refused and nothing is written', async () => {
    const before = await k.db
      .selectFrom('appointment_slot')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const cases: [string, Json][] = [
      ['Slot/s-unknown-schedule', slot('10:00', '10:10', { schedule: { reference: 'Schedule/nope' } })],
      ['Slot/s-end-before-start', slot('10:10', '10:00')],
      ['Slot/s-bad-status', slot('10:00', '10:10', { status: 'open' })],
      ['Slot/s-no-start', { ...slot('10:00', '10:10'), start: undefined }],
      ['Slot/s-unknown-field', slot('10:00', '10:10', { colour: 'red' })],
    ];
    for (const [path, body] of cases) {
      const r = await call(hisToken, 'PUT', `/fhir/${path}`, body);
      assert.ok(r.status === 400 || r.status === 422, `${path}: ${r.status} ${r.text}`);
      assert.equal((r.json as Json).resourceType, 'OperationOutcome');
    }
    // POST without an id: Schedules and Slots are kept by the sender's id.
    const post = await call(hisToken, 'POST', '/fhir/Slot', slot('10:00', '10:10'));
    assert.equal(post.status, 422, post.text);
    // Another organisation cannot hang a Slot on this Schedule, nor read or delete it.
    const foreign = await call(otherToken, 'PUT', '/fhir/Slot/slot-x', slot('10:00', '10:10'));
    assert.equal(foreign.status, 422, foreign.text);
    assert.equal((await call(otherToken, 'GET', '/fhir/Slot/slot-0900')).status, 404);
    assert.equal((await call(otherToken, 'GET', '/fhir/Schedule/agenda-huisman')).status, 404);
    assert.equal((await call(hisToken, 'DELETE', '/fhir/Slot/slot-0900')).status, 405);
    const afterCount = await k.db
      .selectFrom('appointment_slot')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(afterCount.n, before.n);
  });

  let suzannesBooking = '';

  test('[MG-5] [MG-6] a citizen books a slot; the system polls with _lastUpdated, reads the pending Appointment and confirms it; the citizen sees it confirmed', async () => {
    // The poll before: the system remembers when it last looked.
    const since = new Date(Date.now() - 1000).toISOString();
    const { id } = await book(suzanne, 'slot-0900', 'Controle <script>alert(1)</script> bloeddruk');
    suzannesBooking = id;
    const seen = await as(citizen(suzanne), (scope) => citizenAppointment(scope, suzanne, id));
    assert.equal(seen?.status, 'requested', 'aangevraagd until the system answers');
    assert.equal(seen?.staffName, 'Dr. A. Huisman');

    const { total, items, json } = await poll(hisToken, `_lastUpdated=gt${since}`);
    assert.equal(total, 1);
    assert.equal(items.length, 1);
    const a = items[0] ?? {};
    assert.equal(a.id, `koepel-${id}`);
    assert.equal(a.status, 'pending');
    assert.equal(a.start, at('09:00').toISOString());
    assert.equal(a.end, at('09:10').toISOString());
    assert.deepEqual(a.slot, [{ reference: 'Slot/slot-0900' }]);
    assert.deepEqual(a.appointmentType, { coding: [{ system: 'urn:test:his-afspraaktypen', code: 'CONS10' }] });
    assert.deepEqual(a.reasonCode, [{ text: 'Controle <script>alert(1)</script> bloeddruk' }]);
    assert.equal((a.meta as Json).versionId, '1');
    assert.equal(practitioner(a)?.status, 'needs-action');
    assert.equal(patientOf(a)?.status, 'accepted');
    // The Patient as this organisation knows it: it never sent one, so the citizen's id (what its references name).
    assert.equal(((patientOf(a)?.actor ?? {}) as Json).reference, `Patient/${suzanne}`);
    assert.deepEqual(validateBase(a as Json & { resourceType: string }), [], 'a valid R4 Appointment');
    assert.equal(((json.link as Json[])[0] ?? {}).relation, 'self');
    // status and patient narrow the poll; an unknown patient matches nothing.
    assert.equal((await poll(hisToken, `status=pending&patient=Patient/${suzanne}`)).total, 1);
    assert.equal((await poll(hisToken, 'status=booked')).total, 0);
    assert.equal((await poll(hisToken, `patient=Patient/${pieter}`)).total, 0);
    assert.equal((await poll(hisToken, 'patient=Patient/nobody')).total, 0);
    // Every read is in the citizen's access log, before the data.
    const audited = await k.db
      .selectFrom('audit_log')
      .select('event_code')
      .where('citizen_id', '=', suzanne)
      .where('event_code', '=', 'fhir.provider.appointment.search')
      .execute();
    assert.ok(audited.length >= 1);

    // The read by id, with its ETag.
    const read = await call(hisToken, 'GET', `/fhir/Appointment/koepel-${id}`);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.headers.get('etag'), 'W/"1"');
    assert.equal(
      (await call(hisToken, 'GET', `/fhir/Appointment/koepel-${id}`, undefined, { 'if-none-match': 'W/"1"' })).status,
      304,
    );

    // Confirm: the whole Appointment back, status booked, the practitioner accepted.
    const confirmed = {
      ...(read.json as Json),
      status: 'booked',
      participant: ((read.json as Json).participant as Json[]).map((p) => ({ ...p, status: 'accepted' })),
    };
    const put = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${id}`, confirmed, {
      'if-match': 'W/"1"',
      prefer: 'return=representation',
    });
    assert.equal(put.status, 200, put.text);
    assert.equal((put.json as Json).status, 'booked');
    assert.equal(put.headers.get('etag'), 'W/"2"');
    assert.equal(practitioner(put.json as Json)?.status, 'accepted');

    const now = await as(citizen(suzanne), (scope) => citizenAppointment(scope, suzanne, id));
    assert.equal(now?.status, 'booked', 'the citizen sees it confirmed');
    assert.equal(now?.changedBy, 'system');
    // The next poll sees the change (and only it).
    const later = await poll(hisToken, `_lastUpdated=gt${since}&status=booked`);
    assert.equal(later.total, 1);
    // Sending the same answer again changes nothing.
    const same = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${id}`, confirmed);
    assert.equal(same.status, 200, same.text);
    assert.equal(same.headers.get('etag'), 'W/"2"');
  });

  test('[MG-6] a second citizen cannot book the held slot; the system cannot move or withdraw it while held', async () => {
    assert.equal(await refusal(book(pieter, 'slot-0900')), 'taken');
    const moved = await call(hisToken, 'PUT', '/fhir/Slot/slot-0900', slot('11:00', '11:10'));
    assert.equal(moved.status, 409, moved.text);
    const withdrawn = await call(
      hisToken,
      'PUT',
      '/fhir/Slot/slot-0900',
      slot('09:00', '09:10', { status: 'busy-unavailable' }),
    );
    assert.equal(withdrawn.status, 409, withdrawn.text);
    const other = await call(hisToken, 'PUT', '/fhir/Slot/slot-0900', {
      ...slot('09:00', '09:10'),
      schedule: { reference: 'Schedule/agenda-assistent' },
    });
    assert.equal(other.status, 409, other.text);
    // Marking it busy in its own agenda is fine: the system notes the booking.
    const busy = await call(hisToken, 'PUT', '/fhir/Slot/slot-0900', slot('09:00', '09:10', { status: 'busy' }));
    assert.equal(busy.status, 200, busy.text);
    const row = await slotRow('slot-0900');
    assert.equal(row.status, 'busy');
    assert.equal(row.version, 2);
    // A free slot can be moved and withdrawn.
    assert.equal((await call(hisToken, 'PUT', '/fhir/Slot/slot-0930', slot('09:40', '09:50'))).status, 200);
    assert.equal(
      (await call(hisToken, 'PUT', '/fhir/Slot/slot-0930', slot('09:40', '09:50', { status: 'entered-in-error' })))
        .status,
      200,
    );
    const inputs = await as(citizen(pieter), (scope) => agendaInputs(scope.tx, gp, at('00:00'), at('23:59')));
    assert.deepEqual(
      inputs?.slots.map((x) => x.start.toISOString()),
      [at('09:10').toISOString(), at('09:20').toISOString()],
    );
  });

  test('[MG-5] [MG-6] the system refuses a request: the citizen sees it refused and the slot is free again', async () => {
    const { id } = await book(pieter, 'slot-0920');
    const read = await call(hisToken, 'GET', `/fhir/Appointment/koepel-${id}`);
    assert.equal(read.status, 200, read.text);
    const refused = {
      ...(read.json as Json),
      status: 'cancelled',
      cancelationReason: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason', code: 'prov' }],
      },
      participant: ((read.json as Json).participant as Json[]).map((p) =>
        (p.actor as Json).type === 'Patient' ? p : { ...p, status: 'declined' },
      ),
    };
    const put = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${id}`, refused, { 'if-match': 'W/"1"' });
    assert.equal(put.status, 200, put.text);
    assert.equal((put.json as Json).resourceType, 'OperationOutcome');
    const seen = await as(citizen(pieter), (scope) => citizenAppointment(scope, pieter, id));
    assert.equal(seen?.status, 'refused');
    assert.equal(seen?.changedBy, 'system');
    const back = await call(hisToken, 'GET', `/fhir/Appointment/koepel-${id}`);
    assert.equal((back.json as Json).status, 'cancelled');
    assert.equal(practitioner(back.json as Json)?.status, 'declined');
    assert.deepEqual(validateBase(back.json as Json & { resourceType: string }), []);
    // The slot is offered again, and another citizen books it.
    const again = await book(fatima, 'slot-0920');
    assert.ok(again.id);
    // A citizen who cancels: the system reads cancelled, the patient declined.
    await as(citizen(fatima), (scope) => cancelAppointment(scope, again.id));
    const cancelled = await call(hisToken, 'GET', `/fhir/Appointment/koepel-${again.id}`);
    assert.equal((cancelled.json as Json).status, 'cancelled');
    assert.equal(patientOf(cancelled.json as Json)?.status, 'declined');
    assert.equal((((cancelled.json as Json).cancelationReason as Json).coding as Json[])[0]?.code, 'pat');
  });

  test('[MG-5] only pending → booked, pending → cancelled and booked → cancelled pass; anything else is 422 and nothing changes', async () => {
    const read = async (id: string) => (await call(hisToken, 'GET', `/fhir/Appointment/koepel-${id}`)).json as Json;
    const version = async (id: string) =>
      await k.db.selectFrom('appointment').select(['version', 'status']).where('id', '=', id).executeTakeFirstOrThrow();
    const booked = await read(suzannesBooking);
    for (const status of ['pending', 'proposed', 'arrived', 'fulfilled', 'noshow', 'entered-in-error']) {
      const r = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${suzannesBooking}`, { ...booked, status });
      assert.equal(r.status, 422, `${status}: ${r.text}`);
      assert.equal((r.json as Json).resourceType, 'OperationOutcome');
    }
    // A changed time is not an answer.
    const moved = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${suzannesBooking}`, {
      ...booked,
      start: at('10:00').toISOString(),
      end: at('10:10').toISOString(),
    });
    assert.equal(moved.status, 422, moved.text);
    // Not FHIR at all.
    const bad = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${suzannesBooking}`, {
      ...booked,
      status: 'yes',
    });
    assert.equal(bad.status, 422, bad.text);
    assert.deepEqual(await version(suzannesBooking), { version: 2, status: 'booked' });

    // A pending one: booked with the practitioner still needs-action is contradictory.
    const { id } = await book(pieter, 'slot-0910');
    const pending = await read(id);
    const contradictory = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${id}`, {
      ...pending,
      status: 'booked',
    });
    assert.equal(contradictory.status, 422, contradictory.text);
    const fulfilled = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${id}`, {
      ...pending,
      status: 'fulfilled',
    });
    assert.equal(fulfilled.status, 422);
    assert.deepEqual(await version(id), { version: 1, status: 'requested' });

    // A refused one stays refused.
    const refusedRow = await k.db
      .selectFrom('appointment')
      .select('id')
      .where('status', '=', 'refused')
      .executeTakeFirstOrThrow();
    const refused = await read(refusedRow.id);
    const revive = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${refusedRow.id}`, {
      ...refused,
      status: 'booked',
    });
    assert.equal(revive.status, 422, revive.text);

    // The organisation cancels a booked appointment: allowed.
    const cancel = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${suzannesBooking}`, {
      ...booked,
      status: 'cancelled',
    });
    assert.equal(cancel.status, 200, cancel.text);
    const seen = await as(citizen(suzanne), (scope) => citizenAppointment(scope, suzanne, suzannesBooking));
    assert.equal(seen?.status, 'cancelled');
  });

  test('[MG-5] a stale If-Match is 412 and writes nothing; a malformed one is 400', async () => {
    assert.equal((await call(hisToken, 'PUT', '/fhir/Slot/slot-1000', slot('10:00', '10:10'))).status, 201);
    const { id } = await book(suzanne, 'slot-1000');
    const current = (await call(hisToken, 'GET', `/fhir/Appointment/koepel-${id}`)).json as Json;
    const confirm = {
      ...current,
      status: 'booked',
      participant: (current.participant as Json[]).map((p) => ({ ...p, status: 'accepted' })),
    };
    const stale = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${id}`, confirm, { 'if-match': 'W/"7"' });
    assert.equal(stale.status, 412, stale.text);
    const malformed = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${id}`, confirm, { 'if-match': 'seven' });
    assert.equal(malformed.status, 400, malformed.text);
    const row = await k.db
      .selectFrom('appointment')
      .select(['status', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'requested', version: 1 });
    const ok = await call(hisToken, 'PUT', `/fhir/Appointment/koepel-${id}`, confirm, { 'if-match': 'W/"1"' });
    assert.equal(ok.status, 200, ok.text);
  });

  test('[MG-5] the system confirms while the citizen cancels, at once: no error, and the outcome is one of the two orders', async () => {
    assert.equal((await call(hisToken, 'PUT', '/fhir/Slot/slot-1100', slot('11:00', '11:10'))).status, 201);
    const { id } = await book(fatima, 'slot-1100');
    const current = (await call(hisToken, 'GET', `/fhir/Appointment/koepel-${id}`)).json as Json;
    const confirm = {
      ...current,
      status: 'booked',
      participant: (current.participant as Json[]).map((p) => ({ ...p, status: 'accepted' })),
    };
    const [answer, cancelled] = await Promise.all([
      call(hisToken, 'PUT', `/fhir/Appointment/koepel-${id}`, confirm, { 'if-match': 'W/"1"' }),
      refusal(as(citizen(fatima), (scope) => cancelAppointment(scope, id))),
    ]);
    assert.equal(cancelled, 'ok', 'the citizen may cancel a requested or a booked appointment');
    const row = await k.db
      .selectFrom('appointment')
      .select(['status', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'cancelled');
    if (answer.status === 200) assert.equal(row.version, 3, 'confirmed, then cancelled');
    else {
      assert.equal(answer.status, 412, answer.text);
      assert.equal(row.version, 2, 'cancelled; the confirmation named a version that was gone');
    }
  });

  test('[MG-5] another organisation’s system sees none of these bookings: its poll is empty, ids are 404', async () => {
    const any = await k.db
      .selectFrom('appointment')
      .select(['id', 'status', 'version'])
      .where('organisation_id', '=', gp)
      .orderBy('id')
      .execute();
    assert.ok(any.length >= 3);
    const { total, items } = await poll(otherToken, '_lastUpdated=gt2000-01-01T00:00:00Z');
    assert.equal(total, 0);
    assert.deepEqual(items, []);
    for (const { id } of any) {
      assert.equal((await call(otherToken, 'GET', `/fhir/Appointment/koepel-${id}`)).status, 404);
      const put = await call(otherToken, 'PUT', `/fhir/Appointment/koepel-${id}`, {
        resourceType: 'Appointment',
        id: `koepel-${id}`,
        status: 'cancelled',
        participant: [{ actor: { display: 'x' }, status: 'declined' }],
      });
      assert.equal(put.status, 404, put.text);
    }
    const unchanged = await k.db
      .selectFrom('appointment')
      .select(['id', 'status', 'version'])
      .where('organisation_id', '=', gp)
      .orderBy('id')
      .execute();
    assert.deepEqual(unchanged, any, 'nothing changed');
    // Malformed and unknown booking ids: 404, never an error.
    assert.equal((await call(hisToken, 'GET', '/fhir/Appointment/koepel-not-a-uuid')).status, 404);
    assert.equal(
      (await call(hisToken, 'GET', '/fhir/Appointment/koepel-00000000-0000-4000-8000-000000000000')).status,
      404,
    );
    // A citizen's session or no token at all cannot poll.
    assert.equal((await call(null, 'GET', '/fhir/Appointment?_lastUpdated=gt2000-01-01T00:00:00Z')).status, 401);
    // Bad query parameters: 400 with the parameter's name only.
    for (const q of ['_lastUpdated=2026-01-01', '_lastUpdated=gt2026-01-01', 'date=ge2026-01-01', '_count=9999']) {
      const r = await call(hisToken, 'GET', `/fhir/Appointment?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
    }
  });

  test('[MG-5] pushed record Appointments keep working beside Koepel’s bookings; a koepel- id cannot be pushed', async () => {
    const recordAppointment = {
      resourceType: 'Appointment',
      status: 'booked',
      description: 'Controle',
      start: '2027-01-10T09:00:00+01:00',
      end: '2027-01-10T09:15:00+01:00',
      participant: [
        {
          actor: { identifier: { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: DEMO.suzanne } },
          status: 'accepted',
        },
      ],
    };
    const put = await call(hisToken, 'PUT', '/fhir/Appointment/his-afspraak-1', recordAppointment);
    assert.equal(put.status, 201, put.text);
    const back = await call(hisToken, 'GET', '/fhir/Appointment/his-afspraak-1');
    assert.equal(back.status, 200, back.text);
    assert.equal((back.json as Json).description, 'Controle');
    // The poll still answers Koepel's bookings only.
    const { items } = await poll(hisToken, '_lastUpdated=gt2000-01-01T00:00:00Z');
    assert.ok(items.every((a) => String(a.id).startsWith('koepel-')));
    // A pushed Appointment cannot take a Koepel booking's id, not in a Bundle either.
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { ...recordAppointment, id: `koepel-${suzannesBooking}` },
          request: { method: 'PUT', url: `Appointment/koepel-${suzannesBooking}` },
        },
      ],
    };
    const t = await call(hisToken, 'POST', '/fhir', bundle);
    assert.ok(t.status >= 400 && t.status < 500, t.text);
    assert.equal(
      await k.db.selectFrom('record_resource').select('id').where('logical_id', 'like', 'koepel-%').executeTakeFirst(),
      undefined,
    );
  });

  test('[MG-5] a booking in Koepel’s own agenda reaches the organisation’s system too: booked, and it may cancel it', async () => {
    const physio = await orgId(k.db, DEMO.physio);
    const client = await createApiClient(k.db, physio, 'Fysio-EPD');
    const token = await tokenFor(k.url, client);
    const type = await k.db
      .selectFrom('appointment_type')
      .select('id')
      .where('organisation_id', '=', physio)
      .where('name', '=', 'Behandeling')
      .executeTakeFirstOrThrow();
    const since = new Date(Date.now() - 1000).toISOString();
    const { id } = await as(citizen(pieter), (scope) =>
      bookAppointment(scope, {
        organisationId: physio,
        citizenId: pieter,
        typeId: type.id,
        staffId: null,
        start: at('08:00'),
        reason: '',
        reminderMinutes: null,
        idempotencyKey: null,
      }),
    );
    const { items } = await poll(token, `_lastUpdated=gt${since}`);
    assert.equal(items.length, 1);
    const a = items[0] ?? {};
    assert.equal(a.id, `koepel-${id}`);
    assert.equal(a.status, 'booked');
    assert.equal(a.slot, undefined);
    const performer = participant(a, (p) => Array.isArray(p.type));
    assert.equal(performer?.status, 'accepted');
    assert.ok(typeof (performer?.actor as Json | undefined)?.display === 'string');
    assert.deepEqual(validateBase(a as Json & { resourceType: string }), []);
    // The GP's system does not see it.
    assert.ok((await poll(hisToken, `_lastUpdated=gt${since}`)).items.every((x) => x.id !== `koepel-${id}`));
    const cancel = await call(token, 'PUT', `/fhir/Appointment/koepel-${id}`, { ...a, status: 'cancelled' });
    assert.equal(cancel.status, 200, cancel.text);
    const seen = await as(citizen(pieter), (scope) => citizenAppointment(scope, pieter, id));
    assert.equal(seen?.status, 'cancelled');
    assert.equal(seen?.changedBy, 'system');
  });

  test('[MG-5] the CapabilityStatement lists Schedule, Slot and the Appointment interactions', async () => {
    const r = await call(null, 'GET', '/fhir/metadata');
    assert.equal(r.status, 200);
    const resources = (((r.json as Json).rest as Json[])[0]?.resource ?? []) as Json[];
    const of = (type: string) => resources.find((x) => x.type === type);
    for (const type of ['Schedule', 'Slot']) {
      const codes = ((of(type)?.interaction ?? []) as Json[]).map((i) => i.code);
      assert.ok(codes.includes('update') && codes.includes('read'), `${type}: ${codes.join(',')}`);
    }
    const appointment = of('Appointment');
    assert.match(String(appointment?.documentation), /koepel-/);
    assert.deepEqual(validateBase(r.json as Json & { resourceType: string }), []);
  });
});
