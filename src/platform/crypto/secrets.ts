// Secrets, codes and bearer tokens that Koepel issues: 256-bit random values. The database keeps only their SHA-256
// (a fast hash is enough for values this random), so a copy of the database lets nobody use them.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url (43 characters): a client secret, an authorization code, a bearer token. */
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

/** The shape of every bearer token Koepel issues (32 random bytes, base64url): anything else is not looked up. */
export const BEARER_TOKEN = /^[A-Za-z0-9_-]{43}$/;
