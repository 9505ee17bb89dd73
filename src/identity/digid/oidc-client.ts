// Koepel as OpenID Connect relying party of a DigiD bridge (the built-in simulator, or e.g. MAX), with openid-client:
// authorization code flow with PKCE S256, state and nonce; openid-client checks the ID token's issuer, audience,
// expiry and nonce, and Koepel checks its signature against the provider's JWKS (jose).
// The signature is checked here rather than with openid-client's non-repudiation checks because a provider may rotate
// its key under the same `kid`: openid-client then keeps the cached JWKS (up to five minutes) and every login fails.
// Here a signature that does not verify against the cached keys makes one fresh JWKS fetch (at most one per
// JWKS_FORCED_REFRESH_MS, so forged tokens cannot make Koepel hammer the provider) and one second verification.
// With the built-in simulator the HTTP calls (discovery, token, jwks, userinfo) go in-process through app.inject;
// plain http is allowed only then, or to a loopback issuer outside production (config.ts).
import type { FastifyInstance, InjectOptions } from 'fastify';
import { compactVerify, createRemoteJWKSet, customFetch as joseCustomFetch, errors as joseErrors } from 'jose';
import * as oidc from 'openid-client';

export const DIGID_LOGIN_PATH = '/login/digid';
export const DIGID_CALLBACK_PATH = '/login/digid/callback';
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
  clientSecret: string;
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
  private async verifyIdTokenSignature(config: oidc.Configuration, idToken: string): Promise<void> {
    const supported = config.serverMetadata().id_token_signing_alg_values_supported;
    const algorithms = (supported ?? ['RS256']).filter((a) => a !== 'none' && !a.startsWith('HS'));
    const keys = this.keySet(config);
    const verify = () => compactVerify(idToken, keys, { algorithms });
    try {
      await verify();
      return;
    } catch (err) {
      if (!(err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey)) {
        throw this.jwksFailure(err);
      }
      const now = Date.now();
      if (now - this.lastForcedRefresh < (this.opts.forcedJwksRefreshMs ?? JWKS_FORCED_REFRESH_MS)) {
        throw new DigidResponseError('id-token-signature');
      }
      this.lastForcedRefresh = now;
    }
    try {
      await keys.reload();
    } catch (err) {
      throw this.jwksFailure(err);
    }
    try {
      await verify();
    } catch (err) {
      if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) {
        throw new DigidResponseError('id-token-signature');
      }
      throw this.jwksFailure(err);
    }
  }

  private jwksFailure(err: unknown): Error {
    if (err instanceof DigidUnavailableError || err instanceof DigidResponseError) return err;
    if (err instanceof joseErrors.JWKSInvalid || err instanceof joseErrors.JWKSTimeout || isNetworkError(err)) {
      return new DigidUnavailableError('jwks', failureDetail(err));
    }
    // jose reports an unexpected HTTP status of the JWKS endpoint as a generic error.
    if (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC') {
      return new DigidUnavailableError('jwks', 'unexpected HTTP status');
    }
    // Anything else is about the token itself (malformed, an algorithm not allowed).
    if (err instanceof joseErrors.JOSEError) return new DigidResponseError(err.code);
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
    try {
      return await oidc.discovery(
        new URL(this.opts.issuer),
        this.opts.clientId,
        { client_secret: this.opts.clientSecret, redirect_uris: [this.opts.redirectUri], response_types: ['code'] },
        oidc.ClientSecretBasic(this.opts.clientSecret),
        options,
      );
    } catch (err) {
      throw new DigidUnavailableError('discovery', failureDetail(err));
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
      if (isNetworkError(err)) throw new DigidUnavailableError('token', failureDetail(err));
      throw new DigidResponseError(
        err instanceof oidc.ClientError ? (err.code ?? 'client-error') : err instanceof Error ? err.name : 'error',
      );
    }
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new DigidResponseError('no-id-token');
    await this.verifyIdTokenSignature(config, tokens.id_token);
    if (typeof claims.bsn === 'string') return { ...claims };
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      return { ...info, ...claims };
    } catch (err) {
      if (isNetworkError(err)) throw new DigidUnavailableError('userinfo', failureDetail(err));
      throw new DigidResponseError('userinfo');
    }
  }
}

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
