// One error model, handled in one place (registerErrorHandling): an accessible Dutch/English page for HTML,
// problem+json for /api. Never a stack trace or an internal message to the user.
export type ErrorKind =
  'notFound' | 'badRequest' | 'forbidden' | 'csrf' | 'tooLarge' | 'unavailable' | 'server' | 'method' | 'loginRequired';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly kind: ErrorKind,
  ) {
    super(kind);
  }
}

/**
 * SQLSTATEs that mean "the database cannot serve us right now; the same request may succeed later": the whole 08
 * class (connection exceptions) except 08P01, 25006 read-only transaction (a standby, or the old primary after a
 * failover: Koepel itself never opens a read-only transaction), 53300 too many connections, 55000 "not accepting
 * connections" (a database with ALLOW_CONNECTIONS false, a standby in recovery), and 57P01–57P03 (administrator
 * shutdown, crash shutdown, cannot connect now: starting up or shutting down) and 57P05 (idle session timeout).
 */
const UNAVAILABLE_SQLSTATES = new Set(['25006', '53300', '55000', '57P01', '57P02', '57P03', '57P05']);
/** Socket errors on the way to the database. */
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);
/**
 * What pg and its pool say (without a code) when a connection fails, ends, is not free in time, or its server does
 * not answer within query_timeout (src/platform/db/database.ts: statement_timeout would have answered first).
 */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection timeout|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end|Connection refused|Query read timeout/i;

function unavailableCode(code: string): boolean {
  if (UNAVAILABLE_SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
  // 08xxx connection exceptions — except 08P01, a protocol violation: that is a fault of the request we sent (too
  // many parameters, say), not an unavailable database.
  return /^08[0-9A-Z]{3}$/.test(code) && code !== '08P01';
}

/**
 * PostgreSQL/pg errors that mean "the database cannot be reached right now" (answered with 503 and Retry-After on
 * every surface). Looks through `cause` and an AggregateError's `errors` (Node's happy-eyeballs connect reports
 * every refused address in one), a few levels deep.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  const e = err as Error & { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && unavailableCode(e.code)) return true;
  if (UNAVAILABLE_MESSAGE.test(e.message)) return true;
  if (e.cause !== undefined && isDatabaseUnavailable(e.cause, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1));
}

/** Seconds a client should wait before trying again after a 503 for an unavailable database. */
export const RETRY_AFTER_SECONDS = 30;
