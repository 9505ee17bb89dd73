import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadBaseDefinitions, validateBase, type BaseIssue } from './validate.js';

const observation = (extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://snomed.info/sct', code: '271649006' }] },
  subject: { reference: 'Patient/p1' },
  valueQuantity: { value: 120, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
  ...extra,
});

const fields = (issues: BaseIssue[]) => issues.map((i) => i.field);

describe('validateBase (base FHIR R4 with @medplum/core, plus what it leaves out)', () => {
  before(() => loadBaseDefinitions(['Observation', 'Patient', 'MedicationRequest', 'Medication', 'Appointment']));

  test('a valid resource of any coding system passes, unknown extensions included', () => {
    assert.deepEqual(
      validateBase(observation({ extension: [{ url: 'https://example.org/any-extension', valueString: 'x' }] })),
      [],
    );
  });

  test('missing required elements, malformed values and unknown elements are named by field', () => {
    const o = observation({ effectiveDateTime: '2020-13-45', foo: 1 });
    delete (o as Record<string, unknown>).status;
    const issues = validateBase(o);
    assert.deepEqual(fields(issues).sort(), ['effective[x]', 'foo', 'status']);
    assert.equal(issues.find((i) => i.field === 'status')?.code, 'required');
    assert.match(issues.find((i) => i.field === 'foo')?.problem ?? '', /not an element of this resource type/);
  });

  test('a decimal sent as a string and an extension with neither value nor extensions are refused', () => {
    const issues = validateBase(
      observation({ valueQuantity: { value: '120' }, extension: [{ url: 'https://example.org/e' }] }),
    );
    assert.ok(
      fields(issues).includes('valueQuantity.value') || fields(issues).includes('value[x].value'),
      JSON.stringify(issues),
    );
    assert.ok(
      issues.some((i) => i.code === 'invariant' && /ext-1/.test(i.problem)),
      JSON.stringify(issues),
    );
  });

  test('codes with a required binding are checked, also nested (medplum does not)', () => {
    assert.deepEqual(fields(validateBase(observation({ status: 'done' }))), ['status']);
    const nested = validateBase(
      observation({ valueQuantity: { value: 1, comparator: '~' }, referenceRange: [{ low: { value: 1 } }] }),
    );
    assert.deepEqual(fields(nested), ['valueQuantity.comparator']);
    assert.deepEqual(fields(validateBase({ resourceType: 'Patient', gender: 'x' })), ['gender']);
  });

  test('two values of one choice type, and a reference to a type the element does not allow, are errors', () => {
    const two = fields(validateBase(observation({ valueString: 'high' })));
    assert.equal(two.length, 1);
    assert.match(two[0] ?? '', /^value(String|Quantity)$/);
    const wrongTarget = validateBase(observation({ subject: { reference: 'Medication/m1' } }));
    assert.deepEqual(fields(wrongTarget), ['subject']);
    // A urn:uuid reference to another Bundle entry: its type is resolved by ingest, not here.
    assert.deepEqual(
      validateBase(observation({ subject: { reference: 'urn:uuid:8c4e1a40-0000-4000-8000-000000000001' } })),
      [],
    );
  });

  test('no value from the request is repeated in a problem text', () => {
    const secret = '999993653 Jansen';
    const issues = validateBase(observation({ effectiveDateTime: secret, issued: secret, [`x${secret}`]: 1 }));
    assert.ok(issues.length >= 2);
    for (const i of issues) assert.ok(!i.problem.includes('999993653') && !i.problem.includes('Jansen'), i.problem);
  });
});
