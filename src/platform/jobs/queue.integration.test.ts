// The durable job queue (issue 14): enqueued in the causing transaction, run once, retried with back-off, dead after
// its last attempt, claimed again after a lost worker's lease, and effects in the database exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { withPrincipal, type Principal } from '../db/principal.js';
import { backoffMs, enqueueJob, PermanentJobError, rescheduleJob, type Job } from './queue.js';
import { JobWorker } from './worker.js';

const JOBS: Principal = { kind: 'system', purpose: 'jobs' };
const OPERATOR: Principal = { kind: 'operator', staffId: '00000000-0000-4000-8000-000000000000' };

describe('job queue', () => {
  let k: TestKoepel;
  const ran: Job[] = [];
  let failures = 0;

  before(async () => {
    k = await startKoepel();
    const jobs = k.koepel.app.koepel.jobs;
    jobs.add('test.ok', async (job) => void ran.push(job));
    jobs.add('test.flaky', async (job) => {
      ran.push(job);
      if (job.attempt <= failures)
        throw Object.assign(new Error('smtp said no to someone@example.org'), { code: 'EPROTOCOL' });
    });
    jobs.add('test.permanent', async () => {
      throw new PermanentJobError('address-removed');
    });
  });
  after(() => k.close());

  async function jobRow(id: string) {
    return withPrincipal(k.db, JOBS, async (tx) =>
      tx
        .selectFrom('job')
        .selectAll()
        .where('id', '=', Number(id) as never)
        .executeTakeFirstOrThrow(),
    );
  }

  async function enqueue(kind: string, payload = {}, options = {}): Promise<string | null> {
    return withPrincipal(k.db, { kind: 'anonymous' }, (tx) => enqueueJob(tx, kind, payload, options));
  }

  test('a job commits and rolls back with the transaction that queued it; a key queues at most one', async () => {
    await assert.rejects(
      withPrincipal(k.db, { kind: 'anonymous' }, async (tx) => {
        await enqueueJob(tx, 'test.ok', { n: 'rolled-back' });
        throw new Error('the action failed');
      }),
    );
    const first = await enqueue('test.ok', { n: 1 }, { key: 'once' });
    const second = await enqueue('test.ok', { n: 2 }, { key: 'once' });
    assert.ok(first);
    assert.equal(second, null, 'the same key again queues nothing');
    ran.length = 0;
    assert.equal(await k.koepel.jobs.runUntilIdle(), 1);
    assert.deepEqual(
      ran.map((j) => j.payload),
      [{ n: 1 }],
    );
    const row = await jobRow(first);
    assert.equal(row.state, 'done');
    assert.equal(row.attempts, 1);
    assert.equal(await enqueue('test.ok', { n: 3 }, { key: 'once' }), null, 'a done job keeps its key');
  });

  test('a failing job is retried with back-off, then dead with a code and no personal data', async () => {
    failures = 2;
    const id = await enqueue('test.flaky', {}, { maxAttempts: 3 });
    assert.ok(id);
    ran.length = 0;
    await k.koepel.jobs.runUntilIdle();
    let row = await jobRow(id);
    assert.equal(row.state, 'queued');
    assert.equal(row.attempts, 1);
    assert.equal(row.last_error, 'Error:EPROTOCOL', 'the code, never the message (it named an address)');
    assert.ok(new Date(row.run_at).getTime() > Date.now() + 4_000, 'waits its back-off');
    assert.equal(await k.koepel.jobs.runUntilIdle(), 0, 'not due yet');
    // Time passes: the job is due again, fails once more, then succeeds on its third attempt.
    for (let i = 0; i < 2; i++) {
      await withPrincipal(k.db, JOBS, (tx) =>
        sql`update job set run_at = now() where id = ${Number(id)}`.execute(tx).then(() => undefined),
      );
      await k.koepel.jobs.runUntilIdle();
    }
    row = await jobRow(id);
    assert.equal(row.state, 'done');
    assert.equal(row.attempts, 3);
    assert.deepEqual(
      ran.map((j) => j.attempt),
      [1, 2, 3],
    );

    failures = 99;
    const doomed = await enqueue('test.flaky', {}, { maxAttempts: 2 });
    assert.ok(doomed);
    for (let i = 0; i < 3; i++) {
      await withPrincipal(k.db, JOBS, (tx) =>
        sql`update job set run_at = now() where id = ${Number(doomed)} and state = 'queued'`.execute(tx),
      );
      await k.koepel.jobs.runUntilIdle();
    }
    row = await jobRow(doomed);
    assert.equal(row.state, 'dead');
    assert.equal(row.attempts, 2);
    assert.ok(row.finished_at);

    const permanent = await enqueue('test.permanent');
    assert.ok(permanent);
    await k.koepel.jobs.runUntilIdle();
    row = await jobRow(permanent);
    assert.equal(row.state, 'dead', 'a permanent failure is dead at once');
    assert.equal(row.attempts, 1);
    assert.equal(row.last_error, 'address-removed');

    const unknown = await enqueue('test.nobody-handles-this');
    assert.ok(unknown);
    await k.koepel.jobs.runUntilIdle();
    assert.equal((await jobRow(unknown)).last_error, 'no-handler');
  });

  test('the operator sees dead jobs and queues one again; nobody else sees the queue', async () => {
    const id = await enqueue('test.permanent');
    assert.ok(id);
    await k.koepel.jobs.runUntilIdle();
    const seen = await withPrincipal(k.db, OPERATOR, (tx) =>
      tx.selectFrom('job').select(['id', 'state']).where('state', '=', 'dead').execute(),
    );
    assert.ok(seen.some((r) => String(r.id) === id));
    const citizenSees = await withPrincipal(
      k.db,
      {
        kind: 'citizen',
        citizenId: '00000000-0000-4000-8000-000000000001',
        portalId: '00000000-0000-4000-8000-000000000002',
      },
      (tx) => tx.selectFrom('job').select('id').execute(),
    );
    assert.equal(citizenSees.length, 0);
    await assert.rejects(
      withPrincipal(k.db, { kind: 'anonymous' }, (tx) => sql`insert into job (kind) values ('test.ok')`.execute(tx)),
      'no direct insert: only koepel_enqueue_job',
    );
    // The operator may only move a dead job back to queued.
    const retried = await withPrincipal(k.db, OPERATOR, (tx) =>
      tx
        .updateTable('job')
        .set({ state: 'queued', run_at: sql`now()`, attempts: 0 } as never)
        .where('id', '=', Number(id) as never)
        .executeTakeFirst(),
    );
    assert.equal(Number(retried.numUpdatedRows), 1);
    await k.koepel.jobs.runUntilIdle();
    const again = await jobRow(id);
    assert.equal(again.state, 'dead', 'it ran again (and failed for good again)');
    assert.equal(again.attempts, 1);
    // Only a dead job, and only back to queued: a done job stays done.
    const done = await enqueue('test.ok');
    assert.ok(done);
    await k.koepel.jobs.runUntilIdle();
    const touched = await withPrincipal(k.db, OPERATOR, (tx) =>
      tx
        .updateTable('job')
        .set({ state: 'queued' } as never)
        .where('id', '=', Number(done) as never)
        .executeTakeFirst(),
    );
    assert.equal(Number(touched.numUpdatedRows), 0);
    await assert.rejects(
      withPrincipal(k.db, OPERATOR, (tx) =>
        tx
          .updateTable('job')
          .set({ state: 'done' } as never)
          .where('state', '=', 'dead')
          .execute(),
      ),
      /row-level security/,
    );
  });

  test('a worker that dies mid-job loses nothing: the job runs again after its lease; the late worker cannot finish it', async () => {
    // Worker A claims the job and "dies" (its handler never returns); B claims it after the lease ends.
    let releaseA: () => void = () => undefined;
    const started: string[] = [];
    const registry = k.koepel.app.koepel.jobs;
    registry.add('test.effect', async (job, ctx) => {
      started.push(job.idempotencyKey ?? '');
      if (job.attempt === 1) await new Promise<void>((r) => (releaseA = r));
      await ctx.finishWith(JOBS, async ({ tx }) => {
        await sql`select koepel_enqueue_job('test.ok', ${JSON.stringify({ effectOf: job.id })}::jsonb)`.execute(tx);
      });
    });
    await k.koepel.jobs.runUntilIdle();
    const id = await enqueue('test.effect', {}, { key: 'effect-1' });
    assert.ok(id);
    const a = new JobWorker({ db: k.db, keys: k.koepel.keys }, registry, { concurrency: 1, leaseMs: 60_000 });
    const b = new JobWorker({ db: k.db, keys: k.koepel.keys }, registry, { concurrency: 1, leaseMs: 60_000 });
    const aRun = a.runUntilIdle(1);
    for (let i = 0; started.length === 0 && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(started.length, 1, 'A started the job');
    assert.equal(await b.runUntilIdle(1), 0, 'B sees nothing while A holds the lease');
    // A's lease ends.
    await withPrincipal(k.db, JOBS, (tx) =>
      sql`update job set run_at = now() - interval '1 second' where id = ${Number(id)}`.execute(tx),
    );
    assert.equal(await b.runUntilIdle(1), 1, 'B claims the job after the lease');
    releaseA();
    await aRun;
    const row = await jobRow(id);
    assert.equal(row.state, 'done');
    assert.equal(row.attempts, 2);
    const effects = await withPrincipal(k.db, JOBS, (tx) =>
      tx
        .selectFrom('job')
        .select('id')
        .where(sql`payload->>'effectOf'`, '=', id)
        .execute(),
    );
    assert.equal(effects.length, 1, 'the effect happened once: A, late, could not finish');
  });

  test('a reminder moves with its appointment and vanishes when it is cancelled', async () => {
    await k.koepel.jobs.runUntilIdle();
    const later = new Date(Date.now() + 86_400_000);
    const id = await enqueue('test.ok', {}, { key: 'reminder-x', runAt: later });
    assert.ok(id);
    assert.equal(await k.koepel.jobs.runUntilIdle(), 0, 'not before its time');
    const sooner = new Date(Date.now() - 1000);
    assert.equal(
      await withPrincipal(k.db, { kind: 'anonymous' }, (tx) => rescheduleJob(tx, 'test.ok', 'reminder-x', sooner)),
      true,
    );
    assert.equal(new Date((await jobRow(id)).run_at).getTime(), sooner.getTime());
    assert.equal(
      await withPrincipal(k.db, { kind: 'anonymous' }, (tx) => rescheduleJob(tx, 'test.ok', 'reminder-x', null)),
      true,
    );
    assert.equal(await k.koepel.jobs.runUntilIdle(), 0, 'cancelled: gone');
  });

  test('a started worker never runs more jobs at once than its concurrency, however often it is woken', async () => {
    // Issue 14 (queue proof): wake-ups by notification, the poll timer and finished jobs each started a claim that saw
    // the same free slots, so a worker ran several times its concurrency (found by two-workers.integration.test.ts).
    let active = 0;
    let most = 0;
    let done = 0;
    const registry = k.koepel.app.koepel.jobs;
    registry.add('test.slow', async () => {
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 30));
      active--;
      done++;
    });
    await k.koepel.jobs.runUntilIdle();
    const worker = new JobWorker({ db: k.db, keys: k.koepel.keys, notifications: k.koepel.database }, registry, {
      concurrency: 2,
      pollMs: 20,
    });
    await worker.start();
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => enqueue('test.slow', { i })));
      for (let i = 0; done < 20 && i < 500; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await worker.stop();
    }
    assert.equal(done, 20);
    assert.ok(most <= 2, `at most 2 at once (saw ${most})`);
  });

  test('back-off grows and is capped', () => {
    assert.equal(
      backoffMs(1, () => 1),
      10_000,
    );
    assert.equal(
      backoffMs(2, () => 0),
      10_000,
    );
    assert.equal(
      backoffMs(3, () => 1),
      40_000,
    );
    assert.equal(
      backoffMs(30, () => 1),
      3_600_000,
    );
  });
});
