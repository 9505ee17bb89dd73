// The register of apps a citizen can authorise (migration 0012): client ids, the endpoints' paths, and the rules for
// redirect URIs (OAuth 2.0 Security BCP, RFC 9700 §2.1; native apps, RFC 8252 §7). Redirect URIs are compared
// exactly, as strings — no prefixes, no wildcards — except that an app on the citizen's own computer may listen on
// any port of the loopback address (RFC 8252 §7.3).
import { randomBytes } from 'node:crypto';
import type { Tx } from '../platform/db/principal.js';

export const AUTHORIZE_PATH = '/oauth/authorize';
export const APP_TOKEN_PATH = '/oauth/token';

export const APP_CLIENT_ID = /^ka_[A-Za-z0-9_-]{16,64}$/;
export const MAX_REDIRECT_URIS = 10;
export const MAX_URI_LENGTH = 500;
/** Printable ASCII: no spaces, no control characters (a NUL would not even reach the database). */
export const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** The public identifier of an app, e.g. ka_3Jx… (the format the database checks). */
export function newAppClientId(): string {
  return `ka_${randomBytes(24).toString('base64url')}`;
}

/** Loopback addresses where http is allowed (RFC 8252 §7.3; "localhost" is not, §8.3). */
const LOOPBACK = new Set(['127.0.0.1', '[::1]']);
/** Parameters of the authorization response: a registered URI must not carry them itself. */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri'];

/**
 * Checks one redirect URI an operator registers. Accepted: https with a host; http on a loopback address (an app on
 * the citizen's own computer); a private-use scheme in reverse-domain form (an app on a phone, RFC 8252 §7.1).
 * No fragment, no user info, none of the response's own parameters. Returns the URI as registered, or null.
 */
export function checkRedirectUri(raw: string): string | null {
  const value = raw.trim();
  if (value.length > MAX_URI_LENGTH || !PRINTABLE_ASCII.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (value.includes('#') || url.username || url.password) return null;
  if (RESPONSE_PARAMS.some((p) => url.searchParams.has(p))) return null;
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return url.hostname ? value : null;
  if (scheme === 'http') return LOOPBACK.has(url.hostname) ? value : null;
  // Private-use scheme: reverse domain name with at least one dot (nl.example.app:/callback).
  return /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/.test(scheme) ? value : null;
}

const LOOPBACK_URI = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::\d{1,5})?(\/[\x21-\x22\x24-\x7e]*)?$/;

/** Whether a redirect URI an app sends is one registered for it (exact; any port on loopback, RFC 8252 §7.3). */
export function redirectMatches(registered: readonly string[], given: string): boolean {
  if (registered.includes(given)) return true;
  // Loopback: the same address, path and query as written, on whatever port the app could open.
  const g = given.length <= MAX_URI_LENGTH ? LOOPBACK_URI.exec(given) : null;
  if (!g) return false;
  return registered.some((r) => {
    const m = LOOPBACK_URI.exec(r);
    return m !== null && m[1] === g[1] && (m[2] ?? '') === (g[2] ?? '');
  });
}

/**
 * The URL that takes an answer back to the app: the redirect URI exactly as sent, with the response parameters
 * appended (its own query, if any, is kept as written).
 */
export function redirectBack(redirectUri: string, params: Record<string, string | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null) q.set(k, v);
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${q.toString()}`;
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
  /** The SHA-256 of its secret for a confidential app; null for a public one. */
  secretHash: Uint8Array | null;
  confidential: boolean;
  redirectUris: string[];
}

/** An app that is registered and not revoked, by its client id; null otherwise. Run as system 'api-auth'. */
export async function activeApp(tx: Tx, clientId: string): Promise<RegisteredApp | null> {
  if (!APP_CLIENT_ID.test(clientId)) return null;
  const row = await tx
    .selectFrom('citizen_app as a')
    .leftJoin('citizen_app_secret as s', 's.app_id', 'a.id')
    .select(['a.id', 'a.name', 'a.vendor', 'a.client_id', 'a.confidential', 'a.redirect_uris', 's.secret_hash'])
    .where('a.client_id', '=', clientId)
    .where('a.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    vendor: row.vendor,
    clientId: row.client_id,
    confidential: row.confidential,
    // A confidential app without a secret row cannot authenticate: a hash nobody has the secret of.
    secretHash: row.confidential ? (row.secret_hash ?? new Uint8Array(32)) : null,
    redirectUris: row.redirect_uris,
  };
}
