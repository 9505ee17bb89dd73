import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { CustomFetch } from 'openid-client';
import { DigidSimulator } from '../../digid-simulator/provider.js';
import { parseBsn, type Bsn } from '../bsn.js';
import { levelByKey, type DigidLevel } from './levels.js';
import { DigidClient, DigidResponseError, DigidUnavailableError, failureDetail } from './oidc-client.js';

// The relying party against a provider over https (no insecure-request allowance), answered by a fake fetch that
// routes to DigidSimulator instances. `keysFrom` lets the JWKS come from another provider than the one signing.
const ISSUER = 'https://digid-bridge.example';
const REDIRECT = 'https://portal.example/login/digid/callback';
const SECRET = 'client-secret';
const BSN = parseBsn('999993653') as Bsn;
const LEVEL = levelByKey('substantieel') as DigidLevel;

function provider() {
  return new DigidSimulator({ issuer: ISSUER, clientId: 'koepel', clientSecret: SECRET, redirectUri: REDIRECT });
}

function fakeFetch(op: DigidSimulator, keysFrom: DigidSimulator = op): CustomFetch {
  return async (url, options) => {
    const u = new URL(url);
    const header = (name: string) => Object.entries(options.headers).find(([k]) => k.toLowerCase() === name)?.[1];
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (u.pathname === '/.well-known/openid-configuration') return json(200, op.discovery());
    if (u.pathname === '/jwks') return json(200, await keysFrom.jwks());
    if (u.pathname === '/token') {
      const answer = await op.token(
        header('authorization'),
        Object.fromEntries(new URLSearchParams(options.body as URLSearchParams | string)),
      );
      return json(answer.status, answer.body);
    }
    if (u.pathname === '/userinfo') {
      const answer = op.userinfo(header('authorization'));
      return json(answer.status, answer.body);
    }
    return json(404, {});
  };
}

async function roundTrip(client: DigidClient, op: DigidSimulator, change?: (callback: URL) => void) {
  const { url, pending } = await client.startLogin();
  const params = Object.fromEntries(new URL(url).searchParams);
  const check = op.checkAuthorizationRequest(params);
  assert.ok(check.ok, 'the relying party sends a valid authorization request (code, S256, state, nonce)');
  assert.equal(params.code_challenge_method, 'S256');
  assert.ok(params.state && params.nonce);
  const callback = new URL(op.authorize(check.request, BSN, LEVEL));
  change?.(callback);
  return client.completeLogin(callback, pending);
}

function client(fetch: CustomFetch, forcedJwksRefreshMs?: number) {
  return new DigidClient({
    issuer: ISSUER,
    clientId: 'koepel',
    clientSecret: SECRET,
    redirectUri: REDIRECT,
    allowInsecure: false,
    fetch,
    ...(forcedJwksRefreshMs !== undefined ? { forcedJwksRefreshMs } : {}),
  });
}

