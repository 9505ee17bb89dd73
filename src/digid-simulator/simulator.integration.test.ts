import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { compactDecrypt, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { clientAssertion, testRpKeySet } from '../../test/support/digid-keys.js';
import { encryptionKeys } from '../platform/crypto/private-jwks.js';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient } from '../../test/support/http-client.js';
import { parseBsn, type Bsn } from '../identity/bsn.js';
import { DIGID_LEVELS, levelByKey, type DigidLevel } from '../identity/digid/levels.js';
import { choose, openSimulator } from '../identity/digid/test-driver.js';
import { DigidSimulator, type AuthorizationRequest } from './provider.js';

const ISSUER = 'https://portal.example/digid-simulator';
const REDIRECT = 'https://portal.example/login/digid/callback';
const KOEPEL = testRpKeySet();
const VERIFIER = 'a'.repeat(43) + 'verifier-for-tests';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const BSN = parseBsn('999993653') as Bsn;
const SUBSTANTIEEL = levelByKey('substantieel') as DigidLevel;

function simulator() {
  return new DigidSimulator({
    issuer: ISSUER,
    clientId: 'koepel',
    clientJwks: KOEPEL.jwks,
    redirectUri: REDIRECT,
  });
}

/** The client authentication parameters of a token request: private_key_jwt with client_id, as MAX. */
async function auth(opts: { keys?: typeof KOEPEL.keys; clientId?: string; jti?: string; audience?: string } = {}) {
  return {
    client_id: opts.clientId ?? 'koepel',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await clientAssertion(opts.keys ?? KOEPEL.keys, {
      clientId: opts.clientId ?? 'koepel',
      audience: opts.audience ?? ISSUER,
      ...(opts.jti ? { jti: opts.jti } : {}),
    }),
  };
}

/** Decrypts the simulator's userinfo JWE with Koepel's key and verifies the JWT inside. */
async function openUserinfo(sim: DigidSimulator, jwe: string) {
  const header = decodeProtectedHeader(jwe);
  const key = encryptionKeys(KOEPEL.keys)[0];
  assert.ok(key);
  const { plaintext } = await compactDecrypt(jwe, key.privateKey);
  const { payload } = await jwtVerify(new TextDecoder().decode(plaintext), createLocalJWKSet(await sim.jwks()), {
    issuer: ISSUER,
    audience: 'koepel',
  });
  return { header, payload };
}

const goodRequest: AuthorizationRequest = {
  client_id: 'koepel',
  redirect_uri: REDIRECT,
  response_type: 'code',
  scope: 'openid',
  state: 'state-1',
  nonce: 'nonce-1',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
};

function codeOf(redirect: string): string {
  return new URL(redirect).searchParams.get('code') ?? '';
}

function tokenRequest(code: string, extra: Record<string, string> = {}) {
  return { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER, ...extra };
}

