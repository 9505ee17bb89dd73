// An app's bearer token on the citizen read API becomes the citizen's own principal, with the app named in it.
// Checked against the grant and the app register on every request — no cache, unlike provider systems' tokens — so
// a citizen's withdrawal or the operator's revocation ends the app's access with the very next request. The check
// runs in the request's own transaction, which the read continues (one transaction per request).
// Registered as the 'citizen-app' verifier of the platform's bearer check (src/platform/auth/bearer.ts).
import type { FastifyRequest } from 'fastify';
import { sha256 } from '../platform/crypto/secrets.js';
import type { Principal } from '../platform/db/principal.js';
import { openRequestAs } from '../platform/http/request-context.js';

/** How often a grant's "last used" moment is written (not at every request). */
const LAST_USED_EVERY_MS = 5 * 60_000;

export type AppPrincipal = Extract<Principal, { kind: 'citizen' }> & { app: string };

/** The citizen (and app) a token reads for, or null: unknown, expired, grant withdrawn, or app revoked. */
export async function appTokenPrincipal(
  req: FastifyRequest,
  token: string,
  now = new Date(),
): Promise<AppPrincipal | null> {
  // The check opens the request's own transaction, which the read then continues (migrations/0018_request_session.sql).
  const args = [sha256(token), now, LAST_USED_EVERY_MS];
  const opened = await openRequestAs<TokenRow>(req, 'api-auth', 'koepel_open_app_token', args, (row) => ({
    kind: 'citizen',
    citizenId: row.citizen_id,
    portalId: row.portal_id,
    app: row.app_id,
  }));
  return opened ? (opened.principal as AppPrincipal) : null;
}

interface TokenRow {
  citizen_id: string;
  portal_id: string;
  app_id: string;
  settings: string;
}
