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
  for (const bsn of ['123456789', '999999322', '', undefined, 999993653]) {
    const check = checkDigidClaims({ bsn, acr: acr('substantieel') });
    assert.equal(!check.ok && check.reason, 'invalid-bsn', String(bsn));
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
