// Opens the one database: PGlite in-process (embedded default) or PostgreSQL through a pool.
// The Kysely instance returned here connects as the owner (it runs migrations and the demo seed);
// request code never uses it directly but goes through withPrincipal(), which switches to koepel_app.
//
// On PostgreSQL the pool is made for a database that can go away, stall or fail over (docs/operations.md, "PostgreSQL:
// high availability, failover, backups"):
// - every wait is bounded: connecting (connectTimeoutMs), each statement on the server (statement_timeout), each
//   answer on the client (query_timeout, for a host that stopped answering) and a transaction left idle
//   (idle_in_transaction_session_timeout); a request that hits one gets a 503 (src/platform/http/errors.ts);
// - a connection that proves useless is closed instead of handed out again: one that answered "read-only" (25006: a
//   standby, or the old primary after a failover), one whose server is shutting down or restarting (57P01–57P03),
//   one that timed out on an answer. After any of these, every connection opened before it is closed at
//   its next checkout too, so the pool reconnects — through the proxy or VIP in front, to the new primary;
// - start-up (withStartLock) waits for the database with back-off and serialises the nodes that start at once.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { isDatabaseUnavailable } from '../http/errors.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { DB } from './schema.js';

const OID_INT8 = pg.types.builtins.INT8;
const OID_DATE = pg.types.builtins.DATE;

/** Defaults of the PostgreSQL timeouts (config: DATABASE_*_TIMEOUT_SECONDS). */
export const DATABASE_TIMEOUT_DEFAULTS = {
  /** How long a node waits at start for the database to answer (it logs each attempt). */
  startTimeoutMs: 60_000,
  /** Connecting, or waiting for a free connection of the pool. */
  connectTimeoutMs: 10_000,
  /** One statement on the server (statement_timeout). */
  statementTimeoutMs: 30_000,
} as const;

/** How much longer than statement_timeout the client waits for any answer before it gives the connection up. */
const ANSWER_MARGIN_MS = 2_000;

/** Held by the node that migrates and prepares (seeds) the database at start; the others wait for it. */
const START_LOCK = 7291000;

/** SQLSTATEs after which the connection is closed rather than reused, and older ones with it (see above). */
const STALE_SQLSTATES = new Set(['25006', '57P01', '57P02', '57P03']);

export interface NotificationHandler {
  /** A notification on the channel (from any node, delivered when the sending transaction commits). */
  message(payload: string): void;
  /**
   * Notifications may have been missed (the listening connection dropped and is back): drop what they would have
   * corrected.
   */
  reset(): void;
}

export interface Notifications {
  /**
   * Calls the handler for every notification on `channel` (sent with notify() below) by any node of the deployment.
   * On PGlite only this process can send, and delivery is in-process.
   */
  listen(channel: string, handler: NotificationHandler): Promise<void>;
}

/** Sends a notification on `channel` to every node when tx commits (nothing if it rolls back). */
export async function notify(tx: Kysely<DB>, channel: string, payload: string): Promise<void> {
  await sql`select pg_notify(${channel}, ${payload})`.execute(tx);
}

