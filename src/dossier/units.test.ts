// Pure parts of "Mijn dossier": the chart's scales and SVG, the medication overview's six-month rule and the download
// file name. (The FHIR display helpers are tested in src/platform/fhir/display.test.ts.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoredResource } from '../record/store.js';
import { LabChart, timeScale, timeTicks, valueScale } from './chart.js';
import { medicationOverview } from './medication.js';
import { downloadName } from './routes.js';

const DAY = 86_400_000;

describe('lab chart', () => {
  test('the value axis covers all values and the reference range, on round ticks, never below zero for positives', () => {
    const s = valueScale([47, 61], 20, 42);
    assert.ok(s.min <= 20 && s.max >= 61);
    assert.ok(s.min >= 0);
    assert.deepEqual(s.ticks, [10, 20, 30, 40, 50, 60, 70]);
    const flat = valueScale([5, 5], null, null);
    assert.ok(flat.min < 5 && flat.max > 5);
    assert.ok(valueScale([-3, 2], null, null).min < -3);
  });

  test('one result gets a month either side; ticks lie inside the axis', () => {
    const at = new Date('2026-03-01T00:00:00Z');
    const s = timeScale([{ at }], 3);
    assert.ok(s.min < at.getTime() - 29 * DAY && s.max > at.getTime() + 29 * DAY);
    assert.equal(s.ticks.length, 3);
    assert.ok(s.ticks.every((t) => t > s.min && t < s.max));
  });

  test('time labels: months and years over a long span, days over a short one, never the same label twice', () => {
    const start = Date.parse('2025-01-01T12:00:00Z');
    const long = timeTicks(
      'nl',
      [0, 1, 2].map((i) => start + i * 200 * DAY),
      start,
      start + 400 * DAY,
    );
    assert.deepEqual(
      long.map((t) => t.label),
      ['jan 2025', 'jul 2025', 'feb 2026'],
    );
    const short = timeTicks('nl', [start, start + 3 * 3600_000, start + 20 * DAY], start, start + 30 * DAY);
    assert.deepEqual(
      short.map((t) => t.label),
      ['1 jan', '21 jan'],
    );
  });

  test('the SVG is an image with title and description, a band, one marker per result, no inline style', async () => {
    const svg = await LabChart({
      lang: 'nl',
      id: 'c',
      title: 'HbA1c <test>',
      description: 'Beschrijving & meer',
      unit: 'mmol/mol',
      axisValue: 'Waarde (mmol/mol)',
      axisTime: 'Datum',
      bandLabel: 'Referentiegebied',
      low: 20,
      high: 42,
      points: [
        { at: new Date('2025-01-01'), value: 50, abnormal: true, label: 'a' },
        { at: new Date('2025-06-01'), value: 40, abnormal: false, label: 'b' },
      ],
    });
    assert.match(svg, /^<svg[^>]*role="img"[^>]*aria-labelledby="c-title c-desc"/);
    assert.match(svg, /<title id="c-title">HbA1c &lt;test><\/title>|<title id="c-title">HbA1c &lt;test&gt;<\/title>/);
    assert.match(svg, /<desc id="c-desc">Beschrijving &amp; meer<\/desc>/);
    assert.match(svg, /class="koepel-chart-band"/);
    assert.equal([...svg.matchAll(/<circle class="koepel-chart-point"/g)].length, 1);
    assert.equal([...svg.matchAll(/<rect class="koepel-chart-point koepel-chart-point--abnormal"/g)].length, 1);
    assert.doesNotMatch(svg, /style=/);
    // Without a range, no band.
    const bare = await LabChart({
      lang: 'nl',
      id: 'd',
      title: 't',
      description: 'd',
      unit: '',
      axisValue: 'Waarde',
      axisTime: 'Datum',
      bandLabel: null,
      low: null,
      high: null,
      points: [{ at: new Date('2025-01-01'), value: 1, abnormal: false, label: 'x' }],
    });
    assert.doesNotMatch(bare, /koepel-chart-band|polyline/);
  });
});

describe('medication overview (AMO: current and the past six months)', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const iso = (days: number) => new Date(now.getTime() + days * DAY).toISOString().slice(0, 10);
  const stored = (resource: Record<string, unknown>, i: number): StoredResource => ({
    id: `id-${i}`,
    logicalId: `id-${i}`,
    organisationId: 'org',
    citizenId: 'c',
    resourceType: resource.resourceType as StoredResource['resourceType'],
    category: 'medication',
    effectiveAt: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    resource: resource as StoredResource['resource'],
  });
  const request = (name: string, status: string, start: number, end?: number) => ({
    resourceType: 'MedicationRequest',
    status,
    intent: 'order',
    medicationCodeableConcept: { text: name, coding: [{ system: 'http://www.whocc.no/atc', code: 'A10BA02' }] },
    dosageInstruction: [
      {
        text: '1 dd 1',
        timing: { repeat: { boundsPeriod: { start: iso(start), ...(end ? { end: iso(end) } : {}) } } },
      },
    ],
    dispenseRequest: { numberOfRepeatsAllowed: 2 },
  });

  test('active is current; stopped within six months is recent; older is counted, not shown', () => {
    const o = medicationOverview(
      [
        request('Actief', 'active', -100),
        request('Verlopen', 'active', -100, -10), // its period ended: no longer current
        request('Recent gestopt', 'stopped', -100, -30),
        request('Lang geleden', 'completed', -400, -300),
        request('Vergissing', 'entered-in-error', -10),
        {
          resourceType: 'MedicationStatement',
          status: 'active',
          medicationCodeableConcept: { text: 'Gebruik' },
          effectivePeriod: { start: iso(-5) },
        },
        {
          resourceType: 'MedicationDispense',
          status: 'completed',
          medicationCodeableConcept: { text: 'Uitgifte' },
          whenHandedOver: iso(-20),
          quantity: { value: 30, unit: 'stuk' },
        },
        {
          resourceType: 'MedicationDispense',
          status: 'completed',
          medicationCodeableConcept: { text: 'Oude uitgifte' },
          whenHandedOver: iso(-300),
        },
      ].map(stored),
      now,
    );
    assert.deepEqual(
      o.current.map((l) => l.name),
      ['Actief', 'Gebruik'],
    );
    assert.deepEqual(
      o.recent.map((l) => l.name),
      ['Verlopen', 'Recent gestopt'],
    );
    assert.equal(o.olderCount, 1);
    assert.deepEqual(
      o.dispenses.map((d) => [d.name, d.quantity]),
      [['Uitgifte', '30 stuk']],
    );
    assert.equal(o.current[0]?.repeats, 2);
    assert.deepEqual(o.current[0]?.codes, ['ATC A10BA02']);
  });
});

