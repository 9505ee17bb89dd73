// The citizen-facing FHIR R4 read API (GET only, under /fhir; the write side for provider systems lives beside it
// in src/fhir/). Its own Fastify plugin so that its errors are OperationOutcomes, not HTML pages.
//
//   GET /fhir/metadata                     CapabilityStatement (public)
//   GET /fhir/Patient/{id}                 the citizen's own Patient (id = the citizen's Koepel id)
//   GET /fhir/Patient/{id}/$everything     the whole visible record as one searchset Bundle, Patient first
//   GET /fhir/Patient                      search: the citizen's own Patient
//   GET /fhir/{type}/{id}                  a record resource (id = Koepel id)
//   GET /fhir/{type}?patient=&_id=&_count=&_offset=   searchset Bundle, newest first, paged
//   GET /fhir/Binary/{resourceId}-{n}      attachment n of a DocumentReference (raw, or Binary with fhir+json)
//   GET /fhir/Organization|Practitioner|PractitionerRole|Location|Medication/{id}   directory data the record refers to
//
// Another citizen's ids, and ids that do not exist, answer 404: the answer never tells which of the two it is.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../../platform/auth/bearer.js';
import { fhirError } from '../../platform/fhir/outcome.js';
import { FHIR_JSON, formatParam } from '../../platform/fhir/scope.js';
import { APP_TOKEN_PATH, AUTHORIZE_PATH } from '../../citizen-apps/index.js';
import { writeCapability } from '../capability.js';
import {
  providerBookingGet,
  providerBookingSearch,
  providerGet,
  providerOrderTaskGet,
  providerOrderTaskSearch,
  providerSchedulingSearch,
} from '../routes.js';
import { isBookingId } from '../bookings.js';
import { capabilityStatement } from './capability.js';
import { sourceOrganisationDefinition } from './definitions.js';
import type { Json } from './present.js';
import { isCitizenRecordType, type CitizenRecordType } from '../../record/index.js';
import { parseSearch, strictHandling, type ParsedSearch } from './search.js';
import {
  everything,
  readBinary,
  readDirectoryResource,
  readOrganisation,
  readPatient,
  readRecordResource,
  searchPatient,
  searchRecord,
  type BundleItem,
  type CitizenReader,
  type SearchQuery,
  type SearchResult,
} from './service.js';

const DEFAULT_COUNT = 100;
const MAX_COUNT = 500;
const MAX_OFFSET = 1_000_000;

const notFound = () => fhirError(404, 'not-found', 'Resource not found.');

function sendJson(reply: FastifyReply, body: Json, status = 200): FastifyReply {
  return reply.code(status).type(FHIR_JSON).send(JSON.stringify(body));
}

/**
 * Who is reading: the citizen, through their own portal session in a same-origin browser (GET only, so no CSRF
 * token is needed), or an app the citizen authorised (src/citizen-apps), with its bearer token. The token becomes the
 * citizen's own principal with the app named in it, so row-level security is the same and every audit record says
 * "via app …". A bearer token wins over a cookie; a token that does not check out is refused, never ignored.
 */
async function whoReads(req: FastifyRequest): Promise<CitizenReader | 'provider'> {
  const { bearer } = req.server.koepel;
  const viaApp = bearerToken(req) !== null;
  // A provider system's token is also accepted here: it reads back its own organisation's resources (providerGet).
  if (viaApp) await bearer.authenticateAny(req, ['citizen-app', 'api-client']);
  const p = req.principal;
  if (p.kind === 'citizen') {
    return {
      citizenId: p.citizenId,
      portalId: p.portalId,
      viaApp,
      canonical: req.server.koepel.config.fhirCanonicalBase,
    };
  }
  if (p.kind === 'client') return 'provider';
  // Staff see their organisation's records on the staff pages (src/patients/record-*), never through this API.
  if (p.kind === 'staff' || p.kind === 'operator') {
    throw fhirError(403, 'forbidden', 'This API serves citizens reading their own record.');
  }
  throw fhirError(401, 'login', 'Log in to read your record, or send an access token.', {
    'WWW-Authenticate': bearer.challenge('citizen-app'),
  });
}

async function citizenReader(req: FastifyRequest): Promise<CitizenReader> {
  return citizenOnly(await whoReads(req));
}

