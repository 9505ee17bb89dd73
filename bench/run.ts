// `npm run bench`: throughput and latency of Koepel's hot paths, as ratios to a baseline measured in the same run.
//
//   npm run bench                                                  in-memory PGlite
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench
//                                                                  PostgreSQL: a fresh database is created and dropped
// Tuning (environment): BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (32),
// BENCH_POOL_SIZE (PostgreSQL pool of the server, 10 = Koepel's default), BENCH_SESSIONS (sessions per scenario,
// spread over the connections; default 1), BENCH_TRACE=1 (print the SQL of one request per scenario),
// BENCH_PROFILE=1 (write a V8 CPU profile of the server to bench/results/profiles/), BENCH_SCENARIOS (comma-separated
// keys: health, page, pageWithSession, citizenHome, staffSearch; default all), BENCH_ROUNDS (repeat the whole sequence and
// report medians, each ratio against the baseline of its own round; default 1, use 3 or more on a noisy machine),
// BENCH_KEEP_DATABASE=1 (PostgreSQL: keep the bench database afterwards, to look at its queries with EXPLAIN),
// BENCH_SYNCHRONOUS_COMMIT=off (experiment: the bench database commits without waiting for the WAL flush).
//
// The server runs in a child process (bench/server.ts); autocannon runs here, so the two never share an event loop.
// Results are printed as a table and written to bench/results/latest.json (and <database>.json).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { format, resolveConfig } from 'prettier';
import { SESSION_COOKIE } from '../src/platform/session/sessions.js';
import type { BenchSession, FromServer, ToServer } from './protocol.js';
import { cpuDelta, localDatabaseName, postgresCpuByPid } from './cpu.js';
import { createBenchDatabase } from './database.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

const DURATION_S = intEnv('BENCH_DURATION', 10, 1);
const WARMUP_S = intEnv('BENCH_WARMUP', 2, 0);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 32, 1);
const SESSIONS = intEnv('BENCH_SESSIONS', 1, 1);
const ROUNDS = intEnv('BENCH_ROUNDS', 1, 1);
const TARGET_RATIO = 0.25;
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;

// --- the server process ----------------------------------------------------------------------------------------

interface Server {
  port: number;
  /** The server's own database (PostgreSQL only). */
  databaseUrl: string | undefined;
  ready: Extract<FromServer, { type: 'ready' }>;
  stats(): Promise<Stats>;
  /** Waits until the server has finished the requests still in flight after a load run. */
  settle(): Promise<void>;
  /** The SQL statements the server sends while fn runs (fn makes one request). */
  trace(fn: () => Promise<unknown>): Promise<string[]>;
  stop(): Promise<void>;
}

type Reply = Extract<FromServer, { id: number }>;
type Stats = Omit<Extract<FromServer, { type: 'stats' }>, 'type' | 'id'>;

