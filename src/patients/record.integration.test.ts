// The staff record view against a real Koepel: each organisation sees exactly its own data about a shared patient
// (MG-4), never a patient of another organisation or one whose care relationship ended (PZ-4), only with
// record:read, and every view is audited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { csrfFrom, HttpClient, type Response } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { newApiClient, pushEveryType, type ClientPrincipal } from '../fhir/read/testkit.js';
import { parseBsn } from '../identity/bsn.js';
import { bsnIndex } from '../identity/citizens.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { NO_ACCESS_POINT, writeAudit } from '../platform/audit/audit.js';
import { withPrincipal } from '../platform/db/principal.js';
import type { WriteResult } from '../record/store.js';
import { loginStaff } from '../staff/login.testkit.js';

const GP_DOCTOR = 'huisarts@delinde.example';
const GP_PRIVACY = 'privacy@delinde.example';
const HOSPITAL_DOCTOR = 'arts@rivierenland.example';

/** The texts of every type that everyType(marker) writes, as the staff page shows them. */
const markers = (m: string) => [
  `Controle ${m}`,
  `Lage rugpijn ${m}`,
  `Diabetes mellitus ${m}`,
  `Penicilline-allergie ${m}`,
  `Hemoglobine ${m}`,
  `Brief ${m}`,
  `Metformine ${m}`,
  `Enalapril ${m}`,
  `Enalapril uitgifte ${m}`,
  `Zorgteam ${m}`,
  `Dokter ${m}`,
];

