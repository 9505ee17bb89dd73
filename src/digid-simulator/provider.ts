// The DigiD simulator's OpenID Provider logic, shaped like the government's MAX bridge (minvws/nl-rdo-max):
// discovery, authorize, token, jwks, userinfo; authorization code flow with PKCE S256 only; one client (Koepel).
// Written on `jose` rather than with oidc-provider because oidc-provider needs cookies of its own (interaction and
// session cookies on the portal's host), and Koepel promises exactly one cookie (PZ-11, LU-8). The simulator's
// login form is protected by Koepel's own session-bound CSRF token instead.
// Codes are single-use, live 60 seconds and are bound to the client, the redirect URI and the PKCE challenge; a
// second use of a code revokes the access token the first use produced (RFC 6749 §4.1.2). State lives in memory:
// the simulator is for the demo and tests (one process), never for production (config.ts refuses it there).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Bsn } from '../identity/index.js';
import { DIGID_LEVELS, type DigidLevel } from '../identity/index.js';

export const SIMULATOR_PATH = '/digid-simulator';
const CODE_TTL_MS = 60_000;
const ACCESS_TOKEN_TTL_S = 300;
const ID_TOKEN_TTL_S = 120; // DigiD assertions are valid for about two minutes
const MAX_ENTRIES = 10_000;

export interface SimulatorOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** false: the BSN only in userinfo, as the MAX bridge does (default true: in the ID token too). */
  bsnInIdToken?: boolean;
}

/** A validated authorization request (the parameters the login form carries along). */
export interface AuthorizationRequest {
  client_id: string;
  redirect_uri: string;
  response_type: 'code';
  scope: string;
  state?: string;
  nonce?: string;
  code_challenge: string;
  code_challenge_method: 'S256';
}

export type AuthorizationCheck =
  | { ok: true; request: AuthorizationRequest }
  /** Client or redirect URI not recognised: never redirect, show an error page. */
  | { ok: false; fatal: true; error: 'invalid_client' | 'invalid_redirect_uri' }
  /** Anything else: tell the client, by redirect. */
  | { ok: false; fatal: false; redirectTo: string };

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | undefined;
  bsn: Bsn;
  level: DigidLevel;
  authTime: number;
  expiresAt: number;
  used: boolean;
  accessToken: string | null;
}

