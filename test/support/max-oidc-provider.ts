// An independent OpenID provider for tests, configured like the government's DigiD bridge MAX (minvws/nl-rdo-max):
// the certified `oidc-provider` package (panva) over real HTTP on 127.0.0.1 with a random port. Koepel's relying party
// is tested against it as it would meet MAX, so that what passes here is what MAX accepts. Nothing of Koepel is used.
//
// How MAX behaves, and so this provider (the MAX source files named are in minvws/nl-rdo-max):
// - Discovery at /.well-known/openid-configuration; endpoints /authorize, /token, /jwks, /userinfo (max.conf.example).
// - Authorization code flow only, response mode query, scope `openid`; PKCE with S256 is required; the authorization
//   response carries `iss` (RFC 9207; oidc-provider always adds it).
// - Token request: `client_id` in the form body; client authentication `private_key_jwt` (a client_assertion signed
//   by the client's key, whose public key MAX knows) or `none` (PKCE only) — app/models/token_request.py.
// - ID token: RS256 with sub, aud, iss, nonce, exp, iat (and at_hash) — no BSN, no `acr`.
// - `sub` is the same for every login of a client: MAX authorizes the fixed user id "_" with a pairwise (salted hash)
//   subject (app/providers/oidc_provider.py, pyop_services.py). The person is the `bsn`, never the `sub`.
// - Userinfo: content-type application/jwt; a JWE (alg RSA-OAEP, enc A128CBC-HS256, cty JWT) encrypted to the client's
//   public encryption key, around a JWS (RS256) signed by the provider with bsn, session_id, loa_authn, sub, aud, iss
//   (app/services/encryption/rsa_jwe_service.py, app/services/userinfo/cc_userinfo_service.py).
// - No single sign-on: every authorization goes to DigiD, so here every authorization logs in again (as `nextLogin`).
//
// The login is automatic: GET /authorize → oidc-provider's interaction redirect → the small handler here, which
// finishes the interaction (login + consent for openid and the userinfo claims) → redirect to the client with a code.
// oidc-provider keeps its own interaction and session cookies on the provider's origin; a browser-like client that
// follows redirects and keeps cookies completes it, and `authorize(url)` does exactly that.
//
// Failure switches for refusal tests: `down()`/`up()`, `signWithUnknownKey`, `idTokenTtlSeconds`. What MAX does that
// oidc-provider does not mimic is listed at the end of this file.
//
// Use (the client's PUBLIC keys: a sig key for private_key_jwt, an enc key for the userinfo JWE):
//   const op = await new MaxOidcProvider({ clientId, redirectUri, authMethod: 'private_key_jwt', jwks }).start();
//   op.nextLogin = { bsn: '999993653', loa_authn: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard' };
//   const callbackUrl = await op.authorize(authorizationUrlFromTheClient); // or follow the redirects yourself
//   … the client's callback, token request and userinfo …;  await op.stop();
// oidc-provider 9 prints "Unsupported runtime" once on Node 20 (it wants an LTS from 22 on); it works on 20.19+.
import { createHash, generateKeyPair, randomBytes, sign as rsaSign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import Provider, {
  errors,
  ExternalSigningKey,
  interactionPolicy,
  type Adapter,
  type AdapterPayload,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';

/** The client Koepel (or a test) is at this provider, as the MAX operator would register it. */
export interface MaxClientRegistration {
  clientId: string;
  redirectUri: string;
  /** `private_key_jwt` (client_assertion signed with the client's key) or `none` (PKCE only), as MAX allows. */
  authMethod: 'private_key_jwt' | 'none';
  /** The client's PUBLIC keys: a signing key (for private_key_jwt) and an encryption key (RSA, for the userinfo JWE). */
  jwks?: { keys: JWK[] };
  /** Or where the provider fetches them (the client's JWKS URL). */
  jwksUri?: string;
}

/** Who the next authorization logs in as (what DigiD would answer MAX). */
export interface MaxLogin {
  /** The BSN; undefined: the userinfo simply lacks it. */
  bsn?: string;
  /** DigiD's level: a SAML AuthnContextClassRef (urn:oasis:names:tc:SAML:2.0:ac:classes:…) or an eIDAS LoA URI. */
  loa_authn?: string;
  /** More userinfo claims; their names must be declared in the constructor's `extraClaims`. */
  extra?: Record<string, unknown>;
  /** The citizen cancels at DigiD: MAX redirects back with error=login_required ("Authentication cancelled"). */
  cancelled?: boolean;
}

export interface MaxOidcProviderOptions {
  /** Names of additional userinfo claims that `nextLogin.extra` may set (oidc-provider only releases declared claims). */
  extraClaims?: readonly string[];
}

/** How `down()` makes the provider unreachable. */
export type MaxDownMode =
  /** The listener is closed: connections are refused (ECONNREFUSED). */
  | 'refused'
  /** Every request is answered 503 Service Unavailable. */
  | 'unavailable'
  /** Requests are accepted and never answered (until `up()` or `stop()`). */
  | 'hang';

/** MAX's one account id: it authorizes every login as the user "_" (app/providers/oidc_provider.py). */
const ACCOUNT_ID = '_';
/** MAX keeps its state (codes, tokens) in redis for `object_ttl` = 600 s (max.conf.example); the ID token lives as long. */
const MAX_TTL_SECONDS = 600;
/** The claims MAX's userinfo carries about the person (besides sub, aud, iss). */
const USERINFO_CLAIMS = ['bsn', 'loa_authn', 'session_id'] as const;
/** The provider's signing key id, as published in its JWKS. */
export const MAX_SIGNING_KID = 'max-oidc-signing-key';

const generateRsaKeyPair = promisify(generateKeyPair);

async function rsaKeyPair(): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return generateRsaKeyPair('rsa', { modulusLength: 2048 });
}

/**
 * The provider's signing key, held by this module rather than handed to oidc-provider as a private JWK (oidc-provider's
 * "external signing key" support, meant for an HSM or KMS). oidc-provider publishes its public key in the JWKS at start
 * and asks it to sign ID tokens and userinfo JWS; while `signWithUnknownKey` is on, it signs with a key that the JWKS
 * never contained — under the published kid or under a new kid.
 */
class MaxSigningKey extends ExternalSigningKey {
  /** What the JWKS published at start: oidc-provider reads it once, through keyObject(). */
  private readonly published: KeyObject;
  private kidValue: string;
  constructor(
    private readonly owner: { signingPrivateKey(): KeyObject; signingKid(): string },
    publicKey: KeyObject,
    kid: string,
  ) {
    super();
    this.published = publicKey;
    this.kidValue = kid;
  }
  // oidc-provider reads the kid for every JWS header it writes: the published one, or a new one (signWithUnknownKey).
  override get kid(): string {
    return this.owner.signingKid() || this.kidValue;
  }
  override set kid(value: string) {
    this.kidValue = value;
  }
  override get alg(): string {
    return 'RS256';
  }
  override set alg(_value: string) {
    // RS256 only, as MAX (pyop_services.py: RSAKey(alg="RS256")).
  }
  override keyObject(): KeyObject {
    return this.published;
  }
  override sign(data: Uint8Array): Uint8Array {
    // RS256 = RSASSA-PKCS1-v1_5 with SHA-256 (node's default padding for RSA keys).
    return rsaSign('sha256', data, this.owner.signingPrivateKey());
  }
}

/**
 * oidc-provider's storage (codes, tokens, sessions, grants, interactions) in a Map of this provider instance, so that
 * two instances in one process share nothing (oidc-provider's own development adapter is one store per process).
 */
function memoryAdapter(store: Map<string, { payload: AdapterPayload; expiresAt: number }>) {
  const now = () => Date.now();
  return (model: string): Adapter => {
    const key = (id: string) => `${model}:${id}`;
    const live = (k: string) => {
      const entry = store.get(k);
      if (entry && entry.expiresAt <= now()) store.delete(k);
      return entry && entry.expiresAt > now() ? entry.payload : undefined;
    };
    const findBy = (field: 'uid' | 'userCode', value: string) => {
      for (const [k, entry] of store) if (k.startsWith(`${model}:`) && entry.payload[field] === value) return live(k);
      return undefined;
    };
    return {
      async upsert(id, payload, expiresIn = 3600) {
        store.set(key(id), { payload: { ...payload }, expiresAt: now() + expiresIn * 1000 });
      },
      async find(id) {
        return live(key(id));
      },
      async findByUid(uid) {
        return findBy('uid', uid);
      },
      async findByUserCode(userCode) {
        return findBy('userCode', userCode);
      },
      async consume(id) {
        const payload = live(key(id));
        if (payload) payload.consumed = Math.floor(now() / 1000);
      },
      async destroy(id) {
        store.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const [k, entry] of store) if (entry.payload.grantId === grantId) store.delete(k);
      },
    };
  };
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export class MaxOidcProvider {
  /** http://127.0.0.1:<port>, set by start(). */
  issuer = '';
  /** Who the next authorization logs in as; stays until changed. */
  nextLogin: MaxLogin = {};
  /**
   * Sign ID tokens and userinfo with a key that is NOT in the published JWKS: true or 'same-kid' under the published
   * kid (a key rotated without publishing it), 'new-kid' under a kid the JWKS does not list.
   */
  signWithUnknownKey: boolean | 'same-kid' | 'new-kid' = false;
  /**
   * The ID token's lifetime in seconds (default 600, as MAX). oidc-provider only accepts a positive TTL; zero or less
   * gives an ID token already expired that long ago (exp = now + ttl): this module then re-signs the token it issued,
   * with the same key and header, changing only iat/exp. Mind the relying party's clock tolerance (openid-client: 30 s).
   */
  idTokenTtlSeconds = MAX_TTL_SECONDS;
  /** GET /jwks requests answered (to see whether a relying party refetches the JWKS). */
  jwksFetches = 0;
  /** Errors oidc-provider met while answering (server_error), for a test to inspect. */
  readonly serverErrors: unknown[] = [];

  private readonly extraClaims: readonly string[];
  private provider: Provider | null = null;
  private callback: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null = null;
  private server: Server | null = null;
  private port = 0;
  private downMode: MaxDownMode | null = null;
  private readonly hanging = new Set<ServerResponse>();
  private signing: { privateKey: KeyObject; publicKey: KeyObject } | null = null;
  private unknownKey: KeyObject | null = null;
  /** The public key served at /jwks after rotateKey() (until then oidc-provider serves its own JWKS). */
  private rotatedJwk: JWK | null = null;
  /** Who logged in, per oidc-provider grant: every login has its own grant, the account id is always "_". */
  private readonly logins = new Map<string, { claims: Record<string, unknown> }>();
  private readonly pairwiseSalt = randomBytes(16).toString('hex');
  private readonly store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();

  constructor(
    readonly client: MaxClientRegistration,
    options: MaxOidcProviderOptions = {},
  ) {
    if (!client.jwks === !client.jwksUri) throw new Error('MaxOidcProvider: give the client `jwks` or `jwksUri`');
    this.extraClaims = options.extraClaims ?? [];
  }

  /** The oidc-provider instance (e.g. for its events); null before start(). */
  get oidcProvider(): Provider | null {
    return this.provider;
  }

  /** Listens on 127.0.0.1:`port` (0: a free port of the system's choosing). */
  async start(port = 0): Promise<this> {
    this.signing = await rsaKeyPair();
    this.unknownKey = (await rsaKeyPair()).privateKey;
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.issuer = `http://127.0.0.1:${this.port}`;
    this.provider = this.createProvider();
    this.callback = this.provider.callback();
    return this;
  }

  async stop(): Promise<void> {
    this.releaseHanging();
    const server = this.server;
    this.server = null;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** The provider stops answering (see MaxDownMode); `up()` brings it back on the same address. */
  async down(mode: MaxDownMode = 'refused'): Promise<void> {
    this.downMode = mode;
    const server = this.server;
    if (mode === 'refused' && server?.listening) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  async up(): Promise<void> {
    this.downMode = null;
    this.releaseHanging();
    const server = this.server;
    if (server && !server.listening) {
      await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    }
  }

  /**
   * A new signing key under the SAME kid, published at once (a key rotation as MAX's operator might do it). From then on
   * this module serves /jwks itself, with the new key only.
   */
  async rotateKey(): Promise<void> {
    this.signing = await rsaKeyPair();
    this.rotatedJwk = {
      ...(this.signing.publicKey.export({ format: 'jwk' }) as JWK),
      kid: MAX_SIGNING_KID,
      alg: 'RS256',
      use: 'sig',
    };
  }

  /**
   * As a browser: follows the redirects from an authorization URL (with its own cookie jar for the provider's cookies)
   * until the redirect to the client's redirect URI, which it returns without fetching it. Throws if the provider
   * answers anything else (the status and body are in the message).
   */
  async authorize(authorizationUrl: string | URL): Promise<URL> {
    const cookies = new Map<string, string>();
    let url = new URL(authorizationUrl);
    for (let hop = 0; hop < 10; hop++) {
      if (url.href.startsWith(this.client.redirectUri)) return url;
      const res = await fetch(url, {
        redirect: 'manual',
        headers: cookies.size > 0 ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) {
        throw new Error(
          `MaxOidcProvider.authorize: ${res.status} at ${url.pathname}: ${(await res.text()).slice(0, 500)}`,
        );
      }
      await res.arrayBuffer();
      url = new URL(location, url);
    }
    throw new Error('MaxOidcProvider.authorize: too many redirects');
  }

  // --- the HTTP front: failure switches, the automatic login, the rest is oidc-provider ---

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.downMode === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (this.downMode === 'unavailable') {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
      res.end('Service Unavailable');
      return;
    }
    const provider = this.provider;
    const callback = this.callback;
    if (!provider || !callback) {
      res.writeHead(503);
      res.end();
      return;
    }
    const path = new URL(req.url ?? '/', this.issuer).pathname;
    if (path === '/jwks' && req.method === 'GET') {
      this.jwksFetches++;
      if (this.rotatedJwk) {
        res.writeHead(200, { 'content-type': 'application/jwk-set+json; charset=utf-8' });
        res.end(JSON.stringify({ keys: [this.rotatedJwk] }));
        return;
      }
    }
    if (/^\/interaction\/[\w-]+$/.test(path) && req.method === 'GET') {
      this.finishInteraction(provider, req, res).catch((err: unknown) => {
        this.serverErrors.push(err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`interaction failed: ${err instanceof Error ? err.message : String(err)}`);
      });
      return;
    }
    void callback(req, res);
  }

  private releaseHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  /** The automatic DigiD login: `nextLogin` logs in, consent for openid and the userinfo claims, back to the client. */
  private async finishInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const login = this.nextLogin;
    if (login.cancelled) {
      // As MAX when the citizen cancels at DigiD (app/providers/oidc_provider.py: login_required, "Authentication cancelled").
      await provider.interactionFinished(
        req,
        res,
        { error: 'login_required', error_description: 'Authentication cancelled' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const undeclared = Object.keys(login.extra ?? {}).filter((k) => !this.extraClaims.includes(k));
    if (undeclared.length > 0) {
      throw new Error(`nextLogin.extra has undeclared claims (give them as extraClaims): ${undeclared.join(', ')}`);
    }
    const claims: Record<string, unknown> = {
      ...(login.bsn === undefined ? {} : { bsn: login.bsn }),
      ...(login.loa_authn === undefined ? {} : { loa_authn: login.loa_authn }),
      // MAX: a random session id per login (secrets.token_urlsafe(32)).
      session_id: randomBytes(32).toString('base64url'),
      ...login.extra,
    };
    const grant = new provider.Grant({ accountId: ACCOUNT_ID, clientId: String(details.params.client_id) });
    grant.addOIDCScope('openid');
    grant.addOIDCClaims(['sub', ...USERINFO_CLAIMS, ...this.extraClaims]);
    const grantId = await grant.save();
    this.logins.set(grantId, { claims });
    await provider.interactionFinished(
      req,
      res,
      // No `acr` in the login result: MAX's ID token has none (the level is `loa_authn` in userinfo).
      { login: { accountId: ACCOUNT_ID }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  // --- oidc-provider, configured like MAX ---

  /** The current private signing key (the unknown one while signWithUnknownKey is on). */
  private signingPrivateKey(): KeyObject {
    if (!this.signing || !this.unknownKey) throw new Error('MaxOidcProvider not started');
    return this.signWithUnknownKey ? this.unknownKey : this.signing.privateKey;
  }

  /** The kid written in JWS headers. */
  private signingKid(): string {
    return this.signWithUnknownKey === 'new-kid' ? 'unknown-signing-key' : MAX_SIGNING_KID;
  }

  private clientMetadata(): ClientMetadata {
    const c = this.client;
    return {
      client_id: c.clientId,
      redirect_uris: [c.redirectUri],
      application_type: 'web',
      // Authorization code flow only, as MAX (pyop_services.py: response_types ["code"], grant_types ["authorization_code"]).
      response_types: ['code'],
      grant_types: ['authorization_code'],
      // As MAX: private_key_jwt (the public key known to the provider) or none with PKCE.
      token_endpoint_auth_method: c.authMethod,
      ...(c.authMethod === 'private_key_jwt' ? { token_endpoint_auth_signing_alg: 'RS256' } : {}),
      ...(c.jwks ? { jwks: c.jwks } : { jwks_uri: c.jwksUri }),
      // As MAX: pairwise subject identifiers (pyop HashBasedSubjectIdentifierFactory).
      subject_type: 'pairwise',
      // As MAX: RS256 ID token; userinfo as JWS RS256 inside a JWE RSA-OAEP / A128CBC-HS256 (rsa_jwe_service.py).
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'RS256',
      userinfo_encrypted_response_alg: 'RSA-OAEP',
      userinfo_encrypted_response_enc: 'A128CBC-HS256',
    };
  }

  private createProvider(): Provider {
    const signing = this.signing;
    if (!signing) throw new Error('no signing key');
    const login = interactionPolicy.base();
    // MAX has no single sign-on: every authorization sends the citizen to DigiD. Here: every authorization logs in
    // again as `nextLogin`, whatever session cookie the browser still has.
    login
      .get('login')
      ?.checks.add(
        new interactionPolicy.Check('max_no_sso', 'every authorization logs in at DigiD', (ctx) =>
          ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
        ),
      );

    const configuration: Configuration = {
      clients: [this.clientMetadata()],
      // The signing key is held by this module (see MaxSigningKey); an experimental oidc-provider feature, pinned.
      jwks: {
        keys: [
          new MaxSigningKey(
            { signingPrivateKey: () => this.signingPrivateKey(), signingKid: () => this.signingKid() },
            signing.publicKey,
            MAX_SIGNING_KID,
          ),
        ],
      },
      routes: { authorization: '/authorize', token: '/token', userinfo: '/userinfo', jwks: '/jwks' },
      responseTypes: ['code'],
      scopes: ['openid'],
      subjectTypes: ['pairwise'],
      pairwiseIdentifier: (_ctx, accountId, client) =>
        createHash('sha256').update(`${accountId}|${client.clientId}|${this.pairwiseSalt}`).digest('hex'),
      clientAuthMethods: ['private_key_jwt', 'none'],
      // As MAX (app/models/token_request.py): client_id in the token request's form body, also with a client_assertion
      // (oidc-provider itself would take it from the assertion). With `none` it has to be there anyway.
      assertJwtClientAuthClaimsAndHeader: (ctx) => {
        const body = ctx.oidc.body;
        if (typeof body?.client_id !== 'string') {
          throw new errors.InvalidRequest('Expects client_id to be contained in the urlencoded body of the request');
        }
      },
      // As MAX: PKCE with S256 for every client (oidc-provider 9 knows only S256).
      pkce: { required: () => true },
      // As MAX: the redirect_uri must be sent and registered.
      allowOmittingSingleRegisteredRedirectUri: false,
      adapter: memoryAdapter(this.store),
      // MAX releases the person's claims for the scope `openid` (its only scope), and only in userinfo. oidc-provider
      // masks both the ID token and userinfo by scope — and with conformIdTokenClaims the ID token of the code flow by
      // `openid` alone —, so the account below gives them for use 'userinfo' only: the ID token has sub and no more.
      claims: { openid: ['sub', ...USERINFO_CLAIMS, ...this.extraClaims] },
      conformIdTokenClaims: true,
      acrValues: [],
      findAccount: (ctx, sub, token) => {
        // The code (token endpoint) and access token (userinfo) name their grant; every login has its own.
        const grantId = token?.grantId ?? ctx.oidc.entities.Grant?.jti;
        const login = grantId ? this.logins.get(grantId) : undefined;
        return {
          accountId: sub,
          claims: (use) => (use === 'userinfo' ? { sub, ...login?.claims } : { sub }),
        };
      },
      interactions: { policy: login, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      features: {
        devInteractions: { enabled: false },
        // JWT userinfo, encrypted to the client: as MAX.
        userinfo: { enabled: true },
        jwtUserinfo: { enabled: true },
        encryption: { enabled: true },
        // MAX has no logout, introspection, revocation, pushed authorization requests or DPoP.
        rpInitiatedLogout: { enabled: false },
        pushedAuthorizationRequests: { enabled: false },
        dPoP: { enabled: false },
        externalSigningSupport: { enabled: true, ack: 'experimental-01' },
      },
      // Only MAX's algorithms, so that discovery offers a client no other choice: RS256 signatures, the userinfo
      // encrypted with RSA-OAEP and A128CBC-HS256, no encrypted ID tokens.
      enabledJWA: {
        clientAuthSigningAlgValues: ['RS256'],
        idTokenSigningAlgValues: ['RS256'],
        userinfoSigningAlgValues: ['RS256'],
        userinfoEncryptionAlgValues: ['RSA-OAEP'],
        userinfoEncryptionEncValues: ['A128CBC-HS256'],
        idTokenEncryptionAlgValues: [],
        idTokenEncryptionEncValues: [],
      },
      ttl: {
        AuthorizationCode: 60,
        AccessToken: MAX_TTL_SECONDS,
        IdToken: () => (this.idTokenTtlSeconds > 0 ? this.idTokenTtlSeconds : MAX_TTL_SECONDS),
        Interaction: MAX_TTL_SECONDS,
        Session: MAX_TTL_SECONDS,
        Grant: MAX_TTL_SECONDS,
      },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      // oidc-provider fetches a client's jwks_uri through an agent that refuses loopback and private addresses (SSRF
      // protection). A test client publishes its JWKS on 127.0.0.1: for loopback URLs only, the plain fetch is used.
      fetch: (input, init) => {
        const url = new URL(input instanceof Request ? input.url : input);
        if (!['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) return fetch(input, init);
        const plain: RequestInit & { dispatcher?: unknown } = { ...init };
        delete plain.dispatcher;
        return fetch(input, plain);
      },
    };

    const provider = new Provider(this.issuer, configuration);
    provider.on('server_error', (_ctx: unknown, err: unknown) => this.serverErrors.push(err));
    provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
      await next();
      const route = ctx.oidc?.route;
      if (route === 'userinfo' && ctx.status === 200) {
        // As MAX: exactly application/jwt (oidc-provider adds "; charset=utf-8").
        ctx.type = 'application/jwt';
      }
      if (route === 'token' && ctx.status === 200 && this.idTokenTtlSeconds <= 0) {
        const body = ctx.body as { id_token?: string };
        if (body.id_token) body.id_token = this.expire(body.id_token, this.idTokenTtlSeconds);
      }
    });
    return provider;
  }

  /** The same ID token, re-signed with the same key and header, expired `-ttl` seconds ago. */
  private expire(idToken: string, ttl: number): string {
    const header = decodeProtectedHeader(idToken);
    const payload = decodeJwt(idToken);
    const exp = Math.floor(Date.now() / 1000) + ttl;
    const input = `${b64url(header)}.${b64url({ ...payload, iat: exp - 60, exp })}`;
    return `${input}.${Buffer.from(rsaSign('sha256', Buffer.from(input), this.signingPrivateKey())).toString('base64url')}`;
  }
}

// What MAX does that this provider does not mimic (oidc-provider cannot, or it does not matter for a relying party):
// - MAX's JWE header is {typ: JWT, cty: JWT, alg, enc, x5t (of the client's certificate)}; oidc-provider writes
//   {alg, enc, cty: JWT, kid (of the client's enc key), iss, aud}. Its inner JWS header has {alg, kid}; MAX's also x5t.
// - MAX's inner JWS payload also has nbf (now - 10 s), an exp of 60 s, and x5c (the client's certificate); here it has
//   iat and exp (the access token's expiry), no nbf and no x5c.
// - MAX signs the userinfo JWS with its `jwe_sign` key/certificate, which need not be the ID-token key in its JWKS;
//   here both are signed with the one key of the JWKS.
// - MAX registers a client's PEM public key (client_public_key_path) and encrypts to it; here the client gives a JWKS.
// - MAX may answer the token endpoint's errors in its own shape (FastAPI `detail`); oidc-provider answers RFC 6749 errors.
// - pyop puts at_hash in MAX's ID token; oidc-provider 9 issues none at the token endpoint.
// - oidc-provider always offers response modes query, fragment and form_post (MAX: query); its discovery lists what
//   is configured here, while MAX's (pyop_services.py) is a fixed document — in the version read it says
//   token_endpoint_auth_methods_supported ["none"] and names no userinfo_endpoint, though MAX serves /userinfo.
// - The DigiD (SAML) round trip, login-method choice and rate limiting of MAX are not here: the login is immediate.
