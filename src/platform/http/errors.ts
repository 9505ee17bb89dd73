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

/** PostgreSQL/pg errors that mean "the database cannot be reached right now". */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: string };
  if (typeof e.code === 'string') {
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(e.code)) return true;
    // 08xxx connection exceptions — except 08P01, a protocol violation: that is a fault of the request we sent (too
    // many parameters, say), not an unavailable database; 57P01-03 administrator/crash shutdown, cannot connect now.
    if ((e.code.startsWith('08') && e.code !== '08P01') || ['57P01', '57P02', '57P03'].includes(e.code)) return true;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    e.message,
  );
}