async function startServer(env: Record<string, string>): Promise<Server> {
  const child: ChildProcess = fork(join(here, 'server.ts'), [], {
    cwd: root,
    // BENCH_PROFILE=1: a V8 CPU profile of the server (open it in Chrome DevTools or speedscope).
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PROFILE === '1'
        ? ['--cpu-prof', `--cpu-prof-dir=${join(here, 'results', 'profiles')}`]
        : []),
    ],
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve(m: Reply): void; reject(e: Error): void }>();
  const failAll = (e: Error) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const ready = await new Promise<Extract<FromServer, { type: 'ready' }>>((resolve, reject) => {
    child.on('message', (m: FromServer) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'error') {
        const e = new Error(`server: ${m.message}`);
        reject(e);
        failAll(e);
      } else {
        waiting.get(m.id)?.resolve(m);
        waiting.delete(m.id);
      }
    });
    child.once('exit', (code) => {
      const e = new Error(`server exited with code ${code ?? 'null'}`);
      reject(e);
      failAll(e);
    });
  });

  const ask = (type: Exclude<ToServer['type'], 'stop'>) =>
    new Promise<Reply>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send({ type, id } satisfies ToServer);
    });

  return {
    port: ready.port,
    databaseUrl: env.DATABASE_URL,
    ready,
    stats: async () => {
      const m = await ask('stats');
      if (m.type !== 'stats') throw new Error(`unexpected reply ${m.type}`);
      return { queries: m.queries, transactions: m.transactions, auditRows: m.auditRows, cpuMicros: m.cpuMicros };
    },
    settle: async () => {
      // autocannon returns when its time is up, while the server may still be working through queued requests.
      let last = await ask('stats');
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const now = await ask('stats');
        if (now.type === 'stats' && last.type === 'stats' && now.queries === last.queries) return;
        last = now;
      }
    },
    trace: async (fn) => {
      await ask('traceStart');
      // Switch tracing off again also when the request failed.
      const outcome = await fn().then(
        () => null,
        (err: unknown) => ({ err }),
      );
      const m = await ask('traceStop');
      if (outcome) throw outcome.err;
      if (m.type !== 'trace') throw new Error(`unexpected reply ${m.type}`);
      return m.statements;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' } satisfies ToServer);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// --- scenarios -------------------------------------------------------------------------------------------------

interface Scenario {
  key: 'hello' | 'health' | 'page' | 'pageWithSession' | 'citizenHome' | 'staffSearch';
  name: string;
  method: 'GET' | 'POST';
  path: string;
  available: boolean;
  /** Per connection: headers and body (each connection takes the next session, round robin). */
  request(i: number): { headers: Record<string, string>; body?: string };
}

interface ScenarioResult {
  key: Scenario['key'];
  name: string;
  request: string;
  status: 'measured' | 'not available' | 'invalid';
  note?: string;
  requestsPerSecond?: number;
  p50Ms?: number;
  p99Ms?: number;
  requests?: number;
  non2xx?: number;
  statusCodes?: Record<string, number>;
  errors?: number;
  timeouts?: number;
  /** Median over the rounds of (this scenario's req/s ÷ the baseline's req/s in the same round). */
  ratioToBaseline?: number | null;
  ratiosPerRound?: number[];
  queriesPerRequest?: number;
  transactionsPerRequest?: number;
  auditRowsPerRequest?: number;
  /**
   * CPU per request of everything that serves it (ms): the server process plus the PostgreSQL backends of the bench
   * database (on PGlite the database runs inside the server process). Null where the backends cannot be read.
   */
  totalCpuMsPerRequest?: number | null;
  /** CPU time of the server process per request (ms): near 1000 / (req/s) means the server's one thread is the limit. */
  serverCpuMsPerRequest?: number;
  /** Share of one core the server process used during the run. */
  serverCpuShare?: number;
  /** CPU per request of the local PostgreSQL server (Linux only) and of the load generator, in ms. */
  databaseCpuMsPerRequest?: number | null;
  loadGeneratorCpuMsPerRequest?: number;
  /** The SQL statements of one request after the warm-up (BENCH_TRACE=1 prints them). */
  statementsOfOneRequest?: string[];
}

const cookie = (s: BenchSession) => `${SESSION_COOKIE}=${s.token}`;
const pick = <T>(list: T[], i: number): T => {
  const v = list[i % list.length];
  if (v === undefined) throw new Error('no session to pick');
  return v;
};

function scenarios(ready: Server['ready']): Scenario[] {
  const { citizenSessions, staffSessions } = ready.fixtures;
  return [
    {
      key: 'hello',
      name: 'baseline GET /hello',
      method: 'GET',
      path: '/hello',
      available: true,
      request: () => ({ headers: {} }),
    },
    // Diagnostic steps between the baseline and the citizen home, to show where a request's time goes: one
    // database statement without a page (the readiness check, src/platform/http/health.ts: one statement on the
    // owner pool, no transaction, no principal), a page without the database (/privacy, anonymous), and that page
    // with a session loaded from the database (/privacy as a citizen).
    {
      key: 'health',
      name: 'diagnostic: one owner-pool statement, no page GET /health/ready',
      method: 'GET',
      path: '/health/ready',
      available: true,
      request: () => ({ headers: {} }),
    },
    {
      key: 'page',
      name: 'diagnostic: page render GET /privacy',
      method: 'GET',
      path: '/privacy',
      available: true,
      request: () => ({ headers: {} }),
    },
    {
      key: 'pageWithSession',
      name: 'diagnostic: render + session GET /privacy (citizen)',
      method: 'GET',
      path: '/privacy',
      available: true,
      request: (i) => ({ headers: { cookie: cookie(pick(citizenSessions, i)) } }),
    },
    {
      key: 'citizenHome',
      name: 'citizen home GET /home',
      method: 'GET',
      path: '/home',
      available: ready.routes.home,
      request: (i) => ({ headers: { cookie: cookie(pick(citizenSessions, i)) } }),
    },
    {
      key: 'staffSearch',
      name: 'staff patient search POST /staff/patients/search',
      method: 'POST',
      path: '/staff/patients/search',
      available: ready.routes.staffSearch,
      request: (i) => {
        const s = pick(staffSessions, i);
        return {
          headers: { cookie: cookie(s), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ name: 'vries', birthDate: '', _csrf: s.csrf }).toString(),
        };
      },
    },
  ];
}

