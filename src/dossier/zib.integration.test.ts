// Issue 11 §3 "Show it right": published nl-core zib2020 example instances (Nictiz, CC0), ingested as a provider
// system sends them (a transaction Bundle, references between entries, practitioners in the directory), and shown in
// "Mijn dossier": vital signs with the blood pressure as one reading of two components and units the Dutch way,
// findings, immunisations, procedures, visits, medical aids, treatment and advance directives, goals, insurance.
// Each only where the organisation shows that category (MG-1, MG-7), labelled by organisation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { pageText, tableRows } from '../../test/support/html.js';
import { HttpClient } from '../../test/support/http-client.js';
import { nictizExamples } from '../../test/support/nictiz.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { loginStaff } from '../staff/login.testkit.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { clientContext, ingestBundle } from '../fhir/ingest.js';
import { createApiClient } from '../fhir/ingest.testkit.js';
import {
  BSN_SYSTEM,
  ingestAs,
  transaction as bundle,
  withoutDuplicates,
  ZIB_DISPLAY_EXAMPLES,
  zibExamples,
  type Json,
} from './zib.testkit.js';
import type { RecordCategory } from '../platform/db/schema.js';

const HOSPITAL_DOCTOR = 'arts@rivierenland.example';

const NEW_CATEGORIES: RecordCategory[] = [
  'vitals',
  'findings',
  'immunisations',
  'procedures',
  'visits',
  'aids',
  'directives',
  'careplan',
];

