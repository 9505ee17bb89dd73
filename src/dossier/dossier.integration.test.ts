// "Mijn dossier" through real HTTP against a real database with the demo record (src/demo/records.ts): what each
// page shows and from which provider, the organisation filter, categories an organisation does not offer, ended
// relationships, guessed ids of other citizens, the PDF download, the chart and its text alternative, the audit.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { NO_ACCESS_POINT, writeAudit } from '../platform/audit/audit.js';
import { withPrincipal, type Principal } from '../platform/db/principal.js';
import { readAttachment, writeResources, type FhirJson } from '../record/store.js';
import { pageText, tableRows } from '../../test/support/html.js';

const text = pageText;
const labIds = (html: string) => [...html.matchAll(/href="\/dossier\/lab\/([0-9a-f-]{36})"/g)].map((m) => m[1] ?? '');
const documentIds = (html: string) => [
  ...new Set([...html.matchAll(/href="\/dossier\/documents\/([0-9a-f-]{36})"/g)].map((m) => m[1] ?? '')),
];

describe('Mijn dossier', () => {
  let k: TestKoepel;
  let suzanne: HttpClient;
  let pieter: HttpClient;
  let gp: string;
  let hospital: string;
  let physio: string;

  async function login(bsn: string): Promise<HttpClient> {
    const c = new HttpClient(k.url);
    const r = await loginWithDigid(c, bsn);
    assert.equal(r.status, 303);
    return c;
  }

  async function page(c: HttpClient, path: string, status = 200): Promise<string> {
    const res = await c.get(path);
    assert.equal(res.status, status, `${path}: ${res.status}`);
    return res.text;
  }

  async function clientOf(organisationId: string): Promise<Principal> {
    const row = await k.db
      .insertInto('api_client')
      .values({
        organisation_id: organisationId,
        name: 'test system',
        client_id: `kc_test_${randomBytes(10).toString('hex')}`,
        secret_hash: randomBytes(32),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { kind: 'client', clientId: row.id, organisationId };
  }

  async function push(principal: Principal, citizen: string, resources: FhirJson[]): Promise<string[]> {
    const results = await withPrincipal(k.db, principal, (tx) =>
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
    return results.map((r) => r.id);
  }

  const observation = (code: string, display: string, value: number, date: string): FhirJson => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code, display }], text: display },
    effectiveDateTime: date,
    valueQuantity: { value, unit: 'mmol/L' },
    referenceRange: [{ low: { value: 7.5, unit: 'mmol/L' }, high: { value: 10, unit: 'mmol/L' } }],
  });

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    physio = await orgId(k.db, DEMO.physio);
    suzanne = await login(DEMO.suzanne);
    pieter = await login(DEMO.pieter);
  });
  after(async () => {
    await k.close();
  });

  test('[LU-1] [MG-4] the overview counts every section per care provider, without decrypting anything', async () => {
    const html = text(await page(suzanne, '/dossier'));
    assert.match(
      html,
      /Labuitslagen 42 uitslagen Huisartsenpraktijk De Linde: 32 uitslagen Rivierenland Ziekenhuis: 10 uitslagen/,
    );
    assert.match(
      html,
      /Afspraken 4 afspraken Huisartsenpraktijk De Linde: 2 afspraken Rivierenland Ziekenhuis: 2 afspraken/,
    );
    assert.match(html, /Medicatie 14 medicatiegegevens Apotheek Centrum: 14 medicatiegegevens/);
    // The GP does not offer its correspondence in this portal (demo choice): said so, and not counted.
    assert.match(
      html,
      /Brieven en documenten 3 documenten Huisartsenpraktijk De Linde deelt geen brieven en documenten via dit portaal\. Rivierenland Ziekenhuis: 3 documenten/,
    );
    assert.match(html, /Wie heeft mijn gegevens bekeken\?/);
    // Only her own providers: the physiotherapist and the neighbourhood team are not hers.
    assert.doesNotMatch(html, /Beweegwijs|Buurtteam/);
  });

  test('[LU-1] lab results: test, value and unit, reference range, flag, date and provider in one table', async () => {
    const html = await page(suzanne, '/dossier/lab');
    const rows = tableRows(html);
    assert.equal(rows.length, 42);
    const hba1c = rows.filter((r) => r[0] === 'HbA1c');
    assert.equal(hba1c.length, 8);
    const latest = hba1c[0] ?? [];
    assert.equal(latest[2], '47 mmol/mol');
    assert.equal(latest[3], '20 – 42 mmol/mol');
    assert.equal(latest[4], '▲ Hoog');
    assert.equal(latest[5], DEMO.gp);
    assert.match(
      latest[1] ?? '',
      /^\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}$/,
    );
    assert.ok(rows.some((r) => r[0] === 'eGFR (CKD-EPI)' && r[3] === 'vanaf 60 mL/min/1,73m²' && r[4] === 'Normaal'));
    assert.ok(
      rows.some((r) => r[0] === 'CRP' && r[2] === '38 mg/L' && r[3] === 'tot 10 mg/L' && r[5] === DEMO.hospital),
    );
    assert.ok(rows.some((r) => r[0] === 'Hemoglobine (Hb)' && r[4] === '▼ Laag'));
    // Newest first.
    const dates = [...html.matchAll(/<time datetime="([^"]+)"/g)].map((m) => Date.parse(m[1] ?? ''));
    assert.deepEqual(
      dates,
      [...dates].sort((a, b) => b - a),
    );
    // Every row is labelled with its provider.
    assert.ok(rows.every((r) => r[5] === DEMO.gp || r[5] === DEMO.hospital));
    assert.match(text(html), /Van Apotheek Centrum zijn er nog geen labuitslagen\./);
  });

  test('[MG-4] every page can be filtered by care provider (GET form, no JavaScript)', async () => {
    const html = await page(suzanne, `/dossier/lab?org=${hospital}`);
    const rows = tableRows(html);
    assert.equal(rows.length, 10);
    assert.ok(rows.every((r) => r[5] === DEMO.hospital));
    assert.match(html, /<form method="get" action="\/dossier\/lab"/);
    assert.match(html, new RegExp(`<option value="${hospital}" selected>`));
    assert.match(text(html), /U ziet alleen gegevens van Rivierenland Ziekenhuis\./);
    // Links to other sections keep the filter.
    assert.match(html, new RegExp(`href="/dossier/medication\\?org=${hospital}"`));
    for (const section of ['appointments', 'documents', 'medication', 'episodes', 'sensitivities', 'careteam']) {
      const filtered = text(await page(suzanne, `/dossier/${section}?org=${gp}`));
      assert.doesNotMatch(filtered, /Van Rivierenland Ziekenhuis|Apotheek Centrum:/, section);
    }
    const overview = text(await page(suzanne, `/dossier?org=${gp}`));
    const sections = overview.slice(overview.indexOf('Toon alle zorgverleners'));
    assert.match(sections, /Labuitslagen 32 uitslagen/);
    assert.doesNotMatch(sections, /Rivierenland/);
    // Empty value: all providers.
    assert.equal(tableRows(await page(suzanne, '/dossier/lab?org=')).length, 42);
  });

  test('a bad or foreign organisation filter is refused: 400 for nonsense, 404 for a provider that is not hers', async () => {
    await page(suzanne, '/dossier/lab?org=not-a-uuid', 400);
    await page(suzanne, "/dossier?org=1' or '1'='1", 400);
    await page(suzanne, `/dossier/lab?org=${physio}`, 404);
    await page(suzanne, `/dossier?org=${randomUUID()}`, 404);
    await page(suzanne, '/dossier/nonsense', 404);
    await page(suzanne, '/dossier/patient', 404);
  });

  test('[LU-1] one test over time: SVG chart with reference band and a text alternative; only that provider', async () => {
    const lab = await page(suzanne, `/dossier/lab?org=${gp}`);
    const hb = tableRows(lab).findIndex((r) => r[0] === 'Hemoglobine (Hb)');
    const id = labIds(lab)[hb] ?? '';
    const html = await page(suzanne, `/dossier/lab/${id}`);
    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    assert.equal(svgs.length, 2, 'a wide and a narrow rendering');
    for (const svg of svgs) {
      assert.match(svg, /role="img"/);
      assert.match(svg, /aria-labelledby="lab-chart-(wide|narrow)-title lab-chart-(wide|narrow)-desc"/);
      assert.match(
        svg,
        /<title id="lab-chart-\w+-title">Hemoglobine \(Hb\): uw uitslagen bij Huisartsenpraktijk De Linde<\/title>/,
      );
      const desc = /<desc[^>]*>([^<]+)<\/desc>/.exec(svg)?.[1] ?? '';
      assert.match(
        pageText(desc),
        /Lijngrafiek van 8 uitslagen van .+ tot en met .+\. Laagste waarde 7,3 mmol\/L, hoogste waarde 8,3 mmol\/L\. Laatste uitslag: 8,1 mmol\/L \(normaal\)\. Referentiewaarden: 7,5 – 10 mmol\/L\./,
      );
      assert.match(svg, /class="koepel-chart-band"/);
      assert.equal([...svg.matchAll(/class="koepel-chart-point( koepel-chart-point--abnormal)?"/g)].length, 8);
      assert.equal(
        [...svg.matchAll(/koepel-chart-point--abnormal/g)].length,
        1,
        'the one low result has another shape',
      );
      assert.match(svg, /<polyline class="koepel-chart-line"/);
      assert.match(svg, />Waarde \(mmol\/L\)</);
      assert.doesNotMatch(svg, /style=|<script/);
    }
    // The same data as a table: the GP's eight results, not the hospital's Hb results (same code, other provider).
    const rows = tableRows(html);
    const series = rows.filter((r) => r.length === 4);
    assert.equal(series.length, 8);
    assert.deepEqual(series.map((r) => r[1]).slice(0, 3), ['8,1 mmol/L', '8,3 mmol/L', '8,2 mmol/L']);
    assert.match(text(html), /Van Huisartsenpraktijk De Linde/);
    assert.match(text(html), /Code LOINC 718-7/);
  });

  test('[LU-1] documents: read a letter inline; download the PDF discharge letter with the right bytes and headers', async () => {
    const list = await page(suzanne, '/dossier/documents');
    const rows = tableRows(list);
    assert.equal(rows.length, 3);
    assert.ok(rows.every((r) => r[4] === DEMO.hospital));
    const pdfRow = rows.findIndex((r) => /Ontslagbrief/.test(r[0] ?? ''));
    assert.match(rows[pdfRow]?.[5] ?? '', /^PDF, \d+(,\d)? kB$/);
    // The GP's consult report is stored but not offered: not listed, and the page says why with a way to ask.
    assert.doesNotMatch(text(list), /Consultverslag spreekuur/);
    assert.match(text(list), /Huisartsenpraktijk De Linde deelt geen brieven en documenten via dit portaal\./);
    assert.match(list, new RegExp(`href="/record-requests/new/${gp}"`));

    const ids = documentIds(list);
    const letterId = ids[rows.findIndex((r) => /Polikliniekbrief/.test(r[1] ?? ''))] ?? '';
    const letter = await page(suzanne, `/dossier/documents/${letterId}`);
    assert.match(letter, /<div class="koepel-document-text" lang="nl">Polikliniekbrief chirurgie/);
    assert.match(text(letter), /Conclusie: symptomatisch galsteenlijden\./);

    const pdfId = ids[pdfRow] ?? '';
    const detail = await page(suzanne, `/dossier/documents/${pdfId}`);
    assert.match(detail, new RegExp(`href="/dossier/documents/${pdfId}/0"`));
    assert.doesNotMatch(detail, /koepel-document-text/, 'a PDF is downloaded, not shown as text');
    const res = await fetch(`${k.url}/dossier/documents/${pdfId}/0`, {
      headers: { cookie: [...suzanne.cookies].map(([n, v]) => `${n}=${v}`).join('; ') },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="Ontslagbrief-Chirurgie.pdf"');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get('content-length'), String(bytes.length));
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    const stored = await readAttachment({ tx: k.db, keys: k.koepel.keys }, pdfId, 0);
    assert.ok(stored);
    assert.equal(
      createHash('sha256').update(bytes).digest('hex'),
      createHash('sha256').update(stored.data).digest('hex'),
    );
    const pdf = await PDFDocument.load(bytes);
    assert.equal(pdf.getPageCount(), 1);
    assert.equal(pdf.getTitle(), 'Ontslagbrief');

    // A text file downloads as UTF-8 text.
    const txt = await fetch(`${k.url}/dossier/documents/${letterId}/0`, {
      headers: { cookie: [...suzanne.cookies].map(([n, v]) => `${n}=${v}`).join('; ') },
    });
    assert.equal(txt.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.match(await txt.text(), /Geachte collega Huisman/);
    // No such attachment position, or not a number: not found.
    for (const bad of ['1', '999', 'abc', '-1', '1.5', '0x0', '0001'])
      await page(suzanne, `/dossier/documents/${pdfId}/${bad}`, 404);
  });

  test('[MG-7] a category granted to this citizen on request becomes visible to her (and only her)', async () => {
    const suzanneId = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    await k.db
      .insertInto('record_category_grant')
      .values({ organisation_id: gp, citizen_id: suzanneId, category: 'documents' })
      .execute();
    try {
      const list = await page(suzanne, '/dossier/documents');
      const rows = tableRows(list);
      assert.equal(rows.length, 4);
      assert.ok(rows.some((r) => r[0] === 'Consultverslag spreekuur' && r[4] === DEMO.gp));
      assert.doesNotMatch(text(list), /deelt geen brieven/);
      // Pieter has no such grant: the GP still shares no documents with him.
      assert.match(
        text(await page(pieter, '/dossier/documents')),
        /Huisartsenpraktijk De Linde deelt geen brieven en documenten/,
      );
    } finally {
      await k.db.deleteFrom('record_category_grant').where('citizen_id', '=', suzanneId).execute();
    }
    assert.equal(tableRows(await page(suzanne, '/dossier/documents')).length, 3);
  });

  test('[MG-1] a category the organisation stops offering disappears from the citizen view at once', async () => {
    await k.db
      .updateTable('organisation')
      .set({ record_categories: ['appointments', 'documents'] })
      .where('id', '=', hospital)
      .execute();
    try {
      const rows = tableRows(await page(suzanne, '/dossier/lab'));
      assert.equal(rows.length, 32);
      assert.ok(rows.every((r) => r[5] === DEMO.gp));
      assert.match(
        text(await page(suzanne, '/dossier/lab')),
        /Rivierenland Ziekenhuis deelt geen labuitslagen via dit portaal\./,
      );
      // Guessing the id of a hidden result does not help.
      const all = await k.db
        .selectFrom('record_resource')
        .select('id')
        .where('organisation_id', '=', hospital)
        .where('category', '=', 'lab')
        .executeTakeFirstOrThrow();
      await page(suzanne, `/dossier/lab/${all.id}`, 404);
    } finally {
      await k.db
        .updateTable('organisation')
        .set({
          record_categories: [
            'appointments',
            'episodes',
            'sensitivities',
            'lab',
            'documents',
            'medication',
            'careteam',
          ],
        })
        .where('id', '=', hospital)
        .execute();
    }
  });

  test('[LU-1] medication overview: current, stopped in the past 6 months, dispenses; older history left out', async () => {
    const html = await page(suzanne, '/dossier/medication');
    const t = text(html);
    const current = t.slice(t.indexOf('Medicijnen die u nu gebruikt'), t.indexOf('Gestopt of afgerond'));
    const recent = t.slice(t.indexOf('Gestopt of afgerond'), t.indexOf('Opgehaald bij de apotheek'));
    for (const m of [
      'Metformine 500 mg tablet',
      'Enalapril 10 mg tablet',
      'Atorvastatine 20 mg tablet',
      'Triamcinolonacetonide',
    ])
      assert.match(current, new RegExp(m));
    assert.match(
      current,
      /Metformine 500 mg tablet Voor: Diabetes mellitus type 2 PRK 6521 · ATC A10BA02 2 maal per dag 1 tablet, bij de maaltijd chronisch gebruik/,
    );
    assert.match(current, /Ja, nog 3 keer/);
    assert.match(current, /Apotheek Centrum/);
    for (const m of ['Azitromycine', 'Ibuprofen', 'Omeprazol']) assert.match(recent, new RegExp(m));
    assert.match(recent, /Gestopt wegens maagklachten/);
    assert.doesNotMatch(t, /Naproxen/, 'stopped 10 months ago: not in a 6-month overview');
    assert.match(t, /Medicijnen die langer dan 6 maanden geleden zijn gestopt \(1\), staan niet in dit overzicht\./);
    assert.match(
      t,
      /Opgehaald bij de apotheek in de afgelopen 6 maanden Tabel|Opgehaald bij de apotheek in de afgelopen 6 maanden Geneesmiddel/,
    );
    assert.match(t, /actueel medicatieoverzicht/);
  });

  test('[MG-7] episodes and "sensitivities and particulars": ICPC codes, allergies with risk, diabetes as a particular', async () => {
    const episodes = tableRows(await page(suzanne, '/dossier/episodes'));
    assert.ok(
      episodes.some((r) => /^Contacteczeem\/ander eczeem/.test(r[0] ?? '') && r[1] === 'ICPC S88' && r[3] === 'Actief'),
    );
    assert.ok(
      episodes.some(
        (r) => r[0] === 'Acute infectie bovenste luchtwegen' && /^Afgesloten op \d+ \w+ \d{4}$/.test(r[3] ?? ''),
      ),
    );
    assert.ok(!episodes.some((r) => /Diabetes/.test(r[0] ?? '')), 'diabetes is a particular, not an episode');
    assert.ok(episodes.every((r) => r[4] === DEMO.gp));
    // Active first.
    const firstResolved = episodes.findIndex((r) => r[3] !== 'Actief');
    assert.ok(episodes.slice(firstResolved).every((r) => r[3] !== 'Actief'));

    const html = await page(suzanne, '/dossier/sensitivities');
    const rows = tableRows(html);
    assert.ok(
      rows.some(
        (r) =>
          /^Penicillines geneesmiddel/.test(r[0] ?? '') &&
          r[1] === 'Huiduitslag met jeuk (matig)' &&
          r[2] === 'Hoog risico' &&
          r[3] === '2009', // a year-only onset is shown as a year, not as 1 July
      ),
    );
    assert.ok(rows.some((r) => r[0] === 'Diabetes mellitus type 2' && r[1] === 'ICPC T90.02'));
    assert.ok(rows.some((r) => r[0] === 'Hypertensie zonder orgaanbeschadiging'));
  });

  test('[LU-1] care team: members from the organisation directory with role and phone, per provider', async () => {
    const html = await page(suzanne, '/dossier/careteam');
    const t = text(html);
    assert.match(t, /Diabetesteam Huisartsenpraktijk De Linde Van Huisartsenpraktijk De Linde · Sinds/);
    assert.match(t, /Behandelteam Chirurgie Van Rivierenland Ziekenhuis/);
    const rows = tableRows(html);
    assert.ok(
      rows.some((r) => r[0] === 'Dr. A. Huisman' && r[1] === 'Huisarts (hoofdbehandelaar)' && r[2] === '030 123 45 67'),
    );
    assert.ok(rows.some((r) => r[0] === 'J. Vermeulen' && r[1] === 'Praktijkondersteuner diabetes'));
    assert.ok(rows.some((r) => r[0] === 'M. Jansen (Diëtistenpraktijk Oost)' && r[1] === 'Diëtist' && r[2] === '–'));
    assert.ok(rows.some((r) => r[0] === 'Dr. S. Kaya' && r[2] === '030 345 67 90'));
    assert.match(html, /href="tel:0301234567"/);
  });

  test('[LU-1] appointments: upcoming ones with their leaflet, past ones in a table, each with its provider', async () => {
    const html = await page(suzanne, '/dossier/appointments');
    const t = text(html);
    const upcoming = t.slice(t.indexOf('Komende afspraken'), t.indexOf('Eerdere afspraken'));
    assert.match(upcoming, /Diabetescontrole bij de praktijkondersteuner Van Huisartsenpraktijk De Linde/);
    assert.match(upcoming, /Controle na galblaasoperatie Van Rivierenland Ziekenhuis/);
    assert.ok(upcoming.indexOf('Diabetescontrole') < upcoming.indexOf('Controle na galblaasoperatie'), 'soonest first');
    assert.match(upcoming, /Bij J\. Vermeulen, praktijkondersteuner Waar Huisartsenpraktijk De Linde, spreekkamer 3/);
    assert.match(upcoming, /Voorbereiding Meld u 10 minuten van tevoren bij de aanmeldzuil\./);
    assert.match(upcoming, /Folders en informatie Folder: controle na uw galblaasoperatie/);
    const leaflet = /Folders en informatie[\s\S]*?href="\/dossier\/documents\/([0-9a-f-]{36})"/.exec(html)?.[1] ?? '';
    assert.match(text(await page(suzanne, `/dossier/documents/${leaflet}`)), /Wat neemt u mee\?/);
    const past = tableRows(html);
    assert.ok(
      past.some(
        (r) =>
          r[0] === 'Opname voor laparoscopische galblaasverwijdering' && r[3] === 'Geweest' && r[4] === DEMO.hospital,
      ),
    );
  });

  test("[PZ-4] a citizen never sees another citizen's resource: guessed ids answer 404", async () => {
    const lab = await page(suzanne, '/dossier/lab');
    const docs = await page(suzanne, '/dossier/documents');
    const someLab = labIds(lab)[0] ?? '';
    const someDoc = documentIds(docs)[0] ?? '';
    for (const path of [
      `/dossier/lab/${someLab}`,
      `/dossier/documents/${someDoc}`,
      `/dossier/documents/${someDoc}/0`,
      `/dossier/lab/${randomUUID()}`,
      `/dossier/documents/${randomUUID()}`,
      `/dossier/documents/${randomUUID()}/0`,
      '/dossier/lab/not-a-uuid',
      '/dossier/documents/..%2F..%2Fetc/0',
      `/dossier/lab/${someDoc}`, // a document id on the lab route
      `/dossier/documents/${someLab}`, // a lab id on the documents route
    ]) {
      const res = await pieter.get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.text, /HbA1c|Ontslagbrief|galblaas|Suzanne/i, path);
    }
    // Suzanne herself does get her own.
    await page(suzanne, `/dossier/lab/${someLab}`);
    // Without a citizen session: the login-required page.
    const anonymous = await new HttpClient(k.url).get(`/dossier/lab/${someLab}`);
    assert.equal(anonymous.status, 401);
  });

  test("[PZ-4] after the relationship with the GP ended, the GP's data about Johannes is not shown", async () => {
    const johannesId = await citizenId(k.db, k.koepel.keys, DEMO.johannes);
    // The GP's system sent a result while the relationship was still active.
    await k.db
      .updateTable('care_relationship')
      .set({ ended_on: null })
      .where('citizen_id', '=', johannesId)
      .where('organisation_id', '=', gp)
      .execute();
    let gpResult: string;
    try {
      [gpResult = ''] = await push(await clientOf(gp), johannesId, [
        observation('718-7', 'Hemoglobine GP', 8.8, '2025-03-01T09:00:00+01:00'),
      ]);
    } finally {
      await k.db
        .updateTable('care_relationship')
        .set({ ended_on: '2025-06-30' })
        .where('citizen_id', '=', johannesId)
        .where('organisation_id', '=', gp)
        .execute();
    }
    const johannes = await login(DEMO.johannes);
    const lab = await page(johannes, '/dossier/lab');
    assert.doesNotMatch(text(lab), /Hemoglobine GP|Huisartsenpraktijk De Linde/);
    assert.ok(tableRows(lab).some((r) => r[0] === 'NT-proBNP' && r[5] === DEMO.hospital));
    assert.doesNotMatch(text(await page(johannes, '/dossier')), /Huisartsenpraktijk De Linde/);
    await page(johannes, `/dossier/lab/${gpResult}`, 404);
    await page(johannes, `/dossier?org=${gp}`, 404);
    await page(johannes, `/dossier/lab?org=${gp}`, 404);
  });

  test('every view is audited (NEN 7513): page views per category, the chart, the document and the download', async () => {
    const id = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const events = async () =>
      k.db
        .selectFrom('audit_log')
        .select(['event_code', 'action', 'resource_type', 'resource_id', 'reason', 'actor_type', 'actor_id', 'outcome'])
        .where('citizen_id', '=', id)
        .where('event_code', 'like', 'citizen.record.%')
        .orderBy('id')
        .execute();
    const before = (await events()).length;
    const lab = await page(suzanne, `/dossier/lab?org=${gp}`);
    const labId = labIds(lab)[0] ?? '';
    await page(suzanne, `/dossier/lab/${labId}`);
    await page(suzanne, '/dossier');
    for (const s of ['appointments', 'documents', 'medication', 'episodes', 'sensitivities', 'careteam'])
      await page(suzanne, `/dossier/${s}`);
    const docId = documentIds(await page(suzanne, '/dossier/documents'))[0] ?? '';
    await page(suzanne, `/dossier/documents/${docId}`);
    await suzanne.get(`/dossier/documents/${docId}/0`);
    const all = (await events()).slice(before);
    assert.deepEqual(
      all.map((e) => [e.event_code, e.resource_type]),
      [
        ['citizen.record.view', 'lab'],
        ['citizen.record.view', 'lab'],
        ['citizen.record.view', 'dossier'],
        ['citizen.record.view', 'appointments'],
        ['citizen.record.view', 'documents'],
        ['citizen.record.view', 'medication'],
        ['citizen.record.view', 'episodes'],
        ['citizen.record.view', 'sensitivities'],
        ['citizen.record.view', 'careteam'],
        ['citizen.record.view', 'documents'],
        ['citizen.record.view', 'documents'],
        ['citizen.record.download', 'documents'],
      ],
    );
    assert.ok(
      all.every((e) => e.action === 'R' && e.actor_type === 'citizen' && e.actor_id === id && e.outcome === 'success'),
    );
    assert.equal(all[0]?.reason, `org:${gp}`);
    assert.equal(all[1]?.resource_id, labId);
    assert.equal(all[10]?.resource_id, docId);
    assert.equal(all[11]?.resource_id, docId);
    assert.equal(all[11]?.reason, 'attachment:0');
  });

  test('pages are personal: not cached; English texts and dates are available', async () => {
    const res = await suzanne.get('/dossier/lab');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const c = await login(DEMO.suzanne);
    await c.get('/language?lang=en&return=/dossier');
    const en = text(await page(c, '/dossier/lab'));
    assert.match(en, /Lab results/);
    assert.match(en, /Care provider/);
    assert.match(
      en,
      /\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}/,
    );
    assert.match(en, /▲ High/);
  });
});
