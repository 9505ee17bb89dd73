// Booking against a real database (PGlite, and PostgreSQL where KOEPEL_TEST_DATABASE_URL is set): what a citizen
// and staff may book, what is refused and that a refusal leaves nothing behind, that the database itself keeps two
// bookings off one time, and the race: 50 citizens at once for 10 times gives exactly 10 bookings.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import type { Principal } from '../platform/db/principal.js';
import { openDatabase } from '../platform/db/database.js';
import { runInScope, type DataScope } from '../platform/db/scope.js';
import {
  agendaInputs,
  appointmentTypes,
  AppointmentRefused,
  atLocal,
  bookAppointment,
  cancelAppointment,
  citizenAppointment,
  citizenAppointments,
  isoWeekday,
  localDate,
  moveAppointment,
  nextDate,
  type Refusal,
} from './index.js';

/** The first Monday at least three days ahead: inside every demo type's notice and horizon. */
function nextMonday(): string {
  let d = nextDate(nextDate(nextDate(localDate(new Date()))));
  while (isoWeekday(d) !== 1) d = nextDate(d);
  return d;
}

describe('booking (MG-6)', () => {
  let k: TestKoepel;
  let gp: string;
  let pharmacy: string;
  let suzanne: string;
  let pieter: string;
  let johannes: string;
  let portal: string;
  let consult: string;
  let doctor: Extract<Principal, { kind: 'staff' }>;
  const monday = nextMonday();

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    johannes = await citizenId(k.db, k.koepel.keys, DEMO.johannes);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    doctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    consult = (
      await k.db
        .selectFrom('appointment_type')
        .select('id')
        .where('organisation_id', '=', gp)
        .where('name', '=', 'Consult')
        .executeTakeFirstOrThrow()
    ).id;
  });
  after(async () => {
    await k.close();
  });

  const citizen = (id: string): Principal => ({ kind: 'citizen', citizenId: id, portalId: portal });
  const as = <T>(p: Principal, fn: (scope: DataScope) => Promise<T>) =>
    runInScope({ db: k.db, keys: k.koepel.keys }, p, fn);
  const at = (time: string) => atLocal(monday, time);
  const refusal = async (p: Promise<unknown>): Promise<Refusal | 'ok'> => {
    try {
      await p;
      return 'ok';
    } catch (err) {
      if (err instanceof AppointmentRefused) return err.reason;
      throw err;
    }
  };
  const rows = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from appointment`.execute(k.db)).rows[0]?.n ?? 0;
  const book = (who: string, time: string, extra: Partial<Parameters<typeof bookAppointment>[1]> = {}) =>
    as(citizen(who), (s) =>
      bookAppointment(s, {
        organisationId: gp,
        citizenId: who,
        typeId: consult,
        staffId: doctor.staffId,
        start: at(time),
        reason: '',
        reminderMinutes: null,
        idempotencyKey: null,
        ...extra,
      }),
    );

  test('[MG-6] a citizen books a free time: it is in their overview and held in the agenda at once', async () => {
    const { id } = await book(suzanne, '08:00', { reason: 'Keelpijn sinds een week', reminderMinutes: 1440 });
    const mine = await as(citizen(suzanne), (s) => citizenAppointments(s, suzanne));
    const booked = mine.find((a) => a.id === id);
    assert.ok(booked);
    assert.equal(booked.status, 'booked');
    assert.equal(booked.staffName, 'Dr. A. Huisman');
    assert.equal(booked.typeName, 'Consult');
    assert.equal(booked.start.getTime(), at('08:00').getTime());
    assert.equal(booked.end.getTime(), at('08:10').getTime());
    // The agenda holds the time: it is no longer free for anyone, and the reason is encrypted at rest.
    const inputs = await as(citizen(pieter), (s) => agendaInputs(s.tx, gp, at('00:00'), at('23:59')));
    assert.ok(inputs?.busy.some((b) => b.start.getTime() === at('08:00').getTime()));
    assert.equal(JSON.stringify(inputs).includes(suzanne), false, 'busy times name no citizen');
    const stored = await k.db.selectFrom('appointment_reason').select('ciphertext').executeTakeFirstOrThrow();
    assert.equal(Buffer.from(stored.ciphertext).includes('Keelpijn'), false);
    const detail = await as(citizen(suzanne), (s) => citizenAppointment(s, suzanne, id));
    assert.equal(detail?.reason, 'Keelpijn sinds een week');
    assert.equal(detail?.reminderMinutes, 1440);
  });

  test('[MG-6] a taken time, a time outside the hours, the past and beyond the horizon are refused; nothing is written', async () => {
    const before = await rows();
    const audits = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(k.db)).rows[0]?.n ?? 0;
    const auditsBefore = await audits();
    assert.equal(await refusal(book(pieter, '08:00')), 'taken');
    assert.equal(await refusal(book(pieter, '08:05')), 'taken', 'overlapping by half');
    assert.equal(await refusal(book(pieter, '12:30')), 'taken', 'lunch: not in the hours');
    assert.equal(await refusal(book(pieter, '08:00', { start: new Date(Date.now() - 3_600_000) })), 'past');
    assert.equal(
      await refusal(book(pieter, '08:00', { start: new Date(Date.now() + 10 * 60_000) })),
      'past',
      'within the hour of notice',
    );
    assert.equal(await refusal(book(pieter, '08:00', { start: new Date(Date.now() + 40 * 86_400_000) })), 'horizon');
    assert.equal(await refusal(book(pieter, '09:00', { reason: 'x'.repeat(501) })), 'reason');
    assert.equal(await refusal(book(pieter, '09:00', { reminderMinutes: 5 })), 'reminder');
    assert.equal(await refusal(book(pieter, '09:00', { typeId: randomUUID() })), 'unknown-type');
    assert.equal(await rows(), before);
    assert.equal(await audits(), auditsBefore, 'a refusal rolls its audit record back too');
  });

  test('[MG-1] no booking without an active care relationship, or where appointments are not offered', async () => {
    // Johannes' relationship with the GP ended; the pharmacy does not offer appointments.
    assert.equal(await refusal(book(johannes, '09:00')), 'not-allowed');
    const pharmacyTypes = await as(citizen(suzanne), (s) => appointmentTypes(s.tx, pharmacy));
    assert.equal(pharmacyTypes.length, 0);
    assert.equal(
      await refusal(book(suzanne, '09:00', { organisationId: pharmacy })),
      'unknown-type',
      "the GP's type at the pharmacy",
    );
    // Another citizen's id in the booking is refused as not found.
    assert.equal(await refusal(book(suzanne, '09:00', { citizenId: pieter })), 'not-found');
  });

  test('[MG-1] a video type is offered and booked only where the organisation switched video consults on', async () => {
    const physio = await orgId(k.db, DEMO.physio); // appointments, no video consults
    const therapist = await k.db
      .selectFrom('staff_account')
      .select('id')
      .where('email', '=', 'fysio@beweegwijs.example')
      .executeTakeFirstOrThrow();
    const video = await k.db
      .insertInto('appointment_type')
      .values({ organisation_id: physio, name: 'Beeldbellen', duration_minutes: 30, video: true })
      .returning('id')
      .executeTakeFirstOrThrow();
    const names = async () =>
      (await as(citizen(pieter), (s) => appointmentTypes(s.tx, physio, { bookableOnly: true }))).map((t) => t.name);
    assert.deepEqual(await names(), ['Behandeling']);
    const attempt = () =>
      refusal(
        as(citizen(pieter), (s) =>
          bookAppointment(s, {
            organisationId: physio,
            citizenId: pieter,
            typeId: video.id,
            staffId: therapist.id,
            start: at('08:00'),
            reason: '',
            reminderMinutes: null,
            idempotencyKey: null,
          }),
        ),
      );
    assert.equal(await attempt(), 'unknown-type');
    await k.db
      .updateTable('organisation')
      .set({ functions: sql<string[]>`functions || '{video-consult}'::text[]` })
      .where('id', '=', physio)
      .execute();
    assert.deepEqual(await names(), ['Beeldbellen', 'Behandeling']);
    assert.equal(await attempt(), 'ok');
  });

  test('[MG-6] a double submit finds the first booking; cancel frees the time; another citizen cannot touch it', async () => {
    const key = randomUUID();
    const first = await book(pieter, '09:00', { idempotencyKey: key });
    const again = await book(pieter, '09:00', { idempotencyKey: key });
    assert.equal(again.id, first.id);
    assert.equal(again.repeated, true);
    assert.equal(await refusal(as(citizen(suzanne), (s) => cancelAppointment(s, first.id))), 'not-found');
    assert.equal(
      await refusal(as(citizen(suzanne), (s) => moveAppointment(s, first.id, { start: at('10:00'), staffId: null }))),
      'not-found',
    );
    assert.equal(await as(citizen(suzanne), (s) => citizenAppointment(s, suzanne, first.id)), null);
    await as(citizen(pieter), (s) => cancelAppointment(s, first.id));
    assert.equal(await refusal(as(citizen(pieter), (s) => cancelAppointment(s, first.id))), 'not-changeable');
    const retaken = await book(suzanne, '09:00');
    assert.ok(retaken.id);
  });

  test('[MG-6] a citizen moves within the rule; staff move and cancel on their behalf, and the citizen sees who', async () => {
    const { id } = await book(pieter, '10:00');
    await as(citizen(pieter), (s) => moveAppointment(s, id, { start: at('10:10'), staffId: null }));
    let view = await as(citizen(pieter), (s) => citizenAppointment(s, pieter, id));
    assert.equal(view?.start.getTime(), at('10:10').getTime());
    assert.equal(view?.sequence, 1);
    // A time off the agenda's grid is not a free time.
    assert.equal(
      await refusal(as(citizen(pieter), (s) => moveAppointment(s, id, { start: at('10:05'), staffId: null }))),
      'taken',
    );
    await as(doctor, (s) => moveAppointment(s, id, { start: at('11:00'), staffId: doctor.staffId }));
    view = await as(citizen(pieter), (s) => citizenAppointment(s, pieter, id));
    assert.equal(view?.changedBy, 'staff');
    assert.equal(view?.changedByName, 'Dr. A. Huisman');
    // Within 24 hours of the start the citizen may no longer change it (the demo rule), staff still may.
    await k.db
      .updateTable('appointment')
      .set({ during: sql<string>`tstzrange(now() + interval '2 hours', now() + interval '2 hours 10 minutes', '[)')` })
      .where('id', '=', id)
      .execute();
    assert.equal(await refusal(as(citizen(pieter), (s) => cancelAppointment(s, id))), 'too-late');
    await as(doctor, (s) => cancelAppointment(s, id));
    view = await as(citizen(pieter), (s) => citizenAppointment(s, pieter, id));
    assert.equal(view?.status, 'cancelled');
  });

  test('[MG-6] staff book for a citizen; reasons only with agenda:reasons; other organisations see nothing', async () => {
    const { id } = await as(doctor, (s) =>
      bookAppointment(s, {
        organisationId: gp,
        citizenId: suzanne,
        typeId: consult,
        staffId: doctor.staffId,
        start: at('11:30'),
        reason: 'Controle bloeddruk',
        reminderMinutes: null,
        idempotencyKey: null,
      }),
    );
    const view = await as(citizen(suzanne), (s) => citizenAppointment(s, suzanne, id));
    assert.equal(view?.bookedBy, 'staff');
    assert.equal(view?.bookedByName, 'Dr. A. Huisman');
    const reasonAs = (p: Principal) =>
      as(p, async (s) => {
        await s.audit({ event: 'test.read', action: 'R', citizenId: suzanne });
        return (await s.tx.selectFrom('appointment_reason').select('appointment_id').execute()).length;
      });
    assert.ok((await reasonAs(doctor)) > 0);
    assert.equal(
      await reasonAs({ ...doctor, permissions: doctor.permissions.filter((x) => x !== 'agenda:reasons') }),
      0,
    );
    const hospitalDoctor = await staffPrincipal(k.db, 'arts@rivierenland.example');
    const seen = await as(hospitalDoctor, async (s) => {
      await s.audit({ event: 'test.read', action: 'R', citizenId: suzanne });
      return (await s.tx.selectFrom('appointment').select('id').execute()).length;
    });
    assert.equal(seen, 0);
    // Staff of the GP cannot book a citizen who is not their patient.
    const noor = await citizenId(k.db, k.koepel.keys, DEMO.noor);
    await assert.rejects(
      as(doctor, (s) =>
        bookAppointment(s, {
          organisationId: gp,
          citizenId: noor,
          typeId: consult,
          staffId: doctor.staffId,
          start: at('11:40'),
          reason: '',
          reminderMinutes: null,
          idempotencyKey: null,
        }),
      ),
    );
  });

  test('[MG-6] the database itself refuses two appointments on one time of one staff member (23P01)', async () => {
    const insert = (start: string, end: string) =>
      k.db
        .insertInto('appointment')
        .values({
          organisation_id: gp,
          citizen_id: pieter,
          type_id: consult,
          staff_id: doctor.staffId,
          status: 'booked',
          booked_by: 'citizen',
          during: sql<string>`tstzrange(${at(start)}::timestamptz, ${at(end)}::timestamptz, '[)')`,
        })
        .execute();
    await insert('14:00', '14:10');
    await insert('14:10', '14:20'); // adjacent: fine
    await assert.rejects(insert('14:05', '14:15'), (err: { code?: string }) => err.code === '23P01');
  });

  test('[MG-6] 50 citizens try 10 times at once: exactly 10 bookings, 40 "just taken", nothing half-written', async () => {
    const citizens: string[] = [];
    for (let i = 0; i < 50; i++) {
      const id = randomUUID();
      await k.db
        .insertInto('citizen')
        .values({
          id,
          bsn_index: randomBytes(32),
          bsn_ciphertext: randomBytes(40),
          family_name: `Race${i}`,
          given_names: 'Test',
          search_name: `test race${i}`,
          birth_date: '1980-01-01',
          brp_ciphertext: randomBytes(40),
          brp_fetched_at: new Date(),
        })
        .execute();
      await k.db.insertInto('care_relationship').values({ organisation_id: gp, citizen_id: id }).execute();
      citizens.push(id);
    }
    // Tuesday 13:30–15:10: ten ten-minute times of the doctor.
    const tuesday = nextDate(monday);
    const times = Array.from({ length: 10 }, (_, i) => new Date(atLocal(tuesday, '13:30').getTime() + i * 600_000));
    const before = await rows();
    // On PostgreSQL, a pool of 50 so that all 50 transactions are open at the same moment (the app's is 5 in tests).
    const wide =
      k.config.database.kind === 'postgres'
        ? await openDatabase({ ...k.config.database, poolSize: 50 })
        : { db: k.db, close: async () => undefined };
    const outcomes = await Promise.all(
      citizens.map((c, i) =>
        refusal(
          runInScope({ db: wide.db, keys: k.koepel.keys }, citizen(c), (s) =>
            bookAppointment(s, {
              organisationId: gp,
              citizenId: c,
              typeId: consult,
              staffId: i % 2 === 0 ? doctor.staffId : null,
              start: times[i % 10] as Date,
              reason: `reden ${i}`,
              reminderMinutes: null,
              idempotencyKey: null,
            }),
          ),
        ),
      ),
    );
    await wide.close();
    const tally = outcomes.reduce<Record<string, number>>((m, o) => ({ ...m, [o]: (m[o] ?? 0) + 1 }), {});
    assert.deepEqual(tally, { ok: 10, taken: 40 });
    assert.equal((await rows()) - before, 10);
    const reasons = await sql<{ n: number }>`
      select count(*)::int as n from appointment_reason r join appointment a on a.id = r.appointment_id
      where a.citizen_id = any(${citizens}::uuid[])`.execute(k.db);
    assert.equal(reasons.rows[0]?.n, 10, 'a reason for each booking and none for a refusal');
    const overlaps = await sql<{ n: number }>`
      select count(*)::int as n from appointment a join appointment b on a.id < b.id and a.staff_id = b.staff_id
      and a.during && b.during and a.status in ('booked','requested') and b.status in ('booked','requested')`.execute(
      k.db,
    );
    assert.equal(overlaps.rows[0]?.n, 0);
  });
});
