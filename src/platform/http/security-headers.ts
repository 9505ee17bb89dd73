// Security headers on every response (NCSC web guidelines as used by the DigiD assessment):
// strict CSP without inline script or style, HSTS for a year, no framing, no sniffing, no referrer,
// and no caching of anything but the static assets.
import type { FastifyInstance, FastifyReply } from 'fastify';

const extraFormActions = new WeakMap<FastifyReply, string[]>();

/**
 * Lets this one page's forms lead to another origin (a CSP source: an origin, or a scheme such as "nl.app:"):
 * browsers also check form-action on the redirect that answers a form, e.g. the OAuth consent form's redirect back to
 * the app the citizen authorises.
 */
export function allowFormAction(reply: FastifyReply, source: string): void {
  if (!/^(https?:\/\/[A-Za-z0-9.\-[\]:]+|[a-z][a-z0-9+.-]*:)$/.test(source)) throw new Error('not a CSP source');
  extraFormActions.set(reply, [...(extraFormActions.get(reply) ?? []), source]);
}

// ----- Video consult (issue 12, LU-1): per-reply overrides for the one page that uses camera and microphone -----
const mediaPages = new WeakSet<FastifyReply>();
const extraConnect = new WeakMap<FastifyReply, string[]>();

/** Lets this one page use the camera and microphone (same origin only); every other page keeps them off. */
export function allowCameraAndMicrophone(reply: FastifyReply): void {
  mediaPages.add(reply);
}

/**
 * Adds a connect-src source for this one page, e.g. its own origin's WebSocket (wss://host): CSP Level 3 lets 'self'
 * match same-origin ws:/wss:, older Safari did not.
 */
export function allowConnect(reply: FastifyReply, source: string): void {
  if (!/^wss?:\/\/[A-Za-z0-9.\-[\]:]+$/.test(source)) throw new Error('not a WebSocket origin');
  extraConnect.set(reply, [...(extraConnect.get(reply) ?? []), source]);
}
// ----- end video consult -----

export function registerSecurityHeaders(app: FastifyInstance, opts: { formActionOrigins: string[] }): void {
  const formAction = ["'self'", ...opts.formActionOrigins].join(' ');
  const cspWith = (sources: string, connect = "'self'") =>
    [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src ${connect}`,
      `form-action ${sources}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
    ].join('; ');
  const csp = cspWith(formAction);
  app.addHook('onSend', async (req, reply, payload) => {
    const extra = extraFormActions.get(reply);
    const connect = extraConnect.get(reply);
    reply.header(
      'Content-Security-Policy',
      extra || connect
        ? cspWith([formAction, ...(extra ?? [])].join(' '), ["'self'", ...(connect ?? [])].join(' '))
        : csp,
    );
    reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    reply.header(
      'Permissions-Policy',
      mediaPages.has(reply)
        ? 'camera=(self), microphone=(self), geolocation=(), interest-cohort=()'
        : 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
    );
    if (!req.url.startsWith('/assets/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
}