describe('DigiD simulator (provider logic)', () => {
  test('the authorization request must come from the known client, redirect URI and with PKCE S256', () => {
    const sim = simulator();
    assert.equal(sim.checkAuthorizationRequest({ ...goodRequest }).ok, true);
    assert.deepEqual(sim.checkAuthorizationRequest({ ...goodRequest, client_id: 'other' }), {
      ok: false,
      fatal: true,
      error: 'invalid_client',
    });
    assert.deepEqual(sim.checkAuthorizationRequest({ ...goodRequest, redirect_uri: 'https://evil.example/cb' }), {
      ok: false,
      fatal: true,
      error: 'invalid_redirect_uri',
    });
    for (const bad of [
      { code_challenge_method: 'plain' },
      { code_challenge: undefined },
      { response_type: 'token' },
      { scope: 'profile' },
    ]) {
      const check = sim.checkAuthorizationRequest({ ...goodRequest, ...bad });
      assert.equal(check.ok, false, JSON.stringify(bad));
      assert.ok(!check.ok && !check.fatal, 'told to the client by redirect');
      const url = new URL(!check.ok && !check.fatal ? check.redirectTo : '');
      assert.equal(url.origin + url.pathname, REDIRECT);
      assert.ok(url.searchParams.get('error'));
      assert.equal(url.searchParams.get('state'), 'state-1');
    }
  });

  test('[MG-2] as MAX: a code gives an ID token without BSN, and userinfo as a JWE with bsn and loa_authn; a code used twice is refused and its access token revoked', async () => {
    const sim = simulator();
    const redirect = sim.authorize(goodRequest, BSN, SUBSTANTIEEL);
    const back = new URL(redirect);
    assert.equal(back.searchParams.get('state'), 'state-1');
    assert.equal(back.searchParams.get('iss'), ISSUER);
    const code = codeOf(redirect);

    const first = await sim.token(undefined, { ...tokenRequest(code), ...(await auth()) });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const { payload, protectedHeader } = await jwtVerify(
      String(first.body.id_token),
      createLocalJWKSet(await sim.jwks()),
      {
        issuer: ISSUER,
        audience: 'koepel',
      },
    );
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.bsn, undefined, 'no BSN in the ID token, as MAX');
    assert.equal(payload.acr, undefined);
    assert.equal(payload.nonce, 'nonce-1');
    assert.notEqual(payload.sub, '999993653', 'the subject is a pseudonym, not the BSN');

    const token = String(first.body.access_token);
    const info = await sim.userinfo(`Bearer ${token}`);
    assert.ok('jwt' in info);
    const opened = await openUserinfo(sim, info.jwt);
    assert.equal(opened.header.alg, 'RSA-OAEP');
    assert.equal(opened.header.enc, 'A128CBC-HS256');
    assert.equal(opened.header.cty, 'JWT');
    assert.equal(opened.payload.bsn, '999993653');
    assert.equal(opened.payload.loa_authn, 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard');
    assert.equal(opened.payload.sub, payload.sub);
    assert.equal(typeof opened.payload.session_id, 'string');

    const second = await sim.token(undefined, { ...tokenRequest(code), ...(await auth()) });
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'invalid_grant');
    assert.equal((await sim.userinfo(`Bearer ${token}`)).status, 401, 'the replay revoked the access token');
  });

  test('the token endpoint refuses a bad client assertion, a wrong PKCE verifier and a wrong redirect URI', async () => {
    const sim = simulator();
    const newCode = () => tokenRequest(codeOf(sim.authorize(goodRequest, BSN, SUBSTANTIEEL)));
    const other = testRpKeySet('not-koepel');
    for (const [what, params] of [
      ['an unknown key', await auth({ keys: other.keys })],
      ['another client_id', await auth({ clientId: 'evil' })],
      ['another audience', await auth({ audience: 'https://elsewhere.example' })],
      ['no assertion', { client_id: 'koepel' }],
      ['a client secret', { client_id: 'koepel', client_secret: 'guess' }],
    ] as const) {
      const answer = await sim.token(undefined, { ...newCode(), ...params });
      assert.equal(answer.status, 401, what);
      assert.equal(answer.body.error, 'invalid_client', what);
    }
    const basic = await sim.token(`Basic ${Buffer.from('koepel:guess').toString('base64')}`, newCode());
    assert.equal(basic.status, 400, 'client_secret_basic is not offered');
    const once = await auth({ jti: 'same-jti' });
    assert.equal((await sim.token(undefined, { ...newCode(), ...once })).status, 200);
    const replayed = await sim.token(undefined, { ...newCode(), ...once });
    assert.equal(replayed.status, 401, 'a client assertion is accepted once');

    const wrongVerifier = await sim.token(undefined, {
      ...tokenRequest(codeOf(sim.authorize(goodRequest, BSN, SUBSTANTIEEL)), { code_verifier: 'b'.repeat(43) }),
      ...(await auth()),
    });
    assert.equal(wrongVerifier.body.error, 'invalid_grant');
    const wrongRedirect = await sim.token(undefined, {
      ...tokenRequest(codeOf(sim.authorize(goodRequest, BSN, SUBSTANTIEEL)), {
        redirect_uri: 'https://portal.example/other',
      }),
      ...(await auth()),
    });
    assert.equal(wrongRedirect.body.error, 'invalid_grant');
  });

  test('a code expires after 60 seconds', async (t) => {
    const sim = simulator();
    const code = codeOf(sim.authorize(goodRequest, BSN, SUBSTANTIEEL));
    const now = Date.now();
    t.mock.method(Date, 'now', () => now + 61_000);
    const late = await sim.token(undefined, { ...tokenRequest(code), ...(await auth()) });
    assert.equal(late.status, 400);
    assert.equal(late.body.error, 'invalid_grant');
  });

  test('each level carries its own SAML AuthnContextClassRef in loa_authn', async () => {
    const sim = simulator();
    for (const level of DIGID_LEVELS) {
      const answer = await sim.token(undefined, {
        ...tokenRequest(codeOf(sim.authorize(goodRequest, BSN, level))),
        ...(await auth()),
      });
      const info = await sim.userinfo(`Bearer ${String(answer.body.access_token)}`);
      assert.ok('jwt' in info);
      assert.equal((await openUserinfo(sim, info.jwt)).payload.loa_authn, level.acr);
      assert.equal(decodeJwt(String(answer.body.id_token)).sub !== undefined, true);
    }
  });
});