function citizenOnly(who: CitizenReader | 'provider'): CitizenReader {
  if (who === 'provider') {
    throw fhirError(
      403,
      'forbidden',
      'Provider systems read their own organisation’s resources by id ({type}/{id}, vread, _history); searches serve citizens.',
    );
  }
  return who;
}

// ---------------------------------------------------------------------------------------------------------------
// Query parameters: only what is supported; anything else is refused with the parameter's name (never its value).
// ---------------------------------------------------------------------------------------------------------------

const safeName = (k: string) => k.replace(/[^\w.:-]/g, '?').slice(0, 40);

function queryParams(req: FastifyRequest, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const q = (req.query ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(q)) {
    if (k === '_format') {
      if (typeof v !== 'string' || formatParam(v) === null) {
        throw fhirError(406, 'not-supported', 'Only JSON and XML are supported (_format=json or _format=xml).');
      }
      continue;
    }
    if (!allowed.includes(k)) throw fhirError(400, 'not-supported', `Unsupported parameter: ${safeName(k)}.`);
    if (typeof v !== 'string') throw fhirError(400, 'invalid', `Parameter ${k} may be given only once.`);
    out.set(k, v);
  }
  return out;
}

function integer(params: Map<string, string>, name: string, fallback: number, max: number): number {
  const v = params.get(name);
  if (v === undefined) return fallback;
  if (!/^\d{1,7}$/.test(v) || Number(v) > max) {
    throw fhirError(400, 'invalid', `Parameter ${name} must be a whole number from 0 to ${max}.`);
  }
  return Number(v);
}

/** The patient a search names: "Patient/{id}", "{id}" or "{base}/Patient/{id}"; anything else matches nobody. */
function patientParam(value: string | undefined, base: string): string | null {
  if (value === undefined) return null;
  if (value.length > 300) throw fhirError(400, 'invalid', 'Parameter patient is too long.');
  const v = value.startsWith(`${base}/`) ? value.slice(base.length + 1) : value;
  const m = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(v);
  return m?.[1] ?? '-';
}

function searchQuery(params: Map<string, string>, base: string, search?: ParsedSearch): SearchQuery {
  const patient = params.get('patient') ?? params.get('subject');
  if (params.has('patient') && params.has('subject')) {
    throw fhirError(400, 'invalid', 'Give either patient or subject, not both.');
  }
  const rawIds = params.get('_id');
  let ids: string[] | null = null;
  if (rawIds !== undefined) {
    ids = rawIds.split(',');
    if (ids.length > 100 || !ids.every((id) => /^[A-Za-z0-9\-.]{1,64}$/.test(id))) {
      throw fhirError(400, 'invalid', 'Parameter _id must be up to 100 ids, comma-separated.');
    }
  }
  return {
    patient: patientParam(patient, base),
    ids,
    count: integer(params, '_count', DEFAULT_COUNT, MAX_COUNT),
    offset: integer(params, '_offset', 0, MAX_OFFSET),
    ...(search ? { search } : {}),
  };
}

const ROUTE_PARAMS = new Set(['patient', 'subject', 'subject:Patient', '_id', '_count', '_offset']);

/**
 * A search's query string, read from the raw URL so that repeated parameters (AND) and their order are kept: the
 * route's own parameters (given once each) and the search parameters of search.ts. `Prefer: handling=strict` refuses
 * what is not supported; lenient (the default) leaves it out, and out of the Bundle's links.
 */
function searchRequest(req: FastifyRequest, base: string, type: CitizenRecordType | 'Patient'): SearchQuery {
  const own = new Map<string, string>();
  const rest: [string, string][] = [];
  const strict = strictHandling(req.headers.prefer);
  for (const [key, value] of new URL(req.url, 'http://localhost').searchParams) {
    if (key === '_format') {
      if (formatParam(value) === null) {
        throw fhirError(406, 'not-supported', 'Only JSON and XML are supported (_format=json or _format=xml).');
      }
      continue;
    }
    const name = key === 'subject:Patient' ? 'subject' : key;
    if (ROUTE_PARAMS.has(key) && (type !== 'Patient' || !['patient', 'subject'].includes(name))) {
      if (own.has(name)) throw fhirError(400, 'invalid', `Parameter ${name} may be given only once.`);
      own.set(name, value);
    } else rest.push([key, value]);
  }
  return searchQuery(own, base, parseSearch(type, rest, strict));
}

