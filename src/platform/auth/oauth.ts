// What the OAuth 2.0 token endpoints share (the provider systems' client-credentials endpoint in src/api-clients,
// the citizen apps' authorization-code endpoint in src/citizen-apps): the form body, client authentication by HTTP
// Basic or the body (RFC 6749 §2.3.1, never both), and RFC 6749 §5.2 JSON errors in a scope of their own.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../http/errors.js';

export type OAuthError =
  | 'invalid_request'
  | 'invalid_client'
  | 'unsupported_grant_type'
  | 'invalid_grant'
  | 'server_error'
  | 'temporarily_unavailable';

const REALM = 'Basic realm="koepel-fhir", charset="UTF-8"';

/** An RFC 6749 §5.2 error answer of a token endpoint. */
export function sendError(reply: FastifyReply, error: OAuthError, description: string): FastifyReply {
  const status =
    error === 'invalid_client' ? 401 : error === 'server_error' ? 500 : error === 'temporarily_unavailable' ? 503 : 400;
  if (status === 401) reply.header('WWW-Authenticate', REALM);
  if (status === 503) reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
  return reply
    .code(status)
    .header('Pragma', 'no-cache')
    .type('application/json; charset=utf-8')
    .send({ error, error_description: description });
}

/** RFC 6749 Appendix B: the client id and secret are form-urlencoded before they go into the Basic header. */
function formDecode(v: string): string | null {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

type Credentials = { clientId: string; secret: string };

/** The client's id and secret from HTTP Basic or the form body (RFC 6749 §2.3.1), never both. */
export function credentialsOf(
  req: FastifyRequest,
  body: Record<string, string>,
): Credentials | { error: OAuthError; description: string } {
  const header = req.headers.authorization;
  const inBody = body.client_secret !== undefined;
  if (header !== undefined) {
    if (inBody) {
      return { error: 'invalid_request', description: 'Use one way of client authentication: Basic or the form body.' };
    }
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!m?.[1]) return { error: 'invalid_client', description: 'Client authentication failed.' };
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = colon > 0 ? formDecode(decoded.slice(0, colon)) : null;
    const secret = colon > 0 ? formDecode(decoded.slice(colon + 1)) : null;
    if (!clientId || secret === null) return { error: 'invalid_client', description: 'Client authentication failed.' };
    if (body.client_id !== undefined && body.client_id !== clientId) {
      return { error: 'invalid_request', description: 'client_id in the body differs from the authenticated client.' };
    }
    return { clientId, secret };
  }
  if (body.client_id === undefined || body.client_secret === undefined) {
    return { error: 'invalid_client', description: 'Client authentication is required.' };
  }
  return { clientId: body.client_id, secret: body.client_secret };
}

/**
 * The parameters of a token request: application/x-www-form-urlencoded, each parameter once (RFC 6749 §3.2).
 * Answers the error itself and returns null when the body is not such a form.
 */
export function tokenForm(req: FastifyRequest, reply: FastifyReply): Record<string, string> | null {
  const raw = req.body;
  const form = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (form !== 'application/x-www-form-urlencoded' || typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    sendError(reply, 'invalid_request', 'The request must be application/x-www-form-urlencoded.');
    return null;
  }
  const body: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') {
      sendError(reply, 'invalid_request', 'A parameter appears more than once.');
      return null;
    }
    body[k] = v;
  }
  return body;
}

/**
 * A token endpoint at `path`, in a scope of its own (registerOAuthScope). `handle` gets the request's form once it is
 * one and asks for `grant`; anything else has been answered.
 */
export function registerTokenRoute(
  app: FastifyInstance,
  path: string,
  grant: 'client_credentials' | 'authorization_code',
  handle: (req: FastifyRequest, reply: FastifyReply, body: Record<string, string>) => Promise<FastifyReply>,
): void {
  registerOAuthScope(app, (scope) => {
    scope.post(path, { config: { csrf: false }, bodyLimit: 8192 }, async (req, reply) => {
      const body = tokenForm(req, reply);
      if (!body) return reply;
      if (body.grant_type === undefined) return sendError(reply, 'invalid_request', 'grant_type is required.');
      if (body.grant_type !== grant) {
        return sendError(reply, 'unsupported_grant_type', `Only grant_type=${grant} is supported.`);
      }
      return handle(req, reply, body);
    });
  });
}

/** A plugin scope for a token endpoint: its errors are JSON per RFC 6749, not OperationOutcome, not an HTML page. */
export function registerOAuthScope(app: FastifyInstance, routes: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    scope.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
      // The database is down: a 503 with Retry-After (the error name RFC 6749 §4.1.2.1 uses for the same state).
      if (isDatabaseUnavailable(err)) {
        return sendError(reply, 'temporarily_unavailable', 'The service is temporarily unavailable; try again later.');
      }
      if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
        return sendError(reply, 'invalid_request', 'The request must be application/x-www-form-urlencoded.');
      }
      req.log.error({ err: { code: err.code } }, 'token endpoint failed');
      return sendError(reply, 'server_error', 'The token could not be issued; try again later.');
    });
    routes(scope);
  });
}