function load(base: string, sc: Scenario, seconds: number): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url: base + sc.path,
    method: sc.method,
    connections: CONNECTIONS,
    duration: seconds,
    setupClient: (client) => {
      const r = sc.request(next++);
      client.setHeadersAndBody(r.headers, r.body);
    },
  });
}

async function probe(base: string, sc: Scenario): Promise<{ status: number; snippet: string }> {
  const r = sc.request(0);
  const res = await fetch(base + sc.path, {
    method: sc.method,
    headers: r.headers,
    redirect: 'manual',
    ...(r.body !== undefined ? { body: r.body } : {}),
  });
  const text = await res.text();
  return { status: res.status, snippet: text.replace(/\s+/g, ' ').slice(0, 160) };
}

/** Checks that the scenario answers 200 before anything is measured: a benchmark of error pages is worthless. */
async function check(base: string, sc: Scenario): Promise<Pick<ScenarioResult, 'status' | 'note'>> {
  if (!sc.available) return { status: 'not available', note: 'route not registered (not built yet)' };
  const first = await probe(base, sc);
  if (first.status === 404) return { status: 'not available', note: 'route answers 404' };
  if (first.status !== 200) return { status: 'invalid', note: `probe answered ${first.status}: ${first.snippet}` };
  return { status: 'measured' };
}

/** One measured run of one scenario: warm-up, then the measurement, with the server's counters around it. */
interface Sample {
  result: autocannon.Result;
  delta: Stats;
  statements?: string[];
  /** CPU used meanwhile by the load generator (this process) and by the local PostgreSQL server, in microseconds. */
  loadCpuMicros: number;
  databaseCpuMicros: number | null;
}

