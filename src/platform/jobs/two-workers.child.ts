// A job worker in a process of its own, for two-workers.integration.test.ts: it opens the test's PostgreSQL database
// (DATABASE_URL), runs the kinds 'test.two' (its effect in the database, through finishWith) and 'test.external'
// (an "external" effect first, committed on its own like a sent e-mail, then the job finished) under a short lease,
// and tells its parent over IPC when it listens. The parent kills it with SIGKILL mid-run.
import { sql } from 'kysely';
import { loadConfig } from '../config.js';
import { KeyStore } from '../crypto/keys.js';
import { loadMasterKeyring } from '../crypto/master-key.js';
import { openDatabase } from '../db/database.js';
import { withPrincipal, type Principal } from '../db/principal.js';
import { JobRegistry, JobWorker } from './worker.js';

const JOBS: Principal = { kind: 'system', purpose: 'jobs' };
const name = process.env.WORKER_NAME ?? 'worker';

const config = loadConfig(process.env);
const database = await openDatabase(config.database);
const keys = new KeyStore(loadMasterKeyring(config, () => undefined));
const registry = new JobRegistry();
// Each job takes 10–20 ms, like a short network call: the killed worker has jobs in flight at almost any moment.
const pause = () => new Promise((r) => setTimeout(r, 10 + Math.random() * 10));

registry.add('test.two', async (job, ctx) => {
  await pause();
  await ctx.finishWith(JOBS, async ({ tx }) => {
    await sql`insert into two_worker_effect (job_id, worker) values (${job.id}::bigint, ${name})`.execute(tx);
  });
});
registry.add('test.external', async (job, ctx) => {
  // The external effect: committed before the job is finished, as an SMTP server's "250 OK" is.
  await withPrincipal(ctx.db, JOBS, (tx) =>
    sql`insert into two_worker_external (job_id, worker) values (${job.id}::bigint, ${name})`.execute(tx),
  );
  await pause();
});

const worker = new JobWorker({ db: database.db, keys, notifications: database }, registry, {
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 8),
  leaseMs: Number(process.env.WORKER_LEASE_MS ?? 2000),
  pollMs: 200,
});
await worker.start();
process.send?.({ ready: name });
process.on('message', (m: unknown) => {
  if (m === 'stop')
    void worker
      .stop()
      .then(() => database.close())
      .then(() => process.exit(0));
});
