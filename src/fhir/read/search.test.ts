// search.ts without a database: date ranges and prefixes, tokens, parsing (lenient and strict), and the
// CapabilityStatement that lists the parameters still validating against the base R4 definitions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CITIZEN_RECORD_TYPES, type StoredResource } from '../../record/index.js';
import { loadBaseDefinitions, validateBase } from '../base/validate.js';
import { capabilityStatement } from './capability.js';
import {
  compareRange,
  dateRange,
  matchesAll,
  parseSearch,
  sortResources,
  strictHandling,
  TYPE_PARAMS,
  type DatePrefix,
} from './search.js';

const at = (iso: string) => new Date(iso).getTime();

function stored(resource: Record<string, unknown>, extra: Partial<StoredResource> = {}): StoredResource {
  return {
    id: extra.id ?? crypto.randomUUID(),
    logicalId: extra.logicalId ?? 'l',
    organisationId: 'org',
    citizenId: 'c',
    resourceType: resource.resourceType as StoredResource['resourceType'],
    category: 'lab',
    effectiveAt: extra.effectiveAt ?? null,
    version: 1,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: extra.updatedAt ?? new Date('2026-01-01T00:00:00Z'),
    resource: resource as StoredResource['resource'],
  };
}

const ctx = { now: at('2026-12-01T00:00:00Z'), medicationOf: () => null };
const matches = (s: StoredResource, type: 'Observation' | 'MedicationRequest' | 'MedicationStatement', q: string) =>
  matchesAll(s, parseSearch(type, [...new URLSearchParams(q)], true).filters, ctx);

describe('search: dates', () => {
  test('a date stands for its whole precision, in Dutch time when it has no zone', () => {
    assert.deepEqual(dateRange('2026-09-01'), { lo: at('2026-08-31T22:00:00Z'), hi: at('2026-09-01T22:00:00Z') });
    assert.deepEqual(dateRange('2026-01'), { lo: at('2025-12-31T23:00:00Z'), hi: at('2026-01-31T23:00:00Z') });
    assert.deepEqual(dateRange('2026'), { lo: at('2025-12-31T23:00:00Z'), hi: at('2026-12-31T23:00:00Z') });
    assert.deepEqual(dateRange('2026-03-29T12:00:00+02:00'), {
      lo: at('2026-03-29T10:00:00Z'),
      hi: at('2026-03-29T10:00:01Z'),
    });
    assert.deepEqual(dateRange('2026-10-25T01:30:00Z'), {
      lo: at('2026-10-25T01:30:00Z'),
      hi: at('2026-10-25T01:30:01Z'),
    });
    for (const bad of ['2026-13-01', '26-01-01', '2026-01-01T25:00:00Z', '2026/01/01', '', 'ge2026', '2026-01-01T10']) {
      assert.equal(dateRange(bad), null, bad);
    }
  });

  test('each prefix, on a day against a day, a month and an open period', () => {
    const p = dateRange('2026-09-15') ?? assert.fail();
    const day = (d: string) => dateRange(d) ?? assert.fail();
    const cases: [DatePrefix, string, boolean][] = [
      ['eq', '2026-09-15', true],
      ['eq', '2026-09-16', false],
      ['ne', '2026-09-16', true],
      ['ne', '2026-09-15', false],
      ['lt', '2026-09-14', true],
      ['lt', '2026-09-15', false],
      ['le', '2026-09-15', true],
      ['le', '2026-09-16', false],
      ['gt', '2026-09-16', true],
      ['gt', '2026-09-15', false],
      ['ge', '2026-09-15', true],
      ['ge', '2026-09-14', false],
      ['sa', '2026-09-16', true],
      ['sa', '2026-09-15', false],
      ['eb', '2026-09-14', true],
      ['eb', '2026-09-15', false],
      ['ap', '2026-09-20', true],
      ['ap', '2026-06-01', false],
    ];
    for (const [prefix, target, expected] of cases) {
      assert.equal(compareRange(prefix, p, day(target), at('2026-12-01T00:00:00Z')), expected, `${prefix} ${target}`);
    }
    // A month is not "equal" to one of its days, but it is ge and le.
    const month = day('2026-09');
    assert.equal(compareRange('eq', p, month), false);
    assert.equal(compareRange('ge', p, month), true);
    assert.equal(compareRange('le', p, month), true);
    // An open period (no end) is after any day, never before a later one.
    const open = { lo: at('2026-01-01T00:00:00Z'), hi: Infinity };
    assert.equal(compareRange('gt', p, open), true);
    assert.equal(compareRange('eb', p, open), false);
  });

  test('date on an Observation, OR within a parameter and AND between repeats', () => {
    const o = stored({ resourceType: 'Observation', status: 'final', effectiveDateTime: '2026-09-15T08:30:00+02:00' });
    assert.equal(matches(o, 'Observation', 'date=2026-09-15'), true);
    assert.equal(matches(o, 'Observation', 'date=2026-09-14'), false);
    assert.equal(matches(o, 'Observation', 'date=2026-09-14,2026-09-15'), true);
    assert.equal(matches(o, 'Observation', 'date=ge2026-09-01&date=lt2026-10-01'), true);
    assert.equal(matches(o, 'Observation', 'date=ge2026-09-01&date=lt2026-09-15'), false);
    // An unencoded '+' of a time zone arrives as a space.
    assert.equal(matches(o, 'Observation', 'date=ge2026-09-15T08:00:00+02:00'), true);
    assert.equal(matches(o, 'Observation', 'date=ge2026-09-15T09:00:00%2B02:00'), false);
    // No date at all: no prefix matches, not even ne.
    const none = stored({ resourceType: 'Observation', status: 'final' });
    assert.equal(matches(none, 'Observation', 'date=ne2026-09-15'), false);
  });

  test('MP9 period-of-use: start with a duration gives the end; MedicationStatement uses effectivePeriod', () => {
    const ma = stored({
      resourceType: 'MedicationRequest',
      extension: [
        {
          url: 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Period',
          valuePeriod: {
            start: '2026-03-01',
            extension: [
              {
                url: 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Duration',
                valueDuration: { value: 2, unit: 'week', system: 'http://unitsofmeasure.org', code: 'wk' },
              },
            ],
          },
        },
      ],
    });
    assert.equal(matches(ma, 'MedicationRequest', 'period-of-use=ge2026-03-10'), true);
    assert.equal(matches(ma, 'MedicationRequest', 'period-of-use=ge2026-03-16'), false);
    assert.equal(matches(ma, 'MedicationRequest', 'period-of-use=le2026-03-01'), true);
    const ms = stored({ resourceType: 'MedicationStatement', effectivePeriod: { start: '2020-01-01' } });
    assert.equal(matches(ms, 'MedicationStatement', 'period-of-use=ge2030-01-01'), true, 'no end: still going on');
    assert.equal(matches(ms, 'MedicationStatement', 'period-of-use=lt2019-01-01'), false);
  });
});

