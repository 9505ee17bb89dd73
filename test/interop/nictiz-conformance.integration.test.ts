// Issue 11's proof: every published nl-core zib2020 example instance (Nictiz, CC0; test/fixtures/nictiz-zib2020)
// goes into Koepel the way a provider system sends it, and comes back out over the citizen's FHIR API without loss.
//
// The examples are about Nictiz's example patients. Every reference to a Patient is re-pointed to the first example
// Patient, which is given the BSN of a test citizen with a care relationship at the GP; the seven examples without a
// subject get one. The other seven Patient examples each go to a citizen of their own (Koepel keeps one Patient per
// organisation and citizen) and are compared through the provider's read-back, since a citizen's own Patient comes
// from the BRP. They go in as one batch Bundle of `PUT {type}/{id}` entries, so references
// between examples resolve as they would from one system. Each accepted one is then read back by the citizen and
// compared field by field with what was sent: the only differences allowed are Koepel's own (id, meta, the
// organisation extension, the patient reference, and references named in Koepel's id space).
//
// The counts per type are written to the test output (and into docs/interop.md by hand); the assertions pin them, so
// that a change that makes Koepel refuse or lose more fails here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { HttpClient } from '../support/http-client.js';
import { nictizExamples } from '../support/nictiz.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';
import { newCitizen } from '../security/record-kit.js';
import { createApiClient, fhir, tokenFor } from '../../src/fhir/ingest.testkit.js';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { RECORD_CATEGORIES } from '../../src/record/index.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
/** The field naming the patient, for the types of which some examples have none (Koepel stores a record resource
 * only for a citizen): GlasgowComaScale, Refraction, the SOAP report and its lines, a care team, an encounter and a
 * measurement device. */
const SUBJECT_FIELD: Record<string, string> = {
  Observation: 'subject',
  CareTeam: 'subject',
  Encounter: 'subject',
  Composition: 'subject',
  Device: 'patient',
};

/** Every `reference` string inside a value. */
function references(v: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(v)) for (const x of v) references(x, out);
  else if (isObject(v)) {
    if (typeof v.reference === 'string') out.push(v);
    for (const x of Object.values(v)) references(x, out);
  }
  return out;
}

interface Sent {
  file: string;
  type: string;
  id: string;
  resource: Json;
}

/** The examples as a provider system would send them: the first Patient for `bsn`, the others for `others`. */
function prepareExamples(bsn: string, others: string[]): Sent[] {
  const examples = nictizExamples();
  const patientIds = examples
    .filter((e) => e.resource.resourceType === 'Patient')
    .map((e) => String(e.resource.id))
    .sort();
  const [firstPatient] = patientIds;
  return examples.map(({ file, resource }) => {
    const type = String(resource.resourceType);
    if (type === 'Patient') {
      // One BSN: replace the example's own, or add it where the example has none.
      const own = patientIds.indexOf(String(resource.id));
      const ids = (Array.isArray(resource.identifier) ? resource.identifier : []) as Json[];
      resource.identifier = [
        ...ids.filter((x) => x.system !== BSN),
        { system: BSN, value: own === 0 ? bsn : others[own - 1] },
      ];
    }
    const field = SUBJECT_FIELD[type];
    if (field && resource[field] === undefined) resource[field] = { reference: `Patient/${firstPatient}` };
    for (const ref of references(resource)) {
      if (/^Patient\//.test(String(ref.reference))) ref.reference = `Patient/${firstPatient}`;
    }
    return { file, type, id: String(resource.id), resource };
  });
}

const valueSets = new WeakMap<Map<string, string>, Set<string>>();
/** The Koepel-side references of a reference map (what the citizen's API writes). */
function refMapValues(refMap: Map<string, string>): Set<string> {
  let set = valueSets.get(refMap);
  if (!set) {
    set = new Set(refMap.values());
    valueSets.set(refMap, set);
  }
  return set;
}

/** What the citizen's API may add or change, removed from both sides before comparing. */
function normalise(resource: Json, refMap: Map<string, string>, citizen: string): Json {
  const copy = structuredClone(resource);
  delete copy.id;
  delete copy.meta;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObject(v)) return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'extension' && Array.isArray(x)) {
        const kept = x.filter(
          (e) => !(isObject(e) && String(e.url).endsWith('/StructureDefinition/source-organization')),
        );
        if (kept.length > 0) out[k] = walk(kept);
      } else if (k === 'reference' && typeof x === 'string') {
        // A reference names the same thing in Koepel's id space; the patient is the citizen. One to a resource that
        // was never sent (or `#contained`) cannot be resolved: the citizen gets what it says (type, display), not it.
        if (x.startsWith('Patient/')) out[k] = `Patient/${citizen}`;
        else if (x.startsWith('#')) out[k] = x;
        else {
          const mapped = refMap.get(x) ?? (refMapValues(refMap).has(x) ? x : undefined);
          if (mapped) out[k] = mapped;
        }
      } else out[k] = walk(x);
    }
    return out;
  };
  return walk(copy) as Json;
}

