// Koepel as OpenID Connect relying party of a DigiD bridge (the built-in simulator, or e.g. MAX), with openid-client:
// authorization code flow with PKCE S256, state and nonce; openid-client checks the ID token's issuer, audience,
// expiry and nonce, and Koepel checks its signature against the provider's JWKS (jose).
// Client authentication at the token endpoint as configured (config.digid.clientAuth): private_key_jwt with Koepel's
// own signing key (what MAX asks), none (client_id and PKCE only), or a client secret. client_id is in the token
// request body with private_key_jwt and none, as MAX requires.
// Userinfo may come as JSON, as a signed JWT, or — as MAX always sends it — as a JWE encrypted to Koepel's encryption
// key wrapping a JWT signed by the provider: decrypted and verified here with jose (readUserinfo).
// The signature is checked here rather than with openid-client's non-repudiation checks because a provider may rotate
// its key under the same `kid`: openid-client then keeps the cached JWKS (up to five minutes) and every login fails.
// Here a signature that does not verify against the cached keys makes one fresh JWKS fetch (at most one per
// JWKS_FORCED_REFRESH_MS, so forged tokens cannot make Koepel hammer the provider) and one second verification.
// With the built-in simulator the HTTP calls (discovery, token, jwks, userinfo) go in-process through app.inject;
// plain http is allowed only then, or to a loopback issuer outside production (config.ts).
import type { FastifyInstance, InjectOptions } from 'fastify';
import {
  compactDecrypt,
  compactVerify,
  createRemoteJWKSet,
  customFetch as joseCustomFetch,
  decodeProtectedHeader,
  errors as joseErrors,
  importJWK,
} from 'jose';
import * as oidc from 'openid-client';
import type { DigidClientAuth } from '../../platform/config.js';
import { encryptionKeys, signingKey, type RpKey } from '../../platform/crypto/private-jwks.js';

export const DIGID_LOGIN_PATH = '/login/digid';
export const DIGID_CALLBACK_PATH = '/login/digid/callback';
/** Where Koepel publishes the public halves of its DigiD keys (a JWK Set: no personal data, no secret). */
export const DIGID_JWKS_PATH = '/login/digid/jwks';
/** How long a started login may take before its callback is refused. */
export const PENDING_LOGIN_MS = 10 * 60_000;

/** What the session keeps between the start of a login and its callback. */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  startedAt: number;
}

export function parsePendingLogin(v: unknown): PendingLogin | null {
  if (!v || typeof v !== 'object') return null;
  const p = v as Record<string, unknown>;
  if (
    typeof p.state !== 'string' ||
    typeof p.nonce !== 'string' ||
    typeof p.verifier !== 'string' ||
    typeof p.startedAt !== 'number'
  ) {
    return null;
  }
  return { state: p.state, nonce: p.nonce, verifier: p.verifier, startedAt: p.startedAt };
}

export interface DigidClientOptions {
  issuer: string;
  clientId: string;
  /** Used only with client_secret_basic and client_secret_post. */
  clientSecret: string;
  clientAuth: DigidClientAuth;
  /** Koepel's own keys: the first "sig" key signs client assertions, every "enc" key may decrypt userinfo. */
  keys: readonly RpKey[];
  redirectUri: string;
  /** Allows http:// (the built-in simulator, or a loopback issuer outside production: config.digid.allowHttp). */
  allowInsecure: boolean;
  /** At most one JWKS fetch forced by a failed signature per this many milliseconds (default JWKS_FORCED_REFRESH_MS). */
  forcedJwksRefreshMs?: number;
  fetch?: oidc.CustomFetch;
}

/** At most one JWKS fetch forced by a failed signature per this many milliseconds. */
export const JWKS_FORCED_REFRESH_MS = 10_000;

/** Where talking to the provider failed. */
export type DigidStep = 'discovery' | 'token' | 'jwks' | 'userinfo';

/**
 * The provider could not be reached (discovery, token endpoint down, plain http not allowed): a 503, not the
 * citizen's fault. `step` and `detail` say why, for the operator's log: an error code or HTTP status, never a
 * response body, a token or anything about the citizen.
 */
