// `npm run bench:appointments` (part of `npm run bench`): appointments under load (issue 12).
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:appointments   (PostgreSQL: the figures)
//   npm run bench:appointments                                                               (in-memory PGlite)
//
// A practice of 10 doctors (BENCH_AGENDA_STAFF), Monday to Friday 08:00–17:00, a ten-minute consult, a third of the
// next four weeks booked (bench/appointments-server.ts). Two scenarios, on BENCH_CONNECTIONS connections (32):
//   search   the citizen's free-time page for "anyone", one week of the four at a time (the citizen's own
//            session, rotating over the bench citizens), for BENCH_DURATION seconds
//   book     booking under contention: every citizen posts one booking for one of the 120 free times of one
//            morning (10 doctors × 12 starts), four citizens per time, all at once; exactly one per time may win
//            and the others get "this time was just taken" (409)
// Reported per scenario: req/s, p50/p99 latency, and total CPU per request (the server process plus the
// PostgreSQL backends of the bench database, read from /proc), which is stable on a shared machine where req/s is not.
// Results: printed, and written to bench/results/appointments-<database>.json. BENCH_PROFILE=1: a V8 CPU profile of
// the server in bench/results/profiles/.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { localDate, localTime } from '../src/appointments/index.js';
import { SESSION_COOKIE } from '../src/platform/session/sessions.js';
import type { AgendaBenchFromServer, AgendaBenchReady, AgendaBenchToServer } from './appointments-server.js';
import { cpuDelta, localDatabaseName, postgresCpuByPid } from './cpu.js';
import { createBenchDatabase } from './database.js';

