// Counts the SQL statements and transactions the server sends to its database, to show where a request's time goes.
// Wraps the query method of the two clients Koepel uses (pg for PostgreSQL, PGlite for the embedded database) in this
// process only; one counter increment per statement is negligible next to a database round trip.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface QueryCounter {
  snapshot(): { queries: number; transactions: number };
}

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

function sqlText(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'text' in arg && typeof arg.text === 'string') return arg.text;
  return '';
}

/** The object in the prototype chain that defines the method (PGlite inherits query from a base class). */
function owner(proto: object, method: string): Record<string, unknown> {
  let p: object | null = proto;
  while (p && !Object.prototype.hasOwnProperty.call(p, method)) p = Object.getPrototypeOf(p) as object | null;
  if (!p) throw new Error(`no ${method} method to count`);
  return p as Record<string, unknown>;
}

export function countQueries(): QueryCounter {
  let queries = 0;
  let transactions = 0;
  const wrap = (target: Record<string, unknown>, method: string) => {
    const original = target[method] as AnyFn;
    target[method] = function (this: unknown, ...args: unknown[]) {
      queries++;
      if (/^\s*begin\b/i.test(sqlText(args[0]))) transactions++;
      return original.apply(this, args);
    };
  };
  wrap(owner(pg.Client.prototype, 'query'), 'query');
  wrap(owner(PGlite.prototype, 'query'), 'query');
  wrap(owner(PGlite.prototype, 'exec'), 'exec');
  return { snapshot: () => ({ queries, transactions }) };
}
