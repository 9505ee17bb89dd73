import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordResourceType } from '../platform/db/schema.js';
import {
  categorise,
  CITIZEN_RECORD_TYPES,
  effectiveAt,
  isCitizenRecordType,
  isRecordCategory,
  isRecordResourceType,
  RECORD_RESOURCE_TYPES,
} from './categories.js';

const r = (resourceType: RecordResourceType, rest: Record<string, unknown> = {}) => ({ resourceType, ...rest });
const SNOMED = 'http://snomed.info/sct';
const ICPC = 'http://hl7.org/fhir/sid/icpc-1-nl';

describe('categorise', () => {
  test('each resource type falls in its category', () => {
    assert.equal(categorise(r('Patient')), 'patient');
    assert.equal(categorise(r('Appointment')), 'appointments');
    assert.equal(categorise(r('AllergyIntolerance')), 'sensitivities');
    assert.equal(
      categorise(r('Observation', { code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] } })),
      'lab',
    );
    assert.equal(categorise(r('DocumentReference')), 'documents');
    for (const t of ['MedicationStatement', 'MedicationRequest', 'MedicationDispense'] as const)
      assert.equal(categorise(r(t)), 'medication');
    assert.equal(categorise(r('CareTeam')), 'careteam');
    const more = {
      Flag: 'sensitivities',
      DiagnosticReport: 'lab',
      Specimen: 'lab',
      Composition: 'documents',
      Media: 'documents',
      MedicationAdministration: 'medication',
      RelatedPerson: 'careteam',
      Immunization: 'immunisations',
      ImmunizationRecommendation: 'immunisations',
      Procedure: 'procedures',
      Encounter: 'visits',
      EpisodeOfCare: 'visits',
      Device: 'aids',
      DeviceUseStatement: 'aids',
      Consent: 'directives',
      Goal: 'careplan',
      CarePlan: 'careplan',
      NutritionOrder: 'careplan',
      Coverage: 'payer',
    } as const;
    for (const [type, category] of Object.entries(more))
      assert.equal(categorise(r(type as RecordResourceType)), category, type);
  });

  test('an Observation is a vital sign, a lab result or another finding, by its category and else by its code', () => {
    const obs = (code: unknown, category?: string) =>
      r('Observation', {
        code: { coding: [code] },
        ...(category
          ? {
              category: [
                { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] },
              ],
            }
          : {}),
      });
    const loinc = (code: string) => ({ system: 'http://loinc.org', code });
    assert.equal(categorise(obs(loinc('85354-9'), 'vital-signs')), 'vitals', 'blood pressure with its category');
    assert.equal(categorise(obs(loinc('29463-7'))), 'vitals', 'body weight by its code alone');
    assert.equal(categorise(obs({ system: SNOMED, code: '386725007' })), 'vitals', 'temperature in SNOMED CT');
    assert.equal(categorise(obs(loinc('2345-7'))), 'lab', 'glucose without a category');
    assert.equal(
      categorise(obs({ system: 'urn:oid:2.16.840.1.113883.2.4.4.30.45', code: '382' })),
      'lab',
      'NHG table 45',
    );
    assert.equal(categorise(obs(loinc('2345-7'), 'laboratory')), 'lab');
    assert.equal(categorise(obs({ system: SNOMED, code: '228273003' })), 'findings', 'alcohol use (SNOMED CT)');
    assert.equal(categorise(obs(loinc('72166-2'), 'social-history')), 'findings', 'tobacco use with its category');
  });

  test('a Condition is a particular (with the sensitivities) only by a listed code in its own system', () => {
    const condition = (coding: unknown) => r('Condition', { code: { coding } });
    assert.equal(categorise(condition([{ system: SNOMED, code: '77386006' }])), 'sensitivities', 'pregnancy');
    assert.equal(categorise(condition([{ system: ICPC, code: 'T90.02' }])), 'sensitivities', 'ICPC diabetes');
    assert.equal(
      categorise(
        condition([
          { system: SNOMED, code: '25064002' },
          { system: ICPC, code: 'K86' },
        ]),
      ),
      'sensitivities',
      'any coding of the concept counts',
    );
    assert.equal(categorise(condition([{ system: SNOMED, code: '25064002' }])), 'episodes', 'headache');
    assert.equal(categorise(condition([{ system: ICPC, code: '77386006' }])), 'episodes', 'a SNOMED code under ICPC');
    assert.equal(categorise(condition([{ code: '77386006' }])), 'episodes', 'no system');
    assert.equal(categorise(condition([{ system: SNOMED }])), 'episodes', 'no code');
    assert.equal(categorise(condition([])), 'episodes', 'empty codings');
    assert.equal(categorise(r('Condition')), 'episodes', 'no code at all');
    assert.equal(categorise(r('Condition', { code: { text: 'zwanger' } })), 'episodes', 'text is not a code');
  });

  test('every stored type has a category, and only Patient is not shown to citizens', () => {
    for (const t of RECORD_RESOURCE_TYPES) {
      const c = categorise(r(t));
      assert.ok(t === 'Patient' ? c === 'patient' : isRecordCategory(c), t);
    }
    assert.deepEqual(
      RECORD_RESOURCE_TYPES.filter((t) => !isCitizenRecordType(t)),
      ['Patient'],
    );
    assert.equal(CITIZEN_RECORD_TYPES.length, RECORD_RESOURCE_TYPES.length - 1);
  });

  test('the guards accept only the exact names', () => {
    assert.ok(isRecordCategory('lab'));
    for (const v of ['Lab', 'patient', '', null, 3, ['lab']]) assert.equal(isRecordCategory(v), false, String(v));
    assert.ok(isRecordResourceType('Observation'));
    for (const v of ['observation', 'Practitioner', 'Bundle', undefined])
      assert.equal(isRecordResourceType(v), false, String(v));
  });
});

