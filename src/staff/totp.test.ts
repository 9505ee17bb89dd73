import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Secret } from 'otpauth';
import { MasterKeyring } from '../platform/crypto/envelope.js';
import { KeyStore } from '../platform/crypto/keys.js';
import {
  codeAt,
  manualKey,
  newTotpSecret,
  openTotpSecret,
  otpauthUri,
  parseCode,
  sealTotpSecret,
  stepOf,
} from './totp.js';

const keys = new KeyStore(new MasterKeyring(randomBytes(32).toString('base64')));
const staffA = '00000000-0000-4000-8000-00000000000a';
const staffB = '00000000-0000-4000-8000-00000000000b';

test('a sealed TOTP secret opens only for its own staff account', () => {
  const secret = newTotpSecret();
  const sealed = sealTotpSecret(keys, staffA, secret);
  assert.ok(!sealed.includes(Buffer.from(secret)));
  assert.deepEqual(Buffer.from(openTotpSecret(keys, staffA, sealed)), Buffer.from(secret));
  assert.throws(() => openTotpSecret(keys, staffB, sealed));
  assert.throws(() => openTotpSecret(keys, staffA, sealed, 'pending'));
});

test('codes match their own step and one step either side, not further', () => {
  const secret = newTotpSecret();
  const now = 1_800_000_000_000;
  const step = Math.floor(now / 30_000);
  assert.equal(stepOf(secret, codeAt(secret, now), now), step);
  assert.equal(stepOf(secret, codeAt(secret, now - 30_000), now), step - 1);
  assert.equal(stepOf(secret, codeAt(secret, now + 30_000), now), step + 1);
  assert.equal(stepOf(secret, codeAt(secret, now + 95_000), now), null);
});

test('the manual key is the base32 secret in groups of four, and the URI names SHA1/6/30', () => {
  const secret = newTotpSecret();
  const key = manualKey(secret);
  assert.match(key, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
  assert.deepEqual(Buffer.from(Secret.fromBase32(key.replace(/ /g, '')).bytes), Buffer.from(secret));
  const uri = otpauthUri(secret, 'Koepel', 'someone');
  assert.match(uri, /^otpauth:\/\/totp\//);
  assert.match(uri, /algorithm=SHA1/);
  assert.match(uri, /digits=6/);
  assert.match(uri, /period=30/);
});

test('codes are six digits; spaces are ignored', () => {
  assert.equal(parseCode('123 456'), '123456');
  assert.equal(parseCode('12345'), null);
  assert.equal(parseCode('12345a'), null);
});
