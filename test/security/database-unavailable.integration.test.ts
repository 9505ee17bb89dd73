// A database that cannot serve us is a 503 with Retry-After on every surface — the portal's pages, the FHIR API (as
// an OperationOutcome), the token endpoints and /health — never a 500. Unit: every "unavailable" code the classifier
// knows. HTTP: a fake PostgreSQL in front of the real one that, once cut, refuses every new connection with a chosen
// SQLSTATE (or not at all: connection refused), as PostgreSQL does when it is shutting down, starting up, out of
// connection slots or not accepting connections.
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { isDatabaseUnavailable } from '../../src/platform/http/errors.js';
import { freePort, startKoepel, testDatabaseUrl } from '../support/harness.js';
import { HttpClient } from '../support/http-client.js';

/** Every SQLSTATE that means "the database cannot serve us now": the 08 class (but 08P01), 53300, 55000, 57P0x. */
const UNAVAILABLE_SQLSTATES = [
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
  '53300',
  '55000',
  '57P01',
  '57P02',
  '57P03',
];

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('the classifier', () => {
  test('every unavailable SQLSTATE, socket error and pool timeout is "unavailable"', () => {
    for (const code of [...UNAVAILABLE_SQLSTATES, 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH'])
      assert.equal(isDatabaseUnavailable(withCode(code)), true, code);
    assert.equal(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect')), true, 'pool timeout');
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
    // Node's happy-eyeballs connect reports each refused address inside one AggregateError.
    assert.equal(isDatabaseUnavailable(new AggregateError([withCode('ECONNREFUSED')], 'connect failed')), true);
    assert.equal(isDatabaseUnavailable(new Error('wrapped', { cause: withCode('57P01') })), true, 'cause');
    // A standby or the old primary after a failover (read-only), and a server that stopped answering.
    assert.equal(isDatabaseUnavailable(withCode('25006', 'cannot execute INSERT in a read-only transaction')), true);
    assert.equal(isDatabaseUnavailable(new Error('Query read timeout')), true, 'query_timeout');
    assert.equal(isDatabaseUnavailable(new Error('Client was closed and is not queryable')), true);
  });

  test('a protocol violation, a constraint, a permission or a plain error is not', () => {
    for (const code of ['08P01', '23505', '42501', '22P02', '40001', '55P03', '57014'])
      assert.equal(isDatabaseUnavailable(withCode(code)), false, code);
    assert.equal(isDatabaseUnavailable(new Error('boom')), false);
    assert.equal(isDatabaseUnavailable('not an error'), false);
  });
});

/** An ErrorResponse message of the PostgreSQL protocol, as the server sends it to refuse a connection. */
function errorResponse(code: string): Buffer {
  const field = (type: string, value: string) => Buffer.concat([Buffer.from(type), Buffer.from(`${value}\0`)]);
  const body = Buffer.concat([
    field('S', 'FATAL'),
    field('V', 'FATAL'),
    field('C', code),
    field('M', `refused by the test (${code})`),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

type Mode = { kind: 'pass' } | { kind: 'refuse'; code: string } | { kind: 'closed' };

/** A TCP proxy to PostgreSQL whose behaviour for new connections the test sets; cutting ends the open ones. */
async function startFakePostgres(target: { host: string; port: number }) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let mode: Mode = { kind: 'pass' };
  let server: Server | null = null;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        sockets.add(client);
        client.on('error', () => client.destroy()).on('close', () => sockets.delete(client));
        if (mode.kind === 'refuse') {
          const code = mode.code;
          // The first packet is the startup message; PostgreSQL answers it with FATAL and closes.
          client.once('data', () => client.end(errorResponse(code)));
          return;
        }
        const upstream = connect(target.port, target.host);
        sockets.add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const dropAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const close = () =>
    new Promise<void>((resolve) => {
      dropAll();
      if (server) server.close(() => resolve());
      else resolve();
      server = null;
    });
  await listen();
  return {
    port,
    async set(next: Mode) {
      if (next.kind === 'closed') await close();
      else if (!server) await listen();
      mode = next;
      dropAll(); // the pool's open connections end: the next request must connect anew
    },
    close,
  };
}

describe(
  'a database that refuses connections answers 503 on every surface',
  { skip: testDatabaseUrl ? false : 'needs PostgreSQL (PGlite runs in-process and cannot refuse a connection)' },
  () => {
    test('each unavailable SQLSTATE and a refused connection give 503 with Retry-After', async () => {
      const upstream = new URL(testDatabaseUrl ?? 'postgres://127.0.0.1:5432');
      const fake = await startFakePostgres({ host: upstream.hostname, port: Number(upstream.port || 5432) });
      const k = await startKoepel(
        {},
        {
          viaDatabaseUrl: (url) => {
            const u = new URL(url);
            u.port = String(fake.port);
            return u.toString();
          },
        },
      );
      const token = 'A'.repeat(43);
      const surfaces: {
        name: string;
        call: (c: HttpClient) => Promise<{ status: number; headers: Headers; text: string }>;
        body: RegExp;
      }[] = [
        {
          name: 'page',
          call: (c) => c.get('/privacy'),
          body: /Tijdelijk niet beschikbaar|Temporarily unavailable|Probeer het later/,
        },
        {
          name: 'FHIR read',
          call: (c) =>
            c.get('/fhir/Patient/123', { authorization: `Bearer ${token}`, accept: 'application/fhir+json' }),
          body: /"resourceType":"OperationOutcome".*"code":"transient"/,
        },
        {
          name: 'FHIR write',
          call: (c) =>
            c.request('POST', '/fhir', JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [] }), {
              authorization: `Bearer ${token}`,
              'content-type': 'application/fhir+json',
            }),
          body: /"resourceType":"OperationOutcome".*"code":"transient"/,
        },
        {
          name: 'provider token endpoint',
          call: (c) =>
            c.post('/fhir/token', {
              grant_type: 'client_credentials',
              client_id: 'kc_aaaaaaaaaaaaaaaaaaaa',
              client_secret: 'wrong',
            }),
          body: /"error":"temporarily_unavailable"/,
        },
        {
          name: 'app token endpoint',
          call: (c) =>
            c.post('/oauth/token', {
              grant_type: 'authorization_code',
              code: 'x'.repeat(43),
              redirect_uri: 'https://app.example/cb',
              code_verifier: 'v'.repeat(43),
              client_id: 'some-app',
            }),
          body: /"error":"temporarily_unavailable"/,
        },
        { name: 'health', call: (c) => c.get('/health'), body: /unavailable|Tijdelijk niet beschikbaar/ },
      ];
      try {
        const c = new HttpClient(k.url);
        assert.equal((await c.get('/health')).status, 200);
        assert.equal((await c.get('/language?lang=en')).status, 303); // a session: every page now reads the database
        const modes: Mode[] = [
          ...UNAVAILABLE_SQLSTATES.map((code): Mode => ({ kind: 'refuse', code })),
          { kind: 'closed' },
        ];
        for (const mode of modes) {
          await fake.set(mode);
          const label = mode.kind === 'refuse' ? mode.code : 'connection refused';
          for (const s of surfaces) {
            const res = await s.call(c);
            assert.equal(res.status, 503, `${label}: ${s.name} answered ${res.status}`);
            assert.equal(res.headers.get('retry-after'), '30', `${label}: ${s.name} has Retry-After`);
            assert.match(res.text, s.body, `${label}: ${s.name}`);
          }
        }
        await fake.set({ kind: 'pass' });
        let up = await c.get('/health');
        for (let i = 0; i < 20 && up.status !== 200; i++) {
          await new Promise((r) => setTimeout(r, 250));
          up = await c.get('/health');
        }
        assert.equal(up.status, 200, 'the server recovered by itself');
      } finally {
        await k.close();
        await fake.close();
      }
    });
  },
);
