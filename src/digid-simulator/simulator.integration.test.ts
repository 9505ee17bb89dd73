import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient } from '../../test/support/http-client.js';
import { parseBsn, type Bsn } from '../identity/bsn.js';
import { DIGID_LEVELS, levelByKey, type DigidLevel } from '../identity/digid/levels.js';
import { choose, openSimulator } from '../identity/digid/test-driver.js';
import { DigidSimulator, type AuthorizationRequest } from './provider.js';

const ISSUER = 'https://portal.example/digid-simulator';
const REDIRECT = 'https://portal.example/login/digid/callback';
const SECRET = 'simulator-secret';
const VERIFIER = 'a'.repeat(43) + 'verifier-for-tests';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const BSN = parseBsn('999993653') as Bsn;
const SUBSTANTIEEL = levelByKey('substantieel') as DigidLevel;

function simulator() {
  return new DigidSimulator({ issuer: ISSUER, clientId: 'koepel', clientSecret: SECRET, redirectUri: REDIRECT });
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

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

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

  test('a code gives a signed ID token with bsn, level and nonce; used twice it is refused and its access token revoked', async () => {
    const sim = simulator();
    const redirect = sim.authorize(goodRequest, BSN, SUBSTANTIEEL);
    const back = new URL(redirect);
    assert.equal(back.searchParams.get('state'), 'state-1');
    assert.equal(back.searchParams.get('iss'), ISSUER);
    const code = codeOf(redirect);

    const first = await sim.token(basic('koepel', SECRET), tokenRequest(code));
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
    assert.equal(payload.bsn, '999993653');
    assert.equal(payload.acr, 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard');
    assert.equal(payload.loa_authn, 'http://eidas.europa.eu/LoA/substantial');
    assert.equal(payload.nonce, 'nonce-1');
    assert.notEqual(payload.sub, '999993653', 'the subject is a pseudonym, not the BSN');

    const token = String(first.body.access_token);
    const info = sim.userinfo(`Bearer ${token}`);
    assert.equal(info.status, 200);
    assert.equal(info.body.bsn, '999993653');

    const second = await sim.token(basic('koepel', SECRET), tokenRequest(code));
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'invalid_grant');
    assert.equal(sim.userinfo(`Bearer ${token}`).status, 401, 'the replay revoked the access token');
  });

  test('the token endpoint refuses a wrong client secret, a wrong PKCE verifier and a wrong redirect URI', async () => {
    const sim = simulator();
    const wrongSecret = await sim.token(
      basic('koepel', 'guess'),
      tokenRequest(codeOf(sim.authorize(goodRequest, BSN, SUBSTANTIEEL))),
    );
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.body.error, 'invalid_client');
    const post = await sim.token(undefined, {
      ...tokenRequest(codeOf(sim.authorize(goodRequest, BSN, SUBSTANTIEEL))),
      client_id: 'koepel',
      client_secret: SECRET,
    });
    assert.equal(post.status, 200, 'client_secret_post works too');

    const wrongVerifier = await sim.token(
      basic('koepel', SECRET),
      tokenRequest(codeOf(sim.authorize(goodRequest, BSN, SUBSTANTIEEL)), { code_verifier: 'b'.repeat(43) }),
    );
    assert.equal(wrongVerifier.body.error, 'invalid_grant');
    const wrongRedirect = await sim.token(
      basic('koepel', SECRET),
      tokenRequest(codeOf(sim.authorize(goodRequest, BSN, SUBSTANTIEEL)), {
        redirect_uri: 'https://portal.example/other',
      }),
    );
    assert.equal(wrongRedirect.body.error, 'invalid_grant');
  });

  test('a code expires after 60 seconds', async (t) => {
    const sim = simulator();
    const code = codeOf(sim.authorize(goodRequest, BSN, SUBSTANTIEEL));
    const now = Date.now();
    t.mock.method(Date, 'now', () => now + 61_000);
    const late = await sim.token(basic('koepel', SECRET), tokenRequest(code));
    assert.equal(late.status, 400);
    assert.equal(late.body.error, 'invalid_grant');
  });

  test('each level carries its own SAML AuthnContextClassRef', async () => {
    const sim = simulator();
    const jwks = createLocalJWKSet(await sim.jwks());
    for (const level of DIGID_LEVELS) {
      const answer = await sim.token(
        basic('koepel', SECRET),
        tokenRequest(codeOf(sim.authorize(goodRequest, BSN, level))),
      );
      const { payload } = await jwtVerify(String(answer.body.id_token), jwks, { issuer: ISSUER, audience: 'koepel' });
      assert.equal(payload.acr, level.acr);
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
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic('koepel', k.config.digid.clientSecret),
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'nonsense',
        redirect_uri: `${k.url}/login/digid/callback`,
        code_verifier: VERIFIER,
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
      KOEPEL_DIGID_CLIENT_SECRET: 'secret',
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