export interface Database extends Notifications {
  kind: 'pglite' | 'postgres';
  db: Kysely<DB>;
  /** PGlite only: the whole data directory as an uncompressed tar (what OpenOptions.pgliteDump takes back). */
  dump?(): Promise<Blob>;
  /**
   * Whether the database answers and takes writes now: not a standby in recovery, not read-only. False on any
   * failure (unreachable, timed out). For a readiness check; bounded by the connect and answer timeouts.
   */
  isWritable(): Promise<boolean>;
  /**
   * Start-up work that only one node may do at a time (migrations, the demo seed): waits for the database (with
   * back-off, up to the start timeout, logging each attempt), takes a PostgreSQL advisory lock, and runs fn on that
   * one connection, without the request timeouts (a migration may take long). A node that starts at the same moment
   * waits for the lock and then finds the work done.
   */
  withStartLock<T>(fn: (db: Kysely<DB>) => Promise<T>, log?: (message: string) => void): Promise<T>;
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

/** The database URL without password, query or anything else secret: for log lines. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(an unparsable DATABASE_URL)';
  }
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `${code} ${err.message}` : err.message;
}

type PostgresConfig = Extract<Config['database'], { kind: 'postgres' }>;

export async function openDatabase(database: Config['database'], opts: OpenOptions = {}): Promise<Database> {
  if (database.kind === 'postgres') return openPostgres(database);
  if (opts.pgliteDump && database.dataDir) throw new Error('a PGlite dump is loaded only into an in-memory database');
  if (database.dataDir) mkdirSync(database.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(database.dataDir ? { dataDir: database.dataDir } : {}),
    ...(opts.pgliteDump ? { loadDataDir: opts.pgliteDump } : {}),
    parsers: { [OID_DATE]: (v: string) => v, [OID_INT8]: (v: string) => Number(v) },
    // The appointment table's exclusion constraint (migration 0023) needs btree_gist. A data directory that has the
    // extension opens without it, but then every write to that table fails: so it is loaded on every open.
    extensions: { btree_gist },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: 'pglite',
    db,
    dump: () => pglite.dumpDataDir('none'),
    isWritable: async () => {
      try {
        const { rows } = await sql<{ ro: string }>`select current_setting('transaction_read_only') as ro`.execute(db);
        return rows[0]?.ro === 'off';
      } catch {
        return false;
      }
    },
    // One process, one connection: nothing to wait for and nobody to serialise with.
    withStartLock: (fn) => fn(db),
    listen: async (channel, handler) => {
      // Through the dialect's queue, so that LISTEN does not land inside another caller's transaction.
      await db.connection().execute(() => pglite.listen(channelName(channel), (payload) => handler.message(payload)));
    },
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

/** Of a batch's results (an array), the last one with columns; a single result as it is. */
function lastResultWithRows(result: unknown): unknown {
  if (!Array.isArray(result)) return result;
  const withRows = (result as { fields?: unknown[] }[]).filter((r) => (r.fields?.length ?? 0) > 0);
  return withRows[withRows.length - 1] ?? result[result.length - 1];
}

/**
 * Closes a client's socket at once (pg's own way out of a query that timed out in pipeline mode): end() would first
 * wait for a server that does not answer.
 */
function destroySocket(client: pg.Client): void {
  (client as unknown as { connection?: { stream?: { destroy?(): void } } }).connection?.stream?.destroy?.();
}

function channelName(channel: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`not a notification channel name: ${channel}`);
  return channel;
}

