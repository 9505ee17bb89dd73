// Issue 14 (MG-10): where each e-mail event comes from. Every event is caused through its real path — the citizen's
// and the employee's capability functions, the organisation's system over FHIR — and the test reads the job table
// (as the workers do, system purpose 'jobs') for exactly the 'email.notification' jobs that cause queued: one per
// cause with { citizenId, event, organisationId }, and none for what should not notify (the citizen's own message,
// move or cancellation, a re-read, a request not yet confirmed). Reminders: moved, cancelled, never in the past.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../../test/support/principals.js';
import {
  atLocal,
  bookAppointment,
  cancelAppointment,
  isoWeekday,
  localDate,
  moveAppointment,
  nextDate,
  setReminder,
} from '../../appointments/index.js';
import { BSN_SYSTEM } from '../../fhir/datatypes.js';
import { createApiClient, fhir, tokenFor } from '../../fhir/ingest.testkit.js';
import { changeStatus, orderOffers, placeOrder } from '../../medication-orders/index.js';
import {
  citizenReply,
  startCitizenConversation,
  staffAnswer,
  startConversation,
} from '../../messages/conversations.js';
import { withPrincipal, type Principal } from '../../platform/db/principal.js';
import { runInScope, type DataScope } from '../../platform/db/scope.js';
import { EMAIL_NOTIFICATION_JOB } from '../events.js';
import { ALMOST_FINISHED_DAYS } from './medicines.js';

type Json = Record<string, unknown>;
interface JobRow {
  id: string;
  payload: Json;
  key: string | null;
  runAt: Date;
}

const JOBS: Principal = { kind: 'system', purpose: 'jobs' };

function nextMonday(): string {
  let d = nextDate(nextDate(nextDate(localDate(new Date()))));
  while (isoWeekday(d) !== 1) d = nextDate(d);
  return d;
}

