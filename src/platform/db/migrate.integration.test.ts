// The migration runner: one transaction per migration, an edited history refused, concurrent starts serialised.
// Runs on a fresh database of its own (in-memory PGlite, or a new PostgreSQL database with KOEPEL_TEST_DATABASE_URL)
// with throw-away migration folders, so the project's own migrations are not involved.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { createTestDatabase, testDatabaseUrl } from '../../../test/support/harness.js';
import { openDatabase, type Database } from './database.js';
import { migrate, MigrationError } from './migrate.js';
import type { DB } from './schema.js';

let dropDatabase: (() => Promise<void>) | null = null;
let databaseUrl: string | null = null;
const opened: Database[] = [];

async function open(): Promise<Kysely<DB>> {
  const database = await openDatabase(
    databaseUrl ? { kind: 'postgres', url: databaseUrl, poolSize: 2 } : { kind: 'pglite', dataDir: null },
  );
  opened.push(database);
  return database.db;
}

const dirs: string[] = [];

/** A folder of migration files; later writes to the same name replace the file. */
function folder(files: Record<string, string>): { dir: string; write(files: Record<string, string>): void } {
  const dir = mkdtempSync(join(tmpdir(), 'koepel-migrate-'));
  const write = (more: Record<string, string>) => {
    for (const [name, text] of Object.entries(more)) writeFileSync(join(dir, name), text);
  };
  write(files);
  dirs.push(dir);
  return { dir, write };
}

async function tables(db: Kysely<DB>): Promise<string[]> {
  const r = await sql<{ name: string }>`select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_name like 'mig\_%' order by 1`.execute(db);
  return r.rows.map((row) => row.name);
}

async function recorded(db: Kysely<DB>): Promise<string[]> {
  const r = await sql<{ name: string }>`select name from schema_migration order by name`.execute(db);
  return r.rows.map((row) => row.name);
}

describe('migration runner', () => {
  let db: Kysely<DB>;

  before(async () => {
    if (testDatabaseUrl) {
      const created = await createTestDatabase();
      databaseUrl = created.url;
      dropDatabase = () => created.drop();
    }
  });

  beforeEach(async () => {
    // Every test starts from an empty schema.
    db ??= await open();
    await sql`drop schema public cascade; create schema public`.execute(db);
  });

  after(async () => {
    for (const database of opened) await database.close();
    await dropDatabase?.();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('a failing migration rolls back alone: the one before it stays applied and recorded, the next start resumes', async () => {
    const m = folder({
      '0001_good.sql': 'create table mig_a (id int); insert into mig_a values (1);',
      '0002_bad.sql': 'create table mig_b (id int); select 1 / 0;',
      '0003_later.sql': 'create table mig_c (id int);',
    });
    await assert.rejects(migrate(db, m.dir), (err: unknown) => {
      assert.ok(err instanceof MigrationError);
      assert.equal(err.file, '0002_bad.sql');
      assert.match(err.message, /0002_bad\.sql failed and was rolled back/);
      assert.match(err.message, /division by zero/);
      return true;
    });
    assert.deepEqual(await tables(db), ['mig_a'], 'the good migration stays; nothing of the bad one or after it');
    assert.deepEqual(await recorded(db), ['0001_good.sql']);
    const rows = await sql<{ id: number }>`select id from mig_a`.execute(db);
    assert.deepEqual(rows.rows, [{ id: 1 }]);

    m.write({ '0002_bad.sql': 'create table mig_b (id int);' });
    assert.deepEqual(await migrate(db, m.dir), ['0002_bad.sql', '0003_later.sql']);
    assert.deepEqual(await tables(db), ['mig_a', 'mig_b', 'mig_c']);
    assert.deepEqual(await migrate(db, m.dir), []);
  });

  test('a migration can use an enum value that an earlier one added (only possible after a commit)', async () => {
    // The type exists before this run (as after an earlier release); one created in the same transaction is exempt.
    await sql`create type mig_colour as enum ('red')`.execute(db);
    const m = folder({
      '0001_value.sql': "alter type mig_colour add value 'green';",
      '0002_use.sql': "create table mig_paint (colour mig_colour not null); insert into mig_paint values ('green');",
    });
    assert.deepEqual(await migrate(db, m.dir), ['0001_value.sql', '0002_use.sql']);
    const rows = await sql<{ colour: string }>`select colour from mig_paint`.execute(db);
    assert.deepEqual(rows.rows, [{ colour: 'green' }]);
  });

  test('an applied migration that was edited is refused before any pending one runs', async () => {
    const m = folder({ '0001_a.sql': 'create table mig_a (id int);' });
    assert.deepEqual(await migrate(db, m.dir), ['0001_a.sql']);
    m.write({ '0001_a.sql': 'create table mig_a (id bigint);', '0002_b.sql': 'create table mig_b (id int);' });
    await assert.rejects(migrate(db, m.dir), /Migration 0001_a\.sql changed after it was applied/);
    assert.deepEqual(await tables(db), ['mig_a']);
    assert.deepEqual(await recorded(db), ['0001_a.sql']);
  });

  test('app nodes starting at once: every migration is applied exactly once, the others wait and find none left', async () => {
    const m = folder({
      '0001_a.sql': 'create table mig_a (id int);',
      '0002_slow.sql': 'select pg_sleep(0.3); create table mig_b (id int);',
      '0003_c.sql': 'create table mig_c (id int);',
    });
    // On PostgreSQL each "node" has its own pool; PGlite has one connection, so its nodes share it.
    const nodes = databaseUrl ? [db, await open(), await open()] : [db, db, db];
    const results = await Promise.all(nodes.map((node) => migrate(node, m.dir)));
    assert.deepEqual(results.flat().sort(), ['0001_a.sql', '0002_slow.sql', '0003_c.sql']);
    assert.ok(
      results.some((r) => r.length === 3),
      `one node applies all three: ${JSON.stringify(results)}`,
    );
    assert.deepEqual(await tables(db), ['mig_a', 'mig_b', 'mig_c']);
    assert.deepEqual(await recorded(db), ['0001_a.sql', '0002_slow.sql', '0003_c.sql']);
  });
});
