// Issue 14 (LU-10): the privacy statement shows when it was last updated, its earlier versions stay readable, and a
// new version — published by the operator only — is announced to every citizen of that portal.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { pageText } from '../../test/support/html.js';
import { HttpClient, csrfFrom } from '../../test/support/http-client.js';
import { DEMO } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { loginStaff, type StaffLogin } from '../staff/login.testkit.js';

describe('[LU-10] privacy statement versions', () => {
  let k: TestKoepel;
  let operator: StaffLogin;
  let portalId = '';
  const today = new Date().toISOString().slice(0, 10);
  const body =
    '## Wat is er nieuw?\n\nWij bewaren <script>alert(1)</script> niets\nlanger dan nodig.\n\n## Rechten\n\nU heeft rechten.';

  const versions = async () =>
    Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from privacy_statement_version where portal_id = ${portalId}`.execute(k.db)
      ).rows[0]?.n,
    );
  const notices = async () =>
    Number(
      (
        await sql<{ n: string }>`select count(*) as n from portal_notice
        where portal_id = ${portalId} and kind = 'privacy-statement-change'`.execute(k.db)
      ).rows[0]?.n,
    );

  before(async () => {
    k = await startKoepel();
    portalId = k.koepel.app.koepel.portals.current().id;
    operator = await loginStaff(k.url, 'servicedesk@koepel.example');
  });
  after(() => k.close());

  test('[LU-10] version 1 is the built-in statement with its date; no earlier versions yet', async () => {
    const page = await new HttpClient(k.url).get('/privacy');
    assert.equal(page.status, 200);
    assert.match(page.text, /Laatst bijgewerkt op 1 november 2026/);
    assert.match(page.text, /Wie is verantwoordelijk\?/);
    assert.doesNotMatch(page.text, /href="\/privacy\/versions"/);
    assert.equal(await versions(), 1);
    const list = await new HttpClient(k.url).get('/privacy/versions');
    assert.match(pageText(list.text), /Versie 1, 1 november 2026 \(geldt nu\)/);
  });

  test('[LU-10] only the operator publishes; staff, citizens and visitors are refused', async () => {
    assert.equal((await new HttpClient(k.url).get('/operator/privacy')).status, 401);
    const staff = await loginStaff(k.url, 'fysio@beweegwijs.example');
    assert.equal((await staff.client.get('/operator/privacy')).status, 403);
    const form = { portal: portalId, date: today, body, _csrf: csrfFrom(staff.page.text) };
    assert.equal((await staff.client.post('/operator/privacy', form)).status, 403);
    const citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);
    const home = await citizen.get('/home');
    assert.equal((await citizen.post('/operator/privacy', { ...form, _csrf: csrfFrom(home.text) })).status, 403);
    // The database agrees: a staff principal cannot publish through the function either.
    await assert.rejects(
      sql`select set_config('koepel.principal', 'staff', true), koepel_publish_privacy_statement(${portalId}::uuid, ${today}::date, 'x')`.execute(
        k.db,
      ),
    );
    assert.equal(await versions(), 1);
    assert.equal(await notices(), 0);
  });

  test('[LU-10] bad input is refused with a clear message and publishes nothing', async () => {
    const page = await operator.client.get('/operator/privacy');
    assert.equal(page.status, 200);
    const csrf = csrfFrom(page.text);
    const post = (f: Record<string, string>) => operator.client.post('/operator/privacy', { _csrf: csrf, ...f });
    assert.equal((await post({ portal: portalId, date: today, body: '' })).status, 422);
    assert.equal((await post({ portal: portalId, date: '2026-13-01', body })).status, 422);
    assert.equal((await post({ portal: portalId, date: '2031-01-01', body })).status, 422);
    assert.equal((await post({ portal: '00000000-0000-4000-8000-000000000000', date: today, body })).status, 422);
    assert.equal(
      (await operator.client.post('/operator/privacy', { portal: portalId, date: today, body })).status,
      403,
    );
    const notLater = await post({ portal: portalId, date: '2026-11-01', body });
    assert.equal(notLater.status, 409);
    assert.match(pageText(notLater.text), /De datum moet later zijn dan de datum van de huidige versie/);
    assert.equal(await versions(), 1);
    assert.equal(await notices(), 0);
  });

  test('[LU-10] a new version: shown with its date, the old one readable, the change announced once, audited', async () => {
    const page = await operator.client.get('/operator/privacy');
    const r = await operator.client.post('/operator/privacy', {
      _csrf: csrfFrom(page.text),
      portal: portalId,
      date: today,
      body,
    });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/operator/privacy?published=1');
    assert.equal(await versions(), 2);
    assert.equal(await notices(), 1, 'the portal notice of migration 0032, in the same transaction');

    const current = await new HttpClient(k.url).get('/privacy');
    const text = pageText(current.text);
    assert.match(current.text, new RegExp(`<time datetime="${today}">Laatst bijgewerkt op`));
    assert.match(current.text, /<h2[^>]*>Wat is er nieuw\?<\/h2>/);
    assert.match(text, /Wij bewaren <script>alert\(1\)<\/script> niets langer dan nodig\./);
    assert.doesNotMatch(current.text, /<script>alert/, 'the text is escaped');
    assert.doesNotMatch(text, /Wie is verantwoordelijk\?/);
    assert.match(current.text, /href="\/privacy\/versions"/);

    const list = await new HttpClient(k.url).get('/privacy/versions');
    assert.match(pageText(list.text), /Versie 2, .* \(geldt nu\)/);
    assert.match(list.text, /href="\/privacy\/versions\/1"/);
    const old = await new HttpClient(k.url).get('/privacy/versions/1');
    assert.equal(old.status, 200);
    assert.match(pageText(old.text), /Dit is een eerdere versie van 1 november 2026/);
    assert.match(old.text, /Wie is verantwoordelijk\?/);
    assert.equal((await new HttpClient(k.url).get('/privacy/versions/2')).status, 200);
    assert.equal((await new HttpClient(k.url).get('/privacy/versions/3')).status, 404);
    assert.equal((await new HttpClient(k.url).get('/privacy/versions/abc')).status, 404);
    assert.equal((await new HttpClient(k.url).get('/privacy/versions/0')).status, 404);

    const audit = await k.db
      .selectFrom('audit_log')
      .selectAll()
      .where('event_code', '=', 'operator.privacy-statement.publish')
      .executeTakeFirstOrThrow();
    assert.equal(audit.actor_type, 'operator');
    assert.equal(audit.resource_id, `${portalId}:2`);

    // The citizen sees the notice at their next visit: in their system messages, linking to /privacy.
    const citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.pieter)).status, 303);
    const home = await citizen.get('/home');
    assert.match(pageText(home.text), /De privacyverklaring is gewijzigd/);
    const link = /href="(\/messages\/system\/[0-9a-f-]{36})"/.exec(home.text)?.[1];
    assert.ok(link, 'the banner links the notice');
    const messages = await citizen.get('/messages/system');
    assert.match(pageText(messages.text), /De privacyverklaring van .* is per \d{1,2} [a-z]+ 20\d\d gewijzigd/);
    const opened = await citizen.get(link);
    assert.equal(opened.status, 200);
    assert.match(opened.text, /href="\/privacy"/);
    assert.doesNotMatch(pageText((await citizen.get('/home')).text), /De privacyverklaring is gewijzigd/, 'read: gone');

    // The same date again: refused, no second version or notice.
    const again = await operator.client.post('/operator/privacy', {
      _csrf: csrfFrom(page.text),
      portal: portalId,
      date: today,
      body: 'Nog een tekst.',
    });
    assert.equal(again.status, 409);
    assert.equal(await versions(), 2);
    assert.equal(await notices(), 1);
  });

  test('[LU-10] another portal keeps its own statement', async () => {
    const others = await sql<{ id: string; n: string }>`
      select p.id, count(v.version) as n from portal p left join privacy_statement_version v on v.portal_id = p.id
      where p.id <> ${portalId} group by p.id`.execute(k.db);
    for (const o of others.rows) assert.equal(Number(o.n), 1, 'version 1 only');
    // A portal created later starts with version 1 (the trigger of migration 0039).
    const { rows } = await sql<{ id: string }>`
      insert into portal (slug, name, support_email, dpo_name, dpo_email, privacy_statement_updated_on)
      values ('lu10-new', 'Nieuw portaal', 'support@nieuw.example', 'FG', 'fg@nieuw.example', '2026-06-01')
      returning id`.execute(k.db);
    const v = await sql<{ version: number; published_on: string }>`
      select version, published_on::text as published_on from privacy_statement_version where portal_id = ${rows[0]?.id}`.execute(
      k.db,
    );
    assert.deepEqual(v.rows, [{ version: 1, published_on: '2026-06-01' }]);
  });
});