describe('DigiD simulator (HTTP)', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  test('discovery and JWKS are served at the issuer', async () => {
    const res = await fetch(`${k.url}/digid-simulator/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const meta = (await res.json()) as Record<string, unknown>;
    assert.equal(meta.issuer, k.config.digid.issuer);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.equal(meta.token_endpoint, `${k.config.digid.issuer}/token`);
    const keys = (await (await fetch(String(meta.jwks_uri))).json()) as { keys: { kty: string; d?: string }[] };
    assert.equal(keys.keys.length, 1);
    assert.equal(keys.keys[0]?.kty, 'RSA');
    assert.equal(keys.keys[0]?.d, undefined, 'no private key material');
  });

  test('an unknown client or redirect URI gets an error page, never a redirect', async () => {
    const c = new HttpClient(k.url);
    const { form } = await openSimulator(c);
    for (const bad of [{ client_id: 'evil' }, { redirect_uri: 'https://evil.example/callback' }] as Record<
      string,
      string
    >[]) {
      const res = await c.get(`/digid-simulator/authorize?${new URLSearchParams({ ...form, ...bad }).toString()}`);
      assert.equal(res.status, 400);
      assert.equal(res.location, null);
      assert.match(res.text, /Ongeldig inlogverzoek/);
    }
  });

  test("the simulator's form is CSRF-protected", async () => {
    const c = new HttpClient(k.url);
    const { form } = await openSimulator(c);
    const res = await choose(c, { ...form, _csrf: 'forged' }, { person: '999993653' });
    assert.equal(res.status, 403);
    assert.equal(res.location, null);
    const stranger = new HttpClient(k.url);
    const res2 = await choose(stranger, form, { person: '999993653' });
    assert.equal(res2.status, 403, 'another browser (without the session) cannot submit it');
  });

  test('the form asks for a person and a level', async () => {
    const c = new HttpClient(k.url);
    const { page, form } = await openSimulator(c);
    assert.match(page.text, /Suzanne Maria de Vries \(BSN 999993653\)/);
    for (const name of ['Basis', 'Midden', 'Substantieel', 'Hoog']) assert.match(page.text, new RegExp(name));
    assert.doesNotMatch(page.text, /name="level"[^>]*checked/, 'no level is chosen for the citizen');
    const noLevel = await choose(c, form, { person: '999993653', level: '' as never });
    assert.equal(noLevel.status, 400, 'a person without a level does not log in');
    assert.match(noLevel.text, /Kies een betrouwbaarheidsniveau/);
    const missing = await c.post('/digid-simulator/authorize', {
      ...form,
      person: '',
      bsn: '',
      level: '',
      action: 'login',
    });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /Kies een testpersoon of vul een BSN in/);
    assert.match(missing.text, /Kies een betrouwbaarheidsniveau/);
  });

  test('the token endpoint answers JSON errors with the OAuth error codes', async () => {
    const res = await fetch(`${k.url}/digid-simulator/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'nonsense',
        redirect_uri: `${k.url}/login/digid/callback`,
        code_verifier: VERIFIER,
        client_id: 'koepel',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await clientAssertion(k.config.digid.keys, {
          clientId: 'koepel',
          audience: k.config.digid.issuer,
        }),
      }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(((await res.json()) as { error: string }).error, 'invalid_grant');
    const info = await fetch(`${k.url}/digid-simulator/userinfo`, { headers: { authorization: 'Bearer nonsense' } });
    assert.equal(info.status, 401);
  });
});

describe('DigiD simulator in production configuration', () => {
  test('is not mounted when the simulator is off', async () => {
    const k = await startKoepel({
      KOEPEL_DIGID_SIMULATOR: 'false',
      KOEPEL_DIGID_ISSUER: 'https://digid-bridge.example',
      KOEPEL_DIGID_CLIENT_ID: 'koepel',
      KOEPEL_DIGID_KEYS: KOEPEL.json,
    });
    try {
      const res = await fetch(`${k.url}/digid-simulator/.well-known/openid-configuration`);
      assert.equal(res.status, 404);
      assert.equal(k.koepel.app.hasRoute({ method: 'POST', url: '/digid-simulator/token' }), false);
      assert.equal(k.koepel.app.hasRoute({ method: 'POST', url: '/brp-fixture/personen' }), false);
    } finally {
      await k.close();
    }
  });
});