describe('Mijn dossier: nl-core zib2020 data shown right (issue 11)', () => {
  let k: TestKoepel;
  let suzanne: HttpClient;
  let hospital: string;
  let gp: string;

  async function page(path: string, status = 200): Promise<string> {
    const res = await suzanne.get(path);
    assert.equal(res.status, status, `${path}: ${res.status}`);
    return res.text;
  }

  const ingest = (organisationId: string, names: string[]) =>
    ingestAs(k, organisationId, zibExamples(names, DEMO.suzanne));

  /** No "onbekend" in a cell, no raw UCUM code, no generated "Healthcare professional (role)", no narrative. */
  function assertClean(html: string): void {
    for (const row of tableRows(html)) {
      for (const cell of row) {
        assert.doesNotMatch(
          cell,
          /onbekend|Healthcare (professional|provider) \(/i,
          `cell "${cell}" in ${row.join(' | ')}`,
        );
      }
    }
    const text = pageText(html);
    assert.doesNotMatch(text, /\b\d+(,\d+)? (Cel|a|mm\[Hg\])\b/);
    assert.doesNotMatch(text, /<div xmlns|xhtml/);
  }

  before(async () => {
    k = await startKoepel();
    hospital = await orgId(k.db, DEMO.hospital);
    gp = await orgId(k.db, DEMO.gp);
    // The hospital shows the new categories, not insurance; of the new ones, the GP shows insurance only.
    const current = await k.db
      .selectFrom('organisation')
      .select(['id', 'record_categories'])
      .where('id', 'in', [hospital, gp])
      .execute();
    for (const o of current) {
      const old = (o.record_categories as RecordCategory[]).filter((c) => c !== 'payer' && !NEW_CATEGORIES.includes(c));
      const add: RecordCategory[] = o.id === hospital ? NEW_CATEGORIES : ['payer'];
      await k.db
        .updateTable('organisation')
        .set({ record_categories: [...old, ...add] })
        .where('id', '=', o.id)
        .execute();
    }
    await ingest(hospital, ZIB_DISPLAY_EXAMPLES);
    await ingest(gp, ['Payer.InsuranceCompany-02', 'Payer-Organization-02', 'BodyWeight-01']);
    suzanne = new HttpClient(k.url);
    assert.equal((await loginWithDigid(suzanne, DEMO.suzanne)).status, 303);
  });
  after(async () => {
    await k.close();
  });

  test('[MG-1] the new sections are in the menu only where a provider shows them', async () => {
    const html = pageText(await page('/dossier'));
    // The GP sent a weight but does not show vital signs: not counted, and said so.
    assert.match(
      html,
      /Metingen \(vitale functies\) 7 metingen Huisartsenpraktijk De Linde deelt geen metingen via dit portaal\. Rivierenland Ziekenhuis: 7 metingen/,
    );
    assert.match(
      html,
      /Vaccinaties 2 vaccinaties Huisartsenpraktijk De Linde deelt geen vaccinaties via dit portaal\. Rivierenland Ziekenhuis: 2 vaccinaties/,
    );
    assert.match(
      html,
      /Verzekering 1 verzekering Huisartsenpraktijk De Linde: 1 verzekering Rivierenland Ziekenhuis deelt geen verzekeringsgegevens/,
    );
  });

  test('vital signs: blood pressure as one reading of two components, units the Dutch way, by organisation', async () => {
    const html = await page('/dossier/vitals');
    const rows = tableRows(html, { firstTableOnly: true });
    const byName = new Map(rows.map((r) => [r[0], r]));
    assert.deepEqual(byName.get('Bloeddruk')?.slice(1, 2), ['125/75 mmHg']);
    assert.equal(byName.get('Bloeddruk')?.[4], 'Rivierenland Ziekenhuis');
    assert.equal(byName.get('Lichaamstemperatuur')?.[1], '38,6 °C');
    assert.equal(byName.get('Gewicht')?.[1], '2.400 gram');
    assert.equal(byName.get('Lengte')?.[1], '153 cm');
    assert.equal(byName.get('Hartslag')?.[1], '126 /min');
    assert.equal(byName.get('Zuurstofverzadiging (SpO₂)')?.[1], '92%');
    assert.ok(![...byName.values()].some((r) => r[4] === 'Huisartsenpraktijk De Linde'), 'the GP does not show vitals');
    assertClean(html);
    assert.match(html, /href="\/dossier\/vitals\/bloodPressure"/);
    // The heart rhythm is a member of the heart-rate panel: shown with it, not as a measurement of its own.
    assert.doesNotMatch(pageText(html), /Overige metingen/);
    const heart = tableRows(await page('/dossier/vitals/heartRate'));
    assert.equal(heart.length, 1);
    assert.match(heart[0]?.[2] ?? '', /Onregelmatige hartslag/);
  });

  test('the blood pressure page: a chart of two lines with a text alternative, and the table', async () => {
    const html = await page('/dossier/vitals/bloodPressure');
    assert.match(html, /<svg[^>]*role="img"/);
    assert.match(html, /koepel-chart-point--second/);
    assert.match(html, /<desc id="vitals-chart-wide-desc">[^<]*bovendruk \(systolisch\)[^<]*125\/75 mmHg/);
    const rows = tableRows(html);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.[1], '125/75 mmHg');
    // The other components are details, with their own words.
    assert.match(rows[0]?.[2] ?? '', /Korotkofftonen \(waarneembare entiteit\): Fase 4/);
    assert.match(rows[0]?.[2] ?? '', /Mw\. is zwanger/);
    assertClean(html);
    await page('/dossier/vitals/respiration', 404);
    await page('/dossier/vitals/..%2Flab', 404);
  });

  test('findings: the value of a coded observation, never a raw code', async () => {
    const html = await page('/dossier/findings');
    const text = pageText(html);
    assert.match(text, /Rivierenland Ziekenhuis/);
    assertClean(html);
  });

  test('immunisations: vaccine, date, who gave it (from the directory), the advice', async () => {
    const html = await page('/dossier/immunisations');
    const rows = tableRows(html);
    const given = rows.find((r) => r[0]?.startsWith('Hepatitis A-vaccin'));
    assert.ok(given, JSON.stringify(rows));
    assert.match(given[0] ?? '', /Bezoek aan Guatemala/);
    assert.match(given[1] ?? '', /3 juni 2012/);
    assert.equal(given[3], 'GG&GD Nijmegen');
    assert.equal(given[4], 'Rivierenland Ziekenhuis');
    const planned = rows.find((r) => r[0] === 'DKTP/HIB-vaccin');
    assert.ok(planned);
    assert.match(planned[1] ?? '', /vanaf 5 maart 2029/);
    assert.equal(planned[2], 'Volgens Rijksvaccinatieprogramma.');
    assertClean(html);
  });

  test('procedures: what, when, where on the body with its side, by whom', async () => {
    const html = await page('/dossier/procedures');
    const [row] = tableRows(html);
    assert.equal(row?.[0], 'implantatie van knieprothese');
    assert.match(row?.[1] ?? '', /5 juni 2012/);
    assert.equal(row?.[2], 'structuur van knieregio (links)');
    assert.equal(row?.[3], 'Orthoptisten');
    assert.equal(row?.[4], 'UMCG');
    assert.equal(row?.[5], 'Rivierenland Ziekenhuis');
    assertClean(html);
  });

  test('medical aids: the Device a DeviceUseStatement refers to, since when, the note', async () => {
    const html = await page('/dossier/aids');
    const rows = tableRows(html);
    assert.equal(rows.length, 1, 'the Device is shown with its statement, not again');
    assert.match(rows[0]?.[0] ?? '', /^rolstoel Standaard rolstoel, 46 cm zitting Kan korte afstanden lopen$/);
    assert.match(rows[0]?.[1] ?? '', /8 maart 2012/);
    assertClean(html);
  });

  test('directives: a treatment directive (ended) and a wilsverklaring, with who agreed', async () => {
    const html = await page('/dossier/directives');
    const text = pageText(html);
    assert.match(text, /Behandelwensen/);
    assert.match(text, /Wilsverklaringen/);
    const rows = tableRows(html);
    const icu = rows.find((r) => r[0]?.startsWith('Opname op intensive care'));
    assert.ok(icu, JSON.stringify(rows));
    assert.equal(icu[1], 'Wel doen');
    assert.match(icu[3] ?? '', /niet meer geldig sinds 15 oktober 2012/);
    assert.match(icu[0] ?? '', /hersteld en ontslagen/);
    // Who agreed: the RelatedPerson and the practitioner by their own names, not the generated displays.
    assert.doesNotMatch(icu[4] ?? '', /Contact person|Healthcare professional/);
    assert.match(icu[4] ?? '', /Peters \(/);
    const nr = rows.find((r) => r[0]?.startsWith('Niet reanimeren verklaring'));
    assert.ok(nr, JSON.stringify(rows));
    assert.match(nr[0] ?? '', /Niet-reanimerenpenning/);
    assertClean(html);
  });

  test('care plan: the goal, what to reach and by when', async () => {
    const html = await page('/dossier/careplan');
    const [row] = tableRows(html);
    assert.match(row?.[0] ?? '', /^Gewenste gezondheidstoestand: lopen/);
    assert.equal(row?.[1], 'lopen: lichte beperking');
    assert.match(row?.[2] ?? '', /10 september 2014/);
    assert.equal(row?.[3], 'actief');
    assertClean(html);
  });

  test('visits: the admission with its period, people and place', async () => {
    const html = await page('/dossier/visits');
    const [row] = tableRows(html);
    assert.equal(row?.[0], 'Opname');
    assert.match(row?.[1] ?? '', /16 augustus 2012 tot en met 19 augustus 2012/);
    assert.equal(row?.[2], 'G.Z.M. de Wit');
    assert.equal(row?.[3], 'St. Lucas Andreas Ziekenhuis');
    assertClean(html);
  });

  test('medication (MP9 3.0): current vs past from the period of use and stop type, rendered dosage, the Medication', async () => {
    const client = await createApiClient(k.db, hospital);
    const ctx = clientContext({ db: k.db, keys: k.koepel.keys }, client.principal);
    const EXT = 'http://nictiz.nl/fhir/StructureDefinition/';
    const patient = { identifier: { system: BSN_SYSTEM, value: DEMO.suzanne } };
    const treatment = (value: string) => ({
      url: `${EXT}ext-PharmaceuticalTreatment.Identifier`,
      valueIdentifier: { system: 'urn:oid:2.16.840.1.113883.2.4.3.11.999.77.1.1', value },
    });
    const period = (start: string, end?: string) => ({
      url: `${EXT}ext-TimeInterval.Period`,
      valuePeriod: { start, ...(end ? { end } : {}) },
    });
    const agreement = (id: string, extension: unknown[], more: Json = {}): Json => ({
      resourceType: 'MedicationRequest',
      id,
      status: 'active',
      intent: 'order',
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '16076005', display: 'Prescription' }] }],
      medicationReference: { reference: 'Medication/mp9-med-1', display: 'generated display' },
      subject: patient,
      authoredOn: '2019-01-01',
      requester: { reference: 'Practitioner/mp9-doc', display: 'Healthcare professional (person), generated' },
      extension,
      ...more,
    });
    const result = await ingestBundle(
      ctx,
      bundle([
        {
          resourceType: 'Medication',
          id: 'mp9-med-1',
          code: {
            coding: [
              { system: 'urn:oid:2.16.840.1.113883.2.4.4.10', code: '55646', display: 'METFORMINE 500MG TABLET' },
              { system: 'urn:oid:2.16.840.1.113883.2.4.4.1', code: '111', display: 'METFORMINE TABLET 500MG' },
            ],
          },
        },
        { resourceType: 'Practitioner', id: 'mp9-doc', name: [{ given: ['Anna'], family: 'Jansen' }] },
        agreement('mp9-old', [treatment('T-old'), period('2019-01-01', '2019-06-30')], {
          dosageInstruction: [{ text: '2 maal per dag 1 tablet' }],
        }),
        agreement('mp9-now', [
          treatment('T-now'),
          period('2026-10-01'),
          { url: `${EXT}ext-RenderedDosageInstruction`, valueString: 'Vanaf 1 okt 2026, 1 maal per dag 1 tablet' },
        ]),
        agreement('mp9-stopped-first', [treatment('T-stop'), period('2026-09-01')], {
          dosageInstruction: [{ text: '3 maal per dag 1 tablet' }],
        }),
        agreement('mp9-stop', [treatment('T-stop'), period('2026-09-01', '2026-11-20')], {
          modifierExtension: [
            {
              url: `${EXT}ext-StopType`,
              valueCodeableConcept: {
                coding: [{ system: 'http://snomed.info/sct', code: '113371000146109', display: 'definitief gestopt' }],
              },
            },
          ],
        }),
      ]),
    );
    assert.equal(result.status, 200, JSON.stringify(result.body).slice(0, 2000));
    const html = await page(`/dossier/medication?org=${hospital}`);
    const current = tableRows(
      html.slice(html.indexOf('id="medication-current"'), html.indexOf('id="medication-recent"')),
    );
    const recent = tableRows(
      html.slice(html.indexOf('id="medication-recent"'), html.indexOf('id="medication-dispenses"')),
    );
    // One current agreement: the product from the referenced Medication with its codes, the rendered dosage text,
    // the prescriber from the Practitioner.
    assert.equal(current.length, 1, JSON.stringify(current));
    assert.match(current[0]?.[0] ?? '', /^METFORMINE 500MG TABLET PRK 55646 · GPK 111$/);
    assert.equal(current[0]?.[1], 'Vanaf 1 okt 2026, 1 maal per dag 1 tablet');
    assert.equal(current[0]?.[4], 'Anna Jansen');
    // The stopped treatment once, with its stop type; the agreement that ended in 2019 is not current.
    assert.equal(recent.length, 1, JSON.stringify(recent));
    assert.match(recent[0]?.[2] ?? '', /1 september 2026 tot 20 november 2026/);
    assert.equal(recent[0]?.[3], 'definitief gestopt');
    assert.match(pageText(html), /langer dan 6 maanden geleden zijn gestopt \(1\)/);
    assert.doesNotMatch(pageText(html), /generated|Healthcare professional/);
  });

  test('the staff record of the hospital: vital signs with their components, units the Dutch way', async () => {
    const { client } = await loginStaff(k.url, HOSPITAL_DOCTOR);
    const suzanneId = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const res = await client.get(`/staff/patients/${suzanneId}/record`);
    assert.equal(res.status, 200);
    const html = res.text;
    const vitals = html.slice(html.indexOf('id="section-vitals"'), html.indexOf('id="section-findings"'));
    const text = pageText(vitals);
    assert.match(text, /Systolic blood pressure: 125 mmHg; Diastolic blood pressure: 75 mmHg/);
    assert.match(text, /38,6 °C/);
    assert.doesNotMatch(text, /\bCel\b|mm\[Hg\]/);
  });

  test('[MG-1] insurance: only the GP shows it; the hospital says it does not share it', async () => {
    const html = await page('/dossier/payer');
    const rows = tableRows(html);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.[2], '12345678');
    assert.equal(rows[0]?.[4], 'Huisartsenpraktijk De Linde');
    assert.match(rows[0]?.[0] ?? '', /Menzis/);
    assert.match(pageText(html), /Rivierenland Ziekenhuis deelt geen verzekeringsgegevens via dit portaal/);
    assertClean(html);
  });
});

