// Mutual TLS with the BRP (issue 16): some suppliers of the Haal Centraal BRP API require a client certificate besides
// the API key. A real HTTPS "BRP" here requires a client certificate issued by the test CA (test/fixtures/tls, test
// only) and answers from the fixture persons:
//   - HttpBrpClient with Koepel's client certificate gets the person; without one, or with a certificate of another
//     CA, it gets BrpError 'refused' with the TLS reason and a hint for the operator; without the extra CA it does not
//     trust the server ('unreachable', the verification error);
//   - a Koepel configured with KOEPEL_BRP_CLIENT_CERT_FILE / _KEY_FILE / KOEPEL_BRP_CA_FILE refreshes a citizen's BRP
//     snapshot at login over mutual TLS; one without the certificate keeps the stored snapshot and logs one clear
//     line, without personal data.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { HttpClient } from '../../../test/support/http-client.js';
import { citizenId, DEMO } from '../../../test/support/principals.js';
import { parseBsn, type Bsn } from '../bsn.js';
import { loginWithDigid } from '../digid/test-driver.js';
import { BrpError, brpFailureHint, HttpBrpClient } from './brp-client.js';
import { queryFixtureBrp } from './fixture-brp.js';
import { FIXTURE_PERSONS } from './fixture-persons.js';

const file = (name: string) => fileURLToPath(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url));
const pem = (name: string) => readFileSync(file(name), 'utf8');
const API_KEY = 'mtls-test-sleutel';
const SUZANNE = parseBsn(DEMO.suzanne) as Bsn;

