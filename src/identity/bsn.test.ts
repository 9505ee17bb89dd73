import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidBsn, parseBsn } from './bsn.js';

test('the RvIG test BSNs pass the 11-test', () => {
  for (const bsn of [
    '999990019',
    '999990020',
    '999990032',
    '999990044',
    '999990056',
    '999990068',
    '999990081',
    '999990093',
    '999993653',
    '900029365',
  ]) {
    assert.equal(parseBsn(bsn), bsn);
  }
});

test('an invalid BSN is refused by the 11-test', () => {
  for (const bad of [
    '123456789',
    '999999322',
    '999999323',
    '999999324',
    '999999325',
    '999993654',
    '000000000',
    '1234567',
    '1234567890',
    'abcdefghi',
    '',
    ' ',
  ]) {
    assert.equal(parseBsn(bad), null, bad);
    assert.equal(isValidBsn(bad), false, bad);
  }
  for (const notAString of [999993653, null, undefined, {}, ['999993653']]) assert.equal(parseBsn(notAString), null);
});

test('spaces and dots are stripped and an 8-digit BSN gets its leading zero', () => {
  assert.equal(parseBsn('9999.93.653'), '999993653');
  assert.equal(parseBsn(' 999 993 653 '), '999993653');
  // 11-test of 0 1 2 3 4 5 6 7 2: 9·0+8·1+7·2+6·3+5·4+4·5+3·6+2·7−2 = 110
  assert.equal(parseBsn('12345672'), '012345672');
});

test('edge cases of the 11-test: one digit off, swapped digits, zeros and look-alike digits', () => {
  // Changing any one digit of a valid BSN breaks the 11-test (the weights 9..2 and -1 are all below 11).
  const valid = '999993653';
  for (let i = 0; i < 9; i++) {
    for (let d = 0; d <= 9; d++) {
      const changed = valid.slice(0, i) + String(d) + valid.slice(i + 1);
      if (changed !== valid) assert.equal(parseBsn(changed), null, changed);
    }
  }
  assert.equal(parseBsn('999939653'), null, 'two neighbouring digits swapped');
  assert.equal(parseBsn('00000000'), null, 'eight zeros pad to the all-zero number');
  assert.equal(parseBsn('９９９９９３６５３'), null, 'full-width digits are not digits');
  assert.equal(parseBsn('٩٩٩٩٩٣٦٥٣'), null, 'Arabic-Indic digits are not digits');
  assert.equal(parseBsn('999-993-653'), null, 'only spaces and dots are stripped');
  assert.equal(parseBsn('+99993653'), null);
});
