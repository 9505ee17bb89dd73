// `npm run bench:record` (part of `npm run bench`): the combined record under load (issue 3).
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:record   (PostgreSQL: the targets)
//   npm run bench:record                                                             (in-memory PGlite)
//
// 1. Ingest: provider systems push transaction bundles over HTTP (OAuth2 client credentials, POST /fhir) for
//    BENCH_RECORD_CITIZENS citizens (default 1,000) × 5 organisations × 20 resources = 100,000 resources, with
//    BENCH_INGEST_CONCURRENCY requests in flight (default 4). Reported: resources/s (target ≥ 2,000).
// 2. A citizen with 5 providers and ≥ 500 items: citizen home and "Mijn dossier" under 32 connections, as a ratio to
//    GET /hello measured in the same run (target ≥ 20 %) and p99 (target < 100 ms).
// 3. Patient/$everything for a citizen with 5,000 resources (target < 1 s), median of BENCH_EVERYTHING_RUNS.
// 4. Scale: the home page's p50 with ~1,000 citizens and again after adding citizens up to 100,000 (target ≤ 1.5).
// Results: printed, and written to bench/results/record-<database>.json.
//
// Tuning (environment): BENCH_PARTS (comma-separated: ingest, pages, everything, scale; default all — pages,
// everything and scale load their own citizens' records first), BENCH_PROFILE=1 (a V8 CPU profile of the server in
// bench/results/profiles/), BENCH_TRACE=1 (print the SQL of one ingest bundle, the home page and the dossier),
// BENCH_RECORD_CITIZENS, BENCH_RECORD_PER_BUNDLE, BENCH_INGEST_CONCURRENCY, BENCH_DURATION, BENCH_CONNECTIONS,
// BENCH_SCALE_CITIZENS, BENCH_EVERYTHING_RUNS, BENCH_POOL_SIZE; for the database (bench/database.ts)
// BENCH_LOG_DURATIONS=1 and BENCH_PLAN_CACHE_MODE.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SESSION_COOKIE } from '../src/platform/session/sessions.js';
import { cpuDelta, localDatabaseName, postgresCpuByPid } from './cpu.js';
import { createBenchDatabase } from './database.js';
import { clientCredentialsToken } from './oauth.js';
import { recordBundle } from './record-data.js';
import type { RecordBenchFromServer, RecordBenchReady, RecordBenchToServer } from './record-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number`);
  return v;
};
const CITIZENS = num('BENCH_RECORD_CITIZENS', 1000);
const PER_BUNDLE = num('BENCH_RECORD_PER_BUNDLE', 20);
const CONCURRENCY = num('BENCH_INGEST_CONCURRENCY', 4);
const DURATION = num('BENCH_DURATION', 10);
const CONNECTIONS = num('BENCH_CONNECTIONS', 32);
const SCALE_TO = num('BENCH_SCALE_CITIZENS', 100_000);
const EVERYTHING_RUNS = num('BENCH_EVERYTHING_RUNS', 7);
const TOKEN_PATH = process.env.BENCH_TOKEN_PATH ?? '/fhir/token';
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const PART_NAMES = ['ingest', 'pages', 'everything', 'scale'] as const;
const PARTS = new Set(
  (process.env.BENCH_PARTS ?? PART_NAMES.join(',')).split(',').map((p) => {
    const part = p.trim();
    if (!(PART_NAMES as readonly string[]).includes(part)) throw new Error(`BENCH_PARTS: unknown part ${part}`);
    return part;
  }),
);

type Server = {
  ready: RecordBenchReady;
  ask(m: { type: 'cpu' } | { type: 'addCitizens'; count: number }): Promise<{ micros?: number; citizens: number }>;
  /** The SQL statements the server sent while fn ran. */
  trace(fn: () => Promise<unknown>): Promise<string[]>;
  stop(): Promise<void>;
};

