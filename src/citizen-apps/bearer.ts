// An app's bearer token on the citizen read API becomes the citizen's own principal, with the app named in it.
// Checked against the grant and the app register on every request — no cache, unlike provider systems' tokens — so
// a citizen's withdrawal or the operator's revocation ends the app's access with the very next request.
// Registered as the 'citizen-app' verifier of the platform's bearer check (src/platform/auth/bearer.ts).
import type { FastifyRequest } from 'fastify';
import { sha256 } from '../platform/crypto/secrets.js';
import type { Principal } from '../platform/db/principal.js';

/** How often a grant's "last used" moment is written (not at every request). */
const LAST_USED_EVERY_MS = 5 * 60_000;

export type AppPrincipal = Extract<Principal, { kind: 'citizen' }> & { app: string };

/** The citizen (and app) a token reads for, or null: unknown, expired, grant withdrawn, or app revoked. */
export async function appTokenPrincipal(
  req: FastifyRequest,
  token: string,
  now = new Date(),
): Promise<AppPrincipal | null> {
  return req.withSystem('api-auth', async ({ tx }) => {
    const row = await tx
      .selectFrom('citizen_app_token as t')
      .innerJoin('citizen_app_grant as g', 'g.id', 't.grant_id')
      .innerJoin('citizen_app as a', 'a.id', 'g.app_id')
      .select(['g.id as grant_id', 'g.citizen_id', 'g.portal_id', 'g.last_used_at', 'a.id as app_id'])
      .where('t.token_hash', '=', sha256(token))
      .where('t.expires_at', '>', now)
      .where('a.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_EVERY_MS) {
      await tx.updateTable('citizen_app_grant').set({ last_used_at: now }).where('id', '=', row.grant_id).execute();
    }
    return { kind: 'citizen', citizenId: row.citizen_id, portalId: row.portal_id, app: row.app_id };
  });
}
