// The register of apps a citizen can authorise (migration 0012): client ids, secrets, and the rules for redirect
// URIs (OAuth 2.0 Security BCP, RFC 9700 §2.1; native apps, RFC 8252 §7). Redirect URIs are compared exactly, as
// strings: no prefixes, no wildcards, no port freedom.
import { randomBytes } from 'node:crypto';
import type { Tx } from '../platform/db/principal.js';

export const APP_CLIENT_ID = /^ka_[A-Za-z0-9_-]{16,64}$/;
export const MAX_REDIRECT_URIS = 10;
const MAX_URI_LENGTH = 500;

/** The public identifier of an app, e.g. ka_3Jx… (the format the database checks). */
export function newAppClientId(): string {
  return `ka_${randomBytes(24).toString('base64url')}`;
}

/** Loopback addresses where http is allowed (RFC 8252 §7.3; "localhost" is not, §8.3). */
const LOOPBACK = new Set(['127.0.0.1', '[::1]']);

/**
 * Checks one redirect URI an operator registers. Accepted: https with a host; http on a loopback address (an app on
 * the citizen's own computer); a private-use scheme in reverse-domain form (an app on a phone, RFC 8252 §7.1).
 * No fragment, no user info. Returns the URI as registered, or null.
 */
export function checkRedirectUri(raw: string): string | null {
  const value = raw.trim();
  // Printable ASCII only: no spaces, no control characters (a NUL would not even reach the database).
  if (value.length === 0 || value.length > MAX_URI_LENGTH || /[^\x21-\x7e]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (value.includes('#') || url.username || url.password) return null;
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return url.hostname ? value : null;
  if (scheme === 'http') return LOOPBACK.has(url.hostname) ? value : null;
  // Private-use scheme: reverse domain name with at least one dot (nl.example.app:/callback).
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/.test(scheme) && !['javascript', 'data', 'file'].includes(scheme)) {
    return value;
  }
  return null;
}

/**
 * The Content-Security-Policy form-action source that lets the consent form's answer go to this redirect URI
 * (browsers check form-action on the redirect after a form submission too).
 */
export function formActionSource(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : url.protocol;
}

export interface RegisteredApp {
  id: string;
  name: string;
  vendor: string;
  clientId: string;
  confidential: boolean;
  secretHash: Uint8Array | null;
  redirectUris: string[];
}

/** An app that is registered and not revoked, by its client id; null otherwise. */
export async function activeApp(tx: Tx, clientId: string): Promise<RegisteredApp | null> {
  if (!APP_CLIENT_ID.test(clientId)) return null;
  const row = await tx
    .selectFrom('citizen_app')
    .select(['id', 'name', 'vendor', 'client_id', 'secret_hash', 'redirect_uris'])
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    vendor: row.vendor,
    clientId: row.client_id,
    confidential: row.secret_hash !== null,
    secretHash: row.secret_hash,
    redirectUris: row.redirect_uris,
  };
}