export class DigidUnavailableError extends Error {
  constructor(
    readonly step: DigidStep = 'discovery',
    readonly detail: string = 'unknown',
  ) {
    super(`DigiD provider unreachable (${step}: ${detail})`);
    this.name = 'DigidUnavailableError';
  }
}

/** The authorization response or the tokens did not check out (forged, replayed, expired, mismatched). */
export class DigidResponseError extends Error {
  constructor(readonly reason: string) {
    super(`DigiD response refused: ${reason}`);
    this.name = 'DigidResponseError';
  }
}

function isNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return true;
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) return true;
  return isNetworkError((err as { cause?: unknown }).cause);
}

/**
 * Why the provider's answer was refused, for the audit record: the OAuth error code the provider sent (e.g.
 * invalid_client, invalid_grant), else openid-client's check that failed (e.g. OAUTH_JWT_CLAIM_COMPARISON_FAILED).
 */
function refusalReason(err: unknown): string {
  const e = err as { error?: unknown; code?: unknown; name?: unknown } | null;
  const raw =
    err instanceof oidc.ResponseBodyError || err instanceof oidc.AuthorizationResponseError
      ? e?.error
      : err instanceof oidc.ClientError
        ? (e?.code ?? 'client-error')
        : err instanceof Error
          ? err.name
          : 'error';
  return (
    String(raw)
      .replace(/[^A-Za-z0-9_.-]/g, '')
      .slice(0, 60) || 'error'
  );
}

/** Whether the provider answered with a server error (5xx): its trouble, not a forged or bad response. */
function isServerError(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const e = current as Error & { status?: unknown; cause?: unknown };
    if (typeof e.status === 'number' && e.status >= 500) return true;
    if (e.cause instanceof Response) return e.cause.status >= 500;
    current = e.cause;
  }
  return false;
}

/** A short, safe description of why a call to the provider failed: codes and statuses only, never a message body. */
export function failureDetail(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const e = current as Error & { code?: unknown; status?: unknown; cause?: unknown };
    if (typeof e.code === 'string') parts.push(e.code);
    else if (e.name === 'AbortError' || e.name === 'TimeoutError') parts.push('timeout');
    if (typeof e.status === 'number') parts.push(`HTTP ${e.status}`);
    current = e.cause;
    // openid-client puts the offending Response in `cause` for an unexpected status.
    if (current instanceof Response) {
      parts.push(`HTTP ${current.status}`);
      break;
    }
  }
  const detail = [...new Set(parts)]
    .join(' ')
    .replace(/[^A-Za-z0-9 _.:-]/g, '')
    .slice(0, 120);
  return detail || (err instanceof Error ? err.name.replace(/[^A-Za-z0-9]/g, '') : 'error');
}

type RemoteJwks = ReturnType<typeof createRemoteJWKSet>;

export class DigidClient {
  private configuration: Promise<oidc.Configuration> | null = null;
  private jwks: { uri: string; set: RemoteJwks } | null = null;
  private lastForcedRefresh = -Infinity;

  constructor(private readonly opts: DigidClientOptions) {}

