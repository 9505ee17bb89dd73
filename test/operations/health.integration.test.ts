// The health endpoints an orchestrator probes (src/platform/http/health.ts): liveness without the database, readiness
// that checks the database is reachable and writable and the migrations are applied, /health as readiness. On PGlite
// and, with KOEPEL_TEST_DATABASE_URL, on PostgreSQL (a read-only database there: ALTER DATABASE … SET
// default_transaction_read_only, the pool's connections replaced).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { HEALTH_TIMEOUT_MS } from '../../src/platform/http/health.js';
import type { DB } from '../../src/platform/db/schema.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';

interface Body {
  status: string;
  checks: Record<string, string>;
}

async function probe(k: TestKoepel, path: string): Promise<{ status: number; body: Body; headers: Headers }> {
  const res = await fetch(k.url + path);
  return { status: res.status, body: (await res.json()) as Body, headers: res.headers };
}

/** Probes until `done` holds (the pool may first answer with a connection the test just ended), at most ~5 s. */
async function probeUntil(
  k: TestKoepel,
  path: string,
  done: (r: { status: number; body: Body }) => boolean,
): Promise<{ status: number; body: Body; headers: Headers }> {
  let r = await probe(k, path);
  for (let i = 0; i < 20 && !done(r); i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    r = await probe(k, path);
  }
  return r;
}

/** Makes the test database read-only (or writable again) for every new transaction, as a standby would be. */
async function setReadOnly(k: TestKoepel, on: boolean): Promise<void> {
  if (!k.onPostgres) {
    // PGlite has one connection, the app's: a session setting applies to every later transaction.
    await sql.raw(`set default_transaction_read_only = ${on ? 'on' : 'off'}`).execute(k.db);
    return;
  }
  const c = new pg.Client({ connectionString: pgUrl(k) });
  await c.connect();
  try {
    await c.query('set default_transaction_read_only = off');
    const { rows } = await c.query<{ db: string }>('select current_database() as db');
    const name = rows[0]?.db ?? '';
    await c.query(
      `alter database ${name} ${on ? 'set default_transaction_read_only = on' : 'reset default_transaction_read_only'}`,
    );
    // The pool's connections keep the setting they started with: end them, the pool opens new ones.
    await c.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
  } finally {
    await c.end();
  }
}

function pgUrl(k: TestKoepel): string {
  return k.config.database.kind === 'postgres' ? k.config.database.url : '';
}

describe('health endpoints', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  test('liveness answers 200 without touching the database, and is never cached', async () => {
    const r = await probe(k, '/health/live');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'ok' });
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  test('readiness: 200 with every check named when the database is reachable, writable and migrated', async () => {
    for (const path of ['/health/ready', '/health']) {
      const r = await probe(k, path);
      assert.equal(r.status, 200, path);
      assert.deepEqual(r.body, {
        status: 'ok',
        checks: { process: 'ok', database: 'ok', writable: 'ok', migrations: 'ok' },
      });
      assert.equal(r.headers.get('cache-control'), 'no-store');
    }
  });

  test('a read-only database (a standby, the old primary after a failover) is not ready', async () => {
    await setReadOnly(k, true);
    try {
      const r = await probeUntil(k, '/health/ready', (x) => x.body.checks.writable === 'read-only');
      assert.equal(r.status, 503);
      assert.equal(r.body.status, 'unavailable');
      assert.equal(r.body.checks.writable, 'read-only');
      assert.equal(r.headers.get('retry-after'), '30');
      assert.equal((await probe(k, '/health')).status, 503, '/health is readiness');
      assert.equal((await probe(k, '/health/live')).status, 200, 'liveness does not look at the database');
    } finally {
      await setReadOnly(k, false);
    }
    const back = await probeUntil(k, '/health/ready', (x) => x.status === 200);
    assert.equal(back.status, 200, 'ready again once the database is writable');
  });

  test('a migration this code has and the database lacks: not ready', async () => {
    const latest = await sql<{ name: string; checksum: string }>`select name, checksum from schema_migration
      order by name desc limit 1`.execute(k.db);
    const row = latest.rows[0];
    assert.ok(row);
    await sql`delete from schema_migration where name = ${row.name}`.execute(k.db);
    try {
      const r = await probe(k, '/health/ready');
      assert.equal(r.status, 503);
      assert.equal(r.body.checks.migrations, 'pending');
      assert.equal(r.body.checks.writable, 'ok');
    } finally {
      await sql`insert into schema_migration (name, checksum) values (${row.name}, ${row.checksum})`.execute(k.db);
    }
    assert.equal((await probe(k, '/health/ready')).status, 200);
  });

  test('the body names checks and states only: no host, user, database name or error text', async () => {
    const text = JSON.stringify((await probe(k, '/health/ready')).body);
    assert.doesNotMatch(text, /postgres|127\.0\.0\.1|koepel_|password|error:/i);
  });

  test('an unreachable database: readiness 503 "unreachable" within the timeout, liveness still 200', async () => {
    // The app's owner connection swapped for one to a port where nothing listens.
    const services = k.koepel.app.koepel;
    const real = services.db;
    const nowhere = new Kysely<DB>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: 'postgres://koepel@127.0.0.1:1/none', connectionTimeoutMillis: 2000 }),
      }),
    });
    services.db = nowhere;
    try {
      const started = Date.now();
      const r = await probe(k, '/health/ready');
      assert.ok(Date.now() - started < HEALTH_TIMEOUT_MS + 1000, 'answered within the timeout');
      assert.equal(r.status, 503);
      assert.deepEqual(r.body, { status: 'unavailable', checks: { process: 'ok', database: 'unreachable' } });
      assert.equal(r.headers.get('retry-after'), '30');
      assert.equal((await probe(k, '/health/live')).status, 200);
    } finally {
      services.db = real;
      await nowhere.destroy();
    }
    assert.equal((await probe(k, '/health/ready')).status, 200);
  });
});
