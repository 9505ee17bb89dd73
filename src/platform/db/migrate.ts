// Forward-only SQL migrations from ./migrations, applied in file-name order at start.
//
// Each migration runs in its own transaction and is recorded in schema_migration in that same transaction, so the
// table always says exactly what is applied. A migration that fails rolls back alone: the ones before it stay
// applied, the error names the file, and the next start resumes there (with the file fixed, or a new one). Committing
// per migration also lets a migration use what an earlier one made that PostgreSQL only allows after a commit (an
// enum value added with ALTER TYPE … ADD VALUE), and holds each table lock only as long as its own migration.
// A migration file must therefore not contain BEGIN/COMMIT itself.
//
// Several app nodes may start at once: a session-level advisory lock, taken on one connection before anything else
// (also before the bookkeeping table is created, which is not safe to race), is held across all the migrations of
// this run. The other nodes wait for it and then find nothing left to do.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

export const migrationsDir = fileURLToPath(new URL('../../../migrations/', import.meta.url));

const MIGRATION_LOCK = 7291001;

export class MigrationError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`Migration ${file} failed and was rolled back (earlier migrations stay applied): ${String(cause)}`, {
      cause,
    });
  }
}

/** Applies the pending migrations; returns their file names in the order they were applied. */
export async function migrate(db: Kysely<DB>, dir: string = migrationsDir): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK)})`.execute(conn);
    try {
      await sql`create table if not exists schema_migration (
        name text primary key, checksum text not null, applied_at timestamptz not null default now())`.execute(conn);
      const done = new Map(
        (
          await sql<{ name: string; checksum: string }>`select name, checksum from schema_migration`.execute(conn)
        ).rows.map((r) => [r.name, r.checksum]),
      );
      const pending: { file: string; text: string; checksum: string }[] = [];
      for (const file of files) {
        const text = readFileSync(join(dir, file), 'utf8');
        const checksum = createHash('sha256').update(text).digest('hex');
        const seen = done.get(file);
        if (seen === undefined) pending.push({ file, text, checksum });
        else if (seen !== checksum)
          // Checked for every file before anything runs: an edited history applies nothing.
          throw new Error(`Migration ${file} changed after it was applied; add a new migration instead.`);
      }
      const applied: string[] = [];
      for (const { file, text, checksum } of pending) {
        try {
          await conn.transaction().execute(async (trx) => {
            await sql.raw(text).execute(trx);
            await sql`insert into schema_migration (name, checksum) values (${file}, ${checksum})`.execute(trx);
          });
        } catch (err) {
          throw new MigrationError(file, err);
        }
        applied.push(file);
      }
      return applied;
    } finally {
      // An unlock fails only on a lost connection, which has released the lock already; the first error matters.
      await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK)})`.execute(conn).catch(() => undefined);
    }
  });
}
