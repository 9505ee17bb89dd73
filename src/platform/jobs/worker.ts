// The job worker (issue 14): claims due jobs and runs their handlers. Every Koepel process may run one; they share the
// queue through FOR UPDATE SKIP LOCKED, so each job runs in one of them at a time.
//
// Claiming, finishing and failing are short transactions of their own (system purpose 'jobs'); the handler runs
// between them holding no transaction, so a slow SMTP server or webhook receiver never holds a database connection
// (PGlite has only one). While the handler runs, the job's lease (run_at) says until when it is this worker's: if the
// process dies, another worker claims the job after that moment. The lease token is checked on finishing, so a
// worker that overran its lease cannot finish a job that another has claimed since.
import { sql, type Kysely } from 'kysely';
import type { KeyStore } from '../crypto/keys.js';
import { withPrincipal, type Principal, type SystemPurpose, type Tx } from '../db/principal.js';
import type { DB } from '../db/schema.js';
import type { Notifications } from '../db/database.js';
import { runInScope, type DataScope } from '../db/scope.js';
import { backoffMs, PermanentJobError, RetryJobError, type Job, type JobPayload } from './queue.js';

const JOBS: Principal = { kind: 'system', purpose: 'jobs' };

/** What a handler may use besides its job. */
export interface JobContext {
  db: Kysely<DB>;
  keys: KeyStore;
  /**
   * Finishes the job and writes its database effect in one transaction (as `as`: a principal, or the system for a
   * named purpose): the effect happens exactly
   * once, or — when the lease was lost to another worker meanwhile — not at all (the call throws LeaseLostError).
   */
  finishWith<T>(as: Principal | SystemPurpose, fn: (scope: DataScope) => Promise<T>): Promise<T>;
  /** Work as the system for one named purpose in a transaction of its own (reads before the effect, a log line). */
  asSystem<T>(purpose: SystemPurpose, fn: (scope: DataScope) => Promise<T>): Promise<T>;
  /** Aborted when the worker stops (shutdown): a handler waiting on the network should give up. */
  signal: AbortSignal;
}

export type JobHandler = (job: Job, ctx: JobContext) => Promise<void>;

export class LeaseLostError extends Error {
  constructor() {
    super('the job was claimed by another worker after its lease ended');
    this.name = 'LeaseLostError';
  }
}

export interface WorkerOptions {
  /** Jobs run at the same time by this process. */
  concurrency: number;
  /** How long a claimed job is this worker's before another may take it. */
  leaseMs: number;
  /** How often the worker looks for due jobs when no notification woke it (scheduled jobs, missed notifications). */
  pollMs: number;
  /** How long finished jobs are kept (their idempotency keys with them). */
  keepDoneMs: number;
}

export const WORKER_DEFAULTS: WorkerOptions = {
  concurrency: 4,
  leaseMs: 120_000,
  pollMs: 5_000,
  keepDoneMs: 30 * 86_400_000,
};

/** Handlers by job kind; capabilities add theirs (Capability.jobs). */
export class JobRegistry {
  private readonly handlers = new Map<string, JobHandler>();

  add(kind: string, handler: JobHandler): void {
    if (this.handlers.has(kind)) throw new Error(`job kind ${kind} has two handlers`);
    this.handlers.set(kind, handler);
  }

  get(kind: string): JobHandler | undefined {
    return this.handlers.get(kind);
  }

  get kinds(): string[] {
    return [...this.handlers.keys()];
  }
}

interface ClaimedRow {
  id: string | number;
  kind: string;
  payload: JobPayload;
  attempts: number;
  max_attempts: number;
  idempotency_key: string | null;
  lease_token: string;
}

