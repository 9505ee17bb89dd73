// Patient search against a real Koepel: tenant isolation (ZL-1), ended care relationships (PZ-4), rights per
// employee (ZL-10), input validation, POST-only, and one audit record per patient shown.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient, csrfFrom, type Response } from '../../test/support/http-client.js';
import { insertCitizen } from '../identity/citizens.js';
import { FIXTURE_PERSONS, type BrpPerson } from '../identity/brp/fixture-persons.js';
import { withPrincipal, type Principal } from '../platform/db/principal.js';
import { loginStaff } from '../staff/login.testkit.js';
import { parseCriteria } from './search.js';

const GP_DOCTOR = 'huisarts@delinde.example';
const GP_ASSISTANT = 'assistent@delinde.example';
const GP_PRIVACY = 'privacy@delinde.example';
const HOSPITAL = 'arts@rivierenland.example';
const PHYSIO = 'fysio@beweegwijs.example';

/** A citizen who is a patient of the physiotherapist only (BSN from the RvIG test set, not used by the demo). */
function physioOnlyPerson(): BrpPerson {
  const template = FIXTURE_PERSONS[1];
  if (!template) throw new Error('fixture persons missing');
  return {
    ...template,
    burgerservicenummer: '999990056',
    naam: { voornamen: 'Ömer', voorletters: 'Ö.', geslachtsnaam: 'Çelik', volledigeNaam: 'Ömer Çelik' },
    geboorte: { datum: { type: 'Datum', datum: '1975-05-05', langFormaat: '5 mei 1975' } },
  };
}

function namesIn(page: Response): string[] {
  return [
    ...page.text.matchAll(
      /<th scope="row"[^>]*>(?:<a class="utrecht-link" href="[^"]*">|<span>)([^<]+)(?:<\/a>|<\/span>)<\/th>/g,
    ),
  ].map((m) => m[1] ?? '');
}

