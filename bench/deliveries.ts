// `npm run bench:deliveries` (part of `npm run bench`): delivery to the organisation's own system (issue 14, MG-5).
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:deliveries   (PostgreSQL: the figures)
//   npm run bench:deliveries                                                                (in-memory PGlite)
//
// One Koepel in this process with the real background worker (KOEPEL_JOB_CONCURRENCY, default 8) and a webhook
// receiver on loopback (src/org-delivery/receiver.testkit.ts) that verifies every signature.
//   throughput  BENCH_DELIVERY_EVENTS (2,000) events queued in one transaction; each is an 'org.event' job whose
//               fan-out queues one 'org.deliver' job: deliveries/s from the commit to the last receipt
//   latency     BENCH_DELIVERY_ACTIONS (200) citizen actions one after another (a message to the GP, through the same
//               function as the portal's form), each timed from its commit to the receiver's receipt: p50/p99
// Results: printed and written to bench/results/deliveries-<db>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { cpuDelta, localDatabaseName, postgresCpuByPid } from './cpu.js';
import { createBenchDatabase } from './database.js';

const here = dirname(fileURLToPath(import.meta.url));
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number`);
  return v;
};
const EVENTS = num('BENCH_DELIVERY_EVENTS', 2000);
const ACTIONS = num('BENCH_DELIVERY_ACTIONS', 200);
const CONCURRENCY = String(num('BENCH_JOB_CONCURRENCY', 8));
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function main(): Promise<void> {
  const benchDb = databaseUrl ? await createBenchDatabase(databaseUrl) : null;
  if (benchDb) process.env.KOEPEL_TEST_DATABASE_URL = benchDb.url;
  // The test harness boots Koepel with the demo data; imported after the database is chosen.
  const { startKoepel } = await import('../test/support/harness.js');
  const { citizenId, DEMO, orgId, staffPrincipal } = await import('../test/support/principals.js');
  const { runInScope } = await import('../src/platform/db/scope.js');
  const { createEndpoint } = await import('../src/org-delivery/deliveries.js');
  const { startCitizenConversation } = await import('../src/messages/conversations.js');
  const { Receiver } = await import('../src/org-delivery/receiver.testkit.js');
  const { PERMISSIONS } = await import('../src/platform/auth/permissions.js');

  const k = await startKoepel({
    KOEPEL_JOB_CONCURRENCY: CONCURRENCY,
    KOEPEL_JOB_POLL_SECONDS: '1',
    DATABASE_POOL_SIZE: '12',
  });
  const receiver = await Receiver.start();
  try {
    const scope = { db: k.db, keys: k.koepel.keys };
    const gp = await orgId(k.db, DEMO.gp);
    const admin = { ...(await staffPrincipal(k.db, 'huisarts@delinde.example', [PERMISSIONS.adminApiClients])) };
    receiver.secret = (
      await runInScope(scope, admin, (s) => createEndpoint(s, gp, admin.staffId, 'bench', receiver.url))
    ).secret;
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    const citizen = { kind: 'citizen' as const, citizenId: suzanne, portalId: portal };

    // Throughput.
    let waiting: { n: number; resolve: () => void } | null = null;
    receiver.onReceive = () => {
      if (waiting && receiver.received.length >= waiting.n) waiting.resolve();
    };
    const until = (n: number) =>
      receiver.received.length >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { n, resolve }));
    // CPU per delivery: this process (Koepel's worker, and the receiver, which runs here too) and the PostgreSQL
    // backends of the bench database (bench/cpu.ts).
    // The database Koepel really uses: the harness gives it one of its own on the bench server.
    const dbName = k.config.database.kind === 'postgres' ? localDatabaseName(k.config.database.url) : null;
    const pgBefore = postgresCpuByPid(dbName);
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    await k.db.transaction().execute(async (tx) => {
      await sql`select koepel_enqueue_job('org.event', jsonb_build_object('eventId', gen_random_uuid(),
                  'organisationId', ${gp}::uuid, 'eventType', 'message.created', 'resourceType', 'Communication',
                  'resourceId', gen_random_uuid()::text, 'occurredAt', now()), null, null, 5)
                from generate_series(1, ${EVENTS})`.execute(tx);
    });
    await until(EVENTS);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const pgCpu = cpuDelta(pgBefore, postgresCpuByPid(dbName));
    const verified = receiver.received.filter((r) => r.verified).length;

    // Latency from a citizen action to the receipt.
    const delays: number[] = [];
    for (let i = 0; i < ACTIONS; i++) {
      const before = receiver.received.length;
      let committed = 0;
      await runInScope(scope, citizen, async (s) => {
        await startCitizenConversation(s, citizen, {
          organisationId: gp,
          addressedTo: null,
          subject: `Bench ${i}`,
          body: 'Tekst',
          files: [],
          key: crypto.randomUUID(),
          followsId: null,
        });
      });
      committed = performance.now();
      await until(before + 1);
      const got = receiver.received[before];
      delays.push((got?.at ?? Date.now()) - (performance.timeOrigin + committed));
    }
    delays.sort((a, b) => a - b);
    const result = {
      database: benchDb ? 'postgres' : 'pglite',
      workerConcurrency: Number(CONCURRENCY),
      throughput: {
        events: EVENTS,
        seconds: Number(seconds.toFixed(2)),
        deliveriesPerSecond: Math.round(EVENTS / seconds),
        jobsPerSecond: Math.round((2 * EVENTS) / seconds),
        verified,
        nodeCpuMsPerDelivery: Math.round(((cpu.user + cpu.system) / 1000 / EVENTS) * 100) / 100,
        postgresCpuMsPerDelivery: pgCpu === null ? null : Math.round((pgCpu / 1000 / EVENTS) * 100) / 100,
      },
      latencyMs: {
        actions: ACTIONS,
        p50: Math.max(0, Math.round(pct(delays, 50))),
        p99: Math.max(0, Math.round(pct(delays, 99))),
        max: Math.max(0, Math.round(delays.at(-1) ?? 0)),
      },
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', `deliveries-${result.database}.json`), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await receiver.close();
    await k.close();
    await benchDb?.drop();
  }
}

await main();
