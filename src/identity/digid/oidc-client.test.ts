import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompactEncrypt, decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { CustomFetch } from 'openid-client';
import { testRpKeySet } from '../../../test/support/digid-keys.js';
import { DigidSimulator } from '../../digid-simulator/provider.js';
import { parseBsn, type Bsn } from '../bsn.js';
import { levelByKey, type DigidLevel } from './levels.js';
import { DigidClient, DigidResponseError, DigidUnavailableError, failureDetail } from './oidc-client.js';

// The relying party against a provider over https (no insecure-request allowance), answered by a fake fetch that
// routes to DigidSimulator instances. `keysFrom` lets the JWKS come from another provider than the one signing.
// As with MAX: private_key_jwt with Koepel's signing key, userinfo a JWE to Koepel's encryption key.
const ISSUER = 'https://digid-bridge.example';
const REDIRECT = 'https://portal.example/login/digid/callback';
const BSN = parseBsn('999993653') as Bsn;
const LEVEL = levelByKey('substantieel') as DigidLevel;
const KOEPEL = testRpKeySet();

function provider(opts: { bsnInIdToken?: boolean; issuer?: string; clientJwks?: { keys: JWK[] } } = {}) {
  return new DigidSimulator({
    issuer: opts.issuer ?? ISSUER,
    clientId: 'koepel',
    clientJwks: opts.clientJwks ?? KOEPEL.jwks,
    redirectUri: REDIRECT,
    ...(opts.bsnInIdToken !== undefined ? { bsnInIdToken: opts.bsnInIdToken } : {}),
  });
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
      const answer = await op.userinfo(header('authorization'));
      if ('jwt' in answer) return new Response(answer.jwt, { headers: { 'content-type': 'application/jwt' } });
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
    clientSecret: '',
    clientAuth: 'private_key_jwt',
    keys: KOEPEL.keys,
    redirectUri: REDIRECT,
    allowInsecure: false,
    fetch,
    ...(forcedJwksRefreshMs !== undefined ? { forcedJwksRefreshMs } : {}),
  });
}

