// Starting Koepel processes against PostgreSQL as a deployment does: two nodes at the same moment on an empty
// database with the demo seed (both come up; one loads the demo, the other waits for it and finds it there), and a
// node whose database is not up yet (it waits with back-off and says so in the log, without the password) or never
// comes (it gives up after DATABASE_START_TIMEOUT_SECONDS with a clear message).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, test } from 'node:test';
import pg from 'pg';
import { entryArgs } from '../support/entry.js';
import { createTestDatabase, freePort, testDatabaseUrl } from '../support/harness.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { baseTestEnv } from '../support/template.js';

const BANNER = 'Koepel (demo) is running';
const SEEDED = 'The demo was loaded into the empty database.';

interface Node {
  child: ChildProcess;
  port: number;
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/** Starts the demo entry (src/demo/main.ts) in a child process, logging at warn level. */
function startNode(port: number, env: Record<string, string>): Node {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('KOEPEL_') && k !== 'DATABASE_URL' && k !== 'NODE_ENV'),
  );
  const child = spawn(process.execPath, entryArgs('src/demo/main.ts'), {
    env: { ...clean, ...baseTestEnv(port), LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return {
    child,
    port,
    output: () => out,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exit = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exit;
    },
  };
}

async function waitFor(node: Node, pattern: RegExp | string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  const seen = () => (typeof pattern === 'string' ? node.output().includes(pattern) : pattern.test(node.output()));
  while (!seen() && !node.exited() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(seen(), `expected ${String(pattern)} in the output of the node on port ${node.port}:\n${node.output()}`);
}

async function count(url: string, sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>(sql)).rows[0]?.n);
  } finally {
    await c.end();
  }
}

describe(
  'starting nodes on PostgreSQL',
  { skip: testDatabaseUrl ? false : 'needs PostgreSQL (KOEPEL_TEST_DATABASE_URL): nodes share one database' },
  () => {
    for (const trial of [1, 2, 3]) {
      test(`two nodes started at once on an empty database with the demo seed both come up (trial ${trial} of 3)`, async () => {
        const db = await createTestDatabase(); // empty: no migrations, no demo
        const nodes: Node[] = [];
        try {
          const ports = [await freePort(), await freePort()];
          for (const port of ports) nodes.push(startNode(port, { DATABASE_URL: db.url }));
          for (const node of nodes) await waitFor(node, BANNER, 180_000);
          for (const node of nodes) {
            const health = await fetch(`http://127.0.0.1:${node.port}/health`);
            assert.equal(health.status, 200, `node on port ${node.port} is healthy`);
            assert.doesNotMatch(node.output(), /duplicate key|Error/, 'no node failed on the way');
          }
          assert.equal(
            nodes.filter((n) => n.output().includes(SEEDED)).length,
            1,
            'exactly one node loaded the demo; the other found it there',
          );
          assert.equal(await count(db.url, 'select count(*) as n from portal'), 1);
          assert.equal(await count(db.url, 'select count(*) as n from organisation'), 5);
        } finally {
          for (const node of nodes) await node.stop();
          await db.drop();
        }
      });
    }

    test('a database that is not up yet: the node waits with back-off, logs each attempt without the password, then comes up', async () => {
      const db = await createTestDatabase();
      const port = await freePort();
      const proxyPort = await freePort();
      const upstream = new URL(testDatabaseUrl ?? '');
      const url = new URL(db.url);
      url.port = String(proxyPort);
      url.password = 's3cret-pw';
      const node = startNode(port, { DATABASE_URL: url.toString(), DATABASE_START_TIMEOUT_SECONDS: '60' });
      let proxy: Awaited<ReturnType<typeof startTcpProxy>> | null = null;
      try {
        await waitFor(node, /not available \(attempt 2:/, 30_000);
        assert.equal(node.exited(), false, 'still waiting');
        proxy = await startTcpProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) }, proxyPort);
        await waitFor(node, BANNER, 180_000);
        assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
        const out = node.output();
        assert.match(out, /answered \(attempt \d+\)/);
        assert.ok(out.includes(`postgres://postgres@127.0.0.1:${proxyPort}${url.pathname}`), 'names the database');
        assert.ok(!out.includes('s3cret-pw'), 'never the password');
      } finally {
        await node.stop();
        await proxy?.close();
        await db.drop();
      }
    });

    test('a database that does not come: the node gives up after DATABASE_START_TIMEOUT_SECONDS with a clear message', async () => {
      const port = await freePort();
      const closed = await freePort();
      const node = startNode(port, {
        DATABASE_URL: `postgres://postgres:s3cret-pw@127.0.0.1:${closed}/nowhere`,
        DATABASE_START_TIMEOUT_SECONDS: '2',
      });
      try {
        const started = Date.now();
        await new Promise((r) => node.child.once('exit', r));
        assert.notEqual(node.child.exitCode, 0);
        assert.ok(Date.now() - started < 30_000, 'it gave up');
        assert.match(node.output(), /did not answer within 2 s/);
        assert.ok(!node.output().includes('s3cret-pw'), 'never the password');
      } finally {
        await node.stop();
      }
    });
  },
);
