import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateMasterKey, keyVersionOf, MasterKeyring, newDataKey, open, seal } from './envelope.js';

test('AES-256-GCM round trip, with the key version in the header', () => {
  const key = newDataKey();
  const ct = seal(key, 7, Buffer.from('999993653'), 'citizen.bsn:1');
  assert.equal(keyVersionOf(ct), 7);
  assert.equal(open(key, ct, 'citizen.bsn:1').toString(), '999993653');
  assert.ok(!ct.includes(Buffer.from('999993653')));
});

test('a ciphertext moved to another row, or changed by one bit, does not decrypt', () => {
  const key = newDataKey();
  const ct = seal(key, 1, Buffer.from('secret'), 'citizen.bsn:1');
  assert.throws(() => open(key, ct, 'citizen.bsn:2'), /does not authenticate/);
  const flipped = Buffer.from(ct);
  flipped[flipped.length - 20] = (flipped[flipped.length - 20] ?? 0) ^ 1;
  assert.throws(() => open(key, flipped, 'citizen.bsn:1'), /does not authenticate/);
  assert.throws(() => open(newDataKey(), ct, 'citizen.bsn:1'), /does not authenticate/);
});

test('nonces are never reused', () => {
  const key = newDataKey();
  const nonces = new Set<string>();
  for (let i = 0; i < 10_000; i++) nonces.add(seal(key, 1, Buffer.from('x'), 'a').subarray(5, 17).toString('hex'));
  assert.equal(nonces.size, 10_000);
});

test('master key rotation: new keys wrap with the newest version, old wrapped keys still open, blind index stays', () => {
  const v1 = generateMasterKey();
  const old = new MasterKeyring(v1);
  const dataKey = newDataKey();
  const wrappedByV1 = old.wrap(dataKey, 'citizen:1:1');
  const rotated = new MasterKeyring(`1:${v1},2:${generateMasterKey()}`);
  assert.equal(rotated.current, 2);
  assert.deepEqual(rotated.unwrap(wrappedByV1, 'citizen:1:1'), dataKey);
  assert.equal(keyVersionOf(rotated.wrap(dataKey, 'citizen:1:1')), 2);
  assert.deepEqual(rotated.blindIndex('bsn', '999993653'), old.blindIndex('bsn', '999993653'));
});

test('bad master keys are refused with a clear message', () => {
  assert.throws(() => new MasterKeyring(''), /empty/);
  assert.throws(() => new MasterKeyring(Buffer.alloc(16).toString('base64')), /32 bytes/);
  assert.throws(() => new MasterKeyring('not base64 !'), /base64/);
});
