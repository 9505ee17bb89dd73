// Credentials of API clients (OAuth2 client credentials, RFC 6749 §4.4) and their bearer tokens. Secrets and tokens
// are 256-bit random values; the database keeps only their SHA-256 (a fast hash is enough for values this random),
// so a copy of the database lets nobody call the API.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Tx } from '../platform/db/principal.js';

/** How long an access token is valid. */
export const TOKEN_TTL_SECONDS = 3600;

/** The public identifier of a client, e.g. kc_3Jx… (the format the database checks). */
export function newClientId(): string {
  return `kc_${randomBytes(24).toString('base64url')}`;
}

/** 32 random bytes, base64url: shown once to the admin who creates the client. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const presented = sha256(secret);
  const stored = Buffer.from(storedHash);
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

export interface TokenOwner {
  /** api_client.id */
  clientId: string;
  organisationId: string;
}

/** Issues a bearer token for a client (in a system 'api-auth' transaction); returns the token itself. */
export async function issueToken(tx: Tx, owner: TokenOwner, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
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

/** The shape of every bearer token Koepel issues (32 random bytes, base64url): anything else is not looked up. */
export const BEARER_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The client a bearer token belongs to, or null: unknown, expired, or its client revoked. Run in a system
 * 'api-auth' transaction. Marks the client as used (at most once every few minutes, to spare the row).
 */
export async function tokenOwner(
  tx: Tx,
  token: string,
  now = new Date(),
): Promise<(TokenOwner & { expiresAt: Date }) | null> {
  if (!BEARER_TOKEN.test(token)) return null;
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

/** How long a checked token is taken on trust before the database is asked again. */
export const TOKEN_RECHECK_MS = 15_000;

/**
 * Tokens checked a moment ago, so that a provider system's stream of requests costs one database lookup per
 * TOKEN_RECHECK_MS rather than one per request (a transaction of three statements: a tenth of a small bundle's work).
 * Keyed by the token's hash; never kept past the token's own expiry. Revoking a client through this process forgets
 * its tokens at once (forgetClient); another process of the same deployment notices within TOKEN_RECHECK_MS.
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
    if (revokedAt !== undefined && revokedAt >= checkedAt) return;
    if (this.entries.size >= this.max) this.entries.clear();
    const until = Math.min(now + this.recheckMs, expiresAt.getTime());
    this.entries.set(sha256(token).toString('base64'), {
      owner: { clientId: owner.clientId, organisationId: owner.organisationId },
      until,
    });
  }

  forgetClient(clientId: string, now = performance.now()): void {
    if (this.revoked.size >= this.max) this.revoked.clear();
    this.revoked.set(clientId, now);
    for (const [key, e] of this.entries) if (e.owner.clientId === clientId) this.entries.delete(key);
  }
}
