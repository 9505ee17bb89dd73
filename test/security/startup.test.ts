// Start-up refuses unsafe production configurations with a clear message.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/platform/config.js';

const run = promisify(execFile);
const KEY = Buffer.alloc(32, 7).toString('base64');
const PROD = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://koepel@127.0.0.1:1/none',
  KOEPEL_MASTER_KEY: KEY,
  KOEPEL_DIGID_SIMULATOR: 'false',
  KOEPEL_DIGID_ISSUER: 'https://digid-bridge.example/',
  KOEPEL_DIGID_CLIENT_ID: 'koepel',
  KOEPEL_DIGID_CLIENT_SECRET: 'secret',
  PUBLIC_URL: 'https://portaal.example',
};

function without(env: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));
}

async function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('KOEPEL_') && k !== 'DATABASE_URL' && k !== 'NODE_ENV'),
  );
  try {
    await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...clean, LOG_LEVEL: 'silent', ...env },
      timeout: 30_000,
    });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('start-up in production mode', () => {
  test('without KOEPEL_MASTER_KEY it exits with a clear message', async () => {
    const r = await start(without(PROD, 'KOEPEL_MASTER_KEY'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refuses to start without KOEPEL_MASTER_KEY/);
  });

  test('with the DigiD simulator on it exits with a clear message', async () => {
    const r = await start({ ...PROD, KOEPEL_DIGID_SIMULATOR: 'true' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refuses to start with the DigiD simulator on/);
  });

  test('the simulator is on by default outside production and off by default in production', () => {
    assert.equal(loadConfig({}).digid.simulator, true);
    assert.equal(loadConfig(without(PROD, 'KOEPEL_DIGID_SIMULATOR')).digid.simulator, false);
  });

  test('without DATABASE_URL (embedded PGlite) it refuses', () => {
    assert.throws(() => loadConfig(without(PROD, 'DATABASE_URL')), /not for production/);
  });

  test('[PR-6] [ZL-4] over plain http it refuses', () => {
    assert.throws(() => loadConfig({ ...PROD, PUBLIC_URL: 'http://portaal.example' }), /https/);
  });

  test('a bad value names the variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
    assert.throws(() => loadConfig({ KOEPEL_SESSION_IDLE_MINUTES: '30' }), /KOEPEL_SESSION_IDLE_MINUTES/);
  });

  test('a complete production configuration is accepted', () => {
    const c = loadConfig(PROD);
    assert.equal(c.production, true);
    assert.equal(c.demoSeed, false);
    assert.equal(c.session.idleMs, 15 * 60_000);
  });
});
