// Forward-only SQL migrations from ./migrations, applied in file-name order at start.
// Each runs in its own transaction; a checksum guards against editing a migration after it ran.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

export const migrationsDir = fileURLToPath(new URL('../../../migrations/', import.meta.url));

export async function migrate(db: Kysely<DB>): Promise<string[]> {
  await sql`create table if not exists schema_migration (
    name text primary key, checksum text not null, applied_at timestamptz not null default now())`.execute(db);
  const files = readdirSync(migrationsDir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  await db.transaction().execute(async (trx) => {
    // Several app nodes may start at once: one migrates, the others wait here.
    await sql`select pg_advisory_xact_lock(7291001)`.execute(trx);
    const done = new Map(
      (
        await sql<{ name: string; checksum: string }>`select name, checksum from schema_migration`.execute(trx)
      ).rows.map((r) => [r.name, r.checksum]),
    );
    for (const file of files) {
      const text = readFileSync(migrationsDir + file, 'utf8');
      const checksum = createHash('sha256').update(text).digest('hex');
      const seen = done.get(file);
      if (seen !== undefined) {
        if (seen !== checksum)
          throw new Error(`Migration ${file} changed after it was applied; add a new migration instead.`);
        continue;
      }
      await sql.raw(text).execute(trx);
      await sql`insert into schema_migration (name, checksum) values (${file}, ${checksum})`.execute(trx);
      applied.push(file);
    }
  });
  return applied;
}
