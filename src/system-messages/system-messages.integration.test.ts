// The citizen's system messages (MG-9) over HTTP and SQL against a real Koepel: a lab result pushed by the GP's
// system (a published nl-core example) makes one message, a second push while it is unread none; another citizen
// never sees it; nobody but Koepel inserts one; the operator's notice reaches the citizens of that portal only; bad
// input is a clear refusal that writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { pageText } from '../../test/support/html.js';
import { csrfFrom, HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import { newPortal } from '../../test/security/record-kit.js';
import { createApiClient, fhir, tokenFor, type TestApiClient } from '../fhir/ingest.testkit.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import type { Principal } from '../platform/db/principal.js';
import { runInScope } from '../platform/db/scope.js';
import { loginStaff, type StaffLogin } from '../staff/login.testkit.js';
import { postSystemMessage, SystemMessageRefused } from './index.js';
import { listSystemMessages, postPortalNotice } from './store.js';
import { labBundle } from './system-messages.testkit.js';

describe('system messages (MG-9)', () => {
  let k: TestKoepel;
  let gp: string;
  let pharmacy: string;
  let suzanne: string;
  let pieter: string;
  let johannes: string;
  let client: TestApiClient;
  let token: string;
  let s: HttpClient;
  let p: HttpClient;
  let operator: StaffLogin;
  let portalA: string;
  let operatorId: string;

  const messagesOf = (citizen: string) =>
    k.db.selectFrom('system_message').selectAll().where('citizen_id', '=', citizen).orderBy('created_at').execute();
  const newDataOf = async (citizen: string, org: string) =>
    (await messagesOf(citizen)).filter(
      (m) => m.kind === 'new-data' && m.organisation_id === org && m.category === 'lab',
    );
  const sqlState = (err: unknown) => (err as { code?: string }).code;

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    johannes = await citizenId(k.db, k.koepel.keys, DEMO.johannes);
    portalA = k.koepel.app.koepel.portals.all()[0]?.id ?? '';
    // What the demo's own data made is read: each test starts from "nothing unread".
    await k.db.updateTable('system_message').set({ read_at: new Date() }).where('read_at', 'is', null).execute();
    client = await createApiClient(k.db, gp);
    token = await tokenFor(k.url, client);
    s = new HttpClient(k.url);
    p = new HttpClient(k.url);
    assert.equal((await loginWithDigid(s, DEMO.suzanne)).status, 303);
    assert.equal((await loginWithDigid(p, DEMO.pieter)).status, 303);
    operator = await loginStaff(k.url, 'servicedesk@koepel.example');
    operatorId = (
      await k.db
        .selectFrom('staff_account')
        .select('id')
        .where('email', '=', 'servicedesk@koepel.example')
        .executeTakeFirstOrThrow()
    ).id;
  });
  after(async () => {
    await k.close();
  });

  let firstId = '';

  test('[MG-9] a lab result pushed by the GP’s system makes one system message, without medical content', async () => {
    const before = await newDataOf(suzanne, gp);
    const push = await fhir(k.url, token, 'POST', '/fhir', labBundle(DEMO.suzanne, 'sm-lab-01'));
    assert.equal(push.status, 200, push.text);
    const after = await newDataOf(suzanne, gp);
    assert.equal(after.length, before.length + 1);
    const m = after.at(-1);
    assert.ok(m);
    assert.equal(m.read_at, null);
    assert.deepEqual(m.params, {});
    firstId = m.id;
    // Nothing else: the Observation's code, value or text is nowhere in the row.
    assert.doesNotMatch(JSON.stringify(m), /Sodium|2947-0|138|mmol/);

    const list = await s.get('/messages/system');
    assert.equal(list.status, 200);
    const text = pageText(list.text);
    assert.match(text, /Huisartsenpraktijk De Linde heeft nieuwe labuitslagen voor u klaargezet/);
    assert.match(list.text, new RegExp(`href="/messages/system/${m.id}"`));
    // The tab bar: conversations first, this tab current, with its count; the menu link with its count.
    assert.match(list.text, /<a class="koepel-tabs-link" href="\/messages">[\s\S]*?Gesprekken/);
    assert.match(list.text, /<a class="koepel-tabs-link" href="\/messages\/system" aria-current="page">/);
    assert.match(list.text, /Systeemberichten, 1 ongelezen/);
    // The one menu link "Berichten" (src/messages) stands for both tabs and counts this message too.
    assert.match(list.text, /class="koepel-citizen-nav-link" href="\/messages" aria-current="true"/);
    assert.match(list.text, /Berichten, \d+ ongelezen/);
  });

  test('[MG-9] a second push while the message is unread adds none; once read, the next one does', async () => {
    // Another path: a PUT of one Observation, naming the Patient by its Koepel id.
    const obs = (labBundle(DEMO.suzanne, 'sm-lab-02') as { entry: { resource: Record<string, unknown> }[] }).entry[1]
      ?.resource;
    assert.ok(obs);
    obs.subject = { reference: `Patient/${suzanne}` };
    const put = await fhir(k.url, token, 'PUT', '/fhir/Observation/sm-lab-02', obs);
    assert.equal(put.status, 201, put.text);
    let rows = await newDataOf(suzanne, gp);
    assert.equal(rows.filter((r) => r.read_at === null).length, 1);
    assert.equal(rows.at(-1)?.id, firstId);
    // Concurrent pushes of new results: still one unread message.
    const pushes = await Promise.all(
      ['sm-lab-03', 'sm-lab-04', 'sm-lab-05'].map((id) =>
        fhir(k.url, token, 'POST', '/fhir', labBundle(DEMO.suzanne, id)),
      ),
    );
    assert.deepEqual(
      pushes.map((r) => r.status),
      [200, 200, 200],
    );
    rows = await newDataOf(suzanne, gp);
    assert.equal(rows.filter((r) => r.read_at === null).length, 1);
    // Opening it marks it read and links to the GP's lab results.
    const page = await s.get(`/messages/system/${firstId}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /href="\/dossier\/lab\?org=[0-9a-f-]{36}"/);
    assert.match(page.text, new RegExp(`href="/dossier/lab\\?org=${gp}"`));
    assert.doesNotMatch(page.text, /Systeemberichten, \d+ ongelezen/);
    rows = await newDataOf(suzanne, gp);
    assert.ok(rows.find((r) => r.id === firstId)?.read_at);
    const list = await s.get('/messages/system');
    assert.doesNotMatch(list.text, /koepel-sysmsg-new/);
    // (The dossier renders inside its data scope: the menu's count continues that transaction.)
    const dossierPage = await s.get(`/dossier/lab?org=${gp}`);
    assert.equal(dossierPage.status, 200);
    const again = await fhir(k.url, token, 'POST', '/fhir', labBundle(DEMO.suzanne, 'sm-lab-06'));
    assert.equal(again.status, 200);
    rows = await newDataOf(suzanne, gp);
    assert.equal(rows.filter((r) => r.read_at === null).length, 1);
    assert.notEqual(rows.at(-1)?.id, firstId);
    // A resend without change is no news.
    const count = rows.length;
    await fhir(k.url, token, 'POST', '/fhir', labBundle(DEMO.suzanne, 'sm-lab-06'));
    assert.equal((await newDataOf(suzanne, gp)).length, count);
  });

  test('[MG-9] another citizen never sees it: not in their list, 404 by id, and not through SQL', async () => {
    const list = await p.get('/messages/system');
    assert.equal(list.status, 200);
    assert.doesNotMatch(list.text, new RegExp(firstId));
    assert.equal((await p.get(`/messages/system/${firstId}`)).status, 404);
    assert.equal((await p.get(`/messages/system/${firstId.toUpperCase()}`)).status, 404);
    assert.equal((await p.get('/messages/system/not-a-uuid')).status, 404);
    assert.equal((await p.get('/messages/system?page=0')).status, 404);
    assert.equal((await p.get('/messages/system?page=abc')).status, 404);
    assert.equal((await p.get('/messages/system?page=50')).status, 404);
    assert.equal((await new HttpClient(k.url).get('/messages/system')).status, 401);
    // Pieter's own principal, audited about Suzanne as well: the policy still shows only his own rows.
    const seen = await runInScope(
      { db: k.db, keys: k.koepel.keys },
      { kind: 'citizen', citizenId: pieter, portalId: portalA },
      async (scope) => {
        await scope.audit(
          { event: 'test', action: 'R', citizenId: pieter },
          { event: 'test', action: 'R', citizenId: suzanne },
        );
        return scope.tx.selectFrom('system_message').select(['id', 'citizen_id']).execute();
      },
    );
    assert.ok(seen.every((r) => r.citizen_id === pieter));
    // Nor can he mark hers read.
    const marked = await runInScope(
      { db: k.db, keys: k.koepel.keys },
      { kind: 'citizen', citizenId: pieter, portalId: portalA },
      async (scope) => {
        await scope.audit({ event: 'test', action: 'R', citizenId: pieter });
        return scope.tx
          .updateTable('system_message')
          .set({ read_at: new Date() })
          .where('citizen_id', '=', suzanne)
          .execute();
      },
    );
    assert.equal(Number(marked[0]?.numUpdatedRows ?? 0), 0);
  });

  test('[MG-9] only Koepel inserts a message: staff, the API client, the citizen and the operator are refused', async () => {
    const staff = await staffPrincipal(k.db, 'assistent@delinde.example');
    const principals: Principal[] = [
      staff,
      client.principal,
      { kind: 'citizen', citizenId: suzanne, portalId: portalA },
      { kind: 'operator', staffId: operatorId },
      { kind: 'system', purpose: 'notifications' },
    ];
    const before = (await messagesOf(suzanne)).length;
    for (const principal of principals) {
      await assert.rejects(
        runInScope({ db: k.db, keys: k.koepel.keys }, principal, async (scope) => {
          await scope.audit({ event: 'test', action: 'R', citizenId: suzanne });
          await scope.tx
            .insertInto('system_message')
            .values({
              citizen_id: suzanne,
              organisation_id: gp,
              kind: 'order-handled',
              params: '{"status":"approved"}',
            })
            .execute();
        }),
        (err) => sqlState(err) === '42501',
        principal.kind,
      );
      // Nor through the function, which asks for the system purpose.
      await assert.rejects(
        runInScope({ db: k.db, keys: k.koepel.keys }, principal, (scope) =>
          postSystemMessage(scope, {
            kind: 'order-handled',
            citizenId: suzanne,
            organisationId: gp,
            params: { status: 'approved' },
          }),
        ),
        SystemMessageRefused,
      );
    }
    // Staff and clients cannot change a message either (no column but read_at is granted; the policy is the citizen's).
    await assert.rejects(
      runInScope({ db: k.db, keys: k.koepel.keys }, staff, (scope) =>
        scope.tx
          .updateTable('system_message')
          .set({ kind: 'portal-change' })
          .where('citizen_id', '=', suzanne)
          .execute(),
      ),
      (err) => sqlState(err) === '42501',
    );
    assert.equal((await messagesOf(suzanne)).length, before);
  });

  test('[MG-9] an order handled: Koepel posts it (system purpose), the citizen reads it in their language', async () => {
    const orderId = '0f0e0d0c-0b0a-4909-8807-060504030201';
    const id = await runInScope(
      { db: k.db, keys: k.koepel.keys },
      { kind: 'system', purpose: 'system-messages' },
      (scope) =>
        postSystemMessage(scope, {
          kind: 'order-handled',
          citizenId: suzanne,
          organisationId: pharmacy,
          params: { status: 'ready', orderId },
        }),
    );
    assert.ok(id);
    const audit = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'actor_type', 'actor_role'])
      .where('resource_id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit, {
      event_code: 'system-message.create',
      actor_type: 'system',
      actor_role: 'system-messages',
    });
    // Bad parameters are refused before anything is written.
    await assert.rejects(
      runInScope({ db: k.db, keys: k.koepel.keys }, { kind: 'system', purpose: 'system-messages' }, (scope) =>
        postSystemMessage(scope, {
          kind: 'order-handled',
          citizenId: suzanne,
          organisationId: pharmacy,
          params: { status: 'lost' as 'ready' },
        }),
      ),
    );
    const nl = await s.get(`/messages/system/${id}`);
    assert.match(pageText(nl.text), /Uw bestelling ligt klaar bij Apotheek Centrum/);
    assert.match(nl.text, new RegExp(`href="/repeat-medication/${orderId}"`));
    const en = new HttpClient(k.url);
    assert.equal((await loginWithDigid(en, DEMO.suzanne)).status, 303);
    assert.equal((await en.get('/language?lang=en')).status, 303);
    const english = await en.get(`/messages/system/${id}`);
    assert.match(pageText(english.text), /Your order is ready at Apotheek Centrum/);
  });

  test('[MG-9] a message about an organisation the citizen no longer sees is not shown', async () => {
    // Johannes's relationship with the GP ended.
    const id = await runInScope(
      { db: k.db, keys: k.koepel.keys },
      { kind: 'system', purpose: 'system-messages' },
      (scope) =>
        postSystemMessage(scope, {
          kind: 'new-data',
          citizenId: johannes,
          organisationId: gp,
          params: { category: 'lab' },
        }),
    );
    assert.ok(id);
    const j = new HttpClient(k.url);
    assert.equal((await loginWithDigid(j, DEMO.johannes)).status, 303);
    assert.doesNotMatch((await j.get('/messages/system')).text, new RegExp(id));
    assert.equal((await j.get(`/messages/system/${id}`)).status, 404);
  });

  test('[MG-9] the operator posts a notice to every citizen of one portal, audited; staff cannot', async () => {
    const page = await operator.client.get('/operator/notices');
    assert.equal(page.status, 200);
    const csrf = csrfFrom(page.text);
    const count = async () =>
      Number(
        (
          await k.db
            .selectFrom('portal_notice')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    // Bad input: a clear error, nothing written.
    for (const [form, status] of [
      [{ portal: portalA, kind: 'maintenance', date: '2026-13-01' }, 422],
      [{ portal: portalA, kind: 'maintenance', date: '1999-01-01' }, 422],
      [{ portal: portalA, kind: '<script>', date: '2027-01-01' }, 422],
      [{ portal: '00000000-0000-4000-8000-000000000000', kind: 'maintenance', date: '2027-01-01' }, 422],
    ] as const) {
      const r = await operator.client.post('/operator/notices', { ...form, _csrf: csrf });
      assert.equal(r.status, status, JSON.stringify(form));
      assert.match(r.text, /Er is een probleem/);
    }
    assert.equal(
      (await operator.client.post('/operator/notices', { portal: portalA, kind: 'maintenance', date: '2027-01-01' }))
        .status,
      403,
    );
    assert.equal(await count(), before);

    const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const ok = await operator.client.post('/operator/notices', {
      portal: portalA,
      kind: 'maintenance',
      date,
      _csrf: csrf,
    });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/operator/notices?posted=1');
    const again = await operator.client.post('/operator/notices', {
      portal: portalA,
      kind: 'maintenance',
      date,
      _csrf: csrf,
    });
    assert.equal(again.status, 409);
    assert.equal(await count(), before + 1);
    const notice = await k.db
      .selectFrom('portal_notice')
      .selectAll()
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(notice.posted_by, operatorId);
    const audit = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'actor_type', 'citizen_id'])
      .where('resource_id', '=', notice.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit, { event_code: 'operator.portal-notice.post', actor_type: 'operator', citizen_id: null });

    // Both citizens of the portal see it, with its own read marker each.
    for (const c of [s, p]) {
      const list = await c.get('/messages/system');
      assert.match(pageText(list.text), /is op .* een deel van de dag niet beschikbaar door onderhoud/);
      assert.match(list.text, new RegExp(`/messages/system/${notice.id}`));
    }
    assert.equal((await s.get(`/messages/system/${notice.id}`)).status, 200);
    const reads = await k.db.selectFrom('portal_notice_read').selectAll().where('notice_id', '=', notice.id).execute();
    assert.deepEqual(
      reads.map((r) => r.citizen_id),
      [suzanne],
    );
    assert.match((await p.get('/messages/system')).text, /Systeemberichten, \d+ ongelezen/);

    // Staff (also an admin) may not post: the page and the form are the operator's.
    const staff = await loginStaff(k.url, 'assistent@delinde.example');
    assert.equal((await staff.client.get('/operator/notices')).status, 403);
    const staffCsrf = csrfFrom((await staff.client.get('/staff')).text);
    assert.equal(
      (await staff.client.post('/operator/notices', { portal: portalA, kind: 'improvements', date, _csrf: staffCsrf }))
        .status,
      403,
    );
    await assert.rejects(
      runInScope({ db: k.db, keys: k.koepel.keys }, await staffPrincipal(k.db, 'assistent@delinde.example'), (scope) =>
        scope.tx
          .insertInto('portal_notice')
          .values({
            portal_id: portalA,
            kind: 'portal-change',
            params: JSON.stringify({ date, topic: 'improvements' }),
          })
          .execute(),
      ),
      (err) => sqlState(err) === '42501',
    );
    assert.equal(await count(), before + 1);
  });

  test('[MG-9] a notice of another portal never reaches this portal’s citizens, nor those who joined after it', async () => {
    const portalB = await newPortal(k.db, 'sysmsg-b');
    const date = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    const id = await runInScope({ db: k.db, keys: k.koepel.keys }, { kind: 'operator', staffId: operatorId }, (scope) =>
      postPortalNotice(scope, { portalId: portalB, kind: 'portal-change', params: { date, topic: 'functions' } }),
    );
    assert.ok(id);
    const list = await s.get('/messages/system');
    assert.doesNotMatch(list.text, new RegExp(id));
    assert.equal((await s.get(`/messages/system/${id}`)).status, 404);
    // A citizen of portal B sees it; the same citizen through portal A does not.
    const through = (portalId: string) =>
      runInScope({ db: k.db, keys: k.koepel.keys }, { kind: 'citizen', citizenId: pieter, portalId }, async (scope) =>
        (await listSystemMessages(scope, { kind: 'citizen', citizenId: pieter, portalId }, 1))?.messages.map(
          (m) => m.id,
        ),
      );
    assert.ok((await through(portalB))?.includes(id));
    assert.ok(!(await through(portalA))?.includes(id));
    // Someone who joined after the notice was posted does not get it.
    await k.db
      .updateTable('citizen')
      .set({ created_at: new Date(Date.now() + 60_000) })
      .where('id', '=', pieter)
      .execute();
    assert.ok(!(await through(portalB))?.includes(id));
    await k.db
      .updateTable('citizen')
      .set({ created_at: new Date('2020-01-01') })
      .where('id', '=', pieter)
      .execute();
  });

  test('[MG-9] a later privacy statement date tells every citizen of the portal once', async () => {
    const before = await k.db
      .selectFrom('portal')
      .select('privacy_statement_updated_on')
      .where('id', '=', portalA)
      .executeTakeFirstOrThrow();
    const next = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await sql`update portal set privacy_statement_updated_on = ${next} where id = ${portalA}`.execute(k.db);
    await sql`update portal set privacy_statement_updated_on = ${next} where id = ${portalA}`.execute(k.db);
    const notices = await k.db
      .selectFrom('portal_notice')
      .selectAll()
      .where('portal_id', '=', portalA)
      .where('kind', '=', 'privacy-statement-change')
      .execute();
    assert.equal(notices.length, 1);
    assert.equal(notices[0]?.posted_by, null);
    const list = await p.get('/messages/system');
    assert.match(pageText(list.text), /De privacyverklaring van .* is per \d{1,2} [a-z]+ 20\d\d gewijzigd/);
    const one = await p.get(`/messages/system/${notices[0]?.id ?? ''}`);
    assert.match(one.text, /href="\/privacy"/);
    assert.ok(before);
  });
});
