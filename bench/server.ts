// The server under test, in a process of its own so that it never shares an event loop with the load generator.
// Started by bench/run.ts through fork(); talks to it over the IPC channel (see protocol.ts).
// Boots Koepel exactly as the test harness does (boot() from src/boot.ts, a real HTTP listener on 127.0.0.1),
// on the database named by DATABASE_URL (a fresh one that run.ts created) or on in-memory PGlite.
import { generateMasterKey } from '../src/platform/crypto/envelope.js';
import { boot } from '../src/boot.js';
import { demo } from '../src/demo/index.js';
import { DEMO_ORGANISATIONS, DEMO_PORTAL_SLUG, DEMO_STAFF } from '../src/demo/seed.js';
import { bsnIndex } from '../src/identity/citizens.js';
import { parseBsn } from '../src/identity/bsn.js';
import { loadConfig } from '../src/platform/config.js';
import { freePort } from '../test/support/harness.js';
import { countQueries } from './query-counter.js';
import type { BenchFixtures, FromServer, ToServer } from './protocol.js';

const CITIZEN_BSN = '999993653';
const GP_NAME = 'Huisartsenpraktijk De Linde';

function send(message: FromServer): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench/server.ts is started by bench/run.ts (it needs an IPC channel)');
  const sessionsPerScenario = Number(process.env.BENCH_SESSIONS ?? '1');
  const counter = countQueries();

  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'silent',
    // A key of its own, so that the benchmark never reads or writes ./data/master.key.
    KOEPEL_MASTER_KEY: generateMasterKey(),
    ...(process.env.DATABASE_URL
      ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '10' }
      : {}),
  });
  if (config.database.kind === 'pglite') config.database = { kind: 'pglite', dataDir: null };
  const koepel = await boot(config, false, [demo]);
  await koepel.app.listen({ port, host: '127.0.0.1' });

  // Arrange the sessions with the owner connection (never used by requests), as the tests do.
  const db = koepel.database.db;
  const bsn = parseBsn(CITIZEN_BSN);
  if (!bsn) throw new Error(`${CITIZEN_BSN} is not a valid BSN`);
  const citizen = await db
    .selectFrom('citizen')
    .select('id')
    .where('bsn_index', '=', bsnIndex(koepel.keys, bsn))
    .executeTakeFirstOrThrow();
  const portal = await db
    .selectFrom('portal')
    .select('id')
    .where('slug', '=', DEMO_PORTAL_SLUG)
    .executeTakeFirstOrThrow();
  const gpKey = DEMO_ORGANISATIONS.find((o) => o.name === GP_NAME)?.key;
  const gpDoctor = DEMO_STAFF.find((s) => s.org === gpKey && s.role === 'doctor');
  if (!gpDoctor) throw new Error(`no demo doctor at ${GP_NAME}`);
  const gp = await db.selectFrom('organisation').select('id').where('name', '=', GP_NAME).executeTakeFirstOrThrow();
  const doctor = await db
    .selectFrom('staff_account')
    .select('id')
    .where('email', '=', gpDoctor.email)
    .executeTakeFirstOrThrow();

  const { sessions } = koepel.app.koepel;
  const fixtures: BenchFixtures = { citizenSessions: [], staffSessions: [] };
  for (let i = 0; i < sessionsPerScenario; i++) {
    const c = await sessions.create({
      kind: 'citizen',
      citizenId: citizen.id,
      portalId: portal.id,
      state: { displayName: 'Bench citizen' },
    });
    fixtures.citizenSessions.push({ token: c.token, csrf: c.session.csrfToken });
    const s = await sessions.create({ kind: 'staff', staffId: doctor.id, organisationId: gp.id, portalId: portal.id });
    fixtures.staffSessions.push({ token: s.token, csrf: s.session.csrfToken });
  }

  const auditRows = async () => {
    const row = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return row.n;
  };

  const own = { queries: 0, transactions: 0 };
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await koepel.close().catch(() => undefined);
    process.exit(code);
  };

  process.on('message', (raw: ToServer) => {
    void (async () => {
      if (raw.type === 'stats') {
        // The count query is the benchmark's own: leave it out of the server's query figures.
        const cpu = process.cpuUsage();
        const before = counter.snapshot();
        const rows = await auditRows();
        const after = counter.snapshot();
        own.queries += after.queries - before.queries;
        own.transactions += after.transactions - before.transactions;
        send({
          type: 'stats',
          id: raw.id,
          queries: after.queries - own.queries,
          transactions: after.transactions - own.transactions,
          auditRows: rows,
          cpuMicros: cpu.user + cpu.system,
        });
      } else if (raw.type === 'traceStart') {
        counter.trace(true);
        send({ type: 'trace', id: raw.id, statements: [] });
      } else if (raw.type === 'traceStop') {
        send({ type: 'trace', id: raw.id, statements: counter.trace(false) });
      } else {
        await stop(0);
      }
    })().catch((err: unknown) => {
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    });
  });
  // The parent went away (crashed or interrupted): do not linger.
  process.on('disconnect', () => void stop(0));

  send({
    type: 'ready',
    port,
    database: koepel.database.kind,
    poolSize: config.database.kind === 'postgres' ? config.database.poolSize : 1,
    routes: {
      home: koepel.app.hasRoute({ method: 'GET', url: '/home' }),
      staffSearch: koepel.app.hasRoute({ method: 'POST', url: '/staff/patients/search' }),
    },
    fixtures,
  });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  console.error(err);
  process.exit(1);
});
