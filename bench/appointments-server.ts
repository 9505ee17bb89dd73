// The server under test for the appointments benchmark (bench/appointments.ts), in a process of its own. It boots
// Koepel with the demo, then arranges with the owner connection a practice of BENCH_AGENDA_STAFF doctors (default 10)
// with weekly hours Monday to Friday 08:00–17:00, a ten-minute consult bookable 28 days ahead, about a third of the
// next four weeks already booked, and bench citizens with a care relationship and a session each.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { atLocal, isoWeekday, localDate, nextDate } from '../src/appointments/index.js';
import { benchFixtures, bootBenchKoepel } from './fixtures.js';
import { benchBsns } from './record-data.js';

export interface AgendaBenchReady {
  type: 'ready';
  port: number;
  database: 'pglite' | 'postgres';
  organisationId: string;
  typeId: string;
  staffIds: string[];
  /** Mondays of the four weeks searched (from this week's), 'YYYY-MM-DD'. */
  weeks: string[];
  /** Citizens with a session (cookie token) and its CSRF token. */
  citizens: { id: string; session: string; csrf: string }[];
  /** Free ten-minute starts (ISO) on one day, for the contention run, with the staff member of each. */
  hotTimes: { start: string; staffId: string }[];
  bookedBefore: number;
}

export type AgendaBenchFromServer =
  | AgendaBenchReady
  | { type: 'cpu'; id: number; micros: number }
  | { type: 'count'; id: number; booked: number }
  | { type: 'error'; message: string };
export type AgendaBenchToServer = { type: 'cpu'; id: number } | { type: 'count'; id: number } | { type: 'stop' };

const addDays = (date: string, days: number): string => {
  let d = date;
  for (let i = 0; i < days; i++) d = nextDate(d);
  return d;
};
const previousDate = (date: string): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
};

function send(m: AgendaBenchFromServer): void {
  process.send?.(m);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench/appointments-server.ts is started by bench/appointments.ts');
  const staffCount = Number(process.env.BENCH_AGENDA_STAFF ?? '10');
  const citizenCount = Number(process.env.BENCH_AGENDA_CITIZENS ?? '600');
  const { koepel, port } = await bootBenchKoepel();
  const db = koepel.database.db;
  const keys = koepel.keys;
  const fixtures = await benchFixtures(koepel);

  // The practice, in the demo portal, with its own data key (reasons are encrypted under it).
  const org = await db
    .insertInto('organisation')
    .values({ name: 'Bench Huisartsen', kind: 'gp', functions: ['appointments'], phone: '030 000 00 00' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const key = keys.createKey({ kind: 'organisation', id: org.id });
  await db
    .insertInto('organisation_key')
    .values({ organisation_id: org.id, version: key.version, wrapped: key.wrapped })
    .execute();
  await db
    .insertInto('portal_organisation')
    .values({ portal_id: fixtures.portalId, organisation_id: org.id })
    .execute();

  const staffIds: string[] = [];
  for (let i = 0; i < staffCount; i++) {
    const a = await db
      .insertInto('staff_account')
      .values({
        email: `arts${i}@bench.example`,
        display_name: `Dr. Bench ${String(i).padStart(2, '0')}`,
        password_hash: 'x',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('membership')
      .values({ staff_id: a.id, organisation_id: org.id, role: 'doctor', permissions: ['agenda:read'] })
      .execute();
    for (const weekday of [1, 2, 3, 4, 5]) {
      await db
        .insertInto('staff_availability')
        .values({
          organisation_id: org.id,
          staff_id: a.id,
          weekday,
          start_time: '08:00',
          end_time: '17:00',
          valid_from: '2020-01-01',
        })
        .execute();
    }
    staffIds.push(a.id);
  }
  const type = await db
    .insertInto('appointment_type')
    .values({ organisation_id: org.id, name: 'Consult', duration_minutes: 10, booking_horizon_days: 28 })
    .returning('id')
    .executeTakeFirstOrThrow();

  const bsns = benchBsns(citizenCount, 30_000_000);
  const citizenIds = await fixtures.addCitizens(bsns, [{ id: org.id, name: 'Bench Huisartsen' }]);

  // Four weeks from this week's Monday; a third of every staff member's times booked (every third start) from
  // tomorrow on, except on the contention run's day: the first working day at least two days ahead.
  const today = localDate(new Date());
  let monday = today;
  while (isoWeekday(monday) !== 1) monday = previousDate(monday);
  const weeks = [0, 1, 2, 3].map((w) => addDays(monday, w * 7));
  let hotDay = addDays(today, 2);
  while (isoWeekday(hotDay) > 5) hotDay = nextDate(hotDay);
  const rows = [];
  let n = 0;
  for (let day = nextDate(today), i = 0; i < 28; day = nextDate(day), i++) {
    if (isoWeekday(day) > 5 || day === hotDay) continue;
    for (const staffId of staffIds) {
      for (let t = atLocal(day, '08:00').getTime(); t + 600_000 <= atLocal(day, '17:00').getTime(); t += 1_800_000) {
        rows.push({
          id: randomUUID(),
          organisation_id: org.id,
          citizen_id: citizenIds[n++ % citizenIds.length] ?? '',
          type_id: type.id,
          staff_id: staffId,
          staff_name: 'Dr. Bench',
          status: 'booked' as const,
          booked_by: 'citizen' as const,
          during: sql<string>`tstzrange(${new Date(t)}::timestamptz, ${new Date(t + 600_000)}::timestamptz, '[)')`,
        });
      }
    }
  }
  for (let i = 0; i < rows.length; i += 1000)
    await db
      .insertInto('appointment')
      .values(rows.slice(i, i + 1000))
      .execute();
  await sql`analyze`.execute(db);

  // The contention run: that day's morning, 08:00–10:00, for every staff member: 12 × staff free times.
  const hotTimes: AgendaBenchReady['hotTimes'] = [];
  for (let t = atLocal(hotDay, '08:00').getTime(); t < atLocal(hotDay, '10:00').getTime(); t += 600_000) {
    for (const staffId of staffIds) hotTimes.push({ start: new Date(t).toISOString(), staffId });
  }

  const citizens: AgendaBenchReady['citizens'] = [];
  for (const id of citizenIds) {
    const s = await koepel.app.koepel.sessions.create({
      kind: 'citizen',
      citizenId: id,
      portalId: fixtures.portalId,
      state: { displayName: 'Bench citizen' },
    });
    citizens.push({ id, session: s.token, csrf: s.session.csrfToken });
  }

  const count = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from appointment where organisation_id = ${org.id}`.execute(db))
      .rows[0]?.n ?? 0;
  process.on('message', (m: AgendaBenchToServer) => {
    void (async () => {
      if (m.type === 'cpu') {
        const c = process.cpuUsage();
        send({ type: 'cpu', id: m.id, micros: c.user + c.system });
      } else if (m.type === 'count') {
        send({ type: 'count', id: m.id, booked: await count() });
      } else {
        await koepel.close().catch(() => undefined);
        process.exit(0);
      }
    })().catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
  });
  process.on('disconnect', () => {
    void koepel.close().finally(() => process.exit(0));
  });
  send({
    type: 'ready',
    port,
    database: koepel.database.kind,
    organisationId: org.id,
    typeId: type.id,
    staffIds,
    weeks,
    citizens,
    hotTimes,
    bookedBefore: await count(),
  });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
