// Starting Koepel: configuration → database → migrations → keys → (demo seed) → portals → web application.
// Used by main.ts and by the test harness, so tests run exactly what production runs.
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApp } from './app.js';
import { ensureDemoPgo } from './demo/pgo.js';
import { seedDemo } from './demo/seed.js';
import type { Config } from './platform/config.js';
import { KeyStore } from './platform/crypto/keys.js';
import { loadMasterKeyring } from './platform/crypto/master-key.js';
import { openDatabase, type Database } from './platform/db/database.js';
import { migrate } from './platform/db/migrate.js';
import { loadPortals } from './platform/web/portals.js';

export interface Koepel {
  app: FastifyInstance;
  database: Database;
  keys: KeyStore;
  seeded: boolean;
  close(): Promise<void>;
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

export async function boot(config: Config, logger: Logger | false = createLogger(config)): Promise<Koepel> {
  const database = await openDatabase(config.database);
  try {
    await migrate(database.db);
    const keys = new KeyStore(loadMasterKeyring(config, (m) => (logger ? logger.warn(m) : undefined)));
    const seeded = config.demoSeed ? await seedDemo(database.db, keys) : false;
    if (config.demoSeed && config.digid.simulator) await ensureDemoPgo(database.db, config.publicUrl);
    const portals = await loadPortals(database.db);
    const app = await buildApp({ config, database, keys, portals, logger });
    return {
      app,
      database,
      keys,
      seeded,
      close: async () => {
        await app.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close().catch(() => undefined);
    throw err;
  }
}
