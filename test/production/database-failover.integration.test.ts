// A PostgreSQL database that fails over, stalls or is shared by several nodes (issue 10, "Production"):
// - read-only (a standby, or the old primary after a failover): writes get 503 with Retry-After (a FHIR
//   OperationOutcome on /fhir), isWritable() says false, and once the database takes writes again the next request
//   works (the read-only connections were dropped from the pool);
// - a host that stops answering: requests and /health get 503 within the configured timeouts, never hang;
// - two nodes on one database: an API client revoked on one node is refused on the other within a second
//   (LISTEN/NOTIFY), and a node whose listening connection drops forgets every cached token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { boot, type Koepel } from '../../src/boot.js';
import { demo } from '../../src/demo/index.js';
import { createApiClient, fhir, fixture, tokenFor, withFreshUuids } from '../../src/fhir/ingest.testkit.js';
import { loadConfig } from '../../src/platform/config.js';
import { loginStaff, type StaffLogin } from '../../src/staff/login.testkit.js';
import { createTestDatabase, freePort, startKoepel, testDatabaseUrl, type TestKoepel } from '../support/harness.js';
import { csrfFrom, HttpClient } from '../support/http-client.js';
import { DEMO, orgId } from '../support/principals.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { baseTestEnv, TEMPLATE_DATABASE_ENV } from '../support/template.js';

const skip = testDatabaseUrl ? false : 'needs PostgreSQL (KOEPEL_TEST_DATABASE_URL)';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs SQL on the test server's maintenance database (not the one under test). */
async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: testDatabaseUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function databaseName(url: string): string {
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error('unexpected database name');
  return name;
}

/** Ends every connection Koepel holds to the database (what a failover or a restart of the server does). */
async function terminateBackends(name: string, applicationName = 'koepel%'): Promise<void> {
  await admin(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and application_name like '${applicationName}'`,
  );
}

describe('a read-only database (a standby, or the old primary after a failover)', { skip }, () => {
  let k: TestKoepel;
  let name: string;
  before(async () => {
    k = await startKoepel();
    name = databaseName(k.config.database.kind === 'postgres' ? k.config.database.url : '');
  });
  after(async () => {
    await admin(`alter database ${name} reset default_transaction_read_only`);
    await k.close();
  });

  test('writes get 503 with Retry-After and isWritable() is false; once it takes writes again, the next request works', async () => {
    const pharmacy = await createApiClient(k.db, await orgId(k.db, DEMO.pharmacy), 'Apotheeksysteem');
    const token = await tokenFor(k.url, pharmacy);
    const bundle = (salt: string) => withFreshUuids(fixture('pharmacy-bundle.json'), salt);
    assert.equal((await fhir(k.url, token, 'POST', '/fhir', bundle('a0000001'))).status, 200);
    assert.equal(await k.koepel.database.isWritable(), true);

    // New sessions on this database are read-only, and the connections Koepel had are gone (as in a failover).
    await admin(`alter database ${name} set default_transaction_read_only = on`);
    await terminateBackends(name);
    await sleep(300);

    // Reads still work on a standby: these open several (read-only) connections that stay in the pool. The node
    // is not ready (readiness wants a writable database) but still answers reads.
    const reads = await Promise.all([1, 2, 3, 4, 5].map(() => new HttpClient(k.url).get('/')));
    assert.deepEqual(
      reads.map((r) => r.status),
      [200, 200, 200, 200, 200],
    );
    assert.equal((await new HttpClient(k.url).get('/health/ready')).status, 503, 'not ready: read-only');
    assert.equal((await new HttpClient(k.url).get('/health/live')).status, 200, 'but alive');
    const session = await new HttpClient(k.url).get('/language?lang=en'); // a write: it creates a session
    assert.equal(session.status, 503, 'a page write');
    assert.equal(session.headers.get('retry-after'), '30');
    const ingest = await fhir(k.url, token, 'POST', '/fhir', bundle('a0000002'));
    assert.equal(ingest.status, 503, 'a FHIR write');
    assert.equal(ingest.headers.get('retry-after'), '30');
    assert.match(ingest.text, /"resourceType":"OperationOutcome".*"code":"transient"/);
    assert.equal(await k.koepel.database.isWritable(), false);

    await admin(`alter database ${name} reset default_transaction_read_only`);
    // The connections that saw read-only were dropped (and every one opened before them): no second 503.
    assert.equal((await new HttpClient(k.url).get('/language?lang=en')).status, 303, 'a page write works again');
    assert.equal((await fhir(k.url, token, 'POST', '/fhir', bundle('a0000002'))).status, 200, 'sent again: stored');
    assert.equal(await k.koepel.database.isWritable(), true);
  });
});

describe('a database host that stops answering', { skip }, () => {
  let k: TestKoepel;
  let proxy: TcpProxy;
  before(async () => {
    const upstream = new URL(testDatabaseUrl ?? 'postgres://127.0.0.1:5432');
    proxy = await startTcpProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) }, await freePort());
    k = await startKoepel(
      { DATABASE_CONNECT_TIMEOUT_SECONDS: '2', DATABASE_STATEMENT_TIMEOUT_SECONDS: '1' },
      {
        viaDatabaseUrl: (url) => {
          const u = new URL(url);
          u.port = String(proxy.port);
          return u.toString();
        },
      },
    );
  });
  after(async () => {
    await proxy.set('pass');
    await k.close();
    await proxy.close();
  });

  test('requests and /health get 503 within the timeouts (connect 2 s, answer 1 + 2 s), then recover', async () => {
    const c = new HttpClient(k.url);
    assert.equal((await c.get('/language?lang=en')).status, 303); // a session: every page now reads the database
    assert.equal((await c.get('/health')).status, 200);
    await proxy.set('blackhole');
    // Open connections stop answering (the answer timeout), new ones are never answered (the connect timeout).
    for (const path of ['/health', '/privacy', '/health', '/privacy', '/health']) {
      const started = Date.now();
      const res = await c.get(path);
      const took = Date.now() - started;
      assert.equal(res.status, 503, `${path} answered ${res.status}`);
      assert.equal(res.headers.get('retry-after'), '30');
      // At most one timeout (3 s) each, plus slack for a busy machine: the point is that nothing hangs.
      assert.ok(took < 6_000, `${path} took ${took} ms`);
    }
    assert.equal(await k.koepel.database.isWritable(), false);
    await proxy.set('pass');
    let up = await c.get('/health');
    for (let i = 0; i < 20 && up.status !== 200; i++) {
      await sleep(250);
      up = await c.get('/health');
    }
    assert.equal(up.status, 200, 'recovered by itself');
    assert.equal((await c.get('/privacy')).status, 200);
  });
});

interface TestNode {
  url: string;
  koepel: Koepel;
}

/** A Koepel on the given database, in this process (a second node of the same deployment). */
async function startNode(databaseUrl: string): Promise<TestNode> {
  const port = await freePort();
  const config = loadConfig({ ...baseTestEnv(port), DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '5' });
  const koepel = await boot(config, false, [demo]);
  await koepel.app.listen({ port, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${port}`, koepel };
}

