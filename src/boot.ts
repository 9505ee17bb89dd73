// Starting Koepel: configuration → database → migrations → keys → (extensions: the demo) → portals → web application.
// Used by both entry points (src/main.ts, src/demo/main.ts) and by the test harness, so tests run what production runs.
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApp } from './app.js';
import { startAuditCheckpoints } from './platform/audit/checkpoint.js';
import type { Capability } from './platform/capability.js';
import type { Config } from './platform/config.js';
import { KeyStore } from './platform/crypto/keys.js';
import { loadMasterKeyring } from './platform/crypto/master-key.js';
import { openDatabase, type Database, type OpenOptions } from './platform/db/database.js';
import { migrate } from './platform/db/migrate.js';
import { JobWorker } from './platform/jobs/worker.js';
import { loadPortals } from './platform/web/portals.js';

export interface Koepel {
  app: FastifyInstance;
  database: Database;
  keys: KeyStore;
  /** Whether an extension loaded data into the database at this start (the demo, into an empty database). */
  seeded: boolean;
  /** This process's job worker (src/platform/jobs); started when config.jobs.concurrency > 0. */
  jobs: JobWorker;
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): readiness turns 503 and new requests are refused with 503 (platform/http/lifecycle.ts);
   * the requests in flight get up to `graceMs` to finish, whatever is left then is cut; then close(). Resolves with
   * whether everything in flight finished.
   */
  shutdown(graceMs: number): Promise<{ drained: boolean; cut: number }>;
}

/**
 * Something a deployment adds around the capabilities, such as the demo (src/demo): data to load after the
 * migrations, as the database owner, and capabilities of its own. Production (src/main.ts) starts without any.
 */
export interface BootExtension {
  name: string;
  /** Runs after the migrations; returns whether it loaded anything. */
  prepare?(ctx: { config: Config; database: Database; keys: KeyStore }): Promise<boolean>;
  capabilities?: readonly Capability[];
}

export interface BootOptions {
  /** How the database is opened (tests: an in-memory PGlite that starts from a prepared dump). */
  database?: OpenOptions;
}

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    // Defence in depth: whatever a developer passes, these keys never reach the log.
    redact: {
      paths: ['*.bsn', '*.email', '*.password', '*.name', 'req.headers.cookie', '*.authorization'],
      censor: '[redacted]',
    },
  });
}

export async function boot(
  config: Config,
  logger: Logger | false = createLogger(config),
  extensions: readonly BootExtension[] = [],
  options: BootOptions = {},
): Promise<Koepel> {
  const database = await openDatabase(config.database, options.database);
  try {
    // On a database that is already at the latest migration and seeded (every restart; every test file, which starts
    // from a prepared template) both steps only look: the migrations compare schema_migration with the files, the demo
    // sees a non-empty database and loads nothing (a few milliseconds together). Both run under the start lock: it
    // waits for a database that is not up yet, and a node that starts at the same moment as another waits until that
    // one has migrated and seeded, then finds it done.
    const keys = new KeyStore(loadMasterKeyring(config, (m) => (logger ? logger.warn(m) : undefined)));
    const seeded = await database.withStartLock(
      async (db) => {
        await migrate(db);
        let loaded = false;
        for (const extension of extensions) {
          if (extension.prepare && (await extension.prepare({ config, database: { ...database, db }, keys })))
            loaded = true;
        }
        return loaded;
      },
      (message) => (logger ? logger.warn(message) : undefined),
    );
    const portals = await loadPortals(database.db);
    const app = await buildApp({
      config,
      database,
      keys,
      portals,
      logger,
      extraCapabilities: extensions.flatMap((e) => e.capabilities ?? []),
    });
    // Signed checkpoints of the audit chain heads, every KOEPEL_AUDIT_CHECKPOINT_INTERVAL_SECONDS.
    const checkpoints = startAuditCheckpoints(config, database.db, logger || null);
    // Background jobs: e-mails, deliveries to organisations' systems, reminders (issue 14).
    const jobs = new JobWorker(
      { db: database.db, keys, notifications: database },
      app.koepel.jobs,
      { ...config.jobs, concurrency: Math.max(1, config.jobs.concurrency) },
      logger || null,
    );
    if (config.jobs.concurrency > 0) await jobs.start();
    const close = async () => {
      await jobs.stop(Math.min(config.shutdownGraceMs, 10_000));
      await checkpoints.stop();
      await app.close();
      await database.close();
    };
    return {
      app,
      database,
      keys,
      seeded,
      jobs,
      close,
      shutdown: async (graceMs) => {
        app.lifecycle.draining = true;
        const drained = await app.lifecycle.idle(graceMs);
        const cut = app.lifecycle.requestsInFlight;
        // Past the grace time: the connections still busy are cut, so that close() does not wait for them.
        if (!drained) app.server.closeAllConnections();
        await close();
        return { drained, cut: drained ? 0 : cut };
      },
    };
  } catch (err) {
    await database.close().catch(() => undefined);
    throw err;
  }
}
