// The durable job queue (issue 14; table `job`, migration 0038). Enqueue inside the transaction that causes the work:
// the job commits or rolls back with it. Workers (worker.ts) claim due jobs with FOR UPDATE SKIP LOCKED under a
// lease, so several Koepel processes share one queue and a job killed mid-run runs again when its lease ends.
import { sql } from 'kysely';
import type { Tx } from '../db/principal.js';

/** What a job carries: ids and fixed words only (an event type, a status). The operator reads job rows. */
export type JobPayload = Record<string, string | number | boolean | null>;

export interface EnqueueOptions {
  /** At most one job per (kind, key), ever: enqueueing the same key again does nothing and answers null. */
  key?: string;
  /** Not before this moment (a reminder); default now. */
  runAt?: Date;
  /** Attempts before the job is dead (default 10). */
  maxAttempts?: number;
}

/** Queues a job in the caller's transaction (any principal); answers its id, or null when the key was used before. */
export async function enqueueJob(
  tx: Tx,
  kind: string,
  payload: JobPayload,
  options: EnqueueOptions = {},
): Promise<string | null> {
  const { rows } = await sql<{ id: string | number | null }>`
    select koepel_enqueue_job(${kind}, ${JSON.stringify(payload)}::jsonb, ${options.key ?? null},
                              ${options.runAt ?? null}::timestamptz, ${options.maxAttempts ?? null}::integer) as id`.execute(
    tx,
  );
  const id = rows[0]?.id;
  return id === null || id === undefined ? null : String(id);
}

/**
 * Moves a queued job (found by kind and key) to a new time, or drops it (`runAt` null). A job that already runs or
 * ran is left alone. Answers whether a queued job was found.
 */
export async function rescheduleJob(tx: Tx, kind: string, key: string, runAt: Date | null): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select koepel_reschedule_job(${kind}, ${key}, ${runAt}::timestamptz) as found`.execute(tx);
  return rows[0]?.found ?? false;
}

/** A claimed job, as its handler sees it. */
export interface Job {
  id: string;
  kind: string;
  payload: JobPayload;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  idempotencyKey: string | null;
}

/**
 * Thrown by a handler for a failure that no retry can mend (the citizen removed their address, the endpoint was
 * deleted): the job is dead at once. `code` is what the operator sees: a short word, never personal data.
 */
export class PermanentJobError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'PermanentJobError';
  }
}

/**
 * Thrown by a handler that should run again after a delay it chooses (a receiver's Retry-After, its own back-off)
 * instead of the queue's default back-off. It counts as an attempt like any failure: on the last one the job is dead.
 * `code` as above.
 */
export class RetryJobError extends Error {
  constructor(
    readonly code: string,
    readonly afterMs?: number,
  ) {
    super(code);
    this.name = 'RetryJobError';
  }
}

/** Exponential back-off with full jitter: attempt 1 → up to 10 s, 2 → 20 s, … capped at one hour. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(3_600_000, 10_000 * 2 ** Math.max(0, attempt - 1));
  // Never less than half the ceiling: a storm of failures spreads out but each job still waits its turn.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
