// POST /logout, for citizens and staff alike: ends the session server-side, clears the cookie, back to the start.
// CSRF: a live session must send its token (same check as every form). Without a live session (it expired, or it
// was never there) there is nothing to end or to forge, so the cookie is simply cleared.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../platform/http/errors.js';
import { clearSessionCookie } from '../platform/http/request-context.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function registerLogout(app: FastifyInstance): void {
  app.post('/logout', { config: { csrf: false } }, async (req, reply) => {
    const session = req.session;
    if (session) {
      const body = req.body as Record<string, unknown> | undefined;
      const sent = typeof body?._csrf === 'string' ? body._csrf : req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !timingSafeEqual(digest(sent), digest(session.csrfToken))) throw new HttpError(403, 'csrf');
      const event = session.kind === 'citizen' ? 'citizen.logout' : session.kind === 'staff' ? 'staff.logout' : null;
      if (event && req.principal.kind !== 'anonymous') await req.withData((s) => s.audit({ event, action: 'E' }));
      await app.koepel.sessions.end(session);
      req.session = null;
    }
    clearSessionCookie(reply);
    return reply.redirect('/', 303);
  });
}
