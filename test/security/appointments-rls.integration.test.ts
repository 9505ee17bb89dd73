// Appointments below the application (migration 0023): what each principal may read and write of the appointment
// tables with plain SQL as koepel_app — no route, no domain code in between. Between citizens, between
// organisations, between an organisation's employees with and without the rights, and the organisation's system.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withPrincipal, type Principal, type Tx } from '../../src/platform/db/principal.js';
import { atLocal, isoWeekday, localDate, nextDate } from '../../src/appointments/index.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../support/principals.js';

describe('appointments: row-level security and the guard trigger', () => {
  let k: TestKoepel;
  let gp: string;
  let hospital: string;
  let suzanne: string;
  let pieter: string;
  let portal: string;
  let consult: string;
  let doctor: Extract<Principal, { kind: 'staff' }>;
  let appointmentId: string;
  let requestedId: string;
  let gpClient: Principal;
  let hospitalClient: Principal;

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
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
    let day = nextDate(nextDate(localDate(new Date())));
    while (isoWeekday(day) > 5) day = nextDate(day);
    const insert = async (status: 'booked' | 'requested', time: string) =>
      (
        await k.db
          .insertInto('appointment')
          .values({
            organisation_id: gp,
            citizen_id: suzanne,
            type_id: consult,
            staff_id: doctor.staffId,
            status,
            booked_by: 'citizen',
            during: sql<string>`tstzrange(${atLocal(day, time)}::timestamptz, ${atLocal(day, time)}::timestamptz + interval '10 minutes', '[)')`,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    appointmentId = await insert('booked', '09:00');
    requestedId = await insert('requested', '09:30');
    await k.db
      .insertInto('appointment_reason')
      .values({
        appointment_id: appointmentId,
        organisation_id: gp,
        citizen_id: suzanne,
        ciphertext: Buffer.from('sealed'),
      })
      .execute();
    const client = async (org: string, name: string) =>
      (
        await k.db
          .insertInto('api_client')
          .values({
            organisation_id: org,
            name,
            client_id: `kc_rls_test_client_${name}`,
            secret_hash: Buffer.alloc(32),
          })
          .returning('client_id')
          .executeTakeFirstOrThrow()
      ).client_id;
    gpClient = { kind: 'client', clientId: await client(gp, 'gp'), organisationId: gp };
    hospitalClient = { kind: 'client', clientId: await client(hospital, 'hospital'), organisationId: hospital };
  });
  after(async () => {
    await k.close();
  });

  const citizen = (id: string): Principal => ({ kind: 'citizen', citizenId: id, portalId: portal });
  const as = <T>(p: Principal, fn: (tx: Tx) => Promise<T>) => withPrincipal(k.db, p, fn);
  /** Reads after an audit-like mark for the citizen (koepel_audited), as the code does after its audit record. */
  const seen = (p: Principal, about: string, table: 'appointment' | 'appointment_reason') =>
    as(p, async (tx) => {
      await sql`select set_config('koepel.audited_citizens', ${`${about},`}, true)`.execute(tx);
      return (
        await tx
          .selectFrom(table)
          .select(sql<string>`1`.as('x'))
          .execute()
      ).length;
    });
  const refused = (p: Principal, fn: (tx: Tx) => Promise<unknown>) =>
    assert.rejects(
      as(p, async (tx) => {
        await sql`select set_config('koepel.audited_citizens', ${`${suzanne},`}, true)`.execute(tx);
        await fn(tx);
      }),
    );
  const setStatus =
    (status: 'booked' | 'cancelled' | 'refused', id: string, changedBy: 'citizen' | 'staff' | 'system') => (tx: Tx) =>
      tx
        .updateTable('appointment')
        .set({ status, changed_by: changedBy })
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
        .then((r) => {
          if (Number(r.numUpdatedRows) !== 1) throw new Error('no row');
        });

  test('[MG-6] [ZL-1] reads: own citizen, own organisation with agenda:read, own system — nobody else', async () => {
    assert.equal(await seen(citizen(suzanne), suzanne, 'appointment'), 2);
    assert.equal(await seen(citizen(pieter), suzanne, 'appointment'), 0, 'another citizen');
    assert.equal(await seen(doctor, suzanne, 'appointment'), 2);
    assert.equal(
      await seen(
        { ...doctor, permissions: doctor.permissions.filter((x) => x !== 'agenda:read') },
        suzanne,
        'appointment',
      ),
      0,
      'an employee without agenda:read',
    );
    assert.equal(await seen(await staffPrincipal(k.db, 'arts@rivierenland.example'), suzanne, 'appointment'), 0);
    assert.equal(await seen(gpClient, suzanne, 'appointment'), 2);
    assert.equal(await seen(hospitalClient, suzanne, 'appointment'), 0);
    // Without the audit mark nobody reads it, not even the citizen (ZL-1).
    assert.equal(
      await as(citizen(suzanne), async (tx) => (await tx.selectFrom('appointment').selectAll().execute()).length),
      0,
    );
  });

  test('[MG-6] reasons: the citizen, agenda:reasons and the own system only', async () => {
    assert.equal(await seen(citizen(suzanne), suzanne, 'appointment_reason'), 1);
    assert.equal(await seen(doctor, suzanne, 'appointment_reason'), 1);
    assert.equal(
      await seen(
        { ...doctor, permissions: doctor.permissions.filter((x) => x !== 'agenda:reasons') },
        suzanne,
        'appointment_reason',
      ),
      0,
    );
    assert.equal(await seen(gpClient, suzanne, 'appointment_reason'), 1);
    assert.equal(await seen(hospitalClient, suzanne, 'appointment_reason'), 0);
    assert.equal(await seen(citizen(pieter), suzanne, 'appointment_reason'), 0);
  });

  test('[MG-6] a citizen cannot confirm, un-cancel, re-type or hand over an appointment', async () => {
    await refused(citizen(suzanne), setStatus('booked', requestedId, 'citizen'));
    await refused(citizen(suzanne), (tx) =>
      tx.updateTable('appointment').set({ type_id: consult, video: true }).where('id', '=', appointmentId).execute(),
    );
    await refused(citizen(suzanne), (tx) =>
      tx.updateTable('appointment').set({ citizen_id: pieter }).where('id', '=', appointmentId).execute(),
    );
    await refused(citizen(suzanne), (tx) =>
      tx.updateTable('appointment').set({ organisation_id: hospital }).where('id', '=', appointmentId).execute(),
    );
    await refused(citizen(suzanne), (tx) =>
      tx
        .updateTable('appointment')
        .set({ booked_by: 'staff', booked_by_staff: doctor.staffId })
        .where('id', '=', appointmentId)
        .execute(),
    );
    // …nor insert one for someone else, or one that is already confirmed by the organisation's system.
    await refused(citizen(suzanne), (tx) =>
      tx
        .insertInto('appointment')
        .values({
          organisation_id: gp,
          citizen_id: pieter,
          type_id: consult,
          staff_id: doctor.staffId,
          status: 'booked',
          booked_by: 'citizen',
          during: sql<string>`tstzrange(now() + interval '3 days', now() + interval '3 days 10 minutes', '[)')`,
        })
        .execute(),
    );
    // Another citizen's update finds no row.
    const other = await as(citizen(pieter), (tx) =>
      tx
        .updateTable('appointment')
        .set({ status: 'cancelled', changed_by: 'citizen' })
        .where('id', '=', appointmentId)
        .executeTakeFirst(),
    );
    assert.equal(Number(other.numUpdatedRows), 0);
  });

  test('[MG-5] the organisation’s system answers (confirm, refuse, cancel) and changes nothing else; other systems nothing', async () => {
    await refused(gpClient, (tx) =>
      tx
        .updateTable('appointment')
        .set({ during: sql<string>`tstzrange(now(), now() + interval '1 hour', '[)')`, changed_by: 'system' })
        .where('id', '=', appointmentId)
        .execute(),
    );
    await refused(gpClient, setStatus('booked', requestedId, 'citizen'));
    await refused(hospitalClient, setStatus('booked', requestedId, 'system'));
    await as(gpClient, async (tx) => {
      await sql`select set_config('koepel.audited_citizens', ${`${suzanne},`}, true)`.execute(tx);
      await setStatus('booked', requestedId, 'system')(tx);
    });
    // booked → requested again, or a cancelled one revived, is refused for everyone.
    await refused(gpClient, (tx) =>
      tx
        .updateTable('appointment')
        .set({ status: 'requested', changed_by: 'system' })
        .where('id', '=', requestedId)
        .execute(),
    );
    await as(doctor, async (tx) => {
      await sql`select set_config('koepel.audited_citizens', ${`${suzanne},`}, true)`.execute(tx);
      await setStatus('cancelled', requestedId, 'staff')(tx);
    });
    await refused(doctor, setStatus('booked', requestedId, 'staff'));
    const row = await k.db
      .selectFrom('appointment')
      .select(['status', 'version', 'changed_by'])
      .where('id', '=', requestedId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'cancelled', version: 3, changed_by: 'staff' });
  });
});
