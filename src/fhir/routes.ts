// The FHIR write API for provider systems, under /fhir (one FHIR scope, src/platform/fhir/scope.ts):
//
//   POST /fhir                 transaction or batch Bundle (request.ifNoneExist: a conditional create per entry)
//   PUT  /fhir/{type}/{id}     one resource under the sender's logical id
//   POST /fhir/{type}          one resource (identified by its identifier); If-None-Exist: identifier=system|value
//   DELETE /fhir/{type}/{id}   the resource leaves the citizen's view; a later read answers 410 Gone
//   GET  /fhir/{type}/{id}/_history[/{version}]   history and vread of what the own organisation sent
//   (GET /fhir/{type}/{id} by a provider system: providerGet, called from the read routes, src/fhir/read/routes.ts)
//
// PUT takes If-Match: W/"n" (412 on another version); PUT and POST take Prefer: return=minimal|representation|
// OperationOutcome; reads answer ETag W/"n" and 304 to a matching If-None-Match.
//
// Authenticated by bearer token (no cookies, so no CSRF; the token endpoint POST /fhir/token is in src/api-clients);
// bodies are application/fhir+json or application/json (or FHIR XML, converted at the scope) up to MAX_BODY_BYTES.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fhirError, issue, operationOutcome } from '../platform/fhir/outcome.js';
import { FHIR_JSON } from '../platform/fhir/scope.js';
import { FHIR_ID } from './datatypes.js';
import {
  ingestBundle,
  ingestResource,
  locationOf,
  returnPreference,
  type IngestContext,
  type IngestResult,
} from './ingest.js';
import { providerDelete, providerHistory, providerRead, type ProviderVersion } from './provider.js';
import { isIngestType, type IngestType } from './resources.js';

/** The largest request body: room for a Bundle with a few attachments of up to 10 MB each (base64 adds a third). */
export const MAX_BODY_BYTES = 48 * 1024 * 1024;

function contextOf(req: FastifyRequest): IngestContext {
  return { keys: req.server.koepel.keys, run: (fn) => req.withData(fn) };
}