describe('DigiD relying party (openid-client)', () => {
  test('[MG-2] a genuine response gives the claims: bsn and level (loa_authn) from the encrypted userinfo', async () => {
    const op = provider();
    const bodies: string[] = [];
    const base = fakeFetch(op);
    const spy: CustomFetch = async (url, options) => {
      if (new URL(url).pathname === '/token')
        bodies.push(new URLSearchParams(options.body as URLSearchParams | string).toString());
      return base(url, options);
    };
    const claims = await roundTrip(client(spy), op);
    assert.equal(claims.bsn, '999993653');
    assert.equal(claims.loa_authn, LEVEL.acr);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, 'koepel');
    const form = new URLSearchParams(bodies[0]);
    assert.equal(form.get('client_id'), 'koepel', 'client_id in the token request body, as MAX requires');
    assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.ok(form.get('client_assertion'));
    assert.equal(form.get('client_secret'), null);
  });

  test('userinfo encrypted to a key Koepel does not hold is refused (userinfo-decrypt)', async () => {
    const other = testRpKeySet('someone-else');
    const op = provider({
      clientJwks: {
        keys: [
          ...(KOEPEL.jwks.keys.filter((k) => k.use === 'sig') as JWK[]),
          ...(other.jwks.keys.filter((k) => k.use === 'enc') as JWK[]),
        ],
      },
    });
    await assert.rejects(roundTrip(client(fakeFetch(op)), op), {
      name: 'DigidResponseError',
      reason: 'userinfo-decrypt',
    });
  });

  test('a client assertion signed with a key the provider does not know is refused at the token endpoint', async () => {
    const other = testRpKeySet('someone-else');
    const op = provider({ clientJwks: other.jwks });
    await assert.rejects(roundTrip(client(fakeFetch(op)), op), DigidResponseError);
  });

  test('userinfo signed by a key the provider does not publish, or about another subject, is refused', async () => {
    const op = provider();
    const base = fakeFetch(op);
    const { privateKey: forger } = await generateKeyPair('RS256');
    const providerKid = (await op.jwks()).keys[0]?.kid;
    const encKey = KOEPEL.jwks.keys.find((k) => k.use === 'enc') as JWK;
    let sub = '';
    const fetch: CustomFetch = async (url, options) => {
      const path = new URL(url).pathname;
      const res = await base(url, options);
      if (path === '/token') {
        const body = (await res.clone().json()) as { id_token: string };
        sub = decodeJwt(body.id_token).sub ?? '';
      }
      if (path !== '/userinfo') return res;
      // Correct shape (JWE to Koepel, RS256 inside, under the provider's kid) but signed by someone else.
      const jws = await new SignJWT({ sub, bsn: '999993653', loa_authn: LEVEL.acr })
        .setProtectedHeader({ alg: 'RS256', kid: providerKid ?? '' })
        .setIssuer(ISSUER)
        .setAudience('koepel')
        .sign(forger);
      const jwe = await new CompactEncrypt(new TextEncoder().encode(jws))
        .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', cty: 'JWT' })
        .encrypt(await importJWK(encKey, 'RSA-OAEP'));
      return new Response(jwe, { headers: { 'content-type': 'application/jwt' } });
    };
    await assert.rejects(roundTrip(client(fetch, 0), op), { name: 'DigidResponseError', reason: 'userinfo-signature' });

    // Plain JSON userinfo (allowed over TLS) about another subject than the ID token's.
    const json: CustomFetch = async (url, options) =>
      new URL(url).pathname === '/userinfo'
        ? new Response(JSON.stringify({ sub: 'someone-else', bsn: '999993653', loa_authn: LEVEL.acr }), {
            headers: { 'content-type': 'application/json' },
          })
        : base(url, options);
    await assert.rejects(roundTrip(client(json), op), { name: 'DigidResponseError', reason: 'userinfo-sub-mismatch' });
  });

  test('after a rotation (new pair added after the current one), the current key signs and both encryption keys decrypt', async () => {
    const next = testRpKeySet('next');
    const rotated = [...KOEPEL.keys, ...next.keys];
    const publicOf = (set: typeof KOEPEL, use: string) => set.jwks.keys.filter((k) => k.use === use) as JWK[];
    const rotatedClient = (fetch: CustomFetch) =>
      new DigidClient({
        issuer: ISSUER,
        clientId: 'koepel',
        clientSecret: '',
        clientAuth: 'private_key_jwt',
        keys: rotated,
        redirectUri: REDIRECT,
        allowInsecure: false,
        fetch,
      });
    // The bridge has not switched yet (old keys), and after it has switched its encryption to the new key.
    for (const enc of [KOEPEL, next]) {
      const op = provider({ clientJwks: { keys: [...publicOf(KOEPEL, 'sig'), ...publicOf(enc, 'enc')] } });
      const claims = await roundTrip(rotatedClient(fakeFetch(op)), op);
      assert.equal(claims.bsn, '999993653');
    }
    // A bridge that only knows the new signing key refuses: the new key signs only after "retire".
    const early = provider({ clientJwks: { keys: [...publicOf(next, 'sig'), ...publicOf(next, 'enc')] } });
    await assert.rejects(roundTrip(rotatedClient(fakeFetch(early)), early), DigidResponseError);
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
      const op = provider({ bsnInIdToken });
      let sawUserinfo = false;
      const base = fakeFetch(op);
      const spy: CustomFetch = async (url, options) => {
        if (new URL(url).pathname === '/userinfo') sawUserinfo = true;
        return base(url, options);
      };
      const claims = await roundTrip(client(spy), op);
      assert.equal(claims.bsn, '999993653');
      assert.equal(claims.acr ?? claims.loa_authn, LEVEL.acr);
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
    const op = provider({ issuer: 'http://digid-bridge.example' });
    const insecure = new DigidClient({
      issuer: 'http://digid-bridge.example',
      clientId: 'koepel',
      clientSecret: '',
      clientAuth: 'private_key_jwt',
      keys: KOEPEL.keys,
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
