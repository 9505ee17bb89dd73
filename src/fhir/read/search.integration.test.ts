// Search on the citizen's FHIR read API against a real Koepel: each parameter and prefix, OR and AND, lenient and
// strict handling, paging and total with filters, _sort, isolation (another citizen, a hidden category, even through
// _include), and the MP9 3.0 "serve medication data" queries on MP9-shaped data sent through the
// provider write API (so that Medication references are Koepel's own, as in production).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { HttpClient, type Response } from '../../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../../test/support/principals.js';
import { loginWithDigid } from '../../identity/digid/test-driver.js';
import { RECORD_CATEGORIES } from '../../record/categories.js';
import type { WriteResult } from '../../record/store.js';
import { loadBaseDefinitions, validateBase } from '../base/validate.js';
import { createApiClient, fhir, tokenFor, type TestApiClient } from '../ingest.testkit.js';
import { newApiClient, push, type ClientPrincipal } from './testkit.js';

type Json = Record<string, unknown>;
interface Bundle {
  resourceType: string;
  type: string;
  total?: number;
  link: { relation: string; url: string }[];
  entry?: { fullUrl: string; resource: Json; search: { mode: string } }[];
}

const bundle = (r: Response): Bundle => {
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return JSON.parse(r.text) as Bundle;
};
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const SCT = 'http://snomed.info/sct';
const PRK = 'urn:oid:2.16.840.1.113883.2.4.4.7';
const HPK = 'urn:oid:2.16.840.1.113883.2.4.4.8';
const MBH = 'urn:oid:2.16.840.1.113883.2.4.3.11.999.77.1.1';
const NICTIZ = 'http://nictiz.nl/fhir/StructureDefinition/';
const LAB = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** An Observation with a marker text, for the non-MP9 searches. */
function observation(marker: string, o: { code: string; date?: string; status?: string; category?: string }): Json {
  return {
    resourceType: 'Observation',
    status: o.status ?? 'final',
    ...(o.category ? { category: [{ coding: [{ system: LAB, code: o.category }] }] } : {}),
    code: { coding: [{ system: 'http://loinc.org', code: o.code, display: marker }] },
    subject: { reference: 'Patient/p-1' },
    ...(o.date ? { effectiveDateTime: o.date } : {}),
    valueString: marker,
  };
}

/**
 * A minimal MP9 3.0-shaped transaction (agreement, dispense request, administration agreement, dispense, use) with
 * the product as its own Medication, for the patient with this BSN. `tag` makes every identifier unique.
 */
function mp9Bundle(bsn: string, tag: string, product: { system: string; code: string; name: string }): Json {
  const u = () => `urn:uuid:${randomUUID()}`;
  const patient = u();
  const med = u();
  const doctor = u();
  const subject = { reference: patient };
  const ids = (kind: string) => [{ system: `urn:oid:2.16.840.1.113883.2.4.3.11.999.${kind}`, value: `${tag}-${kind}` }];
  const treatment = {
    url: `${NICTIZ}ext-PharmaceuticalTreatment.Identifier`,
    valueIdentifier: { system: MBH, value: `MBH-${tag}` },
  };
  const periodOfUse = (start: string, end?: string, weeks?: number) => ({
    url: `${NICTIZ}ext-TimeInterval.Period`,
    valuePeriod: {
      start,
      ...(end ? { end } : {}),
      ...(weeks
        ? {
            extension: [
              {
                url: `${NICTIZ}ext-TimeInterval.Duration`,
                valueDuration: { value: weeks, unit: 'week', system: 'http://unitsofmeasure.org', code: 'wk' },
              },
            ],
          }
        : {}),
    },
  });
  const cat = (code: string) => ({ coding: [{ system: SCT, code }] });
  const medRef = { reference: med, display: product.name };
  const entry = (fullUrl: string, resource: Json) => ({
    fullUrl,
    resource,
    request: { method: 'POST', url: String(resource.resourceType) },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      entry(patient, { resourceType: 'Patient', identifier: [{ system: BSN, value: bsn }] }),
      entry(med, {
        resourceType: 'Medication',
        identifier: ids('med'),
        code: { coding: [{ system: product.system, code: product.code, display: product.name }], text: product.name },
      }),
      entry(doctor, {
        resourceType: 'Practitioner',
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers', value: `UZI-${tag}` }],
        name: [{ text: `Dokter ${tag}` }],
      }),
      entry(u(), {
        resourceType: 'MedicationRequest',
        meta: { profile: [`${NICTIZ}mp-MedicationAgreement`] },
        requester: { reference: doctor },
        identifier: ids('ma'),
        extension: [treatment, periodOfUse('2026-03-01T00:00:00+01:00', undefined, 8)],
        status: 'active',
        intent: 'order',
        category: [cat('33633005')],
        medicationReference: medRef,
        subject,
        authoredOn: '2026-02-27T10:00:00+01:00',
        dosageInstruction: [{ text: '1 maal daags 1 tablet' }],
      }),
      entry(u(), {
        resourceType: 'MedicationRequest',
        meta: { profile: [`${NICTIZ}mp-DispenseRequest`] },
        identifier: ids('vv'),
        extension: [treatment],
        status: 'active',
        intent: 'order',
        category: [cat('52711000146108')],
        medicationReference: medRef,
        subject,
        authoredOn: '2026-02-27T10:05:00+01:00',
      }),
      entry(u(), {
        resourceType: 'MedicationDispense',
        meta: { profile: [`${NICTIZ}mp-AdministrationAgreement`] },
        identifier: ids('ta'),
        extension: [treatment, periodOfUse('2026-03-02T00:00:00+01:00', '2026-04-26T23:59:59+02:00')],
        status: 'in-progress',
        category: cat('422037009'),
        medicationReference: medRef,
        subject,
        dosageInstruction: [{ text: '1 maal daags 1 tablet' }],
      }),
      entry(u(), {
        resourceType: 'MedicationDispense',
        meta: { profile: [`${NICTIZ}mp-MedicationDispense`] },
        identifier: ids('mve'),
        extension: [treatment],
        status: 'completed',
        category: cat('373784005'),
        medicationReference: medRef,
        subject,
        whenHandedOver: '2026-03-02T11:00:00+01:00',
        quantity: { value: 56, unit: 'stuk' },
      }),
      entry(u(), {
        resourceType: 'MedicationStatement',
        meta: { profile: [`${NICTIZ}mp-MedicationUse2`] },
        identifier: ids('mgb'),
        extension: [treatment],
        status: 'active',
        category: cat('422979000'),
        medicationReference: medRef,
        subject,
        effectivePeriod: { start: '2026-03-03T00:00:00+01:00' },
        dateAsserted: '2026-03-10T09:00:00+01:00',
      }),
    ],
  };
}

