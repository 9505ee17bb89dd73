// `npm run bench:fhir` (part of `npm run bench`): Koepel's FHIR API as provider systems and apps use it (issue 10),
// optionally side by side with another FHIR R4 server.
//
//   npm run bench:fhir                                                        in-memory PGlite
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:fhir   PostgreSQL (a fresh database)
//
// Scenarios (BENCH_FHIR_SCENARIOS, comma-separated, default all):
//   patientRead        GET /fhir/Patient/{id}
//   observationSearch  GET /fhir/Observation?patient={id}&_count=20 (+ &_total=accurate where the server takes it):
//                      20 of the patient's 50 Observations, with the total
//   ingest             POST /fhir, transaction Bundles of BENCH_FHIR_PER_BUNDLE resources (default 20) + the Patient,
//                      each for the next of 200 patients, BENCH_INGEST_CONCURRENCY connections (default 4)
// The reads run on 32 connections (BENCH_CONNECTIONS). Before anything is measured the bench loads, through the FHIR
// API of each server, one plain FHIR R4 transaction Bundle: a Patient and 50 Observations; the reads are of that
// Patient. Writes go with a provider system's token (OAuth2 client credentials). Koepel's read API serves citizens
// only (an API client's token is answered 403), so in Koepel the reads go with the bearer token of an app the patient
// authorised — the same kind of request (one bearer token, one patient), though not the same principal.
//
// Side by side: BENCH_PEER_FHIR_URL (the peer's FHIR base, e.g. http://127.0.0.1:8080/fhir) and BENCH_PEER_FHIR_TOKEN
// (a bearer token that may write there; BENCH_PEER_FHIR_READ_TOKEN if reads need another one). The same scenarios run
// against both, interleaved: each round measures each scenario on Koepel, then on the peer. BENCH_PEER_PIDS
// (comma-separated pids, e.g. the peer's server process) and BENCH_PEER_PG_DATABASE (the name of its database on the
// local PostgreSQL) let the bench read the peer's CPU from /proc as it does Koepel's; without them its CPU shows "-".
// bench/fhir-server.ts --peer starts a second Koepel to serve as the peer (docs/performance.md).
//
// Tuning: BENCH_ROUNDS (default 3), BENCH_DURATION (s per scenario and server, default 10), BENCH_WARMUP (s, 2),
// BENCH_TRACE=1 (print the SQL of one request of each scenario in Koepel), BENCH_PROFILE=1 (a V8 CPU profile of the
// Koepel server), BENCH_POOL_SIZE, BENCH_KEEP_DATABASE=1.
// Results: printed as one table, and written to bench/results/fhir-<database>.json.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuDelta, localDatabaseName, postgresCpuByPid, processCpuByPid, type CpuByPid } from './cpu.js';
import { createBenchDatabase } from './database.js';
import type { FhirBenchFromServer, FhirBenchReady, FhirBenchToServer } from './fhir-server.js';
import { clientCredentialsToken } from './oauth.js';
import {
  FHIR_BENCH_INGEST_PATIENTS,
  FHIR_BENCH_READ_BSN,
  fhirBenchIngestBsns,
  observationBundle,
  recordBundle,
} from './record-data.js';

const here = dirname(fileURLToPath(import.meta.url));

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
const INGEST_CONNECTIONS = intEnv('BENCH_INGEST_CONCURRENCY', 4, 1);
const PER_BUNDLE = intEnv('BENCH_FHIR_PER_BUNDLE', 20, 1);
const ROUNDS = intEnv('BENCH_ROUNDS', 3, 1);
const OBSERVATIONS = 50;
const PAGE = 20;
const TRACE = process.env.BENCH_TRACE === '1';
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const SCENARIO_KEYS = ['patientRead', 'observationSearch', 'ingest'] as const;
type ScenarioKey = (typeof SCENARIO_KEYS)[number];
const CHOSEN = (process.env.BENCH_FHIR_SCENARIOS ?? SCENARIO_KEYS.join(',')).split(',').map((k) => {
  const key = k.trim();
  if (!(SCENARIO_KEYS as readonly string[]).includes(key)) throw new Error(`BENCH_FHIR_SCENARIOS: unknown ${key}`);
  return key as ScenarioKey;
});
// Identifiers unique to this run, so that a peer that keeps its data between runs still gets new resources.
const RUN = randomBytes(4).toString('hex');

