// MG-7 over HTTP against a real Koepel: the citizen asks their GP for more of their record, the GP's staff see and
// grant or decline it, another organisation's staff see nothing of it, and after a grant the citizen sees that
// category of that organisation — and of no other. Bad input is a clear 4xx that stores nothing.
import { RECORD_CATEGORIES } from '../record/index.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { csrfFrom, HttpClient, type Response } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { newApiClient, pushEveryType } from '../fhir/read/testkit.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import type { RecordCategory } from '../platform/db/schema.js';
import { loginStaff } from '../staff/login.testkit.js';
import { withPrincipal } from '../platform/db/principal.js';
import { staffPrincipal } from '../../test/support/principals.js';

const GP_DOCTOR = 'huisarts@delinde.example';
const GP_PRIVACY = 'privacy@delinde.example';
const HOSPITAL_DOCTOR = 'arts@rivierenland.example';

/** What both organisations offer in this test: everything but letters and lab results. */
// Every category but lab results and letters is offered.
const OFFERED: RecordCategory[] = RECORD_CATEGORIES.filter((c) => c !== 'lab' && c !== 'documents');

describe('record requests (MG-7)', () => {
  let k: TestKoepel;
  let gp: string;
  let hospital: string;
  let physio: string;
  let suzanne: string;
  let citizen: HttpClient;
  const staff = new Map<string, { client: HttpClient; csrf: string }>();

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    physio = await orgId(k.db, DEMO.physio);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    await k.db
      .updateTable('organisation')
      .set({ record_categories: OFFERED })
      .where('id', 'in', [gp, hospital])
      .execute();
    await pushEveryType(k.db, k.koepel.keys, await newApiClient(k.db, gp), suzanne, 'HA-S');
    await pushEveryType(k.db, k.koepel.keys, await newApiClient(k.db, hospital), suzanne, 'ZH-S');
    citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);
    for (const email of [GP_DOCTOR, GP_PRIVACY, HOSPITAL_DOCTOR]) {
      const { client, page } = await loginStaff(k.url, email);
      staff.set(email, { client, csrf: csrfFrom(page.text) });
    }
  });
  after(async () => {
    await k.close();
  });

  const as = (email: string) => {
    const s = staff.get(email);
    if (!s) throw new Error(email);
    return s;
  };
  const everything = async () => (await citizen.get(`/fhir/Patient/${suzanne}/$everything`)).text;
  const requestRows = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from record_access_request`.execute(k.db)).rows[0]?.n ?? 0;
  const auditRows = async (event: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from audit_log where event_code = ${event}`.execute(k.db))
      .rows[0]?.n ?? 0;

  async function ask(organisation: string, form: Record<string, string | readonly string[]>): Promise<Response> {
    const page = await citizen.get(`/record-requests/new/${organisation}`);
    assert.equal(page.status, 200);
    return postAsCitizen({ _csrf: csrfFrom(page.text), organisation, ...form });
  }
  function postAsCitizen(form: Record<string, string | readonly string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [key, v] of Object.entries(form)) for (const x of typeof v === 'string' ? [v] : v) body.append(key, x);
    return citizen.request('POST', '/record-requests', body.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }
  function staffPost(email: string, path: string, form: Record<string, string | readonly string[]>): Promise<Response> {
    const s = as(email);
    const body = new URLSearchParams({ _csrf: s.csrf });
    for (const [key, v] of Object.entries(form)) for (const x of typeof v === 'string' ? [v] : v) body.append(key, x);
    return s.client.request('POST', path, body.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }
  const openRequestId = async () =>
    (
      await k.db
        .selectFrom('record_access_request')
        .select('id')
        .where('citizen_id', '=', suzanne)
        .where('organisation_id', '=', gp)
        .where('status', '=', 'open')
        .executeTakeFirstOrThrow()
    ).id;

  test('[MG-7] the citizen asks the GP for letters; only the GP sees it; after the grant the citizen sees the GP’s letters, no other', async () => {
    // Before: neither organisation's letters, no lab results.
    let record = await everything();
    for (const absent of ['Brief HA-S', 'Brief ZH-S', 'Hemoglobine HA-S']) assert.ok(!record.includes(absent), absent);
    assert.ok(record.includes('Lage rugpijn HA-S'));

    const overview = await citizen.get('/record-requests');
    assert.equal(overview.status, 200);
    assert.match(overview.text, new RegExp(`href="/record-requests/new/${gp}"`));
    assert.doesNotMatch(overview.text, new RegExp(`/record-requests/new/${physio}`), 'not a care provider');
    const form = await citizen.get(`/record-requests/new/${gp}`);
    const offered = [...form.text.matchAll(/name="categories"[^>]*value="([a-z]+)"/g)].map((m) => m[1]);
    assert.deepEqual(offered, ['lab', 'documents']);

    const note = 'Ik wil de brief van de specialist nalezen.';
    const sent = await ask(gp, { categories: 'documents', note });
    assert.equal(sent.status, 303);
    assert.equal(sent.location, '/record-requests?sent=1');
    const row = await k.db
      .selectFrom('record_access_request')
      .selectAll()
      .where('citizen_id', '=', suzanne)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row.categories, ['documents']);
    assert.equal(row.status, 'open');
    assert.ok(
      row.note_ciphertext && !Buffer.from(row.note_ciphertext).toString('latin1').includes('specialist'),
      'encrypted',
    );
    const mine = await citizen.get('/record-requests?sent=1');
    assert.match(mine.text, /Uw verzoek is verstuurd/);
    assert.match(mine.text, /In behandeling/);
    assert.match(mine.text, /U heeft een open verzoek bij deze zorgverlener voor: Brieven en verslagen/);

    // The GP's staff see it, each shown patient audited; the hospital's staff see nothing and cannot act on it.
    const listedBefore = await auditRows('record.request.list');
    const list = await as(GP_DOCTOR).client.get('/staff/record-requests');
    assert.equal(list.status, 200);
    assert.match(list.text, /Suzanne Maria de Vries/);
    assert.match(list.text, new RegExp(`href="/staff/record-requests/${row.id}"`));
    assert.equal(await auditRows('record.request.list'), listedBefore + 1);
    const hList = await as(HOSPITAL_DOCTOR).client.get('/staff/record-requests');
    assert.equal(hList.status, 200);
    assert.doesNotMatch(hList.text, /Suzanne|Vries/);
    assert.equal((await as(HOSPITAL_DOCTOR).client.get(`/staff/record-requests/${row.id}`)).status, 404);
    assert.equal(
      (await staffPost(HOSPITAL_DOCTOR, `/staff/record-requests/${row.id}/grant`, { categories: 'documents' })).status,
      404,
    );
    assert.equal(
      (await staffPost(HOSPITAL_DOCTOR, `/staff/record-requests/${row.id}/decline`, { reason: 'nee' })).status,
      404,
    );
    assert.equal((await as(GP_PRIVACY).client.get('/staff/record-requests')).status, 403);
    assert.match((await as(GP_DOCTOR).client.get('/staff')).text, /href="\/staff\/record-requests"/);
    assert.doesNotMatch((await as(GP_PRIVACY).client.get('/staff')).text, /href="\/staff\/record-requests"/);

    const detail = await as(GP_DOCTOR).client.get(`/staff/record-requests/${row.id}`);
    assert.equal(detail.status, 200);
    assert.ok(detail.text.includes(note), 'the note is decrypted for the GP');
    const granted = await staffPost(GP_DOCTOR, `/staff/record-requests/${row.id}/grant`, {
      categories: 'documents',
      response: 'Graag gedaan.',
    });
    assert.equal(granted.status, 303);
    assert.equal(granted.location, '/staff/record-requests?handled=granted');
    const handled = await k.db
      .selectFrom('record_access_request')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    assert.equal(handled.status, 'granted');
    assert.ok(handled.handled_at);
    const doctor = await k.db
      .selectFrom('staff_account')
      .select('id')
      .where('email', '=', GP_DOCTOR)
      .executeTakeFirstOrThrow();
    assert.equal(handled.handled_by, doctor.id);
    const grants = await k.db
      .selectFrom('record_category_grant')
      .selectAll()
      .where('citizen_id', '=', suzanne)
      .execute();
    assert.deepEqual(
      grants.map((g) => [g.organisation_id, g.category]),
      [[gp, 'documents']],
    );

    // The citizen now sees the GP's letters — not the hospital's, and no lab results.
    record = await everything();
    assert.ok(record.includes('Brief HA-S'));
    for (const absent of ['Brief ZH-S', 'Hemoglobine HA-S']) assert.ok(!record.includes(absent), absent);
    const answered = await citizen.get('/record-requests');
    assert.match(answered.text, /Toegekend: Brieven en verslagen/);
    assert.match(answered.text, /Graag gedaan\./);
    // Handled once: a second decision is refused.
    assert.equal(
      (await staffPost(GP_DOCTOR, `/staff/record-requests/${row.id}/decline`, { reason: 'toch niet' })).status,
      409,
    );
    assert.equal(
      (
        await k.db
          .selectFrom('record_access_request')
          .select('status')
          .where('id', '=', row.id)
          .executeTakeFirstOrThrow()
      ).status,
      'granted',
    );
  });

  test('[MG-7] decline path: a reason is required, the citizen sees it, nothing is granted', async () => {
    assert.equal((await ask(gp, { categories: 'lab', note: '' })).status, 303);
    const id = await openRequestId();
    const row = await k.db
      .selectFrom('record_access_request')
      .select('note_ciphertext')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.note_ciphertext, null, 'no note, nothing stored');
    // Bad decisions: nothing changes.
    for (const [path, form, status] of [
      [`/staff/record-requests/${id}/decline`, { reason: '  ' }, 400],
      [`/staff/record-requests/${id}/decline`, { reason: 'x'.repeat(1001) }, 400],
      [`/staff/record-requests/${id}/grant`, {}, 400],
      [`/staff/record-requests/${id}/grant`, { categories: 'documents' }, 400],
      [`/staff/record-requests/${id}/grant`, { categories: ['lab', 'xray'] }, 400],
      [`/staff/record-requests/${id}/grant`, { categories: 'lab', response: 'x'.repeat(1001) }, 400],
    ] as const) {
      const r = await staffPost(GP_DOCTOR, path, form);
      assert.equal(r.status, status, `${path} ${JSON.stringify(form).slice(0, 40)}`);
      assert.match(r.text, /Er is een probleem/);
    }
    const noCsrf = await as(GP_DOCTOR).client.post(`/staff/record-requests/${id}/grant`, { categories: 'lab' });
    assert.equal(noCsrf.status, 403);
    assert.equal(
      (await k.db.selectFrom('record_access_request').select('status').where('id', '=', id).executeTakeFirstOrThrow())
        .status,
      'open',
    );

    const reason = 'Laten we de uitslagen samen op het spreekuur bespreken.';
    const declined = await staffPost(GP_DOCTOR, `/staff/record-requests/${id}/decline`, { reason });
    assert.equal(declined.status, 303);
    assert.equal(declined.location, '/staff/record-requests?handled=declined');
    const grants = await k.db
      .selectFrom('record_category_grant')
      .select('category')
      .where('citizen_id', '=', suzanne)
      .execute();
    assert.deepEqual(
      grants.map((g) => g.category),
      ['documents'],
    );
    assert.ok(!(await everything()).includes('Hemoglobine HA-S'));
    const mine = await citizen.get('/record-requests');
    assert.match(mine.text, /Afgewezen/);
    assert.ok(mine.text.includes(reason));
    // Declined: the citizen may ask again.
    assert.match(mine.text, new RegExp(`href="/record-requests/new/${gp}"`));

    // Once the relationship has ended, the organisation's words are out of reach (its key is, migration 0011) —
    // every time, not only when the key happens not to be in the server's memory (it is: the page above used it).
    const relationship = k.db
      .updateTable('care_relationship')
      .where('citizen_id', '=', suzanne)
      .where('organisation_id', '=', gp);
    await relationship.set({ ended_on: sql<string>`current_date` }).execute();
    try {
      const after = await citizen.get('/record-requests');
      assert.equal(after.status, 200);
      assert.match(after.text, /Afgewezen/, 'the request itself is still listed');
      assert.ok(!after.text.includes(reason), "a former GP's answer shown after the relationship ended");
    } finally {
      await relationship.set({ ended_on: null }).execute();
    }
  });

  test('[MG-7] bad input from the citizen is a clear 4xx and stores nothing', async () => {
    const page = await citizen.get(`/record-requests/new/${hospital}`);
    const csrf = csrfFrom(page.text);
    const rowsBefore = await requestRows();
    const auditBefore = await auditRows('record.request.create');
    for (const [form, status] of [
      [{ organisation: hospital }, 400], // nothing chosen
      [{ organisation: hospital, categories: 'episodes' }, 400], // already shown, not in the list
      [{ organisation: hospital, categories: 'xray' }, 400],
      [{ organisation: hospital, categories: ['documents', 'documents', 'careteam'] }, 400],
      [{ organisation: hospital, categories: 'documents', note: 'x'.repeat(1001) }, 400],
      [{ organisation: hospital, categories: 'documents', note: 'x'.repeat(7000) }, 400], // past maxlength: same message
      [{ organisation: physio, categories: 'documents' }, 404], // no care relationship
      [{ organisation: '00000000-0000-4000-8000-000000000000', categories: 'documents' }, 404],
      [{ organisation: 'gp', categories: 'documents' }, 404],
      [{ categories: 'documents' }, 400], // no organisation
    ] as const) {
      const r = await postAsCitizen({ _csrf: csrf, ...form });
      assert.equal(r.status, status, JSON.stringify(form).slice(0, 80));
      if (status === 400 && 'organisation' in form) {
        assert.match(r.text, /Er is een probleem/);
        assert.match(r.text, /<form method="post" action="\/record-requests"/);
      }
    }
    // The limit is visible and in the field, and a note over it gets the field's own message, not a generic error.
    assert.match(page.text, /<textarea[^>]*maxlength="1000"/);
    assert.match(page.text, /Maximaal 1000 tekens/);
    for (const long of ['x'.repeat(1001), 'x'.repeat(7000)]) {
      const tooLong = await postAsCitizen({ _csrf: csrf, organisation: hospital, categories: 'documents', note: long });
      assert.match(tooLong.text, /href="#note"[^>]*>Uw toelichting is te lang: gebruik maximaal 1000 tekens/);
    }
    const errorPage = await postAsCitizen({ _csrf: csrf, organisation: hospital, categories: 'episodes' });
    assert.match(errorPage.text, /href="#category-lab"[^>]*>U heeft geen onderdeel aangevinkt/);
    // Without the CSRF token: refused before anything happens.
    const noCsrf = await postAsCitizen({ organisation: hospital, categories: 'documents' });
    assert.equal(noCsrf.status, 403);
    assert.equal(await requestRows(), rowsBefore, 'no request stored');
    assert.equal(await auditRows('record.request.create'), auditBefore, 'no audit record of a refused request either');

    // One open request per organisation: a second one (a double submit) is refused.
    // 1000 characters as the browser counts them (a line break is one), sent with CRLF (1001 bytes): accepted.
    const full = `${'a'.repeat(500)}\r\n${'b'.repeat(499)}`;
    assert.equal(
      (await postAsCitizen({ _csrf: csrf, organisation: hospital, categories: 'documents', note: full })).status,
      303,
    );
    const twice = await postAsCitizen({ _csrf: csrf, organisation: hospital, categories: 'lab' });
    assert.equal(twice.status, 409);
    assert.match(twice.text, /al een open verzoek/);
    assert.equal(await requestRows(), rowsBefore + 1);
    // Staff cannot use the citizen's pages, citizens not the staff's.
    assert.equal((await as(GP_DOCTOR).client.get('/record-requests')).status, 401);
    assert.equal((await citizen.get('/staff/record-requests')).status, 401);
  });

  test('[MG-7] a citizen cannot ask an organisation whose relationship ended', async () => {
    const johannes = new HttpClient(k.url);
    await loginWithDigid(johannes, DEMO.johannes);
    assert.equal((await johannes.get(`/record-requests/new/${gp}`)).status, 404);
    const page = await johannes.get(`/record-requests/new/${hospital}`);
    assert.equal(page.status, 200);
    const r = await johannes.post('/record-requests', {
      _csrf: csrfFrom(page.text),
      organisation: gp,
      categories: 'documents',
    });
    assert.equal(r.status, 404);
    const overview = await johannes.get('/record-requests');
    assert.doesNotMatch(overview.text, new RegExp(DEMO.gp));
  });

  test('[MG-7] in the database: staff read requests only after auditing; a citizen cannot change a handled request', async () => {
    const doctor = await staffPrincipal(k.db, GP_DOCTOR);
    const seen = await withPrincipal(k.db, doctor, (tx) =>
      tx.selectFrom('record_access_request').select('id').execute(),
    );
    assert.deepEqual(seen, [], 'no request row without an audit record about its citizen');
    const [listed] = (
      await withPrincipal(k.db, doctor, (tx) =>
        sql<{ id: string; citizen_id: string }>`select * from koepel_open_access_requests(10)`.execute(tx),
      )
    ).rows;
    assert.equal(listed, undefined, 'no open request at the GP now (both were handled)');
    const declined = await k.db
      .selectFrom('record_access_request')
      .select('id')
      .where('status', '=', 'declined')
      .executeTakeFirstOrThrow();
    const portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    const changed = await withPrincipal(k.db, { kind: 'citizen', citizenId: suzanne, portalId: portal }, async (tx) =>
      Number(
        (
          await tx
            .updateTable('record_access_request')
            .set({ status: 'granted', handled_by: null })
            .where('id', '=', declined.id)
            .executeTakeFirst()
        ).numUpdatedRows,
      ),
    ).catch(() => 0);
    assert.equal(changed, 0);
  });
});
