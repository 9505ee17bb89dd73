// `npm run bench:messages` (part of `npm run bench`): secure messages under load (issue 13).
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:messages   (PostgreSQL: the figures)
//   npm run bench:messages                                                               (in-memory PGlite)
//
// One organisation with 10,000 conversations of 2,000 citizens (bench/messages-server.ts). Scenarios:
//   inbox   the staff inbox page GET /staff/messages at BENCH_INBOX_CONNECTIONS (8) concurrent staff sessions, each
//           request one of INBOX_PATHS (state: unread, open, answered, closed; who: all, mine, unassigned; pages), for
//           BENCH_DURATION seconds; then each filter alone for a third of that, to see which one is slowest.
//           Target (issue 13): p99 < 100 ms. First (unless BENCH_COMPARE=0) the mixed run with the inbox's counts
//           and menu badge as migration 0029 wrote them, then as 0037 does: before/after in one run, same data.
//   citizen send  citizens reply in one of their own open conversations through the portal (multipart POST
//           /messages/:id/reply, `_csrf` first, a new idempotency key per request) at BENCH_CONNECTIONS,
//           BENCH_SEND_AMOUNT in all; exactly that many messages must be stored
//   send    the organisation's system answers over FHIR (POST /fhir/Communication, src/fhir/communications.ts) at
//           BENCH_CONNECTIONS (32), each answer into another open conversation, BENCH_SEND_AMOUNT (2,000) in all
//   poll    the organisation's system polls GET /fhir/Communication?_lastUpdated=gt{a day ago}&_count=50 at 8
// Reported per scenario: req/s, p50/p99 latency and total CPU per request (the server process plus the PostgreSQL
// backends of the bench database, bench/cpu.ts). Results: printed and written to bench/results/messages-<db>.json,
// with EXPLAIN ANALYZE of the inbox lookups. BENCH_PROFILE=1: a V8 CPU profile of the server in bench/results/profiles/.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SESSION_COOKIE } from '../src/platform/session/sessions.js';
import { TOKEN_PATH } from '../src/api-clients/index.js';
import { CONVERSATION_SYSTEM } from '../src/fhir/communications.js';
import type { MessagesBenchFromServer, MessagesBenchReady, MessagesBenchToServer } from './messages-server.js';
import { cpuDelta, localDatabaseName, postgresCpuByPid } from './cpu.js';
import { createBenchDatabase } from './database.js';
import { clientCredentialsToken } from './oauth.js';

const here = dirname(fileURLToPath(import.meta.url));
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number`);
  return v;
};
const DURATION = num('BENCH_DURATION', 10);
const CONNECTIONS = num('BENCH_CONNECTIONS', 32);
const INBOX_CONNECTIONS = num('BENCH_INBOX_CONNECTIONS', 8);
const SEND_AMOUNT = num('BENCH_SEND_AMOUNT', 2000);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;

// The staff inbox URLs the bench requests, round robin: the real page GET /staff/messages (src/messages/staff-routes.tsx),
// ?state=unread|open|answered|closed (default open) &who=mine|unassigned|all (default all) &page=N (25 a page).
const INBOX_PATHS = [
  '/staff/messages',
  '/staff/messages?state=unread',
  '/staff/messages?state=answered',
  '/staff/messages?state=closed',
  '/staff/messages?who=mine',
  '/staff/messages?who=unassigned',
  '/staff/messages?state=unread&who=mine',
  '/staff/messages?page=2',
  '/staff/messages?state=closed&page=3',
];

/** The reply form of src/messages/views.tsx as a browser sends it: `_csrf` first, then the idempotency key, the text
 * and an empty file field. */
function replyForm(csrf: string, key: string, text: string): { boundary: string; body: string } {
  const boundary = `----koepelbench${key.replace(/-/g, '')}`;
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const body =
    field('_csrf', csrf) +
    field('key', key) +
    field('body', text) +
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename=""\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n\r\n--${boundary}--\r\n`;
  return { boundary, body };
}

type Server = {
  ready: MessagesBenchReady;
  ask(type: 'cpu' | 'count' | 'explain'): Promise<MessagesBenchFromServer>;
  variant(which: 'before' | 'after'): Promise<void>;
  stop(): Promise<void>;
};