async function startServer(env: Record<string, string>): Promise<Server> {
  const child = fork(join(here, 'record-server.ts'), [], {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PROFILE === '1'
        ? ['--cpu-prof', `--cpu-prof-dir=${join(here, 'results', 'profiles')}`]
        : []),
    ],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const waiting = new Map<number, (m: RecordBenchFromServer) => void>();
  const ready = await new Promise<RecordBenchReady>((resolve, reject) => {
    child.on('message', (m: RecordBenchFromServer) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'error') reject(new Error(m.message));
      else waiting.get(m.id)?.(m);
    });
    child.on('exit', (code) => reject(new Error(`bench server exited (${code ?? 'signal'})`)));
  });
  return {
    ready,
    ask: (m) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, (reply) => resolve(reply as { micros?: number; citizens: number }));
        child.send({ ...m, id } satisfies RecordBenchToServer);
      }),
    trace: async (fn) => {
      const ask = (on: boolean) =>
        new Promise<RecordBenchFromServer>((resolve) => {
          const id = nextId++;
          waiting.set(id, resolve);
          child.send({ type: 'trace', on, id } satisfies RecordBenchToServer);
        });
      await ask(true);
      await fn();
      const m = await ask(false);
      return m.type === 'trace' ? m.statements : [];
    },
    stop: async () => {
      child.send({ type: 'stop' });
      await new Promise((r) => child.once('exit', r));
    },
  };
}

interface Job {
  token: string;
  body: string;
  resources: number;
}

