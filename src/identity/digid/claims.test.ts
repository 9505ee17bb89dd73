import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDigidClaims } from './claims.js';
import { DIGID_LEVELS } from './levels.js';

const acr = (key: string) => DIGID_LEVELS.find((l) => l.key === key)?.acr;

test('[MG-2] claims below Substantieel are refused before the BSN is looked at', () => {
  for (const key of ['basis', 'midden']) {
    const check = checkDigidClaims({ bsn: '999993653', acr: acr(key) });
    assert.equal(check.ok, false);
    assert.equal(!check.ok && check.reason, 'level-too-low');
  }
  const none = checkDigidClaims({ bsn: '999993653' });
  assert.deepEqual(none, { ok: false, reason: 'level-too-low', level: null }, 'no level at all is too low');
});

test('a BSN that fails the 11-test is refused even at a sufficient level', () => {
  for (const bsn of ['123456789', '999999322', '12345678', 999993653, ' 999993653x']) {
    const check = checkDigidClaims({ bsn, acr: acr('substantieel') });
    assert.equal(!check.ok && check.reason, 'invalid-bsn', String(bsn));
  }
  for (const bsn of ['', undefined, null]) {
    const check = checkDigidClaims({ bsn, acr: acr('substantieel') });
    assert.equal(!check.ok && check.reason, 'no-bsn', String(bsn));
  }
});

test('a valid BSN at Substantieel or Hoog is accepted', () => {
  for (const key of ['substantieel', 'hoog']) {
    const check = checkDigidClaims({ bsn: '999993653', acr: acr(key) });
    assert.ok(check.ok);
    assert.equal(check.bsn, '999993653');
    assert.equal(check.level.key, key);
  }
});

test('the BSN claim is normalised, and a level only counts as a string the bridge is known to send', () => {
  const sufficient = acr('substantieel');
  const spaced = checkDigidClaims({ bsn: ' 9999.93.653 ', acr: sufficient });
  assert.ok(spaced.ok);
  assert.equal(spaced.bsn, '999993653');
  const eight = checkDigidClaims({ bsn: '12345672', acr: sufficient });
  assert.ok(eight.ok);
  assert.equal(eight.bsn, '012345672');
  // An acr in another shape than a string is no level at all.
  for (const shape of [[sufficient], { value: sufficient }, sufficient?.toUpperCase()]) {
    const check = checkDigidClaims({ bsn: '999993653', acr: shape });
    assert.equal(!check.ok && check.reason, 'level-too-low', JSON.stringify(shape));
  }
  // The eIDAS level, as loa_authn or as the acr itself.
  const eidas = checkDigidClaims({ bsn: '999993653', acr: 'http://eidas.europa.eu/LoA/high' });
  assert.ok(eidas.ok);
  assert.equal(eidas.level.key, 'hoog');
  const low = checkDigidClaims({ bsn: '999993653', loa_authn: 'http://eidas.europa.eu/LoA/low' });
  assert.deepEqual(low.ok, false, 'eIDAS low is DigiD Basis or Midden: too low');
});

test('[MG-2] a Substantieel login with only loa_authn as SAML class (MAX) is accepted; lower levels there are refused', () => {
  const saml = (cls: string) => `urn:oasis:names:tc:SAML:2.0:ac:classes:${cls}`;
  const smartcard = checkDigidClaims({ bsn: '999993653', loa_authn: saml('Smartcard') });
  assert.ok(smartcard.ok);
  assert.equal(smartcard.level.key, 'substantieel');
  const pki = checkDigidClaims({ bsn: '999993653', loa_authn: saml('SmartcardPKI') });
  assert.ok(pki.ok);
  assert.equal(pki.level.key, 'hoog');
  for (const [cls, key] of [
    ['PasswordProtectedTransport', 'basis'],
    ['MobileTwoFactorContract', 'midden'],
  ] as const) {
    const check = checkDigidClaims({ bsn: '999993653', loa_authn: saml(cls) });
    assert.equal(check.ok, false);
    assert.equal(!check.ok && check.reason, 'level-too-low');
    assert.equal(!check.ok && check.level?.key, key);
  }
  const unknown = checkDigidClaims({ bsn: '999993653', loa_authn: saml('Kerberos') });
  assert.deepEqual(unknown, { ok: false, reason: 'level-too-low', level: null });
});