async function sample(server: Server, sc: Scenario, traceIt: boolean): Promise<Sample> {
  const base = `http://127.0.0.1:${server.port}`;
  if (WARMUP_S > 0) await load(base, sc, WARMUP_S);
  await server.settle();
  const statements = traceIt ? await server.trace(() => probe(base, sc)) : undefined;
  const before = await server.stats();
  const database = localDatabaseName(server.databaseUrl);
  const pgBefore = postgresCpuByPid(database);
  const loadBefore = process.cpuUsage();
  const result = await load(base, sc, DURATION_S);
  const loadCpu = process.cpuUsage(loadBefore);
  await server.settle();
  const pgAfter = postgresCpuByPid(database);
  const after = await server.stats();
  const delta: Stats = {
    queries: after.queries - before.queries,
    transactions: after.transactions - before.transactions,
    auditRows: after.auditRows - before.auditRows,
    cpuMicros: after.cpuMicros - before.cpuMicros,
  };
  return {
    result,
    delta,
    ...(statements ? { statements } : {}),
    loadCpuMicros: loadCpu.user + loadCpu.system,
    databaseCpuMicros: cpuDelta(pgBefore, pgAfter),
  };
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const rps = (r: autocannon.Result) => r.requests.total / r.duration;
/**
 * Requests the server handled: those answered within the run plus those still in flight when it ended (autocannon
 * stops counting, the server finishes them and its CPU and statements are counted): the denominator per request.
 */
const served = (r: autocannon.Result) => (r.requests as { sent?: number }).sent ?? r.requests.total;

/** Folds the rounds of one scenario: medians for rates and latencies, sums for counts. */
function summarise(
  sc: Scenario,
  samples: Sample[],
  baselines: Sample[],
  database: Server['ready']['database'],
): ScenarioResult {
  const total = (k: keyof Stats) => samples.reduce((n, x) => n + x.delta[k], 0);
  const requests = samples.reduce((n, x) => n + x.result.requests.total, 0);
  const done = Math.max(
    1,
    samples.reduce((n, x) => n + served(x.result), 0),
  );
  const statusCodes: Record<string, number> = {};
  for (const x of samples) {
    for (const [code, v] of Object.entries(x.result.statusCodeStats ?? {})) {
      statusCodes[code] = (statusCodes[code] ?? 0) + (v.count ?? 0);
    }
  }
  const non2xx = samples.reduce((n, x) => n + x.result.non2xx, 0);
  const errors = samples.reduce((n, x) => n + x.result.errors, 0);
  const seconds = samples.reduce((n, x) => n + x.result.duration, 0);
  // Each round's ratio uses the baseline measured in that same round, so slow drift of a noisy machine cancels out.
  const ratios = samples.flatMap((x, i) => {
    const b = baselines[i];
    return b && rps(b.result) > 0 ? [rps(x.result) / rps(b.result)] : [];
  });
  const statements = samples.find((x) => x.statements)?.statements;
  const databaseCpuMicros = samples.every((x) => x.databaseCpuMicros !== null)
    ? samples.reduce((n, x) => n + (x.databaseCpuMicros ?? 0), 0)
    : null;
  const totalCpuMicros =
    database === 'pglite'
      ? total('cpuMicros')
      : databaseCpuMicros === null
        ? null
        : total('cpuMicros') + databaseCpuMicros;
  return {
    key: sc.key,
    name: sc.name,
    request: `${sc.method} ${sc.path}`,
    status: non2xx > 0 || errors > 0 ? 'invalid' : 'measured',
    ...(non2xx > 0 || errors > 0
      ? { note: `${non2xx} non-2xx responses (${JSON.stringify(statusCodes)}), ${errors} connection errors` }
      : {}),
    requestsPerSecond: round(median(samples.map((x) => rps(x.result))), 1),
    p50Ms: median(samples.map((x) => x.result.latency.p50)),
    p99Ms: median(samples.map((x) => x.result.latency.p99)),
    requests,
    non2xx,
    statusCodes,
    errors,
    timeouts: samples.reduce((n, x) => n + x.result.timeouts, 0),
    ratioToBaseline: ratios.length > 0 ? round(median(ratios), 4) : null,
    ...(samples.length > 1 ? { ratiosPerRound: ratios.map((r) => round(r, 4)) } : {}),
    queriesPerRequest: round(total('queries') / done, 2),
    transactionsPerRequest: round(total('transactions') / done, 2),
    auditRowsPerRequest: round(total('auditRows') / done, 3),
    totalCpuMsPerRequest: totalCpuMicros === null ? null : round(totalCpuMicros / 1000 / done, 3),
    serverCpuMsPerRequest: round(total('cpuMicros') / 1000 / done, 3),
    serverCpuShare: round(total('cpuMicros') / 1e6 / Math.max(1, seconds), 2),
    databaseCpuMsPerRequest: databaseCpuMicros === null ? null : round(databaseCpuMicros / 1000 / done, 3),
    loadGeneratorCpuMsPerRequest: round(samples.reduce((n, x) => n + x.loadCpuMicros, 0) / 1000 / done, 3),
    ...(statements ? { statementsOfOneRequest: statements } : {}),
  };
}

// --- report ----------------------------------------------------------------------------------------------------

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '-' : n.toFixed(digits));