function send(reply: FastifyReply, result: IngestResult<unknown>): FastifyReply {
  // Absolute, under the configured public base: {base}/fhir/{type}/{id}/_history/{version}.
  if (result.location) reply.header('Location', `${reply.server.koepel.config.publicUrl}/fhir/${result.location}`);
  if (result.etag) reply.header('ETag', result.etag);
  if (result.body === null) return reply.code(result.status).send();
  return reply.code(result.status).type(FHIR_JSON).send(result.body);
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/** The type and id of a provider's request path, or a 404 (never echoing either). */
function target(type: string, id: string): { type: IngestType; id: string } {
  if (!isIngestType(type)) throw fhirError(404, 'not-supported', 'Resource type not supported.');
  if (!FHIR_ID.test(id)) throw fhirError(404, 'not-found', 'Resource not found.');
  return { type, id };
}

function versionHeaders(reply: FastifyReply, v: ProviderVersion): void {
  reply.header('ETag', `W/"${v.version}"`);
  reply.header('Last-Modified', v.lastUpdated.toUTCString());
  reply.header('Content-Location', `${reply.server.koepel.config.publicUrl}/fhir/${locationOf(v)}`);
}

/** A read answer: 200 (or 304 when If-None-Match names this version), 410 for a deleted one, 404. */
function sendVersion(
  req: FastifyRequest,
  reply: FastifyReply,
  read: Awaited<ReturnType<typeof providerRead>>,
): FastifyReply {
  if (read.status === 404) throw fhirError(404, 'not-found', 'Resource not found.');
  versionHeaders(reply, read.version);
  if (read.status === 410) {
    return reply
      .code(410)
      .type(FHIR_JSON)
      .send(operationOutcome([issue('deleted', 'The resource was deleted by your organisation')]));
  }
  const tags = (header(req, 'if-none-match') ?? '').split(',').map((t) => t.trim());
  if (
    tags.includes(`W/"${read.version.version}"`) ||
    tags.includes(`"${read.version.version}"`) ||
    tags.includes('*')
  ) {
    return reply.code(304).send();
  }
  return reply.code(200).type(FHIR_JSON).send(read.version.resource);
}

/**
 * GET /fhir/{type}/{id} by a provider system: the resource its own organisation sent, as sent (references as
 * stored), under the id of its own id space. The citizen read routes hand provider principals over to this.
 */
export async function providerGet(
  req: FastifyRequest,
  reply: FastifyReply,
  rawType: string,
  rawId: string,
): Promise<FastifyReply> {
  const { type, id } = target(rawType, rawId);
  return sendVersion(req, reply, await req.withData((scope) => providerRead(scope, type, id)));
}

/** Data in (issue 3): the FHIR write API, in the /fhir scope. The principal is the API client of the bearer token. */
export function registerFhirWriteRoutes(fhir: FastifyInstance): void {
  const options = {
    config: { csrf: false },
    bodyLimit: MAX_BODY_BYTES,
    onRequest: async (req: FastifyRequest) => {
      await req.server.koepel.bearer.authenticate(req, 'api-client');
    },
  };

  fhir.post('/', options, async (req, reply) => send(reply, await ingestBundle(contextOf(req), req.body)));

  fhir.put<{ Params: { type: string; id: string } }>('/:type/:id', options, async (req, reply) =>
    send(
      reply,
      await ingestResource(contextOf(req), 'PUT', req.params.type, req.params.id, req.body, {
        ifMatch: header(req, 'if-match'),
        prefer: returnPreference(header(req, 'prefer')),
      }),
    ),
  );

  fhir.post<{ Params: { type: string } }>('/:type', options, async (req, reply) =>
    send(
      reply,
      await ingestResource(contextOf(req), 'POST', req.params.type, null, req.body, {
        ifNoneExist: header(req, 'if-none-exist'),
        prefer: returnPreference(header(req, 'prefer')),
      }),
    ),
  );

  fhir.delete<{ Params: { type: string; id: string } }>('/:type/:id', options, async (req, reply) => {
    const { type, id } = target(req.params.type, req.params.id);
    const result = await req.withData((scope) => providerDelete(scope, type, id));
    if (result.status === 404) throw fhirError(404, 'not-found', 'Resource not found.');
    if (result.status === 405) {
      throw fhirError(
        405,
        'not-supported',
        `${type} is not deleted: withdraw a Slot with status busy-unavailable, a Schedule with active false.`,
      );
    }
    reply.header('ETag', `W/"${result.version}"`);
    if (returnPreference(header(req, 'prefer')) === 'minimal') return reply.code(204).send();
    const words = result.already ? 'Deleted already' : 'Deleted: it no longer shows in the citizen’s record';
    return reply
      .code(200)
      .type(FHIR_JSON)
      .send(operationOutcome([issue('informational', `${type}: ${words}`, undefined, 'information')]));
  });

  fhir.get<{ Params: { type: string; id: string; version: string } }>(
    '/:type/:id/_history/:version',
    options,
    async (req, reply) => {
      const { type, id } = target(req.params.type, req.params.id);
      const version = /^\d{1,9}$/.test(req.params.version) ? Number(req.params.version) : null;
      if (version === null) throw fhirError(404, 'not-found', 'Resource not found.');
      return sendVersion(req, reply, await req.withData((scope) => providerRead(scope, type, id, version)));
    },
  );

  fhir.get<{ Params: { type: string; id: string } }>('/:type/:id/_history', options, async (req, reply) => {
    const { type, id } = target(req.params.type, req.params.id);
    const versions = await req.withData((scope) => providerHistory(scope, type, id));
    if (!versions) throw fhirError(404, 'not-found', 'Resource not found.');
    const base = `${req.server.koepel.config.publicUrl}/fhir`;
    const logicalId = versions[0]?.logicalId ?? id;
    return reply
      .code(200)
      .type(FHIR_JSON)
      .send({
        resourceType: 'Bundle',
        type: 'history',
        total: versions.length,
        link: [{ relation: 'self', url: `${base}/${type}/${logicalId}/_history` }],
        entry: versions.map((v) => ({
          fullUrl: `${base}/${type}/${v.logicalId}`,
          ...(v.deleted ? {} : { resource: v.resource }),
          request: { method: v.deleted ? 'DELETE' : 'PUT', url: `${type}/${v.logicalId}` },
          response: {
            status: v.deleted ? '204 No Content' : v.version === 1 ? '201 Created' : '200 OK',
            etag: `W/"${v.version}"`,
            lastModified: v.lastUpdated.toISOString(),
          },
        })),
      });
  });
}