type Logger = { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

export class JobWorker {
  private readonly options: WorkerOptions;
  private running = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private wakeScheduled = false;
  /** A tick is claiming; another one waits for it (see tick). */
  private ticking = false;
  private tickAgain = false;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private lastCleanup = 0;

  constructor(
    private readonly services: { db: Kysely<DB>; keys: KeyStore; notifications?: Notifications },
    private readonly registry: JobRegistry,
    options: Partial<WorkerOptions> = {},
    private readonly logger: Logger | null = null,
  ) {
    this.options = { ...WORKER_DEFAULTS, ...options };
  }

  /** Starts polling, and listens for new jobs so that a due one starts at once. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.services.notifications?.listen('koepel_jobs', {
      message: () => this.wake(),
      reset: () => this.wake(),
    });
    this.schedule(0);
  }

  /** Stops claiming; waits for the jobs in flight (their handlers see `signal` aborted after graceMs). */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const all = Promise.allSettled([...this.inFlight]);
    const timer = setTimeout(() => this.abort.abort(), graceMs);
    await all;
    clearTimeout(timer);
  }

  /**
   * Runs due jobs in the caller until none is due (tests, the CLI, the bench): each claimed job runs to its end.
   * Answers how many jobs ran. Jobs scheduled for later stay queued.
   */
  async runUntilIdle(maxJobs = 100_000): Promise<number> {
    let ran = 0;
    while (ran < maxJobs) {
      const claimed = await this.claim(Math.min(this.options.concurrency, maxJobs - ran));
      if (claimed.length === 0) break;
      await Promise.all(claimed.map((row) => this.execute(row)));
      ran += claimed.length;
    }
    return ran;
  }

  private wake(): void {
    if (this.stopped || this.wakeScheduled) return;
    this.wakeScheduled = true;
    // Notifications arrive once per enqueue; many in a burst need one look.
    queueMicrotask(() => {
      this.wakeScheduled = false;
      void this.tick();
    });
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    // One claim at a time: ticks started by a notification, the poll timer and a finished job would each see the same
    // free slots before any claim returned, and together claim more jobs than `concurrency` (issue 14: two workers,
    // one killed, had three times its concurrency in flight — all of them stranded until their lease ended).
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      await this.claimFree();
    } finally {
      this.ticking = false;
      if (this.tickAgain && !this.stopped) {
        this.tickAgain = false;
        this.schedule(0);
      }
    }
  }

  private async claimFree(): Promise<void> {
    try {
      await this.cleanupNow();
      const free = this.options.concurrency - this.running;
      if (free <= 0) return;
      const claimed = await this.claim(free);
      for (const row of claimed) this.track(this.execute(row));
      // A full batch: there may be more at once; otherwise look again at the next poll (or a notification).
      this.schedule(claimed.length === free ? 0 : this.options.pollMs);
    } catch (err) {
      this.logger?.warn({ err: errorCode(err) }, 'job worker could not claim jobs; trying again');
      this.schedule(this.options.pollMs);
    }
  }

  private track(p: Promise<void>): void {
    this.running++;
    this.inFlight.add(p);
    void p.finally(() => {
      this.running--;
      this.inFlight.delete(p);
      // A slot is free: look for the next job now rather than at the next poll.
      if (!this.stopped) this.schedule(0);
    });
  }

  /** Claims up to n due jobs: queued ones whose time has come, and running ones whose lease has ended. */
  private async claim(n: number): Promise<ClaimedRow[]> {
    if (n <= 0) return [];
    const leaseSeconds = this.options.leaseMs / 1000;
    return withPrincipal(this.services.db, JOBS, async (tx) => {
      // A running job whose lease ended on its last attempt is dead: its worker died each time it ran.
      const { rows } = await sql<ClaimedRow & { state: string }>`
        with due as (
          select id from job
          where state in ('queued', 'running') and run_at <= now()
          order by run_at
          limit ${n}
          for update skip locked
        )
        update job set
          state = case when job.state = 'running' and job.attempts >= job.max_attempts then 'dead' else 'running' end,
          attempts = case when job.state = 'running' and job.attempts >= job.max_attempts then job.attempts
                          else job.attempts + 1 end,
          run_at = now() + make_interval(secs => ${leaseSeconds}),
          lease_token = gen_random_uuid(),
          last_error = case when job.state = 'running' then 'lease-expired' else job.last_error end,
          finished_at = case when job.state = 'running' and job.attempts >= job.max_attempts then now() end
        from due where job.id = due.id
        returning job.id, job.kind, job.payload, job.attempts, job.max_attempts, job.idempotency_key,
                  job.lease_token, job.state`.execute(tx);
      return rows.filter((r) => r.state === 'running');
    });
  }

  private async execute(row: ClaimedRow): Promise<void> {
    const job: Job = {
      id: String(row.id),
      kind: row.kind,
      payload: row.payload,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      idempotencyKey: row.idempotency_key,
    };
    const handler = this.registry.get(row.kind);
    if (!handler) {
      await this.fail(row, new PermanentJobError('no-handler'));
      return;
    }
    let finished = false;
    const ctx: JobContext = {
      db: this.services.db,
      keys: this.services.keys,
      signal: this.abort.signal,
      asSystem: (purpose, fn) =>
        runInScope({ db: this.services.db, keys: this.services.keys }, { kind: 'system', purpose }, fn),
      finishWith: async (as, fn) => {
        const principal: Principal = typeof as === 'string' ? { kind: 'system', purpose: as } : as;
        const result = await runInScope(
          { db: this.services.db, keys: this.services.keys },
          principal,
          async (scope) => {
            if (!(await this.markDone(scope.tx, row))) throw new LeaseLostError();
            return fn(scope);
          },
        );
        finished = true;
        return result;
      },
    };
    try {
      await handler(job, ctx);
      if (!finished) {
        await withPrincipal(this.services.db, JOBS, async (tx) => {
          if (!(await this.markDone(tx, row))) throw new LeaseLostError();
        });
      }
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.logger?.warn({ job: job.id, kind: job.kind }, 'job lease lost; another worker has it');
        return;
      }
      await this.fail(row, err).catch((e: unknown) =>
        // The failure could not be written (database away): the lease ends and the job runs again.
        this.logger?.error({ job: job.id, kind: job.kind, err: errorCode(e) }, 'job failure not recorded'),
      );
    }
  }

  /** Marks the job done in tx (any principal: koepel_finish_job checks the lease token) if this worker holds it. */
  private async markDone(tx: Tx, row: ClaimedRow): Promise<boolean> {
    const { rows } = await sql<{ done: boolean }>`
      select koepel_finish_job(${String(row.id)}::bigint, ${row.lease_token}::uuid) as done`.execute(tx);
    return rows[0]?.done ?? false;
  }

  private async fail(row: ClaimedRow, err: unknown): Promise<void> {
    const permanent = err instanceof PermanentJobError || row.attempts >= row.max_attempts;
    const delay = err instanceof RetryJobError && err.afterMs !== undefined ? err.afterMs : backoffMs(row.attempts);
    const code = errorCode(err);
    await withPrincipal(this.services.db, JOBS, async (tx) => {
      await sql`
        update job set
          state = ${permanent ? 'dead' : 'queued'},
          run_at = now() + make_interval(secs => ${delay / 1000}),
          last_error = ${code},
          lease_token = null,
          finished_at = ${permanent ? sql`now()` : null}
        where id = ${String(row.id)}::bigint and lease_token = ${row.lease_token}::uuid`.execute(tx);
    });
    if (permanent) this.logger?.warn({ job: String(row.id), kind: row.kind, error: code }, 'job is dead');
  }

  /** Drops finished jobs past their keeping time, at most once a minute per process. */
  private async cleanupNow(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60_000) return;
    this.lastCleanup = now;
    await withPrincipal(this.services.db, JOBS, async (tx) => {
      await sql`
        delete from job where id in (
          select id from job where state = 'done'
            and finished_at < now() - make_interval(secs => ${this.options.keepDoneMs / 1000})
          limit 1000)`.execute(tx);
    });
  }
}

/**
 * What the operator sees of a failure: a code the handler chose (PermanentJobError, RetryJobError), or the error's
 * name and code — never its message, which may quote an address or a response body.
 */
export function errorCode(err: unknown): string {
  if (err instanceof PermanentJobError || err instanceof RetryJobError) return err.code.slice(0, 200);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}${typeof code === 'string' || typeof code === 'number' ? `:${code}` : ''}`.slice(0, 200);
  }
  return 'unknown';
}
