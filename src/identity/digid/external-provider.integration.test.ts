// Koepel against an external DigiD bridge over real HTTP (the simulator off): a MAX-shaped provider on loopback
// (test/support/oidc-test-provider.ts) that states the level only as `loa_authn` in userinfo, and that rotates its
// signing key under the same kid. Also: an http:// loopback issuer works outside production, and when the provider
// cannot be reached the log says why (step, error code, issuer), without personal data.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { testRpKeySet } from '../../../test/support/digid-keys.js';
import { freePort, startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { HttpClient } from '../../../test/support/http-client.js';
import {
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TestOidcProvider,
  type TestProviderLogin,
} from '../../../test/support/oidc-test-provider.js';
import { DEMO } from '../../../test/support/principals.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:ac:classes:';

function memoryLog(): { stream: Writable; text: () => string } {
  const lines: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
    text: () => lines.join(''),
  };
}

/** Landing → provider → callback, as a browser; returns the callback's answer. */
async function login(k: TestKoepel, op: TestOidcProvider, as: TestProviderLogin) {
  op.nextLogin = as;
  const c = new HttpClient(k.url);
  const start = await c.get('/login/digid');
  assert.equal(start.status, 303, 'the login starts');
  assert.ok(start.location?.startsWith(`${op.issuer}/authorize?`), 'to the configured http:// loopback issuer');
  const back = await c.get(start.location ?? '');
  assert.equal(back.status, 303);
  assert.ok(back.location);
  return { c, res: await c.get(back.location) };
}

const maxLogin = (loa: string, bsn = DEMO.suzanne): TestProviderLogin => ({
  // As MAX: nothing about the person or the level in the ID token; bsn and loa_authn in userinfo.
  idToken: {},
  userinfo: { bsn, loa_authn: loa, session_id: 'abc' },
});

describe('DigiD through an external (MAX-shaped) provider on http:// loopback', () => {
  const op = new TestOidcProvider();
  const log = memoryLog();
  let k: TestKoepel;
  before(async () => {
    await op.start();
    k = await startKoepel(
      {
        KOEPEL_DIGID_SIMULATOR: 'false',
        KOEPEL_DIGID_ISSUER: op.issuer,
        KOEPEL_DIGID_CLIENT_ID: TEST_CLIENT_ID,
        KOEPEL_DIGID_CLIENT_SECRET: TEST_CLIENT_SECRET,
        // This provider takes a client secret (client_secret_basic); Koepel still needs its encryption key.
        KOEPEL_DIGID_KEYS: testRpKeySet().json,
      },
      { logStream: log.stream },
    );
  });
  after(async () => {
    await k.close();
    await op.stop();
  });

  test('[MG-2] a Substantieel login stated only as loa_authn SAML class Smartcard is accepted', async () => {
    const { c, res } = await login(k, op, maxLogin(`${SAML}Smartcard`));

    assert.equal(res.status, 303);
    assert.equal(res.location, '/home');
    const home = await c.get('/home');
    assert.equal(home.status, 200);
    assert.match(home.text, /Welkom, mevrouw De Vries/);
  });

  test('[MG-2] loa_authn as eIDAS URI: substantial and high accepted, low refused', async () => {
    for (const loa of [
      'http://eidas.europa.eu/LoA/substantial',
      'http://eidas.europa.eu/LoA/high',
      `${SAML}SmartcardPKI`,
    ]) {
      const { res } = await login(k, op, maxLogin(loa));
      assert.equal(res.status, 303, loa);
      assert.equal(res.location, '/home');
    }
    const { res } = await login(k, op, maxLogin('http://eidas.europa.eu/LoA/low'));
    assert.equal(res.status, 403);
    assert.match(res.text, /niveau Basis\./);
  });

  test('[MG-2] loa_authn Midden, unknown or missing is refused, with the level named and an audit record', async () => {
    for (const [loa, name, key] of [
      [`${SAML}MobileTwoFactorContract`, 'Midden', 'midden'],
      [`${SAML}Kerberos`, 'onbekend', 'unknown'],
      [undefined, 'onbekend', 'unknown'],
    ] as const) {
      const as = maxLogin(loa ?? '');
      if (loa === undefined) delete as.userinfo?.loa_authn;
      const { c, res } = await login(k, op, as);
      assert.equal(res.status, 403, String(loa));
      assert.match(res.text, new RegExp(`niveau ${name}\\.`));
      const home = await c.get('/home');
      assert.equal(home.status, 401, 'nobody is logged in');
      const audit = await k.db
        .selectFrom('audit_log')
        .select('reason')
        .where('event_code', '=', 'citizen.login')
        .where('reason', '=', `digid-level:${key};below-substantieel`)
        .execute();
      assert.ok(audit.length >= 1, key);
    }
  });

  test('after a key rotation under the same kid, the next login works: one JWKS refetch, then verified', async () => {
    const first = await login(k, op, maxLogin(`${SAML}Smartcard`));
    assert.equal(first.res.status, 303);
    const fetches = op.jwksFetches;
    await op.rotateKey();
    const second = await login(k, op, maxLogin(`${SAML}Smartcard`));
    assert.equal(second.res.status, 303, 'the login after the rotation succeeds');
    assert.equal(second.res.location, '/home');
    assert.equal(op.jwksFetches, fetches + 1, 'exactly one JWKS refetch');
    // A second rotation within the rate limit (a provider that keeps changing keys, or tokens signed by someone
    // else): no second refetch, the login is refused as a bad response, not a 503.
    await op.rotateKey();
    const third = await login(k, op, maxLogin(`${SAML}Smartcard`));
    assert.equal(third.res.status, 400);
    assert.equal(op.jwksFetches, fetches + 1, 'the refetch is rate-limited');
    const refused = await k.db
      .selectFrom('audit_log')
      .select('reason')
      .where('reason', '=', 'invalid-response:id-token-signature')
      .execute();
    assert.equal(refused.length, 1);
  });

  test('nothing personal reaches the log', () => {
    const text = log.text();
    assert.ok(text.length > 0);
    assert.ok(!text.includes(DEMO.suzanne), 'no BSN in the log');
    assert.doesNotMatch(text, /Suzanne|de Vries/);
  });
});

describe('DigiD provider unreachable: a 503, and the log says why', () => {
  test('an http:// loopback issuer with nothing listening: the log names the step, the error code and the issuer', async () => {
    const closed = await freePort();
    const log = memoryLog();
    const k = await startKoepel(
      {
        KOEPEL_DIGID_SIMULATOR: 'false',
        KOEPEL_DIGID_ISSUER: `http://127.0.0.1:${closed}`,
        KOEPEL_DIGID_CLIENT_ID: TEST_CLIENT_ID,
        KOEPEL_DIGID_CLIENT_SECRET: TEST_CLIENT_SECRET,
        // This provider takes a client secret (client_secret_basic); Koepel still needs its encryption key.
        KOEPEL_DIGID_KEYS: testRpKeySet().json,
      },
      { logStream: log.stream },
    );
    try {
      const res = await new HttpClient(k.url).get('/login/digid');
      assert.equal(res.status, 503);
      assert.match(res.text, /DigiD is niet bereikbaar/);
      const line = log
        .text()
        .split('\n')
        .find((l) => l.includes('DigiD provider unavailable'));
      assert.ok(line, 'a log line about it');
      assert.match(line, /discovery failed/);
      assert.match(line, /ECONNREFUSED/);
      assert.ok(line.includes(`http://127.0.0.1:${closed}`), 'names the issuer');
      assert.ok(!line.includes(TEST_CLIENT_SECRET), 'never the client secret');
    } finally {
      await k.close();
    }
  });
});