describe('DigiD relying party (openid-client)', () => {
  test('a genuine response gives the claims: bsn and level', async () => {
    const op = provider();
    const claims = await roundTrip(client(fakeFetch(op)), op);
    assert.equal(claims.bsn, '999993653');
    assert.equal(claims.acr, LEVEL.acr);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, 'koepel');
  });

  test("an ID token not signed with the provider's published key is refused", async () => {
    const op = provider();
    await assert.rejects(roundTrip(client(fakeFetch(op, provider())), op), DigidResponseError);
  });

  test('a response from another issuer (iss parameter) is refused', async () => {
    const op = provider();
    await assert.rejects(
      roundTrip(client(fakeFetch(op)), op, (u) => u.searchParams.set('iss', 'https://evil.example')),
      DigidResponseError,
    );
  });

  test('when the ID token carries no BSN (as with the MAX bridge), it is taken from userinfo', async () => {
    for (const bsnInIdToken of [true, false]) {
      const op = new DigidSimulator({
        issuer: ISSUER,
        clientId: 'koepel',
        clientSecret: SECRET,
        redirectUri: REDIRECT,
        bsnInIdToken,
      });
      let sawUserinfo = false;
      const base = fakeFetch(op);
      const spy: CustomFetch = async (url, options) => {
        if (new URL(url).pathname === '/userinfo') sawUserinfo = true;
        return base(url, options);
      };
      const claims = await roundTrip(client(spy), op);
      assert.equal(claims.bsn, '999993653');
      assert.equal(claims.acr, LEVEL.acr, 'the level still comes from the ID token');
      assert.equal(sawUserinfo, !bsnInIdToken);
    }
  });

  test('an unreachable provider is reported as unavailable, and discovery is retried at the next login', async () => {
    const op = provider();
    let down = true;
    const base = fakeFetch(op);
    const flaky: CustomFetch = async (url, options) => {
      if (down) throw new TypeError('fetch failed');
      return base(url, options);
    };
    const c = client(flaky);
    await assert.rejects(c.startLogin(), { name: 'DigidUnavailableError' });
    down = false;
    const { url } = await c.startLogin();
    assert.ok(url.startsWith(`${ISSUER}/authorize?`));
  });

  test('plain http is refused unless explicitly allowed (only for the built-in simulator)', async () => {
    const op = new DigidSimulator({
      issuer: 'http://digid-bridge.example',
      clientId: 'koepel',
      clientSecret: SECRET,
      redirectUri: REDIRECT,
    });
    const insecure = new DigidClient({
      issuer: 'http://digid-bridge.example',
      clientId: 'koepel',
      clientSecret: SECRET,
      redirectUri: REDIRECT,
      allowInsecure: false,
      fetch: fakeFetch(op),
    });
    await assert.rejects(insecure.startLogin(), { name: 'DigidUnavailableError' });
  });

  test('a key changed under the same kid: one forced JWKS refetch per interval, then the signature verifies', async () => {
    const op = provider();
    const real = (await op.jwks()).keys[0] as JWK;
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const impostor: JWK = { ...(await exportJWK(publicKey)), kid: real.kid, alg: 'RS256', use: 'sig' };
    let published = impostor;
    let fetches = 0;
    const base = fakeFetch(op);
    const fetch: CustomFetch = async (url, options) => {
      if (new URL(url).pathname !== '/jwks') return base(url, options);
      fetches++;
      return new Response(JSON.stringify({ keys: [published] }), { headers: { 'content-type': 'application/json' } });
    };
    // The published key is not the signing one: one forced refetch, still not verified, refused.
    const rateLimited = client(fetch);
    await assert.rejects(roundTrip(rateLimited, op), { name: 'DigidResponseError', reason: 'id-token-signature' });
    assert.equal(fetches, 2, 'the first fetch, and one forced refetch');
    // The provider now publishes the right key, but the last forced refetch was just now: no refetch, refused.
    published = real;
    await assert.rejects(roundTrip(rateLimited, op), { name: 'DigidResponseError', reason: 'id-token-signature' });
    assert.equal(fetches, 2, 'rate-limited');
    // Once the interval has passed (here: no interval), the refetch finds the new key and the login goes through.
    published = impostor;
    fetches = 0;
    const eager = client(fetch, 0);
    await assert.rejects(roundTrip(eager, op), DigidResponseError);
    published = real;
    const claims = await roundTrip(eager, op);
    assert.equal(claims.bsn, '999993653');
    assert.equal(fetches, 3);
  });

  test('a JWKS endpoint that is down is reported as unavailable (jwks step), not as a bad response', async () => {
    const op = provider();
    const base = fakeFetch(op);
    const fetch: CustomFetch = async (url, options) =>
      new URL(url).pathname === '/jwks' ? new Response('no', { status: 502 }) : base(url, options);
    await assert.rejects(
      roundTrip(client(fetch), op),
      (err: unknown) => err instanceof DigidUnavailableError && err.step === 'jwks',
    );
  });

  test('failureDetail gives codes and statuses, never messages or bodies', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:443 for BSN 999993653'), { code: 'ECONNREFUSED' }),
    });
    assert.equal(failureDetail(refused), 'ECONNREFUSED');
    const status = Object.assign(new Error('unexpected HTTP status code'), {
      code: 'OAUTH_RESPONSE_IS_NOT_CONFORM',
      cause: new Response('<html>secret body</html>', { status: 404 }),
    });
    assert.equal(failureDetail(status), 'OAUTH_RESPONSE_IS_NOT_CONFORM HTTP 404');
    assert.equal(failureDetail(new DOMException('aborted', 'TimeoutError')), 'timeout');
    assert.equal(failureDetail('a string'), 'error');
  });
});
