// Starts a real Koepel (real HTTP server, real database) for a test file: in-memory PGlite by default, or a fresh
// PostgreSQL database when KOEPEL_TEST_DATABASE_URL is set (dropped again at close). Both start as a copy of the
// migrated and seeded template that scripts/run-tests.mjs prepared for the run (template.ts).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import type { Kysely } from 'kysely';
import { boot, type Koepel } from '../../src/boot.js';
import { demo } from '../../src/demo/index.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import type { DB } from '../../src/platform/db/schema.js';
import { baseTestEnv, PGLITE_DUMP_ENV, TEMPLATE_DATABASE_ENV, templateFits } from './template.js';

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

/**
 * Creates a PostgreSQL database for one test file, empty or as a copy of a template database; returns its URL and a
 * function that drops it.
 */
export async function createTestDatabase(template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testDatabaseUrl) throw new Error('KOEPEL_TEST_DATABASE_URL is not set');
  if (template !== undefined && !/^[a-z0-9_]+$/.test(template)) throw new Error('not a template database name');
  const name = `koepel_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(template ? `create database ${name} template ${template}` : `create database ${name}`);
  } finally {
    await admin.end();
  }
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

let pgliteDump: Uint8Array<ArrayBuffer> | undefined;

/** The run's prepared PGlite dump, read once per test file (process). */
function preparedPgliteDump(): Blob | undefined {
  const file = process.env[PGLITE_DUMP_ENV];
  if (!file) return undefined;
  pgliteDump ??= new Uint8Array(readFileSync(file));
  return new Blob([pgliteDump]);
}

export async function startKoepel(env: Record<string, string> = {}, opts: StartOptions = {}): Promise<TestKoepel> {
  const port = await freePort();
  const fromTemplate = templateFits(env);
  const testDb = testDatabaseUrl
    ? await createTestDatabase(fromTemplate ? process.env[TEMPLATE_DATABASE_ENV] : undefined)
    : null;
  const config = loadConfig({
    ...baseTestEnv(port),
    ...(testDb ? { DATABASE_URL: opts.viaDatabaseUrl?.(testDb.url) ?? testDb.url, DATABASE_POOL_SIZE: '5' } : {}),
    ...env,
  });
  if (config.database.kind === 'pglite') config.database = { kind: 'pglite', dataDir: null };
  const dump = config.database.kind === 'pglite' && fromTemplate ? preparedPgliteDump() : undefined;
  const koepel = await boot(config, opts.logStream ? pino({ level: 'trace' }, opts.logStream) : false, [demo], {
    database: dump ? { pgliteDump: dump } : {},
  });
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