const here = dirname(fileURLToPath(import.meta.url));
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number`);
  return v;
};
const DURATION = num('BENCH_DURATION', 10);
const CONNECTIONS = num('BENCH_CONNECTIONS', 32);
const PER_TIME = num('BENCH_AGENDA_CONTENDERS', 4);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;

// The citizen's pages (src/appointments/routes.tsx): the free times of one week, and the booking post.
const searchPath = (r: AgendaBenchReady, week: string) =>
  `/appointments/new/time?org=${r.organisationId}&staff=any&type=${r.typeId}&week=${week}`;
const BOOK_PATH = '/appointments';
const bookForm = (r: AgendaBenchReady, csrf: string, time: { start: string; staffId: string }) => {
  const start = new Date(time.start);
  return new URLSearchParams({
    _csrf: csrf,
    org: r.organisationId,
    staff: time.staffId,
    type: r.typeId,
    day: localDate(start),
    time: localTime(start),
    reason: 'Bench',
    reminder: 'none',
    key: randomUUID(),
  }).toString();
};

type Server = {
  ready: AgendaBenchReady;
  ask(type: 'cpu' | 'count'): Promise<AgendaBenchFromServer>;
  stop(): Promise<void>;
};

async function startServer(env: Record<string, string>): Promise<Server> {
  const child = fork(join(here, 'appointments-server.ts'), [], {
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
  const waiting = new Map<number, (m: AgendaBenchFromServer) => void>();
  const ready = await new Promise<AgendaBenchReady>((resolve, reject) => {
    child.on('message', (m: AgendaBenchFromServer) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'error') reject(new Error(m.message));
      else waiting.get(m.id)?.(m);
    });
    child.on('exit', (code) => reject(new Error(`bench server exited (${code ?? 'signal'})`)));
  });
  return {
    ready,
    ask: (type) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        child.send({ type, id } satisfies AgendaBenchToServer);
      }),
    stop: async () => {
      child.send({ type: 'stop' } satisfies AgendaBenchToServer);
      await new Promise((r) => child.once('exit', r));
    },
  };
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
    server = await startServer(database ? { DATABASE_URL: database.url } : {});
    const { ready } = server;
    const running = server;
    const base = `http://127.0.0.1:${ready.port}`;
    const pgDatabase = localDatabaseName(database?.url);
    const cpuNow = async () => {
      const m = await running.ask('cpu');
      return { server: m.type === 'cpu' ? m.micros : 0, postgres: postgresCpuByPid(pgDatabase) };
    };
    const measured = async (run: () => Promise<autocannon.Result>) => {
      const before = await cpuNow();
      const result = await run();
      const after = await cpuNow();
      const pg = cpuDelta(before.postgres, after.postgres);
      const total = database && pg === null ? null : after.server - before.server + (pg ?? 0);
      const n = Math.max(1, result.requests.total);
      return {
        result,
        totalCpuMs: total === null ? null : total / 1000 / n,
        serverCpuMs: (after.server - before.server) / 1000 / n,
        postgresCpuMs: pg === null ? null : pg / 1000 / n,
      };
    };
    const report = (name: string, m: Awaited<ReturnType<typeof measured>>, extra: Record<string, unknown> = {}) => {
      const r = m.result;
      console.log(
        `${name.padEnd(8)} ${fmt(r.requests.total / (r.duration || 1)).padStart(8)} req/s  p50 ${fmt(r.latency.p50, 1)} ms  ` +
          `p99 ${fmt(r.latency.p99, 1)} ms  total CPU ${m.totalCpuMs === null ? '-' : fmt(m.totalCpuMs, 2)} ms/req ` +
          `(server ${fmt(m.serverCpuMs, 2)}, PostgreSQL ${m.postgresCpuMs === null ? '-' : fmt(m.postgresCpuMs, 2)})  ` +
          Object.entries(extra)
            .map(([k, v]) => `${k} ${String(v)}`)
            .join('  '),
      );
      return {
        requests: r.requests.total,
        reqPerSec: r.requests.total / (r.duration || 1),
        p50: r.latency.p50,
        p99: r.latency.p99,
        totalCpuMsPerRequest: m.totalCpuMs,
        serverCpuMsPerRequest: m.serverCpuMs,
        postgresCpuMsPerRequest: m.postgresCpuMs,
        ...extra,
      };
    };
    console.log(
      `server ready on ${ready.database}; ${ready.staffIds.length} staff, ${fmt(ready.bookedBefore)} appointments booked, ` +
        `${ready.citizens.length} citizens`,
    );

    // --- search -----------------------------------------------------------------------------------------------------
    const probe = await fetch(base + searchPath(ready, ready.weeks[1] ?? ''), {
      headers: { cookie: `${SESSION_COOKIE}=${ready.citizens[0]?.session ?? ''}` },
    });
    if (probe.status !== 200) throw new Error(`the free-time page answered ${probe.status}`);
    await probe.text();
    let turn = 0;
    const search = await measured(() =>
      autocannon({
        url: base,
        connections: CONNECTIONS,
        duration: DURATION,
        requests: [
          {
            setupRequest: (req) => {
              const i = turn++;
              const c = ready.citizens[i % ready.citizens.length];
              return {
                ...req,
                method: 'GET',
                path: searchPath(ready, ready.weeks[i % ready.weeks.length] ?? ''),
                headers: { cookie: `${SESSION_COOKIE}=${c?.session ?? ''}` },
              };
            },
          },
        ],
      }),
    );
    results.search = report('search', search, { non2xx: search.result.non2xx });

    // --- book under contention --------------------------------------------------------------------------------------
    const attempts = ready.hotTimes.length * PER_TIME;
    if (ready.citizens.length < attempts) throw new Error(`need ${attempts} citizens, have ${ready.citizens.length}`);
    const before = await running.ask('count');
    let next = 0;
    const statuses = new Map<number, number>();
    const book = await measured(() =>
      autocannon({
        url: base,
        connections: CONNECTIONS,
        amount: attempts,
        requests: [
          {
            setupRequest: (req) => {
              const i = next++;
              const c = ready.citizens[i];
              const time = ready.hotTimes[i % ready.hotTimes.length];
              return {
                ...req,
                method: 'POST',
                path: BOOK_PATH,
                headers: {
                  cookie: `${SESSION_COOKIE}=${c?.session ?? ''}`,
                  'content-type': 'application/x-www-form-urlencoded',
                },
                body: c && time ? bookForm(ready, c.csrf, time) : '',
              };
            },
            onResponse: (status) => {
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
            },
          },
        ],
      }),
    );
    const after = await running.ask('count');
    const made = (after.type === 'count' ? after.booked : 0) - (before.type === 'count' ? before.booked : 0);
    const won = statuses.get(303) ?? 0;
    const taken = statuses.get(409) ?? 0;
    results.book = report('book', book, {
      attempts,
      booked: won,
      taken,
      other: attempts - won - taken,
      rowsWritten: made,
    });
    if (made !== won || won > ready.hotTimes.length || won + taken !== attempts) {
      throw new Error(`contention run inconsistent: ${JSON.stringify(Object.fromEntries(statuses))}, rows ${made}`);
    }
  } finally {
    await server?.stop();
    await database?.drop();
  }
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `appointments-${String(results.database)}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`written to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
