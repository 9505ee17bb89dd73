import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import {
  codedIn,
  coding,
  date,
  dateTime,
  describeZodIssue,
  fhirPath,
  FHIR_ID,
  instant,
  meaningfulConcept,
  period,
} from './datatypes.js';

const ok = (schema: z.ZodType, v: unknown) => schema.safeParse(v).success;

describe('FHIR date, dateTime and instant', () => {
  test('every precision the specification allows is a date', () => {
    for (const v of ['2026', '2026-10', '2026-10-01']) assert.ok(ok(date, v), v);
    for (const v of ['2026-1', '2026-10-1', '26-10-01', '2026-13', '2026-00', '2026-10-00', '2026-10-01T10:00:00Z', ''])
      assert.equal(ok(date, v), false, v);
  });

  test('leap days exist only in leap years (divisible by 4, not by 100 unless by 400)', () => {
    for (const v of ['2024-02-29', '2000-02-29', '1600-02-29', '0004-02-29', '2024-02-29T12:00:00+01:00'])
      assert.ok(ok(dateTime, v), v);
    for (const v of ['2023-02-29', '1900-02-29', '2100-02-29', '2026-02-30', '2026-04-31', '2026-06-31'])
      assert.equal(ok(date, v), false, v);
    assert.equal(ok(instant, '2023-02-29T10:00:00Z'), false);
  });

  test('the years 0001 to 0099 are years of their own, not 1901 to 1999', () => {
    for (const v of ['0001', '0001-01-01', '0050-06-15', '0099-12-31']) assert.ok(ok(date, v), v);
    assert.ok(ok(instant, '0050-10-01T09:30:00Z'));
    // 1900 is no leap year, the year 0 (not a FHIR year at all) ... and neither is 0100; 0096 is.
    assert.ok(ok(date, '0096-02-29'));
    assert.equal(ok(date, '0100-02-29'), false);
    assert.equal(ok(date, '0000-01-01'), false, 'FHIR has no year 0');
  });

  test('a time needs seconds and a zone; an instant needs the full date and time', () => {
    for (const v of ['2026-10-01T09:30:00Z', '2026-10-01T09:30:00.123456789+14:00', '2026-10-01T23:59:60-03:30'])
      assert.ok(ok(dateTime, v), v);
    for (const v of [
      '2026-10-01T09:30Z',
      '2026-10-01T09:30:00',
      '2026-10-01T24:00:00Z',
      '2026-10-01T09:30:00.1234567890Z',
      '2026-10-01T09:30:00+14:30',
      '2026-10-01 09:30:00Z',
    ])
      assert.equal(ok(dateTime, v), false, v);
    assert.equal(ok(instant, '2026-10-01'), false);
    assert.equal(ok(instant, '2026-10-01T09:30:00'), false);
    assert.ok(ok(instant, '2026-10-01T09:30:00+02:00'));
  });

  test('too long values are refused before the expression looks at them', () => {
    assert.equal(ok(dateTime, `2026-10-01T09:30:00.${'1'.repeat(40)}Z`), false);
    assert.equal(ok(date, '2026-10-01 '), false);
  });
});

describe('period', () => {
  test('start after end is refused; the same day is fine', () => {
    assert.ok(ok(period, { start: '2026-01-01', end: '2026-12-31' }));
    assert.ok(ok(period, { start: '2026-05-01T10:00:00Z', end: '2026-05-01T09:00:00Z' }), 'compared by date');
    assert.ok(ok(period, { start: '2026-05-01' }));
    assert.ok(ok(period, { end: '2026-05-01' }));
    assert.equal(ok(period, { start: '2026-05-02', end: '2026-05-01' }), false);
    assert.equal(ok(period, { start: '2027', end: '2026-12-31' }), false);
  });

  test('a start and end of different precision are compared at the precision both have', () => {
    assert.ok(ok(period, { start: '2020-05-01', end: '2020' }), 'an end of 2020 is the whole year');
    assert.ok(ok(period, { start: '2020', end: '2020-05' }));
    assert.ok(ok(period, { start: '2020-05', end: '2020-05-31T10:00:00+02:00' }));
    assert.equal(ok(period, { start: '2021-01-01', end: '2020' }), false);
  });

  test('an impossible date inside a period is refused', () => {
    assert.equal(ok(period, { start: '2023-02-29' }), false);
  });
});

