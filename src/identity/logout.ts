// POST /logout, for citizens and staff alike: ends the session server-side, clears the cookie, back to the start.
// Protected by the session's CSRF token like every form (the preHandler in request-context.ts): without a live
// session there is no token, so the request is refused as an expired form — there is nothing to end anyway.
import type { FastifyInstance } from 'fastify';
import { clearSessionCookie } from '../platform/http/request-context.js';

export function registerLogout(app: FastifyInstance): void {
  app.post('/logout', async (req, reply) => {
    const session = req.session;
    if (session) {
      const event = session.kind === 'citizen' ? 'citizen.logout' : session.kind === 'staff' ? 'staff.logout' : null;
      if (event && req.principal.kind !== 'anonymous') await req.withData((s) => s.audit({ event, action: 'E' }));
      await app.koepel.sessions.end(session);
      req.session = null;
    }
    clearSessionCookie(reply);
    return reply.redirect('/', 303);
  });
}
