// Which database errors mean "try again later" (503) and which are a fault of ours (500).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDatabaseUnavailable } from './errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('an unreachable or restarting database is unavailable', () => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', '08006', '08001', '57P01', '57P03'])
    assert.equal(isDatabaseUnavailable(withCode(code)), true, code);
  assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
});

test('a protocol violation, a constraint or a plain error is not "unavailable"', () => {
  // 08P01: e.g. a statement with more parameters than PostgreSQL takes — our fault, not a reason to retry.
  for (const code of ['08P01', '23505', '42501', '22P02'])
    assert.equal(isDatabaseUnavailable(withCode(code)), false, code);
  assert.equal(isDatabaseUnavailable(new Error('boom')), false);
  assert.equal(isDatabaseUnavailable('not an error'), false);
});
