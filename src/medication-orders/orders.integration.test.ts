// Repeat medication over HTTP against a real Koepel (MG-8, MG-1, MG-13): the citizen orders repeatable medicines
// from the pharmacy; the order is at once in the pharmacy's inbox (with the menu count); the pharmacist approves,
// sets it ready, refuses with a reason or asks a question, and the citizen sees each change with who and when.
// Bad input: a medicine that is not repeatable (refused on the server, nothing stored), double submits (one order),
// another citizen's and another organisation's ids in every URL and form (404), script in every free-text field
// (escaped), an organisation that switches repeat medication off (MG-1), a missing right (ZL-10).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { pageText } from '../../test/support/html.js';
import { csrfFrom, HttpClient, type Response } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { loginStaff } from '../staff/login.testkit.js';

const SCRIPT = '<script>alert(1)</script><img src=x onerror=alert(2)>';

describe('repeat medication: the citizen orders, the pharmacy handles (MG-8)', () => {
  let k: TestKoepel;
  let pharmacy: string;
  let hospital: string;
  let suzanne: string;
  let s: HttpClient;
  let p: HttpClient;
  let pharmacist: HttpClient;
  let gpDoctor: HttpClient;
  let pharmacyAdmin: HttpClient;

  before(async () => {
    k = await startKoepel();
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    hospital = await orgId(k.db, DEMO.hospital);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    s = new HttpClient(k.url);
    p = new HttpClient(k.url);
    assert.equal((await loginWithDigid(s, DEMO.suzanne)).status, 303);
    assert.equal((await loginWithDigid(p, DEMO.pieter)).status, 303);
    pharmacist = (await loginStaff(k.url, 'apotheker@apotheekcentrum.example')).client;
    gpDoctor = (await loginStaff(k.url, 'huisarts@delinde.example')).client;
    pharmacyAdmin = (await loginStaff(k.url, 'beheer@apotheekcentrum.example')).client;
  });
  after(async () => {
    await k.close();
  });

  const count = async (table: 'medication_order' | 'medication_order_event') =>
    Number(
      (
        await k.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  function postPairs(c: HttpClient, path: string, pairs: [string, string][]): Promise<Response> {
    return c.request('POST', path, new URLSearchParams(pairs).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  /** The order form's medicines (value and name) and its fields. */
  async function form(c: HttpClient, org: string) {
    const page = await c.get(`/repeat-medication/new/${org}`);
    assert.equal(page.status, 200, pageText(page.text).slice(0, 300));
    const medicines = [
      ...page.text.matchAll(
        /<input[^>]*name="medicines"[^>]*value="([0-9a-f-]{36})"[^>]*>[\s\S]*?<label[^>]*>([^<]+)</g,
      ),
    ].map((m) => ({ id: m[1] ?? '', name: (m[2] ?? '').trim() }));
    const key = /name="key" value="([0-9a-f-]{36})"/.exec(page.text)?.[1] ?? '';
    return { page, medicines, key, csrf: csrfFrom(page.text) };
  }

  async function order(
    c: HttpClient,
    org: string,
    chosen: string[],
    extra: { note?: string; delivery?: string; key?: string } = {},
  ): Promise<Response> {
    const f = await form(c, org);
    return postPairs(c, '/repeat-medication', [
      ['_csrf', f.csrf],
      ['organisation', org],
      ['key', extra.key ?? f.key],
      ...chosen.map((m): [string, string] => ['medicines', m]),
      ['delivery', extra.delivery ?? 'pickup'],
      ['note', extra.note ?? ''],
    ]);
  }

  const idFrom = (r: Response) => /^\/repeat-medication\/([0-9a-f-]{36})\?notice=sent$/.exec(r.location ?? '')?.[1];

  async function staffAction(c: HttpClient, id: string, status: string, text = ''): Promise<Response> {
    const page = await c.get(`/staff/medication-orders/${id}`);
    assert.equal(page.status, 200, pageText(page.text).slice(0, 300));
    const version = /name="version" value="(\d+)"/.exec(page.text)?.[1] ?? '0';
    return c.post(`/staff/medication-orders/${id}/status`, { _csrf: csrfFrom(page.text), status, version, text });
  }

  test('[MG-8] [MG-1] the citizen sees the medicines each organisation marks repeatable, and only where it offers repeat medication', async () => {
    const overview = await s.get('/repeat-medication');
    assert.equal(overview.status, 200);
    const text = pageText(overview.text);
    assert.match(text, /Apotheek Centrum/);
    // The GP offers repeat medication too; the hospital does not (MG-1).
    assert.match(text, /Huisartsenpraktijk De Linde/);
    assert.doesNotMatch(text, /Rivierenland/);
    const f = await form(s, pharmacy);
    const names = f.medicines.map((m) => m.name).join(' | ');
    // Chronic agreements with repeats: orderable. The acute cream without repeats and stopped medicines: not.
    assert.match(names, /Metformine/i);
    assert.match(names, /Enalapril/i);
    assert.match(names, /Atorvastatine/i);
    assert.doesNotMatch(names, /Triamcinolon|Azitromycine|Ibuprofen|Naproxen|Omeprazol/i);
    // The pharmacy delivers (demo): the choice is offered.
    assert.match(f.page.text, /name="delivery"[^>]*value="delivery"/);
    assert.equal((await s.get(`/repeat-medication/new/${hospital}`)).status, 404);
    assert.equal((await s.get('/repeat-medication/new/not-a-uuid')).status, 404);
    // The dossier's medication overview links to ordering.
    const dossier = await s.get('/dossier/medication');
    assert.match(dossier.text, /href="\/repeat-medication"/);
  });

  test('[MG-8] [MG-13] an order is in the pharmacy’s inbox at once; a double submit makes one order; the note is sealed', async () => {
    const before = await count('medication_order');
    const f = await form(s, pharmacy);
    const metformin = f.medicines.find((m) => /Metformine/i.test(m.name))?.id ?? '';
    const fields: [string, string][] = [
      ['_csrf', f.csrf],
      ['organisation', pharmacy],
      ['key', f.key],
      ['medicines', metformin],
      ['delivery', 'delivery'],
      ['note', `Graag voor vrijdag ${SCRIPT}`],
    ];
    const [a, b] = await Promise.all([
      postPairs(s, '/repeat-medication', fields),
      postPairs(s, '/repeat-medication', fields),
    ]);
    assert.equal(a.status, 303, pageText(a.text).slice(0, 300));
    assert.equal(b.status, 303, pageText(b.text).slice(0, 300));
    assert.equal(idFrom(a), idFrom(b));
    const again = await postPairs(s, '/repeat-medication', fields);
    assert.equal(idFrom(again), idFrom(a));
    assert.equal(await count('medication_order'), before + 1);
    const id = idFrom(a) ?? '';

    const page = await s.get(`/repeat-medication/${id}?notice=sent`);
    assert.equal(page.status, 200);
    assert.match(pageText(page.text), /Metformine/i);
    assert.match(pageText(page.text), /Bezorgen/);
    assert.ok(!page.text.includes('<script>alert(1)'), 'script in the note is escaped');
    assert.ok(pageText(page.text).includes('<script>alert(1)</script>'), 'shown as text');

    // The pharmacy's inbox, with its menu count, at once.
    const inbox = await pharmacist.get('/staff/medication-orders');
    assert.equal(inbox.status, 200);
    assert.ok(inbox.text.includes(`/staff/medication-orders/${id}`));
    assert.match(pageText(inbox.text), /Suzanne/);
    assert.match(inbox.text, /Herhaalrecepten \(\d+ nieuwe\)/);
    const detail = await pharmacist.get(`/staff/medication-orders/${id}`);
    assert.ok(pageText(detail.text).includes('<script>alert(1)</script>'), 'shown as text');
    assert.ok(!detail.text.includes('<script>alert(1)'));

    // Sealed at rest: no medicine name or note in the clear.
    const raw = await sql<{
      row: string;
    }>`select row_to_json(m)::text as row from medication_order m where id = ${id}`.execute(k.db);
    const rawText = raw.rows[0]?.row ?? '';
    assert.ok(rawText.length > 0);
    assert.doesNotMatch(rawText, /Metformine|vrijdag|script/i);
  });

  test('[MG-8] a medicine that is not repeatable is refused on the server, and nothing is stored', async () => {
    const before = [await count('medication_order'), await count('medication_order_event')];
    const f = await form(s, pharmacy);
    const repeatable = new Set(f.medicines.map((m) => m.id));
    const all = await k.db
      .selectFrom('record_resource')
      .select('id')
      .where('citizen_id', '=', suzanne)
      .where('organisation_id', '=', pharmacy)
      .where('resource_type', '=', 'MedicationRequest')
      .execute();
    const notRepeatable = all.map((r) => r.id).filter((id) => !repeatable.has(id));
    assert.ok(notRepeatable.length > 0, 'the demo has non-repeatable agreements');
    const gpMedicine = await k.db
      .selectFrom('record_resource')
      .select('id')
      .where('citizen_id', '=', suzanne)
      .where('organisation_id', '<>', pharmacy)
      .where('category', '=', 'medication')
      .executeTakeFirst();
    const tries: string[][] = [
      [notRepeatable[0] ?? ''],
      [f.medicines[0]?.id ?? '', notRepeatable[0] ?? ''],
      [crypto.randomUUID()],
      ['not-a-uuid'],
      ...(gpMedicine ? [[gpMedicine.id]] : []),
    ];
    for (const chosen of tries) {
      const r = await order(s, pharmacy, chosen);
      assert.equal(r.status, 400, `${chosen.join(',')}: ${r.status}`);
      assert.match(pageText(r.text), /niet online herhalen/);
    }
    const none = await order(s, pharmacy, []);
    assert.equal(none.status, 400);
    assert.match(pageText(none.text), /ten minste één medicijn/);
    const long = await order(s, pharmacy, [f.medicines[0]?.id ?? ''], { note: 'x'.repeat(1001) });
    assert.equal(long.status, 400);
    assert.match(pageText(long.text), /te lang/);
    const badDelivery = await order(s, pharmacy, [f.medicines[0]?.id ?? ''], { delivery: 'drone' });
    assert.equal(badDelivery.status, 400);
    const badKey = await order(s, pharmacy, [f.medicines[0]?.id ?? ''], { key: 'nope' });
    assert.equal(badKey.status, 400);
    // Pieter has his own repeatable medicines at the pharmacy: not Suzanne's.
    const own = await order(p, pharmacy, [f.medicines[0]?.id ?? '']);
    assert.equal(own.status, 400);
    // An organisation where Suzanne cannot order: 404, with a valid form otherwise.
    const ff = await form(s, pharmacy);
    const hospitalTry = await postPairs(s, '/repeat-medication', [
      ['_csrf', ff.csrf],
      ['organisation', hospital],
      ['key', ff.key],
      ['medicines', f.medicines[0]?.id ?? ''],
      ['delivery', 'pickup'],
      ['note', ''],
    ]);
    assert.equal(hospitalTry.status, 404);
    assert.equal(await count('medication_order'), before[0]);
    assert.equal(await count('medication_order_event'), before[1]);
    // Without the CSRF token: refused.
    const noCsrf = await postPairs(s, '/repeat-medication', [
      ['organisation', pharmacy],
      ['key', crypto.randomUUID()],
      ['medicines', f.medicines[0]?.id ?? ''],
    ]);
    assert.equal(noCsrf.status, 403);
  });

  test('[MG-8] the pharmacist approves and sets it ready for pickup; the citizen sees every change, with who and when', async () => {
    const f = await form(s, pharmacy);
    const r = await order(s, pharmacy, [f.medicines[1]?.id ?? ''], { note: 'Pickup please' });
    const id = idFrom(r) ?? '';
    assert.ok(id);
    let res = await staffAction(pharmacist, id, 'approved');
    assert.equal(res.status, 303, pageText(res.text).slice(0, 300));
    // A status the order cannot take now (sent is for delivery): 409, nothing changes.
    res = await staffAction(pharmacist, id, 'sent');
    assert.equal(res.status, 409);
    res = await staffAction(pharmacist, id, 'ready');
    assert.equal(res.status, 303);
    const page = await s.get(`/repeat-medication/${id}`);
    const text = pageText(page.text);
    assert.match(text, /Klaar om op te halen/);
    assert.match(text, /Goedgekeurd/);
    assert.match(text, /R\. Mulder \(Apotheek Centrum\)/);
    assert.match(text, /Bestelling verstuurd/);
    // No cancelling once handled.
    assert.doesNotMatch(page.text, /\/cancel"/);
    const cancel = await s.post(`/repeat-medication/${id}/cancel`, { _csrf: csrfFrom(page.text) });
    assert.equal(cancel.status, 303);
    const status = await k.db.selectFrom('medication_order').select('status').where('id', '=', id).executeTakeFirst();
    assert.equal(status?.status, 'ready');
    // [MG-9] Each change the pharmacy made is in the citizen's tab of system messages, linking to the order, with
    // the status and nothing of what was ordered.
    const systemTab = await s.get('/messages/system');
    assert.equal(systemTab.status, 200);
    const handled = await k.db
      .selectFrom('system_message')
      .select(['kind', 'params'])
      .where('kind', '=', 'order-handled')
      .where(sql<boolean>`params->>'orderId' = ${id}`)
      .orderBy('created_at')
      .execute();
    assert.deepEqual(
      handled.map((m) => (m.params as { status: string }).status),
      ['approved', 'ready'],
    );
    assert.equal((systemTab.text.match(new RegExp(`/messages/system/`, 'g')) ?? []).length >= 2, true);
    // A stale form (the old version) is refused as changed meanwhile.
    const stale = await pharmacist.post(`/staff/medication-orders/${id}/status`, {
      _csrf: csrfFrom((await pharmacist.get('/staff/medication-orders')).text),
      status: 'delivered',
      version: '1',
      text: '',
    });
    assert.equal(stale.status, 409);
  });

  test('[MG-8] a refusal carries a reason the citizen reads; a question is shown with the order; both inert as text', async () => {
    const f = await form(s, pharmacy);
    const id = idFrom(await order(s, pharmacy, [f.medicines[2]?.id ?? ''])) ?? '';
    // A question without text, or too long: 400, nothing changes.
    let res = await staffAction(pharmacist, id, 'question', '');
    assert.equal(res.status, 400);
    res = await staffAction(pharmacist, id, 'question', 'q'.repeat(1001));
    assert.equal(res.status, 400);
    res = await staffAction(pharmacist, id, 'question', `Gebruikt u nog 40 mg? ${SCRIPT}`);
    assert.equal(res.status, 303);
    let page = await s.get(`/repeat-medication/${id}`);
    assert.match(pageText(page.text), /Gebruikt u nog 40 mg\?/);
    assert.match(pageText(page.text), /heeft een vraag over uw bestelling/);
    assert.ok(!page.text.includes('<img src=x'));
    // [MG-9] The question opened a conversation (the pharmacy offers messages): the order page links to it, and the
    // citizen reads the question there, as a message from the pharmacist, and can answer it.
    const thread = /href="\/messages\/([0-9a-f-]{36})"/.exec(page.text)?.[1];
    assert.ok(thread, 'a link to the conversation');
    const about = await k.db
      .selectFrom('conversation')
      .select(['about_kind', 'about_id', 'status', 'started_by'])
      .where('id', '=', thread)
      .executeTakeFirstOrThrow();
    assert.deepEqual(about, { about_kind: 'medication-order', about_id: id, status: 'answered', started_by: 'staff' });
    const conversation = await s.get(`/messages/${thread}`);
    assert.equal(conversation.status, 200);
    assert.match(pageText(conversation.text), /Vraag over uw bestelling van herhaalmedicatie/);
    assert.match(pageText(conversation.text), /Gebruikt u nog 40 mg\?/);
    assert.ok(!conversation.text.includes('<img src=x'));
    res = await staffAction(pharmacist, id, 'refused', '');
    assert.equal(res.status, 400);
    res = await staffAction(pharmacist, id, 'refused', `Eerst controle bij de huisarts ${SCRIPT}`);
    assert.equal(res.status, 303);
    page = await s.get(`/repeat-medication/${id}`);
    const text = pageText(page.text);
    assert.match(text, /Afgewezen/);
    assert.match(text, /Eerst controle bij de huisarts/);
    assert.ok(!page.text.includes('<script>alert(1)'));
    // The reason and question are sealed.
    const raw = await sql<{
      row: string;
    }>`select string_agg(row_to_json(e)::text, ' ') as row from medication_order_event e where order_id = ${id}`.execute(
      k.db,
    );
    assert.doesNotMatch(raw.rows[0]?.row ?? '', /controle|40 mg/);
    // Done: no more actions.
    assert.equal((await staffAction(pharmacist, id, 'approved')).status, 409);
  });

  test('the citizen cancels an order nobody has handled yet', async () => {
    const f = await form(s, pharmacy);
    const id = idFrom(await order(s, pharmacy, [f.medicines[0]?.id ?? ''])) ?? '';
    const page = await s.get(`/repeat-medication/${id}`);
    const r = await s.post(`/repeat-medication/${id}/cancel`, { _csrf: csrfFrom(page.text) });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/repeat-medication?notice=cancelled');
    assert.match(pageText((await s.get(`/repeat-medication/${id}`)).text), /Geannuleerd/);
    // The citizen's own cancellation is no system message to themselves.
    const told = await k.db
      .selectFrom('system_message')
      .select('id')
      .where(sql<boolean>`params->>'orderId' = ${id}`)
      .execute();
    assert.equal(told.length, 0);
    assert.equal((await staffAction(pharmacist, id, 'approved')).status, 409);
  });

  test('[MG-8] another citizen’s or another organisation’s order in every URL and form is 404; staff need medication:orders', async () => {
    const f = await form(s, pharmacy);
    const id = idFrom(await order(s, pharmacy, [f.medicines[0]?.id ?? ''])) ?? '';
    assert.equal((await p.get(`/repeat-medication/${id}`)).status, 404);
    const pPage = await p.get('/repeat-medication');
    assert.ok(!pPage.text.includes(id));
    assert.equal((await p.post(`/repeat-medication/${id}/cancel`, { _csrf: csrfFrom(pPage.text) })).status, 404);
    assert.equal((await s.get('/repeat-medication/not-a-uuid')).status, 404);
    assert.equal((await s.get(`/repeat-medication/${crypto.randomUUID()}`)).status, 404);
    // The GP's doctor (another organisation) sees nothing of the pharmacy's order.
    assert.equal((await gpDoctor.get(`/staff/medication-orders/${id}`)).status, 404);
    assert.ok(!(await gpDoctor.get('/staff/medication-orders')).text.includes(id));
    const gpPage = await gpDoctor.get('/staff/medication-orders');
    const post = await gpDoctor.post(`/staff/medication-orders/${id}/status`, {
      _csrf: csrfFrom(gpPage.text),
      status: 'approved',
      version: '1',
      text: '',
    });
    assert.equal(post.status, 404);
    // The pharmacy's admin has no medication:orders right (ZL-10): no menu link, no pages.
    const adminHome = await pharmacyAdmin.get('/staff');
    assert.ok(!adminHome.text.includes('/staff/medication-orders'));
    assert.equal((await pharmacyAdmin.get('/staff/medication-orders')).status, 403);
    assert.equal((await pharmacyAdmin.get(`/staff/medication-orders/${id}`)).status, 403);
    // Citizens on staff pages, staff on citizen pages: refused.
    assert.notEqual((await s.get('/staff/medication-orders')).status, 200);
    assert.notEqual((await pharmacist.get('/repeat-medication')).status, 200);
    const status = await k.db.selectFrom('medication_order').select('status').where('id', '=', id).executeTakeFirst();
    assert.equal(status?.status, 'requested');
  });

  test('[MG-1] when the pharmacy switches repeat medication off, the citizen can no longer order there or see its orders', async () => {
    await k.db
      .updateTable('organisation')
      .set({ functions: sql<string[]>`array_remove(functions, 'repeat-medication')` })
      .where('id', '=', pharmacy)
      .execute();
    try {
      assert.equal((await s.get(`/repeat-medication/new/${pharmacy}`)).status, 404);
      const overview = pageText((await s.get('/repeat-medication')).text);
      assert.doesNotMatch(overview, /Apotheek Centrum/);
      assert.doesNotMatch(overview, /Metformine/i);
    } finally {
      await k.db
        .updateTable('organisation')
        .set({ functions: sql<string[]>`array_append(functions, 'repeat-medication')` })
        .where('id', '=', pharmacy)
        .execute();
    }
  });
});
