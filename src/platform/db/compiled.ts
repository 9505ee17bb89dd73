// Queries built and compiled once. Building a Kysely query (an immutable node tree, copied at every method call) and
// compiling it to SQL costs 15–30 µs of the server's one thread each time (issue 10 §4: 10–16 % of a request's
// CPU on the hot paths). For a query whose shape never changes, only its parameters, build it once with
// placeholders and bind the values at each run:
//
//   const citizenRow = compiledOnce((db, id: string) =>
//     db.selectFrom('citizen').select(['brp_ciphertext']).where('id', '=', id));
//   const rows = await citizenRow(tx, citizenId);
//
// The builder runs once, with placeholder strings for the arguments: it must not branch on them, and each argument
// must become exactly one parameter (checked when it compiles). An array is fine where it is one parameter, as in
// `= any(${ids}::uuid[])`; never pass one to `in`, which would need a parameter per element.
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type Compilable,
} from 'kysely';
import type { Tx } from './principal.js';
import type { DB } from './schema.js';

/** A Kysely that only compiles (PostgreSQL syntax, as both PGlite and PostgreSQL speak it). */
const compiler = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const PLACEHOLDER = '\u0000koepel-parameter-';

export function compiledOnce<Args extends unknown[], Row>(
  build: (db: Kysely<DB>, ...args: Args) => Compilable<Row>,
): (tx: Tx, ...args: Args) => Promise<Row[]> {
  let compiled: CompiledQuery<Row> | null = null;
  /** For each parameter of the compiled query: the index of the argument it takes, or -1 for a constant. */
  let slots: number[] = [];
  return async (tx, ...args) => {
    if (!compiled) {
      const placeholders = args.map((_, i) => `${PLACEHOLDER}${i}`) as Args;
      const c = build(compiler, ...placeholders).compile();
      const found = c.parameters.map((p) =>
        typeof p === 'string' && p.startsWith(PLACEHOLDER) ? Number(p.slice(PLACEHOLDER.length)) : -1,
      );
      for (let i = 0; i < args.length; i++) {
        const uses = found.filter((f) => f === i).length;
        if (uses !== 1) throw new Error(`compiledOnce: argument ${i} becomes ${uses} parameters, not 1: ${c.sql}`);
      }
      compiled = c;
      slots = found;
    }
    const constants = compiled.parameters;
    const parameters = slots.map((slot, i) => (slot >= 0 ? args[slot] : constants[i]));
    const result = await tx.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
}