describe('effectiveAt', () => {
  const iso = (d: Date | null) => d?.toISOString() ?? null;

  test('partial dates are taken at their first day', () => {
    assert.equal(iso(effectiveAt(r('Appointment', { start: '2026' }))), '2026-01-01T00:00:00.000Z');
    assert.equal(iso(effectiveAt(r('Appointment', { start: '2026-10' }))), '2026-10-01T00:00:00.000Z');
    assert.equal(iso(effectiveAt(r('Appointment', { start: '2024-02-29' }))), '2024-02-29T00:00:00.000Z');
    assert.equal(
      iso(effectiveAt(r('Appointment', { start: '2026-10-01T09:30:00+02:00' }))),
      '2026-10-01T07:30:00.000Z',
    );
  });

  test('the years 0001 to 0099 stay themselves', () => {
    assert.equal(effectiveAt(r('Appointment', { start: '0050' }))?.getUTCFullYear(), 50);
    assert.equal(effectiveAt(r('Appointment', { start: '0001-01-01' }))?.getUTCFullYear(), 1);
  });

  test('a value that is not a date, or missing, gives null', () => {
    assert.equal(effectiveAt(r('Appointment', { start: 'gisteren' })), null);
    assert.equal(effectiveAt(r('Appointment', { start: 20261001 })), null);
    assert.equal(effectiveAt(r('Appointment')), null);
    assert.equal(effectiveAt(r('Patient', { birthDate: '1980-01-01' })), null);
    assert.equal(effectiveAt(r('CareTeam', { period: 'x' })), null);
    assert.equal(effectiveAt(r('CareTeam', { period: null })), null);
  });

  test('each type reads its own fields, in order of preference', () => {
    assert.equal(
      iso(effectiveAt(r('Condition', { onsetPeriod: { start: '2020-01-01' }, recordedDate: '2021-01-01' }))),
      '2020-01-01T00:00:00.000Z',
    );
    assert.equal(iso(effectiveAt(r('Condition', { recordedDate: '2021-01-01' }))), '2021-01-01T00:00:00.000Z');
    assert.equal(
      iso(effectiveAt(r('Observation', { effectiveDateTime: '2022-03-04', issued: '2022-03-05T00:00:00Z' }))),
      '2022-03-04T00:00:00.000Z',
    );
    assert.equal(iso(effectiveAt(r('Observation', { issued: '2022-03-05T00:00:00Z' }))), '2022-03-05T00:00:00.000Z');
    assert.equal(
      iso(effectiveAt(r('DocumentReference', { context: { period: { start: '2019-05' } } }))),
      '2019-05-01T00:00:00.000Z',
    );
    assert.equal(
      iso(
        effectiveAt(r('MedicationStatement', { effectivePeriod: { start: '2018' }, effectiveDateTime: '2017-01-01' })),
      ),
      '2018-01-01T00:00:00.000Z',
    );
    assert.equal(iso(effectiveAt(r('MedicationRequest', { authoredOn: '2023-06-07' }))), '2023-06-07T00:00:00.000Z');
    assert.equal(
      iso(effectiveAt(r('MedicationDispense', { whenPrepared: '2023-06-08T10:00:00Z' }))),
      '2023-06-08T10:00:00.000Z',
    );
    assert.equal(iso(effectiveAt(r('AllergyIntolerance', { recordedDate: '2016' }))), '2016-01-01T00:00:00.000Z');
  });
});
