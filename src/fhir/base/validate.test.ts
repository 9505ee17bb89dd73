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

  test('dates: every precision the specification allows, real calendar days only, years 0001–0099 of their own', () => {
    const at = (v: string) => fields(validateBase(observation({ effectiveDateTime: v })));
    for (const v of [
      '2026',
      '2026-10',
      '2026-10-01',
      '2024-02-29',
      '2000-02-29',
      '0004-02-29',
      '0096-02-29',
      '0050-06-15',
    ])
      assert.deepEqual(at(v), [], v);
    for (const v of ['2024-02-29T12:00:00+01:00', '2026-10-01T09:30:00.123456789+14:00', '2026-10-01T23:59:60-03:30'])
      assert.deepEqual(at(v), [], v);
    for (const v of ['2023-02-29', '1900-02-29', '2100-02-29', '2026-02-30', '2026-04-31', '0100-02-29'])
      assert.deepEqual(at(v), ['effectiveDateTime'], v);
    for (const v of [
      '2026-1',
      '26-10-01',
      '2026-13',
      '2026-10-00',
      '2026-10-01T09:30Z',
      '2026-10-01T24:00:00Z',
      '0000',
    ])
      assert.equal(at(v).length, 1, v);
    assert.deepEqual(fields(validateBase(observation({ issued: '2023-02-29T10:00:00Z' }))), ['issued']);
    assert.equal(fields(validateBase(observation({ issued: '2026-10-01' }))).length, 1, 'an instant needs a time');
  });

  test('a period that ends before it starts is refused (FHIR invariant per-1)', () => {
    assert.deepEqual(validateBase(observation({ effectivePeriod: { start: '2026-01-01', end: '2026-12-31' } })), []);
    const back = validateBase(observation({ effectivePeriod: { start: '2026-05-02', end: '2026-05-01' } }));
    assert.equal(back.length, 1, JSON.stringify(back));
    assert.equal(back[0]?.code, 'invariant');
  });
});
