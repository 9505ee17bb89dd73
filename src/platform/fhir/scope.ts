// A Fastify scope that speaks FHIR: every answer in it is FHIR JSON — errors included. 401, 404, 413, 415, a database
// outage and malformed JSON become OperationOutcomes, never the portal's HTML error pages. The provider systems'
// write API and the citizens' read API (src/fhir) both run in one; so will every later FHIR endpoint.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BearerError } from '../auth/bearer.js';
import { HttpError, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../http/errors.js';
import { FhirError, issue, operationOutcome, type Issue, type IssueCode } from './outcome.js';

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
      issue('not-supported', 'The Content-Type must be application/fhir+json (or application/json)'),
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
 * Makes `scope` a FHIR scope: its errors and unknown paths answer with OperationOutcomes. With `bodyLimit`, it also
 * parses FHIR JSON request bodies (and nothing else: the portal's form and JSON parsers do not apply).
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
  }
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