describe('staff record view', () => {
  let k: TestKoepel;
  let gp: string;
  let suzanne: string;
  let pieter: string;
  let johannes: string;
  let gpClient: ClientPrincipal;
  let gpWrites: WriteResult[];
  let hospitalWrites: WriteResult[];
  const staff = new Map<string, HttpClient>();

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    const hospital = await orgId(k.db, DEMO.hospital);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    johannes = await citizenId(k.db, k.koepel.keys, DEMO.johannes);
    gpClient = await newApiClient(k.db, gp);
    const hospitalClient = await newApiClient(k.db, hospital);
    gpWrites = await pushEveryType(k.db, k.koepel.keys, gpClient, suzanne, 'HA-S');
    hospitalWrites = await pushEveryType(k.db, k.koepel.keys, hospitalClient, suzanne, 'ZH-S');
    // Johannes' GP relationship ended in 2025; the GP's data about him from before is still stored.
    await k.db
      .updateTable('care_relationship')
      .set({ ended_on: null })
      .where('organisation_id', '=', gp)
      .where('citizen_id', '=', johannes)
      .execute();
    await pushEveryType(k.db, k.koepel.keys, gpClient, johannes, 'HA-J');
    await k.db
      .updateTable('care_relationship')
      .set({ ended_on: '2025-06-30' })
      .where('organisation_id', '=', gp)
      .where('citizen_id', '=', johannes)
      .execute();
    for (const email of [GP_DOCTOR, GP_PRIVACY, HOSPITAL_DOCTOR])
      staff.set(email, (await loginStaff(k.url, email)).client);
  });
  after(async () => {
    await k.close();
  });

  const as = (email: string) => {
    const c = staff.get(email);
    if (!c) throw new Error(email);
    return c;
  };
  const open = (email: string, citizen: string) => as(email).get(`/staff/patients/${citizen}/record`);
  const staffId = async (email: string) =>
    (await k.db.selectFrom('staff_account').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  function assertShows(page: Response, own: string, other: string): void {
    assert.equal(page.status, 200);
    for (const m of markers(own)) assert.ok(page.text.includes(m), `shows ${m}`);
    for (const m of markers(other)) assert.ok(!page.text.includes(m), `hides ${m}`);
  }

  test('[MG-4] two organisations hold data on one citizen: each staff side sees only its own, the citizen both', async () => {
    // The GP does not offer correspondence to citizens in the demo (MG-1); its own staff still see all of it.
    const gpPage = await open(GP_DOCTOR, suzanne);
    assertShows(gpPage, 'HA-S', 'ZH-S');
    assert.match(gpPage.text, /Suzanne Maria de Vries/);
    assert.match(gpPage.text, /HA-1001/);
    assertShows(await open(HOSPITAL_DOCTOR, suzanne), 'ZH-S', 'HA-S');

    // The citizen sees both, through the citizen API (every category offered for this check).
    await k.db
      .updateTable('organisation')
      .set({
        record_categories: ['appointments', 'episodes', 'sensitivities', 'lab', 'documents', 'medication', 'careteam'],
      })
      .execute();
    const citizen = new HttpClient(k.url);
    await loginWithDigid(citizen, DEMO.suzanne);
    const everything = await citizen.get(`/fhir/Patient/${suzanne}/$everything`);
    assert.equal(everything.status, 200);
    for (const m of [...markers('HA-S'), ...markers('ZH-S')]) assert.ok(everything.text.includes(m), m);

    // Documents download for the own organisation only.
    const gpDoc = gpWrites.find((w) => w.resourceType === 'DocumentReference');
    const hDoc = hospitalWrites.find((w) => w.resourceType === 'DocumentReference');
    assert.ok(gpDoc && hDoc);
    assert.match(gpPage.text, new RegExp(`href="/staff/patients/${suzanne}/record/documents/${gpDoc.id}/0"`));
    const pdf = await as(GP_DOCTOR).get(`/staff/patients/${suzanne}/record/documents/${gpDoc.id}/0`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.match(pdf.headers.get('content-disposition') ?? '', /^attachment/);
    assert.equal(pdf.text, '%PDF-1.4 brief HA-S');
    const other = await as(GP_DOCTOR).get(`/staff/patients/${suzanne}/record/documents/${hDoc.id}/0`);
    assert.equal(other.status, 404);
    assert.doesNotMatch(other.text, /ZH-S/);

    // Both views are in Suzanne's audit trail, each under its own organisation.
    const views = await k.db
      .selectFrom('audit_log')
      .select(['actor_id', 'actor_organisation_id', 'outcome'])
      .where('event_code', '=', 'patient.record.view')
      .where('citizen_id', '=', suzanne)
      .execute();
    const doctor = await staffId(GP_DOCTOR);
    const hospitalDoctor = await staffId(HOSPITAL_DOCTOR);
    assert.ok(views.some((v) => v.actor_id === doctor && v.actor_organisation_id === gp && v.outcome === 'success'));
    assert.ok(views.some((v) => v.actor_id === hospitalDoctor && v.actor_organisation_id !== gp));
    const download = await k.db
      .selectFrom('audit_log')
      .select('resource_id')
      .where('event_code', '=', 'patient.record.document')
      .where('actor_id', '=', doctor)
      .where('citizen_id', '=', suzanne)
      .execute();
    assert.ok(download.some((d) => d.resource_id === gpDoc.id));
  });

  test('the record speaks the page’s language: Dutch captions and counts in Dutch, English ones in English', async () => {
    const captions = (page: Response) =>
      [...page.text.matchAll(/<caption[^>]*>([^<]*)<\/caption>/g)].map((m) => m[1] ?? '');
    const nl = captions(await open(GP_DOCTOR, suzanne));
    assert.ok(nl.length >= 5, nl.join(' | '));
    assert.ok(
      nl.some((c) => /^Documenten \((1 document|\d+ documenten)\)$/.test(c)),
      nl.join(' | '),
    );
    assert.ok(
      nl.some((c) => /^Laboratoriumuitslagen \(\d+ uitslag(en)?\)$/.test(c)),
      nl.join(' | '),
    );
    for (const c of nl) assert.doesNotMatch(c, /\b(items?|results?|Documents)\b/, c);
    const client = as(GP_DOCTOR);
    try {
      await client.get('/language?lang=en&return=/staff');
      const en = captions(await open(GP_DOCTOR, suzanne));
      assert.ok(
        en.some((c) => /^Documents \((1 document|\d+ documents)\)$/.test(c)),
        en.join(' | '),
      );
      assert.ok(
        en.some((c) => /^Laboratory results \(\d+ results?\)$/.test(c)),
        en.join(' | '),
      );
    } finally {
      await client.get('/language?lang=nl&return=/staff');
    }
  });

  test('the search result links to the record by the citizen’s Koepel id only', async () => {
    const form = await as(GP_DOCTOR).get('/staff');
    const result = await as(GP_DOCTOR).post('/staff/patients/search', {
      _csrf: csrfFrom(form.text),
      name: 'vries',
      born: '',
    });
    assert.equal(result.status, 200);
    const links = [...result.text.matchAll(/href="(\/staff\/patients\/[^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(links, [`/staff/patients/${suzanne}/record`]);
    // Without record:read there is no link (the privacy officer cannot even search).
    assert.equal(
      (
        await as(GP_PRIVACY).post('/staff/patients/search', {
          _csrf: csrfFrom((await as(GP_PRIVACY).get('/staff')).text),
          name: 'vries',
          born: '',
        })
      ).status,
      403,
    );
  });

  test('a patient of another organisation, or an unknown id, is not found — and no audit record names them', async () => {
    const doctor = await staffId(HOSPITAL_DOCTOR);
    const notFound = await open(HOSPITAL_DOCTOR, pieter);
    assert.equal(notFound.status, 404);
    assert.doesNotMatch(notFound.text, /Pieter|HA-1002/);
    const unknown = await open(HOSPITAL_DOCTOR, '00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.status, 404);
    assert.equal((await open(HOSPITAL_DOCTOR, 'not-a-uuid')).status, 404);
    assert.equal((await open(HOSPITAL_DOCTOR, DEMO.pieter)).status, 404, 'a BSN is not an id');
    const named = await k.db
      .selectFrom('audit_log')
      .select('id')
      .where('actor_id', '=', doctor)
      .where('citizen_id', '=', pieter)
      .execute();
    assert.equal(named.length, 0);
    const denied = await k.db
      .selectFrom('audit_log')
      .select(['outcome', 'citizen_id'])
      .where('actor_id', '=', doctor)
      .where('event_code', '=', 'patient.record.view')
      .where('outcome', '=', 'denied')
      .execute();
    assert.ok(denied.length >= 2, 'the attempts are logged for the employee');
    // Someone else's document through one's own patient's URL: 404.
    const gpDoc = gpWrites.find((w) => w.resourceType === 'DocumentReference');
    assert.equal(
      (await as(HOSPITAL_DOCTOR).get(`/staff/patients/${suzanne}/record/documents/${gpDoc?.id ?? ''}/0`)).status,
      404,
    );
  });

  test('[PZ-4] a citizen whose relationship with the GP ended is not found there, by staff or by its API client', async () => {
    const page = await open(GP_DOCTOR, johannes);
    assert.equal(page.status, 404);
    assert.doesNotMatch(page.text, /HA-J|Johannes/);
    // The hospital still treats him.
    const hospitalPage = await open(HOSPITAL_DOCTOR, johannes);
    assert.equal(hospitalPage.status, 200);
    assert.doesNotMatch(hospitalPage.text, /HA-J/);
    // The GP's API client can neither match him by BSN nor read what it once sent.
    const bsn = parseBsn(DEMO.johannes);
    assert.ok(bsn);
    const seen = await withPrincipal(k.db, gpClient, async (tx) => {
      const match = await sql<{
        id: string | null;
      }>`select koepel_match_patient(${bsnIndex(k.koepel.keys, bsn)}) as id`.execute(tx);
      await writeAudit(tx, gpClient, NO_ACCESS_POINT, [{ event: 'test.read', action: 'R', citizenId: johannes }]);
      const rows = await tx.selectFrom('record_resource').select('id').where('citizen_id', '=', johannes).execute();
      return { match: match.rows[0]?.id ?? null, rows: rows.length };
    });
    assert.deepEqual(seen, { match: null, rows: 0 });
    // The data is still there (the relationship only hides it).
    const stored = await k.db
      .selectFrom('record_resource')
      .select('id')
      .where('citizen_id', '=', johannes)
      .where('organisation_id', '=', gp)
      .execute();
    assert.ok(stored.length > 0);
  });

  test('staff without record:read get 403, before anything is read', async () => {
    const officer = await staffId(GP_PRIVACY);
    const r = await open(GP_PRIVACY, suzanne);
    assert.equal(r.status, 403);
    assert.doesNotMatch(r.text, /HA-S|Vries/);
    const gpDoc = gpWrites.find((w) => w.resourceType === 'DocumentReference');
    assert.equal(
      (await as(GP_PRIVACY).get(`/staff/patients/${suzanne}/record/documents/${gpDoc?.id ?? ''}/0`)).status,
      403,
    );
    const named = await k.db
      .selectFrom('audit_log')
      .select('id')
      .where('actor_id', '=', officer)
      .where('citizen_id', '=', suzanne)
      .execute();
    assert.equal(named.length, 0);
    // A citizen session is not staff either.
    const citizen = new HttpClient(k.url);
    await loginWithDigid(citizen, DEMO.suzanne);
    assert.equal((await citizen.get(`/staff/patients/${suzanne}/record`)).status, 401);
  });
});