/** Polls a FHIR write on `node` with the token until it is refused; returns how long that took (ms). */
async function refusedWithin(node: TestNode, token: string, ms: number): Promise<number> {
  const started = Date.now();
  const empty = { resourceType: 'Bundle', type: 'transaction', entry: [] };
  for (;;) {
    const res = await fhir(node.url, token, 'POST', '/fhir', empty);
    const took = Date.now() - started;
    if (res.status === 401) return took;
    assert.equal(res.status, 200);
    if (took > ms) assert.fail(`still accepted after ${took} ms`);
    await sleep(50);
  }
}

describe('two nodes on one database: a revoked API client', { skip }, () => {
  let a: TestNode;
  let b: TestNode;
  let drop: () => Promise<void>;
  let name: string;
  let staff: StaffLogin;
  before(async () => {
    const db = await createTestDatabase(process.env[TEMPLATE_DATABASE_ENV]);
    drop = () => db.drop();
    name = databaseName(db.url);
    a = await startNode(db.url);
    b = await startNode(db.url);
    staff = await loginStaff(a.url, 'beheer@apotheekcentrum.example');
  });

  /** Revokes the client through node A's admin pages, as the organisation's admin does. */
  async function revokeOnA(id: string): Promise<void> {
    const path = `/staff/admin/api-clients/${id}/revoke`;
    const confirm = await staff.client.get(path);
    assert.equal((await staff.client.post(path, { _csrf: csrfFrom(confirm.text) })).status, 303);
  }
  after(async () => {
    await a.koepel.close();
    await b.koepel.close();
    await drop();
  });

  test('revoked through node A is refused on node B within a second (LISTEN/NOTIFY), though B had it cached', async () => {
    const pharmacy = await createApiClient(a.koepel.database.db, await orgId(a.koepel.database.db, DEMO.pharmacy));
    const token = await tokenFor(a.url, pharmacy);
    const empty = { resourceType: 'Bundle', type: 'transaction', entry: [] };
    assert.equal((await fhir(b.url, token, 'POST', '/fhir', empty)).status, 200, 'B checked it and remembers it');

    await revokeOnA(pharmacy.id);
    await refusedWithin(b, token, 1_000);
  });

  test('when B’s listening connection drops, B forgets every cached token, and listens again', async () => {
    const db = a.koepel.database.db;
    const pharmacy = await createApiClient(db, await orgId(db, DEMO.pharmacy), 'revoked behind the back');
    const token = await tokenFor(a.url, pharmacy);
    const empty = { resourceType: 'Bundle', type: 'transaction', entry: [] };
    assert.equal((await fhir(b.url, token, 'POST', '/fhir', empty)).status, 200, 'B remembers it');
    // Revoked without a notification (as if it went out while B was not listening): B still trusts its cache.
    await db.updateTable('api_client').set({ revoked_at: new Date() }).where('id', '=', pharmacy.id).execute();
    assert.equal((await fhir(b.url, token, 'POST', '/fhir', empty)).status, 200, 'B trusts its cache');
    await terminateBackends(name, 'koepel-listener');
    await refusedWithin(b, token, 1_000);

    // Back and listening: a revocation through A reaches B again.
    const other = await createApiClient(db, await orgId(db, DEMO.pharmacy), 'revoked after the reconnect');
    const otherToken = await tokenFor(a.url, other);
    let listening = false;
    for (let i = 0; i < 50 && !listening; i++) {
      await sleep(100);
      const c = new pg.Client({ connectionString: testDatabaseUrl });
      await c.connect();
      const r = await c.query<{ n: string }>(
        `select count(*) as n from pg_stat_activity where datname = $1 and application_name = 'koepel-listener'`,
        [name],
      );
      await c.end();
      listening = Number(r.rows[0]?.n) === 2;
    }
    assert.ok(listening, 'both nodes listen again');
    assert.equal((await fhir(b.url, otherToken, 'POST', '/fhir', empty)).status, 200, 'B remembers it');
    await revokeOnA(other.id);
    await refusedWithin(b, otherToken, 1_000);
  });
});
