// The citizen's FHIR read API against a real Koepel: own data readable, another citizen's ids 404 for every type,
// $everything is exactly the visible record, paging, bad input, who may use the API at all, and the audit trail.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { HttpClient, type Response } from '../../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../../test/support/principals.js';
import { loginWithDigid } from '../../identity/digid/test-driver.js';
import type { WriteResult } from '../../record/store.js';
import { loginStaff } from '../../staff/login.testkit.js';
import { sourceOrganisationExtension } from './present.js';
import { loadBaseDefinitions, validateBase } from '../base/validate.js';
import { loadConfig } from '../../platform/config.js';
import { withPrincipal, type Principal } from '../../platform/db/principal.js';
import { RECORD_CATEGORIES } from '../../record/categories.js';
import { addPractitioner, newApiClient, push, pushEveryType, type ClientPrincipal } from './testkit.js';

type Json = Record<string, unknown>;
interface Bundle {
  resourceType: string;
  type: string;
  total?: number;
  link: { relation: string; url: string }[];
  entry?: { fullUrl: string; resource: Json; search: { mode: string } }[];
}

const json = (r: Response) => JSON.parse(r.text) as Json;
const bundle = (r: Response) => JSON.parse(r.text) as Bundle;

function assertOutcome(r: Response, status: number, code: string): void {
  assert.equal(r.status, status, r.text.slice(0, 200));
  assert.match(r.headers.get('content-type') ?? '', /^application\/fhir\+json/);
  const body = json(r);
  assert.equal(body.resourceType, 'OperationOutcome');
  assert.equal((body.issue as { code: string }[])[0]?.code, code);
}

