import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql, type CompiledQuery } from 'kysely';
import { compiledOnce } from './compiled.js';
import type { Tx } from './principal.js';

/** A transaction that records what it was asked to run and answers one row. */
function recordingTx(): { tx: Tx; runs: CompiledQuery[] } {
  const runs: CompiledQuery[] = [];
  const tx = {
    executeQuery: (q: CompiledQuery) => {
      runs.push(q);
      return Promise.resolve({ rows: [{ ok: true }] });
    },
  } as unknown as Tx;
  return { tx, runs };
}

test('a query compiled once binds each run its own arguments, in place, next to its constants', async () => {
  let builds = 0;
  const q = compiledOnce((db, id: string, since: Date) => {
    builds++;
    return db
      .selectFrom('citizen')
      .select('id')
      .where('id', '=', id)
      .where('created_at', '>', since)
      .where('previous_login_at', 'is not', null)
      .where(sql<boolean>`${'constant'} = 'constant'`);
  });
  const { tx, runs } = recordingTx();
  const d1 = new Date('2026-01-01');
  const d2 = new Date('2026-02-02');
  assert.deepEqual(await q(tx, 'a', d1), [{ ok: true }]);
  await q(tx, 'b', d2);
  assert.equal(builds, 1, 'built once');
  assert.equal(runs[0]?.sql, runs[1]?.sql);
  assert.deepEqual(runs[0]?.parameters, ['a', d1, 'constant']);
  assert.deepEqual(runs[1]?.parameters, ['b', d2, 'constant']);
});

test('an argument that would become no parameter or several is refused when it compiles', async () => {
  const { tx } = recordingTx();
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the point: an argument the query does not use
  const unused = compiledOnce((db, _id: string) => db.selectFrom('citizen').select('id'));
  await assert.rejects(unused(tx, 'a'), /argument 0 becomes 0 parameters, not 1/);
  const twice = compiledOnce((db, id: string) =>
    db
      .selectFrom('citizen')
      .select('id')
      .where('id', '=', id)
      .where('bsn_index', '=', id as never),
  );
  await assert.rejects(twice(tx, 'a'), /argument 0 becomes 2 parameters, not 1/);
});
