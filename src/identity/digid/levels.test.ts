import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIGID_LEVELS, isSufficient, levelFromClaims } from './levels.js';

test('[MG-2] only Substantieel and Hoog are sufficient', () => {
  assert.deepEqual(
    DIGID_LEVELS.filter(isSufficient).map((l) => l.key),
    ['substantieel', 'hoog'],
  );
});

test('the level is read from the acr (SAML AuthnContextClassRef), else from the eIDAS loa_authn', () => {
  assert.equal(levelFromClaims({ acr: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard' })?.key, 'substantieel');
  assert.equal(levelFromClaims({ acr: 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI' })?.key, 'hoog');
  assert.equal(
    levelFromClaims({ acr: 'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract' })?.key,
    'midden',
  );
  assert.equal(levelFromClaims({ loa_authn: 'http://eidas.europa.eu/LoA/substantial' })?.key, 'substantieel');
  assert.equal(levelFromClaims({ loa_authn: 'http://eidas.europa.eu/LoA/low' })?.key, 'basis');
  // A known acr wins over a contradicting loa_authn.
  assert.equal(
    levelFromClaims({
      acr: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
      loa_authn: 'http://eidas.europa.eu/LoA/high',
    })?.key,
    'basis',
  );
  assert.equal(levelFromClaims({}), null);
  assert.equal(levelFromClaims({ acr: 'substantieel' }), null);
  assert.equal(levelFromClaims({ acr: 42 }), null);
});