/** Posts the bundles with `concurrency` requests in flight; fails on the first non-200 answer. */
async function ingest(base: string, jobs: Job[], concurrency: number): Promise<{ seconds: number; resources: number }> {
  let next = 0;
  let resources = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    for (;;) {
      const job = jobs[next++];
      if (!job) return;
      const res = await fetch(`${base}/fhir`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${job.token}` },
        body: job.body,
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`POST /fhir answered ${res.status}: ${text.slice(0, 400)}`);
      resources += job.resources;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, resources };
}

function load(url: string, cookie: string | null): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    headers: cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {},
  });
}

const TRACE = process.env.BENCH_TRACE === '1';
function printTrace(what: string, statements: string[]): void {
  console.log(`--- SQL of ${what}: ${statements.length} statements`);
  for (const s of statements) console.log(`  ${s.length > 220 ? `${s.slice(0, 220)}…` : s}`);
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main(): Promise<void> {
  const database = databaseUrl ? await createBenchDatabase(databaseUrl) : null;
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    database: database ? 'postgres' : 'pglite',
    cores: cpus().length,
    loadAverage: loadavg(),
  };
  let server: Server | null = null;
  try {
    server = await startServer({
      ...(database ? { DATABASE_URL: database.url } : {}),
      BENCH_RECORD_CITIZENS: String(CITIZENS),
    });
    const { ready } = server;
    const base = `http://127.0.0.1:${ready.port}`;
    const tokens = await Promise.all(
      ready.clients.map((c) => clientCredentialsToken(base + TOKEN_PATH, c.clientId, c.secret)),
    );
    // Total CPU of a part: the server process plus the PostgreSQL backends of the bench database (on PGlite the
    // database runs inside the server process; null where the backends cannot be read).
    const pgDatabase = localDatabaseName(database?.url);
    const running = server;
    const cpuNow = async () => ({
      server: (await running.ask({ type: 'cpu' })).micros ?? 0,
      postgres: postgresCpuByPid(pgDatabase),
    });
    const totalCpuMicros = (before: Awaited<ReturnType<typeof cpuNow>>, after: Awaited<ReturnType<typeof cpuNow>>) => {
      const pgMicros = cpuDelta(before.postgres, after.postgres);
      if (database && pgMicros === null) return null;
      return after.server - before.server + (pgMicros ?? 0);
    };
    console.log(
      `server ready on ${ready.database}; ${ready.clients.length} API clients, ${ready.bsns.length} citizens`,
    );

    // --- 1. ingest ------------------------------------------------------------------------------------------------
    if (PARTS.has('ingest')) {
      const jobs: Job[] = [];
      ready.bsns.forEach((bsn, ci) => {
        tokens.forEach((t, oi) => {
          const bundle = recordBundle({
            bsn,
            source: `org${oi}`,
            salt: `c${ci}`,
            resources: PER_BUNDLE,
            seed: ci * 10 + oi + 1,
            withDocument: ci % 10 === 0,
          });
          jobs.push({ token: t, body: JSON.stringify(bundle), resources: PER_BUNDLE });
        });
      });
      // One bundle first, untimed (for the big citizen): warms the server, and is the one traced.
      const warm: Job = {
        token: tokens[0] ?? '',
        body: JSON.stringify(
          recordBundle({ bsn: ready.big.bsn, source: 'org0', salt: 'warm', resources: PER_BUNDLE, seed: 7 }),
        ),
        resources: PER_BUNDLE,
      };
      if (TRACE) printTrace('one ingest bundle', await server.trace(() => ingest(base, [warm], 1)));
      else await ingest(base, [warm], 1);
      const cpuBefore = await cpuNow();
      const ing = await ingest(base, jobs, CONCURRENCY);
      const cpuAfter = await cpuNow();
      const rate = ing.resources / ing.seconds;
      const total = totalCpuMicros(cpuBefore, cpuAfter);
      results.ingest = {
        bundles: jobs.length,
        resources: ing.resources,
        seconds: ing.seconds,
        resourcesPerSecond: rate,
        serverCpuMsPerResource: (cpuAfter.server - cpuBefore.server) / 1000 / ing.resources,
        totalCpuMsPerResource: total === null ? null : total / 1000 / ing.resources,
        totalCpuMsPerRequest: total === null ? null : total / 1000 / jobs.length,
        concurrency: CONCURRENCY,
      };
      console.log(
        `ingest: ${fmt(ing.resources)} resources in ${fmt(jobs.length)} bundles, ${fmt(ing.seconds, 1)} s = ${fmt(rate)} resources/s (target ≥ 2,000); ` +
          `total CPU ${total === null ? '-' : fmt(total / 1000 / jobs.length, 2)} ms/bundle (server + PostgreSQL)`,
      );
    }

    // The two citizens whose record is read: ≥ 500 items over 5 providers, and 5,000 resources.
    // Bundles for one patient from one organisation go one after another (all carry the same Patient, and two
    // concurrent first writes of it would conflict, as they would for a real sender); organisations in parallel.
    const own = async (bsn: string, perOrg: number, salt: string) => {
      const perBundle = Math.min(perOrg, 250);
      await Promise.all(
        tokens.map((t, oi) => {
          const orgJobs: Job[] = [];
          for (let b = 0; b * perBundle < perOrg; b++) {
            orgJobs.push({
              token: t,
              body: JSON.stringify(
                recordBundle({
                  bsn,
                  source: `org${oi}`,
                  salt: `${salt}-${b}`,
                  resources: perBundle,
                  seed: 900_000 + oi * 1000 + b,
                  withDocument: b === 0,
                }),
              ),
              resources: perBundle,
            });
          }
          return ingest(base, orgJobs, 1);
        }),
      );
    };
    if (PARTS.has('pages') || PARTS.has('scale')) await own(ready.big.bsn, 110, 'big');
    if (PARTS.has('everything')) await own(ready.everything.bsn, 1000, 'all');

    // --- 2. home and dossier ----------------------------------------------------------------------------------------
    // A load run with the total CPU per request around it.
    const measured = async (url: string, cookie: string | null) => {
      const before = await cpuNow();
      const result = await load(url, cookie);
      const micros = totalCpuMicros(before, await cpuNow());
      return { result, totalCpuMs: micros === null ? null : micros / 1000 / Math.max(1, result.requests.total) };
    };
    type Measured = Awaited<ReturnType<typeof measured>>;
    const hello = PARTS.has('pages') ? await measured(`${base}/hello`, null) : null;
    const row = (name: string, { result: r, totalCpuMs }: Measured) => {
      const ratio = hello ? r.requests.average / hello.result.requests.average : NaN;
      const bad = r.non2xx + r.errors;
      console.log(
        `${name.padEnd(10)} ${fmt(r.requests.average).padStart(8)} req/s  p50 ${fmt(r.latency.p50, 1)} ms  p99 ${fmt(r.latency.p99, 1)} ms  total CPU ${totalCpuMs === null ? '-' : fmt(totalCpuMs, 2)} ms/req  ${fmt(ratio * 100, 1)} % of /hello${bad ? `  INVALID: ${bad} non-2xx/errors` : ''}`,
      );
      return {
        reqPerSec: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        totalCpuMsPerRequest: totalCpuMs,
        ratio,
        non2xxOrErrors: bad,
      };
    };
    if (TRACE && (PARTS.has('pages') || PARTS.has('scale'))) {
      const probe = (path: string) => () =>
        fetch(base + path, { headers: { cookie: `${SESSION_COOKIE}=${ready.big.session}` } }).then((r) => r.text());
      printTrace('GET /home', await server.trace(probe('/home')));
      printTrace('GET /dossier', await server.trace(probe('/dossier')));
    }
    const home = PARTS.has('pages') || PARTS.has('scale') ? await measured(`${base}/home`, ready.big.session) : null;
    if (hello && home) {
      results.hello = row('/hello', hello);
      results.home = row('/home', home);
      results.dossier = row('/dossier', await measured(`${base}/dossier`, ready.big.session));
    }

    // --- 3. $everything ---------------------------------------------------------------------------------------------
    if (PARTS.has('everything')) {
      // The same read with the citizen's portal session and with the token of an app the citizen authorised (one
      // more transaction: the grant is checked on every request), alternating so that both see the same machine.
      const run = async (auth: Record<string, string>) => {
        const t0 = process.hrtime.bigint();
        const res = await fetch(`${base}/fhir/Patient/${ready.everything.citizenId}/$everything`, {
          headers: { ...auth, accept: 'application/fhir+json' },
        });
        const body = (await res.json()) as { entry?: unknown[] };
        if (res.status !== 200) throw new Error(`$everything answered ${res.status}`);
        return { ms: Number(process.hrtime.bigint() - t0) / 1e6, count: body.entry?.length ?? 0 };
      };
      const session: number[] = [];
      const app: number[] = [];
      let count = 0;
      for (let i = 0; i < EVERYTHING_RUNS; i++) {
        const s = await run({ cookie: `${SESSION_COOKIE}=${ready.everything.session}` });
        const a = await run({ authorization: `Bearer ${ready.everything.appToken}` });
        if (a.count !== s.count) throw new Error('the app and the citizen read different records');
        session.push(s.ms);
        app.push(a.ms);
        count = s.count;
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
      const max = (xs: number[]) => Math.max(...xs);
      results.everything = {
        entries: count,
        medianMs: median(session),
        maxMs: max(session),
        appMedianMs: median(app),
        appMaxMs: max(app),
        runs: session.length,
      };
      console.log(
        `$everything: ${fmt(count)} entries, median ${fmt(median(session))} ms, max ${fmt(max(session))} ms (target < 1,000 ms); ` +
          `by an app's token: median ${fmt(median(app))} ms, max ${fmt(max(app))} ms`,
      );
    }

    // --- 4. scale -----------------------------------------------------------------------------------------------------
    if (home && PARTS.has('scale')) {
      const before = await server.ask({ type: 'cpu' });
      const add = Math.max(0, SCALE_TO - before.citizens - 5); // the demo has 5 citizens of its own
      const added = await server.ask({ type: 'addCitizens', count: add });
      const homeScaled = await measured(`${base}/home`, ready.big.session);
      const scaled = row('/home@scale', homeScaled);
      const p50Ratio = homeScaled.result.latency.p50 / home.result.latency.p50;
      results.scale = {
        citizensBefore: before.citizens + 5,
        citizensAfter: added.citizens + 5,
        p50Before: home.result.latency.p50,
        p50After: homeScaled.result.latency.p50,
        p50Ratio,
        after: scaled,
      };
      console.log(
        `scale: home p50 ${fmt(home.result.latency.p50, 1)} ms with ${fmt(before.citizens + 5)} citizens → ${fmt(homeScaled.result.latency.p50, 1)} ms with ${fmt(added.citizens + 5)}: ratio ${fmt(p50Ratio, 2)} (target ≤ 1.5)`,
      );
    }
  } finally {
    await server?.stop().catch(() => undefined);
    if (database && process.env.BENCH_KEEP_DATABASE !== '1') await database.drop().catch(() => undefined);
  }
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `record-${String(results.database)}.json`), JSON.stringify(results, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
