// Self-test of the MAX-shaped test provider (test/support/max-oidc-provider.ts), driven by openid-client and jose
// directly — no Koepel code — so that a Koepel test failing against it is Koepel's fault, not the provider's.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  compactDecrypt,
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import * as oidc from 'openid-client';
import { HttpClient } from './http-client.js';
import { MAX_SIGNING_KID, MaxOidcProvider, type MaxClientRegistration } from './max-oidc-provider.js';

const SMARTCARD = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard';
const EIDAS_SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';
// The redirect URI is never fetched: authorize() stops at the redirect to it.
const REDIRECT_URI = 'http://127.0.0.1:9/login/digid/callback';

interface ClientKeys {
  sig: CryptoKey;
  enc: CryptoKey;
  jwks: { keys: JWK[] };
}

/** The client's key pairs as Koepel would hold them: RS256 for private_key_jwt, RSA-OAEP for the userinfo JWE. */
async function clientKeys(): Promise<ClientKeys> {
  const sig = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const enc = await generateKeyPair('RSA-OAEP', { extractable: true, modulusLength: 2048 });
  return {
    sig: sig.privateKey,
    enc: enc.privateKey,
    jwks: {
      keys: [
        { ...(await exportJWK(sig.publicKey)), kid: 'koepel-sig', use: 'sig', alg: 'RS256' },
        { ...(await exportJWK(enc.publicKey)), kid: 'koepel-enc', use: 'enc', alg: 'RSA-OAEP' },
      ],
    },
  };
}

/** What a client sent (form bodies) and got back (bodies), to see what went over the wire. */
interface Wire {
  sent: URLSearchParams[];
  received: string[];
}

function recordingFetch(wire: Wire): oidc.CustomFetch {
  return async (url, options) => {
    if (typeof options.body === 'string') wire.sent.push(new URLSearchParams(options.body));
    else if (options.body instanceof URLSearchParams) wire.sent.push(new URLSearchParams(options.body));
    const res = await fetch(url, options as RequestInit);
    wire.received.push(await res.clone().text());
    return res;
  };
}

async function discover(op: MaxOidcProvider, auth: oidc.ClientAuth, wire?: Wire) {
  const config = await oidc.discovery(new URL(op.issuer), op.client.clientId, undefined, auth, {
    // The provider is http:// on loopback.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    execute: [oidc.allowInsecureRequests],
  });
  if (wire) config[oidc.customFetch] = recordingFetch(wire);
  return config;
}

/** A full authorization: authorize (browser-like, through the provider's automatic login) and the token request. */
async function login(op: MaxOidcProvider, config: oidc.Configuration, opts: { verifier?: string } = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await op.authorize(url);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: opts.verifier ?? verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  return { tokens, nonce, callback };
}

async function providerJwks(op: MaxOidcProvider): Promise<JSONWebKeySet> {
  const res = await fetch(`${op.issuer}/jwks`);
  assert.equal(res.status, 200);
  return (await res.json()) as JSONWebKeySet;
}

/** The userinfo as MAX sends it: checks the JWE, decrypts it with the client's key, verifies the JWS inside. */
async function userinfo(op: MaxOidcProvider, config: oidc.Configuration, accessToken: string, keys: ClientKeys) {
  const endpoint = config.serverMetadata().userinfo_endpoint;
  assert.ok(endpoint);
  const res = await oidc.fetchProtectedResource(config, accessToken, new URL(endpoint), 'GET');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/jwt');
  const jwe = await res.text();
  assert.equal(jwe.split('.').length, 5, 'a compact JWE (five parts)');
  const header = decodeProtectedHeader(jwe);
  assert.equal(header.alg, 'RSA-OAEP');
  assert.equal(header.enc, 'A128CBC-HS256');
  assert.equal(header.cty, 'JWT');
  const { plaintext } = await compactDecrypt(jwe, keys.enc);
  const jws = new TextDecoder().decode(plaintext);
  assert.equal(jws.split('.').length, 3, 'a compact JWS inside');
  const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(await providerJwks(op)), {
    issuer: op.issuer,
    audience: op.client.clientId,
    algorithms: ['RS256'],
  });
  assert.equal(protectedHeader.alg, 'RS256');
  return payload;
}

