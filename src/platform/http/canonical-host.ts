// One address: PUBLIC_URL. A browser that reaches this server by another host name (127.0.0.1 where PUBLIC_URL says
// localhost, a node's own name behind the load balancer) would get a session cookie for that name, while DigiD sends
// it back to PUBLIC_URL — where that cookie is not sent, and the login fails as if the back button had been used.
// So a page request on another host is sent to PUBLIC_URL before anything starts:
//   GET/HEAD  308 to the same path and query on PUBLIC_URL;
//   any other method  421 Misdirected Request with a page that links to PUBLIC_URL. Not a redirect: a 308 would
//             replay the form there without its cookie and CSRF token (a misleading "form expired"), a 303 would drop
//             the form silently. Nothing was done, and the page says so.
// Only browser page requests (they accept text/html) are concerned. Machine clients — provider systems on /fhir, the
// token endpoints, health probes through a node's own address, the in-process calls of the DigiD simulator and the
// demo app (app.inject, Host: localhost:80) — ask for JSON or anything, and are served on whatever host they use.
// Behind a proxy (KOEPEL_TRUST_PROXY) the host is X-Forwarded-Host, as Fastify reads it.
import type { FastifyInstance } from 'fastify';
import { sendMessage } from './message-page.js';

/** Paths that are never redirected, whatever they accept: machine endpoints. */
const MACHINE_PATHS = /^\/(?:fhir(?:\/|$)|health(?:\/|$)|api\/|\.well-known\/|assets\/|hello$)/;

/** `host` as the URL parser writes it for `protocol` (lower case, no default port); null when it is not a host. */
export function normalHost(host: string, protocol: string): string | null {
  if (!host || /[/?#@\s\\]/.test(host)) return null;
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return null;
  }
}

export function registerCanonicalHost(app: FastifyInstance, publicUrl: string): void {
  const canonical = new URL(publicUrl);
  const origin = publicUrl.replace(/\/$/, '');
  app.addHook('onRequest', async (req, reply) => {
    if (!/text\/html/i.test(req.headers.accept ?? '')) return;
    const path = req.url.split('?')[0] ?? '/';
    if (MACHINE_PATHS.test(path)) return;
    const host = normalHost(req.host, canonical.protocol);
    // Without a usable Host header there is nothing to compare: served as before.
    if (host === null || host === canonical.host) return;
    reply.header('Cache-Control', 'no-store');
    if (req.method === 'GET' || req.method === 'HEAD') {
      return reply.redirect(origin + (req.url.startsWith('/') ? req.url : `/${req.url}`), 308);
    }
    return sendMessage(req, reply, 421, (t) => ({
      title: t('error.misdirected.title'),
      body: t('error.misdirected.body', { url: origin }),
      link: { href: `${origin}/`, label: origin },
    }));
  });
}
