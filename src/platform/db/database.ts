// Opens the one database: PGlite in-process (embedded default) or PostgreSQL through a pool.
// The Kysely instance returned here connects as the owner (it runs migrations and the demo seed);
// request code never uses it directly but goes through withPrincipal(), which switches to koepel_app.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { DB } from './schema.js';

const OID_INT8 = pg.types.builtins.INT8;
const OID_DATE = pg.types.builtins.DATE;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Kysely<DB>;
  close(): Promise<void>;
}

export async function openDatabase(database: Config['database']): Promise<Database> {
  if (database.kind === 'postgres') {
    // Dates stay ISO strings (a birth date has no time zone); int8 becomes a number (our counters fit).
    pg.types.setTypeParser(OID_DATE, (v: string) => v);
    pg.types.setTypeParser(OID_INT8, (v: string) => Number(v));
    const pool = new pg.Pool({
      connectionString: database.url,
      max: database.poolSize,
    });
    // A client that loses its server (idle or checked out) must not crash the process: the query in flight
    // rejects, the request gets a 503, and the pool replaces the client.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { kind: 'postgres', db, close: () => db.destroy() };
  }
  if (database.dataDir) mkdirSync(database.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(database.dataDir ? { dataDir: database.dataDir } : {}),
    parsers: { [OID_DATE]: (v: string) => v, [OID_INT8]: (v: string) => Number(v) },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: 'pglite',
    db,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}
