// The record on the home page: upcoming appointments and what is new since the previous login, per provider;
// previous_login_at maintained at login; still one audit record per view; the citizen navigation.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { NO_ACCESS_POINT, writeAudit } from '../platform/audit/audit.js';
import { withPrincipal, type Principal } from '../platform/db/principal.js';
import { writeResources, type FhirJson } from '../record/store.js';
import { pageText } from '../../test/support/html.js';
import { sql } from 'kysely';

const text = pageText;

const section = (html: string, id: string) => {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start > 0, id);
  return html.slice(start, html.indexOf('</section>', start));
};

describe('citizen home: the record', () => {
  let k: TestKoepel;
  let gp: string;
  let hospital: string;

  async function login(bsn: string): Promise<HttpClient> {
    const c = new HttpClient(k.url);
    assert.equal((await loginWithDigid(c, bsn)).status, 303);
    return c;
  }

  async function home(c: HttpClient): Promise<string> {
    const res = await c.get('/home');
    assert.equal(res.status, 200);
    return res.text;
  }

  async function push(organisationId: string, citizen: string, resources: FhirJson[]): Promise<void> {
    const client = await k.db
      .insertInto('api_client')
      .values({
        organisation_id: organisationId,
        name: 'test system',
        client_id: `kc_test_${randomBytes(10).toString('hex')}`,
        secret_hash: randomBytes(32),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const principal: Principal = { kind: 'client', clientId: client.id, organisationId };
    await withPrincipal(k.db, principal, (tx) =>
      writeResources(
        { tx, principal, keys: k.koepel.keys, audit: (...e) => writeAudit(tx, principal, NO_ACCESS_POINT, e) },
        resources.map((resource) => ({
          citizenId: citizen,
          resourceType: resource.resourceType,
          sourceKey: `urn:test|${randomUUID()}`,
          resource,
        })),
      ),
    );
  }

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
  });
  after(async () => {
    await k.close();
  });

  test('[LU-1] upcoming appointments of every provider, soonest first, each labelled; past and cancelled ones not', async () => {
    const suzanneId = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const soon = new Date(Date.now() + 4 * 86_400_000).toISOString();
    await push(hospital, suzanneId, [
      {
        resourceType: 'Appointment',
        status: 'cancelled',
        description: 'Afgezegde afspraak',
        start: soon,
        participant: [{ actor: { display: 'Dr. S. Kaya' }, status: 'accepted' }],
      },
    ]);
    const html = section(await home(await login(DEMO.suzanne)), 'appointments-title');
    const t = text(html);
    assert.match(
      t,
      /Komende afspraken \d+ \w+ \d{4} om \d{2}:\d{2} Diabetescontrole bij de praktijkondersteuner J\. Vermeulen, praktijkondersteuner · Huisartsenpraktijk De Linde, spreekkamer 3 Van Huisartsenpraktijk De Linde \d+ \w+ \d{4} om \d{2}:\d{2} Controle na galblaasoperatie Dr\. S\. Kaya, chirurg · Polikliniek Chirurgie, route 42 Van Rivierenland Ziekenhuis/,
    );
    assert.doesNotMatch(t, /Afgezegde afspraak|Opname voor laparoscopische/);
    assert.match(html, /href="\/dossier\/appointments"/);

    // Johannes' GP relationship ended: only his hospital appointment.
    const johannes = text(section(await home(await login(DEMO.johannes)), 'appointments-title'));
    assert.match(johannes, /Controle hartfalen/);
    assert.doesNotMatch(johannes, /De Linde/);
    // Fatima's neighbourhood team shares its appointment too.
    assert.match(
      text(section(await home(await login(DEMO.fatima)), 'appointments-title')),
      /Kennismakingsgesprek met het buurtteam/,
    );
  });

  test('[MG-6] an appointment booked in Koepel is in the same list, linked, and marked while it waits for the organisation', async () => {
    const pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    const physio = await orgId(k.db, DEMO.physio);
    const type = await k.db
      .selectFrom('appointment_type')
      .select('id')
      .where('organisation_id', '=', physio)
      .executeTakeFirstOrThrow();
    const therapist = await k.db
      .selectFrom('staff_account')
      .select('id')
      .where('email', '=', 'fysio@beweegwijs.example')
      .executeTakeFirstOrThrow();
    const inDays = (d: number) => new Date(Date.now() + d * 86_400_000);
    const book = async (start: Date, status: 'booked' | 'requested' | 'cancelled') =>
      (
        await k.db
          .insertInto('appointment')
          .values({
            organisation_id: physio,
            citizen_id: pieter,
            type_id: type.id,
            staff_id: therapist.id,
            staff_name: 'T. Jacobs',
            status,
            booked_by: 'citizen',
            during: sql<string>`tstzrange(${start}::timestamptz, ${start}::timestamptz + interval '30 minutes', '[)')`,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const first = await book(inDays(1), 'booked');
    const waiting = await book(inDays(2), 'requested');
    await book(inDays(3), 'cancelled');
    await book(inDays(-3), 'booked');
    const html = section(await home(await login(DEMO.pieter)), 'appointments-title');
    assert.match(html, new RegExp(`href="/appointments/${first}"`));
    assert.match(html, new RegExp(`href="/appointments/${waiting}"`));
    const t = text(html);
    assert.match(
      t,
      /Behandeling T\. Jacobs Van Fysiotherapie Beweegwijs .*Behandeling \(aangevraagd, nog niet bevestigd\) T\. Jacobs/,
    );
    // The demo's pushed physio appointment is "Behandeling knieklachten"; the two booked here are plain "Behandeling".
    assert.equal(t.match(/Behandeling(?! knie)/g)?.length, 2, 'not the cancelled one, not the past one');
  });

  test('[LU-1] new results and documents since the previous visit, per provider, with counts and links', async () => {
    const fatimaId = await citizenId(k.db, k.koepel.keys, DEMO.fatima);
    await k.db
      .updateTable('citizen')
      .set({ last_login_at: null, previous_login_at: null })
      .where('id', '=', fatimaId)
      .execute();

    // First visit: what the providers share so far.
    const first = section(await home(await login(DEMO.fatima)), 'new-title');
    assert.match(
      text(first),
      /Dit is uw eerste bezoek\. Dit delen uw zorgverleners nu met u: Huisartsenpraktijk De Linde 6 uitslagen/,
    );
    assert.match(first, new RegExp(`href="/dossier/lab\\?org=${gp}"`));
    const afterFirst = await k.db
      .selectFrom('citizen')
      .select(['last_login_at', 'previous_login_at'])
      .where('id', '=', fatimaId)
      .executeTakeFirstOrThrow();
    assert.equal(afterFirst.previous_login_at, null);
    assert.ok(afterFirst.last_login_at);

    // Second visit: previous_login_at is the first login; nothing new since.
    const c = await login(DEMO.fatima);
    const afterSecond = await k.db
      .selectFrom('citizen')
      .select(['last_login_at', 'previous_login_at'])
      .where('id', '=', fatimaId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(afterSecond.previous_login_at, afterFirst.last_login_at);
    assert.ok((afterSecond.last_login_at?.getTime() ?? 0) >= (afterFirst.last_login_at?.getTime() ?? 0));
    assert.match(
      text(section(await home(c), 'new-title')),
      /Er is niets nieuws sinds uw vorige bezoek op \d+ \w+ \d{4} om \d{2}:\d{2}\./,
    );

    // The GP sends a new result: it shows up as new (the session's previous login stays the same).
    await push(gp, fatimaId, [
      {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hb' }], text: 'Hemoglobine (Hb)' },
        effectiveDateTime: new Date().toISOString(),
        valueQuantity: { value: 7.4, unit: 'mmol/L' },
      },
    ]);
    const fresh = section(await home(c), 'new-title');
    assert.match(
      text(fresh),
      /Sinds uw vorige bezoek op .+ is er nieuw of bijgewerkt: Huisartsenpraktijk De Linde 1 nieuwe uitslag/,
    );
    assert.match(fresh, new RegExp(`<a class="utrecht-link" href="/dossier/lab\\?org=${gp}">1 nieuwe uitslag</a>`));
    // Another citizen's new data is not hers.
    const pieterId = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    await push(gp, pieterId, [
      {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Kalium' },
        effectiveDateTime: new Date().toISOString(),
        valueQuantity: { value: 4.4, unit: 'mmol/L' },
      },
    ]);
    assert.match(text(section(await home(c), 'new-title')), /1 nieuwe uitslag/);
  });

  test('the home page stays lean: one audit record per view', async () => {
    const suzanneId = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const c = await login(DEMO.suzanne);
    const count = async () =>
      (
        await k.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('citizen_id', '=', suzanneId)
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    await home(c);
    assert.equal(await count(), before + 1);
  });

  test('citizen navigation: a labelled nav with the current page marked; not shown to visitors or staff pages', async () => {
    const c = await login(DEMO.pieter);
    const html = await home(c);
    assert.match(html, /<nav class="koepel-citizen-nav" aria-label="Mijn portaal">/);
    assert.match(html, /<a class="koepel-citizen-nav-link" href="\/home" aria-current="page">Home<\/a>/);
    assert.match(html, /href="\/dossier">Mijn dossier<\/a>/);
    assert.match(html, /href="\/access-log">Wie heeft mijn gegevens bekeken<\/a>/);
    const lab = (await c.get('/dossier/lab')).text;
    assert.match(lab, /<a class="koepel-citizen-nav-link" href="\/dossier" aria-current="true">Mijn dossier<\/a>/);
    const landing = (await new HttpClient(k.url).get('/')).text;
    assert.doesNotMatch(landing, /koepel-citizen-nav/);
  });
});
