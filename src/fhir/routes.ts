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
import { answerBooking, isBookingId, readBooking, searchBookings, type BookingQuery } from './bookings.js';
import {
  ingestBundle,
  ingestResource,
  locationOf,
  parseEtag,
  returnPreference,
  type IngestContext,
  type IngestResult,
} from './ingest.js';
import { asSent, providerDelete, providerHistory, providerRead, type ProviderVersion } from './provider.js';
import { isIngestType, type IngestType, type SchedulingType } from './resources.js';
import { answerOrderTask, readOrderTask, searchOrderTasks, type OrderTaskQuery } from './medication-orders.js';
import { searchScheduling, type SchedulingQuery } from './scheduling.js';

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

// ---------------------------------------------------------------------------------------------------------------
// Appointments booked in Koepel (src/fhir/bookings.ts): read, search and answer by the organisation's own system
// ---------------------------------------------------------------------------------------------------------------

function sendBooking(req: FastifyRequest, reply: FastifyReply, resource: Record<string, unknown>): FastifyReply {
  const meta = resource.meta as { versionId: string; lastUpdated: string };
  reply.header('ETag', `W/"${meta.versionId}"`);
  reply.header('Last-Modified', new Date(meta.lastUpdated).toUTCString());
  const tags = (header(req, 'if-none-match') ?? '').split(',').map((t) => t.trim());
  if (tags.includes(`W/"${meta.versionId}"`) || tags.includes(`"${meta.versionId}"`)) return reply.code(304).send();
  return reply.code(200).type(FHIR_JSON).send(resource);
}

/** GET /fhir/Appointment/koepel-{uuid} by the organisation's system (the read routes hand it over). */
export async function providerBookingGet(req: FastifyRequest, reply: FastifyReply, id: string): Promise<FastifyReply> {
  if (!FHIR_ID.test(id)) throw fhirError(404, 'not-found', 'Resource not found.');
  const resource = await req.withData((scope) => readBooking(scope, id));
  if (!resource) throw fhirError(404, 'not-found', 'Resource not found.');
  return sendBooking(req, reply, resource);
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const BOOKING_PARAMS = new Set(['_lastUpdated', 'status', 'patient', '_count', '_offset', '_format']);

/** A `_lastUpdated` value: gt, ge, lt or le and an instant with time zone (no other forms: a poll needs an instant). */
export function lastUpdated(value: string): { bound: { at: Date; inclusive: boolean }; after: boolean } {
  // An unencoded `+01:00` arrives as ` 01:00` (form decoding): read it as meant.
  const m = /^(gt|ge|lt|le)(.*)$/.exec(value.replace(/ (\d{2}:\d{2})$/, '+$1'));
  const at = m?.[2] && INSTANT.test(m[2]) ? new Date(m[2]) : null;
  if (!m || !at || Number.isNaN(at.getTime())) {
    throw fhirError(
      400,
      'invalid',
      'Parameter _lastUpdated must be gt, ge, lt or le followed by an instant with time zone, e.g. gt2026-12-07T09:00:00Z.',
    );
  }
  return { bound: { at, inclusive: m[1] === 'ge' || m[1] === 'le' }, after: m[1] === 'gt' || m[1] === 'ge' };
}

export function whole(key: string, value: string, max: number): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) > max) {
    throw fhirError(400, 'invalid', `Parameter ${key} must be a whole number from 0 to ${max}.`);
  }
  return Number(value);
}

/** The query of GET /fhir/Appointment?… by the organisation's system; a FhirError (400) for what is not supported. */
export function bookingQuery(url: string, base: string): BookingQuery {
  const q: BookingQuery = { after: null, before: null, statuses: null, patient: null, count: 100, offset: 0 };
  const once = new Set<string>();
  for (const [key, value] of new URL(url, 'http://localhost').searchParams) {
    const name = key.replace(/[^\w.:-]/g, '?').slice(0, 40);
    if (!BOOKING_PARAMS.has(key)) {
      throw fhirError(400, 'not-supported', `Unsupported parameter for Appointment: ${name}.`);
    }
    if (key !== '_lastUpdated') {
      if (once.has(key)) throw fhirError(400, 'invalid', `Parameter ${name} may be given only once.`);
      once.add(key);
    }
    if (key === '_lastUpdated') {
      const { bound, after } = lastUpdated(value);
      if (after) q.after = bound;
      else q.before = bound;
    } else if (key === 'status') {
      q.statuses = value.split(',').map((s) => s.trim());
    } else if (key === 'patient') {
      const v = value.startsWith(`${base}/`) ? value.slice(base.length + 1) : value;
      q.patient = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(v)?.[1] ?? '-';
    } else if (key === '_count') {
      q.count = whole(key, value, 500);
    } else if (key === '_offset') {
      q.offset = whole(key, value, 1_000_000);
    }
  }
  return q;
}