  /** The provider's signing keys (jose's remote JWKS: cached, refetched for an unknown kid after a cooldown). */
  private keySet(config: oidc.Configuration): RemoteJwks {
    const uri = config.serverMetadata().jwks_uri;
    if (!uri) throw new DigidUnavailableError('discovery', 'no jwks_uri');
    if (this.jwks?.uri === uri) return this.jwks.set;
    const url = new URL(uri);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.opts.allowInsecure)) {
      throw new DigidUnavailableError('jwks', 'jwks_uri is not https');
    }
    const fetch = this.opts.fetch;
    const set = createRemoteJWKSet(url, {
      timeoutDuration: 10_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
      ...(fetch
        ? {
            [joseCustomFetch]: (u: string, o: { headers: Headers; method: 'GET'; signal: AbortSignal }) =>
              fetch(u, { ...o, headers: Object.fromEntries(o.headers), body: null, redirect: 'manual' }),
          }
        : {}),
    });
    this.jwks = { uri, set };
    return set;
  }

  /**
   * Checks the ID token's signature against the provider's JWKS. When it does not verify with the cached keys, the
   * JWKS is fetched once more (rate-limited) and the signature checked again: a key rotated under the same kid.
   */
  private async verifyProviderSignature(
    config: oidc.Configuration,
    jws: string,
    what: 'id-token' | 'userinfo',
  ): Promise<Uint8Array> {
    const metadata = config.serverMetadata();
    const supported =
      what === 'id-token'
        ? metadata.id_token_signing_alg_values_supported
        : metadata.userinfo_signing_alg_values_supported;
    const algorithms = (supported ?? ['RS256']).filter((a) => a !== 'none' && !a.startsWith('HS'));
    if (algorithms.length === 0) algorithms.push('RS256');
    const keys = this.keySet(config);
    const verify = async () => (await compactVerify(jws, keys, { algorithms })).payload;
    const refused = () => new DigidResponseError(`${what}-signature`);
    try {
      return await verify();
    } catch (err) {
      if (!(err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey)) {
        throw this.jwksFailure(err, what);
      }
      const now = Date.now();
      if (now - this.lastForcedRefresh < (this.opts.forcedJwksRefreshMs ?? JWKS_FORCED_REFRESH_MS)) throw refused();
      this.lastForcedRefresh = now;
    }
    try {
      await keys.reload();
    } catch (err) {
      throw this.jwksFailure(err, what);
    }
    try {
      return await verify();
    } catch (err) {
      if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) {
        throw refused();
      }
      throw this.jwksFailure(err, what);
    }
  }

  private jwksFailure(err: unknown, what: 'id-token' | 'userinfo'): Error {
    if (err instanceof DigidUnavailableError || err instanceof DigidResponseError) return err;
    if (err instanceof joseErrors.JWKSInvalid || err instanceof joseErrors.JWKSTimeout || isNetworkError(err)) {
      return new DigidUnavailableError('jwks', failureDetail(err));
    }
    // jose reports an unexpected HTTP status of the JWKS endpoint as a generic error.
    if (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC') {
      return new DigidUnavailableError('jwks', 'unexpected HTTP status');
    }
    // Anything else is about the token itself (malformed, an algorithm not allowed).
    if (err instanceof joseErrors.JOSEError) return new DigidResponseError(`${what}-${err.code}`);
    return new DigidUnavailableError('jwks', failureDetail(err));
  }

  private config(): Promise<oidc.Configuration> {
    this.configuration ??= this.discover().catch((err: unknown) => {
      this.configuration = null; // try again at the next login
      throw err;
    });
    return this.configuration;
  }

  private async discover(): Promise<oidc.Configuration> {
    const execute: ((config: oidc.Configuration) => void)[] = [];
    // Deliberate, and only for the built-in simulator or a loopback issuer outside production (config.digid.allowHttp).
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    if (this.opts.allowInsecure) execute.push(oidc.allowInsecureRequests);
    const options: oidc.DiscoveryRequestOptions = { execute, timeout: 10 };
    if (this.opts.fetch) options[oidc.customFetch] = this.opts.fetch;
    const auth = await this.clientAuthentication();
    try {
      return await oidc.discovery(
        new URL(this.opts.issuer),
        this.opts.clientId,
        {
          redirect_uris: [this.opts.redirectUri],
          response_types: ['code'],
          token_endpoint_auth_method: this.opts.clientAuth,
          ...(auth.secret ? { client_secret: auth.secret } : {}),
        },
        auth.method,
        options,
      );
    } catch (err) {
      throw new DigidUnavailableError('discovery', failureDetail(err));
    }
  }

  /** openid-client's client authentication for the configured method (config.ts made sure its key or secret exists). */
  private async clientAuthentication(): Promise<{ method: oidc.ClientAuth; secret?: string }> {
    switch (this.opts.clientAuth) {
      case 'private_key_jwt': {
        const key = signingKey(this.opts.keys);
        if (!key) throw new Error('private_key_jwt without a signing key'); // config.ts refuses this at start
        const privateKey = await importJWK(key.privateKey.export({ format: 'jwk' }), key.alg);
        if (!(privateKey instanceof CryptoKey)) throw new Error('the signing key is not an asymmetric key');
        // openid-client puts client_id in the body next to client_assertion, as MAX requires.
        return { method: oidc.PrivateKeyJwt({ key: privateKey, kid: key.kid }) };
      }
      case 'none':
        return { method: oidc.None() };
      case 'client_secret_post':
        return { method: oidc.ClientSecretPost(this.opts.clientSecret), secret: this.opts.clientSecret };
      case 'client_secret_basic':
        return { method: oidc.ClientSecretBasic(this.opts.clientSecret), secret: this.opts.clientSecret };
    }
  }

  /** The URL to send the browser to, and what the session must remember until the callback. */
  async startLogin(): Promise<{ url: string; pending: PendingLogin }> {
    const config = await this.config();
    const verifier = oidc.randomPKCECodeVerifier();
    const pending: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier,
      startedAt: Date.now(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.opts.redirectUri,
      scope: 'openid',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.toString(), pending };
  }

  /**
   * Checks the authorization response (state, iss), redeems the code (with the PKCE verifier), validates the ID
   * token (signature, iss, aud, exp, nonce) and returns its claims — with the userinfo claims when the ID token
   * carries no BSN (as with bridges that put it in userinfo only).
   */
  async completeLogin(currentUrl: URL, pending: PendingLogin): Promise<Record<string, unknown>> {
    const config = await this.config();
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      if (isNetworkError(err) || isServerError(err)) throw new DigidUnavailableError('token', failureDetail(err));
      throw new DigidResponseError(refusalReason(err));
    }
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new DigidResponseError('no-id-token');
    await this.verifyProviderSignature(config, tokens.id_token, 'id-token');
    if (typeof claims.bsn === 'string') return { ...claims };
    const info = await this.fetchUserinfo(config, tokens.access_token, claims.sub);
    // The ID token's own claims win where both carry one (iss, aud, sub, nonce were checked on the ID token).
    return { ...info, ...claims };
  }

  /** GETs userinfo with the access token and reads it (readUserinfo). */
  private async fetchUserinfo(
    config: oidc.Configuration,
    accessToken: string,
    expectedSub: string,
  ): Promise<Record<string, unknown>> {
    // MAX serves /userinfo under its issuer, but some of its versions leave userinfo_endpoint out of discovery.
    const metadata = config.serverMetadata();
    const endpoint = metadata.userinfo_endpoint ?? `${metadata.issuer.replace(/\/$/, '')}/userinfo`;
    let res: Response;
    try {
      res = await oidc.fetchProtectedResource(
        config,
        accessToken,
        new URL(endpoint),
        'GET',
        undefined,
        new Headers({
          accept: 'application/jwt, application/json',
        }),
      );
    } catch (err) {
      if (isNetworkError(err)) throw new DigidUnavailableError('userinfo', failureDetail(err));
      throw new DigidResponseError('userinfo');
    }
    if (res.status >= 500) throw new DigidUnavailableError('userinfo', `HTTP ${res.status}`);
    if (res.status !== 200) throw new DigidResponseError(`userinfo-http-${res.status}`);
    const body = (await res.text()).trim();
    return this.readUserinfo(config, body, res.headers.get('content-type') ?? '', expectedSub);
  }

  /**
   * A userinfo answer as claims: JSON; a JWT signed by the provider; or a JWE encrypted to one of Koepel's "enc" keys,
   * wrapping such a JWT (MAX) or JSON. A signed JWT must verify against the provider's JWKS, and its `iss` and `aud`,
   * when present, must name the provider and Koepel; `sub` must be the ID token's (OIDC Core §5.3.2).
   */
  async readUserinfo(
    config: oidc.Configuration,
    body: string,
    contentType: string,
    expectedSub: string,
  ): Promise<Record<string, unknown>> {
    let text = body;
    let signed = false;
    const parts = body.split('.').length;
    const jwt = /^application\/(jwt|jose)\b/i.test(contentType) || /^[\w-]+(\.[\w-]*){2,4}$/.test(body);
    if (jwt && parts === 5) text = await this.decryptUserinfo(body);
    if (jwt && text.split('.').length === 3 && !text.startsWith('{')) {
      const payload = await this.verifyProviderSignature(config, text, 'userinfo');
      text = new TextDecoder().decode(payload);
      signed = true;
    } else if (jwt && parts !== 5) {
      throw new DigidResponseError('userinfo-format');
    }
    let info: unknown;
    try {
      info = JSON.parse(text);
    } catch {
      throw new DigidResponseError('userinfo-format');
    }
    if (!info || typeof info !== 'object' || Array.isArray(info)) throw new DigidResponseError('userinfo-format');
    const claims = info as Record<string, unknown>;
    if (claims.sub !== expectedSub) throw new DigidResponseError('userinfo-sub-mismatch');
    if (signed) {
      if (claims.iss !== undefined && claims.iss !== config.serverMetadata().issuer) {
        throw new DigidResponseError('userinfo-issuer');
      }
      const aud = claims.aud;
      if (
        aud !== undefined &&
        !(aud === this.opts.clientId || (Array.isArray(aud) && aud.includes(this.opts.clientId)))
      ) {
        throw new DigidResponseError('userinfo-audience');
      }
      if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now() - CLOCK_TOLERANCE_MS) {
        throw new DigidResponseError('userinfo-expired');
      }
    }
    return claims;
  }

  /**
   * Decrypts a userinfo JWE with Koepel's encryption keys: the one its `kid` names, else each in turn (MAX names the
   * key by x5t, not kid). Only asymmetric key management and the standard content encryptions are allowed.
   */
  private async decryptUserinfo(jwe: string): Promise<string> {
    const keys = encryptionKeys(this.opts.keys);
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(jwe).kid;
    } catch {
      throw new DigidResponseError('userinfo-format');
    }
    const named = keys.filter((k) => k.kid === kid);
    const candidates = named.length > 0 ? named : keys;
    for (const key of candidates) {
      try {
        const { plaintext } = await compactDecrypt(jwe, key.privateKey, {
          keyManagementAlgorithms: [key.alg],
          contentEncryptionAlgorithms: CONTENT_ENCRYPTION_ALGORITHMS,
        });
        return new TextDecoder().decode(plaintext).trim();
      } catch (err) {
        if (!(err instanceof joseErrors.JOSEError)) throw err;
      }
    }
    // Encrypted to a key Koepel does not hold (or not to Koepel at all): the bridge has an old or wrong public key.
    throw new DigidResponseError('userinfo-decrypt');
  }
}

