// The kernel's own routes: the language switch every page links to and /hello (the benchmark baseline: no database, no
// session). The health endpoints are in health.ts.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isLang } from '../i18n/i18n.js';
import { ensureSession } from './request-context.js';

export function registerKernelRoutes(app: FastifyInstance): void {
  const languageQuery = z.object({ lang: z.string(), return: z.string().optional() });
  app.get('/language', async (req, reply) => {
    const q = languageQuery.safeParse(req.query);
    const lang = q.success && isLang(q.data.lang) ? q.data.lang : 'nl';
    const back = q.success && q.data.return && /^\/(?!\/)[\w\-/.]*$/.test(q.data.return) ? q.data.return : '/';
    req.lang = lang;
    const session = await ensureSession(req, reply);
    if (session.state.lang !== lang) await req.server.koepel.sessions.updateState(session, { ...session.state, lang });
    return reply.redirect(back, 303);
  });

  app.get('/hello', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('hello'));
}
