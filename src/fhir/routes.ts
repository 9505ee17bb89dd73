// The FHIR write API for provider systems, under /fhir (one Fastify plugin scope):
//
//   POST /fhir                 transaction or batch Bundle
//   PUT  /fhir/{type}/{id}     one resource under the sender's logical id
//   POST /fhir/{type}          one resource (identified by its identifier)
//   POST /fhir/token           OAuth2 client credentials (src/fhir/oauth.ts)
//
// Authenticated by bearer token (no cookies, so no CSRF); bodies are application/fhir+json or application/json up to
// MAX_BODY_BYTES. Every answer under /fhir is FHIR JSON — errors included: 401, 404, 413, 415 and malformed JSON are
// OperationOutcomes, never the HTML error pages of the portal.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TokenCache, tokenOwner } from '../api-clients/credentials.js';
import { registerApiClientRoutes } from '../api-clients/routes.js';
import { withPrincipal } from '../platform/db/principal.js';
import { HttpError, isDatabaseUnavailable } from '../platform/http/errors.js';
import { ingestBundle, ingestResource, type IngestContext, type IngestResult } from './ingest.js';
import { FhirError, issue, operationOutcome, type Issue } from './outcome.js';
import { registerTokenEndpoint, TOKEN_PATH } from './oauth.js';

/** The largest request body: room for a Bundle with a few attachments of up to 10 MB each (base64 adds a third). */
export const MAX_BODY_BYTES = 48 * 1024 * 1024;
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const BEARER_REALM = 'Bearer realm="koepel-fhir"';

function sendOutcome(reply: FastifyReply, status: number, issues: Issue[], headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(status).type(FHIR_JSON).send(operationOutcome(issues));
}

/** Route hook: the bearer token decides the principal — the API client and its organisation. */
async function authenticate(tokens: TokenCache, req: FastifyRequest): Promise<void> {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m?.[1]) {
    throw new FhirError(
      401,
      [issue('login', `An access token is required (Authorization: Bearer …); a client gets one at ${TOKEN_PATH}`)],
      { 'WWW-Authenticate': BEARER_REALM },
    );
  }
  const token = m[1];
  let owner = tokens.get(token);
  if (!owner) {
    const checkedAt = performance.now();
    const found = await withPrincipal(req.server.koepel.db, { kind: 'system', purpose: 'api-auth' }, (tx) =>
      tokenOwner(tx, token),
    );
    if (found) tokens.remember(token, found, found.expiresAt, checkedAt);
    owner = found;
  }
  if (!owner) {
    throw new FhirError(401, [issue('login', 'The access token is not valid: unknown, expired or revoked')], {
      'WWW-Authenticate': `${BEARER_REALM}, error="invalid_token"`,
    });
  }
  req.principal = { kind: 'client', clientId: owner.clientId, organisationId: owner.organisationId };
}

function contextOf(req: FastifyRequest): IngestContext {
  return { keys: req.server.koepel.keys, run: (fn) => req.withData(fn) };
}

function send(reply: FastifyReply, result: IngestResult): FastifyReply {
  if (result.location) reply.header('Location', `/fhir/${result.location}`);
  if (result.etag) reply.header('ETag', result.etag);
  return reply.code(result.status).type(FHIR_JSON).send(result.body);
}

/** JSON without prototype tricks: a "__proto__" key is dropped rather than becoming an object's prototype. */
export function parseFhirJson(text: string): unknown {
  try {
    return text.includes('"__proto__"')
      ? JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v))
      : JSON.parse(text);
  } catch {
    throw new FhirError(400, [issue('structure', 'The request body is not valid JSON')]);
  }
}

const notFound = (reply: FastifyReply) =>
  sendOutcome(reply, 404, [issue('not-found', 'There is no FHIR interaction at this path')]);

function errorToOutcome(err: FastifyError | FhirError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof FhirError) return sendOutcome(reply, err.status, err.issues, err.headers);
  // A path without a FHIR interaction stays a 404, whatever the portal's own hooks (CSRF) thought of it.
  if (req.is404) return notFound(reply);
  if (err instanceof HttpError) {
    const code = err.status === 401 ? 'login' : err.status === 403 ? 'forbidden' : 'invalid';
    return sendOutcome(reply, err.status, [issue(code, 'The request is not allowed')]);
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    return sendOutcome(reply, 413, [
      issue('too-long', `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB; send smaller Bundles`),
    ]);
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) {
    return sendOutcome(reply, 415, [
      issue('not-supported', 'The Content-Type must be application/fhir+json (or application/json)'),
    ]);
  }
  if (isDatabaseUnavailable(err)) {
    return sendOutcome(reply, 503, [issue('transient', 'The service is temporarily unavailable; try again later')], {
      'Retry-After': '30',
    });
  }
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return sendOutcome(reply, fe.statusCode === 405 ? 405 : 400, [issue('invalid', 'The request is not valid')]);
  }
  // Type, code and stack only: database messages can quote values (personal data).
  req.log.error({ err: { type: err.name, code: fe.code, stack: err.stack } }, 'FHIR request failed');
  return sendOutcome(reply, 500, [issue('exception', `Internal error; reference ${req.id}`)]);
}

/** Data in (issue 3): the API client administration, the token endpoint and the FHIR write API. */
export function registerDataIn(app: FastifyInstance): void {
  const tokens = new TokenCache();
  registerApiClientRoutes(app, tokens);
  registerTokenEndpoint(app);
  void app.register(
    async (fhir) => {
      // Only FHIR JSON is parsed here (the portal's form and JSON parsers do not apply).
      fhir.removeAllContentTypeParsers();
      fhir.addContentTypeParser(
        ['application/fhir+json', 'application/json'],
        { parseAs: 'string' },
        (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
          try {
            done(null, parseFhirJson(typeof body === 'string' ? body : body.toString('utf8')));
          } catch (err) {
            done(err as Error);
          }
        },
      );
      fhir.setErrorHandler(errorToOutcome);
      fhir.setNotFoundHandler((_req, reply) => notFound(reply));

      const options = {
        config: { csrf: false },
        bodyLimit: MAX_BODY_BYTES,
        onRequest: (req: FastifyRequest) => authenticate(tokens, req),
      };

      fhir.post('/', options, async (req, reply) => send(reply, await ingestBundle(contextOf(req), req.body)));

      fhir.put<{ Params: { type: string; id: string } }>('/:type/:id', options, async (req, reply) =>
        send(reply, await ingestResource(contextOf(req), 'PUT', req.params.type, req.params.id, req.body)),
      );

      fhir.post<{ Params: { type: string } }>('/:type', options, async (req, reply) =>
        send(reply, await ingestResource(contextOf(req), 'POST', req.params.type, null, req.body)),
      );
    },
    { prefix: '/fhir' },
  );
}
