// FHIR REST as a provider system expects it (issue 11 §4), over real HTTP against a real database: the id model
// (PUT honours the id, POST gets one), consistent Locations and ETags, read-back of the own organisation's data
// (read, vread, history; audited), conditional create, If-Match, If-None-Match, Prefer, DELETE, and references kept
// in the sender's id space but shown to the citizen in Koepel's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { RECORD_CATEGORIES } from '../record/categories.js';
import { NO_ACCESS_POINT, writeAudit } from '../platform/audit/audit.js';
import { withPrincipal } from '../platform/db/principal.js';
import { loadBaseDefinitions, validateBase } from './base/validate.js';
import { countRows, createApiClient, readAs, tokenFor, type TestApiClient } from './ingest.testkit.js';

const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

type Json = Record<string, unknown>;

interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: Json | null;
}

function observation(identifier: string | null, subject: Json, value = 8.1, extra: Json = {}): Json {
  return {
    resourceType: 'Observation',
    ...(identifier ? { identifier: [{ system: 'urn:test:rest', value: identifier }] } : {}),
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '59260-0', display: 'Hemoglobin [Moles/volume] in Blood' }] },
    subject,
    effectiveDateTime: '2026-10-01T09:00:00+02:00',
    valueQuantity: { value, unit: 'mmol/L' },
    ...extra,
  };
}

const patient = (bsn: string, extra: Json = {}): Json => ({
  resourceType: 'Patient',
  identifier: [{ system: BSN_SYSTEM, value: bsn }],
  ...extra,
});

