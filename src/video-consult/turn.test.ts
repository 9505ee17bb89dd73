import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../platform/config.js';
import { turnCredentials, TURN_TTL_SECONDS } from './turn.js';

test('[LU-1] TURN credentials: "<expiry>:<opaque id>", HMAC-SHA1 of the shared secret, at most 10 minutes', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const turn = { urls: ['turn:turn.example:3478?transport=udp'], secret: 'a shared secret of some length' };
  const { iceServers, ttl } = turnCredentials(turn, now);
  assert.ok(ttl <= 600 && ttl === TURN_TTL_SECONDS);
  const [server] = iceServers;
  assert.ok(server);
  assert.deepEqual(server.urls, turn.urls);
  const [expiry, id] = server.username.split(':');
  assert.equal(Number(expiry), now.getTime() / 1000 + ttl);
  assert.match(id ?? '', /^[A-Za-z0-9_-]{16}$/);
  assert.equal(server.credential, createHmac('sha1', turn.secret).update(server.username).digest('base64'));
  // A new id each time: nothing links two visits in coturn's log.
  assert.notEqual(turnCredentials(turn, now).iceServers[0]?.username, server.username);
});

test('[LU-1] TURN configuration: URLs and secret together or not at all, checked at start', () => {
  const secret = 'sixteen-chars-or-more';
  assert.equal(loadConfig({}).turn, null);
  assert.deepEqual(
    loadConfig({
      KOEPEL_TURN_URLS: 'turn:turn.example:3478?transport=udp, turns:turn.example:443',
      KOEPEL_TURN_SECRET: secret,
    }).turn,
    { urls: ['turn:turn.example:3478?transport=udp', 'turns:turn.example:443'], secret, relayOnly: false },
  );
  assert.equal(
    loadConfig({ KOEPEL_TURN_URLS: 'turn:t.example', KOEPEL_TURN_SECRET: secret, KOEPEL_TURN_RELAY_ONLY: 'true' }).turn
      ?.relayOnly,
    true,
  );
  for (const env of [
    { KOEPEL_TURN_URLS: 'turn:t.example' },
    { KOEPEL_TURN_SECRET: secret },
    { KOEPEL_TURN_URLS: 'turn:t.example', KOEPEL_TURN_SECRET: 'short' },
    { KOEPEL_TURN_URLS: 'https://t.example', KOEPEL_TURN_SECRET: secret },
    { KOEPEL_TURN_RELAY_ONLY: 'true' },
  ]) {
    assert.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
  }
});