// --- the servers -------------------------------------------------------------------------------------------------

/** CPU used so far by what serves a target: its server process (micros) and its PostgreSQL backends. */
interface CpuReading {
  server: CpuByPid | null;
  postgres: CpuByPid | null;
}

interface Target {
  label: string;
  /** The FHIR base URL, without a trailing slash. */
  base: string;
  writeToken: string;
  readToken: string;
  /** Whether the database runs inside the server process (Koepel on PGlite): the server's CPU is then the total. */
  databaseInProcess: boolean;
  cpu(): Promise<CpuReading>;
  /** SQL statements sent so far (Koepel only). */
  queries(): Promise<number | null>;
  /** Waits until the requests still in flight after a load run are done. */
  settle(): Promise<void>;
  trace: ((fn: () => Promise<unknown>) => Promise<string[]>) | null;
  /** Set by prepare(): the Patient that was loaded, and how the search asks for its total. */
  patientId?: string;
  totalParam?: string;
}

interface KoepelServer {
  ready: FhirBenchReady;
  ask(type: 'stats'): Promise<Extract<FhirBenchFromServer, { type: 'stats' }>>;
  trace(fn: () => Promise<unknown>): Promise<string[]>;
  stop(): Promise<void>;
}

async function startKoepel(env: Record<string, string>): Promise<KoepelServer> {
  const child = fork(join(here, 'fhir-server.ts'), [], {
    // BENCH_PROFILE=1: a V8 CPU profile of the server (bench/results/profiles/; Chrome DevTools, speedscope).
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
  const waiting = new Map<number, (m: FhirBenchFromServer) => void>();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = await new Promise<FhirBenchReady>((resolve, reject) => {
    child.on('message', (m: FhirBenchFromServer) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'error') reject(new Error(m.message));
      else waiting.get(m.id)?.(m);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code ?? 'signal'})`)));
  });
  const request = (m: { type: 'stats' } | { type: 'trace'; on: boolean }) =>
    new Promise<FhirBenchFromServer>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ ...m, id } satisfies FhirBenchToServer);
    });
  return {
    ready,
    ask: async (type) => {
      const m = await request({ type });
      if (m.type !== 'stats') throw new Error(`unexpected reply ${m.type}`);
      return m;
    },
    trace: async (fn) => {
      await request({ type: 'trace', on: true });
      const outcome = await fn().then(
        () => null,
        (err: unknown) => ({ err }),
      );
      const m = await request({ type: 'trace', on: false });
      if (outcome) throw outcome.err;
      return m.type === 'trace' ? m.statements : [];
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' } satisfies FhirBenchToServer);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function koepelTarget(server: KoepelServer, database: string | null): Promise<Target> {
  const { ready } = server;
  const origin = `http://127.0.0.1:${ready.port}`;
  return {
    label: 'Koepel',
    base: `${origin}/fhir`,
    writeToken: await clientCredentialsToken(`${origin}/fhir/token`, ready.client.clientId, ready.client.secret),
    readToken: ready.readToken,
    databaseInProcess: ready.database === 'pglite',
    cpu: async () => ({
      server: new Map([['server', (await server.ask('stats')).cpuMicros]]),
      postgres: postgresCpuByPid(database),
    }),
    queries: async () => (await server.ask('stats')).queries,
    settle: async () => {
      // autocannon returns when its time is up, while the server may still be working through queued requests.
      // Done when no statement was sent for 300 ms (a request can stall that long on a busy machine).
      let last = (await server.ask('stats')).queries;
      for (let i = 0, quiet = 0; i < 100 && quiet < 3; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const now = (await server.ask('stats')).queries;
        quiet = now === last ? quiet + 1 : 0;
        last = now;
      }
    },
    trace: (fn) => server.trace(fn),
  };
}

function peerTarget(): Target | null {
  const url = process.env.BENCH_PEER_FHIR_URL;
  if (!url) return null;
  const token = process.env.BENCH_PEER_FHIR_TOKEN;
  if (!token) throw new Error('BENCH_PEER_FHIR_URL needs BENCH_PEER_FHIR_TOKEN (a bearer token)');
  const pids = (process.env.BENCH_PEER_PIDS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (pids.some((p) => !/^\d+$/.test(p))) throw new Error('BENCH_PEER_PIDS: comma-separated process ids');
  const database = process.env.BENCH_PEER_PG_DATABASE || null;
  return {
    label: 'peer',
    base: url.replace(/\/+$/, ''),
    writeToken: token,
    readToken: process.env.BENCH_PEER_FHIR_READ_TOKEN || token,
    databaseInProcess: false,
    cpu: async () => ({ server: processCpuByPid(pids), postgres: postgresCpuByPid(database) }),
    queries: async () => null,
    // Nothing to ask the peer: give it a moment to finish what is in flight.
    settle: () => new Promise((r) => setTimeout(r, 500)),
    trace: null,
  };
}

// --- loading the data and checking the answers ---------------------------------------------------------------------

const FHIR_JSON = 'application/fhir+json';

async function fhirRequest(
  t: Target,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<{ status: number; json: Record<string, unknown> | null; text: string }> {
  const res = await fetch(t.base + path, {
    method,
    headers: {
      accept: FHIR_JSON,
      authorization: `Bearer ${method === 'GET' ? t.readToken : t.writeToken}`,
      ...(body !== undefined ? { 'content-type': FHIR_JSON } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: reported through the status and the text
  }
  return { status: res.status, json, text };
}

/** Loads the Patient and its 50 Observations through the FHIR API; finds the Patient's id and how to ask for a total. */
async function prepare(t: Target): Promise<void> {
  const bundle = observationBundle({ bsn: FHIR_BENCH_READ_BSN, count: OBSERVATIONS, seed: parseInt(RUN, 16) });
  const loaded = await fhirRequest(t, 'POST', '', JSON.stringify(bundle));
  if (loaded.status !== 200) {
    throw new Error(`${t.label}: loading the data answered ${loaded.status}: ${loaded.text.slice(0, 300)}`);
  }
  // The Patient's id as the read API knows it: the subject of an Observation the transaction created. It must be the
  // id in the Patient entry's location (Koepel: the citizen's id for a Patient sent without id, docs/interop.md).
  const entries = (loaded.json?.entry ?? []) as { response?: { location?: string } }[];
  const idIn = (type: string, location: string | undefined) =>
    new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})`).exec(location ?? '')?.[1];
  const observationId = idIn('Observation', entries[1]?.response?.location);
  if (!observationId) throw new Error(`${t.label}: the transaction response names no Observation`);
  const observation = await fhirRequest(t, 'GET', `/Observation/${observationId}`);
  const subject = (observation.json?.subject as { reference?: string } | undefined)?.reference;
  const id = idIn('Patient', subject);
  if (observation.status !== 200 || !id) {
    throw new Error(`${t.label}: reading back Observation/${observationId} answered ${observation.status}`);
  }
  const inResponse = idIn('Patient', entries[0]?.response?.location);
  if (inResponse !== id) {
    throw new Error(
      `${t.label}: the transaction response names Patient/${inResponse ?? '?'}, the Observations Patient/${id}`,
    );
  }
  t.patientId = id;
  // _total=accurate where the server takes it; a server that refuses the parameter (Koepel always counts) without.
  for (const totalParam of ['&_total=accurate', '']) {
    const r = await fhirRequest(t, 'GET', searchPath(id, totalParam));
    if (r.status === 400) continue;
    if (r.status !== 200) throw new Error(`${t.label}: the Observation search answered ${r.status}`);
    const got = (r.json?.entry as unknown[] | undefined)?.length ?? 0;
    if (r.json?.total !== OBSERVATIONS || got !== PAGE) {
      throw new Error(`${t.label}: the search found ${got} with total ${String(r.json?.total)}, not ${PAGE} of 50`);
    }
    t.totalParam = totalParam;
    return;
  }
  throw new Error(`${t.label}: the Observation search answered 400 with and without _total`);
}

const searchPath = (patientId: string, totalParam: string) =>
  `/Observation?patient=${encodeURIComponent(patientId)}&_count=${PAGE}${totalParam}`;

// --- scenarios -------------------------------------------------------------------------------------------------

interface Scenario {
  key: ScenarioKey;
  name: string;
  connections: number;
  /** Resources written per request (ingest), for resources/s. */
  resourcesPerRequest: number | null;
  /** The request for one target; body() makes a new body for every request. */
  request(t: Target): { method: 'GET' | 'POST'; path: string; token: string; body?: () => string };
}

function scenarios(): Scenario[] {
  const ingestBsns = fhirBenchIngestBsns(FHIR_BENCH_INGEST_PATIENTS);
  const sent = new Map<string, number>();
  const all: Scenario[] = [
    {
      key: 'patientRead',
      name: 'patientRead GET Patient/{id}',
      connections: CONNECTIONS,
      resourcesPerRequest: null,
      request: (t) => ({ method: 'GET', path: `/Patient/${t.patientId ?? ''}`, token: t.readToken }),
    },
    {
      key: 'observationSearch',
      name: `observationSearch GET Observation?patient&_count=${PAGE} (of 50, total)`,
      connections: CONNECTIONS,
      resourcesPerRequest: null,
      request: (t) => ({ method: 'GET', path: searchPath(t.patientId ?? '', t.totalParam ?? ''), token: t.readToken }),
    },
    {
      key: 'ingest',
      name: `ingest POST transaction Bundle (${PER_BUNDLE} + Patient)`,
      connections: INGEST_CONNECTIONS,
      resourcesPerRequest: PER_BUNDLE,
      request: (t) => ({
        method: 'POST',
        path: '',
        token: t.writeToken,
        body: () => {
          // Each bundle for the next patient, with identifiers of its own: every bundle writes new resources.
          const n = sent.get(t.label) ?? 0;
          sent.set(t.label, n + 1);
          const bundle = recordBundle({
            bsn: ingestBsns[n % ingestBsns.length] ?? '',
            source: 'fhirbench',
            salt: `${RUN}-${t.label}-${n}`,
            resources: PER_BUNDLE,
            seed: n + 1,
          });
          return JSON.stringify(bundle);
        },
      }),
    },
  ];
  return all.filter((s) => CHOSEN.includes(s.key));
}

function load(t: Target, sc: Scenario, seconds: number): Promise<autocannon.Result> {
  const r = sc.request(t);
  const url = new URL(t.base + r.path);
  const makeBody = r.body;
  return autocannon({
    url: url.origin,
    connections: sc.connections,
    duration: seconds,
    requests: [
      {
        method: r.method,
        path: url.pathname + url.search,
        headers: {
          accept: FHIR_JSON,
          authorization: `Bearer ${r.token}`,
          ...(makeBody ? { 'content-type': FHIR_JSON } : {}),
        },
        ...(makeBody ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: makeBody() }) } : {}),
      },
    ],
  });
}

async function probe(t: Target, sc: Scenario): Promise<number> {
  const r = sc.request(t);
  return (await fhirRequest(t, r.method, r.path, r.body?.())).status;
}

interface Sample {
  result: autocannon.Result;
  serverMicros: number | null;
  postgresMicros: number | null;
  queries: number | null;
  statements?: string[];
}

async function sample(t: Target, sc: Scenario, traceIt: boolean): Promise<Sample> {
  if (WARMUP_S > 0) await load(t, sc, WARMUP_S);
  await t.settle();
  const statements = traceIt && t.trace ? await t.trace(() => probe(t, sc)) : undefined;
  const queriesBefore = await t.queries();
  const before = await t.cpu();
  const result = await load(t, sc, DURATION_S);
  await t.settle();
  const after = await t.cpu();
  const queriesAfter = await t.queries();
  return {
    result,
    serverMicros: cpuDelta(before.server, after.server),
    postgresMicros: cpuDelta(before.postgres, after.postgres),
    queries: queriesBefore === null || queriesAfter === null ? null : queriesAfter - queriesBefore,
    ...(statements ? { statements } : {}),
  };
}

// --- report ----------------------------------------------------------------------------------------------------

interface Row {
  scenario: ScenarioKey;
  name: string;
  server: string;
  requestsPerSecond: number;
  resourcesPerSecond: number | null;
  p50Ms: number;
  p99Ms: number;
  /** CPU per request of the server process(es) plus the PostgreSQL backends (ms); null where not readable. */
  totalCpuMsPerRequest: number | null;
  serverCpuMsPerRequest: number | null;
  databaseCpuMsPerRequest: number | null;
  sqlStatementsPerRequest: number | null;
  requests: number;
  non2xx: number;
  errors: number;
  statementsOfOneRequest?: string[];
}

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
const sumOrNull = (xs: (number | null)[]) =>
  xs.some((x) => x === null) ? null : xs.reduce<number>((n, x) => n + (x ?? 0), 0);

function summarise(sc: Scenario, t: Target, samples: Sample[]): Row {
  const requests = samples.reduce((n, x) => n + x.result.requests.total, 0);
  const done = samples.reduce((n, x) => n + served(x.result), 0);
  const server = sumOrNull(samples.map((x) => x.serverMicros));
  const postgres = t.databaseInProcess ? 0 : sumOrNull(samples.map((x) => x.postgresMicros));
  const total = server === null && postgres === null ? null : (server ?? 0) + (postgres ?? 0);
  const queries = sumOrNull(samples.map((x) => x.queries));
  const perRequest = (micros: number | null) => (micros === null || !(requests > 0) ? null : micros / 1000 / done);
  const requestsPerSecond = median(samples.map((x) => rps(x.result)));
  const statements = samples.find((x) => x.statements)?.statements;
  return {
    scenario: sc.key,
    name: sc.name,
    server: t.label,
    requestsPerSecond,
    resourcesPerSecond: sc.resourcesPerRequest === null ? null : requestsPerSecond * sc.resourcesPerRequest,
    p50Ms: median(samples.map((x) => x.result.latency.p50)),
    p99Ms: median(samples.map((x) => x.result.latency.p99)),
    totalCpuMsPerRequest: perRequest(total),
    serverCpuMsPerRequest: perRequest(server),
    databaseCpuMsPerRequest: t.databaseInProcess ? null : perRequest(postgres),
    sqlStatementsPerRequest: queries === null || requests === 0 ? null : queries / done,
    requests,
    non2xx: samples.reduce((n, x) => n + x.result.non2xx, 0),
    // A run without a single answer (all requests outlasted it) counts as one error.
    errors: samples.reduce((n, x) => n + x.result.errors + x.result.timeouts, 0) + (requests === 0 ? 1 : 0),
    ...(statements ? { statementsOfOneRequest: statements } : {}),
  };
}

const num = (n: number | null, digits = 0) => (n === null ? '-' : n.toFixed(digits));

function table(rows: Row[]): string {
  const header = [
    'scenario',
    'server',
    'req/s',
    'resources/s',
    'p50 ms',
    'p99 ms',
    'total CPU ms/req',
    'server',
    'db backends',
    'SQL/req',
    'non-2xx',
  ];
  const body = rows.map((r) => [
    r.non2xx + r.errors > 0 ? `${r.name} [INVALID]` : r.name,
    r.server,
    num(r.requestsPerSecond),
    num(r.resourcesPerSecond),
    num(r.p50Ms, 1),
    num(r.p99Ms, 1),
    num(r.totalCpuMsPerRequest, 2),
    num(r.serverCpuMsPerRequest, 2),
    num(r.databaseCpuMsPerRequest, 2),
    num(r.sqlStatementsPerRequest, 1),
    String(r.non2xx + r.errors),
  ]);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const benchDb = databaseUrl ? await createBenchDatabase(databaseUrl) : null;
  let server: KoepelServer | null = null;
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
    server = await startKoepel(benchDb ? { DATABASE_URL: benchDb.url } : {});
    const koepel = await koepelTarget(server, localDatabaseName(benchDb?.url));
    const peer = peerTarget();
    const targets = peer ? [koepel, peer] : [koepel];
    console.log(`Koepel FHIR benchmark — ${startedAt.toISOString()}`);
    console.log(
      `Koepel: ${server.ready.database === 'postgres' ? 'PostgreSQL' : 'PGlite (in memory)'}, child process on port ` +
        `${server.ready.port}${peer ? `; peer: ${peer.base}` : ''}`,
    );
    console.log(
      `load: autocannon, reads ${CONNECTIONS} connections, ingest ${INGEST_CONNECTIONS}; ${WARMUP_S} s warm-up + ` +
        `${DURATION_S} s per scenario and server, ${ROUNDS} round(s)${peer ? ' (Koepel, peer, Koepel, peer, …)' : ''}`,
    );
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, Node ${process.version}`,
    );

    // Koepel serves searches to citizens and their apps; a provider system reads back its own organisation's
    // resources by id (its own Patient here), not the citizen's BRP Patient.
    for (const t of targets) await prepare(t);
    const asClient = await fetch(`${koepel.base}/Patient/${koepel.patientId ?? ''}`, {
      headers: { authorization: `Bearer ${koepel.writeToken}`, accept: FHIR_JSON },
    });
    console.log(
      `Koepel: GET Patient/{id} with the provider system's token answers ${asClient.status} (its own Patient); the reads measured use the token of an app the patient authorised`,
    );
    for (const t of targets) {
      console.log(`${t.label}: Patient/${t.patientId ?? '?'}, search total by "${t.totalParam || '(always given)'}"`);
    }
    console.log('');

    const chosen = scenarios();
    for (const sc of chosen) {
      for (const t of targets) {
        const status = await probe(t, sc);
        if (status !== 200) throw new Error(`${t.label}: ${sc.name} answered ${status} before the run`);
      }
    }
    const samples = new Map<string, Sample[]>();
    for (let r = 1; r <= ROUNDS; r++) {
      if (ROUNDS > 1) console.log(`round ${r} of ${ROUNDS}`);
      for (const sc of chosen) {
        for (const t of targets) {
          process.stdout.write(`measuring ${sc.name} on ${t.label} … `);
          const x = await sample(t, sc, r === 1);
          const key = `${sc.key}/${t.label}`;
          samples.set(key, [...(samples.get(key) ?? []), x]);
          const bad = x.result.non2xx + x.result.errors;
          console.log(`${rps(x.result).toFixed(0)} req/s${bad > 0 ? ` (${bad} non-2xx/errors!)` : ''}`);
        }
      }
    }

    const rows = chosen.flatMap((sc) =>
      targets.map((t) => summarise(sc, t, samples.get(`${sc.key}/${t.label}`) ?? [])),
    );
    console.log(`\n${table(rows)}\n`);
    console.log(
      'total CPU = server process + PostgreSQL backends of its database (Koepel on PGlite: the server process alone); ' +
        'ingest: resources/s counts the bundle resources, not the Patient',
    );
    for (const r of rows.filter((x) => x.statementsOfOneRequest)) {
      console.log(`SQL of one request, ${r.name}: ${r.statementsOfOneRequest?.length ?? 0} statements`);
      if (TRACE) for (const st of r.statementsOfOneRequest ?? []) console.log(`  ${st.slice(0, 200)}`);
    }

    const dir = join(here, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `fhir-${server.ready.database}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          startedAt: startedAt.toISOString(),
          database: server.ready.database,
          peer: peer ? peer.base : null,
          settings: {
            durationS: DURATION_S,
            warmupS: WARMUP_S,
            connections: CONNECTIONS,
            ingestConnections: INGEST_CONNECTIONS,
            perBundle: PER_BUNDLE,
            rounds: ROUNDS,
          },
          machine: { cpus: cpus().length, loadAverageAtEnd: loadavg(), node: process.version },
          rows,
        },
        null,
        2,
      ),
    );
    console.log(`results: bench/results/fhir-${server.ready.database}.json`);
    const invalid = rows.filter((r) => r.non2xx + r.errors > 0);
    if (invalid.length > 0) {
      console.error(
        `\n${invalid.length} run(s) INVALID (errors instead of 200): ${invalid.map((r) => `${r.name} on ${r.server}`).join('; ')}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

await main();
