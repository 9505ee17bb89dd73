// Koepel as OpenID Connect relying party of a DigiD bridge (the built-in simulator, or e.g. MAX), with openid-client:
// authorization code flow with PKCE S256, state and nonce; the ID token's signature is checked against the
// provider's JWKS (non-repudiation checks on), besides issuer, audience, expiry and nonce.
// With the built-in simulator the HTTP calls (discovery, token, jwks, userinfo) go in-process through app.inject,
// and plain http is allowed only then.
import type { FastifyInstance, InjectOptions } from 'fastify';
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
  /** Allows http:// (only for the built-in simulator). */
  allowInsecure: boolean;
  fetch?: oidc.CustomFetch;
}

/** The provider could not be reached (discovery, token endpoint down): a 503, not the citizen's fault. */
export class DigidUnavailableError extends Error {
  constructor() {
    super('DigiD provider unreachable');
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

export class DigidClient {
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(private readonly opts: DigidClientOptions) {}

  private config(): Promise<oidc.Configuration> {
    this.configuration ??= this.discover().catch((err: unknown) => {
      this.configuration = null; // try again at the next login
      throw err;
    });
    return this.configuration;
  }

  private async discover(): Promise<oidc.Configuration> {
    const execute = [oidc.enableNonRepudiationChecks];
    // Deliberate, and only for the built-in simulator (config.digid.simulator), which production refuses.
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
    } catch {
      throw new DigidUnavailableError();
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
      if (isNetworkError(err)) throw new DigidUnavailableError();
      throw new DigidResponseError(
        err instanceof oidc.ClientError ? (err.code ?? 'client-error') : err instanceof Error ? err.name : 'error',
      );
    }
    const claims = tokens.claims();
    if (!claims) throw new DigidResponseError('no-id-token');
    if (typeof claims.bsn === 'string') return { ...claims };
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      return { ...info, ...claims };
    } catch (err) {
      if (isNetworkError(err)) throw new DigidUnavailableError();
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