describe('FHIR REST for provider systems', () => {
  let k: TestKoepel;
  let hospital: TestApiClient;
  let gp: TestApiClient;
  const tokens = new Map<TestApiClient, string>();
  let suzanne: string;
  let citizen: HttpClient;

  async function req(
    client: TestApiClient | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res> {
    const h: Record<string, string> = { accept: 'application/fhir+json', ...headers };
    if (client) h.authorization = `Bearer ${tokens.get(client) ?? ''}`;
    if (body !== undefined) h['content-type'] = 'application/fhir+json';
    const res = await fetch(`${k.url}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Json | null = null;
    try {
      json = JSON.parse(text) as Json;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  /** The part of an absolute Location header after the FHIR base: `{type}/{id}/_history/{v}`. */
  const relative = (r: Res) => {
    const loc = r.headers.get('location') ?? '';
    assert.ok(loc.startsWith(`${k.url}/fhir/`), `absolute Location: ${loc}`);
    return loc.slice(`${k.url}/fhir/`.length);
  };

  const citizenGet = async (path: string) => {
    const r = await citizen.get(path, { accept: 'application/fhir+json' });
    return { status: r.status, json: r.status === 200 ? (JSON.parse(r.text) as Json) : null, text: r.text };
  };

  before(async () => {
    k = await startKoepel();
    hospital = await createApiClient(k.db, await orgId(k.db, DEMO.hospital), 'EPD');
    gp = await createApiClient(k.db, await orgId(k.db, DEMO.gp), 'HIS');
    for (const c of [hospital, gp]) tokens.set(c, await tokenFor(k.url, c));
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    // Every category shown: what the organisations choose to show (MG-1) is not under test here.
    await k.db
      .updateTable('organisation')
      .set({ record_categories: [...RECORD_CATEGORIES] })
      .execute();
    citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);
  });
  after(async () => {
    await k.close();
  });

  test('a transaction: the Patient is named by the id its Observations use; the Location is readable by its writer', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:p', resource: patient(DEMO.suzanne), request: { method: 'POST', url: 'Patient' } },
        {
          fullUrl: 'urn:uuid:o1',
          resource: observation('tx-1', { reference: 'urn:uuid:p' }),
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const res = await req(hospital, 'POST', '/fhir', bundle);
    assert.equal(res.status, 200, res.text);
    const entries = (res.json?.entry as { response: { location: string; etag: string; status: string } }[]) ?? [];
    const [p, o] = entries.map((e) => e.response);
    assert.ok(p && o);
    assert.equal(p.location, `Patient/${suzanne}/_history/1`, 'a Patient sent without id is named by its citizen');
    assert.equal(p.etag, 'W/"1"');
    const obsId = /^Observation\/([\w.-]+)\/_history\/1$/.exec(o.location)?.[1] ?? '';
    assert.ok(obsId, o.location);

    // The provider reads both Locations back; the Observation's subject names the Patient's Location id.
    const readP = await req(hospital, 'GET', `/fhir/${p.location}`);
    assert.equal(readP.status, 200, readP.text);
    assert.deepEqual(readP.json?.identifier, [{ system: BSN_SYSTEM, value: DEMO.suzanne }], 'the Patient it sent');
    const readO = await req(hospital, 'GET', `/fhir/Observation/${obsId}`);
    assert.equal(readO.status, 200, readO.text);
    assert.equal(readO.json?.id, obsId);
    assert.deepEqual(readO.json?.subject, { reference: `Patient/${suzanne}` });
    assert.equal((readO.json?.meta as Json).versionId, '1');
    assert.equal(readO.headers.get('etag'), 'W/"1"');
    // The citizen reads the same Patient id (their own, from the BRP).
    assert.equal((await citizenGet(`/fhir/Patient/${suzanne}`)).status, 200);

    // A re-send without change: 200, the same Locations and ETags.
    const again = await req(hospital, 'POST', '/fhir', bundle);
    const same = (again.json?.entry as { response: { location: string; etag: string; status: string } }[]).map(
      (e) => e.response,
    );
    assert.deepEqual(
      same.map((r) => [r.status, r.location, r.etag]),
      [
        ['200 OK', p.location, p.etag],
        ['200 OK', o.location, o.etag],
      ],
    );
  });

  test('PUT honours the id: Location absolute, ETag matching; read, update, vread and history follow it', async () => {
    const subject = { reference: `Patient/${suzanne}` };
    const first = await req(hospital, 'PUT', '/fhir/Observation/hb-42', observation('put-42', subject, 8.1));
    assert.equal(first.status, 201, first.text);
    assert.equal(relative(first), 'Observation/hb-42/_history/1');
    assert.equal(first.headers.get('etag'), 'W/"1"');
    const second = await req(hospital, 'PUT', '/fhir/Observation/hb-42', observation('put-42', subject, 8.4));
    assert.equal(second.status, 200);
    assert.equal(relative(second), 'Observation/hb-42/_history/2');
    assert.equal(second.headers.get('etag'), 'W/"2"');

    const current = await req(hospital, 'GET', '/fhir/Observation/hb-42');
    assert.equal(current.status, 200);
    assert.equal((current.json?.valueQuantity as Json).value, 8.4);
    assert.equal(current.headers.get('etag'), 'W/"2"');
    const v1 = await req(hospital, 'GET', '/fhir/Observation/hb-42/_history/1');
    assert.equal(v1.status, 200, v1.text);
    assert.equal((v1.json?.valueQuantity as Json).value, 8.1);
    assert.equal((v1.json?.meta as Json).versionId, '1');
    assert.equal((await req(hospital, 'GET', '/fhir/Observation/hb-42/_history/3')).status, 404);
    assert.equal((await req(hospital, 'GET', '/fhir/Observation/hb-42/_history/x')).status, 404);

    const history = await req(hospital, 'GET', '/fhir/Observation/hb-42/_history');
    assert.equal(history.status, 200);
    assert.equal(history.json?.type, 'history');
    const versions = (history.json?.entry as { resource: Json; response: { etag: string } }[]).map(
      (e) => e.response.etag,
    );
    assert.deepEqual(versions, ['W/"2"', 'W/"1"'], 'newest first');

    // A re-send by identifier alone (POST) finds the same resource under its id.
    const post = await req(hospital, 'POST', '/fhir/Observation', observation('put-42', subject, 8.4));
    assert.equal(post.status, 200);
    assert.equal(relative(post), 'Observation/hb-42/_history/2');
    // Another id with the same identifier: one identifier cannot name two resources.
    const clash = await req(hospital, 'PUT', '/fhir/Observation/hb-43', observation('put-42', subject, 8.4));
    assert.equal(clash.status, 409, clash.text);
    assert.match(clash.text, /Observation\/hb-42/);

    // The reads were audited with the citizen (NEN 7513).
    const audits = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'citizen_id', 'action'])
      .where('actor_id', '=', hospital.id)
      .where('event_code', 'in', ['fhir.provider.read', 'fhir.provider.vread', 'fhir.provider.history'])
      .execute();
    assert.ok(audits.length >= 4);
    assert.ok(audits.every((a) => a.citizen_id === suzanne && a.action === 'R'));
  });

  test('POST without id: Koepel assigns one, and the Location names it', async () => {
    const res = await req(
      hospital,
      'POST',
      '/fhir/Observation',
      observation('post-1', { reference: `Patient/${suzanne}` }),
    );
    assert.equal(res.status, 201, res.text);
    const m = /^Observation\/([0-9a-f-]{36})\/_history\/1$/.exec(relative(res));
    assert.ok(m);
    assert.equal((await req(hospital, 'GET', `/fhir/Observation/${m[1] ?? ''}`)).status, 200);
  });

  test('If-None-Match answers 304 for the current version; If-Match refuses a stale one with 412', async () => {
    const subject = { reference: `Patient/${suzanne}` };
    await req(hospital, 'PUT', '/fhir/Observation/etag-1', observation('etag-1', subject, 7));
    const notModified = await req(hospital, 'GET', '/fhir/Observation/etag-1', undefined, { 'if-none-match': 'W/"1"' });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.text, '');
    const modified = await req(hospital, 'GET', '/fhir/Observation/etag-1', undefined, { 'if-none-match': 'W/"0"' });
    assert.equal(modified.status, 200);

    const before = await countRows(k.db);
    const stale = await req(hospital, 'PUT', '/fhir/Observation/etag-1', observation('etag-1', subject, 9), {
      'if-match': 'W/"7"',
    });
    assert.equal(stale.status, 412, stale.text);
    assert.deepEqual(await countRows(k.db), before, 'nothing written');
    const fresh = await req(hospital, 'PUT', '/fhir/Observation/etag-1', observation('etag-1', subject, 9), {
      'if-match': 'W/"1"',
    });
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.headers.get('etag'), 'W/"2"');
    const missing = await req(hospital, 'PUT', '/fhir/Observation/etag-none', observation('etag-x', subject), {
      'if-match': 'W/"1"',
    });
    assert.equal(missing.status, 412);
    const bad = await req(hospital, 'PUT', '/fhir/Observation/etag-1', observation('etag-1', subject, 9), {
      'if-match': 'yesterday',
    });
    assert.equal(bad.status, 400);

    // Two writers with the same If-Match at once: exactly one wins, whether the requests interleave or not.
    const race = await Promise.all(
      [10, 11].map((v) =>
        req(hospital, 'PUT', '/fhir/Observation/etag-1', observation('etag-1', subject, v), { 'if-match': 'W/"2"' }),
      ),
    );
    assert.deepEqual(race.map((x) => x.status).sort(), [200, 412], race.map((x) => x.text).join('\n'));

    // The citizen API too: 304 for the version the app holds.
    const row = await k.db
      .selectFrom('record_resource')
      .select(['id', 'version'])
      .where('logical_id', '=', 'etag-1')
      .executeTakeFirstOrThrow();
    const r = await citizen.get(`/fhir/Observation/${row.id}`, { 'if-none-match': `W/"${row.version}"` });
    assert.equal(r.status, 304);
  });

  test('Prefer: return=minimal, representation or OperationOutcome', async () => {
    const subject = { reference: `Patient/${suzanne}` };
    const minimal = await req(hospital, 'PUT', '/fhir/Observation/pref-1', observation('pref-1', subject), {
      prefer: 'return=minimal',
    });
    assert.equal(minimal.status, 201);
    assert.equal(minimal.text, '');
    assert.equal(relative(minimal), 'Observation/pref-1/_history/1');
    const full = await req(hospital, 'PUT', '/fhir/Observation/pref-1', observation('pref-1', subject, 9.9), {
      prefer: 'return=representation',
    });
    assert.equal(full.status, 200);
    assert.equal(full.json?.resourceType, 'Observation');
    assert.equal(full.json?.id, 'pref-1');
    assert.equal((full.json?.meta as Json).versionId, '2');
    assert.equal((full.json?.valueQuantity as Json).value, 9.9);
    const outcome = await req(hospital, 'POST', '/fhir/Observation', observation('pref-2', subject), {
      prefer: 'return=OperationOutcome',
    });
    assert.equal(outcome.status, 201);
    assert.equal(outcome.json?.resourceType, 'OperationOutcome');
  });

  test('conditional create (If-None-Exist): the existing one answers 200, nothing is duplicated or changed', async () => {
    const subject = { reference: `Patient/${suzanne}` };
    const header = { 'if-none-exist': 'identifier=urn:test:rest|cond-1' };
    const created = await req(hospital, 'POST', '/fhir/Observation', observation('cond-1', subject, 5), header);
    assert.equal(created.status, 201, created.text);
    const before = await countRows(k.db);
    const exists = await req(hospital, 'POST', '/fhir/Observation', observation('cond-1', subject, 6), header);
    assert.equal(exists.status, 200, exists.text);
    assert.equal(relative(exists), relative(created), 'the existing resource, unchanged');
    assert.deepEqual(await countRows(k.db), before);
    // By BSN: the citizen's Patient at this organisation.
    const p = await req(hospital, 'POST', '/fhir/Patient', patient(DEMO.suzanne), {
      'if-none-exist': `identifier=${BSN_SYSTEM}|${DEMO.suzanne}`,
    });
    assert.equal(p.status, 200, p.text);
    assert.equal(relative(p).split('/_history')[0], `Patient/${suzanne}`);
    // Inside a Bundle: request.ifNoneExist.
    const entry = (ifNoneExist: string, value: number) => ({
      resource: observation('cond-1', subject, value),
      request: { method: 'POST', url: 'Observation', ifNoneExist },
    });
    const tx = await req(hospital, 'POST', '/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [entry('identifier=urn:test:rest|cond-1', 7)],
    });
    assert.equal(tx.status, 200, tx.text);
    const response = (tx.json?.entry as { response: { status: string; location: string } }[])[0]?.response;
    assert.equal(response?.status, '200 OK');
    assert.equal(`${k.url}/fhir/${response.location}`, created.headers.get('location'));
    assert.deepEqual(await countRows(k.db), before);
    const badTx = await req(hospital, 'POST', '/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [entry('name=x', 7)],
    });
    assert.ok(badTx.status >= 400 && badTx.status < 500, badTx.text);
    assert.deepEqual(await countRows(k.db), before);
    for (const bad of ['name=x', 'identifier=nobar', 'identifier=a|b&identifier=c|d']) {
      const r = await req(hospital, 'POST', '/fhir/Observation', observation('cond-2', subject), {
        'if-none-exist': bad,
      });
      assert.equal(r.status, 400, bad);
    }
  });

  test('[MG-4] a provider never reads, vreads, lists or deletes another organisation’s resources', async () => {
    const subject = { reference: `Patient/${suzanne}` };
    await req(hospital, 'PUT', '/fhir/Observation/only-hospital', observation('only-h', subject));
    const row = await k.db
      .selectFrom('record_resource')
      .select('id')
      .where('logical_id', '=', 'only-hospital')
      .executeTakeFirstOrThrow();
    for (const path of [
      '/fhir/Observation/only-hospital',
      '/fhir/Observation/only-hospital/_history/1',
      '/fhir/Observation/only-hospital/_history',
      `/fhir/Observation/${row.id}`,
      `/fhir/Patient/${suzanne}`,
    ]) {
      const r = await req(gp, 'GET', path);
      assert.equal(r.status, 404, `${path}: ${r.text}`);
      assert.doesNotMatch(r.text, /only-h|8\.1/);
    }
    assert.equal((await req(gp, 'DELETE', '/fhir/Observation/only-hospital')).status, 404);
    assert.equal((await req(hospital, 'GET', '/fhir/Observation/only-hospital')).status, 200, 'still there');
    // Searches stay the citizen's.
    assert.equal((await req(hospital, 'GET', '/fhir/Observation?patient=x')).status, 403);
    assert.equal((await req(null, 'GET', '/fhir/Observation/only-hospital/_history')).status, 401);
    // A wrong token is refused, never ignored.
    const wrong = await fetch(`${k.url}/fhir/Observation/only-hospital`, {
      headers: { authorization: 'Bearer kt_wrongwrongwrongwrongwrongwrongwrong' },
    });
    assert.equal(wrong.status, 401);
    // The failed reads were audited too, without a citizen.
    const failures = await k.db
      .selectFrom('audit_log')
      .select(['citizen_id', 'outcome'])
      .where('actor_id', '=', gp.id)
      .where('event_code', 'like', 'fhir.provider.%')
      .execute();
    assert.ok(failures.length >= 4);
    assert.ok(failures.every((a) => a.citizen_id === null && a.outcome === 'failure'));
  });

  test('DELETE: gone from the citizen’s and the staff’s view, 410 for the provider, audited; a re-send revives it', async () => {
    const subject = { reference: `Patient/${suzanne}` };
    const put = await req(hospital, 'PUT', '/fhir/Observation/del-1', observation('del-1', subject, 6.6));
    assert.equal(put.status, 201);
    const row = await k.db
      .selectFrom('record_resource')
      .select('id')
      .where('logical_id', '=', 'del-1')
      .executeTakeFirstOrThrow();
    assert.equal((await citizenGet(`/fhir/Observation/${row.id}`)).status, 200);

    const del = await req(hospital, 'DELETE', '/fhir/Observation/del-1');
    assert.equal(del.status, 200, del.text);
    assert.equal(del.headers.get('etag'), 'W/"2"');
    assert.equal((await req(hospital, 'DELETE', '/fhir/Observation/del-1')).status, 200, 'deleting again is fine');
    assert.equal((await req(hospital, 'DELETE', '/fhir/Observation/never-was')).status, 404);

    // Gone for the citizen: read, search, $everything.
    assert.equal((await citizenGet(`/fhir/Observation/${row.id}`)).status, 404);
    const search = await citizenGet(`/fhir/Observation?_id=${row.id}`);
    assert.equal(search.json?.total, 0);
    const all = await citizenGet(`/fhir/Patient/${suzanne}/$everything`);
    assert.doesNotMatch(all.text, new RegExp(row.id));
    // Gone for staff (row-level security) and for the dossier's own readers.
    const staff = await staffPrincipal(k.db, 'arts@rivierenland.example');
    const seen = await readAs(k.db, k.koepel.keys, staff, suzanne);
    assert.ok(seen.length > 0 && !seen.some((r) => r.id === row.id));
    const staffRow = await withPrincipal(k.db, staff, async (tx) => {
      await writeAudit(tx, staff, NO_ACCESS_POINT, [{ event: 'test.read', action: 'R', citizenId: suzanne }]);
      return tx.selectFrom('record_resource').select('id').where('id', '=', row.id).execute();
    });
    assert.deepEqual(staffRow, [], 'row-level security hides it from staff');
    const raw = await k.db
      .selectFrom('record_resource')
      .select(['deleted_at', 'version'])
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    assert.ok(raw.deleted_at, 'kept, marked deleted');
    // The provider: 410 Gone; its earlier version is still there; the history says DELETE.
    const gone = await req(hospital, 'GET', '/fhir/Observation/del-1');
    assert.equal(gone.status, 410, gone.text);
    assert.equal((await req(hospital, 'GET', '/fhir/Observation/del-1/_history/1')).status, 200);
    assert.equal((await req(hospital, 'GET', '/fhir/Observation/del-1/_history/2')).status, 410);
    const history = await req(hospital, 'GET', '/fhir/Observation/del-1/_history');
    assert.deepEqual(
      (history.json?.entry as { request: { method: string } }[]).map((e) => e.request.method),
      ['DELETE', 'PUT'],
    );
    const audit = await k.db
      .selectFrom('audit_log')
      .select(['action', 'citizen_id'])
      .where('event_code', '=', 'record.resource.delete')
      .where('resource_id', '=', row.id)
      .execute();
    assert.deepEqual(audit, [{ action: 'D', citizen_id: suzanne }]);

    // Sent again: a new version, visible again (and news again for the citizen).
    const back = await req(hospital, 'PUT', '/fhir/Observation/del-1', observation('del-1', subject, 6.6));
    assert.equal(back.status, 200, back.text);
    assert.equal(relative(back), 'Observation/del-1/_history/3');
    assert.equal((await citizenGet(`/fhir/Observation/${row.id}`)).status, 200);
    assert.equal((await req(hospital, 'GET', '/fhir/Observation/del-1')).status, 200);
  });

  test('one Patient per organisation and citizen: a named id is taken on, a second id refused', async () => {
    // The hospital's Patient of Suzanne exists (sent without id: named by the citizen). PUT under its own id adopts it.
    const named = await req(hospital, 'PUT', '/fhir/Patient/zh-77', patient(DEMO.suzanne, { gender: 'female' }));
    assert.equal(named.status, 200, named.text);
    assert.match(relative(named), /^Patient\/zh-77\/_history\/\d+$/);
    const byId = await req(hospital, 'GET', '/fhir/Patient/zh-77');
    assert.equal(byId.status, 200);
    assert.equal(byId.json?.id, 'zh-77');
    // Stored references name the citizen: that id reads the same Patient.
    const byCitizen = await req(hospital, 'GET', `/fhir/Patient/${suzanne}`);
    assert.equal(byCitizen.json?.id, 'zh-77');
    // Observations may name the Patient by either id.
    const obs = await req(
      hospital,
      'PUT',
      '/fhir/Observation/by-zh-77',
      observation('by-zh-77', { reference: 'Patient/zh-77' }),
    );
    assert.equal(obs.status, 201, obs.text);
    const other = await req(hospital, 'PUT', '/fhir/Patient/zh-78', patient(DEMO.suzanne));
    assert.equal(other.status, 409, other.text);
    assert.match(other.text, /Patient\/zh-77/);
    assert.doesNotMatch(other.text, new RegExp(DEMO.suzanne), 'no BSN in the error');
  });

  test('references: Bundle-internal ones in the sender’s id space, others kept; the citizen sees Koepel ids or no id', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:11111111-0000-4000-8000-000000000001',
          resource: { resourceType: 'Practitioner', name: [{ family: 'Kaya' }] },
          request: { method: 'PUT', url: 'Practitioner/dr-kaya' },
        },
        {
          fullUrl: 'urn:uuid:11111111-0000-4000-8000-000000000002',
          resource: observation('panel-1', { reference: `Patient/${suzanne}` }, 1, {
            performer: [
              { reference: 'urn:uuid:11111111-0000-4000-8000-000000000001', display: 'Dr. Kaya' },
              { reference: 'Organization/lab-elders', display: 'Lab Elders' },
              { reference: 'Organization/zh-self' },
            ],
            hasMember: [{ reference: 'urn:uuid:11111111-0000-4000-8000-000000000003' }],
            derivedFrom: [{ reference: 'Observation/sent-long-ago', display: 'Eerder' }],
            extension: [
              {
                url: 'http://example.org/fhir/StructureDefinition/ref',
                valueReference: { reference: 'urn:uuid:11111111-0000-4000-8000-000000000003' },
              },
            ],
          }),
          request: { method: 'PUT', url: 'Observation/panel-1' },
        },
        {
          resource: { resourceType: 'Organization', name: 'Lab Elders' },
          request: { method: 'PUT', url: 'Organization/lab-elders' },
        },
        {
          fullUrl: 'urn:uuid:11111111-0000-4000-8000-000000000003',
          resource: observation('member-1', { reference: `Patient/${suzanne}` }, 2),
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const res = await req(hospital, 'POST', '/fhir', bundle);
    assert.equal(res.status, 200, res.text);
    const memberLocation = (res.json?.entry as { response: { location: string } }[])[3]?.response.location ?? '';
    const memberId = /^Observation\/([\w.-]+)\//.exec(memberLocation)?.[1] ?? '';

    // As stored and read back by the provider: its own id space.
    const panel = await req(hospital, 'GET', '/fhir/Observation/panel-1');
    assert.deepEqual(panel.json?.performer, [
      { reference: 'Practitioner/dr-kaya', display: 'Dr. Kaya' },
      { reference: 'Organization/lab-elders', display: 'Lab Elders' },
      { reference: 'Organization/zh-self' },
    ]);
    assert.deepEqual(panel.json?.hasMember, [{ reference: `Observation/${memberId}` }]);
    assert.deepEqual(panel.json?.derivedFrom, [{ reference: 'Observation/sent-long-ago', display: 'Eerder' }]);
    assert.deepEqual((panel.json?.extension as { valueReference: Json }[])[0]?.valueReference, {
      reference: `Observation/${memberId}`,
    });

    // As the citizen sees it: Koepel ids where the target exists and is theirs to see, else no id.
    const rows = await k.db
      .selectFrom('record_resource')
      .select(['id', 'logical_id'])
      .where('logical_id', 'in', ['panel-1', memberId])
      .execute();
    const koepel = (logical: string) => rows.find((r) => r.logical_id === logical)?.id ?? '';
    const practitioner = await k.db
      .selectFrom('directory_resource')
      .select('id')
      .where('logical_id', '=', 'dr-kaya')
      .executeTakeFirstOrThrow();
    const lab = await k.db
      .selectFrom('directory_resource')
      .select('id')
      .where('logical_id', '=', 'lab-elders')
      .executeTakeFirstOrThrow();
    const shown = (await citizenGet(`/fhir/Observation/${koepel('panel-1')}`)).json ?? {};
    assert.deepEqual(shown.performer, [
      { reference: `Practitioner/${practitioner.id}`, display: 'Dr. Kaya' },
      // An organisation the hospital described in its directory is another one: the citizen reads it there.
      { reference: `Organization/${lab.id}`, display: 'Lab Elders' },
      // One it did not describe is, in practice, itself.
      { reference: `Organization/${hospital.organisationId}` },
    ]);
    assert.deepEqual(shown.hasMember, [{ reference: `Observation/${koepel(memberId)}` }]);
    assert.deepEqual(shown.derivedFrom, [{ display: 'Eerder' }], 'a target Koepel does not hold: no id');
    const ext = (shown.extension as { url: string; valueReference: Json }[]).find((e) =>
      e.url.startsWith('http://example.org'),
    );
    assert.deepEqual(ext?.valueReference, { reference: `Observation/${koepel(memberId)}` }, 'inside extensions too');
    assert.equal((await citizenGet(`/fhir/Practitioner/${practitioner.id}`)).status, 200);
    const labRead = await citizenGet(`/fhir/Organization/${lab.id}`);
    assert.equal(labRead.status, 200);
    assert.equal(labRead.json?.name, 'Lab Elders');

    // Lab results hidden by the hospital: the member is no longer named by id.
    await k.db
      .updateTable('organisation')
      .set({ record_categories: RECORD_CATEGORIES.filter((c) => c !== 'lab') })
      .where('id', '=', hospital.organisationId)
      .execute();
    try {
      assert.equal((await citizenGet(`/fhir/Observation/${koepel('panel-1')}`)).status, 404);
    } finally {
      await k.db
        .updateTable('organisation')
        .set({ record_categories: [...RECORD_CATEGORIES] })
        .where('id', '=', hospital.organisationId)
        .execute();
    }
  });

  test('directory resources: PUT by id, read back, history and delete', async () => {
    const put = await req(hospital, 'PUT', '/fhir/Location/ok-3', { resourceType: 'Location', name: 'OK 3' });
    assert.equal(put.status, 201, put.text);
    assert.equal(relative(put), 'Location/ok-3/_history/1');
    await req(hospital, 'PUT', '/fhir/Location/ok-3', { resourceType: 'Location', name: 'OK 3 (west)' });
    const read = await req(hospital, 'GET', '/fhir/Location/ok-3');
    assert.equal(read.json?.name, 'OK 3 (west)');
    assert.equal((await req(hospital, 'GET', '/fhir/Location/ok-3/_history/1')).json?.name, 'OK 3');
    assert.equal((await req(gp, 'GET', '/fhir/Location/ok-3')).status, 404);
    assert.equal((await req(hospital, 'DELETE', '/fhir/Location/ok-3')).status, 200);
    assert.equal((await req(hospital, 'GET', '/fhir/Location/ok-3')).status, 410);
  });

  test('the CapabilityStatement lists the provider interactions that work', async () => {
    const r = await req(null, 'GET', '/fhir/metadata');
    type Entry = Json & { type: string; interaction: { code: string }[] };
    const rest = (r.json?.rest as { resource: Entry[] }[])[0];
    const obs = rest?.resource.find((x) => x.type === 'Observation');
    const codes = obs?.interaction.map((i) => i.code) ?? [];
    for (const c of ['read', 'vread', 'history-instance', 'create', 'update', 'delete'])
      assert.ok(codes.includes(c), c);
    assert.equal(obs?.conditionalCreate, true);
    assert.equal(obs?.readHistory, true);
    assert.equal(obs?.updateCreate, true);
    assert.equal(obs?.versioning, 'versioned-update');
    const location = rest?.resource.find((x) => x.type === 'Location');
    assert.ok(location?.interaction.some((i) => i.code === 'read'));
    // It validates against the base R4 definitions.
    loadBaseDefinitions(['CapabilityStatement']);
    assert.deepEqual(validateBase(r.json as Json & { resourceType: string }), []);
  });
});
