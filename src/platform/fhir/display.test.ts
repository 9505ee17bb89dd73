// FHIR display helpers: the words a person sees for a concept, a quantity, a range, a flag, a date, a reference.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  codeLabels,
  codingKeys,
  conceptText,
  firstConceptText,
  firstFhirDate,
  interpretationFlag,
  noteText,
  quantityText,
  rangeText,
  referenceId,
} from './display.js';

const words = {
  between: (low: string, high: string) => `${low} – ${high}`,
  atLeast: (low: string) => `vanaf ${low}`,
  atMost: (high: string) => `tot ${high}`,
};

describe('FHIR display', () => {
  test('concept text: the text, else a display, else a code; anything else is null', () => {
    assert.equal(conceptText({ text: ' HbA1c ', coding: [{ display: 'x' }] }), 'HbA1c');
    assert.equal(conceptText({ text: ' ', coding: [{ code: 'T90' }, { display: 'Diabetes' }] }), 'Diabetes');
    assert.equal(conceptText({ coding: [{ code: 'T90' }] }), 'T90');
    assert.equal(conceptText(undefined), null);
    assert.equal(conceptText('HbA1c'), null);
    assert.equal(conceptText({ coding: 'not a list' }), null);
    assert.equal(firstConceptText([{ coding: [] }, { text: 'Huisarts' }]), 'Huisarts');
    assert.equal(firstConceptText(undefined), null);
  });

  test('code labels name only known systems; coding keys identify the same test', () => {
    const c = {
      coding: [
        { system: 'http://loinc.org', code: '718-7' },
        { system: 'http://example.org/local', code: 'x' },
        { system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'T90.02' },
      ],
    };
    assert.deepEqual(codeLabels(c), ['LOINC 718-7', 'ICPC T90.02']);
    assert.deepEqual(codeLabels(c, ['ICPC']), ['ICPC T90.02']);
    assert.deepEqual(codingKeys(c), [
      'http://loinc.org|718-7',
      'http://example.org/local|x',
      'http://hl7.org/fhir/sid/icpc-1-nl|T90.02',
    ]);
  });

  test('quantities and ranges in the visitor language; flags from the code or from the range', () => {
    assert.equal(quantityText('nl', { value: 7.35, unit: 'mmol/L' }), '7,35 mmol/L');
    assert.equal(quantityText('en', { value: 7.35, unit: 'mmol/L', comparator: '<' }), '< 7.35 mmol/L');
    assert.equal(quantityText('nl', { value: 'seven' }), null);
    assert.equal(
      rangeText('nl', [{ low: { value: 7.5, unit: 'mmol/L' }, high: { value: 10 } }], words),
      '7,5 – 10 mmol/L',
    );
    assert.equal(rangeText('nl', [{ high: { value: 5, unit: 'mg/L' } }], words), 'tot 5 mg/L');
    assert.equal(rangeText('nl', [{ low: { value: 60 } }], words), 'vanaf 60');
    assert.equal(rangeText('nl', [{ text: 'negatief' }], words), 'negatief');
    assert.equal(rangeText('nl', [], words), null);
    assert.equal(interpretationFlag([{ coding: [{ code: 'HH' }] }], 1, undefined), 'critical-high');
    assert.equal(interpretationFlag(undefined, 11, [{ high: { value: 10 } }]), 'high');
    assert.equal(interpretationFlag(undefined, 5, [{ low: { value: 4 }, high: { value: 10 } }]), 'normal');
    assert.equal(interpretationFlag(undefined, 5, undefined), null);
  });

  test('dates keep their precision; references give their id; notes are joined', () => {
    assert.equal(firstFhirDate(undefined, '2009')?.precision, 'year');
    assert.equal(firstFhirDate('2009-04')?.precision, 'month');
    assert.equal(firstFhirDate('nonsense'), null);
    assert.equal(referenceId({ reference: 'DocumentReference/abc-1' }, 'DocumentReference'), 'abc-1');
    assert.equal(referenceId({ reference: 'https://x.example/fhir/Practitioner/p1/_history/2' }, 'Practitioner'), 'p1');
    assert.equal(referenceId({ reference: 'Practitioner/p1' }, 'DocumentReference'), null);
    assert.equal(noteText([{ text: 'a' }, {}, { text: ' b ' }]), 'a b');
    assert.equal(noteText(undefined), null);
  });
});
