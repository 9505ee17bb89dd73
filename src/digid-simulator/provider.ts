// The DigiD simulator's OpenID Provider logic, shaped like the government's MAX bridge (minvws/nl-rdo-max):
// discovery, authorize, token, jwks, userinfo; authorization code flow with PKCE S256 only; one client (Koepel).
// As MAX: the client authenticates with private_key_jwt (its public keys are Koepel's JWKS), with client_id in the
// body; the ID token carries no BSN and no level; userinfo is a JWE (RSA-OAEP, A128CBC-HS256, cty JWT) encrypted to
// the client's encryption key, wrapping an RS256 JWT with bsn, session_id and loa_authn (DigiD's SAML class).
// Written on `jose` rather than with oidc-provider because oidc-provider needs cookies of its own (interaction and
// session cookies on the portal's host), and Koepel promises exactly one cookie (PZ-11, LU-8). The simulator's
// login form is protected by Koepel's own session-bound CSRF token instead.
// Codes are single-use, live 60 seconds and are bound to the client, the redirect URI and the PKCE challenge; a
// second use of a code revokes the access token the first use produced (RFC 6749 §4.1.2). State lives in memory:
// the simulator is for the demo and tests (one process), never for production (config.ts refuses it there).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  calculateJwkThumbprint,
  CompactEncrypt,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
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
  /** The client's public keys (Koepel's JWKS): a "sig" key for its client assertions, an "enc" key for userinfo. */
  clientJwks: { keys: JWK[] };
  redirectUri: string;
  /** true: the BSN and level in the ID token too (other bridges do that); default false, as MAX. */
  bsnInIdToken?: boolean;
}

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

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

type ClientAuthResult = { ok: true; clientId: string } | { ok: false; description: string };

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
  /** Client assertion ids seen (until they expire): each assertion is accepted once. */
  private readonly assertionIds = new Map<string, number>();
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
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256'],
      userinfo_signing_alg_values_supported: ['RS256'],
      userinfo_encryption_alg_values_supported: ['RSA-OAEP'],
      userinfo_encryption_enc_values_supported: ['A128CBC-HS256'],
      scopes_supported: ['openid'],
      claims_supported: ['sub', 'bsn', 'session_id', 'loa_authn', 'auth_time', 'nonce'],
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

  /**
   * Checks a private_key_jwt client assertion: client_id in the body, an assertion signed by one of the client's
   * "sig" keys, iss = sub = client_id, aud naming the issuer or the token endpoint, not expired, used once.
   */
  private async authenticateClient(body: Record<string, unknown>): Promise<ClientAuthResult> {
    const clientId = str(body.client_id);
    if (!clientId || !safeEqual(clientId, this.opts.clientId)) return { ok: false, description: 'unknown client_id' };
    const assertion = str(body.client_assertion);
    if (str(body.client_assertion_type) !== CLIENT_ASSERTION_TYPE || !assertion) {
      return { ok: false, description: 'a private_key_jwt client assertion is required' };
    }
    const sigKeys = { keys: this.opts.clientJwks.keys.filter((k) => k.use !== 'enc') };
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, createLocalJWKSet(sigKeys), {
        issuer: clientId,
        subject: clientId,
        audience: [this.opts.issuer, `${this.opts.issuer}/token`],
        requiredClaims: ['exp', 'jti'],
        maxTokenAge: '5m',
        clockTolerance: 30,
      }));
    } catch {
      return { ok: false, description: 'the client assertion did not verify' };
    }
    const jti = String(payload.jti);
    const now = Date.now();
    for (const [k, until] of this.assertionIds) if (until < now) this.assertionIds.delete(k);
    if (this.assertionIds.has(jti)) return { ok: false, description: 'the client assertion was used before' };
    this.assertionIds.set(jti, (payload.exp ?? 0) * 1000 + 30_000);
    return { ok: true, clientId };
  }

  /** The client's public encryption key, to encrypt userinfo to (as MAX does with the key registered for a client). */
  private async clientEncryptionKey(): Promise<{ key: CryptoKey; alg: string; kid: string | undefined }> {
    const jwk = this.opts.clientJwks.keys.find((k) => k.use === 'enc');
    if (!jwk) throw new Error('the client has no encryption key');
    const alg = jwk.alg ?? 'RSA-OAEP';
    const key = await importJWK(jwk, alg);
    if (!(key instanceof CryptoKey)) throw new Error('the client encryption key is not asymmetric');
    return { key, alg, kid: jwk.kid };
  }

  /** POST /token. `authorization` is the request's Authorization header, `body` its form parameters. */
  async token(authorization: string | undefined, body: Record<string, unknown>): Promise<TokenAnswer> {
    const error = (status: number, code: string, description: string): TokenAnswer => ({
      status,
      body: { error: code, error_description: description },
    });
    // Client authentication: private_key_jwt with client_id in the body, as MAX (RFC 7523 §2.2, OIDC Core §9).
    if (authorization) return error(400, 'invalid_request', 'client authentication is private_key_jwt only');
    const auth = await this.authenticateClient(body);
    if (!auth.ok) return error(401, 'invalid_client', auth.description);
    const clientId = auth.clientId;
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
    // loa_authn as MAX passes it on from DigiD: the SAML AuthnContextClassRef of the level.
    const claims = { sub, bsn: grant.bsn, session_id: random(16), loa_authn: grant.level.acr };
    const accessToken = random();
    grant.accessToken = accessToken;
    this.accessTokens.set(accessToken, { claims, expiresAt: Date.now() + ACCESS_TOKEN_TTL_S * 1000 });

    const { privateKey, kid } = await this.keys();
    const idToken = await new SignJWT({
      ...(this.opts.bsnInIdToken === true ? { bsn: grant.bsn, acr: grant.level.acr } : {}),
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

  /**
   * GET/POST /userinfo with a bearer access token: as MAX, application/jwt with a JWE (RSA-OAEP, A128CBC-HS256,
   * cty JWT) encrypted to the client's key, wrapping an RS256 JWT signed by the simulator.
   */
  async userinfo(authorization: string | undefined): Promise<TokenAnswer | { status: 200; jwt: string }> {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
    const grant = this.accessTokens.get(token);
    if (!grant || grant.expiresAt < Date.now()) {
      return {
        status: 401,
        body: { error: 'invalid_token', error_description: 'unknown, expired or revoked access token' },
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      };
    }
    const { privateKey, kid } = await this.keys();
    const signed = await new SignJWT({ ...grant.claims })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(this.opts.issuer)
      .setAudience(this.opts.clientId)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${ID_TOKEN_TTL_S}s`)
      .sign(privateKey);
    const enc = await this.clientEncryptionKey();
    const jwe = await new CompactEncrypt(new TextEncoder().encode(signed))
      .setProtectedHeader({ alg: enc.alg, enc: 'A128CBC-HS256', typ: 'JWT', cty: 'JWT' })
      .encrypt(enc.key);
    return { status: 200, jwt: jwe };
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
