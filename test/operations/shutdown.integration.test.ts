// Graceful shutdown of a real Koepel process (src/start.ts, boot.ts shutdown(), platform/http/lifecycle.ts): under
// load, SIGTERM turns readiness 503 and refuses new requests with 503 (an OperationOutcome on /fhir), every request
// already accepted gets its complete answer, and the process exits 0 — at once when the last one is done, and no
// later than KOEPEL_SHUTDOWN_GRACE_SECONDS when one does not finish.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { entryArgs } from '../support/entry.js';
import { createTestDatabase, freePort, testDatabaseUrl } from '../support/harness.js';
import { TEMPLATE_DATABASE_ENV, TEST_MASTER_KEY } from '../support/template.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The whole message arrived (Content-Length or chunked end), not cut off. */
  complete: boolean;
}

/** One request on a connection of its own (no keep-alive pool): an answer, or the error that ended it. */
function get(port: number, path: string): Promise<Answer | Error> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { accept: '*/*' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('error', (err) => resolve(err));
      res.on('close', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, complete: res.complete }),
      );
    });
    req.on('error', (err) => resolve(err));
    req.end();
  });
}

interface Child {
  proc: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; at: number }>;
  cleanup(): Promise<void>;
}

async function startChild(graceSeconds: number): Promise<Child> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'koepel-shutdown-'));
  const testDb = testDatabaseUrl ? await createTestDatabase(process.env[TEMPLATE_DATABASE_ENV]) : null;
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('KOEPEL_') && k !== 'DATABASE_URL'),
  );
  const proc = spawn(process.execPath, entryArgs('src/main.ts'), {
    env: {
      ...clean,
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'info',
      KOEPEL_MASTER_KEY: TEST_MASTER_KEY,
      KOEPEL_DATA_DIR: join(dir, 'data'),
      KOEPEL_SHUTDOWN_GRACE_SECONDS: String(graceSeconds),
      ...(testDb ? { DATABASE_URL: testDb.url, DATABASE_POOL_SIZE: '5' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    proc.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  const child: Child = {
    proc,
    port,
    output: () => out,
    exited,
    cleanup: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
      await testDb?.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  // Ready: migrated and listening (a fresh PGlite takes a few seconds).
  const deadline = Date.now() + 90_000;
  for (;;) {
    const r = await get(port, '/health/ready');
    if (!(r instanceof Error) && r.status === 200) return child;
    if (proc.exitCode !== null || Date.now() > deadline) {
      await child.cleanup();
      throw new Error(`Koepel did not become ready:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A form POST whose body arrives only when `finish` is called: the request is accepted (headers read, onRequest run)
 * and stays in flight until then. Resolves with the raw answer, or '' when the connection closes without one.
 */
function slowPost(port: number): { finish(): void; answer: Promise<string> } {
  const body = 'email=someone%40example.org&password=x';
  const socket: Socket = connect(port, '127.0.0.1');
  let raw = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (raw += d));
  const answer = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(raw));
    socket.on('error', () => undefined);
  });
  socket.write(
    `POST /staff/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
  );
  return { finish: () => socket.write(body.slice(10)), answer };
}

/** Whether a raw HTTP/1.1 answer is complete: a status line, and as many body bytes as Content-Length says. */
function completeRaw(raw: string): boolean {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const length = /\r\ncontent-length: (\d+)/i.exec(head ?? '')?.[1];
  return (
    /^HTTP\/1\.1 \d{3} /.test(raw) &&
    length !== undefined &&
    Buffer.byteLength(rest.join('\r\n\r\n')) === Number(length)
  );
}

const until = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('graceful shutdown (SIGTERM)', () => {
  const children: Child[] = [];
  after(async () => {
    for (const c of children) await c.cleanup();
  });

  test('under load: not ready, new requests 503, every accepted request answered in full, exit 0', async () => {
    const child = await startChild(20);
    children.push(child);
    const { port } = child;

    const slow = slowPost(port);
    // Many requests at once, each on its own connection; each creates a session (a write).
    const load = Array.from({ length: 120 }, () => get(port, '/language?lang=en'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const signalled = Date.now();
    child.proc.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 150));

    // Draining: the slow request is still in flight, so the process waits for it.
    const fhir = await get(port, '/fhir/metadata');
    assert.ok(!(fhir instanceof Error), `a new FHIR request is answered: ${fhir instanceof Error ? fhir.message : ''}`);
    assert.equal(fhir.status, 503);
    assert.match(String(fhir.headers['content-type']), /application\/fhir\+json/);
    assert.equal((JSON.parse(fhir.body) as { resourceType: string }).resourceType, 'OperationOutcome');
    assert.equal(fhir.headers['retry-after'], '30');
    assert.equal(fhir.headers.connection, 'close');

    const ready = await get(port, '/health/ready');
    assert.ok(!(ready instanceof Error));
    assert.equal(ready.status, 503);
    assert.deepEqual(JSON.parse(ready.body), { status: 'unavailable', checks: { process: 'shutting-down' } });
    const live = await get(port, '/health/live');
    assert.ok(!(live instanceof Error));
    assert.equal(live.status, 200, 'liveness stays 200 while draining: the orchestrator must not kill the process');
    const page = await get(port, '/privacy');
    assert.ok(!(page instanceof Error));
    assert.equal(page.status, 503);
    assert.equal(child.proc.exitCode, null, 'still running while a request is in flight');

    slow.finish();
    const raw = await slow.answer;
    assert.ok(completeRaw(raw), `the slow request got its complete answer: ${raw.slice(0, 80)}`);

    const { code, at } = await child.exited;
    assert.equal(code, 0, child.output());
    assert.ok(at - signalled < 20_000, 'exited within the grace time');

    const answers = await Promise.all(load);
    const errors = answers.filter((a) => a instanceof Error).map(String);
    assert.deepEqual(errors, [], 'no request was cut off or refused at the connection');
    const statuses = answers.map((a) => (a instanceof Error ? 0 : a.status));
    assert.ok(
      answers.every((a) => !(a instanceof Error) && a.complete),
      'every answer arrived in full',
    );
    assert.ok(
      statuses.every((s) => s === 303 || s === 503),
      `only served (303) or refused while draining (503): ${[...new Set(statuses)].join(', ')}`,
    );
    assert.ok(statuses.filter((s) => s === 303).length > 0, 'requests accepted before SIGTERM were served');
    assert.match(child.output(), /every request in flight finished; stopped/);
    // The "listening" line and the banner name PUBLIC_URL as the address to open, not just the socket.
    assert.match(child.output(), new RegExp(`open it at http://127\\.0\\.0\\.1:${port} \\(PUBLIC_URL\\)`));
    assert.match(child.output(), new RegExp(`is sent to http://127\\.0\\.0\\.1:${port}`));
  });

  test('a request that does not finish within the grace time is cut, and the process still exits 0 in time', async () => {
    const child = await startChild(1);
    children.push(child);
    const slow = slowPost(child.port);
    await until(() => false, 200);
    const signalled = Date.now();
    child.proc.kill('SIGTERM');
    const { code, at } = await child.exited;
    assert.equal(code, 0, child.output());
    assert.ok(at - signalled >= 900, `waited for the grace time (${at - signalled} ms)`);
    assert.ok(at - signalled < 6000, `but not much longer (${at - signalled} ms)`);
    assert.equal(await slow.answer, '', 'the unfinished request was cut');
    assert.match(child.output(), /the grace time ended with requests in flight/);
  });
});
