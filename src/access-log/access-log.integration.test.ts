// "Wie heeft mijn gegevens bekeken" through real HTTP: staff views appear with the staff member's name, role and
// organisation; the computer systems of providers appear as such; another citizen's records never appear; filters,
// pages and bad input; the view itself is audited; past accesses stay visible after a relationship ended.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient, csrfFrom } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { NO_ACCESS_POINT, writeAudit } from '../platform/audit/audit.js';
import { withPrincipal } from '../platform/db/principal.js';
import { loginStaff } from '../staff/login.testkit.js';
import { amsterdamDayStart } from '../platform/audit/log-query.js';
import { parseFilter } from './access-log.js';
import { pageText, tableRows } from '../../test/support/html.js';

/** The log's rows: [when, who, organisation, role, what, outcome]. */
const rows = (html: string): string[][] => tableRows(html, { firstTableOnly: true });

describe('access log for citizens', () => {
  let k: TestKoepel;
  let gp: string;
  let hospital: string;

  async function login(bsn: string): Promise<HttpClient> {
    const c = new HttpClient(k.url);
    assert.equal((await loginWithDigid(c, bsn)).status, 303);
    return c;
  }

  async function log(c: HttpClient, query = '', status = 200): Promise<string> {
    const res = await c.get(`/access-log${query}`);
    assert.equal(res.status, status, `${query}: ${res.status}`);
    return res.text;
  }

  /** Every page of the log, all rows. */
  async function allRows(c: HttpClient, query = ''): Promise<string[][]> {
    const out: string[][] = [];
    for (let page = 1; page < 50; page++) {
      const html = await log(c, `?page=${page}${query}`);
      const r = rows(html);
      out.push(...r);
      if (!html.includes('rel="next"')) break;
    }
    return out;
  }

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
  });
  after(async () => {
    await k.close();
  });

  test('[LU-9] a staff member who found the citizen in a patient search is shown by name, role and organisation', async () => {
    const doctor = await loginStaff(k.url, 'huisarts@delinde.example');
    const search = await doctor.client.post('/staff/patients/search', {
      _csrf: csrfFrom(doctor.page.text),
      name: 'de Vries',
      born: '',
    });
    assert.equal(search.status, 200);
    assert.match(search.text, /Suzanne/);

    const suzanne = await login(DEMO.suzanne);
    const html = await log(suzanne);
    const found = rows(html).find((r) => r[1] === 'Dr. A. Huisman');
    assert.ok(found, "the search is in her log, with the doctor's name");
    assert.deepEqual(found.slice(2), [DEMO.gp, 'arts', 'U gevonden bij het zoeken naar een patiënt', 'Gelukt']);
    assert.match(found[0] ?? '', /^\d{2}-\d{2}-\d{4}, \d{2}:\d{2}:\d{2}$/);

    // A staff record view written by the hospital (as the staff record page does) appears too.
    const suzanneId = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const kaya = await staffPrincipal(k.db, 'arts@rivierenland.example');
    await withPrincipal(k.db, kaya, (tx) =>
      writeAudit(tx, kaya, NO_ACCESS_POINT, [
        {
          event: 'patient.record.view',
          action: 'R',
          citizenId: suzanneId,
          resourceType: 'citizen',
          resourceId: suzanneId,
        },
      ]),
    );
    const again = rows(await log(suzanne, '?who=all'));
    assert.deepEqual(again[1]?.slice(1), [
      'Dr. S. Kaya',
      DEMO.hospital,
      'arts',
      'Uw dossier bij deze organisatie geopend',
      'Gelukt',
    ]);
    // Newest first: her own view of this page is the top line.
    assert.deepEqual(again[0]?.slice(1), ['U zelf', '–', 'patiënt', 'Dit overzicht bekeken', 'Gelukt']);
  });

  test("the providers' computer systems and her own actions are named as such", async () => {
    const suzanne = await login(DEMO.suzanne);
    const all = await allRows(suzanne, '&who=all');
    assert.ok(
      all.some(
        (r) =>
          r[1] === 'Computersysteem van Rivierenland Ziekenhuis' &&
          r[2] === DEMO.hospital &&
          r[3] === 'koppeling' &&
          r[4] === 'Toegevoegd aan uw dossier: labuitslag',
      ),
    );
    assert.ok(
      all.some(
        (r) =>
          r[1] === 'Computersysteem van Apotheek Centrum' && r[4] === 'Toegevoegd aan uw dossier: medicatieafspraak',
      ),
    );
    assert.ok(all.some((r) => r[4] === 'U herkend aan uw BSN om gegevens aan te leveren'));
    assert.ok(all.some((r) => r[1] === 'U zelf' && r[4] === 'Ingelogd met DigiD (Substantieel)'));
    // The login flow writes the BRP snapshot as Koepel itself, not as the citizen (PZ-2: she cannot write it).
    assert.ok(all.some((r) => r[1] === 'Koepel (automatisch)' && r[4] === 'Persoonsgegevens bijgewerkt uit de BRP'));
  });

  test("[PZ-4] a citizen never sees another citizen's records", async () => {
    const suzanneId = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const pieterId = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    const pieter = await login(DEMO.pieter);
    const all = await allRows(pieter, '&who=all');
    const inDb = await k.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('citizen_id', '=', pieterId)
      .executeTakeFirstOrThrow();
    assert.equal(all.length, inDb.n, 'exactly his own records (the last page view included)');
    const text = all.map((r) => r.join(' ')).join('\n');
    assert.doesNotMatch(text, /Dr\. S\. Kaya|Rivierenland|galblaas/);
    assert.doesNotMatch(text, /U gevonden bij het zoeken/, 'the search for "de Vries" found Suzanne, not Pieter');
    // The organisation filter offers only organisations from his own log.
    const html = await log(pieter);
    assert.doesNotMatch(html, new RegExp(`<option value="${hospital}"`));
    // Asking for another organisation's lines gives an empty list, not someone else's.
    assert.match(pageText(await log(pieter, `?org=${hospital}`)), /Er zijn geen regels die bij dit filter passen\./);
    // And Suzanne's records stay hers.
    const suzanneRecords = await k.db
      .selectFrom('audit_log')
      .select('id')
      .where('citizen_id', '=', suzanneId)
      .execute();
    assert.ok(suzanneRecords.length > 0);
  });

  test('filter by organisation, by who and by period; pages of 50, newest first', async () => {
    const suzanne = await login(DEMO.suzanne);
    const hospitalRows = await allRows(suzanne, `&org=${hospital}`);
    assert.ok(hospitalRows.length > 0);
    assert.ok(hospitalRows.every((r) => r[2] === DEMO.hospital));
    const others = await allRows(suzanne, '&who=others');
    assert.ok(others.length > 0 && others.every((r) => r[1] !== 'U zelf'));
    // The log opens on what others did; her own actions are one link (or one choice in the filter) away.
    const opened = await log(suzanne);
    assert.deepEqual(rows(opened), rows(await log(suzanne, '?who=others')));
    assert.ok(rows(opened).every((r) => r[1] !== 'U zelf'));
    assert.match(opened, /<option value="others" selected>/);
    assert.match(pageText(opened), /U ziet wat anderen met uw gegevens deden/);
    assert.match(opened, /<a [^>]*href="\/access-log\?who=all"[^>]*>Toon ook wat uzelf deed<\/a>/);
    const withSelf = await allRows(suzanne, '&who=all');
    assert.ok(withSelf.some((r) => r[1] === 'U zelf') && withSelf.length > others.length);
    assert.match(
      await log(suzanne, `?org=${gp}&who=all`),
      new RegExp(`href="/access-log\\?org=${gp}&amp;who=others"[^>]*>Toon alleen wat anderen deden`),
      'the way back keeps the other filters',
    );
    const html = await log(suzanne, `?org=${gp}&who=others`);
    assert.match(html, new RegExp(`<option value="${gp}" selected>`));
    assert.match(html, /<option value="others" selected>/);

    const first = rows(await log(suzanne, '?who=all'));
    assert.equal(first.length, 50);
    const page1 = await log(suzanne);
    assert.match(pageText(page1), /Pagina 1 van \d+ \(\d+ regels\)/);
    const second = rows(await log(suzanne, '?page=2'));
    assert.ok(second.length > 0);
    const times = [...page1.matchAll(/<time datetime="([^"]+)"/g)].map((m) => Date.parse(m[1] ?? ''));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    // Past the last page: an empty list, not an error.
    assert.match(pageText(await log(suzanne, '?page=9999')), /Er zijn geen regels/);

    // Today in Amsterdam (the filter's days are Amsterdam days): between 22:00 and 24:00 UTC that is tomorrow in UTC.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
    assert.ok(rows(await log(suzanne, `?from=${today}&to=${today}`)).length > 0);
    assert.match(pageText(await log(suzanne, '?from=2999-01-01')), /Er zijn geen regels/);
    assert.match(pageText(await log(suzanne, '?to=2000-01-01')), /Er zijn geen regels/);
  });

  test('bad input: tampered page or organisation is a 400; a wrong date is shown next to the field', async () => {
    const suzanne = await login(DEMO.suzanne);
    for (const q of ['?page=0', '?page=abc', '?page=-1', '?page=1e9', '?org=abc', "?org=' or 1=1--", '?who=everyone'])
      await log(suzanne, q, 400);
    const bad = await log(suzanne, '?from=31-02-2026', 400);
    assert.match(pageText(bad), /Controleer het filter/);
    assert.match(bad, /id="filter-from"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="filter-from"/);
    assert.match(pageText(bad), /Vul bij "Vanaf datum" een geldige datum in/);
    const order = await log(suzanne, '?from=2026-03-10&to=2026-03-01', 400);
    assert.match(pageText(order), /moet vóór de datum bij "Tot en met" liggen/);
    // The typed value is echoed back escaped.
    const xss = await log(suzanne, '?from="><script>alert(1)</script>', 400);
    assert.doesNotMatch(xss, /"><script>/);
    assert.match(xss, /value="&#34;><script>alert\(1\)<\/"/, 'inside a quoted attribute, with the quote escaped');
  });

  test('[PZ-4] after a relationship ended, earlier access by that organisation stays visible to the citizen', async () => {
    const johannesId = await citizenId(k.db, k.koepel.keys, DEMO.johannes);
    const doctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    // Written while he was still a patient (the database takes the time; the ended relationship does not matter
    // to the log).
    await withPrincipal(k.db, doctor, (tx) =>
      writeAudit(tx, doctor, NO_ACCESS_POINT, [
        {
          event: 'patient.record.view',
          action: 'R',
          citizenId: johannesId,
          resourceType: 'citizen',
          resourceId: johannesId,
        },
      ]),
    );
    const johannes = await login(DEMO.johannes);
    const html = await log(johannes);
    assert.ok(rows(html).some((r) => r[1] === 'Dr. A. Huisman' && r[2] === DEMO.gp));
    assert.match(html, new RegExp(`<option value="${gp}"`));
  });

  test('unknown event codes get a plain sentence; the complaint route and the DPO are on the page', async () => {
    const fatimaId = await citizenId(k.db, k.koepel.keys, DEMO.fatima);
    const worker = await staffPrincipal(k.db, 'wijkteam@buurtteam.example');
    await withPrincipal(k.db, worker, (tx) =>
      writeAudit(tx, worker, NO_ACCESS_POINT, [
        { event: 'some.future.thing', action: 'U', citizenId: fatimaId, resourceType: 'Observation' },
        { event: 'other.future.thing', action: 'R', outcome: 'denied', citizenId: fatimaId },
      ]),
    );
    const fatima = await login(DEMO.fatima);
    const html = await log(fatima);
    const r = rows(html);
    assert.ok(r.some((x) => x[1] === 'Y. Bouzid' && x[3] === 'hulpverlener' && x[4] === 'Gewijzigd: labuitslag'));
    assert.ok(r.some((x) => x[4] === 'Bekeken: uw gegevens' && x[5] === 'Geweigerd'));
    const t = pageText(html);
    assert.match(t, /Vertrouwt u iets niet\?/);
    assert.match(html, /href="mailto:fg@gezondheidsportaal\.example"/);
    assert.match(t, /Autoriteit Persoonsgegevens/);
    assert.match(t, /NEN 7513/);
  });

  test('viewing the log is itself audited; the page is not cached; login required', async () => {
    const suzanneId = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const count = async () =>
      (
        await k.db
          .selectFrom('audit_log')
          .select(['reason', 'resource_type', 'action'])
          .where('citizen_id', '=', suzanneId)
          .where('event_code', '=', 'citizen.access-log.view')
          .execute()
      ).length;
    const suzanne = await login(DEMO.suzanne);
    const before = await count();
    const res = await suzanne.get('/access-log?page=2');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(await count(), before + 1);
    const last = await k.db
      .selectFrom('audit_log')
      .select(['reason', 'resource_type', 'action', 'actor_type'])
      .where('event_code', '=', 'citizen.access-log.view')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(last, { reason: 'page:2', resource_type: 'audit_log', action: 'R', actor_type: 'citizen' });
    assert.equal((await new HttpClient(k.url).get('/access-log')).status, 401);
  });

  test('the whole overview as a spreadsheet: same lines as the pages, filters applied, audited, formulas defused', async () => {
    const suzanneId = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const suzanne = await login(DEMO.suzanne);
    // A staff member whose name a spreadsheet would run as a formula, and who looked at her record.
    const gpDoctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    await withPrincipal(k.db, gpDoctor, (tx) =>
      writeAudit(tx, gpDoctor, NO_ACCESS_POINT, [
        { event: 'patient.record.view', action: 'R', citizenId: suzanneId, resourceType: 'citizen' },
      ]),
    );
    const doctor = await k.db
      .selectFrom('staff_account')
      .select(['id', 'display_name'])
      .where('email', '=', 'huisarts@delinde.example')
      .executeTakeFirstOrThrow();
    const evil = '=HYPERLINK("https://evil.example","klik")';
    await k.db.updateTable('staff_account').set({ display_name: evil }).where('id', '=', doctor.id).execute();
    try {
      const page = await log(suzanne);
      assert.match(page, /href="\/access-log\/export\.csv\?who=others" download=""/);
      const exports = async () =>
        (
          await k.db
            .selectFrom('audit_log')
            .select('id')
            .where('citizen_id', '=', suzanneId)
            .where('event_code', '=', 'citizen.access-log.export')
            .execute()
        ).length;
      const before = await exports();
      const res = await suzanne.get('/access-log/export.csv?who=others');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="[\w.-]+\.csv"$/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(await exports(), before + 1, 'the export is audited');
      const audit = await k.db
        .selectFrom('audit_log')
        .select('reason')
        .where('citizen_id', '=', suzanneId)
        .where('event_code', '=', 'citizen.access-log.export')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      assert.equal(audit.reason, 'export;who=others', 'which filter was handed out');
      const head = await fetch(`${k.url}/access-log/export.csv`, {
        method: 'HEAD',
        headers: { cookie: [...suzanne.cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      });
      assert.notEqual(head.status, 200, 'no HEAD that writes an audit record');
      assert.equal(await exports(), before + 1);

      const lines = res.text
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      assert.equal(lines[0], 'Wanneer;Wie;Organisatie;Rol;Wat;Resultaat');
      const onPages = await allRows(suzanne, '&who=others');
      // The page views since the export add lines of her own, which "others" leaves out: the same count.
      assert.equal(lines.length - 1, onPages.length, 'every line of the filtered overview, not one page');
      assert.ok(!res.text.includes('U zelf'), 'the filter applies');
      assert.ok(res.text.includes(`"'${evil.replace(/"/g, '""')}"`), 'a formula is written as text');
      assert.ok(!/(^|;)=HYPERLINK/m.test(res.text), 'no cell starts with "="');
      assert.doesNotMatch(res.text, new RegExp(DEMO.suzanne), 'no BSN');

      // Bad filters are refused like on the page; without a login there is nothing.
      assert.equal((await suzanne.get('/access-log/export.csv?from=gisteren')).status, 400);
      assert.equal((await suzanne.get('/access-log/export.csv?org=abc')).status, 400);
      assert.equal((await new HttpClient(k.url).get('/access-log/export.csv')).status, 401);
    } finally {
      await k.db
        .updateTable('staff_account')
        .set({ display_name: doctor.display_name })
        .where('id', '=', doctor.id)
        .execute();
    }
  });

  test("[PZ-4] the spreadsheet holds only the citizen's own lines", async () => {
    const pieterId = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    const pieter = await login(DEMO.pieter);
    const res = await pieter.get('/access-log/export.csv?who=all');
    assert.equal(res.status, 200);
    const inDb = await k.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('citizen_id', '=', pieterId)
      .executeTakeFirstOrThrow();
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    assert.equal(lines.length - 1, inDb.n, 'exactly his own records (the export itself included)');
    assert.doesNotMatch(res.text, /Rivierenland|Kaya/);
  });

  test('English texts', async () => {
    const c = await login(DEMO.suzanne);
    await c.get('/language?lang=en&return=/access-log');
    const t = pageText(await log(c, '?who=all'));
    assert.match(t, /Who has looked at my data/);
    assert.match(t, /Viewed this overview/);
    assert.match(t, /You/);
  });
});

describe('access log filter parsing', () => {
  test('dates are Dutch calendar days; the page and organisation are strict', () => {
    assert.equal(amsterdamDayStart('2026-01-15').toISOString(), '2026-01-14T23:00:00.000Z');
    assert.equal(amsterdamDayStart('2026-07-15').toISOString(), '2026-07-14T22:00:00.000Z');
    assert.deepEqual(parseFilter({}).filter, { page: 1, othersOnly: true });
    assert.deepEqual(parseFilter({ who: 'all' }).filter, { page: 1, othersOnly: false });
    assert.deepEqual(parseFilter({ page: '3', who: 'others', from: '2026-01-01', to: '2026-02-01' }).filter, {
      page: 3,
      othersOnly: true,
      from: '2026-01-01',
      to: '2026-02-01',
    });
    assert.deepEqual(parseFilter({ from: '2026-02-30' }).problems, ['from']);
    assert.deepEqual(parseFilter({ from: '2026-02-03', to: '2026-02-01' }).problems, ['order']);
    assert.throws(() => parseFilter({ page: '0' }));
    assert.throws(() => parseFilter({ org: 'x' }));
  });
});
