// Opens the one database: PGlite in-process (embedded default) or PostgreSQL through a pool.
// The Kysely instance returned here connects as the owner (it runs migrations and the demo seed);
// request code never uses it directly but goes through withPrincipal(), which switches to koepel_app.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { DB } from './schema.js';

const OID_INT8 = pg.types.builtins.INT8;
const OID_DATE = pg.types.builtins.DATE;

/**
 * Sends every parameterised statement as a named prepared statement, so that each pooled connection parses, rewrites
 * (adding the row-level-security policies) and plans it once instead of on every request. The policies read their
 * settings with current_setting() at run time, so a reused plan stays correct; PostgreSQL replans by itself when the
 * role differs. Statement texts come from Kysely code, so their number is bounded. Statements without parameters
 * (BEGIN with the principal, COMMIT, migrations) keep the simple protocol.
 */
class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const query = super.query.bind(this) as (...a: unknown[]) => never;
    if (args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = `k${createHash('sha1').update(text).digest('base64url').slice(0, 24)}`;
      return query({ name, text, values });
    }
    return query(...args);
  }
}

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Kysely<DB>;
  /** PGlite only: the whole data directory as an uncompressed tar (what OpenOptions.pgliteDump takes back). */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Tests only: an in-memory PGlite that starts from this dump of another one (Database.dump()) instead of an empty
   * cluster. The test runner dumps one migrated and seeded database per run and every test file starts from it, which
   * skips initdb, the migrations and the demo seed in each file.
   */
  pgliteDump?: Blob;
}

export async function openDatabase(database: Config['database'], opts: OpenOptions = {}): Promise<Database> {
  if (database.kind === 'postgres') {
    // Dates stay ISO strings (a birth date has no time zone); int8 becomes a number (our counters fit).
    pg.types.setTypeParser(OID_DATE, (v: string) => v);
    pg.types.setTypeParser(OID_INT8, (v: string) => Number(v));
    const pool = new pg.Pool({
      connectionString: database.url,
      max: database.poolSize,
      Client: PreparingClient,
    });
    // A client that loses its server (idle or checked out) must not crash the process: the query in flight
    // rejects, the request gets a 503, and the pool replaces the client.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { kind: 'postgres', db, close: () => db.destroy() };
  }
  if (opts.pgliteDump && database.dataDir) throw new Error('a PGlite dump is loaded only into an in-memory database');
  if (database.dataDir) mkdirSync(database.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(database.dataDir ? { dataDir: database.dataDir } : {}),
    ...(opts.pgliteDump ? { loadDataDir: opts.pgliteDump } : {}),
    parsers: { [OID_DATE]: (v: string) => v, [OID_INT8]: (v: string) => Number(v) },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: 'pglite',
    db,
    dump: () => pglite.dumpDataDir('none'),
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}
