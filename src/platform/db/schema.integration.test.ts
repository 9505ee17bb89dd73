// The generated table types (schema.generated.ts) assume what the drivers hand the code: a date as its ISO string,
// an int8 as a number, bytea as a Uint8Array, a timestamp as a Date, jsonb parsed. scripts/db-schema.ts states these
// mappings; this test holds the drivers to them on PGlite and on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, testDatabaseUrl } from '../../../test/support/harness.js';
import { openDatabase, type Database } from './database.js';

let database: Database;
let drop: (() => Promise<void>) | null = null;

before(async () => {
  if (testDatabaseUrl) {
    const created = await createTestDatabase();
    drop = () => created.drop();
    database = await openDatabase({ kind: 'postgres', url: created.url, poolSize: 1 });
  } else {
    database = await openDatabase({ kind: 'pglite', dataDir: null });
  }
});

after(async () => {
  await database.close();
  await drop?.();
});

test('column values arrive as the generated types say: date → string, int8 → number, bytea → Uint8Array, timestamptz → Date, jsonb → object', async () => {
  const { rows } = await sql<{ d: unknown; n: unknown; b: unknown; t: unknown; j: unknown; a: unknown }>`
    select date '2026-03-01' as d, 9007199254740991::int8 as n, '\\x0102'::bytea as b,
           timestamptz '2026-03-01 12:00:00+00' as t, '{"x": [1, "y"]}'::jsonb as j, array['p', 'q']::text[] as a`.execute(
    database.db,
  );
  const row = rows[0];
  assert.ok(row);
  assert.equal(row.d, '2026-03-01');
  assert.equal(row.n, 9007199254740991);
  assert.ok(row.b instanceof Uint8Array);
  assert.deepEqual([...row.b], [1, 2]);
  assert.ok(row.t instanceof Date);
  assert.equal(row.t.toISOString(), '2026-03-01T12:00:00.000Z');
  assert.deepEqual(row.j, { x: [1, 'y'] });
  assert.deepEqual(row.a, ['p', 'q']);
});
