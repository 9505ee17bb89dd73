// A small OpenID provider over real HTTP on loopback, for tests of Koepel as relying party of an external DigiD bridge
// (the simulator off, KOEPEL_DIGID_ISSUER=http://127.0.0.1:<port>). Shaped like MAX where it matters here: the ID
// token carries neither the BSN nor a SAML `acr`, userinfo carries `bsn` and `loa_authn` (plain JSON here; MAX
// encrypts it). Its signing key can be replaced under the SAME kid (`rotateKey`), and it counts JWKS fetches.
// Authorize answers at once with a code (no login page): the test decides who logs in, at which level.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface TestProviderLogin {
  /** Claims added to the ID token (besides iss, aud, sub, iat, exp, nonce). */
  idToken?: Record<string, unknown>;
  /** The userinfo answer's claims (besides sub). */
  userinfo?: Record<string, unknown>;
}

interface Grant {
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  login: TestProviderLogin;
}

export const TEST_PROVIDER_KID = 'max-signing-key';
export const TEST_CLIENT_ID = 'koepel-test-client';
export const TEST_CLIENT_SECRET = 'koepel-test-secret';

export class TestOidcProvider {
  issuer = '';
  jwksFetches = 0;
  /** What the next authorization issues a code for. */
  nextLogin: TestProviderLogin = {};
  private server: Server | null = null;
  private key: { privateKey: CryptoKey; jwk: JWK } | null = null;
  private readonly codes = new Map<string, Grant>();
  private readonly tokens = new Map<string, TestProviderLogin>();

  async start(): Promise<this> {
    await this.rotateKey();
    this.server = createServer((req, res) => {
      void this.handle(req.method ?? 'GET', req.url ?? '/', req.headers.authorization, req).then(
        ({ status, body, headers }) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(body === undefined ? '' : JSON.stringify(body));
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** A new RSA signing key, published under the same kid as the old one. */
  async rotateKey(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    this.key = {
      privateKey,
      jwk: { ...(await exportJWK(publicKey)), kid: TEST_PROVIDER_KID, alg: 'RS256', use: 'sig' },
    };
  }

  private async body(req: NodeJS.ReadableStream): Promise<URLSearchParams> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return new URLSearchParams(text);
  }

  private async handle(
    method: string,
    rawUrl: string,
    authorization: string | undefined,
    req: NodeJS.ReadableStream,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const url = new URL(rawUrl, this.issuer);
    const key = this.key;
    if (!key) return { status: 500 };
    if (url.pathname === '/.well-known/openid-configuration') {
      return {
        status: 200,
        body: {
          issuer: this.issuer,
          authorization_endpoint: `${this.issuer}/authorize`,
          token_endpoint: `${this.issuer}/token`,
          jwks_uri: `${this.issuer}/jwks`,
          userinfo_endpoint: `${this.issuer}/userinfo`,
          response_types_supported: ['code'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic'],
          authorization_response_iss_parameter_supported: true,
        },
      };
    }
    if (url.pathname === '/jwks') {
      this.jwksFetches++;
      return { status: 200, body: { keys: [key.jwk] } };
    }
    if (url.pathname === '/authorize' && method === 'GET') {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      if (q.get('client_id') !== TEST_CLIENT_ID || q.get('code_challenge_method') !== 'S256') return { status: 400 };
      const code = randomBytes(16).toString('base64url');
      this.codes.set(code, {
        redirectUri,
        challenge: q.get('code_challenge') ?? '',
        nonce: q.get('nonce') ?? undefined,
        login: this.nextLogin,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      const state = q.get('state');
      if (state) back.searchParams.set('state', state);
      back.searchParams.set('iss', this.issuer);
      return { status: 303, headers: { location: back.toString() } };
    }
    if (url.pathname === '/token' && method === 'POST') {
      const form = await this.body(req);
      // client_secret_basic: both parts form-urlencoded before base64 (RFC 6749 §2.3.1).
      const decoded = Buffer.from(authorization?.replace(/^Basic /, '') ?? '', 'base64').toString('utf8');
      const [id, secret] = decoded.split(':').map((p) => decodeURIComponent(p.replace(/\+/g, ' ')));
      if (id !== TEST_CLIENT_ID || secret !== TEST_CLIENT_SECRET)
        return { status: 401, body: { error: 'invalid_client' } };
      const grant = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (
        !grant ||
        grant.redirectUri !== form.get('redirect_uri') ||
        createHash('sha256').update(verifier).digest('base64url') !== grant.challenge
      ) {
        return { status: 400, body: { error: 'invalid_grant' } };
      }
      const sub = createHash('sha256')
        .update(JSON.stringify(grant.login.userinfo ?? {}))
        .digest('base64url');
      const idToken = await new SignJWT({
        ...(grant.login.idToken ?? {}),
        ...(grant.nonce ? { nonce: grant.nonce } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: TEST_PROVIDER_KID, typ: 'JWT' })
        .setIssuer(this.issuer)
        .setAudience(TEST_CLIENT_ID)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(key.privateKey);
      const accessToken = randomBytes(16).toString('base64url');
      this.tokens.set(accessToken, { ...grant.login, userinfo: { sub, ...(grant.login.userinfo ?? {}) } });
      return {
        status: 200,
        body: { access_token: accessToken, token_type: 'Bearer', expires_in: 300, id_token: idToken },
      };
    }
    if (url.pathname === '/userinfo') {
      const login = this.tokens.get(authorization?.replace(/^Bearer /, '') ?? '');
      if (!login) return { status: 401, body: { error: 'invalid_token' } };
      return { status: 200, body: login.userinfo };
    }
    return { status: 404, body: {} };
  }
}