describe('Mijn dossier: every nl-core zib2020 example shown without "onbekend", raw codes or lost values', () => {
  let k: TestKoepel;
  let suzanne: HttpClient;

  before(async () => {
    k = await startKoepel();
    const hospital = await orgId(k.db, DEMO.hospital);
    const o = await k.db
      .selectFrom('organisation')
      .select('record_categories')
      .where('id', '=', hospital)
      .executeTakeFirstOrThrow();
    await k.db
      .updateTable('organisation')
      .set({
        record_categories: [...new Set([...(o.record_categories as RecordCategory[]), ...NEW_CATEGORIES, 'payer'])],
      })
      .where('id', '=', hospital)
      .execute();
    const all = nictizExamples()
      .map((e) => e.file.replace(/\.xml$/, ''))
      .filter((name) => !/^nl-core-(Patient-01|NameInformation|ContactPerson|HealthcareProvider-01$)/.test(name));
    const resources = withoutDuplicates(zibExamples(all, DEMO.suzanne).filter((r) => r.resourceType !== 'Patient'));
    await ingestAs(k, hospital, resources);
    suzanne = new HttpClient(k.url);
    assert.equal((await loginWithDigid(suzanne, DEMO.suzanne)).status, 303);
  });
  after(async () => {
    await k.close();
  });

  test('each new section renders every example: no "onbekend", no raw UCUM code, no empty outcome', async () => {
    for (const section of [...NEW_CATEGORIES, 'payer', 'medication', 'careteam']) {
      const res = await suzanne.get(`/dossier/${section}`);
      assert.equal(res.status, 200, section);
      const text = pageText(res.text);
      assert.doesNotMatch(text, /onbekend/i, section);
      assert.doesNotMatch(text, /\d (Cel|a|mm\[Hg\]|\{[^}]*\}|\[[^\]]*\])( |;|$)/, section);
      assert.doesNotMatch(text, /<div xmlns/, section);
    }
    // A panel without a value of its own (the zib pulse) shows its member's; a device coded without words is named
    // by its note, not by its SNOMED code.
    const vitals = tableRows((await suzanne.get('/dossier/vitals')).text, { firstTableOnly: true });
    assert.equal(vitals.find((r) => r[0] === 'Polsslag')?.[1], '50 /min');
    const aids = pageText((await suzanne.get('/dossier/aids')).text);
    assert.match(aids, /Implantant, Gen 2 Tibia Insert/);
    assert.doesNotMatch(aids, /109228008/);
    // Findings: every observation with a value, components or members shows it (the outcome column, "–" only when
    // the example sent none).
    const findings = tableRows((await suzanne.get('/dossier/findings')).text);
    const empty = findings.filter((r) => r[1] === '–').map((r) => r[0]);
    assert.ok(findings.length > 50, `${findings.length} findings`);
    assert.deepEqual(empty, [], `findings without an outcome: ${empty.join(', ')}`);
  });
});