describe('citizen FHIR read API', () => {
  let k: TestKoepel;
  let gp: string;
  let hospital: string;
  let suzanne: string;
  let pieter: string;
  let gpSuzanne: WriteResult[];
  let hospitalSuzanne: WriteResult[];
  let gpPieter: WriteResult[];
  let practitioner: string;
  let citizen: HttpClient;
  let base: string;
  let gpClient: ClientPrincipal;
  let hospitalClient: ClientPrincipal;

  before(async () => {
    k = await startKoepel();
    base = `${k.url}/fhir`;
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    gpClient = await newApiClient(k.db, gp);
    hospitalClient = await newApiClient(k.db, hospital);
    practitioner = await addPractitioner(k.db, gp, 'dr-1', 'Dr. A. Huisman');
    gpSuzanne = await pushEveryType(k.db, k.koepel.keys, gpClient, suzanne, 'HA-S');
    hospitalSuzanne = await pushEveryType(k.db, k.koepel.keys, hospitalClient, suzanne, 'ZH-S');
    gpPieter = await pushEveryType(k.db, k.koepel.keys, gpClient, pieter, 'HA-P');
    // The demo organisations' own choice of categories (MG-1) is not under test here: everything is offered.
    await k.db
      .updateTable('organisation')
      .set({ record_categories: [...RECORD_CATEGORIES] })
      .execute();
    citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);
  });

  /** How many resources of a type Suzanne has (every category is offered, all her relationships are active). */
  const stored = async (type: 'Condition' | 'Observation') =>
    (
      await k.db
        .selectFrom('record_resource')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('citizen_id', '=', suzanne)
        .where('resource_type', '=', type)
        .executeTakeFirstOrThrow()
    ).n;
  after(async () => {
    await k.close();
  });

  test('Koepel’s own extension resolves: its StructureDefinition at the canonical base, valid FHIR R4', async () => {
    const r = await new HttpClient(k.url).get('/fhir/StructureDefinition/source-organization');
    assert.equal(r.status, 200, r.text);
    const sd = JSON.parse(r.text) as Record<string, unknown> & { resourceType: string };
    assert.equal(sd.url, sourceOrganisationExtension(base));
    loadBaseDefinitions(['StructureDefinition']);
    assert.deepEqual(validateBase(sd), []);
    // Set apart from the portal's address (KOEPEL_FHIR_CANONICAL_BASE), it names the definitions everywhere.
    const canonical = 'https://fhir.koepel-project.example/fhir';
    assert.equal(loadConfig({ KOEPEL_FHIR_CANONICAL_BASE: `${canonical}/` }).fhirCanonicalBase, canonical);
    assert.equal(loadConfig({ PUBLIC_URL: 'http://localhost:9999' }).fhirCanonicalBase, 'http://localhost:9999/fhir');
  });

  test('metadata is public and describes the API', async () => {
    const r = await new HttpClient(k.url).get('/fhir/metadata');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/fhir\+json/);
    const cs = json(r);
    assert.equal(cs.resourceType, 'CapabilityStatement');
    assert.equal(cs.fhirVersion, '4.0.1');
    const types = (cs.rest as { resource: { type: string }[] }[])[0]?.resource.map((x) => x.type) ?? [];
    for (const t of ['Patient', 'Observation', 'DocumentReference', 'MedicationDispense', 'CareTeam', 'Binary'])
      assert.ok(types.includes(t), t);
    // One server, one rest entry, each type once (cpb-9): the provider systems' write side is merged in.
    const rest = cs.rest as {
      mode: string;
      interaction?: { code: string }[];
      security: { service?: { text?: string }[] };
      resource: { type: string; interaction: { code: string }[] }[];
    }[];
    assert.equal(rest.length, 1);
    assert.equal(new Set(types).size, types.length, 'a type described twice');
    const codes = (type: string) => rest[0]?.resource.find((x) => x.type === type)?.interaction.map((i) => i.code);
    assert.deepEqual(codes('Observation'), [
      'read',
      'search-type',
      'vread',
      'history-instance',
      'create',
      'update',
      'delete',
    ]);
    assert.deepEqual(codes('Binary'), ['read'], 'Binary is read only');
    assert.deepEqual(
      rest[0]?.interaction?.map((i) => i.code),
      ['transaction', 'batch'],
    );
    assert.equal(rest[0]?.security.service?.[0]?.text, 'OAuth2 client credentials');
  });

  test('without a citizen login: 401 OperationOutcome; a bearer token is refused, not ignored', async () => {
    const anon = new HttpClient(k.url);
    for (const path of [
      `/fhir/Patient/${suzanne}`,
      `/fhir/Patient/${suzanne}/$everything`,
      `/fhir/Observation?patient=Patient/${suzanne}`,
      `/fhir/Observation/${gpSuzanne[4]?.id ?? ''}`,
      `/fhir/Binary/${gpSuzanne[5]?.id ?? ''}-0`,
    ]) {
      assertOutcome(await anon.get(path), 401, 'login');
    }
    const bearer = await citizen.get(`/fhir/Patient/${suzanne}`, { authorization: 'Bearer abc' });
    assertOutcome(bearer, 401, 'login');
    assert.match(bearer.headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  test('the citizen reads their own Patient, built from Koepel’s BRP data', async () => {
    const r = await citizen.get(`/fhir/Patient/${suzanne}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/fhir\+json/);
    const p = json(r);
    assert.equal(p.resourceType, 'Patient');
    assert.equal(p.id, suzanne);
    assert.deepEqual(p.identifier, [
      { use: 'official', system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: DEMO.suzanne },
    ]);
    assert.equal(p.birthDate, '1982-04-12');
    assert.equal(p.gender, 'female');
    const name = (p.name as { family: string; given: string[] }[])[0];
    assert.equal(name?.family, 'de Vries');
    assert.deepEqual(name?.given, ['Suzanne', 'Maria']);
    // The Patient search finds the citizen themself, and only them.
    const s = bundle(await citizen.get('/fhir/Patient'));
    assert.equal(s.total, 1);
    assert.equal(s.entry?.[0]?.resource.id, suzanne);
    assert.equal(bundle(await citizen.get(`/fhir/Patient?_id=${pieter}`)).total, 0);
  });

  test('own record resources are readable, with Koepel ids, version, source organisation and patient reference', async () => {
    for (const w of [...gpSuzanne, ...hospitalSuzanne]) {
      const r = await citizen.get(`/fhir/${w.resourceType}/${w.id}`);
      assert.equal(r.status, 200, `${w.resourceType}: ${r.text.slice(0, 200)}`);
      assert.equal(r.headers.get('etag'), 'W/"1"');
      const res = json(r);
      assert.equal(res.resourceType, w.resourceType);
      assert.equal(res.id, w.id);
      const org = gpSuzanne.includes(w) ? gp : hospital;
      const meta = res.meta as { versionId: string; lastUpdated: string; source: string };
      assert.equal(meta.versionId, '1');
      assert.ok(!Number.isNaN(Date.parse(meta.lastUpdated)));
      assert.equal(meta.source, `${base}/Organization/${org}`);
      const ext = (res.extension as { url: string; valueReference: { reference: string; display: string } }[])[0];
      assert.equal(ext?.url, sourceOrganisationExtension(base), 'under the canonical base: by default the FHIR base');
      assert.equal(ext?.valueReference.reference, `Organization/${org}`);
      assert.equal(ext?.valueReference.display, org === gp ? DEMO.gp : DEMO.hospital);
      // No reference into the sender's id space is left: the patient is the citizen's Koepel id.
      assert.doesNotMatch(r.text, /Patient\/p-1/);
      if (w.resourceType === 'Appointment') {
        const actor = (res.participant as { actor: { reference: string } }[])[0]?.actor;
        assert.equal(actor?.reference, `Patient/${suzanne}`);
      } else {
        const ref = (res.subject ?? res.patient) as { reference: string };
        assert.equal(ref.reference, `Patient/${suzanne}`);
      }
    }
    // The GP's practitioner is resolved into the directory; the hospital has no such practitioner: display only.
    const gpObs = json(await citizen.get(`/fhir/Observation/${gpSuzanne[4]?.id ?? ''}`));
    assert.deepEqual((gpObs.performer as Json[])[0], {
      reference: `Practitioner/${practitioner}`,
      display: 'Behandelaar',
    });
    const hObs = json(await citizen.get(`/fhir/Observation/${hospitalSuzanne[4]?.id ?? ''}`));
    assert.deepEqual((hObs.performer as Json[])[0], { display: 'Behandelaar' });
    const pract = await citizen.get(`/fhir/Practitioner/${practitioner}`);
    assert.equal(pract.status, 200);
    assert.equal(json(pract).id, practitioner);
    const orgRes = json(await citizen.get(`/fhir/Organization/${gp}`));
    assert.equal(orgRes.name, DEMO.gp);
    assert.deepEqual(orgRes.identifier, [{ system: 'http://fhir.nl/fhir/NamingSystem/agb-z', value: '01012345' }]);
  });

  test('a DocumentReference points at its attachment, which downloads as PDF or as a Binary resource', async () => {
    const doc = gpSuzanne.find((w) => w.resourceType === 'DocumentReference');
    assert.ok(doc);
    const res = json(await citizen.get(`/fhir/DocumentReference/${doc.id}`));
    const attachment = (res.content as { attachment: Json }[])[0]?.attachment;
    assert.equal(attachment?.url, `${base}/Binary/${doc.id}-0`);
    assert.equal(attachment?.contentType, 'application/pdf');
    assert.equal(attachment?.size, Buffer.from('%PDF-1.4 brief HA-S').length);
    const raw = await citizen.get(`/fhir/Binary/${doc.id}-0`);
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get('content-type'), 'application/pdf');
    assert.match(raw.headers.get('content-disposition') ?? '', /^attachment/);
    assert.equal(raw.text, '%PDF-1.4 brief HA-S');
    const bin = json(await citizen.get(`/fhir/Binary/${doc.id}-0`, { accept: 'application/fhir+json' }));
    assert.equal(bin.resourceType, 'Binary');
    assert.equal(Buffer.from(String(bin.data), 'base64').toString(), '%PDF-1.4 brief HA-S');
    assertOutcome(await citizen.get(`/fhir/Binary/${doc.id}-1`), 404, 'not-found');
  });

  test("another citizen's ids answer 404 for every type, exactly like ids that do not exist", async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const expected = json(await citizen.get(`/fhir/Observation/${missing}`));
    for (const w of gpPieter) {
      const r = await citizen.get(`/fhir/${w.resourceType}/${w.id}`);
      assertOutcome(r, 404, 'not-found');
      assert.deepEqual(json(r), expected, w.resourceType);
      assert.doesNotMatch(r.text, /HA-P/);
      // Searching by id or by the other patient finds nothing either.
      const s = bundle(await citizen.get(`/fhir/${w.resourceType}?_id=${w.id}`));
      assert.equal(s.total, 0);
      assert.equal(bundle(await citizen.get(`/fhir/${w.resourceType}?patient=Patient/${pieter}`)).total, 0);
    }
    // Own ids under the wrong type, another citizen's Patient, $everything and attachments: 404 as well.
    assertOutcome(await citizen.get(`/fhir/Condition/${gpSuzanne[4]?.id ?? ''}`), 404, 'not-found');
    assertOutcome(await citizen.get(`/fhir/Patient/${pieter}`), 404, 'not-found');
    assertOutcome(await citizen.get(`/fhir/Patient/${pieter}/$everything`), 404, 'not-found');
    const pieterDoc = gpPieter.find((w) => w.resourceType === 'DocumentReference');
    assertOutcome(await citizen.get(`/fhir/Binary/${pieterDoc?.id ?? ''}-0`), 404, 'not-found');
    assertOutcome(await citizen.get('/fhir/Observation/not-a-uuid'), 404, 'not-found');
  });

  test('search returns a paged searchset Bundle, newest first', async () => {
    const conditions = await stored('Condition');
    assert.ok(conditions >= 4);
    const all = bundle(await citizen.get(`/fhir/Condition?patient=Patient/${suzanne}`));
    assert.equal(all.type, 'searchset');
    assert.equal(all.total, conditions);
    assert.equal(all.entry?.length, conditions);
    const dates = all.entry?.map((e) => String(e.resource.onsetDateTime)) ?? [];
    assert.deepEqual(dates, [...dates].sort().reverse());
    for (const e of all.entry ?? []) {
      assert.equal(e.fullUrl, `${base}/Condition/${String(e.resource.id)}`);
      assert.equal(e.search.mode, 'match');
    }
    // Paging: follow next links until the end.
    const seen: string[] = [];
    let url: string | undefined = `/fhir/Condition?patient=${suzanne}&_count=3`;
    while (url) {
      const page = bundle(await citizen.get(url));
      assert.equal(page.total, conditions);
      seen.push(...(page.entry ?? []).map((e) => String(e.resource.id)));
      url = page.link.find((l) => l.relation === 'next')?.url;
    }
    assert.deepEqual(
      seen,
      all.entry?.map((e) => String(e.resource.id)),
    );
    // _count=0: the total only. Without patient: the citizen's own.
    const count = bundle(await citizen.get('/fhir/Condition?_count=0'));
    assert.equal(count.total, conditions);
    assert.equal(count.entry?.length ?? 0, 0);
    assert.equal(bundle(await citizen.get('/fhir/Observation')).total, await stored('Observation'));
  });

  test('bad search input is a clear 4xx OperationOutcome that never echoes the value', async () => {
    for (const [path, status] of [
      ['/fhir/Observation?_count=abc', 400],
      ['/fhir/Observation?_count=501', 400],
      ['/fhir/Observation?_offset=-1', 400],
      ['/fhir/Observation?date=999993653', 400],
      ['/fhir/Observation?_count=1&_count=2', 400],
      [`/fhir/Observation?patient=${suzanne}&subject=${suzanne}`, 400],
      ['/fhir/Observation?_id=a,b%20c', 400],
      ['/fhir/Observation?_format=yaml', 406],
      [`/fhir/Patient/${suzanne}?_elements=id`, 400],
    ] as const) {
      const r = await citizen.get(path);
      assert.equal(r.status, status, path);
      assert.equal(json(r).resourceType, 'OperationOutcome');
      assert.doesNotMatch(r.text, /999993653|abc|yaml/);
    }
    assertOutcome(await citizen.get('/fhir/Claim'), 404, 'not-supported');
    assertOutcome(await citizen.get(`/fhir/AuditEvent/${suzanne}`), 404, 'not-supported');
  });

  test('$everything is exactly the visible record, Patient first, in one audit record', async () => {
    const countAudit = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from audit_log where actor_id = ${suzanne}`.execute(k.db))
        .rows[0]?.n ?? 0;
    const auditBefore = await countAudit();
    const r = await citizen.get(`/fhir/Patient/${suzanne}/$everything`);
    assert.equal(r.status, 200);
    assert.equal((await countAudit()) - auditBefore, 1, 'one audit record for the whole read');
    const b = bundle(r);
    assert.equal(b.type, 'searchset');
    const entries = b.entry ?? [];
    assert.equal(entries[0]?.resource.resourceType, 'Patient');
    assert.equal(entries[0]?.resource.id, suzanne);
    const matched = entries.filter((e) => e.search.mode === 'match').slice(1);
    const expected = await k.db
      .selectFrom('record_resource')
      .select('id')
      .where('citizen_id', '=', suzanne)
      .where('category', '<>', 'patient')
      .execute();
    assert.deepEqual(matched.map((e) => e.resource.id).sort(), expected.map((e) => e.id).sort());
    assert.equal(b.total, matched.length + 1);
    assert.doesNotMatch(r.text, /HA-P/, "nothing of Pieter's");
    const included = entries
      .filter((e) => e.search.mode === 'include')
      .map((e) => `${String(e.resource.resourceType)}/${String(e.resource.id)}`);
    for (const expected of [`Organization/${gp}`, `Organization/${hospital}`, `Practitioner/${practitioner}`])
      assert.ok(included.includes(expected), expected);
    const pharmacy = await orgId(k.db, DEMO.pharmacy);
    for (const i of included.filter((x) => x.startsWith('Organization/')))
      assert.ok([`Organization/${gp}`, `Organization/${hospital}`, `Organization/${pharmacy}`].includes(i), i);
    assert.equal(new Set(included).size, included.length, 'each included once');

    // The hospital stops offering lab results (MG-1): its Observation disappears, the GP's stays.
    await k.db
      .updateTable('organisation')
      .set({ record_categories: ['appointments', 'episodes', 'sensitivities', 'documents', 'medication', 'careteam'] })
      .where('id', '=', hospital)
      .execute();
    try {
      const after = bundle(await citizen.get(`/fhir/Patient/${suzanne}/$everything`));
      const ids = new Set((after.entry ?? []).map((e) => e.resource.id));
      assert.ok(!ids.has(hospitalSuzanne[4]?.id), "hospital's lab result hidden");
      assert.ok(ids.has(gpSuzanne[4]?.id), "GP's lab result still shown");
      const hospitalLab = await k.db
        .selectFrom('record_resource')
        .select('id')
        .where('citizen_id', '=', suzanne)
        .where('organisation_id', '=', hospital)
        .where('category', '=', 'lab')
        .execute();
      assert.ok(hospitalLab.length > 0);
      for (const h of hospitalLab) assert.ok(!ids.has(h.id));
      // The Patient plus everything before, less the hospital's lab results.
      assert.equal(
        (after.entry ?? []).filter((e) => e.search.mode === 'match').length,
        matched.length + 1 - hospitalLab.length,
      );
      assertOutcome(await citizen.get(`/fhir/Observation/${hospitalSuzanne[4]?.id ?? ''}`), 404, 'not-found');
    } finally {
      await k.db
        .updateTable('organisation')
        .set({ record_categories: [...RECORD_CATEGORIES] })
        .where('id', '=', hospital)
        .execute();
    }
  });

  test('every read is audited under the citizen, with type and id', async () => {
    const w = gpSuzanne[6];
    assert.ok(w);
    await citizen.get(`/fhir/${w.resourceType}/${w.id}`);
    const rec = await k.db
      .selectFrom('audit_log')
      .selectAll()
      .where('resource_id', '=', w.id)
      .where('event_code', '=', 'fhir.resource.read')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(rec.actor_type, 'citizen');
    assert.equal(rec.actor_id, suzanne);
    assert.equal(rec.citizen_id, suzanne);
    assert.equal(rec.resource_type, w.resourceType);
    assert.equal(rec.action, 'R');
    assert.equal(rec.outcome, 'success');
  });

  test('staff sessions cannot use the citizen API, not even for their own patients', async () => {
    const { client: staff } = await loginStaff(k.url, 'huisarts@delinde.example');
    for (const path of [
      `/fhir/Patient/${suzanne}`,
      `/fhir/Patient/${suzanne}/$everything`,
      `/fhir/Observation?patient=Patient/${suzanne}`,
      `/fhir/Observation/${gpSuzanne[4]?.id ?? ''}`,
    ]) {
      const r = await staff.get(path);
      assertOutcome(r, 403, 'forbidden');
      assert.doesNotMatch(r.text, /HA-S|Vries/);
    }
  });

  test('references in Koepel ids are kept only when the citizen may see their target', async () => {
    const hospitalDoc = hospitalSuzanne.find((w) => w.resourceType === 'DocumentReference');
    assert.ok(hospitalDoc);
    const [obs] = await push(k.db, k.koepel.keys, hospitalClient, [
      {
        citizenId: suzanne,
        resourceType: 'Observation',
        sourceKey: 'urn:test:refs|1',
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { text: 'Kalium' },
          subject: { reference: 'Patient/p-1' },
          effectiveDateTime: '2026-10-03',
          derivedFrom: [{ reference: `DocumentReference/${hospitalDoc.id}`, display: 'Brief' }],
          // The GP's practitioner, named by Koepel id in another organisation's resource: never resolved.
          performer: [{ reference: `Practitioner/${practitioner}`, display: 'Iemand' }],
        },
      },
    ]);
    assert.ok(obs);
    const read = async () => json(await citizen.get(`/fhir/Observation/${obs.id}`));
    const shown = await read();
    assert.deepEqual(shown.derivedFrom, [{ reference: `DocumentReference/${hospitalDoc.id}`, display: 'Brief' }]);
    assert.deepEqual(shown.performer, [{ display: 'Iemand' }]);
    // The hospital stops showing documents: the reference loses its id, the display stays.
    await k.db
      .updateTable('organisation')
      .set({ record_categories: RECORD_CATEGORIES.filter((c) => c !== 'documents') })
      .where('id', '=', hospital)
      .execute();
    try {
      assert.deepEqual((await read()).derivedFrom, [{ display: 'Brief' }]);
    } finally {
      await k.db
        .updateTable('organisation')
        .set({ record_categories: [...RECORD_CATEGORIES] })
        .where('id', '=', hospital)
        .execute();
    }
    // A GP resource naming its own practitioner by Koepel id keeps it.
    const [team] = await push(k.db, k.koepel.keys, gpClient, [
      {
        citizenId: suzanne,
        resourceType: 'CareTeam',
        sourceKey: 'urn:test:refs|2',
        resource: {
          resourceType: 'CareTeam',
          status: 'active',
          subject: { reference: 'Patient/p-1' },
          participant: [{ member: { reference: `Practitioner/${practitioner}` } }],
        },
      },
    ]);
    const teamRes = json(await citizen.get(`/fhir/CareTeam/${team?.id ?? ''}`));
    assert.deepEqual((teamRes.participant as Json[])[0], { member: { reference: `Practitioner/${practitioner}` } });
  });

  test('the visible (organisation, category) pairs of migration 0005 are exactly those of koepel_citizen_sees', async () => {
    const portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    const physio = await orgId(k.db, DEMO.physio);
    const johannes = await citizenId(k.db, k.koepel.keys, DEMO.johannes);
    // Variety: a grant, an organisation offering little, a relationship not yet started.
    await k.db
      .insertInto('record_category_grant')
      .values({ organisation_id: physio, citizen_id: pieter, category: 'documents' })
      .execute();
    await k.db
      .updateTable('organisation')
      .set({ record_categories: ['appointments'] })
      .where('id', '=', physio)
      .execute();
    await k.db
      .insertInto('care_relationship')
      .values({ organisation_id: hospital, citizen_id: pieter, started_on: '2999-01-01' })
      .execute();
    const orgs = (await k.db.selectFrom('organisation').select('id').execute()).map((o) => o.id);
    for (const c of [suzanne, pieter, johannes, await citizenId(k.db, k.koepel.keys, DEMO.noor)]) {
      const p: Principal = { kind: 'citizen', citizenId: c, portalId: portal };
      const rows = await withPrincipal(k.db, p, async (tx) => {
        const { rows } = await sql<{ org: string; cat: string; sees: boolean; visible: boolean }>`
          select o.id as org, c.cat, koepel_citizen_sees(o.id, c.cat) as sees,
                 (o.id::text || ':' || c.cat) = any(koepel_citizen_visible()) as visible
          from organisation o cross join unnest(${sql.val([...RECORD_CATEGORIES])}::text[]) as c(cat)`.execute(tx);
        return rows;
      });
      assert.equal(rows.length, orgs.length * RECORD_CATEGORIES.length);
      for (const r of rows) assert.equal(r.visible, r.sees, `${c} ${r.org} ${r.cat}`);
      if (c === pieter) {
        const seen = rows
          .filter((r) => r.org === physio && r.visible)
          .map((r) => r.cat)
          .sort();
        assert.deepEqual(seen, ['appointments', 'documents']);
        assert.ok(!rows.some((r) => r.org === hospital && r.visible), 'relationship not started yet');
      }
    }
    // Not a citizen: nothing visible.
    const staffSees = await withPrincipal(
      k.db,
      { kind: 'staff', staffId: pieter, organisationId: gp, role: 'doctor', permissions: ['record:read'] },
      async (tx) => (await sql<{ v: string[] }>`select koepel_citizen_visible() as v`.execute(tx)).rows[0]?.v,
    );
    assert.deepEqual(staffSees, []);
  });
});