/** The paths where two JSON values differ. */
function differences(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  if (out.length > 20) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path} (length ${a.length} → ${b.length})`);
    a.forEach((x, i) => differences(x, b[i], `${path}[${i}]`, out));
  } else if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      differences(a[k], b[k], path ? `${path}.${k}` : k, out);
  } else if (a !== b) out.push(path || '(root)');
  return out;
}

describe('nl-core zib2020 examples: in through the provider API, out through the citizen API, nothing lost', () => {
  let k: TestKoepel;
  let token: string;
  let citizen: HttpClient;
  let suzanne: string;
  let gp: string;
  const sent: Sent[] = [];
  /** Per example: the batch response status, and where it was stored. */
  const outcome = new Map<string, { status: string; location: string | null; problem: string | null }>();

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    await k.db
      .updateTable('organisation')
      .set({ record_categories: [...RECORD_CATEGORIES] })
      .where('id', '=', gp)
      .execute();
    token = await tokenFor(k.url, await createApiClient(k.db, gp, 'nictiz examples'));
    citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);

    // A citizen with a care relationship at the GP for each further example Patient.
    const others: string[] = [];
    for (let i = 0; i < 7; i++) {
      const c = await newCitizen(k.db, k.koepel.keys);
      await k.db
        .insertInto('care_relationship')
        .values({ organisation_id: gp, citizen_id: c.id, started_on: '2020-01-01' })
        .execute();
      others.push(c.bsn);
    }
    sent.push(...prepareExamples(DEMO.suzanne, others));
    const res = await fhir(k.url, token, 'POST', '/fhir', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: sent.map((s) => ({
        fullUrl: `${k.url}/fhir/${s.type}/${s.id}`,
        resource: s.resource,
        request: { method: 'PUT', url: `${s.type}/${s.id}` },
      })),
    });
    assert.equal(res.status, 200, res.text.slice(0, 2000));
    const entries = (res.json as { entry: { response: Json }[] }).entry;
    entries.forEach((e, i) => {
      const s = sent[i];
      if (!s) return;
      const r = e.response;
      const issues = isObject(r.outcome) && Array.isArray(r.outcome.issue) ? (r.outcome.issue as Json[]) : [];
      outcome.set(s.file, {
        status: String(r.status),
        location: typeof r.location === 'string' ? r.location : null,
        problem: issues.map((x) => String(x.diagnostics)).join(' | ') || null,
      });
    });
  });

  after(async () => {
    await k?.close();
  });

  test('every example is accepted, or refused for a reason listed here', (t) => {
    const perType = new Map<string, { n: number; accepted: number }>();
    const refused: string[] = [];
    for (const s of sent) {
      const o = outcome.get(s.file);
      const t = perType.get(s.type) ?? { n: 0, accepted: 0 };
      t.n++;
      if (o && /^20[01]/.test(o.status)) t.accepted++;
      else refused.push(`${s.file}: ${o?.status ?? 'no answer'} ${o?.problem ?? ''}`);
      perType.set(s.type, t);
    }
    const table = [...perType]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, t]) => `| ${type} | ${t.n} | ${t.accepted} |`);
    for (const line of ['| type | examples | accepted |', '|---|---|---|', ...table, ...refused]) t.diagnostic(line);
    assert.equal(sent.length, 271);
    // The one refusal: two Practitioner examples share one identifier (the same person in two roles, as the Nictiz
    // README says) under different ids. Koepel keys a resource by its identifier, so that a re-send without an id
    // updates it instead of duplicating it; a second resource with the same identifier in one Bundle is refused.
    // The PractitionerRole and Flag that refer to it are stored with the reference as sent (batch entries stand alone).
    assert.deepEqual(
      refused.map((r) => r.slice(0, r.indexOf(':'))),
      ['nl-core-MedicationContraIndication-01-Practitioner-01.xml'],
      'refused examples',
    );
    assert.match(refused[0] ?? '', /the same resource \(type and identifier\) is also in Bundle\.entry\[\d+\]/);
  });

  test('a resource that breaks the nl-core profile it claims is refused, naming the profile; an unknown one is not checked', async () => {
    const weight = nictizExamples().find((e) => e.file === 'nl-core-BodyWeight-01.xml')?.resource;
    assert.ok(weight);
    weight.subject = { reference: `Patient/${String(sent.find((s) => s.type === 'Patient')?.id)}` };
    // nl-core-BodyWeight fixes the code (LOINC 29463-7); base R4 allows any code.
    const wrong = structuredClone(weight);
    wrong.id = 'weight-wrong-code';
    wrong.code = { coding: [{ system: 'http://loinc.org', code: '8302-2' }] };
    const refused = await fhir(k.url, token, 'PUT', '/fhir/Observation/weight-wrong-code', wrong);
    assert.equal(refused.status, 422, refused.text);
    const diagnostics = (refused.json as { issue: { diagnostics: string }[] }).issue.map((i) => i.diagnostics);
    assert.ok(
      diagnostics.some((d) => /^Observation: code .*\(profile nl-core-BodyWeight\)$/.test(d)),
      diagnostics.join('\n'),
    );
    const unknown = structuredClone(wrong);
    unknown.id = 'weight-unknown-profile';
    unknown.meta = { profile: ['https://example.org/fhir/StructureDefinition/our-own-weight'] };
    const accepted = await fhir(k.url, token, 'PUT', '/fhir/Observation/weight-unknown-profile', unknown);
    assert.equal(accepted.status, 201, accepted.text);
  });

  test('what the citizen reads back is what was sent (no loss but the patient reference)', async (t) => {
    // Where each example was stored: "Type/id" as sent (the Location names it so) → "Type/{Koepel id}", under which
    // the citizen reads it.
    const refMap = new Map<string, string>();
    const rows = [
      ...(await k.db
        .selectFrom('record_resource')
        .select(['id', 'resource_type', 'logical_id'])
        .where('organisation_id', '=', gp)
        .execute()),
      ...(await k.db
        .selectFrom('directory_resource')
        .select(['id', 'resource_type', 'logical_id'])
        .where('organisation_id', '=', gp)
        .execute()),
    ];
    const koepelId = new Map(rows.map((r) => [`${r.resource_type}/${r.logical_id}`, r.id]));
    for (const s of sent) {
      const loc = outcome.get(s.file)?.location;
      if (!loc) continue;
      assert.match(loc, new RegExp(`^${s.type}/${s.id}/_history/\\d+$`), 'the Location names the id that was sent');
      const id = koepelId.get(`${s.type}/${s.id}`);
      if (id) refMap.set(`${s.type}/${s.id}`, `${s.type}/${id}`);
    }
    const lost: string[] = [];
    for (const s of sent) {
      const target = refMap.get(`${s.type}/${s.id}`);
      if (!target) continue;
      // A citizen's own Patient is built from the BRP: the provider's Patient is compared through its read-back.
      const res =
        s.type === 'Patient'
          ? await fhir(k.url, token, 'GET', `/fhir/Patient/${s.id}`).then((r) => ({ status: r.status, text: r.text }))
          : await citizen.get(`/fhir/${target}`, { accept: 'application/fhir+json' });
      if (res.status !== 200) {
        lost.push(`${s.file}: read back ${res.status}`);
        continue;
      }
      const back = JSON.parse(res.text) as Json;
      const diff = differences(normalise(s.resource, refMap, suzanne), normalise(back, refMap, suzanne));
      if (diff.length > 0) lost.push(`${s.file}: ${diff.join(', ')}`);
    }
    for (const line of lost) t.diagnostic(line);
    assert.deepEqual(lost, [], 'examples that did not come back as sent');
  });
});
