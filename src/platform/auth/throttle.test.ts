import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertDetail, nextThrottleState, parseAlertDetail, throttleAddress, throttlePolicy } from './throttle.js';

const policy = throttlePolicy({ loginMaxFailures: 3 });
const t0 = new Date('2026-01-01T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

test('the address limit is higher than the account limit', () => {
  assert.equal(policy.accountMax, 3);
  assert.ok(policy.addressMax > policy.accountMax);
});

test('failures within the window add up and the Nth one blocks', () => {
  let s = nextThrottleState(null, t0, 3, policy);
  assert.deepEqual([s.failures, s.blocked_until, s.newlyBlocked], [1, null, false]);
  s = nextThrottleState(s, at(1000), 3, policy);
  assert.equal(s.failures, 2);
  assert.equal(s.newlyBlocked, false);
  s = nextThrottleState(s, at(2000), 3, policy);
  assert.equal(s.failures, 3);
  assert.equal(s.newlyBlocked, true);
  assert.equal(s.blocked_until?.getTime(), at(2000).getTime() + policy.blockMs);
});

test('a failure after the window starts a new count', () => {
  const s1 = nextThrottleState(null, t0, 3, policy);
  const s2 = nextThrottleState(s1, at(1000), 3, policy);
  const s3 = nextThrottleState(s2, at(policy.windowMs + 5000), 3, policy);
  assert.equal(s3.failures, 1);
  assert.equal(s3.window_started_at.getTime(), at(policy.windowMs + 5000).getTime());
});

test('a failure during a block keeps the block and raises no second alert', () => {
  const blocked = { failures: 3, window_started_at: t0, blocked_until: at(policy.blockMs) };
  const s = nextThrottleState(blocked, at(1000), 3, policy);
  assert.equal(s.newlyBlocked, false);
  assert.equal(s.blocked_until?.getTime(), at(policy.blockMs).getTime());
  assert.equal(s.failures, 4);
});

test('after a block ends, counting starts again', () => {
  const ended = { failures: 3, window_started_at: t0, blocked_until: at(1000) };
  const s = nextThrottleState(ended, at(2000), 3, policy);
  assert.equal(s.failures, 1);
  assert.equal(s.blocked_until, null);
});

test('alert details round-trip and hold only counts and times', () => {
  const d = { scope: 'address' as const, failures: 20, windowMinutes: 15, blockedUntil: at(60_000) };
  const text = alertDetail(d);
  assert.equal(text, 'scope=address failures=20 window=15m blocked_until=2026-01-01T10:01:00.000Z');
  assert.deepEqual(parseAlertDetail(text), d);
  assert.equal(parseAlertDetail('something else'), null);
});

test('an IPv6 /64 counts as one address; IPv4 as itself', () => {
  assert.equal(throttleAddress('203.0.113.7'), '203.0.113.7');
  assert.equal(throttleAddress('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(throttleAddress('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(throttleAddress('2001:DB8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  assert.equal(throttleAddress('2001:db8::1'), '2001:db8:0:0::/64');
  assert.notEqual(throttleAddress('2001:db8:1:3::1'), throttleAddress('2001:db8:1:2::1'));
  assert.equal(throttleAddress('::1'), '0:0:0:0::/64');
});