describe('[MG-10] the sources of the e-mail events', () => {
  let k: TestKoepel;
  let gp: string;
  let pharmacy: string;
  let hospital: string;
  let suzanne: string;
  let pieter: string;
  let portal: string;
  let consult: string;
  let doctor: Extract<Principal, { kind: 'staff' }>;
  let pharmacist: Extract<Principal, { kind: 'staff' }>;
  let gpToken: string;
  let pharmacyToken: string;
  let hospitalToken: string;
  let mark = '0';
  const monday = nextMonday();

  const as = <T>(p: Principal, fn: (scope: DataScope) => Promise<T>) =>
    runInScope({ db: k.db, keys: k.koepel.keys }, p, fn);
  const citizen = (id: string): Extract<Principal, { kind: 'citizen' }> => ({
    kind: 'citizen',
    citizenId: id,
    portalId: portal,
  });

  /** The notification jobs queued since the last call (in order), read as the workers read them. */
  async function queued(): Promise<JobRow[]> {
    const rows = await withPrincipal(k.db, JOBS, (tx) =>
      tx
        .selectFrom('job')
        .select(['id', 'payload', 'idempotency_key', 'run_at'])
        .where('kind', '=', EMAIL_NOTIFICATION_JOB)
        .where(sql<boolean>`id > ${mark}::bigint`)
        .orderBy('id')
        .execute(),
    );
    if (rows.length > 0) mark = String(rows[rows.length - 1]?.id);
    return rows.map((r) => ({
      id: String(r.id),
      payload: r.payload as Json,
      key: r.idempotency_key,
      runAt: new Date(r.run_at),
    }));
  }
  const events = async () => (await queued()).map((j) => j.payload);
  async function job(key: string): Promise<{ runAt: Date; state: string } | null> {
    const row = await withPrincipal(k.db, JOBS, (tx) =>
      tx
        .selectFrom('job')
        .select(['run_at', 'state'])
        .where('kind', '=', EMAIL_NOTIFICATION_JOB)
        .where('idempotency_key', '=', key)
        .executeTakeFirst(),
    );
    return row ? { runAt: new Date(row.run_at), state: row.state } : null;
  }
  const note = (citizenId: string, event: string, organisationId: string) => ({ citizenId, event, organisationId });

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    hospital = await orgId(k.db, DEMO.hospital);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    doctor = await staffPrincipal(k.db, 'huisarts@delinde.example', ['messages:read']);
    pharmacist = await staffPrincipal(k.db, 'apotheker@apotheekcentrum.example', ['medication:orders']);
    consult = (
      await k.db
        .selectFrom('appointment_type')
        .select('id')
        .where('organisation_id', '=', gp)
        .where('name', '=', 'Consult')
        .executeTakeFirstOrThrow()
    ).id;
    gpToken = await tokenFor(k.url, await createApiClient(k.db, gp, 'HIS'));
    pharmacyToken = await tokenFor(k.url, await createApiClient(k.db, pharmacy, 'AIS'));
    hospitalToken = await tokenFor(k.url, await createApiClient(k.db, hospital, 'EPD'));
    // The demo's own "new data" messages are unread: the citizens have looked at them (new ones mail again).
    await k.db.updateTable('system_message').set({ read_at: new Date() }).where('read_at', 'is', null).execute();
    // The demo seed's history (its records arrive as the organisations' systems) is not news: no jobs left; and the
    // owner's own writes above, with no principal, queue nothing.
    assert.deepEqual(await queued(), []);
  });
  after(async () => {
    await k.close();
  });

  test('[MG-10] messages: a staff reply to the citizen’s question is question-answered; a conversation staff or the system start is message-from-provider; the citizen’s own messages queue nothing', async () => {
    const started = await as(citizen(suzanne), (s) =>
      startCitizenConversation(s, citizen(suzanne), {
        organisationId: gp,
        addressedTo: null,
        subject: 'Uitslag',
        body: 'Is mijn uitslag binnen?',
        files: [],
        key: randomUUID(),
        followsId: null,
      }),
    );
    assert.deepEqual(await events(), [], 'the citizen’s own question mails nobody');
    const answered = await as(doctor, (s) =>
      staffAnswer(s, doctor, started, { body: 'Ja, alles goed.', files: [], key: randomUUID() }),
    );
    assert.equal(answered, true);
    const jobs = await queued();
    assert.deepEqual(
      jobs.map((j) => j.payload),
      [note(suzanne, 'question-answered', gp)],
    );
    assert.match(jobs[0]?.key ?? '', /^message:[0-9a-f-]{36}$/);
    assert.equal(JSON.stringify(jobs[0]?.payload).includes('goed'), false, 'no content in the payload');

    const opened = await as(doctor, (s) =>
      startConversation(s, { organisationId: gp, citizenId: pieter, subject: 'Controle', body: 'Wilt u bellen?' }),
    );
    assert.deepEqual(await events(), [note(pieter, 'message-from-provider', gp)]);
    await as(citizen(pieter), (s) =>
      citizenReply(s, citizen(pieter), opened, { body: 'Doe ik.', files: [], key: randomUUID() }),
    );
    assert.deepEqual(await events(), [], 'the citizen’s reply mails nobody');

    // The organisation's own system over FHIR: a new conversation, and an answer in the citizen's one.
    const made = await fhir(k.url, gpToken, 'POST', '/fhir/Communication', {
      resourceType: 'Communication',
      status: 'completed',
      sender: { type: 'Practitioner', display: 'Dr. A. Huisman' },
      subject: { reference: `Patient/${pieter}` },
      topic: { text: 'Uw uitslag' },
      payload: [{ contentString: 'De uitslag is binnen.' }],
    });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(await events(), [note(pieter, 'message-from-provider', gp)]);
  });

  test('[MG-10] new data: a lab result is new-test-result, other data record-changed — one mail while the citizen has not looked; another organisation’s data is its own', async () => {
    const observation = (id: string) => ({
      resourceType: 'Observation',
      identifier: [{ system: 'urn:test:mg10', value: id }],
      status: 'final',
      code: {
        coding: [{ system: 'http://loinc.org', code: '59260-0', display: 'Hemoglobin [Moles/volume] in Blood' }],
      },
      subject: { identifier: { system: BSN_SYSTEM, value: DEMO.suzanne } },
      effectiveDateTime: '2026-10-01T09:00:00+02:00',
      valueQuantity: { value: 8.1, unit: 'mmol/L' },
    });
    const first = await fhir(k.url, hospitalToken, 'PUT', '/fhir/Observation/mg10-hb-1', observation('hb-1'));
    assert.equal(first.status, 201, first.text);
    assert.deepEqual(await events(), [note(suzanne, 'new-test-result', hospital)]);
    const second = await fhir(k.url, hospitalToken, 'PUT', '/fhir/Observation/mg10-hb-2', observation('hb-2'));
    assert.equal(second.status, 201, second.text);
    assert.deepEqual(await events(), [], 'the first message is unread: no second mail');
    const changed = await fhir(k.url, hospitalToken, 'PUT', '/fhir/Observation/mg10-hb-1', {
      ...observation('hb-1'),
      valueQuantity: { value: 8.4, unit: 'mmol/L' },
    });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual(await events(), [], 'a changed result is no new data');
    // The citizen read it: the next result mails again.
    await k.db
      .updateTable('system_message')
      .set({ read_at: new Date() })
      .where('citizen_id', '=', suzanne)
      .where('read_at', 'is', null)
      .execute();
    assert.equal(
      (await fhir(k.url, hospitalToken, 'PUT', '/fhir/Observation/mg10-hb-3', observation('hb-3'))).status,
      201,
    );
    assert.deepEqual(await events(), [note(suzanne, 'new-test-result', hospital)]);

    // Other data (an allergy: category sensitivities) at the GP.
    const allergy = await fhir(k.url, gpToken, 'PUT', '/fhir/AllergyIntolerance/mg10-a1', {
      resourceType: 'AllergyIntolerance',
      identifier: [{ system: 'urn:test:mg10', value: 'a1' }],
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
      },
      code: { text: 'Penicilline' },
      patient: { identifier: { system: BSN_SYSTEM, value: DEMO.suzanne } },
    });
    assert.equal(allergy.status, 201, allergy.text);
    assert.deepEqual(await events(), [note(suzanne, 'record-changed', gp)]);
  });

  const dispense = (bsn: string, id: string, days: number, handed = new Date()) => ({
    resourceType: 'MedicationDispense',
    identifier: [{ system: 'urn:test:mg10', value: id }],
    status: 'completed',
    medicationCodeableConcept: { text: 'Metformine 500 mg tablet' },
    subject: { identifier: { system: BSN_SYSTEM, value: bsn } },
    quantity: { value: 2 * days, unit: 'stuk' },
    daysSupply: { value: days, unit: 'dag', system: 'http://unitsofmeasure.org', code: 'd' },
    whenHandedOver: handed.toISOString(),
  });

  test('[MG-10] the pharmacy dispenses on its own: medicines-repeated, and medicines-almost-finished scheduled before the supply ends; moved when it changes; none in the past', async () => {
    const before = Date.now();
    const r = await fhir(
      k.url,
      pharmacyToken,
      'PUT',
      '/fhir/MedicationDispense/mg10-d1',
      dispense(DEMO.pieter, 'd1', 30),
    );
    assert.equal(r.status, 201, r.text);
    const jobs = await queued();
    const byEvent = new Map(jobs.map((j) => [j.payload.event, j]));
    assert.deepEqual(jobs.map((j) => j.payload.event).sort(), [
      'medicines-almost-finished',
      'medicines-repeated',
      'record-changed',
    ]);
    for (const j of jobs) assert.deepEqual(j.payload, note(pieter, String(j.payload.event), pharmacy));
    const reminder = byEvent.get('medicines-almost-finished');
    assert.ok(reminder);
    const expected = before + (30 - ALMOST_FINISHED_DAYS) * 86_400_000;
    assert.ok(Math.abs(reminder.runAt.getTime() - expected) < 60_000, 'run_at: the supply’s end less the notice');
    assert.ok(byEvent.get('medicines-repeated')?.runAt.getTime() ?? Infinity <= Date.now());

    // The pharmacy corrects the dispense to 60 days: the queued reminder moves, no second job, no second "repeated".
    const moved = await fhir(
      k.url,
      pharmacyToken,
      'PUT',
      '/fhir/MedicationDispense/mg10-d1',
      dispense(DEMO.pieter, 'd1', 60),
    );
    assert.equal(moved.status, 200, moved.text);
    assert.deepEqual(await events(), []);
    const after60 = await job(reminder.key ?? '');
    assert.ok(after60 && after60.runAt.getTime() - reminder.runAt.getTime() > 29 * 86_400_000);
    // Corrected to 3 days: the moment has passed, the reminder is dropped.
    assert.equal(
      (await fhir(k.url, pharmacyToken, 'PUT', '/fhir/MedicationDispense/mg10-d1', dispense(DEMO.pieter, 'd1', 3)))
        .status,
      200,
    );
    assert.equal(await job(reminder.key ?? ''), null);
    // A short supply: medicines-repeated only, never a reminder in the past.
    assert.equal(
      (await fhir(k.url, pharmacyToken, 'PUT', '/fhir/MedicationDispense/mg10-d2', dispense(DEMO.pieter, 'd2', 5)))
        .status,
      201,
    );
    assert.deepEqual(await events(), [note(pieter, 'medicines-repeated', pharmacy)]);
  });

  test('[MG-10] repeat medication: the pharmacy handling the citizen’s order is medication-request; the order itself, the citizen’s cancellation and the dispense after the order are not "repeated"', async () => {
    const order = await as(citizen(suzanne), async (scope) => {
      await scope.audit({ event: 'test', action: 'R', citizenId: suzanne });
      const offer = (await orderOffers(scope, citizen(suzanne))).find((o) => o.organisationId === pharmacy);
      assert.ok(offer && offer.medicines.length > 0);
      return (
        await placeOrder(scope, citizen(suzanne), {
          organisationId: pharmacy,
          resourceIds: [offer.medicines[0]?.resourceId ?? ''],
          note: '',
          delivery: 'pickup',
          idempotencyKey: randomUUID(),
        })
      ).id;
    });
    assert.deepEqual(await events(), [], 'placing the order mails nothing');
    const key = { id: order, organisationId: pharmacy, citizenId: suzanne };
    await as(pharmacist, async (s) => {
      await s.audit({ event: 'test', action: 'R', citizenId: suzanne });
      await changeStatus(s, key, { status: 'approved' });
    });
    assert.deepEqual(await events(), [note(suzanne, 'medication-request', pharmacy)]);
    await as(pharmacist, async (s) => {
      await s.audit({ event: 'test', action: 'R', citizenId: suzanne });
      await changeStatus(s, key, { status: 'ready' });
    });
    assert.deepEqual(await events(), [note(suzanne, 'medication-request', pharmacy)]);
    // The dispense that follows the order: new medication data, but not an automatic repeat.
    const r = await fhir(
      k.url,
      pharmacyToken,
      'PUT',
      '/fhir/MedicationDispense/mg10-d3',
      dispense(DEMO.suzanne, 'd3', 2),
    );
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(
      (await events()).map((p) => p.event),
      ['record-changed'],
    );

    // The citizen cancels a second order: nobody is told.
    const second = await as(citizen(suzanne), async (scope) => {
      await scope.audit({ event: 'test', action: 'R', citizenId: suzanne });
      const offer = (await orderOffers(scope, citizen(suzanne))).find((o) => o.organisationId === pharmacy);
      return (
        await placeOrder(scope, citizen(suzanne), {
          organisationId: pharmacy,
          resourceIds: [offer?.medicines[0]?.resourceId ?? ''],
          note: '',
          delivery: 'pickup',
          idempotencyKey: randomUUID(),
        })
      ).id;
    });
    await as(citizen(suzanne), async (s) => {
      await s.audit({ event: 'test', action: 'R', citizenId: suzanne });
      await changeStatus(s, { id: second, organisationId: pharmacy, citizenId: suzanne }, { status: 'cancelled' });
    });
    assert.deepEqual(await events(), []);
  });

  test('[MG-10] the care relationship ends: contract-ended, once per end date; a failed change queues nothing', async () => {
    const end = async (on: string) =>
      as(doctor, async (s) => {
        await s.tx
          .updateTable('care_relationship')
          .set({ ended_on: on })
          .where('citizen_id', '=', pieter)
          .where('organisation_id', '=', gp)
          .execute();
      });
    // Rolled back: no job.
    await assert.rejects(
      as(doctor, async (s) => {
        await s.tx
          .updateTable('care_relationship')
          .set({ ended_on: '2099-01-01' })
          .where('citizen_id', '=', pieter)
          .where('organisation_id', '=', gp)
          .execute();
        throw new Error('changed my mind');
      }),
    );
    assert.deepEqual(await events(), []);
    await end('2099-01-01');
    const jobs = await queued();
    assert.deepEqual(
      jobs.map((j) => j.payload),
      [note(pieter, 'contract-ended', gp)],
    );
    await end('2099-01-01');
    assert.deepEqual(await events(), [], 'the same end date again');
    await k.db
      .updateTable('care_relationship')
      .set({ ended_on: null })
      .where('citizen_id', '=', pieter)
      .where('organisation_id', '=', gp)
      .execute();
  });

  const at = (time: string) => atLocal(monday, time);
  const book = (who: Principal, c: string, time: string, reminderMinutes: number | null) =>
    as(who, (s) =>
      bookAppointment(s, {
        organisationId: gp,
        citizenId: c,
        typeId: consult,
        staffId: doctor.staffId,
        start: at(time),
        reason: '',
        reminderMinutes,
        idempotencyKey: null,
      }),
    );
  const soonKey = (id: string, start: Date) => `appointment-soon:${id}:${Math.floor(start.getTime() / 1000)}`;

  test('[MG-10] appointments: booked by the citizen or by staff is appointment-made with its reminder; staff moving or cancelling is appointment-changed; the citizen’s own do not mail', async () => {
    const { id } = await book(citizen(suzanne), suzanne, '09:00', 1440);
    let jobs = await queued();
    assert.deepEqual(
      jobs.map((j) => j.payload),
      [note(suzanne, 'appointment-made', gp), note(suzanne, 'appointment-soon', gp)],
    );
    assert.equal(jobs[1]?.key, soonKey(id, at('09:00')));
    assert.equal(jobs[1]?.runAt.getTime(), at('09:00').getTime() - 1440 * 60_000);

    const staffBooked = await book(doctor, pieter, '09:30', null);
    assert.deepEqual(await events(), [note(pieter, 'appointment-made', gp)], 'no reminder chosen: none');

    // Staff move it: changed, and the reminder follows the new start (the old one is gone).
    await as(doctor, (s) => moveAppointment(s, id, { start: at('10:00'), staffId: doctor.staffId }));
    jobs = await queued();
    assert.deepEqual(
      jobs.map((j) => j.payload),
      [note(suzanne, 'appointment-changed', gp), note(suzanne, 'appointment-soon', gp)],
    );
    assert.equal(await job(soonKey(id, at('09:00'))), null, 'the old reminder is dropped');
    assert.equal((await job(soonKey(id, at('10:00'))))?.runAt.getTime(), at('10:00').getTime() - 1440 * 60_000);

    // The citizen moves it: no mail, the reminder moves; a new reminder choice moves it again.
    await as(citizen(suzanne), (s) => moveAppointment(s, id, { start: at('10:30'), staffId: doctor.staffId }));
    assert.deepEqual(await events(), [note(suzanne, 'appointment-soon', gp)]);
    assert.equal(await job(soonKey(id, at('10:00'))), null);
    await as(citizen(suzanne), (s) => setReminder(s, id, 60));
    assert.deepEqual(await events(), []);
    assert.equal((await job(soonKey(id, at('10:30'))))?.runAt.getTime(), at('10:30').getTime() - 60 * 60_000);
    await as(citizen(suzanne), (s) => setReminder(s, id, null));
    assert.equal(await job(soonKey(id, at('10:30'))), null, 'no reminder wanted: dropped');
    await as(citizen(suzanne), (s) => setReminder(s, id, 180));
    assert.equal((await job(soonKey(id, at('10:30'))))?.runAt.getTime(), at('10:30').getTime() - 180 * 60_000);
    await queued();

    // The citizen cancels: no mail, the reminder vanishes.
    await as(citizen(suzanne), (s) => cancelAppointment(s, id));
    assert.deepEqual(await events(), []);
    assert.equal(await job(soonKey(id, at('10:30'))), null);

    // Staff cancel theirs: the citizen hears of it.
    await as(doctor, (s) => cancelAppointment(s, staffBooked.id));
    assert.deepEqual(await events(), [note(pieter, 'appointment-changed', gp)]);
  });

  test('[MG-10] a reminder whose moment has passed is never queued', async () => {
    // The first weekday from tomorrow, late afternoon: less than 48 hours ahead on most days.
    let d = nextDate(localDate(new Date()));
    while (isoWeekday(d) > 5) d = nextDate(d);
    const start = atLocal(d, '16:30');
    if (start.getTime() - 2880 * 60_000 > Date.now()) return; // Friday or Saturday evening: the premise does not hold.
    const { id } = await as(citizen(pieter), (s) =>
      bookAppointment(s, {
        organisationId: gp,
        citizenId: pieter,
        typeId: consult,
        staffId: doctor.staffId,
        start,
        reason: '',
        reminderMinutes: 2880,
        idempotencyKey: null,
      }),
    );
    assert.deepEqual(await events(), [note(pieter, 'appointment-made', gp)]);
    assert.equal(await job(soonKey(id, start)), null);
    // Within the cancel rule only staff cancel it: the citizen hears of that, and still no reminder.
    await as(doctor, (s) => cancelAppointment(s, id));
    assert.deepEqual(await events(), [note(pieter, 'appointment-changed', gp)]);
  });

  test('[MG-10] nobody but the workers reads the queue; the payloads carry ids and words only', async () => {
    const seen = await as(citizen(suzanne), (s) => sql`select count(*)::int as n from job`.execute(s.tx));
    assert.deepEqual(seen.rows, [{ n: 0 }]);
    const all = await withPrincipal(k.db, JOBS, (tx) =>
      tx.selectFrom('job').select('payload').where('kind', '=', EMAIL_NOTIFICATION_JOB).execute(),
    );
    for (const { payload } of all) {
      assert.deepEqual(Object.keys(payload as Json).sort(), ['citizenId', 'event', 'organisationId']);
    }
  });
});
