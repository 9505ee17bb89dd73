// Bearer tokens (RFC 6750): the one place that reads an Authorization header and turns a token into a principal.
// Capabilities that issue tokens register a verifier for their kind (src/api-clients: provider systems;
// src/citizen-apps: apps a citizen authorised); a route states which kind it accepts. A token that is malformed,
// unknown, expired or revoked is refused, never ignored.
import type { FastifyRequest } from 'fastify';
import { BEARER_TOKEN } from '../crypto/secrets.js';
import type { Principal } from '../db/principal.js';

export type BearerKind = 'api-client' | 'citizen-app';

/** Looks a well-formed token up; null when it does not check out. */
export type BearerVerifier = (req: FastifyRequest, token: string) => Promise<Principal | null>;

/** A request without a usable bearer token; each API answers it in its own format, with `challenge` as header. */
export class BearerError extends Error {
  constructor(
    readonly reason: 'missing' | 'invalid',
    /** The WWW-Authenticate header of the answer (RFC 6750 §3). */
    readonly challenge: string,
  ) {
    super(reason === 'missing' ? 'An access token is required.' : 'The access token is not valid.');
  }
}

const REALMS: Record<BearerKind, string> = { 'api-client': 'koepel-fhir', 'citizen-app': 'koepel-citizen' };

/** The token of an `Authorization: Bearer …` header, or null when there is no such header. */
export function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? '';
}

export class BearerTokens {
  private readonly verifiers = new Map<BearerKind, BearerVerifier>();

  register(kind: BearerKind, verifier: BearerVerifier): void {
    if (this.verifiers.has(kind)) throw new Error(`a bearer verifier for ${kind} is already registered`);
    this.verifiers.set(kind, verifier);
  }

  /** The challenge to send when a request of this kind has no token at all. */
  challenge(kind: BearerKind): string {
    return `Bearer realm="${REALMS[kind]}"`;
  }

  /**
   * The principal the request's bearer token stands for; sets it on the request. Throws BearerError when the header
   * is missing or the token does not check out.
   */
  async authenticate(req: FastifyRequest, kind: BearerKind): Promise<Principal> {
    const token = bearerToken(req);
    if (token === null) throw new BearerError('missing', this.challenge(kind));
    const verifier = this.verifiers.get(kind);
    const principal = verifier && BEARER_TOKEN.test(token) ? await verifier(req, token) : null;
    if (!principal) throw new BearerError('invalid', `${this.challenge(kind)}, error="invalid_token"`);
    req.principal = principal;
    return principal;
  }

  /**
   * Like authenticate(), for a route that serves more than one kind (the FHIR reads: citizens' apps and provider
   * systems): the first kind whose verifier knows the token wins. The challenge names the first kind.
   */
  async authenticateAny(req: FastifyRequest, kinds: readonly [BearerKind, ...BearerKind[]]): Promise<Principal> {
    const token = bearerToken(req);
    if (token === null) throw new BearerError('missing', this.challenge(kinds[0]));
    if (BEARER_TOKEN.test(token)) {
      for (const kind of kinds) {
        const principal = (await this.verifiers.get(kind)?.(req, token)) ?? null;
        if (principal) {
          req.principal = principal;
          return principal;
        }
      }
    }
    throw new BearerError('invalid', `${this.challenge(kinds[0])}, error="invalid_token"`);
  }
}
