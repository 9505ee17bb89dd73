import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIGID_LEVELS, isSufficient, LEVEL_VALUES, levelFromClaims, levelFromValue } from './levels.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:ac:classes:';
const EIDAS = 'http://eidas.europa.eu/LoA/';

// The mapping table of levels.ts, written out once more by hand: a change to the table has to change this too.
const TABLE: [value: string, level: string][] = [
  [`${SAML}PasswordProtectedTransport`, 'basis'],
  [`${SAML}MobileTwoFactorContract`, 'midden'],
  [`${SAML}Smartcard`, 'substantieel'],
  [`${SAML}SmartcardPKI`, 'hoog'],
  [`${EIDAS}low`, 'basis'],
  [`${EIDAS}substantial`, 'substantieel'],
  [`${EIDAS}high`, 'hoog'],
];

test('[MG-2] only Substantieel and Hoog are sufficient', () => {
  assert.deepEqual(
    DIGID_LEVELS.filter(isSufficient).map((l) => l.key),
    ['substantieel', 'hoog'],
  );
});

test('the mapping table holds exactly the four SAML classes and the three eIDAS URIs', () => {
  assert.deepEqual([...LEVEL_VALUES].map(([v, l]) => [v, l.key]).sort(), TABLE.map(([v, l]) => [v, l]).sort());
});

test('[MG-2] every value is read the same in acr and in loa_authn', () => {
  for (const [value, key] of TABLE) {
    assert.equal(levelFromValue(value)?.key, key, value);
    assert.equal(levelFromClaims({ acr: value })?.key, key, `acr ${value}`);
    assert.equal(levelFromClaims({ loa_authn: value })?.key, key, `loa_authn ${value}`);
  }
});

test('[MG-2] a Substantieel login stated only as loa_authn SAML class (as MAX sends it) is sufficient', () => {
  const level = levelFromClaims({ loa_authn: `${SAML}Smartcard` });
  assert.equal(level?.key, 'substantieel');
  assert.ok(level && isSufficient(level));
});

test('a SAML class beside its own eIDAS URI counts as the SAML class (Midden with eIDAS low is Midden)', () => {
  for (const level of DIGID_LEVELS) {
    assert.equal(levelFromClaims({ acr: level.acr, loa_authn: level.eidas })?.key, level.key, level.key);
    assert.equal(levelFromClaims({ acr: level.eidas, loa_authn: level.acr })?.key, level.key, level.key);
  }
});

test('when acr and loa_authn state different known levels, the lower one counts', () => {
  assert.equal(
    levelFromClaims({ acr: `${SAML}MobileTwoFactorContract`, loa_authn: `${SAML}Smartcard` })?.key,
    'midden',
  );
  assert.equal(levelFromClaims({ acr: `${SAML}SmartcardPKI`, loa_authn: `${EIDAS}substantial` })?.key, 'substantieel');
  assert.equal(levelFromClaims({ acr: `${EIDAS}low`, loa_authn: `${EIDAS}high` })?.key, 'basis');
  assert.equal(levelFromClaims({ acr: `${SAML}Smartcard`, loa_authn: `${EIDAS}low` })?.key, 'basis');
  assert.equal(levelFromClaims({ acr: `${SAML}PasswordProtectedTransport`, loa_authn: `${EIDAS}high` })?.key, 'basis');
  assert.equal(levelFromClaims({ acr: `${EIDAS}high`, loa_authn: `${SAML}MobileTwoFactorContract` })?.key, 'midden');
  assert.equal(levelFromClaims({ acr: `${SAML}SmartcardPKI`, loa_authn: `${EIDAS}high` })?.key, 'hoog');
  assert.equal(levelFromClaims({ acr: `${SAML}Smartcard`, loa_authn: `${EIDAS}substantial` })?.key, 'substantieel');
});

test('unknown or missing values are no level; an unknown value beside a known one is ignored', () => {
  for (const value of [
    undefined,
    null,
    '',
    42,
    ['urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard'],
    { value: `${SAML}Smartcard` },
    'substantieel',
    `${SAML}smartcard`,
    `${SAML}SMARTCARD`,
    ` ${SAML}Smartcard`,
    `${SAML}Smartcard `,
    `${SAML}Password`,
    `${SAML}TimeSyncToken`,
    'https://eidas.europa.eu/LoA/substantial',
    `${EIDAS}Substantial`,
    `${EIDAS}NotNotified/substantial`,
    'http://eidas.europa.eu/LoA/',
  ]) {
    assert.equal(levelFromValue(value), null, JSON.stringify(value));
    assert.equal(levelFromClaims({ acr: value, loa_authn: value }), null, JSON.stringify(value));
  }
  assert.equal(levelFromClaims({}), null);
  assert.equal(levelFromClaims({ acr: 'urn:example:unknown', loa_authn: `${SAML}Smartcard` })?.key, 'substantieel');
  assert.equal(levelFromClaims({ acr: `${SAML}SmartcardPKI`, loa_authn: 'urn:example:unknown' })?.key, 'hoog');
  // Another claim never counts.
  assert.equal(levelFromClaims({ loa: `${SAML}Smartcard`, amr: [`${SAML}Smartcard`] }), null);
});
