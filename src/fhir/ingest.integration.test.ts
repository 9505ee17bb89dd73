// FHIR ingestion over real HTTP against a real database: the Dutch fixture Bundles, idempotent re-sends, versions,
// transaction and batch semantics, and the refusals — each an OperationOutcome with nothing stored.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { activePdf, cleanPdf } from './pdf-fixtures.testkit.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import { clientContext, ingestBundle, MAX_ENTRIES } from './ingest.js';
import {
  countRows,
  createApiClient,
  fhir,
  fixture,
  readAs,
  tokenFor,
  withFreshUuids,
  type FhirResponse,
  type TestApiClient,
} from './ingest.testkit.js';

const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';
// Relative in Bundles: {type}/{logical id}/_history/{version} (the id the sender sent, or one Koepel assigned).
const LOCATION = /^(\w+)\/([A-Za-z0-9.-]{1,64})\/_history\/(\d+)$/;

/** A minimal valid lab result for the patient named by `subject`. */
function observation(id: string, subject: Record<string, unknown>, value = 8.1): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    identifier: [{ system: 'urn:test:lab', value: id }],
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '59260-0', display: 'Hemoglobin [Moles/volume] in Blood' }] },
    subject,
    effectiveDateTime: '2026-10-01T09:00:00+02:00',
    valueQuantity: { value, unit: 'mmol/L' },
    referenceRange: [{ low: { value: 7.5, unit: 'mmol/L' }, high: { value: 10, unit: 'mmol/L' } }],
  };
}

const patientEntry = (fullUrl: string, bsn: string) => ({
  fullUrl,
  resource: { resourceType: 'Patient', identifier: [{ system: BSN_SYSTEM, value: bsn }] },
  request: { method: 'POST', url: 'Patient' },
});

const entry = (resource: Record<string, unknown>, fullUrl?: string) => ({
  ...(fullUrl ? { fullUrl } : {}),
  resource,
  request: { method: 'POST', url: String(resource.resourceType) },
});

const transaction = (...entries: unknown[]) => ({ resourceType: 'Bundle', type: 'transaction', entry: entries });
const batch = (...entries: unknown[]) => ({ resourceType: 'Bundle', type: 'batch', entry: entries });

interface OutcomeIssue {
  code: string;
  diagnostics: string;
  expression?: string[];
}
interface ResponseEntry {
  response: {
    status: string;
    location: string;
    etag: string;
    outcome?: { resourceType: string; issue: OutcomeIssue[] };
  };
}
interface ResponseBundle {
  resourceType: string;
  type: string;
  entry: ResponseEntry[];
}
interface TestEntry {
  fullUrl?: string;
  resource: Record<string, unknown> & { resourceType: string };
  request: { method: string; url: string };
}

/** The Bundle of a transaction-response or batch-response answer. */
function bundleOf(res: FhirResponse): ResponseBundle {
  const b = res.json as ResponseBundle;
  assert.equal(b.resourceType, 'Bundle', res.text.slice(0, 300));
  return b;
}
const entryAt = (res: FhirResponse, i: number): ResponseEntry['response'] => {
  const e = bundleOf(res).entry[i];
  assert.ok(e, `no response entry ${i}`);
  return e.response;
};

/** A fixture with typed entries. */
const bundleFixture = (name: Parameters<typeof fixture>[0]) =>
  fixture(name) as { resourceType: string; type: string; entry: TestEntry[] };

/** The issues of an OperationOutcome answer. */
function issues(res: FhirResponse): OutcomeIssue[] {
  const outcome = res.json as { resourceType?: string; issue: OutcomeIssue[] } | null;
  assert.equal(
    outcome?.resourceType,
    'OperationOutcome',
    `expected an OperationOutcome, got ${res.text.slice(0, 200)}`,
  );
  assert.match(res.headers.get('content-type') ?? '', /^application\/fhir\+json/);
  return outcome.issue;
}

