// Checks an OAuth 2.0 authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636; SMART App Launch "standalone").
// The order matters (RFC 6749 §4.1.2.1): while the client or its redirect URI is in doubt, the citizen gets an error
// page and is never sent anywhere; once both check out, every other problem goes back to the app as an error
// response on its redirect URI.
import { createHash } from 'node:crypto';
import type { Tx } from '../platform/db/principal.js';
import { activeApp, redirectMatches, type RegisteredApp } from './registry.js';

/** What a granted token may do: read the whole record the citizen sees (SMART v1 and v2 spellings). */
export const READ_SCOPES = ['patient/*.read', 'patient/*.rs'] as const;
/** Scope values granted when asked for; anything else asked for is left out of the grant (RFC 6749 §3.3). */
const GRANTABLE = new Set<string>([...READ_SCOPES, 'launch/patient']);
export const DEFAULT_SCOPE = 'patient/*.read';

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_STATE = 500;

/** The parameters the consent form carries from the GET to the POST. */
export const REQUEST_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
  'aud',
] as const;

export interface AuthorizationRequest {
  app: RegisteredApp;
  redirectUri: string;
  state: string | null;
  codeChallenge: string;
  /** The scope that will be granted (space-separated). */
  scope: string;
  /** The request's own parameters, for the consent form's hidden fields. */
  params: Record<string, string>;
}

export type RedirectError = 'invalid_request' | 'unsupported_response_type' | 'invalid_scope' | 'access_denied';

export type CheckedRequest =
  | { kind: 'ok'; request: AuthorizationRequest }
  /** The app or its redirect URI is unknown: show a page, redirect nowhere. */
  | { kind: 'page'; problem: 'client' | 'redirect' }
  /** Anything else: tell the app on its (verified) redirect URI. */
  | { kind: 'redirect'; redirectUri: string; state: string | null; error: RedirectError; description: string };

/**
 * Checks the request's parameters against the app register. `audience` is the FHIR base URL: a SMART app names it
 * in `aud`, and a token must not be asked for another server's sake.
 */
export async function checkAuthorizationRequest(tx: Tx, input: unknown, audience: string): Promise<CheckedRequest> {
  const raw = (input ?? {}) as Record<string, unknown>;
  const one = (k: string): string | undefined | null => {
    const v = raw[k];
    if (v === undefined) return undefined;
    return typeof v === 'string' ? v : null; // null: given more than once (RFC 6749 §3.1)
  };

  const clientId = one('client_id');
  const app = typeof clientId === 'string' ? await activeApp(tx, clientId) : null;
  if (!app) return { kind: 'page', problem: 'client' };
  const redirectUri = one('redirect_uri');
  // Always required and always registered: the app must say where the answer goes.
  if (typeof redirectUri !== 'string' || !redirectMatches(app.redirectUris, redirectUri)) {
    return { kind: 'page', problem: 'redirect' };
  }

  const rawState = one('state');
  const state = typeof rawState === 'string' && rawState.length > 0 && rawState.length <= MAX_STATE ? rawState : null;
  const fail = (error: RedirectError, description: string): CheckedRequest => ({
    kind: 'redirect',
    redirectUri,
    state,
    error,
    description,
  });
  if (rawState === null || (typeof rawState === 'string' && rawState.length > MAX_STATE)) {
    return fail('invalid_request', 'state must be given once, up to 500 characters.');
  }
  for (const k of REQUEST_FIELDS) {
    if (one(k) === null) return fail('invalid_request', `${k} is given more than once.`);
  }
  if (one('response_type') !== 'code') {
    return fail('unsupported_response_type', 'Only response_type=code is supported.');
  }
  const challenge = one('code_challenge');
  if (typeof challenge !== 'string' || !PKCE_CHALLENGE.test(challenge)) {
    return fail('invalid_request', 'PKCE is required: code_challenge (S256, 43 characters).');
  }
  if (one('code_challenge_method') !== 'S256') {
    return fail('invalid_request', 'Only code_challenge_method=S256 is supported.');
  }
  // SMART 2 apps always send aud; plain OAuth 2.0 apps do not know it, so it is checked only when given.
  const aud = one('aud');
  if (aud !== undefined && aud !== audience) {
    return fail('invalid_request', 'aud does not name this FHIR server.');
  }
  const rawScope = one('scope');
  let scope = DEFAULT_SCOPE;
  if (typeof rawScope === 'string' && rawScope.trim() !== '') {
    const asked = rawScope.trim().split(/\s+/);
    if (!asked.some((s) => (READ_SCOPES as readonly string[]).includes(s))) {
      return fail('invalid_scope', 'This server grants read access to the whole record only: ask for patient/*.read.');
    }
    scope = [...new Set(asked.filter((s) => GRANTABLE.has(s)))].join(' ');
  }

  const params: Record<string, string> = {};
  for (const k of REQUEST_FIELDS) {
    const v = one(k);
    if (typeof v === 'string') params[k] = v;
  }
  return { kind: 'ok', request: { app, redirectUri, state, codeChallenge: challenge, scope, params } };
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) equals the code challenge. */
export function pkceMatches(verifier: string, challenge: string): boolean {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url') === challenge;
}

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
export const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
