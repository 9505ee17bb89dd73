// Health endpoints for an orchestrator (Kubernetes probes, systemd, a load balancer's check), docs/operations.md:
//   GET /health/live    the process answers (no database): 200 as long as the event loop runs, also while draining.
//   GET /health/ready   this node can serve: not shutting down, the database reachable within HEALTH_TIMEOUT_MS and
//                       writable (not a standby, not read-only), and its migrations all applied. 503 otherwise.
//   GET /health         the same as /health/ready (what load balancers were pointed at before).
// The body names each check and its state, never a host, a user or an error message: { status, checks }.
import { readdirSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { migrationsDir } from '../db/migrate.js';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from './errors.js';
import type { Lifecycle } from './lifecycle.js';

/** How long readiness waits for the database before it says "timeout" (a probe's timeoutSeconds should be larger). */
export const HEALTH_TIMEOUT_MS = 3000;

export interface Readiness {
  status: 'ok' | 'unavailable';
  checks: {
    process: 'ok' | 'shutting-down';
    database?: 'ok' | 'unreachable' | 'timeout' | 'error';
    writable?: 'ok' | 'read-only';
    migrations?: 'ok' | 'pending';
  };
}

/** The newest migration this code knows (file names sort in the order they apply). */
function latestMigration(dir: string): string {
  return (
    readdirSync(dir)
      .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
      .sort()
      .at(-1) ?? ''
  );
}

/**
 * One statement on the owner connection: whether the server is a standby, whether a new transaction would be read-only
 * (a standby, or default_transaction_read_only on the database), and the newest applied migration. A node that
 * finds a newer migration than its own (a rolling upgrade started) still serves: migrations are forward-compatible.
 */
export async function checkReadiness(db: Kysely<DB>, lifecycle: Lifecycle, latest: string): Promise<Readiness> {
  if (lifecycle.draining) return { status: 'unavailable', checks: { process: 'shutting-down' } };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), HEALTH_TIMEOUT_MS);
  });
  try {
    const answer = await Promise.race([
      sql<{ in_recovery: boolean; read_only: string; latest: string | null }>`select pg_is_in_recovery() as in_recovery,
        current_setting('transaction_read_only') as read_only,
        (select max(name) from schema_migration) as latest`.execute(db),
      timeout,
    ]);
    if (answer === 'timeout') return { status: 'unavailable', checks: { process: 'ok', database: 'timeout' } };
    const row = answer.rows[0];
    const writable = row && !row.in_recovery && row.read_only === 'off' ? 'ok' : 'read-only';
    const migrations = (row?.latest ?? '') >= latest ? 'ok' : 'pending';
    return {
      status: writable === 'ok' && migrations === 'ok' ? 'ok' : 'unavailable',
      checks: { process: 'ok', database: 'ok', writable, migrations },
    };
  } catch (err) {
    return {
      status: 'unavailable',
      checks: { process: 'ok', database: isDatabaseUnavailable(err) ? 'unreachable' : 'error' },
    };
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes(app: FastifyInstance, lifecycle: Lifecycle): void {
  const latest = latestMigration(migrationsDir);
  const noStore = (reply: FastifyReply) => reply.header('Cache-Control', 'no-store');
  let last: string | null = null;

  app.get('/health/live', async (_req, reply) => noStore(reply).send({ status: 'ok' }));

  const ready = async (_req: unknown, reply: FastifyReply) => {
    const readiness = await checkReadiness(app.koepel.db, lifecycle, latest);
    // Logged when it changes, not on every probe.
    const summary = JSON.stringify(readiness.checks);
    if (summary !== last) {
      if (readiness.status === 'ok') app.log.info({ checks: readiness.checks }, 'ready');
      else app.log.warn({ checks: readiness.checks }, 'not ready');
      last = summary;
    }
    if (readiness.status !== 'ok') reply.code(503).header('Retry-After', String(RETRY_AFTER_SECONDS));
    return noStore(reply).send(readiness);
  };
  app.get('/health/ready', ready);
  app.get('/health', ready);
}