describe('citizen FHIR search', () => {
  let k: TestKoepel;
  let base: string;
  let suzanne: string;
  let pieter: string;
  let gp: string;
  let hospital: string;
  let gpClient: ClientPrincipal;
  let citizen: HttpClient;
  let obs: WriteResult[];
  const writers = new Map<string, TestApiClient & { token: string }>();

  const get = (path: string, headers?: Record<string, string>) => citizen.get(path, headers);
  const ids = (b: Bundle, mode = 'match') =>
    (b.entry ?? []).filter((e) => e.search.mode === mode).map((e) => String(e.resource.id));
  const obsIds = (...n: number[]) => n.map((i) => obs[i]?.id ?? '');

  async function send(org: string, bundleJson: Json): Promise<void> {
    const w = writers.get(org);
    assert.ok(w);
    const r = await fhir(k.url, w.token, 'POST', '/fhir', bundleJson);
    assert.equal(r.status, 200, r.text.slice(0, 800));
  }

  before(async () => {
    k = await startKoepel();
    base = `${k.url}/fhir`;
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    const pharmacy = await orgId(k.db, DEMO.pharmacy);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    await k.db
      .updateTable('organisation')
      .set({ record_categories: [...RECORD_CATEGORIES] })
      .execute();
    // The demo seed's own record of these citizens is not under test: start from an empty record.
    for (const table of ['record_attachment', 'record_event', 'record_resource'] as const) {
      await k.db.deleteFrom(table).where('citizen_id', 'in', [suzanne, pieter]).execute();
    }
    gpClient = await newApiClient(k.db, gp);
    // Observations 0..5 of Suzanne (dates, codes, statuses, categories), 6 of Pieter with the same codes.
    obs = await push(
      k.db,
      k.koepel.keys,
      gpClient,
      [
        observation('S0', { code: '718-7', date: '2026-09-15T08:30:00+02:00', category: 'laboratory' }),
        observation('S1', { code: '718-7', date: '2026-09-01', status: 'amended', category: 'laboratory' }),
        observation('S2', { code: '2345-7', date: '2026-08-31T23:30:00+02:00', category: 'laboratory' }),
        observation('S3', { code: '2345-7', date: '2025-01-10', status: 'preliminary' }),
        observation('S4', { code: '8480-6', date: '2026-10-01T12:00:00Z', category: 'vital-signs' }),
        observation('S5', { code: '718-7' }),
        observation('P6', { code: '718-7', date: '2026-09-15T08:30:00+02:00', category: 'laboratory' }),
      ].map((resource, i) => ({
        citizenId: i === 6 ? pieter : suzanne,
        resourceType: 'Observation' as const,
        sourceKey: `urn:test:search|obs-${i}`,
        resource: resource as never,
      })),
    );
    for (const [name, id] of [
      ['gp', gp],
      ['pharmacy', pharmacy],
      ['hospital', hospital],
    ] as const) {
      const c = await createApiClient(k.db, id, `system ${name}`);
      writers.set(name, { ...c, token: await tokenFor(k.url, c) });
    }
    await send('gp', mp9Bundle(DEMO.suzanne, 'ha-s', { system: PRK, code: '12345', name: 'METOPROLOL 50MG' }));
    await send('pharmacy', mp9Bundle(DEMO.suzanne, 'ap-s', { system: HPK, code: '67890', name: 'OMEPRAZOL 20MG' }));
    await send('hospital', mp9Bundle(DEMO.suzanne, 'zh-s', { system: PRK, code: '55555', name: 'ZIEKENHUIS MIDDEL' }));
    await send('gp', mp9Bundle(DEMO.pieter, 'ha-p', { system: PRK, code: '12345', name: 'METOPROLOL 50MG' }));
    citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);
  });
  after(async () => {
    await k.close();
  });

  test('token parameters: code, system|code, |code, system|, :not; comma is OR, a repeat is AND', async () => {
    const q = async (s: string) => ids(bundle(await get(`/fhir/Observation?${s}`))).sort();
    const sorted = (...n: number[]) => obsIds(...n).sort();
    assert.deepEqual(await q('code=718-7'), sorted(0, 1, 5));
    assert.deepEqual(await q('code=http://loinc.org|718-7'), sorted(0, 1, 5));
    assert.deepEqual(await q('code=http://snomed.info/sct|718-7'), []);
    assert.deepEqual(await q('code=|718-7'), []);
    assert.deepEqual(await q('code=http://loinc.org|'), sorted(0, 1, 2, 3, 4, 5));
    assert.deepEqual(await q('code=718-7,2345-7'), sorted(0, 1, 2, 3, 5));
    assert.deepEqual(await q('code=718-7&code=2345-7'), []);
    assert.deepEqual(await q('code=718-7,2345-7&status=final'), sorted(0, 2, 5));
    assert.deepEqual(await q('status=amended,preliminary'), sorted(1, 3));
    assert.deepEqual(await q('status:not=final'), sorted(1, 3));
    assert.deepEqual(await q(`category=${encodeURIComponent(`${LAB}|laboratory`)}`), sorted(0, 1, 2));
    assert.deepEqual(await q('category=vital-signs'), sorted(4));
    assert.deepEqual(await q('category=laboratory&code=2345-7'), sorted(2));
  });

  test('date with each prefix, in Dutch time without a zone; resources without a date never match', async () => {
    const q = async (s: string) => ids(bundle(await get(`/fhir/Observation?${s}`))).sort();
    const sorted = (...n: number[]) => obsIds(...n).sort();
    // S2 is 31 August 23:30 in the Netherlands (21:30 UTC): on the Dutch 31st, not the 1st.
    assert.deepEqual(await q('date=2026-08-31'), sorted(2));
    assert.deepEqual(await q('date=eq2026-09'), sorted(0, 1));
    assert.deepEqual(await q('date=2026'), sorted(0, 1, 2, 4));
    assert.deepEqual(await q('date=ne2026'), sorted(3));
    assert.deepEqual(await q('date=lt2026-09-01'), sorted(2, 3));
    assert.deepEqual(await q('date=le2026-09-01'), sorted(1, 2, 3));
    assert.deepEqual(await q('date=gt2026-09-15'), sorted(4));
    assert.deepEqual(await q('date=ge2026-09-15'), sorted(0, 4));
    assert.deepEqual(await q('date=sa2026-09-01'), sorted(0, 4));
    assert.deepEqual(await q('date=eb2026-09-01'), sorted(2, 3));
    assert.deepEqual(await q('date=ap2025-01-12'), sorted(3));
    // With a time and zone; '+' percent-encoded or, as clients often send it, not (it arrives as a space).
    assert.deepEqual(await q(`date=ge${encodeURIComponent('2026-09-15T08:00:00+02:00')}`), sorted(0, 4));
    assert.deepEqual(await q('date=ge2026-09-15T08:31:00+02:00'), sorted(4));
    assert.deepEqual(await q('date=2025-01-01,2026-09-01'), sorted(1));
    assert.deepEqual(await q('date=ge2026-09-01&date=lt2026-10-01'), sorted(0, 1));
    assert.deepEqual(await q('date=ge2026-09-01&date=lt2026-10-01&code=718-7&status=final'), sorted(0));
  });

  test('_lastUpdated: when Koepel stored it', async () => {
    const all = (await k.db.selectFrom('record_resource').select(['id', 'updated_at']).execute()).filter((r) =>
      obsIds(0, 1, 2, 3, 4, 5).includes(r.id),
    );
    const latest = new Date(Math.max(...all.map((r) => r.updated_at.getTime())));
    const q = async (s: string) => bundle(await get(`/fhir/Observation?${s}`)).total;
    assert.equal(await q(`_lastUpdated=gt${encodeURIComponent(latest.toISOString())}`), 0);
    assert.equal(await q(`_lastUpdated=le${encodeURIComponent(latest.toISOString())}&code=718-7`), 3);
    assert.equal(await q(`_lastUpdated=ge2020-01-01&_lastUpdated=lt2999-01-01`), 6);
    assert.equal(await q(`_lastUpdated=lt2020-01-01`), 0);
  });

  test('paging and total with a filter: exact, and the links carry the filter and nothing unknown', async () => {
    const first = bundle(await get('/fhir/Observation?code=718-7,2345-7&_count=2&foo=bar&_sort=-date'));
    assert.equal(first.total, 5);
    const self = first.link.find((l) => l.relation === 'self')?.url ?? '';
    assert.doesNotMatch(self, /foo|bar/, 'lenient: the self link shows only the parameters used');
    assert.match(self, /code=718-7%2C2345-7/);
    assert.match(self, /_sort=-date/);
    const seen = [...ids(first)];
    let next = first.link.find((l) => l.relation === 'next')?.url;
    while (next) {
      const page = bundle(await get(next.replace(k.url, '')));
      assert.equal(page.total, 5);
      seen.push(...ids(page));
      next = page.link.find((l) => l.relation === 'next')?.url;
    }
    // Newest first: S0 (15 Sep), S1 (1 Sep), S2 (31 Aug), S3 (2025), S5 (no date) last.
    assert.deepEqual(seen, obsIds(0, 1, 2, 3, 5));
    const xml = await get('/fhir/Observation?code=718-7&_format=xml');
    assert.equal(xml.status, 200);
    assert.match(xml.headers.get('content-type') ?? '', /^application\/fhir\+xml/);
    assert.match(xml.text, /<Bundle[^>]*>[\s\S]*<total value="3"\/>/);
    const countOnly = bundle(await get('/fhir/Observation?code=718-7&_count=0'));
    assert.equal(countOnly.total, 3);
    assert.equal(countOnly.entry?.length ?? 0, 0);
    const past = bundle(await get('/fhir/Observation?code=718-7&_offset=10'));
    assert.equal(past.total, 3);
    assert.equal(past.entry?.length ?? 0, 0);
  });

  test('_sort: date, -date, _lastUpdated; undated last', async () => {
    const order = async (s: string) => ids(bundle(await get(`/fhir/Observation?code=718-7,2345-7&_sort=${s}`)));
    assert.deepEqual(await order('date'), obsIds(3, 2, 1, 0, 5));
    assert.deepEqual(await order('-date'), obsIds(0, 1, 2, 3, 5));
    // S3 changes (a new version): it becomes the last one stored.
    await push(k.db, k.koepel.keys, gpClient, [
      {
        citizenId: suzanne,
        resourceType: 'Observation',
        sourceKey: 'urn:test:search|obs-3',
        resource: observation('S3 changed', { code: '2345-7', date: '2025-01-10', status: 'preliminary' }) as never,
      },
    ]);
    assert.equal((await order('-_lastUpdated'))[0], obsIds(3)[0]);
    assert.equal((await order('_lastUpdated'))[4], obsIds(3)[0]);
    assert.equal(
      ids(bundle(await get('/fhir/Observation?_lastUpdated=gt2026-01-01&_sort=-_lastUpdated')))[0],
      obsIds(3)[0],
    );
    // The default order without filter is the database's own and is the same as _sort=-date.
    const plain = ids(bundle(await get('/fhir/Observation?_sort=-date')));
    const dflt = ids(bundle(await get('/fhir/Observation')));
    assert.deepEqual(plain, dflt);
  });

  test('lenient (default) ignores unknown parameters; strict refuses them with 400, never echoing a value', async () => {
    for (const path of [
      '/fhir/Observation?foo=secret-999993653',
      '/fhir/Observation?code:text=secret-999993653',
      '/fhir/Observation?_sort=secret-999993653',
      '/fhir/Observation?_include=Observation:performer',
      '/fhir/Observation?_revinclude=Provenance:target',
      '/fhir/Observation?_summary=true',
      '/fhir/Patient?name=secret-999993653',
      '/fhir/Device?date=2026',
    ]) {
      const lenient = await get(path);
      assert.equal(lenient.status, 200, path);
      const explicit = await get(path, { prefer: 'handling=lenient' });
      assert.equal(explicit.status, 200, path);
      const strict = await get(path, { prefer: 'handling=strict' });
      assert.equal(strict.status, 400, path);
      const outcome = JSON.parse(strict.text) as { resourceType: string; issue: { code: string }[] };
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.equal(outcome.issue[0]?.code, 'not-supported');
      assert.doesNotMatch(strict.text, /secret|999993653|Provenance|performer/);
    }
    // Strict with only supported parameters answers as usual.
    const ok = await get('/fhir/Observation?code=718-7&date=ge2026-01-01', { prefer: 'handling=strict' });
    assert.equal(bundle(ok).total, 2);
    // A bad value of a supported parameter is an error in either mode, without the value.
    for (const prefer of ['handling=lenient', 'handling=strict']) {
      for (const path of [
        '/fhir/Observation?date=xx999993653',
        '/fhir/Observation?date=2026-19-01',
        '/fhir/Observation?code=|',
      ]) {
        const r = await get(path, { prefer });
        assert.equal(r.status, 400, path);
        assert.doesNotMatch(r.text, /999993653|2026-19/);
      }
    }
  });

  test("another citizen's data never appears, whatever the filter", async () => {
    const all = bundle(await get('/fhir/Observation?code=718-7&date=2026-09-15&_count=500'));
    assert.deepEqual(ids(all), obsIds(0));
    assert.doesNotMatch(JSON.stringify(all), /P6/);
    assert.equal(bundle(await get(`/fhir/Observation?patient=Patient/${pieter}&code=718-7`)).total, 0);
    assert.equal(bundle(await get(`/fhir/Observation?_id=${obsIds(6)[0] ?? ''}&code=718-7`)).total, 0);
    for (const type of ['MedicationRequest', 'MedicationDispense', 'MedicationStatement']) {
      const b = bundle(await get(`/fhir/${type}?_include=${type}:medication&_count=500`));
      assert.doesNotMatch(JSON.stringify(b), /ha-p|MBH-ha-p/, type);
    }
  });

  describe('MP9 3.0 serve medication data', () => {
    const mp9 = async (path: string) => bundle(await get(path));
    const matchesOf = (b: Bundle) => (b.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => e.resource);
    const includesOf = (b: Bundle) => (b.entry ?? []).filter((e) => e.search.mode === 'include').map((e) => e.resource);
    const tags = (b: Bundle) =>
      matchesOf(b)
        .map((r) => String((r.identifier as { value: string }[])[0]?.value))
        .sort();

    test('medication agreements with their Medication included (search.mode match/include)', async () => {
      const b = await mp9(
        `/fhir/MedicationRequest?category=${encodeURIComponent(`${SCT}|33633005`)}&_include=MedicationRequest:medication`,
      );
      assert.equal(b.type, 'searchset');
      assert.deepEqual(tags(b), ['ap-s-ma', 'ha-s-ma', 'zh-s-ma']);
      assert.equal(b.total, 3);
      const meds = includesOf(b);
      assert.equal(meds.length, 3);
      for (const m of meds) assert.equal(m.resourceType, 'Medication');
      // Each match names its Medication by Koepel id, and that Medication is in the Bundle.
      for (const r of matchesOf(b)) {
        const ref = (r.medicationReference as { reference?: string }).reference ?? '';
        assert.match(ref, /^Medication\/[0-9a-f-]{36}$/);
        assert.ok(meds.some((m) => `Medication/${String(m.id)}` === ref));
      }
      const entry = b.entry?.find((e) => e.search.mode === 'include');
      assert.equal(entry?.fullUrl, `${base}/Medication/${String(entry?.resource.id)}`);
    });

    test('administration agreements, dispenses, medication use and dispense requests by category', async () => {
      const q = async (type: string, code: string) =>
        tags(await mp9(`/fhir/${type}?category=${encodeURIComponent(`${SCT}|${code}`)}&_include=${type}:medication`));
      assert.deepEqual(await q('MedicationDispense', '422037009'), ['ap-s-ta', 'ha-s-ta', 'zh-s-ta']);
      assert.deepEqual(await q('MedicationDispense', '373784005'), ['ap-s-mve', 'ha-s-mve', 'zh-s-mve']);
      assert.deepEqual(await q('MedicationStatement', '422979000'), ['ap-s-mgb', 'ha-s-mgb', 'zh-s-mgb']);
      assert.deepEqual(await q('MedicationRequest', '52711000146108'), ['ap-s-vv', 'ha-s-vv', 'zh-s-vv']);
      // The MedMij form: subject:Patient, and _include of the patient.
      const withPatient = await mp9(
        `/fhir/MedicationStatement?subject:Patient=Patient/${suzanne}&_include=MedicationStatement:patient&_include=MedicationStatement:medication`,
      );
      assert.equal(withPatient.total, 3);
      assert.deepEqual(
        includesOf(withPatient)
          .map((r) => r.resourceType)
          .sort(),
        ['Medication', 'Medication', 'Medication', 'Patient'],
      );
    });

    test('period-of-use (with duration), pharmaceutical-treatment-identifier, medication and medication.code', async () => {
      const q = async (s: string) => tags(await mp9(s));
      const ma = `category=${encodeURIComponent(`${SCT}|33633005`)}`;
      // Agreement from 1 March for 8 weeks: in use on 1 April, over by 1 June.
      assert.deepEqual(await q(`/fhir/MedicationRequest?${ma}&period-of-use=ge2026-04-01`), [
        'ap-s-ma',
        'ha-s-ma',
        'zh-s-ma',
      ]);
      assert.deepEqual(await q(`/fhir/MedicationRequest?${ma}&period-of-use=ge2026-06-01`), []);
      assert.deepEqual(await q(`/fhir/MedicationDispense?period-of-use=ge2026-04-26&period-of-use=le2026-04-26`), [
        'ap-s-ta',
        'ha-s-ta',
        'zh-s-ta',
      ]);
      assert.deepEqual(await q(`/fhir/MedicationDispense?period-of-use=ge2026-04-27`), []);
      assert.deepEqual(await q(`/fhir/MedicationStatement?period-of-use=ge2030-01-01`), [
        'ap-s-mgb',
        'ha-s-mgb',
        'zh-s-mgb',
      ]);
      const mbh = encodeURIComponent(`${MBH}|MBH-ha-s`);
      assert.deepEqual(await q(`/fhir/MedicationDispense?pharmaceutical-treatment-identifier=${mbh}`), [
        'ha-s-mve',
        'ha-s-ta',
      ]);
      assert.deepEqual(await q(`/fhir/MedicationRequest?pharmaceutical-treatment-identifier=MBH-ap-s`), [
        'ap-s-ma',
        'ap-s-vv',
      ]);
      assert.deepEqual(await q(`/fhir/MedicationStatement?medication.code=${encodeURIComponent(`${HPK}|67890`)}`), [
        'ap-s-mgb',
      ]);
      assert.deepEqual(await q(`/fhir/MedicationStatement?medication.code=12345,67890`), ['ap-s-mgb', 'ha-s-mgb']);
      assert.deepEqual(await q(`/fhir/MedicationStatement?identifier=ha-s-mgb`), ['ha-s-mgb']);
      const agreements = await mp9(`/fhir/MedicationRequest?${ma}&_include=MedicationRequest:medication`);
      const gpMed = includesOf(agreements).find((m) => JSON.stringify(m.code).includes('12345'));
      assert.ok(gpMed);
      assert.deepEqual(await q(`/fhir/MedicationRequest?medication=Medication/${String(gpMed.id)}`), [
        'ha-s-ma',
        'ha-s-vv',
      ]);
      assert.deepEqual(await q(`/fhir/MedicationRequest?medication=${String(gpMed.id)}&${ma}`), ['ha-s-ma']);
    });

    test('reference parameters and _include of what they point at: the prescriber (MP9 requester)', async () => {
      const ma = `category=${encodeURIComponent(`${SCT}|33633005`)}`;
      const b = await mp9(
        `/fhir/MedicationRequest?${ma}&_include=MedicationRequest:requester&_include=MedicationRequest:medication`,
      );
      const doctors = includesOf(b).filter((r) => r.resourceType === 'Practitioner');
      assert.deepEqual(doctors.map((d) => (d.name as { text: string }[])[0]?.text).sort(), [
        'Dokter ap-s',
        'Dokter ha-s',
        'Dokter zh-s',
      ]);
      assert.equal(includesOf(b).filter((r) => r.resourceType === 'Medication').length, 3);
      const gpDoctor = doctors.find((d) => JSON.stringify(d).includes('ha-s'));
      assert.ok(gpDoctor);
      const q = async (s: string) => tags(await mp9(s));
      assert.deepEqual(await q(`/fhir/MedicationRequest?requester=Practitioner/${String(gpDoctor.id)}`), ['ha-s-ma']);
      assert.deepEqual(await q(`/fhir/MedicationRequest?requester:Practitioner=${String(gpDoctor.id)}`), ['ha-s-ma']);
      assert.deepEqual(await q(`/fhir/MedicationRequest?requester=Practitioner/${randomUUID()}`), []);
      const bad = await get('/fhir/MedicationRequest?requester=Claim/999993653');
      assert.equal(bad.status, 400);
      assert.doesNotMatch(bad.text, /999993653/);
      // With nothing of the GP shown, its practitioner is neither named, nor included, nor found by. (A prescriber is
      // shown with the agreement the citizen may see, also where the care team is not: migration 0022.)
      await k.db.updateTable('organisation').set({ record_categories: [] }).where('id', '=', gp).execute();
      try {
        const hidden = await mp9(`/fhir/MedicationRequest?${ma}&_include=MedicationRequest:requester`);
        assert.doesNotMatch(JSON.stringify(hidden), new RegExp(`${String(gpDoctor.id)}|Dokter ha-s`));
        assert.deepEqual(await q(`/fhir/MedicationRequest?requester=Practitioner/${String(gpDoctor.id)}`), []);
      } finally {
        await k.db
          .updateTable('organisation')
          .set({ record_categories: [...RECORD_CATEGORIES] })
          .where('id', '=', gp)
          .execute();
      }
    });

    test('an organisation whose medication is hidden from the citizen stays hidden, even via _include', async () => {
      await k.db
        .updateTable('organisation')
        .set({ record_categories: RECORD_CATEGORIES.filter((c) => c !== 'medication') })
        .where('id', '=', hospital)
        .execute();
      try {
        for (const type of ['MedicationRequest', 'MedicationDispense', 'MedicationStatement']) {
          const b = await mp9(`/fhir/${type}?_include=${type}:medication&_count=500`);
          const text = JSON.stringify(b);
          assert.doesNotMatch(text, /zh-s|ZIEKENHUIS|55555/, type);
          assert.equal(includesOf(b).length, matchesOf(b).length > 0 ? 2 : 0, type);
        }
        assert.deepEqual(tags(await mp9('/fhir/MedicationStatement?medication.code=55555')), []);
        // A resource of one organisation that names another organisation's Medication does not bring it in: the
        // hospital's product (its careteam directory is still visible) is not shown through the GP's resource.
        const hospitalMed = await k.db
          .selectFrom('directory_resource')
          .select('id')
          .where('organisation_id', '=', hospital)
          .where('resource_type', '=', 'Medication')
          .executeTakeFirstOrThrow();
        const [crossed] = await push(k.db, k.koepel.keys, gpClient, [
          {
            citizenId: suzanne,
            resourceType: 'MedicationStatement',
            sourceKey: 'urn:test:search|crossed',
            resource: {
              resourceType: 'MedicationStatement',
              identifier: [{ system: 'urn:test', value: 'crossed' }],
              status: 'active',
              medicationReference: { reference: `Medication/${hospitalMed.id}` },
              subject: { reference: 'Patient/p-1' },
            },
          },
        ]);
        const b = await mp9(
          `/fhir/MedicationStatement?_id=${crossed?.id ?? ''}&_include=MedicationStatement:medication`,
        );
        assert.equal(b.total, 1);
        assert.equal(includesOf(b).length, 0);
        assert.doesNotMatch(JSON.stringify(b), new RegExp(hospitalMed.id));
      } finally {
        await k.db
          .updateTable('organisation')
          .set({ record_categories: [...RECORD_CATEGORIES] })
          .where('id', '=', hospital)
          .execute();
      }
    });

    test('the CapabilityStatement lists the MP9 parameters, includes and profiles', async () => {
      const cs = JSON.parse((await new HttpClient(k.url).get('/fhir/metadata')).text) as {
        rest: {
          resource: {
            type: string;
            searchInclude?: string[];
            searchParam?: { name: string }[];
            supportedProfile?: string[];
          }[];
        }[];
      };
      const md = cs.rest[0]?.resource.find((r) => r.type === 'MedicationDispense');
      assert.ok(md?.searchInclude?.includes('MedicationDispense:medication'));
      for (const p of [
        'category',
        'period-of-use',
        'pharmaceutical-treatment-identifier',
        'medication',
        'whenhandedover',
      ])
        assert.ok(
          md?.searchParam?.some((x) => x.name === p),
          p,
        );
      assert.ok(md?.supportedProfile?.includes(`${NICTIZ}mp-AdministrationAgreement`));
    });
  });

  describe('MP9 3.0 queries on the hand-made bundles (test/fixtures/mp9-handmade)', () => {
    let fatima: string;
    let reader: HttpClient;
    const mp9 = async (path: string) => bundle(await reader.get(path));
    const matches = (b: Bundle) => (b.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => e.resource);
    const included = (b: Bundle) => (b.entry ?? []).filter((e) => e.search.mode === 'include').map((e) => e.resource);
    const tags = (b: Bundle) =>
      matches(b)
        .map((r) => String((r.identifier as { value: string }[] | undefined)?.[0]?.value))
        .sort();
    const cat = (code: string) => `category=${encodeURIComponent(`${SCT}|${code}`)}`;

    before(async () => {
      fatima = await citizenId(k.db, k.koepel.keys, DEMO.fatima);
      for (const table of ['record_attachment', 'record_event', 'record_resource'] as const) {
        await k.db.deleteFrom(table).where('citizen_id', '=', fatima).execute();
      }
      // The bundles' fictitious patient (test BSN 999911120) becomes Fatima, a patient of the GP.
      for (const f of ['mp9-current-metoprolol.json', 'mp9-stopped-magistral.json', 'mp9-past-amoxicillin.json']) {
        const text = readFileSync(new URL(`../../../test/fixtures/mp9-handmade/${f}`, import.meta.url), 'utf8');
        await send('gp', JSON.parse(text.replaceAll('999911120', DEMO.fatima)) as Json);
      }
      reader = new HttpClient(k.url);
      assert.equal((await loginWithDigid(reader, DEMO.fatima)).status, 303);
    });

    test('each building block by its category, with its Medication included', async () => {
      const agreements = await mp9(`/fhir/MedicationRequest?${cat('33633005')}&_include=MedicationRequest:medication`);
      assert.deepEqual(tags(agreements), ['MA-AMOX-2019', 'MA-HC-1', 'MA-HC-2', 'MA-METO-1']);
      const meds = included(agreements);
      assert.equal(meds.length, 3, 'metoprolol (PRK), the magistral preparation, amoxicillin');
      for (const r of matches(agreements)) {
        const ref = (r.medicationReference as { reference?: string }).reference;
        assert.ok(
          meds.some((m) => `Medication/${String(m.id)}` === ref),
          'each agreement’s product is in the Bundle',
        );
      }
      assert.ok(
        meds.some((m) => JSON.stringify(m.code).includes('"OTH"')),
        'the magistral preparation, as sent',
      );
      // The searchset Bundle, matches and includes, is valid FHIR R4.
      loadBaseDefinitions(['Bundle', 'MedicationRequest', 'Medication', 'Patient']);
      assert.deepEqual(validateBase(agreements as unknown as Json & { resourceType: string }), []);
      assert.deepEqual(tags(await mp9(`/fhir/MedicationRequest?${cat('52711000146108')}`)), ['VV-METO-1']);
      const ta = await mp9(`/fhir/MedicationDispense?${cat('422037009')}&_include=MedicationDispense:medication`);
      assert.deepEqual(tags(ta), ['TA-METO-1']);
      assert.match(JSON.stringify(included(ta)), /2658909/, 'the administration agreement’s HPK');
      assert.deepEqual(tags(await mp9(`/fhir/MedicationDispense?${cat('373784005')}`)), [
        'MVE-AMOX-2019',
        'MVE-METO-1',
      ]);
      assert.deepEqual(tags(await mp9(`/fhir/MedicationStatement?${cat('422979000')}`)), ['MGB-HC-1', 'MGB-METO-1']);
      const medmij = await mp9(
        `/fhir/MedicationStatement?subject:Patient=Patient/${fatima}&_include=MedicationStatement:patient`,
      );
      assert.equal(included(medmij)[0]?.id, fatima);
    });

    test('current medication by period of use, a treatment by its MBH, a product by its code, and status', async () => {
      assert.deepEqual(tags(await mp9(`/fhir/MedicationRequest?${cat('33633005')}&period-of-use=ge2026-12-02`)), [
        'MA-HC-1',
        'MA-METO-1',
      ]);
      assert.deepEqual(tags(await mp9('/fhir/MedicationStatement?period-of-use=ge2026-12-02')), ['MGB-METO-1']);
      assert.deepEqual(tags(await mp9('/fhir/MedicationRequest?period-of-use=lt2020-01-01')), ['MA-AMOX-2019']);
      assert.deepEqual(tags(await mp9('/fhir/MedicationRequest?pharmaceutical-treatment-identifier=MBH-HC-1')), [
        'MA-HC-1',
        'MA-HC-2',
      ]);
      const prk = encodeURIComponent('urn:oid:2.16.840.1.113883.2.4.4.10|67903');
      assert.deepEqual(tags(await mp9(`/fhir/MedicationRequest?medication.code=${prk}`)), ['MA-METO-1', 'VV-METO-1']);
      assert.deepEqual(tags(await mp9('/fhir/MedicationRequest?status=stopped')), ['MA-HC-2']);
      const withPrescriber = await mp9(
        `/fhir/MedicationRequest?${cat('33633005')}&_include=MedicationRequest:requester`,
      );
      assert.ok(included(withPrescriber).length > 0);
      for (const r of included(withPrescriber)) assert.match(String(r.resourceType), /^Practitioner(Role)?$/);
    });
  });
});
