// Every response variant of the BRP, through the real login (DigiD simulator → fixture BRP over HTTP → the citizen's
// encrypted snapshot → "Mijn gegevens"): a person abroad, with an unknown address, with a `Locatie`, with a partial
// or unknown birth date, with only a surname, with a noble title, and with geheimhouding persoonsgegevens. Before
// issue 16 the BRP client refused these persons and the login kept their stale snapshot.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { HttpClient } from '../../../test/support/http-client.js';
import { citizenId } from '../../../test/support/principals.js';
import { newAppClientId } from '../../citizen-apps/registry.js';
import { hiddenFields, loginWithDigid } from '../digid/test-driver.js';
import { VARIANT_PERSONS } from './fixture-persons.js';

type Json = Record<string, unknown>;
const V = VARIANT_PERSONS;

function personalSection(html: string): string {
  const start = html.indexOf('id="personal-title"');
  assert.ok(start > 0, 'a "Mijn gegevens" section');
  return html.slice(start, html.indexOf('</section>', start));
}

const heading = (html: string) => /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1] ?? '';

describe('the BRP for every person it holds', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  async function logIn(bsn: string): Promise<{ c: HttpClient; html: string }> {
    const c = new HttpClient(k.url);
    const login = await loginWithDigid(c, bsn);
    assert.equal(login.status, 303, `login of a variant person (${login.status})`);
    assert.equal(login.location, '/home');
    const home = await c.get('/home');
    assert.equal(home.status, 200);
    return { c, html: home.text };
  }

  test('[PZ-2] every variant person logs in and the BRP snapshot is refreshed, not kept stale', async () => {
    for (const p of Object.values(V)) {
      const id = await citizenId(k.db, k.koepel.keys, p.burgerservicenummer);
      const stale = new Date('2020-01-01T00:00:00Z');
      // As the owner (outside the koepel_app role): mark the stored snapshot as old.
      await k.db.updateTable('citizen').set({ brp_fetched_at: stale }).where('id', '=', id).execute();
      await logIn(p.burgerservicenummer);
      const row = await k.db
        .selectFrom('citizen')
        .select(['brp_fetched_at', 'given_names', 'family_name', 'birth_date'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.ok(row.brp_fetched_at > stale, `the snapshot of ${p.burgerservicenummer} was refreshed`);
      assert.equal(row.family_name, p.naam.geslachtsnaam);
      assert.equal(row.given_names, 'voornamen' in p.naam ? p.naam.voornamen : '');
      const refreshed = await k.db
        .selectFrom('audit_log')
        .select('id')
        .where('event_code', '=', 'citizen.brp.refresh')
        .where('citizen_id', '=', id)
        .execute();
      assert.ok(refreshed.length > 0, 'the refresh is audited');
    }
  });

  test('[PZ-2] the partial birth dates keep their first possible day and their precision in the clear columns, never a guessed day on screen', async () => {
    // Staff views, search and FHIR for these persons: birth-dates.integration.test.ts.
    const day = async (bsn: string) => {
      const id = await citizenId(k.db, k.koepel.keys, bsn);
      const row = await k.db
        .selectFrom('citizen')
        .select(['birth_date', 'birth_date_precision'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return `${row.birth_date ?? '-'} ${row.birth_date_precision}`;
    };
    assert.equal(await day(V.unknownAddress.burgerservicenummer), '1968-05-01 month');
    assert.equal(await day(V.locatie.burgerservicenummer), '1950-01-01 year');
    assert.equal(await day(V.onlySurname.burgerservicenummer), '- unknown');
    const { html } = await logIn(V.unknownAddress.burgerservicenummer);
    const section = personalSection(html);
    assert.match(section, /<time datetime="1968-05">mei 1968 \(dag onbekend\)<\/time>/);
    assert.doesNotMatch(section, /1 mei 1968/);
  });

  test('[PZ-2] an address abroad, an unknown address and a Locatie are shown as such', async () => {
    const abroad = personalSection((await logIn(V.abroad.burgerservicenummer)).html);
    assert.match(abroad, /Adres in het buitenland \(België\):/);
    assert.match(abroad, /Rue de la Loi 42/);
    assert.match(abroad, /1000 Bruxelles/);

    const unknown = personalSection((await logIn(V.unknownAddress.burgerservicenummer)).html);
    assert.match(unknown, /Adres onbekend/);

    const locatie = personalSection((await logIn(V.locatie.burgerservicenummer)).html);
    assert.match(locatie, /Locatie \(geen adres\):/);
    assert.match(locatie, /Woonboot bij de Weerdsluis/);
    assert.match(locatie, /<time datetime="1950">1950 \(dag en maand onbekend\)<\/time>/);
  });

  test('[PZ-2] a person with only a surname is greeted as the BRP says, never by a bare surname ("Welkom, Leeuwen")', async () => {
    const { html } = await logIn(V.onlySurname.burgerservicenummer);
    assert.equal(heading(html), 'Welkom, Van Leeuwen');
    assert.doesNotMatch(html, /Welkom, Leeuwen/);
    const section = personalSection(html);
    assert.match(section, /Geboortedatum onbekend/);
    assert.doesNotMatch(section, /Voorletters/);
    assert.match(section, /Nachtegaalstraat 3/);
  });

  test('[PZ-2] greeting and form of address come from the BRP adressering', async () => {
    for (const p of [V.abroad, V.unknownAddress, V.nobleTitle]) {
      const { html } = await logIn(p.burgerservicenummer);
      assert.equal(heading(html), `Welkom, ${p.adressering.gebruikInLopendeTekst}`);
    }
    const noble = personalSection((await logIn(V.nobleTitle.burgerservicenummer)).html);
    assert.match(noble, /Aanschrijfwijze/);
    assert.match(noble, /De hoogwelgeboren heer<\/span><br\/><span>H\. van Amstel/);
  });

  test('[MG-2] a variant person, like anyone, is not logged in below Substantieel', async () => {
    const c = new HttpClient(k.url);
    const answer = await loginWithDigid(c, V.onlySurname.burgerservicenummer, 'midden');
    assert.notEqual(answer.location, '/home');
    const home = await c.get('/home');
    assert.notEqual(home.status, 200);
  });

  test('[PZ-2] geheimhouding persoonsgegevens is shown to the citizen, and no BRP field goes to her apps', async () => {
    const secret = V.secret;
    const { c, html } = await logIn(secret.burgerservicenummer);
    const section = personalSection(html);
    assert.match(section, /Geheimhouding persoonsgegevens/);
    assert.match(section, /Ja\. De BRP geeft uw gegevens niet aan derden/);
    const other = personalSection((await logIn(V.abroad.burgerservicenummer)).html);
    assert.match(other, /Geheimhouding persoonsgegevens<\/dt><dd[^>]*><span>Nee<\/span>/);

    const id = await citizenId(k.db, k.koepel.keys, secret.burgerservicenummer);
    // Her own session reads her whole Patient.
    const own = await c.get(`/fhir/Patient/${id}`, { accept: 'application/fhir+json' });
    assert.equal(own.status, 200);
    assert.match(own.text, new RegExp(secret.burgerservicenummer));

    // An app she connects (a third party) gets the Patient without any BRP field.
    const app = await k.db
      .insertInto('citizen_app')
      .values({
        name: 'Mijn Gezondheid BRP-test',
        vendor: 'PGO Leverancier B.V.',
        client_id: newAppClientId(),
        confidential: false,
        redirect_uris: ['https://pgo-brp.example/callback'],
      })
      .returning(['client_id'])
      .executeTakeFirstOrThrow();
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: 'https://pgo-brp.example/callback',
      state: 'st-1',
      scope: 'launch/patient patient/*.read openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      aud: `${k.url}/fhir`,
    });
    const consent = await c.get(`/oauth/authorize?${q.toString()}`);
    assert.equal(consent.status, 200, consent.text.slice(0, 200));
    const approved = await c.post('/oauth/authorize', { ...hiddenFields(consent.text), decision: 'approve' });
    assert.equal(approved.status, 303);
    const code = new URL(approved.location ?? '').searchParams.get('code') ?? '';
    const token = await new HttpClient(k.url).post('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://pgo-brp.example/callback',
      code_verifier: verifier,
      client_id: app.client_id,
    });
    assert.equal(token.status, 200, token.text);
    const accessToken = String((JSON.parse(token.text) as Json).access_token);
    const viaApp = await new HttpClient(k.url).get(`/fhir/Patient/${id}`, { authorization: `Bearer ${accessToken}` });
    assert.equal(viaApp.status, 200);
    const patient = JSON.parse(viaApp.text) as Json;
    assert.equal(patient.id, id);
    for (const field of ['identifier', 'name', 'gender', 'birthDate', 'address']) {
      assert.equal(field in patient, false, `no ${field} for a third party`);
    }
    assert.doesNotMatch(viaApp.text, new RegExp(`${secret.burgerservicenummer}|Bos|Voorstraat|1988`));
    assert.match(viaApp.text, /"code":"R"/);
    // The same for every other way an app reaches the Patient: search and $everything.
    for (const path of [`/fhir/Patient?_id=${id}`, `/fhir/Patient/${id}/$everything`]) {
      const r = await new HttpClient(k.url).get(path, { authorization: `Bearer ${accessToken}` });
      assert.equal(r.status, 200, path);
      assert.match(r.text, new RegExp(`"resourceType":"Patient","id":"${id}"`), path);
      assert.doesNotMatch(r.text, new RegExp(`${secret.burgerservicenummer}|Voorstraat|1988-07-19`), path);
    }
  });
});