function openPostgres(database: PostgresConfig): Database {
  // Dates stay ISO strings (a birth date has no time zone); int8 becomes a number (our counters fit).
  pg.types.setTypeParser(OID_DATE, (v: string) => v);
  pg.types.setTypeParser(OID_INT8, (v: string) => Number(v));
  const connectTimeoutMs = database.connectTimeoutMs ?? DATABASE_TIMEOUT_DEFAULTS.connectTimeoutMs;
  const statementTimeoutMs = database.statementTimeoutMs ?? DATABASE_TIMEOUT_DEFAULTS.statementTimeoutMs;
  const startTimeoutMs = database.startTimeoutMs ?? DATABASE_TIMEOUT_DEFAULTS.startTimeoutMs;
  // connectionTimeoutMillis: connecting, and (the pool) waiting for a free connection: a request waits at most this
  // long (pool exhausted, server unreachable), then it gets a 503 with Retry-After instead of hanging.
  const connection = { connectionString: database.url, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true };

  /** Raised when a connection proved read-only or its server went down: connections of an older generation go. */
  let generation = 0;

  /**
   * A pooled connection. Sends every parameterised statement as a named prepared statement, so that each pooled
   * connection parses, rewrites (adding the row-level-security policies) and plans it once instead of on every
   * request. The policies read their settings with current_setting() at run time, so a reused plan stays correct;
   * PostgreSQL replans by itself when the role differs. Statement texts come from Kysely code, so their number is
   * bounded. Statements without parameters (BEGIN with the principal, COMMIT, migrations) keep the simple protocol.
   * And it notes when it should not be used again (see the top of this file).
   */
  class KoepelClient extends pg.Client {
    readonly generation = generation;
    /** Closed at release instead of going back to the pool. */
    discard = false;

    override query(...args: unknown[]): never {
      const [text, values] = args;
      const query = super.query.bind(this) as (...a: unknown[]) => unknown;
      let result: unknown;
      if (args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0) {
        const name = `k${createHash('sha1').update(text).digest('base64url').slice(0, 24)}`;
        result = query({ name, text, values });
      } else result = query(...args);
      if (result instanceof Promise) {
        return result.catch((err: unknown) => {
          this.failed(err);
          throw err;
        }) as never;
      }
      return result as never;
    }

    failed(err: unknown): void {
      const e = err as { code?: unknown; message?: unknown };
      if (typeof e.code === 'string' && STALE_SQLSTATES.has(e.code)) {
        this.discard = true;
        if (this.generation === generation) generation++;
      } else if (e.message === 'Query read timeout') {
        // The server did not answer in time (a host that stopped answering): the connection is out of step and the
        // next statement (the ROLLBACK) would wait as long again. Close the socket now; the pool drops the client.
        // The other connections to that host are as likely dead: the next requests connect anew (and fail within
        // the connect timeout, or reach the new primary) rather than each wait out the answer timeout.
        this.discard = true;
        destroySocket(this);
        if (this.generation === generation) generation++;
      }
    }
  }

  const pool = new pg.Pool({
    ...connection,
    // Named in pg_stat_activity (like koepel-start and koepel-listener below), unless DATABASE_URL names one.
    application_name: 'koepel',
    max: database.poolSize,
    Client: KoepelClient,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + ANSWER_MARGIN_MS,
    idle_in_transaction_session_timeout: statementTimeoutMs * 2,
  });
  // A client that loses its server (idle or checked out) must not crash the process: the query in flight
  // rejects, the request gets a 503, and the pool replaces the client.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));

  /** What the pool hands out: a KoepelClient (the pool's Client class) with pg-pool's release. */
  type Checked = pg.PoolClient & Pick<KoepelClient, 'generation' | 'discard' | 'failed'>;
  const release = (client: Checked) => client.release(client.discard ? new Error('connection discarded') : undefined);
  /** A checked-out connection of the current generation. */
  async function checkout(): Promise<Checked> {
    for (;;) {
      const client = (await pool.connect()) as Checked;
      if (client.generation >= generation) return client;
      client.release(new Error('opened before the database went read-only or restarted'));
    }
  }
  const wrappers = new WeakMap<Checked, PostgresPoolClient>();
  const kyselyPool: PostgresPool = {
    async connect() {
      const client = await checkout();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = {
          query: ((...args: unknown[]) => {
            const result = (client.query as (...a: unknown[]) => unknown)(...args);
            // A batch of statements (simple protocol) answers with a result per statement: Kysely gets the rows of
            // the last one that returns rows (a transaction's prologue: BEGIN, settings, a SELECT; see principal.ts).
            return result instanceof Promise ? result.then(lastResultWithRows) : result;
          }) as never,
          release: () => release(client),
        };
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: kyselyPool }) });
  const listener = new Listener(connection);

  return {
    kind: 'postgres',
    db,
    async isWritable() {
      let client: Checked | undefined;
      try {
        client = await checkout();
        const { rows } = await client.query<{ recovery: boolean; ro: string }>(
          "select pg_is_in_recovery() as recovery, current_setting('transaction_read_only') as ro",
        );
        const writable = rows[0]?.recovery === false && rows[0].ro === 'off';
        if (!writable) client.failed(Object.assign(new Error('read-only'), { code: '25006' }));
        return writable;
      } catch {
        return false;
      } finally {
        if (client) release(client);
      }
    },
    async withStartLock(fn, log = () => undefined) {
      const client = await connectAtStart(
        () => new pg.Client({ ...connection, application_name: 'koepel-start' }),
        database.url,
        startTimeoutMs,
        log,
      );
      const single = new Kysely<DB>({ dialect: new PostgresDialect({ pool: singleConnectionPool(client) }) });
      try {
        await sql`select pg_advisory_lock(${sql.lit(START_LOCK)})`.execute(single);
        try {
          return await fn(single);
        } finally {
          await sql`select pg_advisory_unlock(${sql.lit(START_LOCK)})`.execute(single).catch(() => undefined);
        }
      } finally {
        await single.destroy(); // ends the client, which also releases the lock if the unlock did not get through
      }
    },
    listen: (channel, handler) => listener.add(channelName(channel), handler),
    close: async () => {
      await listener.close();
      await db.destroy();
    },
  };
}

