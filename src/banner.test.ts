import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startupBanner } from './banner.js';
import { testRpKeySet } from '../test/support/digid-keys.js';
import { loadConfig } from './platform/config.js';

const BRIDGE = {
  KOEPEL_DIGID_SIMULATOR: 'false',
  KOEPEL_DIGID_ISSUER: 'https://max.example/',
  KOEPEL_DIGID_CLIENT_ID: 'koepel',
  KOEPEL_DIGID_CLIENT_SECRET: 'very-secret-value',
  KOEPEL_DIGID_KEYS: testRpKeySet().json,
};

test('with the simulator off, the start-up text does not describe the simulator; it names the bridge', () => {
  for (const env of [BRIDGE, { ...BRIDGE, KOEPEL_DIGID_ISSUER: 'http://127.0.0.1:9000' }]) {
    const text = startupBanner(loadConfig(env), 'development');
    assert.doesNotMatch(text, /simulator/i);
    assert.ok(text.includes(`through the bridge at ${env.KOEPEL_DIGID_ISSUER}`), text);
    assert.ok(!text.includes('very-secret-value'), 'never the client secret');
    assert.match(text, /Not in production mode \(NODE_ENV=development\)/);
  }
});

test('with the simulator on, the start-up text says so', () => {
  const text = startupBanner(loadConfig({}), 'development');
  assert.match(text, /The DigiD simulator is on: for trying Koepel out only\./);
  assert.doesNotMatch(text, /bridge/);
});

test('the start-up text names PUBLIC_URL as the one address to use', () => {
  const text = startupBanner(loadConfig({ PUBLIC_URL: 'https://portaal.example' }), 'development');
  assert.match(text, /^Koepel is running at https:\/\/portaal\.example\n/);
  assert.match(text, /another host name of this server is sent to https:\/\/portaal\.example\./);
});