describe('medication overview: medication process 9', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const EXT = 'http://nictiz.nl/fhir/StructureDefinition/';
  const stored = (resource: Record<string, unknown>, i: number): StoredResource => ({
    id: `id-${i}`,
    logicalId: `id-${i}`,
    organisationId: 'org',
    citizenId: 'c',
    resourceType: resource.resourceType as StoredResource['resourceType'],
    category: 'medication',
    effectiveAt: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    resource: resource as StoredResource['resource'],
  });
  const agreement = (name: string, extension: unknown[], more: Record<string, unknown> = {}) => ({
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: { text: name },
    extension,
    ...more,
  });
  const period = (start: string, end?: string) => ({
    url: `${EXT}ext-TimeInterval.Period`,
    valuePeriod: { start, ...(end ? { end } : {}) },
  });
  const treatment = (value: string) => ({
    url: `${EXT}ext-PharmaceuticalTreatment.Identifier`,
    valueIdentifier: { system: 'urn:oid:1.2.3', value },
  });
  const stop = (code: string) => ({
    url: `${EXT}ext-StopType`,
    valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code }] },
  });

  test('the period of use in the extension decides; a stop agreement ends its treatment; rendered dosage text', () => {
    const o = medicationOverview(
      [
        agreement('Lang geleden afgelopen', [period('2019-01-01', '2019-03-01')], {
          dosageInstruction: [{ text: '1 dd 1' }],
        }),
        agreement('Loopt', [
          period('2026-05-01'),
          { url: `${EXT}ext-RenderedDosageInstruction`, valueString: '1 maal per dag 1 tablet' },
        ]),
        agreement('Gestopt', [treatment('T1'), period('2026-04-01')]),
        agreement('Gestopt', [treatment('T1'), period('2026-04-01', '2026-05-20')], {
          modifierExtension: [stop('113371000146109')],
        }),
        agreement('Onderbroken', [period('2026-04-01')], { modifierExtension: [stop('385655000')] }),
      ].map(stored),
      now,
    );
    assert.deepEqual(
      o.current.map((l) => [l.name, l.dosage]),
      [['Loopt', '1 maal per dag 1 tablet']],
    );
    assert.deepEqual(
      o.recent.map((l) => [l.name, l.stopType]),
      [
        ['Gestopt', 'stopped'],
        ['Onderbroken', 'suspended'],
      ],
    );
    assert.equal(o.olderCount, 1);
  });

  test('bad input: extensions of the wrong shape are ignored, never thrown on', () => {
    const o = medicationOverview(
      [
        agreement('Raar', [
          { url: `${EXT}ext-TimeInterval.Period`, valueString: 'gisteren' },
          { url: `${EXT}ext-RenderedDosageInstruction`, valueInteger: 3 },
          { url: `${EXT}ext-PharmaceuticalTreatment.Identifier`, valueString: 'x' },
          'not an object',
        ]),
        agreement('Stop zonder code', [], {
          modifierExtension: [{ url: `${EXT}ext-StopType`, valueCodeableConcept: { text: 'gestopt' } }],
        }),
      ].map(stored),
      now,
    );
    assert.deepEqual(
      o.current.map((l) => [l.name, l.dosage]),
      [['Raar', null]],
    );
    assert.deepEqual(
      o.recent.map((l) => [l.name, l.stopType, l.stopText]),
      [],
    );
    assert.equal(o.olderCount, 1, 'a stop without a date is counted as older, not shown as current');
  });
});

describe('download file names', () => {
  test('ASCII only, no path or quote, the extension of the content type', () => {
    assert.equal(downloadName('Ontslagbrief Chirurgie', 'application/pdf', 'document'), 'Ontslagbrief-Chirurgie.pdf');
    assert.equal(downloadName('Brief "über" ../../etc/passwd', 'text/plain', 'document'), 'Brief-uber-etc-passwd.txt');
    assert.equal(downloadName('verslag.pdf', 'application/pdf', 'document'), 'verslag.pdf');
    assert.equal(downloadName(null, 'text/html', 'document'), 'document.bin');
    assert.equal(downloadName('\r\nSet-Cookie: x', 'image/png', 'document'), 'Set-Cookie-x.png');
  });
});
