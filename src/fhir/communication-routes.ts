// The routes of src/fhir/communications.ts, in the /fhir scope: secure messages as the organisation's own system
// reads and answers them (issue 13, MG-9, MG-13). Static paths, so they come before the generic /{type} routes of
// the read and write sides; only an API client's bearer token reaches them (a citizen or an app gets the 404 every
// unsupported type gets, as before).
//
//   GET  /fhir/Communication?_lastUpdated=&patient=&identifier=&_count=&_offset=
//   GET  /fhir/Communication/{uuid}
//   GET  /fhir/Binary/msgatt-{uuid}
//   POST /fhir/Communication            (Prefer: return=representation (default) | minimal | OperationOutcome)
//   PUT  /fhir/Communication/{uuid}     (received only; If-Match W/"1")
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../platform/auth/bearer.js';
import { fhirError, issue, operationOutcome } from '../platform/fhir/outcome.js';
import { FHIR_JSON } from '../platform/fhir/scope.js';
import {
  ATTACHMENT_PREFIX,
  CONVERSATION_SYSTEM,
  markCommunicationRead,
  readCommunication,
  readMessageAttachment,
  searchCommunications,
  sendCommunication,
  type CommunicationQuery,
} from './communications.js';
import { parseEtag, returnPreference } from './ingest.js';
import { lastUpdated, MAX_BODY_BYTES, whole } from './routes.js';

const PARAMS = new Set(['_lastUpdated', 'patient', 'identifier', '_count', '_offset', '_format']);
const notSupported = () => fhirError(404, 'not-supported', 'Resource type not supported.');
const notFound = () => fhirError(404, 'not-found', 'Resource not found.');

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/** Only the organisation's system: a bearer token of an API client. Anyone else: as if the type did not exist. */
async function clientOnly(req: FastifyRequest): Promise<void> {
  if (bearerToken(req) === null) throw notSupported();
  await req.server.koepel.bearer.authenticateAny(req, ['citizen-app', 'api-client']);
  if (req.principal.kind !== 'client') throw notSupported();
}

/** The query of GET /fhir/Communication?…; a FhirError (400) for what is not supported. */
export function communicationQuery(url: string, base: string): CommunicationQuery {
  const q: CommunicationQuery = { after: null, before: null, patient: null, conversation: null, count: 100, offset: 0 };
  const once = new Set<string>();
  for (const [key, value] of new URL(url, 'http://localhost').searchParams) {
    const name = key.replace(/[^\w.:-]/g, '?').slice(0, 40);
    if (!PARAMS.has(key)) throw fhirError(400, 'not-supported', `Unsupported parameter for Communication: ${name}.`);
    if (key !== '_lastUpdated') {
      if (once.has(key)) throw fhirError(400, 'invalid', `Parameter ${name} may be given only once.`);
      once.add(key);
    }
    if (key === '_lastUpdated') {
      const { bound, after } = lastUpdated(value);
      if (after) q.after = bound;
      else q.before = bound;
    } else if (key === 'patient') {
      const v = value.startsWith(`${base}/`) ? value.slice(base.length + 1) : value;
      q.patient = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(v)?.[1] ?? '-';
    } else if (key === 'identifier') {
      // system|value of the conversation; a bare value is read as a conversation id too. Other systems match nothing.
      const bar = value.indexOf('|');
      const system = bar < 0 ? CONVERSATION_SYSTEM : value.slice(0, bar);
      q.conversation = system === CONVERSATION_SYSTEM ? value.slice(bar + 1).toLowerCase() : '-';
    } else if (key === '_count') q.count = whole(key, value, 500);
    else if (key === '_offset') q.offset = whole(key, value, 1_000_000);
  }
  return q;
}

function sendMessage(req: FastifyRequest, reply: FastifyReply, resource: Record<string, unknown>): FastifyReply {
  const meta = resource.meta as { versionId: string; lastUpdated: string };
  reply.header('ETag', `W/"${meta.versionId}"`);
  reply.header('Last-Modified', new Date(meta.lastUpdated).toUTCString());
  const tags = (header(req, 'if-none-match') ?? '').split(',').map((t) => t.trim());
  if (tags.includes(`W/"${meta.versionId}"`) || tags.includes(`"${meta.versionId}"`)) return reply.code(304).send();
  return reply.code(200).type(FHIR_JSON).send(resource);
}

