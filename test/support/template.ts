// The prepared database every test file starts from. scripts/run-tests.mjs builds it once per run (migrations + the
// demo seed) and passes it to the test files in the environment:
//   KOEPEL_TEST_PGLITE_DUMP        PGlite: a file holding the dump (an uncompressed tar of the data directory);
//                                  each Koepel a test starts is an in-memory PGlite loaded from it.
//   KOEPEL_TEST_TEMPLATE_DATABASE  PostgreSQL (KOEPEL_TEST_DATABASE_URL): the name of a template database; each
//                                  Koepel gets `create database … template <it>`.
// Without them (a test file run on its own with `node --test`) every Koepel migrates and seeds its own database.
// The template and its clones share one fixed master key, so the data keys the seed wrapped stay readable.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { demo } from '../../src/demo/index.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { KeyStore } from '../../src/platform/crypto/keys.js';
import { loadMasterKeyring } from '../../src/platform/crypto/master-key.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { migrate } from '../../src/platform/db/migrate.js';

/** A fixed key for tests only (never a secret: it protects the published demo data in throw-away databases). */
export const TEST_MASTER_KEY = createHash('sha256').update('koepel test master key').digest('base64');

export const PGLITE_DUMP_ENV = 'KOEPEL_TEST_PGLITE_DUMP';
export const TEMPLATE_DATABASE_ENV = 'KOEPEL_TEST_TEMPLATE_DATABASE';

/** The environment of a test Koepel before a test's own settings (harness.ts startKoepel). */
export function baseTestEnv(port: number): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    KOEPEL_MASTER_KEY: TEST_MASTER_KEY,
    // Jobs run when a test says so (koepel.jobs.runUntilIdle()), or in a test that starts the worker itself.
    KOEPEL_JOB_CONCURRENCY: '0',
  };
}

/**
 * Whether a test's own settings keep the template valid: the template was seeded with the demo on, the DigiD
 * simulator on (the example health app) and the test master key.
 */
export function templateFits(env: Record<string, string>): boolean {
  return !('KOEPEL_DEMO_SEED' in env || 'KOEPEL_MASTER_KEY' in env || 'KOEPEL_DIGID_SIMULATOR' in env);
}

async function prepare(config: Config): Promise<{ dump?: Blob }> {
  const database = await openDatabase(config.database);
  try {
    await migrate(database.db);
    const keys = new KeyStore(loadMasterKeyring(config, () => undefined));
    await demo.prepare?.({ config, database, keys });
    return { dump: await database.dump?.() };
  } finally {
    await database.close();
  }
}

/** PGlite: migrates and seeds an in-memory database and writes its dump into `dir`; returns the file. */
export async function buildPgliteTemplate(dir: string): Promise<string> {
  const config = loadConfig(baseTestEnv(0));
  config.database = { kind: 'pglite', dataDir: null };
  const { dump } = await prepare(config);
  if (!dump) throw new Error('PGlite gave no dump');
  const file = join(dir, 'koepel-test-template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  return file;
}

/** PostgreSQL: creates, migrates and seeds a template database on the server; returns its name. */
export async function buildPostgresTemplate(serverUrl: string): Promise<string> {
  const name = `koepel_tpl_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await prepare(loadConfig({ ...baseTestEnv(0), DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '2' }));
  return name;
}
