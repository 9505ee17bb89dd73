// MG-1 category settings against a real Koepel: the admin's choice changes what citizens see of that organisation
// only; other employees cannot change it, and no admin can change another organisation's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { csrfFrom, HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import { newApiClient, pushEveryType } from '../fhir/read/testkit.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { withPrincipal } from '../platform/db/principal.js';
import { RECORD_CATEGORIES } from '../record/categories.js';
import { loginStaff } from '../staff/login.testkit.js';

const ADMIN = 'beheer@apotheekcentrum.example';
const PHARMACIST = 'apotheker@apotheekcentrum.example';
const GP_DOCTOR = 'huisarts@delinde.example';

describe('category settings (MG-1)', () => {
  let k: TestKoepel;
  let pharmacy: string;
  let suzanne: string;
  let citizen: HttpClient;
  const staff = new Map<string, { client: HttpClient; home: string }>();

  before(async () => {
    k = await startKoepel();
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    const gp = await orgId(k.db, DEMO.gp);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    await k.db
      .updateTable('organisation')
      .set({ record_categories: [...RECORD_CATEGORIES] })
      .execute();
    await pushEveryType(k.db, k.koepel.keys, await newApiClient(k.db, pharmacy), suzanne, 'AP-S');
    await pushEveryType(k.db, k.koepel.keys, await newApiClient(k.db, gp), suzanne, 'HA-S');
    citizen = new HttpClient(k.url);
    await loginWithDigid(citizen, DEMO.suzanne);
    for (const email of [ADMIN, PHARMACIST, GP_DOCTOR]) {
      const { client, page } = await loginStaff(k.url, email);
      staff.set(email, { client, home: page.text });
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
  const categoriesOf = async (id: string) =>
    (await k.db.selectFrom('organisation').select('record_categories').where('id', '=', id).executeTakeFirstOrThrow())
      .record_categories;
  const everything = async () => (await citizen.get(`/fhir/Patient/${suzanne}/$everything`)).text;
  const post = (email: string, csrf: string | null, categories: string[], extra: Record<string, string> = {}) => {
    const body = new URLSearchParams(csrf ? { _csrf: csrf, ...extra } : extra);
    for (const c of categories) body.append('categories', c);
    return as(email).client.request('POST', '/staff/organisation/categories', body.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  };

  test('[MG-1] the admin switches a category off: citizens stop seeing it at that organisation only', async () => {
    assert.match(as(ADMIN).home, /href="\/staff\/organisation\/categories"/);
    const page = await as(ADMIN).client.get('/staff/organisation/categories');
    assert.equal(page.status, 200);
    const checked = [...page.text.matchAll(/value="([a-z]+)" checked/g)].map((m) => m[1]);
    assert.deepEqual(checked, [...RECORD_CATEGORIES]);
    let record = await everything();
    assert.ok(record.includes('Enalapril uitgifte AP-S') && record.includes('Metformine HA-S'));

    const others = await k.db
      .selectFrom('organisation')
      .select(['id', 'record_categories'])
      .where('id', '<>', pharmacy)
      .execute();
    const keep = RECORD_CATEGORIES.filter((c) => c !== 'medication');
    const saved = await post(ADMIN, csrfFrom(page.text), keep, { organisation: await orgId(k.db, DEMO.gp) });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, '/staff/organisation/categories?saved=1');
    assert.deepEqual(await categoriesOf(pharmacy), keep);
    // Only the own organisation changed, whatever the form said.
    const after = await k.db
      .selectFrom('organisation')
      .select(['id', 'record_categories'])
      .where('id', '<>', pharmacy)
      .execute();
    assert.deepEqual(after, others);
    const audit = await k.db
      .selectFrom('audit_log')
      .select(['actor_organisation_id', 'resource_id'])
      .where('event_code', '=', 'organisation.categories.update')
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit, { actor_organisation_id: pharmacy, resource_id: pharmacy });

    record = await everything();
    for (const hidden of ['Enalapril uitgifte AP-S', 'Metformine AP-S', 'Enalapril AP-S'])
      assert.ok(!record.includes(hidden), hidden);
    assert.ok(record.includes('Metformine HA-S'), "the GP's medication is still shown");
    assert.ok(record.includes('Penicilline-allergie AP-S'), "the pharmacy's other categories are still shown");
    const confirm = await as(ADMIN).client.get('/staff/organisation/categories?saved=1');
    assert.match(confirm.text, /De instelling is opgeslagen/);
    assert.doesNotMatch(confirm.text, /value="medication" checked/);

    // Everything off is allowed, and said clearly.
    assert.equal((await post(ADMIN, csrfFrom(confirm.text), [])).status, 303);
    assert.deepEqual(await categoriesOf(pharmacy), []);
    assert.ok(!(await everything()).includes('AP-S'));
    assert.match((await as(ADMIN).client.get('/staff/organisation/categories?saved=1')).text, /geen enkel onderdeel/);
    assert.equal((await post(ADMIN, csrfFrom(confirm.text), [...RECORD_CATEGORIES])).status, 303);
    assert.ok((await everything()).includes('Enalapril uitgifte AP-S'));
  });

  test('[MG-1] other employees get 403; bad input and a missing CSRF token change nothing', async () => {
    const before = await categoriesOf(pharmacy);
    assert.doesNotMatch(as(PHARMACIST).home, /organisation\/categories/);
    assert.equal((await as(PHARMACIST).client.get('/staff/organisation/categories')).status, 403);
    assert.equal((await post(PHARMACIST, csrfFrom(as(PHARMACIST).home), ['lab'])).status, 403);
    assert.equal((await as(GP_DOCTOR).client.get('/staff/organisation/categories')).status, 403);
    assert.equal((await citizen.get('/staff/organisation/categories')).status, 401);
    const page = await as(ADMIN).client.get('/staff/organisation/categories');
    const csrf = csrfFrom(page.text);
    const bad = await post(ADMIN, csrf, ['lab', 'xray']);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Kies alleen onderdelen uit de lijst/);
    assert.equal((await post(ADMIN, null, ['lab'])).status, 403);
    assert.equal(
      (
        await post(
          ADMIN,
          csrf,
          Array.from({ length: 30 }, () => 'lab'),
        )
      ).status,
      400,
    );
    assert.deepEqual(await categoriesOf(pharmacy), before);
  });

  test('[MG-1] the database refuses an admin changing another organisation, or a non-admin changing their own', async () => {
    const admin = await staffPrincipal(k.db, ADMIN);
    const gp = await orgId(k.db, DEMO.gp);
    const before = await categoriesOf(gp);
    const changed = await withPrincipal(k.db, admin, async (tx) =>
      Number(
        (await tx.updateTable('organisation').set({ record_categories: [] }).where('id', '=', gp).executeTakeFirst())
          .numUpdatedRows,
      ),
    );
    assert.equal(changed, 0);
    assert.deepEqual(await categoriesOf(gp), before);
    const pharmacist = await staffPrincipal(k.db, PHARMACIST);
    const own = await withPrincipal(k.db, pharmacist, async (tx) =>
      Number(
        (
          await tx
            .updateTable('organisation')
            .set({ record_categories: [] })
            .where('id', '=', pharmacy)
            .executeTakeFirst()
        ).numUpdatedRows,
      ),
    );
    assert.equal(own, 0);
    // Only the categories column is writable at all.
    await assert.rejects(
      withPrincipal(k.db, admin, (tx) =>
        tx.updateTable('organisation').set({ name: 'Anders' }).where('id', '=', pharmacy).execute(),
      ),
      /permission denied/,
    );
  });
});