/** GET /fhir/Appointment?… by the organisation's system: its Koepel bookings as a searchset Bundle. */
export async function providerBookingSearch(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const base = `${req.server.koepel.config.publicUrl}/fhir`;
  const q = bookingQuery(req.url, base);
  const result = await req.withData((scope) => searchBookings(scope, q));
  const link = (offset: number) => {
    const p = new URLSearchParams();
    const at = (b: { at: Date; inclusive: boolean }, after: boolean) =>
      `${after ? (b.inclusive ? 'ge' : 'gt') : b.inclusive ? 'le' : 'lt'}${b.at.toISOString()}`;
    if (q.after) p.append('_lastUpdated', at(q.after, true));
    if (q.before) p.append('_lastUpdated', at(q.before, false));
    if (q.statuses) p.set('status', q.statuses.join(','));
    if (q.patient) p.set('patient', `Patient/${q.patient}`);
    p.set('_count', String(q.count));
    if (offset > 0) p.set('_offset', String(offset));
    return `${base}/Appointment?${p.toString()}`;
  };
  const links = [{ relation: 'self', url: link(q.offset) }];
  if (q.count > 0 && q.offset + q.count < result.total) links.push({ relation: 'next', url: link(q.offset + q.count) });
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
        fullUrl: `${base}/Appointment/${String(resource.id)}`,
        resource,
        search: { mode: 'match' },
      })),
    });
}

/** GET /fhir/Schedule?… and /fhir/Slot?… by the organisation's system: what it published (as sent). */
export async function providerSchedulingSearch(
  req: FastifyRequest,
  reply: FastifyReply,
  type: SchedulingType,
): Promise<FastifyReply> {
  const base = `${req.server.koepel.config.publicUrl}/fhir`;
  const q: SchedulingQuery = { after: null, before: null, statuses: null, schedule: null, count: 100, offset: 0 };
  const allowed = new Set([
    '_lastUpdated',
    '_count',
    '_offset',
    '_format',
    ...(type === 'Slot' ? ['status', 'schedule'] : []),
  ]);
  const once = new Set<string>();
  for (const [key, value] of new URL(req.url, 'http://localhost').searchParams) {
    const name = key.replace(/[^\w.:-]/g, '?').slice(0, 40);
    if (!allowed.has(key)) throw fhirError(400, 'not-supported', `Unsupported parameter for ${type}: ${name}.`);
    if (key !== '_lastUpdated') {
      if (once.has(key)) throw fhirError(400, 'invalid', `Parameter ${name} may be given only once.`);
      once.add(key);
    }
    if (key === '_lastUpdated') {
      const { bound, after } = lastUpdated(value);
      if (after) q.after = bound;
      else q.before = bound;
    } else if (key === 'status') q.statuses = value.split(',').map((x) => x.trim());
    else if (key === 'schedule') {
      const v = value.startsWith(`${base}/`) ? value.slice(base.length + 1) : value;
      q.schedule = /^(?:Schedule\/)?([A-Za-z0-9\-.]{1,64})$/.exec(v)?.[1] ?? '-';
    } else if (key === '_count') q.count = whole(key, value, 500);
    else if (key === '_offset') q.offset = whole(key, value, 1_000_000);
  }
  const result = await req.withData((scope) => searchScheduling(scope, type, q));
  const self = new URL(req.url, base).search;
  return reply
    .code(200)
    .type(FHIR_JSON)
    .send({
      resourceType: 'Bundle',
      id: crypto.randomUUID(),
      meta: { lastUpdated: new Date().toISOString() },
      type: 'searchset',
      total: result.total,
      link: [{ relation: 'self', url: `${base}/${type}${self}` }],
      entry: result.items.map((v) => ({
        fullUrl: `${base}/${type}/${v.logicalId}`,
        resource: asSent(
          { type, logicalId: v.logicalId, version: v.version, lastUpdated: v.lastUpdated, deleted: false },
          v.resource,
        ),
        search: { mode: 'match' },
      })),
    });
}

/** PUT /fhir/Appointment/koepel-{uuid}: the organisation's system confirms or refuses a booking. */
async function putBooking(req: FastifyRequest, reply: FastifyReply, id: string): Promise<FastifyReply> {
  if (!FHIR_ID.test(id)) throw fhirError(404, 'not-found', 'Resource not found.');
  const rawIfMatch = header(req, 'if-match');
  const ifMatch = rawIfMatch === undefined ? null : parseEtag(rawIfMatch);
  if (rawIfMatch !== undefined && ifMatch === null) {
    throw fhirError(400, 'invalid', 'If-Match must be a version tag W/"n"');
  }
  const result = await req.withData((scope) => {
    if (scope.principal.kind !== 'client') {
      throw fhirError(403, 'forbidden', 'Only an API client of an organisation answers its appointments');
    }
    return answerBooking(scope, id, req.body, ifMatch);
  });
  if (result.status === 404) throw fhirError(404, 'not-found', 'Resource not found.');
  const base = `${req.server.koepel.config.publicUrl}/fhir`;
  reply.header('ETag', `W/"${result.version}"`);
  reply.header('Location', `${base}/Appointment/${id}/_history/${result.version}`);
  const prefer = returnPreference(header(req, 'prefer')) ?? 'OperationOutcome';
  if (prefer === 'minimal') return reply.code(200).send();
  if (prefer === 'representation') return reply.code(200).type(FHIR_JSON).send(result.resource);
  return reply
    .code(200)
    .type(FHIR_JSON)
    .send(operationOutcome([issue('informational', `Appointment: ${result.words}`, undefined, 'information')]));
}