function searchset(
  base: string,
  path: string,
  query: SearchQuery | null,
  result: SearchResult | { total?: number; items: BundleItem[] },
): Json {
  const link: Json[] = [];
  if (query) {
    const url = (offset: number) => {
      const p = new URLSearchParams();
      if (query.patient !== null) p.set('patient', `Patient/${query.patient}`);
      if (query.ids) p.set('_id', query.ids.join(','));
      for (const [k, v] of query.search?.used ?? []) p.append(k, v);
      p.set('_count', String(query.count));
      if (offset > 0) p.set('_offset', String(offset));
      return `${base}/${path}?${p.toString()}`;
    };
    const total = result.total ?? 0;
    link.push({ relation: 'self', url: url(query.offset) });
    if (query.count > 0 && query.offset + query.count < total) {
      link.push({ relation: 'next', url: url(query.offset + query.count) });
    }
    if (query.offset > 0) link.push({ relation: 'previous', url: url(Math.max(0, query.offset - query.count)) });
  } else {
    link.push({ relation: 'self', url: `${base}/${path}` });
  }
  return {
    resourceType: 'Bundle',
    id: crypto.randomUUID(),
    meta: { lastUpdated: new Date().toISOString() },
    type: 'searchset',
    ...(result.total !== undefined ? { total: result.total } : {}),
    link,
    entry: result.items.map((item) => ({
      fullUrl: `${base}/${String(item.resource.resourceType)}/${String(item.resource.id)}`,
      resource: item.resource,
      search: { mode: item.mode },
    })),
  };
}

function sendResource(reply: FastifyReply, resource: Json | null): FastifyReply {
  if (!resource) throw notFound();
  const meta = resource.meta as { versionId?: string; lastUpdated?: string } | undefined;
  if (meta?.versionId) reply.header('ETag', `W/"${meta.versionId}"`);
  if (meta?.lastUpdated) reply.header('Last-Modified', new Date(meta.lastUpdated).toUTCString());
  // A client that holds this version already (If-None-Match with its ETag) gets 304 Not Modified.
  const held = (reply.request.headers['if-none-match'] ?? '').split(',').map((t) => t.trim());
  if (meta?.versionId && (held.includes(`W/"${meta.versionId}"`) || held.includes(`"${meta.versionId}"`))) {
    return reply.code(304).send();
  }
  return sendJson(reply, resource);
}

const SAFE_DOWNLOAD_TYPES: Record<string, string> = { 'application/pdf': 'pdf', 'text/plain': 'txt' };