/** The "BRP": HTTPS with the test server certificate, requiring a client certificate from the test CA. */
async function startMtlsBrp(): Promise<{ url: string; server: Server; clients: string[]; close(): Promise<void> }> {
  const clients: string[] = [];
  const server = createServer(
    {
      cert: pem('server.pem'),
      key: pem('server-key.pem'),
      ca: pem('ca.pem'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        // Only reached with a verified client certificate: note whose it was.
        const socket = req.socket;
        clients.push(socket instanceof TLSSocket ? String(socket.getPeerCertificate().subject.CN) : '');
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        };
        if (req.method !== 'POST' || req.url !== '/haalcentraal/api/brp/personen') return send(404, { status: 404 });
        if (req.headers['x-api-key'] !== API_KEY) return send(401, { status: 401, code: 'authentication' });
        const answer = queryFixtureBrp(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        send(answer.status, answer.body);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}/haalcentraal/api/brp`,
    server,
    clients,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function refusedWith(
  p: Promise<unknown>,
  kind: string | RegExp,
  reason: RegExp,
  hint: RegExp,
): Promise<BrpError> {
  let caught: unknown;
  await assert.rejects(p, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof BrpError, String(caught));
  if (typeof kind === 'string') assert.equal(caught.kind, kind, caught.message);
  else assert.match(caught.kind, kind, caught.message);
  assert.match(caught.reason ?? '', reason);
  assert.doesNotMatch(caught.message, /\d{9}/, 'no BSN in the error');
  assert.match(brpFailureHint(caught) ?? '', hint);
  return caught;
}

describe('BRP over mutual TLS', () => {
  let brp: Awaited<ReturnType<typeof startMtlsBrp>>;
  before(async () => {
    brp = await startMtlsBrp();
  });
  after(async () => {
    await brp.close();
  });

  const client = (tls: ConstructorParameters<typeof HttpBrpClient>[0]['tls']) =>
    new HttpBrpClient({ url: brp.url, apiKey: API_KEY, tls, timeoutMs: 5000 });
  const suzanne = FIXTURE_PERSONS.find((p) => p.burgerservicenummer === DEMO.suzanne);

  test('[PZ-2] with the client certificate, the BRP answers the person', async () => {
    const before = brp.clients.length;
    const person = await client({
      clientCert: { cert: pem('client.pem'), key: pem('client-key.pem') },
      ca: pem('ca.pem'),
    }).fetchPerson(SUZANNE);
    assert.deepEqual(person, suzanne);
    assert.deepEqual(brp.clients.slice(before), ['koepel-test-client']);
  });

  test('without a client certificate, or with one of another CA, the BRP refuses: BrpError refused, with the TLS reason', async () => {
    const before = brp.clients.length;
    await refusedWith(
      client({ clientCert: null, ca: pem('ca.pem') }).fetchPerson(SUZANNE),
      // TLS 1.3: the server's alert comes after the client's request went out; if the connection is gone before the
      // client reads it, the client sees a reset. The alert is what this server sends in practice.
      /^(refused|unreachable)$/,
      /^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET)$/,
      /KOEPEL_BRP_CLIENT_CERT_FILE/,
    );
    await refusedWith(
      client({
        clientCert: { cert: pem('other-client.pem'), key: pem('other-client-key.pem') },
        ca: pem('ca.pem'),
      }).fetchPerson(SUZANNE),
      // A server that verifies the certificate after the handshake (as Node's does) just closes the connection; one
      // that verifies during it sends a TLS alert. Either way: no person, and a hint about the client certificate.
      /^(refused|unreachable)$/,
      /^(ERR_SSL_.*ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN)|ECONNRESET)$/,
      /client certificate/,
    );
    // Node's own fetch, as without any TLS settings: no client certificate either (and the test CA is unknown).
    await refusedWith(
      new HttpBrpClient({ url: brp.url, apiKey: API_KEY }).fetchPerson(SUZANNE),
      'unreachable',
      /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/,
      /KOEPEL_BRP_CA_FILE/,
    );
    assert.equal(brp.clients.length, before, 'no request reached the BRP');
  });

  test("without the extra CA, Koepel does not trust the BRP's server certificate", async () => {
    await refusedWith(
      client({ clientCert: { cert: pem('client.pem'), key: pem('client-key.pem') }, ca: null }).fetchPerson(SUZANNE),
      'unreachable',
      /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/,
      /does not trust the BRP's server certificate/,
    );
    // Another CA is not the server's either.
    await refusedWith(
      client({
        clientCert: { cert: pem('client.pem'), key: pem('client-key.pem') },
        ca: pem('other-ca.pem'),
      }).fetchPerson(SUZANNE),
      'unreachable',
      /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/,
      /KOEPEL_BRP_CA_FILE/,
    );
  });

  test('a wrong API key over a good mutual TLS connection is refused with its HTTP status', async () => {
    const e = await new HttpBrpClient({
      url: brp.url,
      apiKey: 'verkeerd',
      tls: { clientCert: { cert: pem('client.pem'), key: pem('client-key.pem') }, ca: pem('ca.pem') },
    })
      .fetchPerson(SUZANNE)
      .then(
        () => null,
        (err: unknown) => err,
      );
    assert.ok(e instanceof BrpError);
    assert.equal(e.kind, 'refused');
    assert.equal(e.status, 401);
  });

  describe('a Koepel configured for mutual TLS', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    // Set once started: a failed start must not leave the other one running (the test process would not end).
    let withCert!: TestKoepel;
    let withoutCert!: TestKoepel;
    before(async () => {
      const env = { KOEPEL_BRP_URL: brp.url, KOEPEL_BRP_API_KEY: API_KEY, KOEPEL_BRP_CA_FILE: file('ca.pem') };
      withCert = await startKoepel({
        ...env,
        KOEPEL_BRP_CLIENT_CERT_FILE: file('client.pem'),
        KOEPEL_BRP_CLIENT_KEY_FILE: file('client-key.pem'),
      });
      withoutCert = await startKoepel(env, { logStream: sink });
    });
    after(async () => {
      await (withCert as TestKoepel | undefined)?.close();
      await (withoutCert as TestKoepel | undefined)?.close();
    });

    async function fetchedAt(k: TestKoepel): Promise<{ id: string; at: Date }> {
      const id = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
      const row = await k.db
        .selectFrom('citizen')
        .select('brp_fetched_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return { id, at: row.brp_fetched_at };
    }

    test('[PZ-2] the login refreshes the BRP snapshot over mutual TLS', async () => {
      const { id } = await fetchedAt(withCert);
      const stale = new Date('2020-01-01T00:00:00Z');
      await withCert.db.updateTable('citizen').set({ brp_fetched_at: stale }).where('id', '=', id).execute();
      const before = brp.clients.length;
      const login = await loginWithDigid(new HttpClient(withCert.url), DEMO.suzanne);
      assert.equal(login.status, 303);
      assert.equal(login.location, '/home');
      assert.ok((await fetchedAt(withCert)).at > stale, 'the snapshot was refreshed from the BRP');
      assert.deepEqual(brp.clients.slice(before), ['koepel-test-client']);
    });

    test('[PZ-2] without the client certificate the login keeps the stored snapshot and logs why, without personal data', async () => {
      const { id } = await fetchedAt(withoutCert);
      const stale = new Date('2020-01-01T00:00:00Z');
      await withoutCert.db.updateTable('citizen').set({ brp_fetched_at: stale }).where('id', '=', id).execute();
      lines.length = 0;
      const login = await loginWithDigid(new HttpClient(withoutCert.url), DEMO.suzanne);
      assert.equal(login.status, 303, 'a BRP that refuses does not stop the login');
      assert.equal((await fetchedAt(withoutCert)).at.getTime(), stale.getTime(), 'the stored snapshot is kept');
      const failures = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.brp);
      assert.equal(failures.length, 1, lines.join(''));
      const [line] = failures;
      assert.equal(line?.msg, 'BRP lookup failed at login; keeping the stored snapshot');
      const detail = line?.brp as Record<string, unknown>;
      assert.match(String(detail.kind), /^(refused|unreachable)$/);
      assert.match(String(detail.reason), /^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET)$/);
      assert.match(String(detail.hint), /KOEPEL_BRP_CLIENT_CERT_FILE/);
      // Nothing in the log names the person: no BSN, no name, no address, no birth date.
      const log = lines.join('');
      const person = FIXTURE_PERSONS.find((p) => p.burgerservicenummer === DEMO.suzanne);
      for (const secret of [
        DEMO.suzanne,
        person?.naam.geslachtsnaam,
        person?.naam.voornamen,
        '1982-04-12',
        'Lindelaan',
      ])
        assert.ok(secret && !log.includes(secret), `${secret ?? '?'} in the log`);
    });
  });
});
