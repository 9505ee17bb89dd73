// Issue 14, the queue's proof: two worker processes share one PostgreSQL queue of 10,000 jobs; one is killed with
// SIGKILL mid-run. Every job ends done exactly once, and every effect written through ctx.finishWith happened exactly
// once (counted, not kept unique by a constraint that would hide a duplicate). An effect outside the database (here
// committed on its own before the job finishes, as a sent e-mail is) happens at least once: duplicates only for the
// jobs the killed worker had in flight — which is why e-mails carry a fixed Message-ID and webhooks a webhook-id.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { entryArgs } from '../../../test/support/entry.js';
import { freePort, startKoepel, testDatabaseUrl, type TestKoepel } from '../../../test/support/harness.js';
import { baseTestEnv } from '../../../test/support/template.js';
import { withPrincipal } from '../db/principal.js';

const JOBS = 10_000;
const CONCURRENCY = 8;
const LEASE_MS = 2000;
const skip = testDatabaseUrl
  ? false
  : 'needs a PostgreSQL server that two processes share (KOEPEL_TEST_DATABASE_URL); PGlite lives in one process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two job workers, one killed', { skip }, () => {
  let k: TestKoepel;
  const children: ChildProcess[] = [];

  before(async () => {
    k = await startKoepel();
    await sql`create table two_worker_effect (job_id bigint not null, worker text not null)`.execute(k.db);
    await sql`create table two_worker_external (job_id bigint not null, worker text not null)`.execute(k.db);
    await sql`grant select, insert on two_worker_effect, two_worker_external to koepel_app`.execute(k.db);
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await k?.close();
  });

  async function startWorker(name: string): Promise<ChildProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, entryArgs('src/platform/jobs/two-workers.child.ts'), {
      env: {
        ...process.env,
        ...baseTestEnv(port),
        DATABASE_URL: k.config.database.kind === 'postgres' ? k.config.database.url : '',
        DATABASE_POOL_SIZE: '4',
        WORKER_NAME: name,
        WORKER_CONCURRENCY: String(CONCURRENCY),
        WORKER_LEASE_MS: String(LEASE_MS),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}) before it was ready`)));
    });
    return child;
  }

  async function count(query: string): Promise<number> {
    const { rows } = await sql<{ n: string }>`${sql.raw(query)}`.execute(k.db);
    return Number(rows[0]?.n ?? 0);
  }

  async function stop(child: ChildProcess): Promise<void> {
    const exited = new Promise((r) => child.once('exit', r));
    child.send('stop');
    await exited;
  }

  test('10,000 jobs, SIGKILL of one worker mid-run: each job done once, each database effect once', async () => {
    const a = await startWorker('a');
    const b = await startWorker('b');
    const started = Date.now();
    await withPrincipal(k.db, { kind: 'anonymous' }, (tx) =>
      sql`select koepel_enqueue_job('test.two', jsonb_build_object('n', g)) from generate_series(1, ${JOBS}) g`.execute(
        tx,
      ),
    );
    // Kill A once it has done part of its share.
    for (let i = 0; i < 600; i++) {
      if ((await count(`select count(*) as n from two_worker_effect where worker = 'a'`)) >= 1500) break;
      await sleep(50);
    }
    const running = await count(`select count(*) as n from job where kind = 'test.two' and state = 'running'`);
    a.kill('SIGKILL');
    await new Promise((r) => (a.exitCode !== null || a.signalCode !== null ? r(null) : a.once('exit', r)));
    const doneAtKill = await count(`select count(*) as n from two_worker_effect`);
    assert.ok(doneAtKill < JOBS, `the kill came mid-run (${doneAtKill} of ${JOBS} done)`);
    assert.ok(running > 0, 'jobs were running at the kill');
    // B finishes the rest, including A's jobs in flight once their lease ends.
    for (let i = 0; i < 1200; i++) {
      if ((await count(`select count(*) as n from job where kind = 'test.two' and state <> 'done'`)) === 0) break;
      await sleep(50);
    }
    await stop(b);
    const seconds = (Date.now() - started) / 1000;

    const states = await sql<{ state: string; n: string }>`
      select state, count(*) as n from job where kind = 'test.two' group by state`.execute(k.db);
    assert.deepEqual(
      states.rows.map((r) => [r.state, Number(r.n)]),
      [['done', JOBS]],
      'every job done',
    );
    assert.equal(await count(`select count(*) as n from two_worker_effect`), JOBS, 'one effect per job in all');
    assert.equal(
      await count(
        `select count(*) as n from (select job_id from two_worker_effect group by job_id having count(*) > 1) d`,
      ),
      0,
      'no job has two effects',
    );
    assert.equal(
      await count(`select count(*) as n from job j where kind = 'test.two'
                   and not exists (select 1 from two_worker_effect e where e.job_id = j.id)`),
      0,
      'no job without its effect',
    );
    const byB = await count(`select count(*) as n from two_worker_effect where worker = 'b'`);
    assert.ok(byB > 0 && byB < JOBS, 'both workers did part of the work');
    const retaken = await count(`select count(*) as n from job where kind = 'test.two' and attempts > 1`);
    assert.ok(retaken >= 1, `A's jobs in flight ran again after the lease (${retaken})`);
    assert.ok(retaken <= CONCURRENCY, `only A's jobs in flight ran twice (${retaken})`);
    assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`);
  });

  test('an external effect happens at least once; twice only for the jobs the killed worker had in flight', async () => {
    const a = await startWorker('a2');
    const b = await startWorker('b2');
    const n = 2000;
    await withPrincipal(k.db, { kind: 'anonymous' }, (tx) =>
      sql`select koepel_enqueue_job('test.external', jsonb_build_object('n', g)) from generate_series(1, ${n}) g`.execute(
        tx,
      ),
    );
    for (let i = 0; i < 600; i++) {
      if ((await count(`select count(*) as n from two_worker_external where worker = 'a2'`)) >= 300) break;
      await sleep(20);
    }
    a.kill('SIGKILL');
    for (let i = 0; i < 1200; i++) {
      if ((await count(`select count(*) as n from job where kind = 'test.external' and state <> 'done'`)) === 0) break;
      await sleep(50);
    }
    await stop(b);
    assert.equal(
      await count(`select count(*) as n from job where kind = 'test.external' and state = 'done'`),
      n,
      'every job done',
    );
    assert.equal(
      await count(`select count(*) as n from job j where kind = 'test.external'
                   and not exists (select 1 from two_worker_external e where e.job_id = j.id)`),
      0,
      'every external effect happened at least once',
    );
    const twice = await count(
      `select count(*) as n from (select job_id from two_worker_external group by job_id having count(*) > 1) d`,
    );
    assert.ok(twice <= CONCURRENCY, `duplicates only for A's jobs in flight (${twice})`);
    assert.equal(
      await count(`select count(*) as n from (select job_id from two_worker_external group by job_id
                   having count(*) > 1) d join job j on j.id = d.job_id where j.attempts = 1`),
      0,
      'a duplicate only where the job ran again after the kill',
    );
  });
});