async function startServer(env: Record<string, string>): Promise<Server> {
  const child = fork(join(here, 'messages-server.ts'), [], {
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
  const waiting = new Map<number, (m: MessagesBenchFromServer) => void>();
  const ready = await new Promise<MessagesBenchReady>((resolve, reject) => {
    child.on('message', (m: MessagesBenchFromServer) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'error') {
        reject(new Error(m.message));
        // After the start nobody waits on this promise: a failing request to the server ends the bench.
        console.error(`bench server: ${m.message}`);
        process.exitCode = 1;
        child.kill();
      } else waiting.get(m.id)?.(m);
    });
    child.on('exit', (code) => reject(new Error(`bench server exited (${code ?? 'signal'})`)));
  });
  return {
    ready,
    ask: (type) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        child.send({ type, id } satisfies MessagesBenchToServer);
      }),
    variant: async (which) => {
      const id = nextId++;
      await new Promise((resolve) => {
        waiting.set(id, resolve);
        child.send({ type: 'variant', id, which } satisfies MessagesBenchToServer);
      });
    },
    stop: async () => {
      child.send({ type: 'stop' } satisfies MessagesBenchToServer);
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
        `${name.padEnd(28)} ${fmt(r.requests.total / (r.duration || 1)).padStart(7)} req/s  p50 ${fmt(r.latency.p50, 1)} ms  ` +
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
      `server ready on ${ready.database}; ${fmt(ready.conversations)} conversations, ${fmt(ready.messages)} messages, ` +
        `${ready.staff.length} staff; seeded in ${fmt(ready.seedSeconds, 1)} s`,
    );

    // --- inbox ------------------------------------------------------------------------------------------------------
    const cookie = (i: number) => `${SESSION_COOKIE}=${ready.staff[i % ready.staff.length]?.session ?? ''}`;
    const paths = INBOX_PATHS;
    for (const p of paths) {
      const probe = await fetch(base + p, { headers: { cookie: cookie(0) }, redirect: 'manual' });
      await probe.text();
      if (probe.status !== 200) throw new Error(`the inbox ${p} answered ${probe.status}, not 200`);
    }
    const inboxRun = (list: string[], duration: number) => {
      let turn = 0;
      return measured(() =>
        autocannon({
          url: base,
          connections: INBOX_CONNECTIONS,
          duration,
          requests: [
            {
              setupRequest: (req) => {
                const i = turn++;
                return { ...req, method: 'GET', path: list[i % list.length] ?? '/', headers: { cookie: cookie(i) } };
              },
            },
          ],
        }),
      );
    };
    const inboxOk = (name: string, r: autocannon.Result) => {
      if (r.non2xx > 0 || r.errors > 0 || r.requests.total === 0) {
        throw new Error(`${name}: ${r.non2xx} answers not 2xx, ${r.errors} errors of ${r.requests.total} requests`);
      }
    };
    // Before/after in one run: the inbox's counts and menu badge as migration 0029 wrote them (SQL under row-level
    // security), then as 0037 does (security definer, numbers only, on the indexes). BENCH_COMPARE=0 skips "before".
    if (process.env.BENCH_COMPARE !== '0') {
      await running.variant('before');
      const old = await inboxRun(paths, DURATION);
      inboxOk('inbox before 0037', old.result);
      results.inboxBefore0037 = report(`inbox, 0029 counts (mixed)`, old, { non2xx: old.result.non2xx });
      await running.variant('after');
    }
    const inbox = await inboxRun(paths, DURATION);
    inboxOk('inbox', inbox.result);
    results.inbox = report(`inbox (${INBOX_CONNECTIONS} staff, mixed)`, inbox, { non2xx: inbox.result.non2xx });
    const perFilter: Record<string, unknown> = {};
    for (const p of paths) {
      const one = await inboxRun([p], Math.max(2, Math.round(DURATION / 3)));
      inboxOk(p, one.result);
      perFilter[p] = report(`  ${p.replace(/^.*messages/, '') || '(open, all)'}`, one, { non2xx: one.result.non2xx });
    }
    results.inboxPerFilter = perFilter;

    // --- citizen send: citizens reply in their own open conversations through the portal -----------------------
    {
      const senders = ready.senders;
      if (senders.length === 0) throw new Error('no citizen with an open conversation to send in');
      const amount = SEND_AMOUNT;
      const before = await running.ask('count');
      let next = 0;
      const statuses = new Map<number, number>();
      const run = await measured(() =>
        autocannon({
          url: base,
          connections: CONNECTIONS,
          amount,
          requests: [
            {
              setupRequest: (req) => {
                const s = senders[next++ % senders.length];
                if (!s) return req;
                const form = replyForm(s.csrf, randomUUID(), 'Goedemiddag, ik heb nog een vraag over de uitslag.');
                return {
                  ...req,
                  method: 'POST',
                  path: `/messages/${s.conversation}/reply`,
                  headers: {
                    cookie: `${SESSION_COOKIE}=${s.session}`,
                    'content-type': `multipart/form-data; boundary=${form.boundary}`,
                  },
                  body: form.body,
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
      const written = (after.type === 'count' ? after.messages : 0) - (before.type === 'count' ? before.messages : 0);
      const sent = statuses.get(303) ?? 0;
      results.citizenSend = report('citizen send (portal reply)', run, {
        connections: CONNECTIONS,
        sent,
        other: JSON.stringify(Object.fromEntries([...statuses].filter(([k]) => k !== 303))),
        rowsWritten: written,
      });
      if (sent !== amount || written !== amount) {
        throw new Error(
          `citizen send inconsistent: ${amount} sent, answers ${JSON.stringify(Object.fromEntries(statuses))}, ` +
            `${written} messages stored`,
        );
      }
    }

    // --- send: the organisation's system answers over FHIR --------------------------------------------------------
    const token = await clientCredentialsToken(`${base}${TOKEN_PATH}`, ready.client.clientId, ready.client.secret);
    const amount = Math.min(SEND_AMOUNT, ready.openConversations.length);
    const before = await running.ask('count');
    let next = 0;
    const statuses = new Map<number, number>();
    const sendRun = await measured(() =>
      autocannon({
        url: base,
        connections: CONNECTIONS,
        amount,
        requests: [
          {
            setupRequest: (req) => {
              const i = next++;
              const conversation = ready.openConversations[i % ready.openConversations.length] ?? '';
              return {
                ...req,
                method: 'POST',
                path: '/fhir/Communication',
                headers: {
                  authorization: `Bearer ${token}`,
                  'content-type': 'application/fhir+json',
                  prefer: 'return=minimal',
                },
                body: JSON.stringify({
                  resourceType: 'Communication',
                  status: 'completed',
                  identifier: [
                    { system: CONVERSATION_SYSTEM, value: conversation },
                    { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
                  ],
                  sender: { type: 'Practitioner', display: 'Dr. Bench' },
                  payload: [{ contentString: 'Dank voor uw bericht. De uitslag is goed, er is geen vervolg nodig.' }],
                }),
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
    const written = (after.type === 'count' ? after.messages : 0) - (before.type === 'count' ? before.messages : 0);
    results.send = report('send (FHIR POST Communication)', sendRun, {
      connections: CONNECTIONS,
      created: statuses.get(201) ?? 0,
      other: amount - (statuses.get(201) ?? 0),
      rowsWritten: written,
    });
    if (written !== (statuses.get(201) ?? 0)) {
      throw new Error(`send run inconsistent: ${JSON.stringify(Object.fromEntries(statuses))}, rows ${written}`);
    }

    // --- poll -------------------------------------------------------------------------------------------------------
    const since = new Date(Date.now() - 86_400_000).toISOString();
    const pollRun = await measured(() =>
      autocannon({
        url: base,
        connections: INBOX_CONNECTIONS,
        duration: Math.max(2, Math.round(DURATION / 2)),
        requests: [
          {
            method: 'GET',
            path: `/fhir/Communication?_lastUpdated=gt${since}&_count=50`,
            headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
          },
        ],
      }),
    );
    results.poll = report('poll (FHIR, 50 per page)', pollRun, { non2xx: pollRun.result.non2xx });

    const plans = await running.ask('explain');
    if (plans.type === 'explain') {
      results.explain = plans.plans;
      for (const [name, text] of Object.entries(plans.plans)) {
        if (!text.includes('\n')) console.log(`${name.padEnd(28)} ${text}`);
      }
    }
  } finally {
    await server?.stop();
    await database?.drop();
  }
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `messages-${String(results.database)}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`written to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
