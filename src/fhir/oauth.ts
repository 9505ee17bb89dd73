// The OAuth2 token endpoint for provider systems: POST /fhir/token, client credentials grant (RFC 6749 §4.4).
// The client authenticates with HTTP Basic or with client_id/client_secret in the form body (§2.3.1), never both.
// Errors are RFC 6749 §5.2 JSON. Failed client authentication is throttled per client id and per address, in
// counters of their own (a provider system's mistakes must not lock staff out of logging in from the same address).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withPrincipal, type Tx } from '../platform/db/principal.js';
import { issueToken, secretMatches, sha256, TOKEN_TTL_SECONDS } from '../api-clients/credentials.js';
import { writeAudit } from '../platform/audit/audit.js';
import {
  blockedUntil,
  clearAccount,
  pruneThrottle,
  registerFailure,
  throttleAddress,
  throttlePolicy,
  type ThrottleKeys,
} from '../staff/throttle.js';

export const TOKEN_PATH = '/fhir/token';

export type OAuthError =
  'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_grant' | 'server_error';

const REALM = 'Basic realm="koepel-fhir", charset="UTF-8"';

/** An RFC 6749 §5.2 error answer of a token endpoint. */
export function sendError(reply: FastifyReply, error: OAuthError, description: string): FastifyReply {
  const status = error === 'invalid_client' ? 401 : error === 'server_error' ? 500 : 400;
  if (status === 401) reply.header('WWW-Authenticate', REALM);
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

const CLIENT_ID = /^kc_[A-Za-z0-9_-]{16,64}$/;
// Compared against when the client id is unknown, so that the answer takes the same time.
const DUMMY_HASH = sha256('koepel: no such client');

function throttleKeys(req: FastifyRequest, clientId: string): ThrottleKeys {
  const { keys } = req.server.koepel;
  return {
    account: `api-client:${keys.blindIndex('throttle-api-client', clientId).toString('hex')}`,
    address: `api-address:${keys.blindIndex('throttle-api-address', throttleAddress(req.ip)).toString('hex')}`,
  };
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

/** A plugin scope for a token endpoint: its errors are JSON per RFC 6749, not OperationOutcome, not an HTML page. */
export function registerOAuthScope(app: FastifyInstance, routes: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    scope.setErrorHandler((err: { statusCode?: number; code?: string }, req, reply) => {
      if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
        return sendError(reply, 'invalid_request', 'The request must be application/x-www-form-urlencoded.');
      }
      req.log.error({ err: { code: err.code } }, 'token endpoint failed');
      return sendError(reply, 'server_error', 'The token could not be issued; try again later.');
    });
    routes(scope);
  });
}

export function registerTokenEndpoint(app: FastifyInstance): void {
  registerOAuthScope(app, (scope) => {
    scope.post(TOKEN_PATH, { config: { csrf: false }, bodyLimit: 8192 }, async (req, reply) => {
      const body = tokenForm(req, reply);
      if (!body) return reply;
      if (body.grant_type === undefined) return sendError(reply, 'invalid_request', 'grant_type is required.');
      if (body.grant_type !== 'client_credentials') {
        return sendError(reply, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
      }
      const creds = credentialsOf(req, body);
      if ('error' in creds) return sendError(reply, creds.error, creds.description);

      const { db, config } = req.server.koepel;
      const policy = throttlePolicy(config);
      const keys = throttleKeys(req, creds.clientId.slice(0, 100));
      const at = { clientAddress: req.ip, userAgent: req.headers['user-agent'] ?? null, requestId: req.id };
      const system = <T>(fn: (tx: Tx) => Promise<T>) => withPrincipal(db, { kind: 'system', purpose: 'api-auth' }, fn);
      const principal = { kind: 'system', purpose: 'api-auth' } as const;

      const token = await system(async (tx) => {
        if (await blockedUntil(tx, keys)) {
          await writeAudit(tx, principal, at, [
            { event: 'api-client.token', action: 'E', outcome: 'denied', reason: 'throttled' },
          ]);
          return null;
        }
        const client = CLIENT_ID.test(creds.clientId)
          ? await tx
              .selectFrom('api_client')
              .select(['id', 'organisation_id', 'secret_hash'])
              .where('client_id', '=', creds.clientId)
              .where('revoked_at', 'is', null)
              .executeTakeFirst()
          : undefined;
        const matches = secretMatches(creds.secret, client?.secret_hash ?? DUMMY_HASH);
        if (!client || !matches) {
          await registerFailure(tx, keys, policy);
          await writeAudit(tx, principal, at, [
            {
              event: 'api-client.token',
              action: 'E',
              outcome: 'failure',
              organisationId: client?.organisation_id,
              resourceType: client ? 'api_client' : undefined,
              resourceId: client?.id,
              reason: client ? 'wrong secret' : 'unknown or revoked client',
            },
          ]);
          return null;
        }
        await clearAccount(tx, keys);
        const issued = await issueToken(tx, { clientId: client.id, organisationId: client.organisation_id });
        await writeAudit(tx, principal, at, [
          {
            event: 'api-client.token',
            action: 'E',
            organisationId: client.organisation_id,
            resourceType: 'api_client',
            resourceId: client.id,
          },
        ]);
        return issued;
      });
      if (token === null) {
        await system((tx) => pruneThrottle(tx, policy));
        return sendError(reply, 'invalid_client', 'Client authentication failed.');
      }
      return reply
        .code(200)
        .header('Pragma', 'no-cache')
        .type('application/json; charset=utf-8')
        .send({ access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS });
    });
  });
}