describe('codings and concepts', () => {
  const SNOMED = 'http://snomed.info/sct';
  const inSnomed = codedIn(new Set([SNOMED]), 'SNOMED CT');

  test('codedIn needs a coding with both system and code from the given systems', () => {
    assert.ok(
      ok(inSnomed, {
        coding: [
          { system: 'http://loinc.org', code: '1' },
          { system: SNOMED, code: '2' },
        ],
      }),
    );
    for (const c of [
      {},
      { coding: [] },
      { coding: [{ system: SNOMED }] },
      { coding: [{ code: '2' }] },
      { coding: [{ system: 'http://loinc.org', code: '1' }] },
      { text: 'only a text' },
    ])
      assert.equal(ok(inSnomed, c), false, JSON.stringify(c));
  });

  test('a meaningful concept has a full coding or a text that is not blank', () => {
    assert.ok(ok(meaningfulConcept, { text: 'Hoofdpijn' }));
    assert.ok(ok(meaningfulConcept, { coding: [{ system: SNOMED, code: '25064002' }] }));
    for (const c of [{}, { coding: [] }, { text: '   ' }, { coding: [{ display: 'Hoofdpijn' }] }, { text: '' }])
      assert.equal(ok(meaningfulConcept, c), false, JSON.stringify(c));
  });

  test('fields Koepel does not look at pass through; the ones it does are checked', () => {
    const parsed = coding.parse({ system: SNOMED, code: '1', userSelected: true });
    assert.equal((parsed as Record<string, unknown>).userSelected, true);
    assert.equal(ok(coding, { system: '', code: '1' }), false, 'an empty system');
    assert.equal(ok(coding, { system: SNOMED, code: 1 }), false, 'a code that is a number');
    assert.equal(ok(coding, { code: 'x'.repeat(257) }), false);
  });
});

describe('messages and paths', () => {
  const messages = (schema: z.ZodType, v: unknown) =>
    (schema.safeParse(v).error?.issues ?? []).map((i) => describeZodIssue(i));

  test('zod issues are described in our words and never quote the value sent', () => {
    const secret = '999993653-secret';
    const all = [
      ...messages(z.object({ a: z.string() }), { a: 5 }),
      ...messages(z.object({ a: z.string() }), {}),
      ...messages(z.enum(['x', 'y']), secret),
      ...messages(z.string().min(1), ''),
      ...messages(z.string().min(3), 'ab'),
      ...messages(z.string().max(3), secret),
      ...messages(z.array(z.string()).min(2), ['a']),
      ...messages(z.array(z.string()).max(1), [secret, secret]),
      ...messages(z.number().max(3), 5),
      ...messages(date, secret),
    ];
    assert.deepEqual(all, [
      'must be a string',
      'is required',
      'must be one of: x, y',
      'must not be empty',
      'is too short',
      'is longer than 3 characters',
      'needs at least 2 items',
      'has more than 1 items',
      'must be at most 3',
      'is longer than 10 characters',
      'must be a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)',
    ]);
    for (const m of all) assert.doesNotMatch(m, /999993653/);
  });

  test('fhirPath writes array positions in brackets', () => {
    assert.equal(fhirPath('Observation', ['code', 'coding', 0, 'system']), 'Observation.code.coding[0].system');
    assert.equal(fhirPath('Bundle.entry[2].resource', []), 'Bundle.entry[2].resource');
  });

  test('a FHIR id is 1 to 64 letters, digits, dashes and dots', () => {
    for (const v of ['a', 'A-1.b', 'x'.repeat(64)]) assert.ok(FHIR_ID.test(v), v);
    for (const v of ['', 'x'.repeat(65), 'a/b', 'a_b', 'a b', 'é']) assert.equal(FHIR_ID.test(v), false, v);
  });
});
