import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FHIR_ID, fhirPath } from './datatypes.js';

describe('FHIR helpers', () => {
  test('fhirPath writes array positions in brackets', () => {
    assert.equal(fhirPath('Observation', ['code', 'coding', 0, 'system']), 'Observation.code.coding[0].system');
    assert.equal(fhirPath('Bundle.entry[2].resource', []), 'Bundle.entry[2].resource');
  });

  test('a FHIR id is 1 to 64 letters, digits, dashes and dots', () => {
    for (const v of ['a', 'A-1.b', 'x'.repeat(64)]) assert.ok(FHIR_ID.test(v), v);
    for (const v of ['', 'x'.repeat(65), 'a/b', 'a_b', 'a b', 'é']) assert.equal(FHIR_ID.test(v), false, v);
  });
});