/** Connects one client, retrying with exponential back-off while the database is unavailable, for up to timeoutMs. */
async function connectAtStart(
  make: () => pg.Client,
  url: string,
  timeoutMs: number,
  log: (message: string) => void,
): Promise<pg.Client> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1, delay = 500; ; attempt++, delay = Math.min(delay * 2, 10_000)) {
    const client = make();
    client.on('error', () => undefined);
    try {
      await client.connect();
      if (attempt > 1) log(`Database ${redactDatabaseUrl(url)} answered (attempt ${attempt}).`);
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      // A wrong password or a database that does not exist will not mend itself: say so at once.
      if (!isDatabaseUnavailable(err)) throw err;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Database ${redactDatabaseUrl(url)} did not answer within ${Math.round(timeoutMs / 1000)} s ` +
            `(${attempt} attempts; DATABASE_START_TIMEOUT_SECONDS): ${describeError(err)}`,
          { cause: err },
        );
      }
      const wait = Math.min(delay, left);
      log(
        `Database ${redactDatabaseUrl(url)} not available (attempt ${attempt}: ${describeError(err)}); ` +
          `trying again in ${(wait / 1000).toFixed(1)} s.`,
      );
      await sleep(wait);
    }
  }
}

/**
 * A Kysely pool of exactly one connection, handed out to one user at a time (like PGlite: src/platform/db/
 * pglite-dialect.ts), so that everything the start-up work does runs in the session that holds the lock.
 */
function singleConnectionPool(client: pg.Client): PostgresPool {
  let queue: Promise<void> = Promise.resolve();
  return {
    async connect() {
      const previous = queue;
      let free!: () => void;
      queue = new Promise<void>((resolve) => (free = resolve));
      await previous;
      return {
        query: ((...args: unknown[]) => (client.query as (...a: unknown[]) => unknown).apply(client, args)) as never,
        release: () => free(),
      };
    },
    end: () => client.end(),
  };
}

/**
 * The node's one listening connection (LISTEN/NOTIFY), outside the pool. When it drops it reconnects with back-off,
 * listens again and tells every handler to reset (notifications sent in between are lost). A ping every
 * PING_MS notices a connection that stopped answering.
 */
class Listener {
  private static readonly PING_MS = 30_000;
  private readonly handlers = new Map<string, NotificationHandler[]>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private ping: NodeJS.Timeout | null = null;
  private delay = 500;
  private closed = false;

  constructor(private readonly connection: pg.ClientConfig) {}

  async add(channel: string, handler: NotificationHandler): Promise<void> {
    const list = this.handlers.get(channel);
    if (list) {
      list.push(handler);
      return;
    }
    this.handlers.set(channel, [handler]);
    if (this.connecting) await this.connecting; // it may or may not have seen the new channel: LISTEN twice is harmless
    if (this.client) await this.client.query(`listen ${channel}`).catch(() => this.lost());
    else await this.connect();
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ ...this.connection, application_name: 'koepel-listener', query_timeout: 5_000 });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      for (const h of this.handlers.get(n.channel) ?? []) h.message(n.payload ?? '');
    });
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`listen ${channel}`);
    } catch {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.schedule();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delay = 500;
    // Whatever was sent while no connection listened is lost.
    for (const list of this.handlers.values()) for (const h of list) h.reset();
    this.ping = setInterval(() => {
      client.query('select 1').catch(() => this.lost(client));
    }, Listener.PING_MS).unref();
  }

  private lost(client: pg.Client | null = this.client): void {
    if (!client || client !== this.client) return;
    this.client = null;
    if (this.ping) clearInterval(this.ping);
    client.removeAllListeners('end');
    destroySocket(client);
    for (const list of this.handlers.values()) for (const h of list) h.reset();
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.retry) return;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, 10_000);
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, wait).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.ping) clearInterval(this.ping);
    await this.connecting;
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