describe('patient search', () => {
  let k: TestKoepel;
  const sessions = new Map<string, { client: HttpClient; csrf: string }>();

  before(async () => {
    k = await startKoepel();
    const orgs = await k.db.selectFrom('organisation').select(['id', 'kind']).execute();
    const physio = orgs.find((o) => o.kind === 'physiotherapy')?.id ?? '';
    await k.db.transaction().execute(async (tx) => {
      const id = await insertCitizen(tx, k.koepel.keys, physioOnlyPerson());
      await tx
        .insertInto('care_relationship')
        .values({ organisation_id: physio, citizen_id: id, patient_number: 'FY-4999' })
        .execute();
    });
    for (const email of [GP_DOCTOR, GP_ASSISTANT, GP_PRIVACY, HOSPITAL, PHYSIO]) {
      const { client, page } = await loginStaff(k.url, email);
      sessions.set(email, { client, csrf: csrfFrom(page.text) });
    }
  });
  after(async () => {
    await k.close();
  });

  function search(email: string, form: { name?: string; born?: string }): Promise<Response> {
    const s = sessions.get(email);
    if (!s) throw new Error(`not logged in: ${email}`);
    return s.client.post('/staff/patients/search', { _csrf: s.csrf, name: form.name ?? '', born: form.born ?? '' });
  }

  const auditCount = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(k.db)).rows[0]?.n ?? 0;

  test('finds a patient by part of the name, ignoring case and accents, and by birth date', async () => {
    const byName = await search(GP_DOCTOR, { name: 'VRIES' });
    assert.equal(byName.status, 200);
    assert.deepEqual(namesIn(byName), ['Suzanne Maria de Vries']);
    assert.match(byName.text, /<caption class="utrecht-table__caption">Gevonden patiënten: 1<\/caption>/);
    assert.match(byName.text, /HA-1001/);
    assert.match(byName.text, /<time datetime="1982-04-12">12-04-1982<\/time>/);
    const byBoth = await search(GP_DOCTOR, { name: 'suzanne vries', born: '1982-04-12' });
    assert.deepEqual(namesIn(byBoth), ['Suzanne Maria de Vries']);
    const byDate = await search(GP_DOCTOR, { born: '1982-04-12' });
    assert.deepEqual(namesIn(byDate), ['Suzanne Maria de Vries']);
    const wrongDate = await search(GP_DOCTOR, { name: 'vries', born: '1982-04-13' });
    assert.deepEqual(namesIn(wrongDate), []);
    assert.match(wrongDate.text, /Geen patiënten gevonden/);
    const accents = await search(PHYSIO, { name: 'omer celik' });
    assert.deepEqual(namesIn(accents), ['Ömer Çelik']);
  });

  test("[ZL-1] staff search never shows another organisation's patients", async () => {
    // A physiotherapy-only patient is not found by the GP, the hospital or anyone but the physiotherapist.
    for (const email of [GP_DOCTOR, GP_ASSISTANT, HOSPITAL]) {
      const r = await search(email, { name: 'celik' });
      assert.equal(r.status, 200);
      assert.deepEqual(namesIn(r), [], email);
      assert.deepEqual(namesIn(await search(email, { born: '1975-05-05' })), [], email);
    }
    // Fatima El Amrani is a patient of the GP and the neighbourhood team: the hospital does not see her.
    assert.deepEqual(namesIn(await search(HOSPITAL, { name: 'amrani' })), []);
    assert.deepEqual(namesIn(await search(GP_DOCTOR, { name: 'amrani' })), ['Fatima El Amrani']);
    // A broad search lists only the organisation's own patients.
    const all = await search(HOSPITAL, { name: 'e' + 'r' });
    for (const n of namesIn(all)) assert.ok(['Johannes Hendrik van den Berg', 'Suzanne Maria de Vries'].includes(n), n);
    // And at the SQL level: the search function returns nothing of another organisation, whoever asks.
    const gpId = (await k.db.selectFrom('organisation').select('id').where('kind', '=', 'gp').executeTakeFirstOrThrow())
      .id;
    const doctorId = (
      await k.db.selectFrom('staff_account').select('id').where('email', '=', GP_DOCTOR).executeTakeFirstOrThrow()
    ).id;
    const gp: Principal = {
      kind: 'staff',
      staffId: doctorId,
      organisationId: gpId,
      role: 'doctor',
      permissions: ['patients:search'],
    };
    const ids = await withPrincipal(k.db, gp, (tx) =>
      sql<{ id: string }>`select * from koepel_search_patients('celik', null, 50) as id`.execute(tx),
    );
    assert.equal(ids.rows.length, 0);
  });

  test('[PZ-4] a citizen whose care relationship ended is not found by that organisation', async () => {
    // Johannes van den Berg: his relationship with the GP ended in the demo; the hospital still treats him.
    assert.deepEqual(namesIn(await search(GP_DOCTOR, { name: 'berg' })), []);
    assert.deepEqual(namesIn(await search(GP_DOCTOR, { born: '1948-11-30' })), []);
    assert.deepEqual(namesIn(await search(HOSPITAL, { name: 'berg' })), ['Johannes Hendrik van den Berg']);
    // Ending a current relationship hides the patient at once.
    const gpId = (await k.db.selectFrom('organisation').select('id').where('kind', '=', 'gp').executeTakeFirstOrThrow())
      .id;
    const fatima = await k.db
      .selectFrom('citizen')
      .select('id')
      .where('family_name', '=', 'Amrani')
      .executeTakeFirstOrThrow();
    await k.db
      .updateTable('care_relationship')
      .set({ ended_on: '2020-02-01' })
      .where('organisation_id', '=', gpId)
      .where('citizen_id', '=', fatima.id)
      .execute();
    try {
      assert.deepEqual(namesIn(await search(GP_DOCTOR, { name: 'amrani' })), []);
    } finally {
      await k.db
        .updateTable('care_relationship')
        .set({ ended_on: null })
        .where('organisation_id', '=', gpId)
        .where('citizen_id', '=', fatima.id)
        .execute();
    }
    assert.deepEqual(namesIn(await search(GP_DOCTOR, { name: 'amrani' })), ['Fatima El Amrani']);
  });

  test('[ZL-10] rights are per employee', async () => {
    // The privacy officer of the GP has no patients:search: no form, and the search itself is refused.
    const home = await sessions.get(GP_PRIVACY)?.client.get('/staff');
    assert.equal(home?.status, 200);
    assert.doesNotMatch(home?.text ?? '', /action="\/staff\/patients\/search"/);
    const refused = await search(GP_PRIVACY, { name: 'vries' });
    assert.equal(refused.status, 403);
    assert.doesNotMatch(refused.text, /Suzanne/);

    // Rights change per employee and take effect on the next request of a running session.
    const staffId = async (email: string) =>
      (await k.db.selectFrom('staff_account').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    const privacy = await staffId(GP_PRIVACY);
    const assistant = await staffId(GP_ASSISTANT);
    await k.db
      .updateTable('membership')
      .set({ permissions: ['audit:read', 'patients:search'] })
      .where('staff_id', '=', privacy)
      .execute();
    await k.db
      .updateTable('membership')
      .set({ permissions: ['patients:read'] })
      .where('staff_id', '=', assistant)
      .execute();
    try {
      assert.deepEqual(namesIn(await search(GP_PRIVACY, { name: 'vries' })), ['Suzanne Maria de Vries']);
      assert.equal((await search(GP_ASSISTANT, { name: 'vries' })).status, 403);
      // A colleague in the same role is unaffected.
      assert.deepEqual(namesIn(await search(GP_DOCTOR, { name: 'vries' })), ['Suzanne Maria de Vries']);
    } finally {
      await k.db
        .updateTable('membership')
        .set({ permissions: ['audit:read'] })
        .where('staff_id', '=', privacy)
        .execute();
      await k.db
        .updateTable('membership')
        .set({ permissions: ['patients:search', 'patients:read'] })
        .where('staff_id', '=', assistant)
        .execute();
    }
    assert.equal((await search(GP_PRIVACY, { name: 'vries' })).status, 403);
  });

  test('search input is validated: a clear 400 page, and nothing written', async () => {
    const before = await auditCount();
    for (const form of [
      { born: '2020-13-45' },
      { name: 'vries', born: '31-02-1982' },
      { born: 'gisteren' },
      { born: '2999-01-01' },
      {},
      { name: ' ' },
      { name: 'a' },
      { name: 'x'.repeat(150) },
      { name: 'x'.repeat(5000) },
    ]) {
      const r = await search(GP_DOCTOR, form);
      assert.equal(r.status, 400, JSON.stringify(form).slice(0, 60));
      assert.match(r.text, /Er is een probleem/);
      assert.doesNotMatch(r.text, /<table/);
    }
    const dateError = await search(GP_DOCTOR, { born: '2020-13-45' });
    assert.match(dateError.text, /href="#search-born"[^>]*>Vul een geldige geboortedatum in/);
    assert.equal(await auditCount(), before, 'no audit record, no write at all');
    // A Dutch-style date typed by hand is understood.
    assert.deepEqual(namesIn(await search(GP_DOCTOR, { born: '12-04-1982' })), ['Suzanne Maria de Vries']);
    // Unit level: the parser accepts both forms and refuses impossible dates.
    assert.deepEqual(parseCriteria({ name: '', born: '1982-04-12' }), {
      ok: true,
      criteria: { name: null, born: '1982-04-12' },
    });
    assert.equal(parseCriteria({ name: '', born: '2023-02-29' }).ok, false);
    assert.equal(parseCriteria({ name: '', born: '2024-02-29' }).ok, true);
  });

  test('search is POST-only: a GET with query parameters finds nothing and leaks nothing', async () => {
    const s = sessions.get(GP_DOCTOR);
    const r = await s?.client.get('/staff/patients/search?name=vries&born=1982-04-12');
    assert.ok(r && (r.status === 404 || r.status === 405), String(r?.status));
    assert.doesNotMatch(r.text, /Suzanne|<table/);
    // The form itself posts; its action carries no query.
    const home = await s?.client.get('/staff');
    assert.match(home?.text ?? '', /<form method="post" action="\/staff\/patients\/search"/);
  });

  test('every shown patient has an audit record naming actor, organisation and citizen', async () => {
    const doctor = await k.db
      .selectFrom('membership as m')
      .innerJoin('staff_account as a', 'a.id', 'm.staff_id')
      .select(['a.id', 'm.organisation_id'])
      .where('a.email', '=', GP_DOCTOR)
      .executeTakeFirstOrThrow();
    const startId =
      (await sql<{ n: number }>`select coalesce(max(id), 0)::int as n from audit_log`.execute(k.db)).rows[0]?.n ?? 0;
    const r = await search(GP_DOCTOR, { name: 'e' });
    assert.equal(r.status, 400); // one letter is too little
    const page = await search(GP_DOCTOR, { name: 'an' });
    const shown = namesIn(page);
    assert.ok(shown.length >= 2, `several patients shown (${shown.join(', ')})`);
    const records = await k.db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', startId)
      .where('event_code', '=', 'patient.search.result')
      .execute();
    assert.equal(records.length, shown.length);
    const citizens = await k.db
      .selectFrom('citizen')
      .select(['id', 'given_names', 'name_prefix', 'family_name'])
      .execute();
    for (const name of shown) {
      const c = citizens.find((x) => [x.given_names, x.name_prefix, x.family_name].filter(Boolean).join(' ') === name);
      assert.ok(c, name);
      const rec = records.find((x) => x.citizen_id === c.id);
      assert.ok(rec, `audit record for ${name}`);
      assert.equal(rec.actor_id, doctor.id);
      assert.equal(rec.actor_type, 'staff');
      assert.equal(rec.actor_role, 'doctor');
      assert.equal(rec.actor_organisation_id, doctor.organisation_id);
      assert.equal(rec.action, 'R');
      assert.equal(rec.outcome, 'success');
      assert.ok(rec.request_id);
    }
    // The search record itself carries no criteria (they are personal data).
    const searchRec = await k.db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', startId)
      .where('event_code', '=', 'patient.search')
      .execute();
    assert.equal(searchRec.length, 1);
    assert.doesNotMatch(JSON.stringify(searchRec), /"an"|vries|amrani/i);
  });

  test('names are readable only after the audit record: the search function alone reveals ids, not rows', async () => {
    const gp = await k.db
      .selectFrom('membership as m')
      .innerJoin('staff_account as a', 'a.id', 'm.staff_id')
      .select(['a.id', 'm.organisation_id'])
      .where('a.email', '=', GP_DOCTOR)
      .executeTakeFirstOrThrow();
    const principal: Principal = {
      kind: 'staff',
      staffId: gp.id,
      organisationId: gp.organisation_id,
      role: 'doctor',
      permissions: ['patients:search'],
    };
    const result = await withPrincipal(k.db, principal, async (tx) => {
      const ids = (await sql<{ id: string }>`select * from koepel_search_patients('vries', null, 50) as id`.execute(tx))
        .rows;
      const visible = await tx.selectFrom('citizen').select('id').execute();
      const setting = (await sql<{ v: string }>`select current_setting('koepel.patient_search', true) as v`.execute(tx))
        .rows[0]?.v;
      return { ids: ids.length, visible: visible.length, setting };
    });
    assert.equal(result.ids, 1);
    assert.equal(result.visible, 0, 'no citizen row visible without an audit record');
    assert.notEqual(result.setting, 'on');
    // Without the permission the function finds nothing either (defence in depth behind the route check).
    const noRight = await withPrincipal(k.db, { ...principal, permissions: ['audit:read'] }, (tx) =>
      sql<{ id: string }>`select * from koepel_search_patients('vries', null, 50) as id`.execute(tx),
    );
    assert.equal(noRight.rows.length, 0);
  });

  test('results are limited and the page says so', async () => {
    const hospital = (
      await k.db.selectFrom('organisation').select('id').where('kind', '=', 'hospital').executeTakeFirstOrThrow()
    ).id;
    const template = FIXTURE_PERSONS[0];
    if (!template) throw new Error('fixture persons missing');
    // 55 extra hospital patients called Jansen, with numbers from the BSN test range (999990xxx) passing the 11-test.
    const bsns: string[] = [];
    for (let n = 999990100; bsns.length < 55; n++) {
      const d = String(n).padStart(9, '0').split('').map(Number);
      const sum = d.slice(0, 8).reduce((s, x, i) => s + x * (9 - i), 0) - (d[8] ?? 0);
      if (sum % 11 === 0) bsns.push(String(n));
    }
    await k.db.transaction().execute(async (tx) => {
      for (const [i, bsn] of bsns.entries()) {
        const id = await insertCitizen(tx, k.koepel.keys, {
          ...template,
          burgerservicenummer: bsn,
          naam: { voornamen: `Jan${i}`, voorletters: 'J.', geslachtsnaam: 'Jansen', volledigeNaam: `Jan${i} Jansen` },
        });
        await tx
          .insertInto('care_relationship')
          .values({ organisation_id: hospital, citizen_id: id, patient_number: `ZH-9${i}` })
          .execute();
      }
    });
    const r = await search(HOSPITAL, { name: 'jansen' });
    assert.equal(r.status, 200);
    assert.equal(namesIn(r).length, 50);
    assert.match(r.text, /meer dan 50 resultaten/);
  });
});