describe('MaxOidcProvider: private_key_jwt client', () => {
  let keys: ClientKeys;
  let op: MaxOidcProvider;
  let config: oidc.Configuration;
  const wire: Wire = { sent: [], received: [] };

  before(async () => {
    keys = await clientKeys();
    op = new MaxOidcProvider(
      { clientId: 'koepel-test', redirectUri: REDIRECT_URI, authMethod: 'private_key_jwt', jwks: keys.jwks },
      { extraClaims: ['test_marker'] },
    );
    await op.start();
    config = await discover(op, oidc.PrivateKeyJwt({ key: keys.sig, kid: 'koepel-sig' }), wire);
  });
  after(() => op.stop());

  test('discovery states what MAX supports', async () => {
    const m = config.serverMetadata();
    assert.equal(m.issuer, op.issuer);
    assert.ok(op.issuer.startsWith('http://127.0.0.1:'));
    assert.equal(m.authorization_endpoint, `${op.issuer}/authorize`);
    assert.equal(m.token_endpoint, `${op.issuer}/token`);
    assert.equal(m.userinfo_endpoint, `${op.issuer}/userinfo`);
    assert.equal(m.jwks_uri, `${op.issuer}/jwks`);
    assert.deepEqual(m.response_types_supported, ['code']);
    assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
    assert.deepEqual([...(m.token_endpoint_auth_methods_supported ?? [])].sort(), ['none', 'private_key_jwt']);
    assert.deepEqual(m.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(m.token_endpoint_auth_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(m.userinfo_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(m.userinfo_encryption_alg_values_supported, ['RSA-OAEP']);
    assert.deepEqual(m.userinfo_encryption_enc_values_supported, ['A128CBC-HS256']);
    assert.deepEqual(m.id_token_encryption_alg_values_supported ?? [], [], 'no encrypted ID tokens');
    assert.equal(m.pushed_authorization_request_endpoint, undefined);
    assert.deepEqual(m.scopes_supported, ['openid']);
    assert.deepEqual(m.subject_types_supported, ['pairwise']);
    assert.deepEqual(m.grant_types_supported, ['authorization_code']);
    assert.equal(m.authorization_response_iss_parameter_supported, true);
    const jwks = await providerJwks(op);
    assert.deepEqual(
      jwks.keys.map((k) => [k.kid, k.kty, k.alg, k.use]),
      [[MAX_SIGNING_KID, 'RSA', 'RS256', 'sig']],
    );
    assert.equal(jwks.keys[0]?.d, undefined, 'no private part');
  });

  test('a login with private_key_jwt: ID token without the BSN, userinfo a JWE around a signed JWS with bsn and loa_authn', async () => {
    op.nextLogin = { bsn: '999993653', loa_authn: SMARTCARD, extra: { test_marker: 'x' } };
    const { tokens, nonce, callback } = await login(op, config);

    assert.equal(callback.searchParams.get('iss'), op.issuer, 'iss in the authorization response');
    // What went over the wire: client_id in the body, with a client_assertion (as MAX's TokenRequest requires).
    const body = wire.sent.at(-1);
    assert.equal(body?.get('grant_type'), 'authorization_code');
    assert.equal(body?.get('client_id'), 'koepel-test');
    assert.equal(body?.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.ok(body?.get('client_assertion'));
    assert.ok(body?.get('code_verifier'));

    // The ID token: RS256, signed by a key in the provider's JWKS; sub, aud, iss, nonce, exp, iat; nothing about the person.
    assert.ok(tokens.id_token);
    const { payload: id, protectedHeader } = await jwtVerify(
      tokens.id_token,
      createLocalJWKSet(await providerJwks(op)),
      { issuer: op.issuer, audience: 'koepel-test', algorithms: ['RS256'] },
    );
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(protectedHeader.kid, MAX_SIGNING_KID);
    assert.equal(id.nonce, nonce);
    assert.equal(typeof id.sub, 'string');
    assert.equal(typeof id.exp, 'number');
    assert.equal(typeof id.iat, 'number');
    for (const claim of ['bsn', 'loa_authn', 'acr', 'session_id', 'test_marker']) {
      assert.equal(id[claim], undefined, `no ${claim} in the ID token`);
    }

    const info = await userinfo(op, config, tokens.access_token, keys);
    assert.equal(info.bsn, '999993653');
    assert.equal(info.loa_authn, SMARTCARD);
    assert.equal(info.sub, id.sub);
    assert.equal(info.aud, 'koepel-test');
    assert.equal(info.iss, op.issuer);
    assert.equal(typeof info.session_id, 'string');
    assert.equal(info.test_marker, 'x');
    assert.equal(op.serverErrors.length, 0);
  });

  test('without bsn the userinfo lacks it; an eIDAS level passes as given; sub is the same for every login (as MAX)', async () => {
    op.nextLogin = { loa_authn: EIDAS_SUBSTANTIAL };
    const first = await login(op, config);
    const info = await userinfo(op, config, first.tokens.access_token, keys);
    assert.equal('bsn' in info, false);
    assert.equal(info.loa_authn, EIDAS_SUBSTANTIAL);

    op.nextLogin = { bsn: '999990019', loa_authn: SMARTCARD };
    const second = await login(op, config);
    const info2 = await userinfo(op, config, second.tokens.access_token, keys);
    assert.equal(info2.bsn, '999990019', 'the second login is who nextLogin says, not the first');
    assert.equal(decodeJwt(second.tokens.id_token ?? '').sub, decodeJwt(first.tokens.id_token ?? '').sub);
    assert.notEqual(info2.session_id, info.session_id);
  });

  test("the tests' browser stand-in (HttpClient: cookies, manual redirects) completes the login", async () => {
    op.nextLogin = { bsn: '999993653', loa_authn: SMARTCARD };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'st',
    });
    const c = new HttpClient(op.issuer);
    let res = await c.get(url.href);
    const hops: string[] = [];
    while (res.location && !res.location.startsWith(REDIRECT_URI) && hops.length < 10) {
      hops.push(new URL(res.location, op.issuer).pathname.replace(/[^/]{20,}/g, ':uid'));
      res = await c.get(new URL(res.location, op.issuer).href);
    }
    assert.equal(res.status, 303);
    assert.deepEqual(hops, ['/interaction/:uid', '/authorize/:uid'], 'authorize → interaction → resume → client');
    assert.ok(
      [...c.cookies.keys()].some((name) => name.startsWith('_interaction')),
      "the provider's own cookies",
    );
    const back = new URL(res.location ?? '');
    assert.ok(back.searchParams.get('code'));
    assert.equal(back.searchParams.get('state'), 'st');
    assert.equal(back.searchParams.get('iss'), op.issuer);
  });

  test('a token request without a valid client assertion is refused', async () => {
    op.nextLogin = { bsn: '999993653', loa_authn: SMARTCARD };
    const stranger = await generateKeyPair('RS256', { extractable: true });
    const wrongKey = await discover(op, oidc.PrivateKeyJwt({ key: stranger.privateKey, kid: 'koepel-sig' }));
    await assert.rejects(login(op, wrongKey), (err: unknown) => {
      assert.ok(err instanceof oidc.ResponseBodyError);
      assert.equal(err.error, 'invalid_client');
      return true;
    });
    const noAssertion = await discover(op, oidc.None());
    await assert.rejects(login(op, noAssertion), (err: unknown) => {
      assert.ok(err instanceof oidc.ResponseBodyError);
      assert.equal(err.error, 'invalid_client');
      return true;
    });
  });

  test('as MAX, the token request needs client_id in the body also with a valid client_assertion', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const code = async () => {
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return (await op.authorize(url)).searchParams.get('code') ?? '';
    };
    const assertion = () =>
      new SignJWT({ jti: oidc.randomState() })
        .setProtectedHeader({ alg: 'RS256', kid: 'koepel-sig' })
        .setIssuer('koepel-test')
        .setSubject('koepel-test')
        .setAudience(op.issuer)
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(keys.sig);
    const tokenRequest = async (withClientId: boolean) => {
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code: await code(),
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(),
      });
      if (withClientId) form.set('client_id', 'koepel-test');
      return fetch(`${op.issuer}/token`, { method: 'POST', body: form });
    };
    const without = await tokenRequest(false);
    assert.equal(without.status, 400);
    const refusal = (await without.json()) as { error?: string; error_description?: string };
    assert.equal(refusal.error, 'invalid_request');
    assert.match(refusal.error_description ?? '', /client_id/);
    const withId = await tokenRequest(true);
    assert.equal(withId.status, 200);
    assert.ok(((await withId.json()) as { id_token?: string }).id_token);
  });

  test('a wrong PKCE verifier is refused, and an authorization request without PKCE too', async () => {
    await assert.rejects(login(op, config, { verifier: oidc.randomPKCECodeVerifier() }), (err: unknown) => {
      assert.ok(err instanceof oidc.ResponseBodyError);
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
    });
    const back = await op.authorize(url);
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.match(back.searchParams.get('error_description') ?? '', /PKCE/);
  });

  test('a cancelled DigiD login comes back as login_required', async () => {
    op.nextLogin = { cancelled: true };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'st',
    });
    const back = await op.authorize(url);
    assert.equal(back.searchParams.get('error'), 'login_required');
    assert.equal(back.searchParams.get('state'), 'st');
    assert.equal(back.searchParams.get('code'), null);
  });

  test('signWithUnknownKey: the ID token (and the userinfo JWS) no longer verify against the JWKS, under the same or a new kid', async () => {
    op.nextLogin = { bsn: '999993653', loa_authn: SMARTCARD };
    try {
      for (const mode of [true, 'new-kid'] as const) {
        op.signWithUnknownKey = mode;
        const { tokens } = await login(op, config);
        const jwks = createLocalJWKSet(await providerJwks(op));
        const kid = decodeProtectedHeader(tokens.id_token ?? '').kid;
        assert.equal(kid, mode === true ? MAX_SIGNING_KID : 'unknown-signing-key');
        await assert.rejects(jwtVerify(tokens.id_token ?? '', jwks), (err: unknown) => {
          assert.ok(err instanceof Error);
          assert.match(err.name, /JWSSignatureVerificationFailed|JWKSNoMatchingKey/);
          return true;
        });
        await assert.rejects(userinfo(op, config, tokens.access_token, keys), /signature|matching/i);
      }
    } finally {
      op.signWithUnknownKey = false;
    }
    const { tokens } = await login(op, config);
    await jwtVerify(tokens.id_token ?? '', createLocalJWKSet(await providerJwks(op)));
  });

  test('idTokenTtlSeconds: a short TTL is used as is; a negative one gives an expired ID token that the client refuses', async () => {
    op.nextLogin = { bsn: '999993653', loa_authn: SMARTCARD };
    try {
      op.idTokenTtlSeconds = 5;
      const short = decodeJwt((await login(op, config)).tokens.id_token ?? '');
      assert.equal((short.exp ?? 0) - (short.iat ?? 0), 5);

      op.idTokenTtlSeconds = -3600;
      await assert.rejects(login(op, config), (err: unknown) => {
        assert.ok(err instanceof oidc.ClientError);
        assert.equal(err.code, 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED');
        assert.match((err.cause as Error).message, /"exp"/);
        return true;
      });
      // The expired token is still the provider's own: its signature verifies against the JWKS; exp an hour ago.
      const answer = JSON.parse(wire.received.at(-1) ?? '{}') as { id_token?: string };
      assert.ok(answer.id_token);
      const { payload } = await compactVerify(answer.id_token, createLocalJWKSet(await providerJwks(op)));
      const claims = JSON.parse(new TextDecoder().decode(payload)) as { exp: number; iat: number };
      assert.ok(Math.abs(claims.exp - (Date.now() / 1000 - 3600)) < 30, 'exp about an hour ago');
      assert.ok(claims.iat < claims.exp);
    } finally {
      op.idTokenTtlSeconds = 600;
    }
  });

  test('rotateKey: a new key under the same kid, published at once', async () => {
    const before = await providerJwks(op);
    await op.rotateKey();
    const rotated = await providerJwks(op);
    assert.equal(rotated.keys[0]?.kid, MAX_SIGNING_KID);
    assert.notEqual(rotated.keys[0]?.n, before.keys[0]?.n);
    const { tokens } = await login(op, config);
    await compactVerify(tokens.id_token ?? '', createLocalJWKSet(rotated));
    await assert.rejects(compactVerify(tokens.id_token ?? '', createLocalJWKSet(before)));
  });

  test('down() and up(): refused, 503 or no answer, then back on the same address', async () => {
    const discovery = `${op.issuer}/.well-known/openid-configuration`;
    await op.down('refused');
    // The first request may still meet the closed keep-alive connection (UND_ERR_SOCKET); a new one is refused.
    await assert.rejects(fetch(discovery), TypeError);
    await assert.rejects(fetch(discovery), (err: unknown) => {
      assert.ok(err instanceof TypeError);
      assert.equal((err.cause as { code?: string } | undefined)?.code, 'ECONNREFUSED');
      return true;
    });
    await op.up();
    assert.equal((await fetch(discovery)).status, 200);

    await op.down('unavailable');
    assert.equal((await fetch(discovery)).status, 503);
    await op.up();

    await op.down('hang');
    await assert.rejects(fetch(discovery, { signal: AbortSignal.timeout(300) }), /abort|timeout/i);
    await op.up();
    assert.equal((await fetch(discovery)).status, 200);
  });
});

