// Conformance: Koepel's DigiD relying party against an independent OpenID provider configured like the government's
// MAX bridge — the certified `oidc-provider` package (test/support/max-oidc-provider.ts), over real HTTP. Koepel runs
// as in production (simulator off) with its own keys: private_key_jwt at the token endpoint with client_id in the
// body, the provider fetching Koepel's public keys from its JWKS URL, userinfo a JWE encrypted to Koepel, the BSN and
// the level (loa_authn, a SAML class or an eIDAS URI) only in userinfo. Then every way a login must be refused: each
// with its own Dutch page, no session, and an audit record with the reason.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { testRpKeySet } from '../../../test/support/digid-keys.js';
import { freePort, startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { HttpClient } from '../../../test/support/http-client.js';
import { MaxOidcProvider, type MaxLogin } from '../../../test/support/max-oidc-provider.js';
import { DEMO } from '../../../test/support/principals.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:ac:classes:';
const EIDAS = 'http://eidas.europa.eu/LoA/';
const CLIENT_ID = 'koepel-max-conformance';

async function lastLoginAudit(k: TestKoepel): Promise<{ outcome: string; reason: string | null } | undefined> {
  return k.db
    .selectFrom('audit_log')
    .select(['outcome', 'reason'])
    .where('event_code', '=', 'citizen.login')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function assertNotLoggedIn(c: HttpClient): Promise<void> {
  const home = await c.get('/home');
  assert.equal(home.status, 401, 'no citizen session');
}

for (const authMethod of ['private_key_jwt', 'none'] as const) {
  describe(`[MG-2] DigiD through a MAX-shaped provider (oidc-provider), client authentication ${authMethod}`, () => {
    const keys = testRpKeySet('max-conformance');
    let k: TestKoepel;
    let op: MaxOidcProvider;

    before(async () => {
      const port = await freePort();
      k = await startKoepel({
        KOEPEL_DIGID_SIMULATOR: 'false',
        KOEPEL_DIGID_ISSUER: `http://127.0.0.1:${port}`,
        KOEPEL_DIGID_CLIENT_ID: CLIENT_ID,
        KOEPEL_DIGID_CLIENT_AUTH: authMethod,
        KOEPEL_DIGID_KEYS: keys.json,
      });
      // As the MAX operator registers Koepel: its redirect URI, and its keys by the JWKS URL Koepel publishes.
      op = await new MaxOidcProvider({
        clientId: CLIENT_ID,
        redirectUri: `${k.config.publicUrl}/login/digid/callback`,
        authMethod,
        jwksUri: `${k.config.publicUrl}/login/digid/jwks`,
      }).start(port);
    });
    after(async () => {
      await op.stop();
      await k.close();
    });
    afterEach(async () => {
      op.signWithUnknownKey = false;
      op.idTokenTtlSeconds = 600;
      await op.up();
    });

    /** Landing → MAX → callback, as a browser; returns the client and Koepel's answer to the callback. */
    async function login(as: MaxLogin, tamper?: (callback: URL) => void) {
      op.nextLogin = as;
      const c = new HttpClient(k.url);
      const start = await c.get('/login/digid');
      assert.equal(start.status, 303);
      assert.ok(start.location?.startsWith(`${op.issuer}/authorize?`), start.location ?? '');
      const callback = await op.authorize(start.location ?? '');
      tamper?.(callback);
      return { c, res: await c.get(callback.pathname + callback.search) };
    }

    test('a Substantieel login (loa_authn SAML class Smartcard in the encrypted userinfo) reaches the home page', async () => {
      const { c, res } = await login({ bsn: DEMO.suzanne, loa_authn: `${SAML}Smartcard` });
      assert.equal(res.status, 303, res.text.slice(0, 300));
      assert.equal(res.location, '/home');
      const home = await c.get('/home');
      assert.equal(home.status, 200);
      assert.match(home.text, /Welkom, mevrouw De Vries/);
      assert.deepEqual(await lastLoginAudit(k), { outcome: 'success', reason: 'digid-level:substantieel' });
    });

    test('Hoog as SAML class and Substantieel as eIDAS URI are accepted too', async () => {
      for (const loa of [`${SAML}SmartcardPKI`, `${EIDAS}substantial`, `${EIDAS}high`]) {
        const { res } = await login({ bsn: DEMO.suzanne, loa_authn: loa });
        assert.equal(res.location, '/home', loa);
      }
    });

    test('a level below Substantieel (Midden, Basis, eIDAS low, none, unknown) gets the level page, audited as denied', async () => {
      for (const loa of [
        `${SAML}MobileTwoFactorContract`,
        `${SAML}PasswordProtectedTransport`,
        `${EIDAS}low`,
        undefined,
        'urn:example:other',
      ]) {
        const { c, res } = await login({ bsn: DEMO.suzanne, ...(loa ? { loa_authn: loa } : {}) });
        assert.equal(res.status, 403, String(loa));
        assert.match(res.text, /Hoger DigiD-niveau nodig/);
        await assertNotLoggedIn(c);
        const audit = await lastLoginAudit(k);
        assert.equal(audit?.outcome, 'denied');
        assert.match(audit?.reason ?? '', /^digid-level:(midden|basis|unknown);below-substantieel$/);
      }
    });

    test('no BSN, or a BSN that fails the 11-test: the BSN page, no session, audited with the reason', async () => {
      for (const [bsn, reason] of [
        [undefined, 'no-bsn'],
        ['123456789', 'invalid-bsn'],
      ] as const) {
        const { c, res } = await login({ ...(bsn ? { bsn } : {}), loa_authn: `${SAML}Smartcard` });
        assert.equal(res.status, 400);
        assert.match(res.text, /Geen geldig burgerservicenummer ontvangen/);
        assert.doesNotMatch(res.text, /123456789/, 'the page never repeats what the bridge sent');
        await assertNotLoggedIn(c);
        assert.deepEqual(await lastLoginAudit(k), { outcome: 'failure', reason });
      }
    });

    test('a tampered state, code or issuer in the callback is refused', async () => {
      const cases: [string, (u: URL) => void, RegExp][] = [
        ['state', (u) => u.searchParams.set('state', 'forged-state'), /^invalid-response:/],
        ['code', (u) => u.searchParams.set('code', 'forged-code'), /^invalid-response:/],
        ['iss', (u) => u.searchParams.set('iss', 'https://evil.example'), /^invalid-response:/],
      ];
      for (const [what, tamper, reason] of cases) {
        const { c, res } = await login({ bsn: DEMO.suzanne, loa_authn: `${SAML}Smartcard` }, tamper);
        assert.equal(res.status, 400, what);
        assert.match(res.text, /Inloggen is niet gelukt/, what);
        await assertNotLoggedIn(c);
        const audit = await lastLoginAudit(k);
        assert.equal(audit?.outcome, 'failure', what);
        assert.match(audit?.reason ?? '', reason, what);
      }
    });

    test("a code redeemed in another browser's login (its own state, nonce and PKCE verifier) is refused", async () => {
      op.nextLogin = { bsn: DEMO.suzanne, loa_authn: `${SAML}Smartcard` };
      const victim = new HttpClient(k.url);
      const victimStart = await victim.get('/login/digid');
      const victimCallback = await op.authorize(victimStart.location ?? '');
      // The attacker starts a login of their own and puts the victim's code (and state) in their callback.
      const attacker = new HttpClient(k.url);
      await attacker.get('/login/digid');
      const res = await attacker.get(victimCallback.pathname + victimCallback.search);
      assert.equal(res.status, 400);
      await assertNotLoggedIn(attacker);
    });

    test('an ID token signed by a key the provider does not publish is refused (same kid and new kid)', async () => {
      for (const mode of ['same-kid', 'new-kid'] as const) {
        op.signWithUnknownKey = mode;
        const { c, res } = await login({ bsn: DEMO.suzanne, loa_authn: `${SAML}Smartcard` });
        assert.equal(res.status, 400, mode);
        assert.match(res.text, /Inloggen is niet gelukt/);
        await assertNotLoggedIn(c);
        assert.match((await lastLoginAudit(k))?.reason ?? '', /^invalid-response:id-token-signature$/, mode);
      }
    });

    test('an expired ID token is refused', async () => {
      op.idTokenTtlSeconds = -3600;
      const { c, res } = await login({ bsn: DEMO.suzanne, loa_authn: `${SAML}Smartcard` });
      assert.equal(res.status, 400);
      await assertNotLoggedIn(c);
      const audit = await lastLoginAudit(k);
      assert.equal(audit?.outcome, 'failure');
      assert.match(audit?.reason ?? '', /^invalid-response:/);
    });

    test('the provider down: at the start and at the callback, the unavailable page (503), audited at the callback', async () => {
      await op.down('refused');
      const c = new HttpClient(k.url);
      const start = await c.get('/login/digid');
      // Discovery was cached by earlier logins: the start may still redirect; the token call then fails.
      if (start.status === 503) {
        assert.match(start.text, /DigiD is niet bereikbaar/);
      } else {
        assert.equal(start.status, 303);
      }
      await op.up();
      op.nextLogin = { bsn: DEMO.suzanne, loa_authn: `${SAML}Smartcard` };
      const c2 = new HttpClient(k.url);
      const start2 = await c2.get('/login/digid');
      const callback = await op.authorize(start2.location ?? '');
      await op.down('unavailable');
      const res = await c2.get(callback.pathname + callback.search);
      assert.equal(res.status, 503);
      assert.match(res.text, /DigiD is niet bereikbaar/);
      await assertNotLoggedIn(c2);
      assert.deepEqual(await lastLoginAudit(k), { outcome: 'failure', reason: 'provider-unavailable:token' });
    });
  });
}

describe("a bridge that does not know Koepel's signing key refuses the token request; the audit record says why", () => {
  test('invalid_client from the token endpoint is audited as invalid-response:invalid_client', async () => {
    const port = await freePort();
    const k = await startKoepel({
      KOEPEL_DIGID_SIMULATOR: 'false',
      KOEPEL_DIGID_ISSUER: `http://127.0.0.1:${port}`,
      KOEPEL_DIGID_CLIENT_ID: CLIENT_ID,
      KOEPEL_DIGID_KEYS: testRpKeySet('max-conformance').json,
    });
    // The operator registered someone else's keys for Koepel's client.
    const op = await new MaxOidcProvider({
      clientId: CLIENT_ID,
      redirectUri: `${k.config.publicUrl}/login/digid/callback`,
      authMethod: 'private_key_jwt',
      jwks: testRpKeySet('not-koepel').jwks,
    }).start(port);
    try {
      op.nextLogin = { bsn: DEMO.suzanne, loa_authn: `${SAML}Smartcard` };
      const c = new HttpClient(k.url);
      const start = await c.get('/login/digid');
      const callback = await op.authorize(start.location ?? '');
      const res = await c.get(callback.pathname + callback.search);
      assert.equal(res.status, 400);
      assert.match(res.text, /Inloggen is niet gelukt/);
      assert.deepEqual(await lastLoginAudit(k), { outcome: 'failure', reason: 'invalid-response:invalid_client' });
    } finally {
      await op.stop();
      await k.close();
    }
  });
});
