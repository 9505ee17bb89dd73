// Repeat-medication orders over FHIR (issue 13: MG-8 with MG-5/MG-13), over real HTTP against a real database: the
// citizen orders; the pharmacy's own system polls Task?_lastUpdated, reads the order (a Task whose focus is a
// contained MP9-shaped dispense request, intent order) and answers it with If-Match — approve, ready, refuse with a
// reason, ask a question; the citizen sees each answer. Another organisation's system sees nothing; a stale
// If-Match is 412; a transition the order cannot take is 422 and writes nothing; every read is audited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { citizenOrder, orderOffers, placeOrder } from '../medication-orders/index.js';
import type { Principal } from '../platform/db/principal.js';
import { runInScope, type DataScope } from '../platform/db/scope.js';
import { BUSINESS_STATUS } from './medication-orders.js';
import { createApiClient, fhir, tokenFor, type FhirResponse } from './ingest.testkit.js';

type Json = Record<string, unknown>;

describe('repeat-medication orders as FHIR Task for the organisation’s own system (MG-5, MG-13)', () => {
  let k: TestKoepel;
  let pharmacy: string;
  let gp: string;
  let suzanne: string;
  let portal: string;
  let token: string;
  let gpToken: string;

  const as = <T>(p: Principal, fn: (scope: DataScope) => Promise<T>) =>
    runInScope({ db: k.db, keys: k.koepel.keys }, p, fn);
  const citizen = (): Extract<Principal, { kind: 'citizen' }> => ({
    kind: 'citizen',
    citizenId: suzanne,
    portalId: portal,
  });

  async function call(
    t: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<FhirResponse> {
    if (Object.keys(headers).length === 0) return fhir(k.url, t, method, path, body);
    const h: Record<string, string> = { accept: 'application/fhir+json', ...headers };
    if (t) h.authorization = `Bearer ${t}`;
    if (body !== undefined) h['content-type'] = 'application/fhir+json';
    const res = await fetch(`${k.url}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async function newOrder(note = '', delivery: 'pickup' | 'delivery' = 'pickup', count = 1): Promise<string> {
    return as(citizen(), async (scope) => {
      await scope.audit({ event: 'test', action: 'R', citizenId: suzanne });
      const offer = (await orderOffers(scope, citizen())).find((o) => o.organisationId === pharmacy);
      assert.ok(offer && offer.medicines.length >= count);
      const r = await placeOrder(scope, citizen(), {
        organisationId: pharmacy,
        resourceIds: offer.medicines.slice(0, count).map((m) => m.resourceId),
        note,
        delivery,
        idempotencyKey: crypto.randomUUID(),
      });
      return r.id;
    });
  }

  const entries = (r: FhirResponse) => (((r.json as Json).entry ?? []) as { resource: Json }[]).map((e) => e.resource);
  const statusOf = async (id: string) =>
    await k.db
      .selectFrom('medication_order')
      .select(['status', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const answer = (task: Json, change: Json): Json => ({ ...task, ...change });

  before(async () => {
    k = await startKoepel();
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    gp = await orgId(k.db, DEMO.gp);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    token = await tokenFor(k.url, await createApiClient(k.db, pharmacy));
    gpToken = await tokenFor(k.url, await createApiClient(k.db, gp));
  });
  after(async () => {
    await k.close();
  });

  test('[MG-5] [MG-13] [MG-8] the system polls, reads the order as a Task with an MP9-shaped dispense request, approves and sets it ready; the citizen sees it', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const id = await newOrder('Graag voor vrijdag', 'pickup', 2);
    const poll = await call(token, 'GET', `/fhir/Task?_lastUpdated=gt${since}&status=requested`);
    assert.equal(poll.status, 200, poll.text);
    const tasks = entries(poll);
    const task = tasks.find((t) => t.id === `koepel-${id}`);
    assert.ok(task, 'the new order is in the poll at once');
    assert.equal(task.resourceType, 'Task');
    assert.equal(task.status, 'requested');
    assert.equal(task.intent, 'order');
    assert.deepEqual((task.businessStatus as Json).coding, [
      { system: BUSINESS_STATUS, code: 'requested', display: 'Requested by the patient' },
    ]);
    assert.deepEqual(task.focus, { reference: '#order-1', type: 'MedicationRequest' });
    const contained = task.contained as Json[];
    assert.equal(contained.length, 2);
    for (const mr of contained) {
      assert.equal(mr.resourceType, 'MedicationRequest');
      assert.equal(mr.intent, 'order');
      assert.deepEqual(mr.category, [
        { coding: [{ system: 'http://snomed.info/sct', code: '52711000146108', display: 'Verstrekkingsverzoek' }] },
      ]);
      assert.ok((mr.medicationCodeableConcept as Json).coding, 'the medicine as the system coded it');
      assert.ok(Array.isArray(mr.basedOn) && mr.basedOn.length > 0, 'based on its own agreement');
    }
    assert.equal((task.note as Json[])[0]?.text, 'Graag voor vrijdag');
    assert.match(String((task.for as Json).reference), /^Patient\//);
    assert.equal(poll.headers.get('content-type')?.startsWith('application/fhir+json'), true);

    // Read it by id (ETag), approve with If-Match, then ready for pickup by Task.status alone.
    const read = await call(token, 'GET', `/fhir/Task/koepel-${id}`);
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('etag'), 'W/"1"');
    const approved = await call(
      token,
      'PUT',
      `/fhir/Task/koepel-${id}`,
      answer(read.json as Json, {
        status: 'accepted',
        businessStatus: { coding: [{ system: BUSINESS_STATUS, code: 'approved' }] },
      }),
      { 'if-match': 'W/"1"', prefer: 'return=representation' },
    );
    assert.equal(approved.status, 200, approved.text);
    assert.equal((approved.json as Json).status, 'accepted');
    assert.equal(approved.headers.get('etag'), 'W/"2"');
    // A stale If-Match: 412, nothing written.
    const stale = await call(
      token,
      'PUT',
      `/fhir/Task/koepel-${id}`,
      answer(read.json as Json, { status: 'in-progress', businessStatus: undefined }),
      {
        'if-match': 'W/"1"',
      },
    );
    assert.equal(stale.status, 412);
    assert.equal((await statusOf(id)).status, 'approved');
    const ready = await call(
      token,
      'PUT',
      `/fhir/Task/koepel-${id}`,
      { resourceType: 'Task', id: `koepel-${id}`, status: 'in-progress', intent: 'order' },
      { 'if-match': 'W/"2"' },
    );
    assert.equal(ready.status, 200, ready.text);
    assert.equal((await statusOf(id)).status, 'ready');
    // The same answer again changes nothing.
    const same = await call(token, 'PUT', `/fhir/Task/koepel-${id}`, {
      resourceType: 'Task',
      status: 'in-progress',
      intent: 'order',
    });
    assert.equal(same.status, 200);
    assert.equal((await statusOf(id)).version, 3);

    // The citizen sees both answers, made by the pharmacy's system.
    const seen = await as(citizen(), (scope) => citizenOrder(scope, citizen(), id));
    assert.deepEqual(
      seen?.events.map((e) => [e.status, e.actor]),
      [
        ['requested', 'citizen'],
        ['approved', 'system'],
        ['ready', 'system'],
      ],
    );
    // Every read was audited with the citizen.
    const audits = await sql<{ n: number }>`
      select count(*)::int as n from audit_log
      where event_code in ('fhir.provider.medication-order.search', 'fhir.provider.medication-order.read')
        and citizen_id = ${suzanne}`.execute(k.db);
    assert.ok((audits.rows[0]?.n ?? 0) >= 2);
  });

  test('[MG-5] [MG-8] the system refuses with a reason and asks a question; the citizen reads both; bad answers write nothing', async () => {
    const id = await newOrder();
    const base = { resourceType: 'Task', id: `koepel-${id}`, intent: 'order' };
    // A question needs its text.
    let r = await call(token, 'PUT', `/fhir/Task/koepel-${id}`, { ...base, status: 'on-hold' });
    assert.equal(r.status, 422, r.text);
    r = await call(token, 'PUT', `/fhir/Task/koepel-${id}`, {
      ...base,
      status: 'on-hold',
      statusReason: { text: 'Gebruikt u nog 40 mg?' },
    });
    assert.equal(r.status, 200, r.text);
    // Delivered straight from a question, an unknown business status, cancelled by the system: 422.
    for (const bad of [
      { ...base, status: 'completed' },
      { ...base, status: 'requested', businessStatus: { coding: [{ system: BUSINESS_STATUS, code: 'teleported' }] } },
      { ...base, status: 'cancelled' },
      { ...base, status: 'in-progress', businessStatus: { coding: [{ system: BUSINESS_STATUS, code: 'sent' }] } },
      { ...base, status: 'rejected' },
      { ...base, status: 'rejected', statusReason: { text: 'x'.repeat(1001) } },
    ]) {
      const res = await call(token, 'PUT', `/fhir/Task/koepel-${id}`, bad);
      assert.equal(res.status, 422, `${JSON.stringify(bad).slice(0, 120)}: ${res.text}`);
    }
    assert.equal((await call(token, 'PUT', `/fhir/Task/koepel-${id}`, { resourceType: 'Patient' })).status, 400);
    assert.equal(
      (await call(token, 'PUT', `/fhir/Task/koepel-${id}`, { ...base, id: 'koepel-other', status: 'accepted' })).status,
      400,
    );
    assert.equal((await statusOf(id)).status, 'question');
    r = await call(token, 'PUT', `/fhir/Task/koepel-${id}`, {
      ...base,
      status: 'rejected',
      statusReason: { text: 'Eerst controle bij de huisarts' },
    });
    assert.equal(r.status, 200, r.text);
    const task = (await call(token, 'GET', `/fhir/Task/koepel-${id}`)).json as Json;
    assert.equal(task.status, 'rejected');
    assert.deepEqual(task.statusReason, { text: 'Eerst controle bij de huisarts' });
    assert.match(JSON.stringify(task.note), /Gebruikt u nog 40 mg\?/);
    const seen = await as(citizen(), (scope) => citizenOrder(scope, citizen(), id));
    assert.equal(seen?.status, 'refused');
    assert.equal(seen?.events.find((e) => e.status === 'refused')?.text, 'Eerst controle bij de huisarts');
    assert.equal(seen?.events.find((e) => e.status === 'question')?.text, 'Gebruikt u nog 40 mg?');
    // Search by status and business status.
    const rejected = entries(await call(token, 'GET', '/fhir/Task?status=rejected'));
    assert.ok(rejected.some((t) => t.id === `koepel-${id}`));
    const questions = entries(await call(token, 'GET', '/fhir/Task?business-status=question'));
    assert.ok(!questions.some((t) => t.id === `koepel-${id}`));
  });

  test('[MG-5] another organisation’s system sees none of the pharmacy’s orders; unknown ids and parameters are refused', async () => {
    const id = await newOrder();
    const gpPoll = await call(gpToken, 'GET', '/fhir/Task?_lastUpdated=gt2000-01-01T00:00:00Z');
    assert.equal(gpPoll.status, 200);
    assert.equal((gpPoll.json as Json).total, 0);
    assert.equal((await call(gpToken, 'GET', `/fhir/Task/koepel-${id}`)).status, 404);
    const put = await call(gpToken, 'PUT', `/fhir/Task/koepel-${id}`, {
      resourceType: 'Task',
      status: 'accepted',
      intent: 'order',
    });
    assert.equal(put.status, 404);
    assert.equal((await statusOf(id)).status, 'requested');
    assert.equal((await call(token, 'GET', `/fhir/Task/koepel-${crypto.randomUUID()}`)).status, 404);
    assert.equal((await call(token, 'GET', '/fhir/Task/not-ours')).status, 404);
    assert.equal((await call(token, 'GET', '/fhir/Task?code=fulfill')).status, 400);
    assert.equal((await call(token, 'GET', '/fhir/Task?_lastUpdated=yesterday')).status, 400);
    assert.equal((await call(null, 'GET', '/fhir/Task')).status, 401);
    // Paging: _count and a next link.
    await newOrder();
    const page = await call(token, 'GET', '/fhir/Task?_count=1');
    assert.equal(entries(page).length, 1);
    assert.ok(((page.json as Json).link as Json[]).some((l) => l.relation === 'next'));
  });
});