describe('MaxOidcProvider: none client (PKCE only), keys from a JWKS URL', () => {
  let keys: ClientKeys;
  let op: MaxOidcProvider;
  let jwksServer: Server;
  let jwksFetches = 0;

  before(async () => {
    keys = await clientKeys();
    jwksServer = createServer((_req, res) => {
      jwksFetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(keys.jwks));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
    const registration: MaxClientRegistration = {
      clientId: 'koepel-public',
      redirectUri: REDIRECT_URI,
      authMethod: 'none',
      jwksUri,
    };
    op = new MaxOidcProvider(registration);
    await op.start();
  });
  after(async () => {
    await op.stop();
    jwksServer.closeAllConnections();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  test('a login with none and PKCE: client_id in the body, no assertion; the userinfo encrypted to the key from the JWKS URL', async () => {
    const wire: Wire = { sent: [], received: [] };
    const config = await discover(op, oidc.None(), wire);
    op.nextLogin = { bsn: '999993653', loa_authn: EIDAS_SUBSTANTIAL };
    const { tokens } = await login(op, config);
    const body = wire.sent.at(-1);
    assert.equal(body?.get('client_id'), 'koepel-public');
    assert.equal(body?.get('client_assertion'), null);
    assert.equal(decodeJwt(tokens.id_token ?? '').bsn, undefined);
    const info = await userinfo(op, config, tokens.access_token, keys);
    assert.equal(info.bsn, '999993653');
    assert.equal(info.loa_authn, EIDAS_SUBSTANTIAL);
    assert.ok(jwksFetches > 0, 'the provider fetched the client JWKS');
  });

  test('the none client without the right verifier gets no tokens', async () => {
    const config = await discover(op, oidc.None());
    await assert.rejects(login(op, config, { verifier: oidc.randomPKCECodeVerifier() }), (err: unknown) => {
      assert.ok(err instanceof oidc.ResponseBodyError);
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
  });
});
