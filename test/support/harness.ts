// Starts a real Koepel (real HTTP server, real database) for a test file: in-memory PGlite by default, or a fresh
// PostgreSQL database when KOEPEL_TEST_DATABASE_URL is set (dropped again at close).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import type { Kysely } from 'kysely';
import { boot, type Koepel } from '../../src/boot.js';
import { demo } from '../../src/demo/index.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import type { DB } from '../../src/platform/db/schema.js';

export interface TestKoepel {
  url: string;
  koepel: Koepel;
  config: Config;
  /** Owner connection: for arranging data and inspecting raw tables in tests. Never used by the app's requests. */
  db: Kysely<DB>;
  onPostgres: boolean;
  close(): Promise<void>;
}

export const testDatabaseUrl = process.env.KOEPEL_TEST_DATABASE_URL;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Creates an empty PostgreSQL database for one test file; returns its URL and a function that drops it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testDatabaseUrl) throw new Error('KOEPEL_TEST_DATABASE_URL is not set');
  const name = `koepel_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: testDatabaseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface StartOptions {
  /** Rewrites the PostgreSQL URL the app connects to (e.g. through a TCP proxy that a test can cut). */
  viaDatabaseUrl?: (url: string) => string;
  /** Logs at trace level, without redaction, into this stream (tests that prove nothing sensitive is logged). */
  logStream?: Writable;
}

export async function startKoepel(env: Record<string, string> = {}, opts: StartOptions = {}): Promise<TestKoepel> {
  const port = await freePort();
  const testDb = testDatabaseUrl ? await createTestDatabase() : null;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...(testDb ? { DATABASE_URL: opts.viaDatabaseUrl?.(testDb.url) ?? testDb.url, DATABASE_POOL_SIZE: '5' } : {}),
    ...env,
  });
  if (config.database.kind === 'pglite') config.database = { kind: 'pglite', dataDir: null };
  const koepel = await boot(config, opts.logStream ? pino({ level: 'trace' }, opts.logStream) : false, [demo]);
  await koepel.app.listen({ port, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${port}`,
    koepel,
    config,
    db: koepel.database.db,
    onPostgres: testDb !== null,
    close: async () => {
      await koepel.close();
      await testDb?.drop();
    },
  };
}