/** Content encryption Koepel accepts in a userinfo JWE (MAX uses A128CBC-HS256). */
const CONTENT_ENCRYPTION_ALGORITHMS = [
  'A128CBC-HS256',
  'A192CBC-HS384',
  'A256CBC-HS512',
  'A128GCM',
  'A192GCM',
  'A256GCM',
];
/** Clock difference tolerated when checking a signed userinfo's expiry. */
const CLOCK_TOLERANCE_MS = 60_000;

/**
 * A fetch for openid-client that answers from the app itself (app.inject) — for the built-in simulator, which lives
 * in the same process. It refuses any URL outside the portal's own origin.
 */
export function inProcessFetch(app: FastifyInstance, publicUrl: string): oidc.CustomFetch {
  const origin = new URL(publicUrl).origin;
  return async (url, options) => {
    const target = new URL(url);
    if (target.origin !== origin)
      throw new TypeError('fetch failed: the in-process fetch only reaches the portal itself');
    const body = options.body;
    let payload: string | Buffer | undefined;
    if (typeof body === 'string') payload = body;
    else if (body instanceof URLSearchParams) payload = body.toString();
    else if (body instanceof Uint8Array) payload = Buffer.from(body);
    else if (body instanceof ArrayBuffer) payload = Buffer.from(body);
    else if (body != null) throw new TypeError('fetch failed: unsupported request body');
    const res = await app.inject({
      method: options.method.toUpperCase() as InjectOptions['method'],
      url: target.pathname + target.search,
      headers: options.headers,
      ...(payload !== undefined ? { payload } : {}),
      remoteAddress: '127.0.0.1',
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) headers.append(k, x);
      else headers.set(k, String(v));
    }
    const noBody = res.statusCode === 204 || res.statusCode === 304;
    return new Response(noBody ? null : new Uint8Array(res.rawPayload), { status: res.statusCode, headers });
  };
}