function table(rows: ScenarioResult[]): string {
  const header = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'total CPU ms/req',
    'non-2xx',
    'vs baseline',
    'queries/req',
    'tx/req',
    'audit/req',
    'CPU ms/req: server',
    'db backends',
    'load gen',
  ];
  const body = rows.map((r) =>
    r.status === 'not available'
      ? [r.name, 'not available', '', '', '', '', '', '', '', '', '', '', '']
      : [
          r.status === 'invalid' ? `${r.name} [INVALID]` : r.name,
          fmt(r.requestsPerSecond),
          fmt(r.p50Ms, 1),
          fmt(r.p99Ms, 1),
          r.totalCpuMsPerRequest == null ? '-' : r.totalCpuMsPerRequest.toFixed(2),
          fmt(r.non2xx),
          r.ratioToBaseline == null ? '-' : `${(r.ratioToBaseline * 100).toFixed(1)}%`,
          fmt(r.queriesPerRequest, 1),
          fmt(r.transactionsPerRequest, 1),
          fmt(r.auditRowsPerRequest, 2),
          r.serverCpuMsPerRequest === undefined
            ? '-'
            : `${r.serverCpuMsPerRequest.toFixed(2)} (${((r.serverCpuShare ?? 0) * 100).toFixed(0)}% core)`,
          r.databaseCpuMsPerRequest == null ? '-' : r.databaseCpuMsPerRequest.toFixed(2),
          fmt(r.loadGeneratorCpuMsPerRequest, 2),
        ],
  );
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const benchDb = databaseUrl ? await createBenchDatabase(databaseUrl) : null;
  let server: Server | null = null;
  const cleanup = async () => {
    await server?.stop().catch(() => undefined);
    if (benchDb && process.env.BENCH_KEEP_DATABASE === '1') {
      console.log(`kept the bench database for inspection: ${benchDb.url}`);
      return;
    }
    await benchDb?.drop().catch((err: unknown) => console.error('could not drop the bench database:', err));
  };
  const interrupted = () => void cleanup().then(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    server = await startServer({
      ...(benchDb ? { DATABASE_URL: benchDb.url } : {}),
      BENCH_SESSIONS: String(SESSIONS),
    });
    const { ready } = server;
    const cpu = cpus();
    const loadAtStart = loadavg();
    const where =
      ready.database === 'postgres'
        ? `PostgreSQL (pool ${ready.poolSize}${process.env.BENCH_SYNCHRONOUS_COMMIT === 'off' ? ', EXPERIMENT synchronous_commit off' : ''})`
        : 'PGlite (in memory)';
    console.log(`Koepel benchmark — ${startedAt.toISOString()}`);
    console.log(
      `server: ${where}, child process on port ${ready.port}; load: autocannon, ${CONNECTIONS} connections, ` +
        `${WARMUP_S} s warm-up + ${DURATION_S} s per scenario, ${SESSIONS} session(s) per scenario, ` +
        `${ROUNDS} round(s)`,
    );
    console.log(
      `machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, Node ${process.version}\n`,
    );

    const auditBefore = (await server.stats()).auditRows;
    const base = `http://127.0.0.1:${server.port}`;
    // BENCH_SCENARIOS=citizenHome,staffSearch runs only those (the baseline always runs: everything is a ratio to it).
    const only = process.env.BENCH_SCENARIOS?.split(',').map((k) => k.trim());
    const chosen = scenarios(ready).filter((x) => !only || x.key === 'hello' || only.includes(x.key));
    const checked = new Map<Scenario['key'], Pick<ScenarioResult, 'status' | 'note'>>();
    for (const sc of chosen) checked.set(sc.key, await check(base, sc));
    const runnable = chosen.filter((sc) => checked.get(sc.key)?.status === 'measured');
    const samples = new Map<Scenario['key'], Sample[]>(runnable.map((sc) => [sc.key, []]));
    for (let r = 1; r <= ROUNDS; r++) {
      if (ROUNDS > 1) console.log(`round ${r} of ${ROUNDS}`);
      for (const sc of runnable) {
        process.stdout.write(`measuring ${sc.name} … `);
        const x = await sample(server, sc, r === 1);
        samples.get(sc.key)?.push(x);
        const bad = x.result.non2xx + x.result.errors;
        console.log(`${fmt(rps(x.result))} req/s${bad > 0 ? ` (${bad} non-2xx/errors!)` : ''}`);
      }
    }
    const auditAfter = (await server.stats()).auditRows;

    const baselines = samples.get('hello') ?? [];
    const results: ScenarioResult[] = chosen.map((sc) => {
      const c = checked.get(sc.key);
      if (c?.status !== 'measured') {
        return { key: sc.key, name: sc.name, request: `${sc.method} ${sc.path}`, status: c?.status ?? 'invalid', ...c };
      }
      return summarise(sc, samples.get(sc.key) ?? [], baselines, ready.database);
    });
    for (const r of results.filter((x) => x.status !== 'measured')) {
      console.log(`${r.name}: ${r.status}${r.note ? ` (${r.note})` : ''}`);
    }

    const home = results.find((r) => r.key === 'citizenHome');
    let verdict: 'MET' | 'NOT MET' | 'NOT MEASURED';
    let why = '';
    if (!home || home.status !== 'measured' || home.ratioToBaseline == null) {
      verdict = 'NOT MEASURED';
      why =
        home?.status === 'invalid'
          ? ` (citizen home run invalid: ${home.note ?? ''})`
          : ' (citizen home not available)';
    } else if (ready.database !== 'postgres') {
      verdict = 'NOT MEASURED';
      why = ` (this run is on PGlite, where citizen home reached ${(home.ratioToBaseline * 100).toFixed(1)}% of baseline; set BENCH_DATABASE_URL)`;
    } else {
      verdict = home.ratioToBaseline >= TARGET_RATIO ? 'MET' : 'NOT MET';
      why = ` (${(home.ratioToBaseline * 100).toFixed(1)}%)`;
    }

    console.log(`\n${table(results)}\n`);
    for (const r of results.filter((x) => x.non2xx)) {
      console.log(`non-2xx in ${r.name}: ${JSON.stringify(r.statusCodes)}`);
    }
    if (process.env.BENCH_TRACE === '1') {
      for (const r of results.filter((x) => x.statementsOfOneRequest)) {
        console.log(`SQL of one request, ${r.name}:`);
        for (const st of r.statementsOfOneRequest ?? []) console.log(`  ${st.slice(0, 200)}`);
      }
      console.log('');
    }
    console.log(`citizen home ≥ 25% of baseline on PostgreSQL: ${verdict}${why}`);
    console.log(
      `audit records written during the run: ${auditAfter - auditBefore} (audit_log ${auditBefore} → ${auditAfter} rows)`,
    );

    const report = {
      startedAt: startedAt.toISOString(),
      database: ready.database,
      poolSize: ready.database === 'postgres' ? ready.poolSize : null,
      settings: {
        durationS: DURATION_S,
        warmupS: WARMUP_S,
        connections: CONNECTIONS,
        sessionsPerScenario: SESSIONS,
        rounds: ROUNDS,
        synchronousCommit: ready.database === 'postgres' ? (process.env.BENCH_SYNCHRONOUS_COMMIT ?? 'on') : null,
      },
      machine: {
        cpus: cpu.length,
        cpuModel: cpu[0]?.model ?? null,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadavg(),
      },
      scenarios: results,
      target: { description: 'citizen home ≥ 25% of baseline req/s on PostgreSQL', verdict },
      audit: { before: auditBefore, after: auditAfter, written: auditAfter - auditBefore },
    };
    const dir = join(here, 'results');
    mkdirSync(dir, { recursive: true });
    // Formatted as the repository's prettier would, so that `npm run format:check` stays clean in a working tree.
    const latest = join(dir, 'latest.json');
    const json = await format(JSON.stringify(report), { ...(await resolveConfig(latest)), filepath: latest });
    writeFileSync(latest, json);
    writeFileSync(join(dir, `${ready.database}.json`), json);
    console.log(`results: bench/results/latest.json, bench/results/${ready.database}.json`);

    const invalid = results.filter((r) => r.status === 'invalid');
    if (invalid.length > 0) {
      console.error(
        `\n${invalid.length} scenario(s) INVALID (errors instead of 200): ${invalid.map((r) => r.name).join('; ')}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

await main();