// ---------------------------------------------------------------------------------------------------------------
// Issue 13: repeat-medication orders as Task (src/fhir/medication-orders.ts): read, search and answer by the
// organisation's own system, the way appointments are above.
// ---------------------------------------------------------------------------------------------------------------

/** GET /fhir/Task/{id} by the organisation's system (the read routes hand it over). */
export async function providerOrderTaskGet(
  req: FastifyRequest,
  reply: FastifyReply,
  id: string,
): Promise<FastifyReply> {
  if (!FHIR_ID.test(id)) throw fhirError(404, 'not-found', 'Resource not found.');
  const resource = await req.withData((scope) => readOrderTask(scope, id));
  if (!resource) throw fhirError(404, 'not-found', 'Resource not found.');
  return sendBooking(req, reply, resource);
}

const TASK_PARAMS = new Set(['_lastUpdated', 'status', 'business-status', 'patient', '_count', '_offset', '_format']);

/** GET /fhir/Task?… by the organisation's system: the repeat-medication orders of its patients. */
export async function providerOrderTaskSearch(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const base = `${req.server.koepel.config.publicUrl}/fhir`;
  const q: OrderTaskQuery = {
    after: null,
    before: null,
    statuses: null,
    businessStatuses: null,
    patient: null,
    count: 100,
    offset: 0,
  };
  const once = new Set<string>();
  for (const [key, value] of new URL(req.url, 'http://localhost').searchParams) {
    const name = key.replace(/[^\w.:-]/g, '?').slice(0, 40);
    if (!TASK_PARAMS.has(key)) throw fhirError(400, 'not-supported', `Unsupported parameter for Task: ${name}.`);
    if (key !== '_lastUpdated') {
      if (once.has(key)) throw fhirError(400, 'invalid', `Parameter ${name} may be given only once.`);
      once.add(key);
    }
    if (key === '_lastUpdated') {
      const { bound, after } = lastUpdated(value);
      if (after) q.after = bound;
      else q.before = bound;
    } else if (key === 'status') q.statuses = value.split(',').map((x) => x.trim());
    else if (key === 'business-status') {
      q.businessStatuses = value.split(',').map((x) => x.trim().replace(/^.*\|/, ''));
    } else if (key === 'patient') {
      const v = value.startsWith(`${base}/`) ? value.slice(base.length + 1) : value;
      q.patient = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(v)?.[1] ?? '-';
    } else if (key === '_count') q.count = whole(key, value, 500);
    else if (key === '_offset') q.offset = whole(key, value, 1_000_000);
  }
  const result = await req.withData((scope) => searchOrderTasks(scope, q));
  const self = new URL(req.url, base).search;
  const links = [{ relation: 'self', url: `${base}/Task${self}` }];
  if (q.count > 0 && q.offset + q.count < result.total) {
    const next = new URLSearchParams(self);
    next.set('_offset', String(q.offset + q.count));
    links.push({ relation: 'next', url: `${base}/Task?${next.toString()}` });
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
        fullUrl: `${base}/Task/${String(resource.id)}`,
        resource,
        search: { mode: 'match' },
      })),
    });
}

/** PUT /fhir/Task/{id}: the organisation's system answers a repeat-medication order. */
async function putOrderTask(req: FastifyRequest, reply: FastifyReply, id: string): Promise<FastifyReply> {
  if (!FHIR_ID.test(id)) throw fhirError(404, 'not-found', 'Resource not found.');
  const rawIfMatch = header(req, 'if-match');
  const ifMatch = rawIfMatch === undefined ? null : parseEtag(rawIfMatch);
  if (rawIfMatch !== undefined && ifMatch === null) {
    throw fhirError(400, 'invalid', 'If-Match must be a version tag W/"n"');
  }
  const result = await req.withData((scope) => {
    if (scope.principal.kind !== 'client') {
      throw fhirError(403, 'forbidden', 'Only an API client of an organisation answers its orders');
    }
    return answerOrderTask(scope, id, req.body, ifMatch);
  });
  if (result.status === 404) throw fhirError(404, 'not-found', 'Resource not found.');
  const base = `${req.server.koepel.config.publicUrl}/fhir`;
  reply.header('ETag', `W/"${result.version}"`);
  reply.header('Location', `${base}/Task/${id}/_history/${result.version}`);
  const prefer = returnPreference(header(req, 'prefer')) ?? 'OperationOutcome';
  if (prefer === 'minimal') return reply.code(200).send();
  if (prefer === 'representation') return reply.code(200).type(FHIR_JSON).send(result.resource);
  return reply
    .code(200)
    .type(FHIR_JSON)
    .send(operationOutcome([issue('informational', `Task: ${result.words}`, undefined, 'information')]));
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
    req.params.type === 'Appointment' && isBookingId(req.params.id)
      ? putBooking(req, reply, req.params.id)
      : req.params.type === 'Task' // issue 13: repeat-medication orders
        ? putOrderTask(req, reply, req.params.id)
        : send(
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
