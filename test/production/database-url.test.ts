// DATABASE_URL and the database timeouts at config validation: a multi-host URL (libpq's way to find the primary,
// which the pg driver does not support and used to crash on with a raw TypeError) is refused with one clear line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/platform/config.js';

function refusal(url: string): string {
  try {
    loadConfig({ DATABASE_URL: url });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
    return err.message;
  }
  assert.fail(`${url} was accepted`);
}

describe('DATABASE_URL', () => {
  test('several hosts are refused in one line that points at a proxy or VIP', () => {
    for (const url of [
      'postgres://koepel@db1,db2/koepel?target_session_attrs=read-write',
      'postgres://koepel:pw@db1:5432,db2:5432/koepel',
      'postgresql://koepel@/koepel?host=db1,db2',
    ]) {
      const message = refusal(url);
      assert.match(message, /names several hosts/);
      assert.match(message, /proxy or VIP/);
      assert.equal(message.split('\n').length, 1);
      assert.ok(!message.includes('pw'), 'the URL is not repeated');
    }
  });

  test('target_session_attrs other than any is refused (the driver would ignore it)', () => {
    assert.match(refusal('postgres://koepel@db/koepel?target_session_attrs=primary'), /target_session_attrs/);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://k@db/k?target_session_attrs=any' }).database.kind, 'postgres');
  });

  test('one host is accepted, with the timeouts from the environment (defaults 60, 10 and 30 s)', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://koepel:secret@db.internal:5433/koepel?sslmode=require' });
    assert.deepEqual(c.database, {
      kind: 'postgres',
      url: 'postgres://koepel:secret@db.internal:5433/koepel?sslmode=require',
      poolSize: 10,
      startTimeoutMs: 60_000,
      connectTimeoutMs: 10_000,
      statementTimeoutMs: 30_000,
    });
    const d = loadConfig({
      DATABASE_URL: 'postgres://koepel@db/koepel',
      DATABASE_START_TIMEOUT_SECONDS: '5',
      DATABASE_CONNECT_TIMEOUT_SECONDS: '3',
      DATABASE_STATEMENT_TIMEOUT_SECONDS: '20',
    }).database;
    assert.ok(d.kind === 'postgres');
    assert.deepEqual([d.startTimeoutMs, d.connectTimeoutMs, d.statementTimeoutMs], [5_000, 3_000, 20_000]);
    assert.throws(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_SECONDS: '0' }), /DATABASE_STATEMENT_TIMEOUT_SECONDS/);
  });
});