describe('FHIR ingestion', () => {
  let k: TestKoepel;
  let gp: TestApiClient;
  let pharmacy: TestApiClient;
  let hospital: TestApiClient;
  const tokens = new Map<TestApiClient, string>();
  let suzanne: string;
  const post = (client: TestApiClient, body: unknown) => fhir(k.url, tokens.get(client) ?? null, 'POST', '/fhir', body);

  /** Sends a request that must be refused, and proves the record tables did not change. */
  async function refused(send: () => Promise<FhirResponse>, status: number): Promise<FhirResponse> {
    const before = await countRows(k.db);
    const res = await send();
    assert.equal(res.status, status, res.text.slice(0, 500));
    assert.deepEqual(await countRows(k.db), before, 'nothing may be stored');
    // Never a BSN (or any other value from the request) in an error.
    for (const bsn of Object.values(DEMO))
      if (/^\d{9}$/.test(bsn)) assert.ok(!res.text.includes(bsn), 'no BSN in errors');
    assert.ok(!res.text.includes('99999'), 'no BSN-like value in errors');
    return res;
  }

  before(async () => {
    k = await startKoepel();
    gp = await createApiClient(k.db, await orgId(k.db, DEMO.gp), 'HIS De Linde');
    pharmacy = await createApiClient(k.db, await orgId(k.db, DEMO.pharmacy), 'Apotheeksysteem');
    hospital = await createApiClient(k.db, await orgId(k.db, DEMO.hospital), 'EPD Rivierenland');
    for (const c of [gp, pharmacy, hospital]) tokens.set(c, await tokenFor(k.url, c));
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
  });
  after(async () => {
    await k.close();
  });

  test('the GP bundle ingests: every entry created, encrypted, audited, with events and rewritten references', async () => {
    const bundle = bundleFixture('gp-bundle.json');
    const before = await countRows(k.db);
    const res = await post(gp, bundle);
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.equal(bundleOf(res).type, 'transaction-response');
    assert.equal(bundleOf(res).entry.length, bundle.entry.length);
    const locations = bundleOf(res).entry.map((e) => {
      assert.equal(e.response.status, '201 Created');
      assert.equal(e.response.etag, 'W/"1"');
      const m = LOCATION.exec(e.response.location);
      assert.ok(m, e.response.location);
      return { type: m[1] ?? '', id: m[2] ?? '' };
    });
    assert.deepEqual(
      locations.map((l) => l.type),
      bundle.entry.map((e) => e.resource.resourceType),
    );

    const after = await countRows(k.db);
    assert.equal(
      after.record_resource - before.record_resource,
      25,
      'Patient, 4 episodes, allergy, 16 results, appointment, care team, document',
    );
    assert.equal(after.directory_resource - before.directory_resource, 4, '2 practitioners, 2 roles');
    assert.equal(after.record_attachment - before.record_attachment, 1);
    assert.equal(after.record_event - before.record_event, 24, 'an event per record resource, none for the Patient');

    const rows = await k.db
      .selectFrom('record_resource')
      .select(['id', 'resource_type', 'category', 'organisation_id', 'citizen_id', 'ciphertext', 'written_by'])
      .where('written_by', '=', gp.id)
      .execute();
    assert.ok(rows.every((r) => r.organisation_id === gp.organisationId && r.citizen_id === suzanne));
    // Diabetes (ICPC T90) and hypertension (K86) are particulars, shown with the sensitivities.
    const categories = rows
      .filter((r) => r.resource_type === 'Condition')
      .map((r) => r.category)
      .sort();
    assert.deepEqual(categories, ['episodes', 'episodes', 'sensitivities', 'sensitivities']);
    assert.ok(
      rows.every((r) => !Buffer.from(r.ciphertext).toString('latin1').includes('Suzanne')),
      'encrypted at rest',
    );
    const events = await k.db
      .selectFrom('record_event')
      .select(['kind'])
      .where(
        'resource_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    assert.equal(events.filter((e) => e.kind === 'result.new').length, 16);
    assert.equal(events.filter((e) => e.kind === 'document.new').length, 1);
    const audits = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'actor_type', 'actor_id', 'actor_organisation_id', 'citizen_id'])
      .where('actor_id', '=', gp.id)
      .where('event_code', 'in', ['record.resource.create', 'record.patient.create', 'directory.resource.create'])
      .execute();
    assert.equal(audits.length, 29, 'every write audited');
    assert.ok(audits.every((a) => a.actor_type === 'client' && a.actor_organisation_id === gp.organisationId));

    // What is stored: references point at stored resources, attachment bytes are out of the JSON.
    const ours = new Set(locations.map((l) => l.id));
    const stored = (await readAs(k.db, k.koepel.keys, gp.principal, suzanne)).filter((r) => ours.has(r.logicalId));
    assert.equal(stored.length, 25);
    const patient = stored.find((r) => r.resourceType === 'Patient');
    assert.ok(patient);
    const obs = stored.find((r) => r.resourceType === 'Observation');
    // The patient is named by the citizen (the id the citizen API serves the Patient under), not by a BSN.
    assert.deepEqual(obs?.resource.subject, { reference: `Patient/${suzanne}` });
    assert.equal(obs?.resource.id, undefined, 'the sender’s id is not Koepel’s id');
    const doc = stored.find((r) => r.resourceType === 'DocumentReference');
    const attachment = (doc?.resource.content as { attachment: Record<string, unknown> }[])[0]?.attachment;
    assert.equal(attachment?.data, undefined);
    assert.equal(attachment?.contentType, 'application/pdf');
    assert.equal(typeof attachment?.size, 'number');
    const pdf = await k.db
      .selectFrom('record_attachment')
      .select(['content_type', 'byte_size', 'ciphertext'])
      .where('resource_id', '=', doc?.id ?? '')
      .executeTakeFirstOrThrow();
    assert.equal(pdf.byte_size, attachment?.size);
    assert.ok(!Buffer.from(pdf.ciphertext).includes('%PDF-'), 'the PDF is stored encrypted');
    const team = stored.find((r) => r.resourceType === 'CareTeam');
    const roleIds = locations.filter((l) => l.type === 'PractitionerRole').map((l) => `PractitionerRole/${l.id}`);
    assert.deepEqual(
      (team?.resource.participant as { member: { reference: string } }[]).map((p) => p.member.reference),
      roleIds,
    );
    const roles = await k.db
      .selectFrom('directory_resource')
      .select(['resource_type', 'resource', 'organisation_id'])
      .where('written_by', '=', gp.id)
      .execute();
    const practitionerIds = locations.filter((l) => l.type === 'Practitioner').map((l) => `Practitioner/${l.id}`);
    for (const r of roles.filter((x) => x.resource_type === 'PractitionerRole')) {
      assert.ok(practitionerIds.includes((r.resource.practitioner as { reference: string }).reference));
      assert.equal(r.organisation_id, gp.organisationId);
    }
  });

  test('the pharmacy and hospital bundles ingest; references between entries name the stored resources', async () => {
    const ids = new Set<string>();
    for (const [client, name] of [
      [pharmacy, 'pharmacy-bundle.json'],
      [hospital, 'hospital-bundle.json'],
    ] as const) {
      const bundle = bundleFixture(name);
      const res = await post(client, bundle);
      assert.equal(res.status, 200, res.text.slice(0, 500));
      for (const e of bundleOf(res).entry) {
        // The demo seed holds the hospital's Practitioner/kaya already: the same logical id updates it.
        assert.match(
          e.response.status,
          e.response.location.startsWith('Practitioner/kaya/') ? /^200 OK$/ : /^201 Created$/,
        );
        ids.add(LOCATION.exec(e.response.location)?.[2] ?? '');
      }
    }
    const ours = (list: Awaited<ReturnType<typeof readAs>>) => list.filter((r) => ids.has(r.logicalId));
    const meds = ours(await readAs(k.db, k.koepel.keys, pharmacy.principal, suzanne));
    const requests = meds
      .filter((r) => r.resourceType === 'MedicationRequest')
      .map((r) => `MedicationRequest/${r.logicalId}`);
    const dispenses = meds.filter((r) => r.resourceType === 'MedicationDispense');
    assert.equal(requests.length, 2);
    assert.equal(dispenses.length, 3);
    for (const d of dispenses) {
      const ref = (d.resource.authorizingPrescription as { reference: string }[])[0]?.reference ?? '';
      assert.ok(requests.includes(ref), 'a dispense names its prescription in the sender’s id space');
    }
    assert.equal(meds.filter((r) => r.category === 'medication').length, 7);
    const contained = meds.find((r) => r.resource.status === 'stopped');
    assert.equal((contained?.resource.medicationReference as { reference: string }).reference, '#med-omeprazol');
    const hosp = ours(await readAs(k.db, k.koepel.keys, hospital.principal, suzanne));
    const appointment = hosp.find((r) => r.resourceType === 'Appointment');
    const leaflet = hosp.find(
      (r) =>
        r.resourceType === 'DocumentReference' && (r.resource.context as { related?: unknown } | undefined)?.related,
    );
    assert.deepEqual((leaflet?.resource.context as { related: unknown }).related, [
      { reference: `Appointment/${appointment?.logicalId ?? ''}` },
    ]);
    const documents = hosp.filter((r) => r.resourceType === 'DocumentReference').map((r) => r.id);
    const attachments = await k.db
      .selectFrom('record_attachment')
      .select(['content_type', 'organisation_id'])
      .where('resource_id', 'in', documents)
      .execute();
    assert.equal(attachments.length, 2);
    assert.ok(
      attachments.every((a) => a.content_type === 'application/pdf' && a.organisation_id === hospital.organisationId),
    );
  });

  test('re-sending a bundle changes nothing: 200 OK, the same versions, no new rows or events', async () => {
    const before = await countRows(k.db);
    // Senders make new urn:uuids for every message: that alone is no change.
    const res = await post(gp, withFreshUuids(fixture('gp-bundle.json'), 'c0ffee01'));
    assert.equal(res.status, 200, res.text.slice(0, 500));
    for (const e of bundleOf(res).entry) {
      assert.equal(e.response.status, '200 OK');
      assert.match(e.response.location, /\/_history\/1$/);
    }
    assert.deepEqual(await countRows(k.db), before);
  });

  test('a changed resource gets a new version and a "record changed" event; the rest stays as it was', async () => {
    const bundle = bundleFixture('gp-bundle.json');
    const index = bundle.entry.findIndex((e) => e.resource.resourceType === 'Observation');
    (bundle.entry[index]?.resource.valueQuantity as { value: number }).value = 7.7;
    const practitioner = bundle.entry.findIndex((e) => e.resource.resourceType === 'Practitioner');
    const names = bundle.entry[practitioner]?.resource.name as { text: string }[];
    names[0] = { ...names[0], text: 'Dr. A.B. Huisman' };
    const before = await countRows(k.db);
    const res = await post(gp, bundle);
    assert.equal(res.status, 200, res.text.slice(0, 500));
    const changed = entryAt(res, index);
    assert.equal(changed.status, '200 OK');
    assert.match(changed.location, /^Observation\/.+\/_history\/2$/);
    assert.equal(changed.etag, 'W/"2"');
    assert.match(entryAt(res, practitioner).location, /^Practitioner\/.+\/_history\/2$/);
    const others = bundleOf(res).entry.filter((_, i) => i !== index && i !== practitioner);
    assert.ok(others.every((e) => e.response.location.endsWith('/_history/1')));
    const after = await countRows(k.db);
    assert.equal(after.record_resource, before.record_resource);
    assert.equal(after.record_event, before.record_event + 1);
    const id = LOCATION.exec(changed.location)?.[2] ?? '';
    const events = await k.db.selectFrom('record_event').select('kind').where('resource_id', '=', id).execute();
    assert.deepEqual(events.map((e) => e.kind).sort(), ['record.changed', 'result.new']);
  });

  test('PUT and POST of single resources: by logical id, by earlier Patient id, by BSN identifier', async () => {
    const token = tokens.get(gp) ?? null;
    // The GP bundle sent its Patient as PUT Patient/ha-1001: later messages may name it so.
    const put = () =>
      fhir(
        k.url,
        token,
        'PUT',
        '/fhir/Observation/obs-put-1',
        observation('ignored', { reference: 'Patient/ha-1001' }),
      );
    const first = await put();
    assert.equal(first.status, 201, first.text);
    // PUT honours the id; the Location is absolute.
    assert.equal(first.headers.get('location'), `${k.url}/fhir/Observation/obs-put-1/_history/1`);
    assert.equal(first.headers.get('etag'), 'W/"1"');
    assert.equal(issues(first)[0]?.code, 'informational');
    const again = await put();
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('location'), first.headers.get('location'));

    // Without an identifier, PUT keys the resource by its logical id.
    const bare = observation('x', { reference: 'Patient/ha-1001' });
    delete bare.identifier;
    const byId = await fhir(k.url, token, 'PUT', '/fhir/Observation/obs-put-2', bare);
    assert.equal(byId.status, 201);
    const key = await k.db
      .selectFrom('record_resource')
      .select('source_key')
      .where('logical_id', '=', /Observation\/([\w.-]+)\//.exec(byId.headers.get('location') ?? '')?.[1] ?? '')
      .executeTakeFirstOrThrow();
    assert.equal(key.source_key, 'id|obs-put-2');

    const post1 = await fhir(k.url, token, 'POST', '/fhir/Condition', {
      resourceType: 'Condition',
      identifier: [{ system: 'urn:test:episode', value: 'c-1' }],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'W78', display: 'Zwangerschap' }] },
      subject: { identifier: { system: BSN_SYSTEM, value: DEMO.suzanne } },
      onsetDateTime: '2026-09-01',
    });
    assert.equal(post1.status, 201, post1.text);
    const stored = await readAs(k.db, k.koepel.keys, gp.principal, suzanne);
    const pregnancy = stored.find((r) => r.resourceType === 'Condition' && r.resource.onsetDateTime === '2026-09-01');
    assert.equal(pregnancy?.category, 'sensitivities', 'pregnancy is a particular');
    assert.deepEqual(pregnancy?.resource.subject, { reference: `Patient/${suzanne}` }, 'no BSN outside the Patient');

    const mismatch = await refused(
      () =>
        fhir(k.url, token, 'PUT', '/fhir/Observation/obs-a', {
          ...observation('y', { reference: 'Patient/ha-1001' }),
          id: 'obs-b',
        }),
      422,
    );
    assert.deepEqual(issues(mismatch)[0]?.expression, ['Observation.id']);
    const wrongType = await refused(
      () => fhir(k.url, token, 'POST', '/fhir/Condition', observation('z', { reference: 'Patient/ha-1001' })),
      422,
    );
    assert.match(issues(wrongType)[0]?.diagnostics ?? '', /request url names Condition/);
  });

  test('a Patient known only by BSN (conditional update) is keyed by a blind index: no BSN in the clear', async () => {
    const conditional = (value: string) => ({
      fullUrl: 'urn:uuid:cp',
      resource: { resourceType: 'Patient', identifier: [{ system: BSN_SYSTEM, value: DEMO.suzanne }] },
      request: { method: 'PUT', url: `Patient?identifier=${encodeURIComponent(`${BSN_SYSTEM}|${value}`)}` },
    });
    const ok = await post(gp, transaction(conditional(DEMO.suzanne)));
    assert.equal(ok.status, 200, ok.text);
    // One Patient per organisation and citizen: the GP's Patient ha-1001 (test 1), now keyed by the BSN index.
    const id = LOCATION.exec(entryAt(ok, 0).location)?.[2] ?? '';
    assert.equal(id, 'ha-1001');
    const row = await k.db
      .selectFrom('record_resource')
      .select('source_key')
      .where('logical_id', '=', id)
      .where('organisation_id', '=', gp.organisationId)
      .executeTakeFirstOrThrow();
    assert.match(row.source_key, /^bsn-index\|[0-9a-f]{64}$/);
    const clear = await k.db
      .selectFrom('record_resource')
      .select('id')
      .where('source_key', 'like', '%99999%')
      .execute();
    assert.equal(clear.length, 0, 'no source key holds a BSN');
    assert.equal(entryAt(await post(gp, transaction(conditional(DEMO.suzanne))), 0).status, '200 OK');
    // The identifier in the url must be the resource's own.
    const other = await refused(() => post(gp, transaction(conditional(DEMO.pieter))), 422);
    assert.deepEqual(issues(other)[0]?.expression, ['Bundle.entry[0].resource.identifier']);
  });

  describe('refusals: a clear OperationOutcome and nothing stored', () => {
    const suz = () => ({ identifier: { system: BSN_SYSTEM, value: DEMO.suzanne } });

    test('unknown resource type', async () => {
      const res = await refused(
        () =>
          post(gp, transaction(entry(observation('ok-1', suz())), entry({ resourceType: 'Claim', status: 'active' }))),
        400,
      );
      const [i] = issues(res);
      assert.equal(i?.code, 'not-supported');
      assert.deepEqual(i?.expression, ['Bundle.entry[1].resource.resourceType']);
      assert.match(i?.diagnostics ?? '', /Bundle\.entry\[1\] \(Claim\).*not a resource type Koepel accepts/);
      const single = await refused(
        () => fhir(k.url, tokens.get(gp) ?? null, 'POST', '/fhir/Claim', { resourceType: 'Claim' }),
        400,
      );
      assert.equal(issues(single)[0]?.code, 'not-supported');
    });

    test('a BSN that fails the 11-test', async () => {
      const res = await refused(
        () =>
          post(
            gp,
            transaction(
              patientEntry('urn:uuid:p', '999993654'),
              entry(observation('ok-2', { reference: 'urn:uuid:p' })),
            ),
          ),
        422,
      );
      const [i] = issues(res);
      assert.deepEqual(i?.expression, ['Bundle.entry[0].resource.identifier[0].value']);
      assert.match(i?.diagnostics ?? '', /11-test/);
      const asReference = await refused(
        () =>
          post(gp, transaction(entry(observation('ok-3', { identifier: { system: BSN_SYSTEM, value: '123456789' } })))),
        422,
      );
      assert.deepEqual(issues(asReference)[0]?.expression, ['Bundle.entry[0].resource.subject.identifier.value']);
    });

    test('a valid BSN without a care relationship: refused in the same words whether or not the citizen exists', async () => {
      // Noor is a Koepel citizen without any relationship; 999990056 is a valid test BSN nobody in Koepel has.
      const noor = await refused(
        () =>
          post(
            gp,
            transaction(patientEntry('urn:uuid:p', DEMO.noor), entry(observation('n-1', { reference: 'urn:uuid:p' }))),
          ),
        422,
      );
      const nobody = await refused(
        () =>
          post(
            gp,
            transaction(
              patientEntry('urn:uuid:p', '999990056'),
              entry(observation('n-1', { reference: 'urn:uuid:p' })),
            ),
          ),
        422,
      );
      assert.deepEqual(noor.json, nobody.json);
      assert.equal(issues(noor)[0]?.code, 'not-found');
      assert.deepEqual(issues(noor)[0]?.expression, ['Bundle.entry[0].resource.identifier']);
      const denied = await k.db
        .selectFrom('audit_log')
        .select(['outcome'])
        .where('event_code', '=', 'fhir.patient.refused')
        .where('actor_id', '=', gp.id)
        .execute();
      assert.ok(denied.length >= 2 && denied.every((d) => d.outcome === 'denied'), 'refusals are audited');
    });

    test('missing required fields are named, per entry and field', async () => {
      const incomplete = observation('m-1', suz());
      delete incomplete.code;
      delete incomplete.effectiveDateTime;
      const appointment = {
        resourceType: 'Appointment',
        identifier: [{ system: 'urn:test:appt', value: 'a-1' }],
        participant: [{ actor: suz() }],
      };
      const res = await refused(
        () => post(gp, transaction(entry(observation('ok-4', suz())), entry(incomplete), entry(appointment))),
        422,
      );
      const found = issues(res).map((i) => i.expression?.[0]);
      assert.ok(found.includes('Bundle.entry[1].resource.code'), JSON.stringify(found));
      assert.ok(!found.includes('Bundle.entry[1].resource.effective[x]'), 'effective[x] is 0..1 in FHIR R4');
      assert.ok(found.includes('Bundle.entry[2].resource.status'), JSON.stringify(found));
      // start is 0..1, but a booked appointment must have one (FHIR invariant app-3), reported on the resource.
      const app3 = issues(res).find((i) => i.expression?.[0] === 'Bundle.entry[2].resource');
      assert.match(app3?.diagnostics ?? '', /breaks a FHIR rule: constraint app-3/i);
      const code = issues(res).find((i) => i.expression?.[0] === 'Bundle.entry[1].resource.code');
      assert.equal(code?.code, 'required');
      assert.match(code?.diagnostics ?? '', /^Bundle\.entry\[1\] \(Observation\): code/);

      // Any coding system is accepted (a SNOMED CT zib observation); a code the required value set does not have is not.
      const snomed = observation('m-2', suz());
      snomed.code = { coding: [{ system: 'http://snomed.info/sct', code: '271026005' }] };
      snomed.status = 'done';
      const status = await refused(() => post(gp, transaction(entry(snomed))), 422);
      assert.deepEqual(
        issues(status).map((i) => i.expression?.[0]),
        ['Bundle.entry[0].resource.status'],
        'only the status is wrong',
      );
      assert.match(issues(status)[0]?.diagnostics ?? '', /not one of the codes its required value set allows/);
      const noSource = observation('m-3', suz());
      delete noSource.identifier;
      const key = await refused(() => post(gp, transaction(entry(noSource))), 422);
      assert.deepEqual(issues(key)[0]?.expression, ['Bundle.entry[0].resource.identifier']);
      const noPatient = observation('m-4', suz());
      delete noPatient.subject;
      const subject = await refused(() => post(gp, transaction(entry(noPatient))), 422);
      assert.deepEqual(issues(subject)[0]?.expression, ['Bundle.entry[0].resource.subject']);
      const medication = {
        resourceType: 'MedicationStatement',
        identifier: [{ system: 'urn:test:ms', value: 'ms-1' }],
        status: 'active',
        subject: suz(),
      };
      const med = await refused(() => post(gp, transaction(entry(medication))), 422);
      assert.deepEqual(issues(med)[0]?.expression, ['Bundle.entry[0].resource.medication[x]']);
      assert.equal(issues(med)[0]?.code, 'required');
    });

    test('an oversized attachment (413), and an attachment that is not what its type says', async () => {
      const doc = (contentType: string, data: string) => ({
        resourceType: 'DocumentReference',
        identifier: [{ system: 'urn:test:doc', value: `d-${contentType}` }],
        status: 'current',
        subject: suz(),
        content: [{ attachment: { contentType, data } }],
      });
      const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
      big.write('%PDF-1.4');
      const res = await refused(
        () => post(gp, transaction(entry(doc('application/pdf', big.toString('base64'))))),
        413,
      );
      assert.equal(issues(res)[0]?.code, 'too-long');
      assert.deepEqual(issues(res)[0]?.expression, ['Bundle.entry[0].resource.content[0].attachment.data']);
      const html = Buffer.from('<html><script>alert(1)</script></html>').toString('base64');
      const fake = await refused(() => post(gp, transaction(entry(doc('application/pdf', html)))), 422);
      assert.match(issues(fake)[0]?.diagnostics ?? '', /does not contain application\/pdf/);
      const htmlType = await refused(() => post(gp, transaction(entry(doc('text/html', html)))), 422);
      assert.deepEqual(issues(htmlType)[0]?.expression, ['Bundle.entry[0].resource.content[0].attachment.contentType']);
      const notBase64 = await refused(() => post(gp, transaction(entry(doc('text/plain', 'not base64!')))), 422);
      assert.match(issues(notBase64)[0]?.diagnostics ?? '', /base64/);
    });

    test('a PDF with JavaScript, actions or embedded files is refused, nothing written; a clean PDF is stored', async () => {
      const doc = (value: string, data: Buffer) => ({
        resourceType: 'DocumentReference',
        identifier: [{ system: 'urn:test:doc', value }],
        status: 'current',
        subject: suz(),
        content: [{ attachment: { contentType: 'application/pdf', data: data.toString('base64') } }],
      });
      const clean = await cleanPdf();
      for (const kind of [
        'document-javascript',
        'open-action-javascript',
        'page-aa',
        'launch',
        'embedded-file',
      ] as const) {
        // With a clean letter beside it in the same transaction: neither is stored.
        const active = await activePdf(kind);
        const res = await refused(
          () => post(gp, transaction(entry(doc(`clean-${kind}`, clean)), entry(doc(`js-${kind}`, active)))),
          422,
        );
        const found = issues(res)[0];
        assert.deepEqual(found?.expression, ['Bundle.entry[1].resource.content[0].attachment.data'], kind);
        assert.match(found?.diagnostics ?? '', /is a PDF with active content \(\/\w+\)/, kind);
      }
      const ok = await post(gp, transaction(entry(doc('clean-letter', clean))));
      assert.equal(ok.status, 200, ok.text);
    });

    test('malformed JSON, wrong content type, not a Bundle, too deep', async () => {
      const token = tokens.get(gp) ?? null;
      const malformed = await refused(() => fhir(k.url, token, 'POST', '/fhir', '{"resourceType": "Bundle", '), 400);
      assert.equal(issues(malformed)[0]?.code, 'structure');
      const plain = await refused(() => fhir(k.url, token, 'POST', '/fhir', '<Bundle/>', 'text/plain'), 415);
      assert.equal(issues(plain)[0]?.code, 'not-supported');
      // XML is parsed (src/fhir/xml.integration.test.ts); XML that is not FHIR is refused, here as JSON (Accept).
      const xml = await refused(() => fhir(k.url, token, 'POST', '/fhir', '<Bundle/>', 'application/fhir+xml'), 400);
      assert.equal(issues(xml)[0]?.code, 'structure');
      const collection = await refused(() => post(gp, { resourceType: 'Bundle', type: 'collection', entry: [] }), 400);
      assert.deepEqual(issues(collection)[0]?.expression, ['Bundle.type']);
      const notBundle = await refused(() => post(gp, observation('nb', suz())), 400);
      assert.equal(issues(notBundle)[0]?.code, 'not-supported');
      let deep: unknown = 'x';
      for (let i = 0; i < 200; i++) deep = { a: deep };
      const tooDeep = await refused(
        () => post(gp, transaction(entry({ ...observation('deep', suz()), extension: [deep] }))),
        400,
      );
      assert.equal(issues(tooDeep)[0]?.code, 'structure');
      const proto = await refused(
        () =>
          fhir(
            k.url,
            token,
            'POST',
            '/fhir',
            '{"resourceType":"Bundle","type":"transaction","__proto__":{"polluted":1},"entry":[{}]}',
          ),
        422,
      );
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.ok(issues(proto).length > 0);
      const unknownPath = await fhir(k.url, token, 'DELETE', '/fhir/Observation/x');
      assert.equal(unknownPath.status, 404);
      assert.equal(issues(unknownPath)[0]?.code, 'not-found');
    });

    test('no token, a wrong token, an expired token, a revoked client: 401 OperationOutcome', async () => {
      const body = transaction(entry(observation('t-1', suz())));
      const none = await refused(() => fhir(k.url, null, 'POST', '/fhir', body), 401);
      assert.equal(issues(none)[0]?.code, 'login');
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer realm="koepel-fhir"/);
      const wrong = await refused(() => fhir(k.url, 'x'.repeat(43), 'POST', '/fhir', body), 401);
      assert.match(wrong.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      // A session cookie is no substitute for a token.
      const cookie = await refused(
        () =>
          fetch(`${k.url}/fhir`, {
            method: 'POST',
            headers: { 'content-type': 'application/fhir+json', cookie: '__Host-koepel=abc' },
            body: JSON.stringify(body),
          }).then(async (r) => ({ status: r.status, headers: r.headers, text: await r.text(), json: null })),
        401,
      );
      assert.equal(cookie.status, 401);

      const other = await createApiClient(k.db, gp.organisationId, 'short-lived');
      const token = await tokenFor(k.url, other);
      await k.db
        .updateTable('api_token')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('api_client_id', '=', other.id)
        .execute();
      await refused(() => fhir(k.url, token, 'POST', '/fhir', body), 401);

      const revoked = await createApiClient(k.db, gp.organisationId, 'to be revoked');
      const token2 = await tokenFor(k.url, revoked);
      await k.db.updateTable('api_client').set({ revoked_at: new Date() }).where('id', '=', revoked.id).execute();
      await refused(() => fhir(k.url, token2, 'POST', '/fhir', body), 401);
    });

    test('duplicates and cycles between entries', async () => {
      const dup = await refused(
        () => post(gp, transaction(entry(observation('dup', suz())), entry(observation('dup', suz(), 9)))),
        422,
      );
      assert.equal(issues(dup)[0]?.code, 'duplicate');
      assert.match(issues(dup)[0]?.diagnostics ?? '', /Bundle\.entry\[0\]/);
      const a = { ...observation('cyc-a', suz()), hasMember: [{ reference: 'urn:uuid:b' }] };
      const b = { ...observation('cyc-b', suz()), hasMember: [{ reference: 'urn:uuid:a' }] };
      const cycle = await refused(() => post(gp, transaction(entry(a, 'urn:uuid:a'), entry(b, 'urn:uuid:b'))), 422);
      assert.match(issues(cycle)[0]?.diagnostics ?? '', /cycle/);
    });

    test('a transaction is all or nothing, also when the failure comes after rows were written', async () => {
      // The GP stored obs "shared-1" for Suzanne; now a bundle for Pieter reuses that identifier after a valid write.
      const first = await post(gp, transaction(entry(observation('shared-1', suz()))));
      assert.equal(first.status, 200);
      const res = await refused(
        () =>
          post(
            gp,
            transaction(
              patientEntry('urn:uuid:pieter', DEMO.pieter),
              entry(observation('pieter-new', { reference: 'urn:uuid:pieter' })),
              entry(observation('shared-1', { reference: 'urn:uuid:pieter' })),
            ),
          ),
        409,
      );
      assert.equal(issues(res)[0]?.code, 'conflict');
      assert.match(issues(res)[0]?.diagnostics ?? '', /Bundle\.entry\[2\]/);
    });
  });

  test('[PZ-4] a client cannot write for a citizen whose relationship with its organisation ended (Johannes at the GP)', async () => {
    const johannes = DEMO.johannes;
    for (const body of [
      transaction(patientEntry('urn:uuid:j', johannes), entry(observation('j-1', { reference: 'urn:uuid:j' }))),
      transaction(entry(observation('j-2', { identifier: { system: BSN_SYSTEM, value: johannes } }))),
    ]) {
      const res = await refused(() => post(gp, body), 422);
      assert.equal(issues(res)[0]?.code, 'not-found');
    }
    // The hospital, where Johannes is a patient, can.
    const ok = await post(
      hospital,
      transaction(entry(observation('j-3', { identifier: { system: BSN_SYSTEM, value: johannes } }))),
    );
    assert.equal(ok.status, 200, ok.text);

    // A relationship that ends after data was sent: the client's earlier Patient id no longer reaches the citizen.
    const fatimaBundle = transaction({
      fullUrl: 'urn:uuid:f',
      resource: { resourceType: 'Patient', identifier: [{ system: BSN_SYSTEM, value: DEMO.fatima }] },
      request: { method: 'PUT', url: 'Patient/fatima-77' },
    });
    assert.equal((await post(gp, fatimaBundle)).status, 200);
    const viaId = () => post(gp, transaction(entry(observation('f-1', { reference: 'Patient/fatima-77' }))));
    assert.equal((await viaId()).status, 200);
    const fatima = await citizenId(k.db, k.koepel.keys, DEMO.fatima);
    await k.db
      .updateTable('care_relationship')
      .set({ ended_on: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) })
      .where('organisation_id', '=', gp.organisationId)
      .where('citizen_id', '=', fatima)
      .execute();
    try {
      const res = await refused(viaId, 422);
      assert.equal(issues(res)[0]?.code, 'not-found');
      assert.deepEqual(issues(res)[0]?.expression, ['Bundle.entry[0].resource.subject']);
      await refused(() => post(gp, fatimaBundle), 422);
    } finally {
      await k.db
        .updateTable('care_relationship')
        .set({ ended_on: null })
        .where('organisation_id', '=', gp.organisationId)
        .where('citizen_id', '=', fatima)
        .execute();
    }
  });

  test('[MG-4] a client writes only as its own organisation and reaches only its own patients', async () => {
    // Everything in the resource that names the GP is just data: the writer is the hospital.
    const gpId = gp.organisationId;
    const claims = {
      ...observation('org-claim-1', { identifier: { system: BSN_SYSTEM, value: DEMO.suzanne } }),
      meta: { security: [{ system: 'urn:koepel:organisation', code: gpId }], source: `Organization/${gpId}` },
      performer: [{ reference: `Organization/${gpId}`, display: DEMO.gp }],
      extension: [{ url: 'urn:test:managing-organization', valueReference: { reference: `Organization/${gpId}` } }],
    };
    const res = await post(hospital, transaction(entry(claims)));
    assert.equal(res.status, 200, res.text);
    const id = LOCATION.exec(entryAt(res, 0).location)?.[2] ?? '';
    const row = await k.db
      .selectFrom('record_resource')
      .select(['organisation_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.organisation_id, hospital.organisationId);
    const gpDoctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    const hospitalDoctor = await staffPrincipal(k.db, 'arts@rivierenland.example');
    assert.ok(!(await readAs(k.db, k.koepel.keys, gpDoctor, suzanne)).some((r) => r.id === id), 'not the GP’s data');
    assert.ok((await readAs(k.db, k.koepel.keys, hospitalDoctor, suzanne)).some((r) => r.id === id));
    assert.ok(
      !(await readAs(k.db, k.koepel.keys, gp.principal, suzanne)).some((r) => r.id === id),
      'not readable by the GP’s client',
    );

    // Pieter is no patient of the hospital; the GP's Patient ids (its logical id, or Koepel's id of the GP's
    // Patient resource) mean nothing to the hospital.
    await refused(
      () =>
        post(
          hospital,
          transaction(entry(observation('p-1', { identifier: { system: BSN_SYSTEM, value: DEMO.pieter } }))),
        ),
      422,
    );
    await refused(() => post(hospital, transaction(entry(observation('p-2', { reference: 'Patient/ha-1001' })))), 422);
    const gpPatient = (await readAs(k.db, k.koepel.keys, gp.principal, suzanne)).find(
      (r) => r.resourceType === 'Patient',
    );
    await refused(
      () => post(hospital, transaction(entry(observation('p-3', { reference: `Patient/${gpPatient?.id ?? ''}` })))),
      422,
    );
    // Re-sending another organisation's identifier creates the hospital's own row; the GP's row is untouched.
    const gpRow = await k.db
      .selectFrom('record_resource')
      .select(['id', 'version'])
      .where('organisation_id', '=', gpId)
      .where('source_key', '=', 'urn:test:lab|shared-1')
      .executeTakeFirstOrThrow();
    const same = await post(
      hospital,
      transaction(entry(observation('shared-1', { identifier: { system: BSN_SYSTEM, value: DEMO.suzanne } }, 11))),
    );
    assert.equal(same.status, 200);
    assert.equal(entryAt(same, 0).status, '201 Created');
    const gpAfter = await k.db
      .selectFrom('record_resource')
      .select(['version'])
      .where('id', '=', gpRow.id)
      .executeTakeFirstOrThrow();
    assert.equal(gpAfter.version, gpRow.version);
  });

  test('batch: each entry on its own; a failing entry gets its own OperationOutcome, the others are stored', async () => {
    const before = await countRows(k.db);
    const incomplete = observation('b-2', { identifier: { system: BSN_SYSTEM, value: DEMO.suzanne } });
    delete incomplete.code;
    const res = await post(
      gp,
      batch(
        entry(observation('b-1', { identifier: { system: BSN_SYSTEM, value: DEMO.suzanne } })),
        entry(incomplete),
        entry(observation('b-3', { identifier: { system: BSN_SYSTEM, value: DEMO.noor } })),
        patientEntry('urn:uuid:bad', '123456789'),
        entry(observation('b-5', { reference: 'urn:uuid:bad' })),
        entry({ resourceType: 'Claim' }),
      ),
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(bundleOf(res).type, 'batch-response');
    const statuses = bundleOf(res).entry.map((e) => e.response.status);
    assert.deepEqual(statuses, [
      '201 Created',
      '422 Unprocessable Entity',
      '422 Unprocessable Entity',
      '422 Unprocessable Entity',
      '422 Unprocessable Entity',
      '400 Bad Request',
    ]);
    const outcome = entryAt(res, 1).outcome;
    assert.equal(outcome?.resourceType, 'OperationOutcome');
    assert.deepEqual(outcome?.issue[0]?.expression, ['Bundle.entry[1].resource.code']);
    assert.match(entryAt(res, 4).outcome?.issue[0]?.diagnostics ?? '', /Bundle\.entry\[3\]/);
    const after = await countRows(k.db);
    assert.equal(after.record_resource, before.record_resource + 1);
    assert.ok(!res.text.includes(DEMO.noor));
  });

  test('the largest Bundle allowed (MAX_ENTRIES entries) is stored whole: audit, rows and events for every entry', async () => {
    // 5,000 entries × 15 audit columns would be more parameters than PostgreSQL takes in one statement (65,535).
    const entries = [
      patientEntry('urn:uuid:5a1e0000-0000-4000-8000-000000000001', DEMO.pieter),
      ...Array.from({ length: MAX_ENTRIES - 1 }, (_, i) =>
        entry(
          observation(`max-${i}`, { reference: 'urn:uuid:5a1e0000-0000-4000-8000-000000000001' }, 7 + (i % 30) / 10),
        ),
      ),
    ];
    const before = await countRows(k.db);
    const auditBefore = await k.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('event_code', 'like', 'record.%')
      .executeTakeFirstOrThrow();
    const res = await post(gp, transaction(...entries));
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.equal(bundleOf(res).entry.length, MAX_ENTRIES);
    const after = await countRows(k.db);
    assert.equal(after.record_resource - before.record_resource, MAX_ENTRIES);
    assert.equal(
      after.record_event - before.record_event,
      MAX_ENTRIES - 1,
      'an event per result, none for the Patient',
    );
    const auditAfter = await k.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('event_code', 'like', 'record.%')
      .executeTakeFirstOrThrow();
    assert.equal(auditAfter.n - auditBefore.n, MAX_ENTRIES + 1, 'one per entry and the match');
  });

  test('ingestBundle works without HTTP (for the bench and imports)', async () => {
    const ctx = clientContext({ db: k.db, keys: k.koepel.keys }, pharmacy.principal);
    const result = await ingestBundle(ctx, withFreshUuids(fixture('pharmacy-bundle.json'), 'abcdef12'));
    assert.equal(result.status, 200);
    assert.ok('entry' in result.body && result.body.entry.every((e) => e.response.status === '200 OK'));
    const bad = await ingestBundle(ctx, {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: {}, request: { method: 'POST', url: 'Observation' } }],
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.resourceType, 'OperationOutcome');
  });
});
