// The FHIR write API for provider systems, under /fhir (one FHIR scope, src/platform/fhir/scope.ts):
//
//   POST /fhir                 transaction or batch Bundle
//   PUT  /fhir/{type}/{id}     one resource under the sender's logical id
//   POST /fhir/{type}          one resource (identified by its identifier)
//
// Authenticated by bearer token (no cookies, so no CSRF; the token endpoint POST /fhir/token is in src/api-clients);
// bodies are application/fhir+json or application/json up to MAX_BODY_BYTES.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FHIR_JSON } from '../platform/fhir/scope.js';
import { ingestBundle, ingestResource, type IngestContext, type IngestResult } from './ingest.js';

/** The largest request body: room for a Bundle with a few attachments of up to 10 MB each (base64 adds a third). */
export const MAX_BODY_BYTES = 48 * 1024 * 1024;

function contextOf(req: FastifyRequest): IngestContext {
  return { keys: req.server.koepel.keys, run: (fn) => req.withData(fn) };
}

function send(reply: FastifyReply, result: IngestResult<unknown>): FastifyReply {
  // Absolute, under the configured public base: {base}/fhir/{type}/{id}/_history/{version}.
  if (result.location) reply.header('Location', `${reply.server.koepel.config.publicUrl}/fhir/${result.location}`);
  if (result.etag) reply.header('ETag', result.etag);
  return reply.code(result.status).type(FHIR_JSON).send(result.body);
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
    send(reply, await ingestResource(contextOf(req), 'PUT', req.params.type, req.params.id, req.body)),
  );

  fhir.post<{ Params: { type: string } }>('/:type', options, async (req, reply) =>
    send(reply, await ingestResource(contextOf(req), 'POST', req.params.type, null, req.body)),
  );
}