interface AccessGrant {
  claims: Record<string, string>;
  expiresAt: number;
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const b64url = (buf: Buffer) => buf.toString('base64url');
const random = (bytes = 32) => b64url(randomBytes(bytes));

function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a === b;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export class DigidSimulator {
  private readonly codes = new Map<string, CodeGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  private readonly subjectKey = randomBytes(32);
  private signing: Promise<{ privateKey: CryptoKey; jwk: JWK; kid: string }> | null = null;

  constructor(readonly opts: SimulatorOptions) {}

  private keys() {
    this.signing ??= (async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      const jwk = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(jwk);
      return { privateKey, jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' }, kid };
    })();
    return this.signing;
  }

  discovery(): Record<string, unknown> {
    const { issuer } = this.opts;
    return {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      userinfo_endpoint: `${issuer}/userinfo`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      userinfo_signing_alg_values_supported: ['none'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['openid'],
      claims_supported: ['sub', 'bsn', 'acr', 'loa_authn', 'auth_time', 'nonce'],
      acr_values_supported: DIGID_LEVELS.map((l) => l.acr),
      authorization_response_iss_parameter_supported: true,
      claims_parameter_supported: false,
      request_parameter_supported: false,
    };
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.keys()).jwk] };
  }

  /** Checks an authorization request (query of GET /authorize, or the hidden fields of the login form). */
  checkAuthorizationRequest(params: Record<string, unknown>): AuthorizationCheck {
    const clientId = str(params.client_id);
    const redirectUri = str(params.redirect_uri);
    if (clientId !== this.opts.clientId) return { ok: false, fatal: true, error: 'invalid_client' };
    if (redirectUri !== this.opts.redirectUri) return { ok: false, fatal: true, error: 'invalid_redirect_uri' };
    const state = str(params.state);
    const fail = (error: string, description: string) => ({
      ok: false as const,
      fatal: false as const,
      redirectTo: this.redirect(redirectUri, { error, error_description: description, state }),
    });
    if (state !== undefined && (state.length === 0 || state.length > 512))
      return fail('invalid_request', 'state is too long');
    if (str(params.response_type) !== 'code')
      return fail('unsupported_response_type', 'only the code flow is supported');
    const scope = str(params.scope) ?? '';
    if (!scope.split(' ').includes('openid')) return fail('invalid_scope', 'scope must include openid');
    const challenge = str(params.code_challenge);
    if (str(params.code_challenge_method) !== 'S256' || !challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return fail('invalid_request', 'PKCE with code_challenge_method S256 is required');
    }
    const nonce = str(params.nonce);
    if (nonce !== undefined && (nonce.length === 0 || nonce.length > 512))
      return fail('invalid_request', 'nonce is too long');
    if (str(params.prompt) === 'none') return fail('login_required', 'the simulator always asks');
    return {
      ok: true,
      request: {
        client_id: clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope,
        ...(state !== undefined ? { state } : {}),
        ...(nonce !== undefined ? { nonce } : {}),
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
    };
  }

  /** The redirect back to the client when the tester cancels. */
  cancel(request: AuthorizationRequest): string {
    return this.redirect(request.redirect_uri, {
      error: 'access_denied',
      error_description: 'the user cancelled the login',
      state: request.state,
    });
  }

  /** The tester chose a person and a level: issue a code and return the redirect back to the client. */
  authorize(request: AuthorizationRequest, bsn: Bsn, level: DigidLevel): string {
    this.sweep();
    const code = random();
    this.codes.set(code, {
      clientId: request.client_id,
      redirectUri: request.redirect_uri,
      codeChallenge: request.code_challenge,
      nonce: request.nonce,
      bsn,
      level,
      authTime: Math.floor(Date.now() / 1000),
      expiresAt: Date.now() + CODE_TTL_MS,
      used: false,
      accessToken: null,
    });
    return this.redirect(request.redirect_uri, { code, state: request.state });
  }

  /** POST /token. `authorization` is the request's Authorization header, `body` its form parameters. */
  async token(authorization: string | undefined, body: Record<string, unknown>): Promise<TokenAnswer> {
    const error = (
      status: number,
      code: string,
      description: string,
      headers?: Record<string, string>,
    ): TokenAnswer => ({
      status,
      body: { error: code, error_description: description },
      ...(headers ? { headers } : {}),
    });
    // Client authentication: client_secret_basic or client_secret_post (RFC 6749 §2.3.1).
    let clientId: string | undefined;
    let secret: string | undefined;
    let basic = false;
    if (authorization?.startsWith('Basic ')) {
      basic = true;
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        try {
          clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
          secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
        } catch {
          clientId = undefined;
        }
      }
    } else {
      clientId = str(body.client_id);
      secret = str(body.client_secret);
    }
    if (
      !clientId ||
      !secret ||
      !safeEqual(clientId, this.opts.clientId) ||
      !safeEqual(secret, this.opts.clientSecret)
    ) {
      return error(
        401,
        'invalid_client',
        'client authentication failed',
        basic ? { 'WWW-Authenticate': 'Basic realm="digid-simulator"' } : undefined,
      );
    }
    if (str(body.grant_type) !== 'authorization_code')
      return error(400, 'unsupported_grant_type', 'only authorization_code');
    const code = str(body.code) ?? '';
    const grant = this.codes.get(code);
    if (!grant || grant.expiresAt < Date.now()) {
      this.codes.delete(code);
      return error(400, 'invalid_grant', 'unknown or expired code');
    }
    if (grant.used) {
      // A code presented twice: someone replays it. Revoke what the first use produced.
      if (grant.accessToken) this.accessTokens.delete(grant.accessToken);
      return error(400, 'invalid_grant', 'code already used');
    }
    grant.used = true;
    if (grant.clientId !== clientId || str(body.redirect_uri) !== grant.redirectUri) {
      return error(400, 'invalid_grant', 'code was issued to another client or redirect_uri');
    }
    const verifier = str(body.code_verifier) ?? '';
    if (
      !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) ||
      !safeEqual(b64url(createHash('sha256').update(verifier).digest()), grant.codeChallenge)
    ) {
      return error(400, 'invalid_grant', 'PKCE verification failed');
    }

    const sub = b64url(createHmac('sha256', this.subjectKey).update(grant.bsn).digest());
    const claims = { sub, bsn: grant.bsn, acr: grant.level.acr, loa_authn: grant.level.eidas };
    const accessToken = random();
    grant.accessToken = accessToken;
    this.accessTokens.set(accessToken, { claims, expiresAt: Date.now() + ACCESS_TOKEN_TTL_S * 1000 });

    const { privateKey, kid } = await this.keys();
    const idToken = await new SignJWT({
      ...(this.opts.bsnInIdToken === false ? {} : { bsn: grant.bsn }),
      acr: grant.level.acr,
      loa_authn: grant.level.eidas,
      auth_time: grant.authTime,
      ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(this.opts.issuer)
      .setAudience(clientId)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(`${ID_TOKEN_TTL_S}s`)
      .setJti(random(16))
      .sign(privateKey);
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: ACCESS_TOKEN_TTL_S,
        scope: 'openid',
        id_token: idToken,
      },
      headers: { Pragma: 'no-cache' },
    };
  }

  /** GET/POST /userinfo with a bearer access token. */
  userinfo(authorization: string | undefined): TokenAnswer {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
    const grant = this.accessTokens.get(token);
    if (!grant || grant.expiresAt < Date.now()) {
      return {
        status: 401,
        body: { error: 'invalid_token', error_description: 'unknown, expired or revoked access token' },
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      };
    }
    return { status: 200, body: { ...grant.claims } };
  }

  private redirect(uri: string, params: Record<string, string | undefined>): string {
    const url = new URL(uri);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    url.searchParams.set('iss', this.opts.issuer);
    return url.toString();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, g] of this.codes) if (g.expiresAt < now || this.codes.size > MAX_ENTRIES) this.codes.delete(k);
    for (const [k, g] of this.accessTokens)
      if (g.expiresAt < now || this.accessTokens.size > MAX_ENTRIES) this.accessTokens.delete(k);
  }
}
