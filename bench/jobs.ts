// `npm run bench:jobs` (part of `npm run bench`): the job queue's raw throughput (issue 14; src/platform/jobs).
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:jobs   (PostgreSQL: the figures)
//   npm run bench:jobs                                                               (in-memory PGlite)
//
// BENCH_JOBS (5,000) jobs are queued in one transaction, then BENCH_WORKERS (2) JobWorkers, each running
// BENCH_CONCURRENCY (8) jobs at a time, drain the queue as they do in production (start(): LISTEN/NOTIFY and polling).
// Scenarios:
//   noop    a handler that does nothing: the queue's own cost (claim, finish)
//   finish  a handler that writes one row through ctx.finishWith (the exactly-once path)
//   email   a handler that sends one e-mail with nodemailer (a pooled SMTP transport) to an smtp-server on loopback
//           in this process, which accepts and drops it (BENCH_EMAIL_JOBS, default 2,000)
// Reported per scenario: jobs/s, and CPU per job — this Node process (process.cpuUsage: the workers, and for e-mail
// the SMTP server too) plus the PostgreSQL backends of the bench database (bench/cpu.ts). Results: printed and written
// to bench/results/jobs-<db>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/platform/config.js';
import { KeyStore } from '../src/platform/crypto/keys.js';
import { loadMasterKeyring } from '../src/platform/crypto/master-key.js';
import { openDatabase } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrate.js';
import { withPrincipal, type Principal } from '../src/platform/db/principal.js';
import { JobRegistry, JobWorker } from '../src/platform/jobs/worker.js';
import { cpuDelta, localDatabaseName, postgresCpuByPid } from './cpu.js';
import { createBenchDatabase } from './database.js';

const here = dirname(fileURLToPath(import.meta.url));
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number`);
  return v;
};
const JOBS = num('BENCH_JOBS', 5000);
const EMAIL_JOBS = num('BENCH_EMAIL_JOBS', 2000);
const WORKERS = num('BENCH_WORKERS', 2);
const CONCURRENCY = num('BENCH_CONCURRENCY', 8);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const JOBS_PRINCIPAL: Principal = { kind: 'system', purpose: 'jobs' };

interface Result {
  scenario: string;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  nodeCpuMsPerJob: number;
  postgresCpuMsPerJob: number | null;
}

async function main(): Promise<void> {
  const benchDb = databaseUrl ? await createBenchDatabase(databaseUrl) : null;
  const config = loadConfig({
    NODE_ENV: 'development',
    PORT: '0',
    LOG_LEVEL: 'silent',
    KOEPEL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    ...(benchDb ? { DATABASE_URL: benchDb.url, DATABASE_POOL_SIZE: String(Math.max(4, WORKERS * 4)) } : {}),
  });
  if (config.database.kind === 'pglite') config.database = { kind: 'pglite', dataDir: null };
  const database = await openDatabase(config.database);
  const dbName = benchDb ? localDatabaseName(benchDb.url) : null;
  const results: Result[] = [];
  let smtp: SMTPServer | null = null;
  try {
    await migrate(database.db);
    await sql`create table bench_job_effect (job_id bigint not null)`.execute(database.db);
    await sql`grant insert on bench_job_effect to koepel_app`.execute(database.db);
    const keys = new KeyStore(loadMasterKeyring(config, () => undefined));

    // An SMTP server on loopback that accepts every message and drops it.
    let received = 0;
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, done) {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          received++;
          done();
        });
      },
    });
    const server = smtp;
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port)),
    );
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: WORKERS * CONCURRENCY,
    });

    const registry = new JobRegistry();
    registry.add('bench.noop', async () => undefined);
    registry.add('bench.finish', async (job, ctx) => {
      await ctx.finishWith(JOBS_PRINCIPAL, async ({ tx }) => {
        await sql`insert into bench_job_effect (job_id) values (${job.id}::bigint)`.execute(tx);
      });
    });
    registry.add('bench.email', async (job) => {
      await transport.sendMail({
        from: 'portaal@koepel.example',
        to: 'burger@example.org',
        subject: 'Er staat een nieuw bericht voor u klaar',
        text: 'Log in op het portaal om het te lezen.',
        messageId: `<job-${job.id}@koepel.example>`,
      });
    });

    const run = async (scenario: string, kind: string, n: number) => {
      await withPrincipal(database.db, { kind: 'anonymous' }, (tx) =>
        sql`select koepel_enqueue_job(${kind}, '{}'::jsonb) from generate_series(1, ${n})`.execute(tx),
      );
      const workers = Array.from(
        { length: WORKERS },
        () =>
          new JobWorker({ db: database.db, keys, notifications: database }, registry, {
            concurrency: CONCURRENCY,
            leaseMs: 120_000,
            pollMs: 100,
          }),
      );
      const pgBefore = postgresCpuByPid(dbName);
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await Promise.all(workers.map((w) => w.start()));
      for (;;) {
        const { rows } = await withPrincipal(database.db, JOBS_PRINCIPAL, (tx) =>
          sql<{ n: string }>`select count(*) as n from job where kind = ${kind} and state <> 'done'`.execute(tx),
        );
        if (Number(rows[0]?.n) === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const pgCpu = cpuDelta(pgBefore, postgresCpuByPid(dbName));
      await Promise.all(workers.map((w) => w.stop()));
      const result: Result = {
        scenario,
        jobs: n,
        seconds: Math.round(seconds * 100) / 100,
        jobsPerSecond: Math.round(n / seconds),
        nodeCpuMsPerJob: Math.round(((cpu.user + cpu.system) / 1000 / n) * 1000) / 1000,
        postgresCpuMsPerJob: pgCpu === null ? null : Math.round((pgCpu / 1000 / n) * 1000) / 1000,
      };
      results.push(result);
      console.log(
        `${scenario.padEnd(7)} ${String(result.jobsPerSecond).padStart(6)} jobs/s  ` +
          `node ${result.nodeCpuMsPerJob.toFixed(3)} ms CPU/job  ` +
          `postgres ${result.postgresCpuMsPerJob === null ? '-' : result.postgresCpuMsPerJob.toFixed(3)} ms CPU/job  ` +
          `(${n} jobs in ${result.seconds} s)`,
      );
    };

    console.log(
      `job queue on ${benchDb ? 'PostgreSQL' : 'PGlite'}: ${WORKERS} workers × ${CONCURRENCY} at a time; ` +
        `${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(1)}`,
    );
    await run('noop', 'bench.noop', JOBS);
    await run('finish', 'bench.finish', JOBS);
    await run('email', 'bench.email', EMAIL_JOBS);
    if (received !== EMAIL_JOBS) throw new Error(`the SMTP server received ${received} of ${EMAIL_JOBS} e-mails`);
    transport.close();

    mkdirSync(join(here, 'results'), { recursive: true });
    const file = join(here, 'results', `jobs-${benchDb ? 'postgres' : 'pglite'}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ when: new Date().toISOString(), workers: WORKERS, concurrency: CONCURRENCY, cpus: cpus().length, load: loadavg()[0], results }, null, 2)}\n`,
    );
    console.log(`written: ${file}`);
  } finally {
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    await database.close();
    await benchDb?.drop();
  }
}

await main();
