// Counts the SQL statements and transactions the server sends to its database, to show where a request's time goes.
// Wraps the query method of the two clients Koepel uses (pg for PostgreSQL, PGlite for the embedded database) in this
// process only; one counter increment per statement is negligible next to a database round trip.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface QueryCounter {
  snapshot(): { queries: number; transactions: number };
  /** Starts recording the text of every statement (for one probe request), or stops and returns what was recorded. */
  trace(on: true): void;
  trace(on: false): string[];
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
  let traced: string[] | null = null;
  const wrap = (target: Record<string, unknown>, method: string) => {
    const original = target[method] as AnyFn;
    target[method] = function (this: unknown, ...args: unknown[]) {
      queries++;
      const text = sqlText(args[0]);
      if (/^\s*begin\b/i.test(text)) transactions++;
      traced?.push(text.replace(/\s+/g, ' ').trim());
      return original.apply(this, args);
    };
  };
  wrap(owner(pg.Client.prototype, 'query'), 'query');
  wrap(owner(PGlite.prototype, 'query'), 'query');
  wrap(owner(PGlite.prototype, 'exec'), 'exec');
  function trace(on: true): void;
  function trace(on: false): string[];
  function trace(on: boolean): string[] | undefined {
    if (on) {
      traced = [];
      return undefined;
    }
    const out = traced ?? [];
    traced = null;
    return out;
  }
  return { snapshot: () => ({ queries, transactions }), trace };
}
