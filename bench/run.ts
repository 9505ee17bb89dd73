// `npm run bench`: throughput and latency of Koepel's hot paths, as ratios to a baseline measured in the same run.
//
//   npm run bench                                                  in-memory PGlite
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench
//                                                                  PostgreSQL: a fresh database is created and dropped
// Tuning (environment): BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (32),
// BENCH_POOL_SIZE (PostgreSQL pool of the server, 10 = Koepel's default), BENCH_SESSIONS (sessions per scenario,
// spread over the connections; default 1).
//
// The server runs in a child process (bench/server.ts); autocannon runs here, so the two never share an event loop.
// Results are printed as a table and written to bench/results/latest.json (and <database>.json).
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { format, resolveConfig } from 'prettier';
import { SESSION_COOKIE } from '../src/platform/session/sessions.js';
import type { BenchSession, FromServer, ToServer } from './protocol.js';

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
const TARGET_RATIO = 0.25;
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;

// --- the fresh PostgreSQL database ------------------------------------------------------------------------------

async function createBenchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `koepel_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

// --- the server process ----------------------------------------------------------------------------------------

interface Server {
  port: number;
  ready: Extract<FromServer, { type: 'ready' }>;
  stats(): Promise<{ queries: number; transactions: number; auditRows: number }>;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const child: ChildProcess = fork(join(here, 'server.ts'), [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const waiting = new Map<number, (m: Extract<FromServer, { type: 'stats' }>) => void>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const ready = await new Promise<Extract<FromServer, { type: 'ready' }>>((resolve, reject) => {
    child.on('message', (m: FromServer) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'stats') waiting.get(m.id)?.(m);
      else reject(new Error(`server: ${m.message}`));
    });
    child.once('exit', (code) => reject(new Error(`server exited with code ${code ?? 'null'} before it was ready`)));
  });
  const send = (m: ToServer) => child.send(m);

  return {
    port: ready.port,
    ready,
    stats: () =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, (m) => {
          waiting.delete(id);
          resolve({ queries: m.queries, transactions: m.transactions, auditRows: m.auditRows });
        });
        send({ type: 'stats', id });
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// --- scenarios -------------------------------------------------------------------------------------------------

interface Scenario {
  key: 'hello' | 'citizenHome' | 'staffSearch';
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
  ratioToBaseline?: number | null;
  queriesPerRequest?: number;
  transactionsPerRequest?: number;
  auditRowsPerRequest?: number;
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

async function measure(server: Server, sc: Scenario): Promise<ScenarioResult> {
  const base = `http://127.0.0.1:${server.port}`;
  const result: ScenarioResult = {
    key: sc.key,
    name: sc.name,
    request: `${sc.method} ${sc.path}`,
    status: 'not available',
  };
  if (!sc.available) {
    result.note = 'route not registered (not built yet)';
    return result;
  }
  const first = await probe(base, sc);
  if (first.status === 404) {
    result.note = 'route answers 404';
    return result;
  }
  if (first.status !== 200) {
    // Measuring error pages or redirects would be worthless.
    result.status = 'invalid';
    result.note = `probe answered ${first.status}: ${first.snippet}`;
    return result;
  }
  if (WARMUP_S > 0) await load(base, sc, WARMUP_S);
  const before = await server.stats();
  const r = await load(base, sc, DURATION_S);
  const after = await server.stats();
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = v.count ?? 0;
  const done = Math.max(1, r.requests.total);
  const round = (n: number, digits: number) => Number(n.toFixed(digits));
  Object.assign(result, {
    status: r.non2xx > 0 || r.errors > 0 ? 'invalid' : 'measured',
    requestsPerSecond: round(r.requests.total / r.duration, 1),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    statusCodes,
    errors: r.errors,
    timeouts: r.timeouts,
    queriesPerRequest: round((after.queries - before.queries) / done, 2),
    transactionsPerRequest: round((after.transactions - before.transactions) / done, 2),
    auditRowsPerRequest: round((after.auditRows - before.auditRows) / done, 3),
  } satisfies Partial<ScenarioResult>);
  if (result.status === 'invalid') {
    result.note = `${r.non2xx} non-2xx responses (${JSON.stringify(statusCodes)}), ${r.errors} errors`;
  }
  return result;
}

// --- report ----------------------------------------------------------------------------------------------------

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '-' : n.toFixed(digits));

function table(rows: ScenarioResult[]): string {
  const header = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'vs baseline',
    'queries/req',
    'tx/req',
    'audit/req',
  ];
  const body = rows.map((r) =>
    r.status === 'not available'
      ? [r.name, 'not available', '', '', '', '', '', '', '']
      : [
          r.status === 'invalid' ? `${r.name} [INVALID]` : r.name,
          fmt(r.requestsPerSecond),
          fmt(r.p50Ms, 1),
          fmt(r.p99Ms, 1),
          fmt(r.non2xx),
          r.ratioToBaseline == null ? '-' : `${(r.ratioToBaseline * 100).toFixed(1)}%`,
          fmt(r.queriesPerRequest, 1),
          fmt(r.transactionsPerRequest, 1),
          fmt(r.auditRowsPerRequest, 2),
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
    const where = ready.database === 'postgres' ? `PostgreSQL (pool ${ready.poolSize})` : 'PGlite (in memory)';
    console.log(`Koepel benchmark — ${startedAt.toISOString()}`);
    console.log(
      `server: ${where}, child process on port ${ready.port}; load: autocannon, ${CONNECTIONS} connections, ` +
        `${WARMUP_S} s warm-up + ${DURATION_S} s per scenario, ${SESSIONS} session(s) per scenario`,
    );
    console.log(
      `machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, Node ${process.version}\n`,
    );

    const auditBefore = (await server.stats()).auditRows;
    const results: ScenarioResult[] = [];
    for (const sc of scenarios(ready)) {
      process.stdout.write(`measuring ${sc.name} … `);
      const r = await measure(server, sc);
      console.log(
        r.status === 'measured' ? `${fmt(r.requestsPerSecond)} req/s` : `${r.status}${r.note ? ` (${r.note})` : ''}`,
      );
      results.push(r);
    }
    const auditAfter = (await server.stats()).auditRows;

    const baseline = results.find((r) => r.key === 'hello');
    const baseRps = baseline?.status === 'measured' ? baseline.requestsPerSecond : undefined;
    for (const r of results) {
      r.ratioToBaseline =
        r.requestsPerSecond !== undefined && baseRps ? Number((r.requestsPerSecond / baseRps).toFixed(4)) : null;
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
    console.log(`citizen home ≥ 25% of baseline on PostgreSQL: ${verdict}${why}`);
    console.log(
      `audit records written during the run: ${auditAfter - auditBefore} (audit_log ${auditBefore} → ${auditAfter} rows)`,
    );

    const report = {
      startedAt: startedAt.toISOString(),
      database: ready.database,
      poolSize: ready.database === 'postgres' ? ready.poolSize : null,
      settings: { durationS: DURATION_S, warmupS: WARMUP_S, connections: CONNECTIONS, sessionsPerScenario: SESSIONS },
      machine: {
        cpus: cpu.length,
        cpuModel: cpu[0]?.model ?? null,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverageAtStart: loadavg(),
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