export function registerCommunicationRoutes(fhir: FastifyInstance): void {
  const base = () => `${fhir.koepel.config.publicUrl}/fhir`;

  fhir.get('/Communication', async (req, reply) => {
    await clientOnly(req);
    const q = communicationQuery(req.url, base());
    const result = await req.withData((scope) => searchCommunications(scope, base(), q));
    const link = (offset: number) => {
      const p = new URLSearchParams();
      const at = (b: { at: Date; inclusive: boolean }, after: boolean) =>
        `${after ? (b.inclusive ? 'ge' : 'gt') : b.inclusive ? 'le' : 'lt'}${b.at.toISOString()}`;
      if (q.after) p.append('_lastUpdated', at(q.after, true));
      if (q.before) p.append('_lastUpdated', at(q.before, false));
      if (q.patient) p.set('patient', `Patient/${q.patient}`);
      if (q.conversation) p.set('identifier', `${CONVERSATION_SYSTEM}|${q.conversation}`);
      p.set('_count', String(q.count));
      if (offset > 0) p.set('_offset', String(offset));
      return `${base()}/Communication?${p.toString()}`;
    };
    const links = [{ relation: 'self', url: link(q.offset) }];
    if (q.count > 0 && q.offset + q.count < result.total) {
      links.push({ relation: 'next', url: link(q.offset + q.count) });
    }
    return reply
      .code(200)
      .type(FHIR_JSON)
      .send({
        resourceType: 'Bundle',
        id: crypto.randomUUID(),
        meta: { lastUpdated: new Date().toISOString() },
        type: 'searchset',
        total: result.total,
        link: links,
        entry: result.items.map((resource) => ({
          fullUrl: `${base()}/Communication/${String(resource.id)}`,
          resource,
          search: { mode: 'match' },
        })),
      });
  });

  fhir.get<{ Params: { id: string } }>('/Communication/:id', async (req, reply) => {
    await clientOnly(req);
    const resource = await req.withData((scope) => readCommunication(scope, base(), req.params.id));
    if (!resource) throw notFound();
    return sendMessage(req, reply, resource);
  });

  // An attachment of a message: the bytes (served as a download, never rendered), or a Binary when FHIR is asked for.
  fhir.get<{ Params: { id: string } }>(`/Binary/${ATTACHMENT_PREFIX}:id`, async (req, reply) => {
    if (bearerToken(req) === null) throw notFound();
    await req.server.koepel.bearer.authenticateAny(req, ['citizen-app', 'api-client']);
    if (req.principal.kind !== 'client') throw notFound();
    const id = `${ATTACHMENT_PREFIX}${req.params.id}`;
    const file = await req.withData((scope) => readMessageAttachment(scope, id));
    if (!file) throw notFound();
    const wantsResource =
      /application\/fhir\+(json|xml)|application\/json/.test(req.headers.accept ?? '') ||
      (req.query as { _format?: string })._format;
    if (wantsResource) {
      return reply
        .code(200)
        .type(FHIR_JSON)
        .send({
          resourceType: 'Binary',
          id,
          contentType: file.contentType,
          securityContext: { reference: `Communication/${file.messageId}` },
          data: file.data.toString('base64'),
        });
    }
    const ext = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' }[file.contentType] ?? 'bin';
    return reply
      .type(file.contentType)
      .header('Content-Disposition', `attachment; filename="attachment.${ext}"`)
      .header('X-Content-Type-Options', 'nosniff')
      .send(file.data);
  });

  const writeOptions = {
    config: { csrf: false },
    bodyLimit: MAX_BODY_BYTES,
    onRequest: async (req: FastifyRequest) => {
      await req.server.koepel.bearer.authenticate(req, 'api-client');
    },
  };

  fhir.post('/Communication', writeOptions, async (req, reply) => {
    const result = await req.withData((scope) => sendCommunication(scope, base(), req.body));
    reply.header('Location', `${base()}/Communication/${result.id}`);
    reply.header('ETag', `W/"${String((result.resource.meta as { versionId?: string } | undefined)?.versionId ?? 1)}"`);
    const prefer = returnPreference(header(req, 'prefer')) ?? 'representation';
    if (prefer === 'minimal') return reply.code(result.status).send();
    if (prefer === 'OperationOutcome') {
      const words = result.status === 201 ? 'Sent' : 'Sent already (the same identifier): nothing new was stored';
      return reply
        .code(result.status)
        .type(FHIR_JSON)
        .send(operationOutcome([issue('informational', `Communication: ${words}`, undefined, 'information')]));
    }
    return reply.code(result.status).type(FHIR_JSON).send(result.resource);
  });

  fhir.put<{ Params: { id: string } }>('/Communication/:id', writeOptions, async (req, reply) => {
    const rawIfMatch = header(req, 'if-match');
    const ifMatch = rawIfMatch === undefined ? null : parseEtag(rawIfMatch);
    if (rawIfMatch !== undefined && ifMatch === null) {
      throw fhirError(400, 'invalid', 'If-Match must be a version tag W/"n"');
    }
    const result = await req.withData((scope) =>
      markCommunicationRead(scope, base(), req.params.id, req.body, ifMatch),
    );
    if (result.status === 404) throw notFound();
    reply.header('ETag', `W/"${result.version}"`);
    const prefer = returnPreference(header(req, 'prefer')) ?? 'representation';
    if (prefer === 'minimal') return reply.code(200).send();
    if (prefer === 'OperationOutcome') {
      const words = result.outcome === 'updated' ? 'Marked read' : 'Unchanged: it was read already';
      return reply
        .code(200)
        .type(FHIR_JSON)
        .send(operationOutcome([issue('informational', `Communication: ${words}`, undefined, 'information')]));
    }
    return reply.code(200).type(FHIR_JSON).send(result.resource);
  });
}
