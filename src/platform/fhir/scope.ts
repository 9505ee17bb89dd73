// A Fastify scope that speaks FHIR: every answer in it is FHIR JSON — errors included. 401, 404, 413, 415, a database
// outage and malformed JSON become OperationOutcomes, never the portal's HTML error pages. The provider systems'
// write API and the citizens' read API (src/fhir) both run in one; so will every later FHIR endpoint.
// FHIR XML (application/fhir+xml) is negotiated at this edge only: XML request bodies are parsed to FHIR JSON, and
// every FHIR JSON answer becomes XML when the client asks for it (`_format`, `Accept`, or an XML body without either).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BearerError } from '../auth/bearer.js';
import { HttpError, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../http/errors.js';
import { FhirError, issue, operationOutcome, type Issue, type IssueCode } from './outcome.js';
import { FHIR_XML, fhirJsonToXml, fhirXmlToJson } from './xml.js';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export function sendOutcome(
  reply: FastifyReply,
  status: number,
  issues: Issue[],
  headers: Record<string, string> = {},
): FastifyReply {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(status).type(FHIR_JSON).send(operationOutcome(issues));
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

// ---------------------------------------------------------------------------------------------------------------
// Content negotiation: JSON by default, XML when asked for.
// ---------------------------------------------------------------------------------------------------------------

export type FhirFormat = 'json' | 'xml';

const FORMAT_PARAM: Record<string, FhirFormat> = {
  json: 'json',
  'application/json': 'json',
  'application/fhir+json': 'json',
  xml: 'xml',
  'text/xml': 'xml',
  'application/xml': 'xml',
  'application/fhir+xml': 'xml',
};

/** What a `_format` value asks for; null when it is not one Koepel serves. */
export function formatParam(value: string): FhirFormat | null {
  return FORMAT_PARAM[value.split(';')[0]?.trim().toLowerCase() ?? ''] ?? null;
}

const MEDIA: Record<FhirFormat, readonly string[]> = {
  json: ['application/fhir+json', 'application/json'],
  xml: ['application/fhir+xml', 'application/xml', 'text/xml'],
};

/**
 * The format an Accept header prefers, by its q-values (RFC 9110 §12.5.1: the most specific range that matches a
 * type gives its q). Null when it prefers neither (no header, only wildcards, or a tie).
 */
export function acceptedFormat(accept: string | undefined): FhirFormat | null {
  if (!accept) return null;
  const ranges = accept
    .slice(0, 1000)
    .split(',')
    .map((part) => {
      const [range = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      const value = q === undefined ? 1 : Number(q.slice(2));
      return { range, q: Number.isFinite(value) ? value : 0 };
    });
  const qOf = (type: string): number => {
    const [major] = type.split('/');
    const exact = ranges.find((r) => r.range === type);
    if (exact) return exact.q;
    const family = ranges.find((r) => r.range === `${major}/*`);
    if (family) return family.q;
    return ranges.find((r) => r.range === '*/*')?.q ?? 0;
  };
  const best = (format: FhirFormat) => Math.max(...MEDIA[format].map(qOf));
  const json = best('json');
  const xml = best('xml');
  if (xml > json) return 'xml';
  if (json > xml) return 'json';
  return null;
}

const isXmlMediaType = (contentType: string | undefined): boolean =>
  MEDIA.xml.includes((contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '');

/**
 * The format to answer in: `_format` first, then what Accept prefers, then the request body's own format (a client
 * that sends XML and says nothing else gets XML back), else JSON.
 */
export function responseFormat(req: FastifyRequest): FhirFormat {
  const param = (req.query as Record<string, unknown> | undefined)?._format;
  if (typeof param === 'string') {
    const format = formatParam(param);
    if (format) return format;
  }
  const accepted = acceptedFormat(req.headers.accept);
  if (accepted) return accepted;
  return isXmlMediaType(req.headers['content-type']) ? 'xml' : 'json';
}

function addVary(reply: FastifyReply, header: string): void {
  const current = reply.getHeader('Vary');
  const list = typeof current === 'string' ? current : Array.isArray(current) ? current.join(', ') : '';
  if (!list.split(',').some((v) => v.trim().toLowerCase() === header.toLowerCase())) {
    reply.header('Vary', list ? `${list}, ${header}` : header);
  }
}

/** A FHIR JSON answer as XML when the client asked for XML; any other answer (an attachment's bytes) as it is. */
async function negotiateAnswer(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const type = reply.getHeader('content-type');
  if (typeof type !== 'string' || !type.startsWith('application/fhir+json')) return payload;
  addVary(reply, 'Accept');
  if (responseFormat(req) !== 'xml' || typeof payload !== 'string' || payload.length === 0) return payload;
  reply.type(FHIR_XML);
  try {
    return fhirJsonToXml(JSON.parse(payload) as Record<string, unknown>);
  } catch (err) {
    req.log.error({ err: { type: (err as Error).name, stack: (err as Error).stack } }, 'FHIR XML answer failed');
    reply.code(500);
    const outcome = operationOutcome([
      issue('exception', `The answer could not be written as XML; reference ${req.id}`),
    ]);
    return fhirJsonToXml(outcome as unknown as Record<string, unknown>);
  }
}

const HTTP_ERROR_CODES: Record<number, IssueCode> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
};

/** Any error in a FHIR scope as the OperationOutcome to answer. */
function outcomeOf(err: FastifyError | Error, bodyLimit: number): FhirError {
  if (err instanceof FhirError) return err;
  if (err instanceof BearerError) {
    const text =
      err.reason === 'missing'
        ? 'An access token is required (Authorization: Bearer …)'
        : 'The access token is not valid: unknown, expired, withdrawn or revoked';
    return new FhirError(401, [issue('login', text)], { 'WWW-Authenticate': err.challenge });
  }
  if (err instanceof HttpError) {
    return new FhirError(err.status, [issue(HTTP_ERROR_CODES[err.status] ?? 'invalid', 'The request is not allowed')]);
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    const mb = Math.round(bodyLimit / 1024 / 1024);
    return new FhirError(413, [issue('too-long', `The request body is larger than ${mb} MB; send smaller Bundles`)]);
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) {
    return new FhirError(415, [
      issue(
        'not-supported',
        'The Content-Type must be application/fhir+json or application/fhir+xml ' +
          '(or application/json, application/xml), in UTF-8',
      ),
    ]);
  }
  if (isDatabaseUnavailable(err)) {
    return new FhirError(503, [issue('transient', 'Temporarily unavailable; try again later.')], {
      'Retry-After': String(RETRY_AFTER_SECONDS),
    });
  }
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new FhirError(fe.statusCode === 405 ? 405 : 400, [issue('invalid', 'The request is not valid')]);
  }
  return new FhirError(500, [issue('exception', 'Internal error')]);
}

const notFound = (reply: FastifyReply) =>
  sendOutcome(reply, 404, [issue('not-found', 'There is no FHIR interaction at this path')]);

/**
 * Makes `scope` a FHIR scope: its errors and unknown paths answer with OperationOutcomes, in JSON or, when asked
 * for, XML. With `bodyLimit`, it also parses FHIR JSON and FHIR XML request bodies (and nothing else: the portal's
 * form and JSON parsers do not apply).
 */
export function useFhirScope(scope: FastifyInstance, opts: { bodyLimit?: number } = {}): void {
  const bodyLimit = opts.bodyLimit ?? scope.initialConfig.bodyLimit ?? 1_048_576;
  if (opts.bodyLimit !== undefined) {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
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
    scope.addContentTypeParser(
      ['application/fhir+xml', 'application/xml'],
      { parseAs: 'string' },
      (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
        try {
          const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
          if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
            throw new FhirError(415, [issue('not-supported', 'FHIR XML must be sent in UTF-8')]);
          }
          done(null, fhirXmlToJson(typeof body === 'string' ? body : body.toString('utf8'), { maxBytes: bodyLimit }));
        } catch (err) {
          done(err as Error);
        }
      },
    );
  }
  scope.addHook('onSend', negotiateAnswer);
  scope.setErrorHandler((err: FastifyError, req, reply) => {
    // A path without a FHIR interaction stays a 404, whatever the portal's own hooks (CSRF) thought of it.
    if (req.is404) return notFound(reply);
    const answer = outcomeOf(err, bodyLimit);
    if (answer.status >= 500 && answer.status !== 503) {
      // Type, code and stack only: database messages can quote values (personal data).
      req.log.error(
        { err: { type: err.name, code: (err as { code?: string }).code, stack: err.stack } },
        'FHIR request failed',
      );
      return sendOutcome(reply, 500, [issue('exception', `Internal error; reference ${req.id}`)]);
    }
    return sendOutcome(reply, answer.status, answer.issues, answer.headers);
  });
  scope.setNotFoundHandler((_req, reply) => notFound(reply));
}