/** The citizen read API, in the /fhir scope. */
export function registerFhirReadRoutes(fhir: FastifyInstance): void {
  const base = `${fhir.koepel.config.publicUrl}/fhir`;

  fhir.get('/StructureDefinition/source-organization', async (req, reply) => {
    queryParams(req, []);
    return sendJson(reply, sourceOrganisationDefinition(fhir.koepel.config.fhirCanonicalBase));
  });

  fhir.get('/metadata', async (req, reply) => {
    queryParams(req, []);
    const { publicUrl } = fhir.koepel.config;
    return sendJson(
      reply,
      capabilityStatement({
        base,
        write: writeCapability(publicUrl),
        oauth: { authorize: `${publicUrl}${AUTHORIZE_PATH}`, token: `${publicUrl}${APP_TOKEN_PATH}` },
      }),
    );
  });

  fhir.get<{ Params: { id: string } }>('/Patient/:id/$everything', async (req, reply) => {
    const reader = await citizenReader(req);
    queryParams(req, []);
    const items = await req.withData((scope) => everything(scope, base, reader, req.params.id));
    if (!items) throw notFound();
    return sendJson(
      reply,
      searchset(base, `Patient/${reader.citizenId}/$everything`, null, {
        total: items.filter((i) => i.mode === 'match').length,
        items,
      }),
    );
  });

  fhir.get<{ Params: { id: string } }>('/Patient/:id', async (req, reply) => {
    const reader = await whoReads(req);
    if (reader === 'provider') return providerGet(req, reply, 'Patient', req.params.id);
    queryParams(req, []);
    return sendResource(reply, await req.withData((scope) => readPatient(scope, reader, req.params.id)));
  });

  fhir.get('/Patient', async (req, reply) => {
    const reader = await citizenReader(req);
    const q = searchRequest(req, base, 'Patient');
    const result = await req.withData((scope) => searchPatient(scope, reader, q));
    return sendJson(reply, searchset(base, 'Patient', q, result));
  });

  fhir.get<{ Params: { id: string } }>('/Binary/:id', async (req, reply) => {
    const reader = await citizenReader(req);
    queryParams(req, []);
    const file = await req.withData((scope) => readBinary(scope, reader, req.params.id));
    if (!file) throw notFound();
    // A Binary resource (JSON or XML) only when asked for by a FHIR type or _format; a browser's Accept gets the bytes.
    const wantsResource =
      /application\/fhir\+(json|xml)|application\/json/.test(req.headers.accept ?? '') ||
      (req.query as { _format?: string })._format;
    if (wantsResource) {
      return sendJson(reply, {
        resourceType: 'Binary',
        id: req.params.id,
        contentType: file.contentType,
        securityContext: { reference: `DocumentReference/${file.resourceId}` },
        data: file.data.toString('base64'),
      });
    }
    const ext = SAFE_DOWNLOAD_TYPES[file.contentType];
    // Anything but PDF and plain text is offered as bytes to save, never rendered in the portal's origin.
    return reply
      .type(ext ? file.contentType : 'application/octet-stream')
      .header('Content-Disposition', `attachment; filename="document.${ext ?? 'bin'}"`)
      .send(file.data);
  });

  fhir.get<{ Params: { id: string } }>('/Organization/:id', async (req, reply) => {
    const reader = await whoReads(req);
    if (reader === 'provider') return providerGet(req, reply, 'Organization', req.params.id);
    queryParams(req, []);
    // An organisation of the portal, or one a provider described in its directory (an insurer, a laboratory).
    return sendResource(
      reply,
      await req.withData(
        async (scope) =>
          (await readOrganisation(scope, reader, req.params.id)) ??
          (await readDirectoryResource(scope, base, reader, 'Organization', req.params.id)),
      ),
    );
  });

  for (const type of ['Practitioner', 'PractitionerRole', 'Location', 'Medication'] as const) {
    fhir.get<{ Params: { id: string } }>(`/${type}/:id`, async (req, reply) => {
      const reader = await whoReads(req);
      if (reader === 'provider') return providerGet(req, reply, type, req.params.id);
      queryParams(req, []);
      return sendResource(
        reply,
        await req.withData((scope) => readDirectoryResource(scope, base, reader, type, req.params.id)),
      );
    });
  }

  fhir.get<{ Params: { type: string; id: string } }>('/:type/:id', async (req, reply) => {
    const reader = await whoReads(req);
    if (reader === 'provider' && req.params.type === 'Appointment' && isBookingId(req.params.id)) {
      return providerBookingGet(req, reply, req.params.id);
    }
    // Issue 13: the organisation's system reads a repeat-medication order (src/fhir/medication-orders.ts).
    if (reader === 'provider' && req.params.type === 'Task') return providerOrderTaskGet(req, reply, req.params.id);
    if (reader === 'provider') return providerGet(req, reply, req.params.type, req.params.id);
    const { type, id } = req.params;
    if (!isCitizenRecordType(type)) throw fhirError(404, 'not-supported', 'Resource type not supported.');
    queryParams(req, []);
    return sendResource(reply, await req.withData((scope) => readRecordResource(scope, base, reader, type, id)));
  });

  fhir.get<{ Params: { type: string } }>('/:type', async (req, reply) => {
    const who = await whoReads(req);
    // The organisation's own system polls the appointments citizens booked with it (src/fhir/bookings.ts).
    if (who === 'provider' && req.params.type === 'Appointment') return providerBookingSearch(req, reply);
    // Issue 13: and polls the repeat-medication orders of its patients.
    if (who === 'provider' && req.params.type === 'Task') return providerOrderTaskSearch(req, reply);
    // And checks what it published of its agenda.
    if (who === 'provider' && (req.params.type === 'Schedule' || req.params.type === 'Slot')) {
      return providerSchedulingSearch(req, reply, req.params.type);
    }
    const reader = citizenOnly(who);
    const { type } = req.params;
    if (!isCitizenRecordType(type)) throw fhirError(404, 'not-supported', 'Resource type not supported.');
    const q = searchRequest(req, base, type);
    const result = await req.withData((scope) => searchRecord(scope, base, reader, type, q));
    return sendJson(reply, searchset(base, type, q, result));
  });
}
