// Credentials of API clients (provider systems; OAuth2 client credentials, RFC 6749 §4.4) and their bearer tokens.
// Tokens are stored as SHA-256 (src/platform/crypto/secrets.ts); the TokenCache spares the database a look-up per
// request of a provider system's stream.
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Principal, Tx } from '../platform/db/principal.js';
import { newSecret, sha256 } from '../platform/crypto/secrets.js';

/** How long an access token is valid. */
export const TOKEN_TTL_SECONDS = 3600;

/** The public identifier of a client, e.g. kc_3Jx… (the format the database checks). */
export function newClientId(): string {
  return `kc_${randomBytes(24).toString('base64url')}`;
}

export interface TokenOwner {
  /** api_client.id */
  clientId: string;
  organisationId: string;
}

/** Issues a bearer token for a client (in a system 'api-auth' transaction); returns the token itself. */
export async function issueToken(tx: Tx, owner: TokenOwner, now = new Date()): Promise<string> {
  const token = newSecret();
  // Expired tokens of this client are of no use to anyone: clean them up while here.
  await tx.deleteFrom('api_token').where('api_client_id', '=', owner.clientId).where('expires_at', '<', now).execute();
  await tx
    .insertInto('api_token')
    .values({
      token_hash: sha256(token),
      api_client_id: owner.clientId,
      organisation_id: owner.organisationId,
      expires_at: new Date(now.getTime() + TOKEN_TTL_SECONDS * 1000),
    })
    .execute();
  await tx.updateTable('api_client').set({ last_used_at: now }).where('id', '=', owner.clientId).execute();
  return token;
}

/**
 * The client a bearer token belongs to, or null: unknown, expired, or its client revoked. Run in a system
 * 'api-auth' transaction; the token's shape was checked by the platform's bearer check. Marks the client as used (at
 * most once every few minutes, to spare the row).
 */
export async function tokenOwner(
  tx: Tx,
  token: string,
  now = new Date(),
): Promise<(TokenOwner & { expiresAt: Date }) | null> {
  const row = await tx
    .selectFrom('api_token as t')
    .innerJoin('api_client as c', 'c.id', 't.api_client_id')
    .select(['c.id', 'c.organisation_id', 'c.last_used_at', 't.expires_at'])
    .where('t.token_hash', '=', sha256(token))
    .where('t.expires_at', '>', now)
    .where('c.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 5 * 60_000) {
    await tx.updateTable('api_client').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { clientId: row.id, organisationId: row.organisation_id, expiresAt: row.expires_at };
}

/** The notification channel on which a revoked client's id goes to every node (src/platform/db/database.ts). */
export const CLIENT_REVOKED_CHANNEL = 'koepel_api_client_revoked';

/** How long a checked token is taken on trust before the database is asked again. */
export const TOKEN_RECHECK_MS = 15_000;

/**
 * Tokens checked a moment ago, so that a provider system's stream of requests costs one database lookup per
 * TOKEN_RECHECK_MS rather than one per request (a transaction of three statements: a tenth of a small bundle's work).
 * Keyed by the token's hash; never kept past the token's own expiry. Revoking a client forgets its tokens at once on
 * every node: the revoking transaction sends the client's id on CLIENT_REVOKED_CHANNEL (PostgreSQL NOTIFY), which
 * every node listens on (forgetClient). Should that connection drop, the cache is cleared (clear); a revocation
 * straight in the database, without the notification, is noticed within TOKEN_RECHECK_MS.
 */
export class TokenCache {
  private readonly entries = new Map<string, { owner: TokenOwner; until: number }>();
  /** When each client was last revoked here (performance.now()): a check begun before must not be remembered. */
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly recheckMs = TOKEN_RECHECK_MS,
    private readonly max = 10_000,
  ) {}

  get(token: string, now = Date.now()): TokenOwner | null {
    const key = sha256(token).toString('base64');
    const hit = this.entries.get(key);
    if (!hit) return null;
    if (hit.until <= now) {
      this.entries.delete(key);
      return null;
    }
    return hit.owner;
  }

  /**
   * `checkedAt`: when the database check began, by `performance.now()` (monotonic, unlike the wall clock): a
   * revocation here after that moment may not have been visible to the check.
   */
  remember(token: string, owner: TokenOwner, expiresAt: Date, checkedAt: number, now = Date.now()): void {
    const revokedAt = this.revoked.get(owner.clientId);
    if ((revokedAt !== undefined && revokedAt >= checkedAt) || this.clearedAt >= checkedAt) return;
    if (this.entries.size >= this.max) this.entries.clear();
    const until = Math.min(now + this.recheckMs, expiresAt.getTime());
    this.entries.set(sha256(token).toString('base64'), {
      owner: { clientId: owner.clientId, organisationId: owner.organisationId },
      until,
    });
  }

  /** Forgets everything (a revocation may have gone unnoticed); a check begun before is not remembered either. */
  clear(now = performance.now()): void {
    this.entries.clear();
    this.clearedAt = now;
  }

  private clearedAt = -Infinity;

  forgetClient(clientId: string, now = performance.now()): void {
    if (this.revoked.size >= this.max) this.revoked.clear();
    this.revoked.set(clientId, now);
    for (const [key, e] of this.entries) if (e.owner.clientId === clientId) this.entries.delete(key);
  }
}

/**
 * The 'api-client' verifier of the platform's bearer check: the API client a token belongs to, as its principal.
 * Trusted from the cache for TOKEN_RECHECK_MS after a database check (see TokenCache).
 */
export async function clientTokenPrincipal(
  tokens: TokenCache,
  req: FastifyRequest,
  token: string,
): Promise<Extract<Principal, { kind: 'client' }> | null> {
  let owner = tokens.get(token);
  if (!owner) {
    const checkedAt = performance.now();
    const found = await req.withSystem('api-auth', ({ tx }) => tokenOwner(tx, token));
    if (found) tokens.remember(token, found, found.expiresAt, checkedAt);
    owner = found;
  }
  return owner ? { kind: 'client', clientId: owner.clientId, organisationId: owner.organisationId } : null;
}