describe('search: tokens', () => {
  const o = stored({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '718-7' }, { code: 'HB' }] },
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
    ],
  });
  test('code, system|code, |code, system|', () => {
    assert.equal(matches(o, 'Observation', 'code=718-7'), true);
    assert.equal(matches(o, 'Observation', 'code=http://loinc.org|718-7'), true);
    assert.equal(matches(o, 'Observation', 'code=http://snomed.info/sct|718-7'), false);
    assert.equal(matches(o, 'Observation', 'code=|HB'), true);
    assert.equal(matches(o, 'Observation', 'code=|718-7'), false);
    assert.equal(matches(o, 'Observation', 'code=http://loinc.org|'), true);
    assert.equal(matches(o, 'Observation', 'code=718-8'), false);
    assert.equal(matches(o, 'Observation', 'code=718-8,718-7'), true);
    assert.equal(matches(o, 'Observation', 'code=718-8&code=718-7'), false);
    assert.equal(matches(o, 'Observation', 'category=laboratory&status=final'), true);
    assert.equal(matches(o, 'Observation', 'status=amended,final'), true);
    assert.equal(matches(o, 'Observation', 'status:not=final'), false);
    assert.equal(matches(o, 'Observation', 'status:not=amended'), true);
    // Codes are case-sensitive.
    assert.equal(matches(o, 'Observation', 'status=FINAL'), false);
  });
});

