import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';

const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/\(/g, '\\(').replace(/\)/g, '\\)');

/** The organisation names in the "Mijn zorgverleners" cards, in page order. */
function providerNames(html: string): string[] {
  return [...html.matchAll(/<h3 id="provider-[^"]+" class="utrecht-heading-3">([^<]+)<\/h3>/g)].map((m) => m[1] ?? '');
}

async function homeOf(k: TestKoepel, bsn: string): Promise<{ c: HttpClient; html: string }> {
  const c = new HttpClient(k.url);
  const login = await loginWithDigid(c, bsn);
  assert.equal(login.status, 303);
  const home = await c.get('/home');
  assert.equal(home.status, 200);
  return { c, html: home.text };
}

describe('citizen home', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  test('[PZ-1] a citizen sees exactly their care providers', async () => {
    const suzanne = await homeOf(k, DEMO.suzanne);
    assert.deepEqual(providerNames(suzanne.html), [DEMO.gp, DEMO.pharmacy, DEMO.hospital]);
    for (const absent of [DEMO.physio, DEMO.team]) assert.doesNotMatch(suzanne.html, new RegExp(escaped(absent)));

    // Johannes' GP relationship ended: that practice is not his care provider any more.
    const johannes = await homeOf(k, DEMO.johannes);
    assert.deepEqual(providerNames(johannes.html), [DEMO.pharmacy, DEMO.hospital, DEMO.physio]);
    assert.doesNotMatch(johannes.html, new RegExp(escaped(DEMO.gp)));

    for (const [bsn, expected] of [
      [DEMO.pieter, [DEMO.gp, DEMO.pharmacy, DEMO.physio]],
      [DEMO.fatima, [DEMO.gp, DEMO.team]],
    ] as const) {
      assert.deepEqual(providerNames((await homeOf(k, bsn)).html), expected);
    }
  });

  test('[PZ-1] an organisation outside this portal, or a relationship not yet started, is not shown', async () => {
    // An organisation in another portal of the same deployment, with which Suzanne has a care relationship.
    const other = await k.db
      .insertInto('organisation')
      .values({ name: 'Tandartspraktijk Elders', kind: 'gp', functions: ['appointments'] })
      .returning('id')
      .executeTakeFirstOrThrow();
    const otherPortal = await k.db
      .insertInto('portal')
      .values({
        slug: 'elders',
        name: 'Portaal Elders',
        support_email: 'support@elders.example',
        dpo_name: 'FG Elders',
        dpo_email: 'fg@elders.example',
        privacy_statement_updated_on: '2026-01-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await k.db
      .insertInto('portal_organisation')
      .values({ portal_id: otherPortal.id, organisation_id: other.id })
      .execute();
    await k.db
      .insertInto('portal_organisation')
      .values({ portal_id: otherPortal.id, organisation_id: await orgId(k.db, DEMO.gp) })
      .execute();
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    await k.db
      .insertInto('care_relationship')
      .values({ organisation_id: other.id, citizen_id: suzanne, started_on: '2020-01-01' })
      .execute();
    const pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    await k.db
      .insertInto('care_relationship')
      .values({ organisation_id: await orgId(k.db, DEMO.hospital), citizen_id: pieter, started_on: '2999-01-01' })
      .execute();
    assert.deepEqual(providerNames((await homeOf(k, DEMO.suzanne)).html), [DEMO.gp, DEMO.pharmacy, DEMO.hospital]);
    assert.deepEqual(providerNames((await homeOf(k, DEMO.pieter)).html), [DEMO.gp, DEMO.pharmacy, DEMO.physio]);
  });

  test('[MG-1] [MG-3] each care provider shows its type, contact details and the functions it offers', async () => {
    const { html } = await homeOf(k, DEMO.suzanne);
    // The cards, up to the end of the page's content (the session-timeout dialog after it has its own buttons).
    const cards = html.slice(0, html.indexOf('</main>')).split('<li class="koepel-card koepel-provider">').slice(1);
    const card = (name: string) => {
      const found = cards.find((c) => c.includes(`>${name.replace(/&/g, '&amp;')}</h3>`));
      assert.ok(found, name);
      return found;
    };
    const gp = card(DEMO.gp);
    assert.match(gp, /Huisartsenpraktijk<\/span>/);
    assert.match(gp, /Lindeplein 1/);
    assert.match(gp, /href="tel:0301234567"/);
    assert.match(gp, /href="mailto:praktijk@delinde\.example"/);
    assert.match(gp, /href="https:\/\/delinde\.example\/"/);
    // What Koepel itself offers is a link to that page for this provider; the rest is plain text: the provider does it.
    const link = (href: string, name: string) =>
      new RegExp(`<a [^>]*href="${href.replace(/\?/g, '\\?')}"[^>]*>${name}</a>`);
    const elsewhere = (name: string) => new RegExp(`<li>${name}: bij deze zorgverlener zelf</li>`);
    const gpId = await orgId(k.db, DEMO.gp);
    assert.match(gp, link(`/dossier/appointments?org=${gpId}`, 'Afspraken'));
    assert.match(gp, link(`/dossier?org=${gpId}`, 'Dossier inzien'));
    for (const f of ['Herhaalmedicatie', 'Berichten', 'Videoconsult']) assert.match(gp, elsewhere(f));
    assert.doesNotMatch(gp, /Medicatieoverzicht/);
    const pharmacy = card(DEMO.pharmacy);
    assert.match(pharmacy, /Apotheek<\/span>/);
    assert.match(pharmacy, link(`/dossier/medication?org=${await orgId(k.db, DEMO.pharmacy)}`, 'Medicatieoverzicht'));
    for (const f of ['Herhaalmedicatie', 'Berichten']) assert.match(pharmacy, elsewhere(f));
    assert.doesNotMatch(pharmacy, />Afspraken</);
    const hospital = card(DEMO.hospital);
    assert.match(hospital, /Ziekenhuis<\/span>/);
    assert.match(hospital, link(`/dossier/documents?org=${await orgId(k.db, DEMO.hospital)}`, 'Brieven'));
    // Never a control that does nothing: no buttons, no pill-shaped tags in a card.
    for (const c of cards) assert.doesNotMatch(c, /<button|koepel-tags/);
  });

  test('[PZ-2] BRP data is shown and cannot be edited', async () => {
    const { html } = await homeOf(k, DEMO.suzanne);
    const start = html.indexOf('id="personal-title"');
    assert.ok(start > 0, 'a "Mijn gegevens" section');
    const section = html.slice(start, html.indexOf('</section>', start));
    assert.match(section, /Mijn gegevens/);
    assert.match(section, /Suzanne Maria de Vries/);
    assert.match(section, /S\.M\./);
    assert.match(section, /999993653/);
    assert.match(section, /<time datetime="1982-04-12">12 april 1982<\/time>/);
    assert.match(section, /Vrouw/);
    assert.match(section, /Lindelaan 14/);
    assert.match(section, /3521 AB Utrecht/);
    assert.match(section, /komen uit de Basisregistratie Personen \(BRP\)\. U kunt ze hier niet wijzigen/);
    assert.doesNotMatch(section, /<form|<input|<textarea|<select|contenteditable/);
    // The only form on the page is the logout button in the header (and, after the page, the session-timeout
    // dialog's "stay logged in" and logout: issue 17).
    assert.deepEqual(
      [...html.matchAll(/<form [^>]*action="([^"]+)"/g)].map((m) => m[1]),
      ['/logout', '/session/extend', '/logout'],
    );
    // That no route changes BRP data, and that the database refuses it, is tested over every registered route and
    // every BRP column in test/security/brp-data.integration.test.ts.
  });

  test('English texts are available', async () => {
    const { c } = await homeOf(k, DEMO.suzanne);
    await c.get('/language?lang=en&return=/home');
    const home = await c.get('/home');
    assert.match(home.text, /My care providers/);
    assert.match(home.text, /My personal details/);
    assert.match(home.text, /GP practice/);
    assert.match(home.text, /Repeat medication/);
    assert.match(home.text, /12 April 1982/);
  });

  test('the audit log has a record naming the citizen for the home page view', async () => {
    const { c } = await homeOf(k, DEMO.fatima);
    const id = await citizenId(k.db, k.koepel.keys, DEMO.fatima);
    const countViews = async () =>
      k.db
        .selectFrom('audit_log')
        .selectAll()
        .where('event_code', '=', 'citizen.home.view')
        .where('citizen_id', '=', id)
        .execute();
    const views = await countViews();
    assert.ok(views.length >= 1);
    const last = views[views.length - 1];
    assert.equal(last?.action, 'R');
    assert.equal(last?.outcome, 'success');
    assert.equal(last?.actor_type, 'citizen');
    assert.equal(last?.actor_id, id);
    assert.equal(last?.client_address, '127.0.0.1');
    assert.ok(last?.request_id);
    await c.get('/home');
    assert.equal((await countViews()).length, views.length + 1, 'every view is logged');
  });

  test('without a citizen session /home is the login-required page', async () => {
    const res = await new HttpClient(k.url).get('/home');
    assert.equal(res.status, 401);
    assert.match(res.text, /Log eerst in/);
  });

  test('the home page is personal: not cached', async () => {
    const { c } = await homeOf(k, DEMO.suzanne);
    const res = await c.get('/home');
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });
});