describe('search: parsing and handling', () => {
  test('lenient ignores what it does not know and leaves it out of the used parameters; strict refuses it', () => {
    const q: [string, string][] = [
      ['code', '718-7'],
      ['foo', 'secret-999'],
      ['code:text', 'x'],
      ['_sort', 'value'],
      ['_include', 'Observation:performer'],
      ['_summary', 'true'],
    ];
    const lenient = parseSearch('Observation', q, false);
    assert.deepEqual(lenient.used, [['code', '718-7']]);
    for (const bad of q.slice(1)) {
      assert.throws(
        () => parseSearch('Observation', [bad], true),
        (e: { status?: number; message: string }) => {
          assert.equal(e.status, 400);
          assert.doesNotMatch(e.message, /secret|999|value|performer/);
          return true;
        },
      );
    }
  });

  test('bad values are refused in either mode, without the value', () => {
    for (const [k, v] of [
      ['date', 'xx2026-01-01'],
      ['date', '2026-99-01'],
      ['_lastUpdated', 'yesterday'],
      ['code', '|'],
      ['code', 'a,'.repeat(101)],
    ] as const) {
      for (const strict of [false, true]) {
        assert.throws(
          () => parseSearch('Observation', [[k, v]], strict),
          (e: { status?: number; message: string }) =>
            e.status === 400 && !e.message.includes(v.slice(0, 6)) && !e.message.includes('yesterday'),
          `${k}=${v}`,
        );
      }
    }
    assert.throws(() =>
      parseSearch(
        'Observation',
        [
          ['_sort', 'date'],
          ['_sort', '-date'],
        ],
        false,
      ),
    );
  });

  test('Prefer: handling', () => {
    assert.equal(strictHandling(undefined), false);
    assert.equal(strictHandling('handling=lenient'), false);
    assert.equal(strictHandling('handling=strict'), true);
    assert.equal(strictHandling('return=minimal, handling=strict'), true);
    assert.equal(strictHandling('Handling=Strict'), true);
  });

  test('every record type has its parameters; _sort orders by date and _lastUpdated, undated last', () => {
    for (const t of CITIZEN_RECORD_TYPES) assert.ok(Object.keys(TYPE_PARAMS[t]).length > 0, t);
    const a = stored(
      { resourceType: 'Observation' },
      { id: 'a', effectiveAt: new Date('2026-01-01'), updatedAt: new Date('2026-03-01') },
    );
    const b = stored(
      { resourceType: 'Observation' },
      { id: 'b', effectiveAt: new Date('2026-02-01'), updatedAt: new Date('2026-02-01') },
    );
    const c = stored(
      { resourceType: 'Observation' },
      { id: 'c', effectiveAt: null, updatedAt: new Date('2026-04-01') },
    );
    const ids = (l: StoredResource[]) => l.map((s) => s.id).join('');
    assert.equal(ids(sortResources([a, b, c], ['date'])), 'abc');
    assert.equal(ids(sortResources([a, b, c], ['-date'])), 'bac');
    assert.equal(ids(sortResources([a, b, c], ['_lastUpdated'])), 'bac');
    assert.equal(ids(sortResources([a, b, c], ['-_lastUpdated'])), 'cab');
  });
});

describe('CapabilityStatement', () => {
  test('lists the search parameters, includes and MP9 profiles, and validates against the base definitions', () => {
    const cs = capabilityStatement({ base: 'https://portaal.example/fhir' }) as {
      rest: { resource: { type: string; searchParam?: { name: string }[]; searchInclude?: string[] }[] }[];
    };
    loadBaseDefinitions(['CapabilityStatement']);
    assert.deepEqual(validateBase(cs as unknown as { resourceType: string }), []);
    const res = (t: string) => cs.rest[0]?.resource.find((r) => r.type === t);
    const names = (t: string) => res(t)?.searchParam?.map((p) => p.name) ?? [];
    for (const n of ['_lastUpdated', 'date', 'code', 'category', 'status'])
      assert.ok(names('Observation').includes(n), n);
    for (const n of ['category', 'period-of-use', 'pharmaceutical-treatment-identifier', 'medication'])
      assert.ok(names('MedicationDispense').includes(n), n);
    assert.deepEqual(res('MedicationRequest')?.searchInclude, [
      'MedicationRequest:patient',
      'MedicationRequest:medication',
      'MedicationRequest:requester',
      'MedicationRequest:intended-performer',
      'MedicationRequest:next-practitioner',
      'MedicationRequest:dispense-location',
    ]);
    assert.deepEqual(res('Observation')?.searchInclude, ['Observation:patient']);
  });
});
