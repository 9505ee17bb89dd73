// MG-8: the medication passport and the current medication overview, downloaded through HTTP and read back with
// pdfjs-dist: the demo seed (Suzanne at the GP, the pharmacy and the hospital), and real-shaped data — the hand-made
// MP9 3.0 bundles and the published Nictiz zib2020 examples (allergies, alerts, a contraindication) — ingested as a
// provider system sends them. MG-1: the overview only where an organisation offers it and shows the medication.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { pageText } from '../../test/support/html.js';
import { HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { clientContext, ingestBundle } from '../fhir/ingest.js';
import { createApiClient } from '../fhir/ingest.testkit.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { loginStaff } from '../staff/login.testkit.js';
import { ingestAs, zibExamples, type Json } from '../dossier/zib.testkit.js';
import { download, pdfPagePng, pdfPages, pdfStructure } from './pdf.testkit.js';

const SHOTS = '/tmp/koepel-shots';

/** A PDF page as a PNG for a person to look at (where pdfjs can draw). */
async function shoot(path: string, pdf: Buffer, page = 1): Promise<void> {
  const png = await pdfPagePng(pdf, page);
  if (png) writeFileSync(path, png);
}

describe('medication passport and current medication overview (MG-8)', () => {
  let k: TestKoepel;
  let suzanne: HttpClient;
  let pharmacy: string;
  let gp: string;
  let hospital: string;

  const login = async (bsn: string) => {
    const c = new HttpClient(k.url);
    assert.equal((await loginWithDigid(c, bsn)).status, 303);
    return c;
  };

  async function pdfOf(client: HttpClient, path: string): Promise<{ pages: string[]; text: string; body: Buffer }> {
    const res = await download(client, path);
    assert.equal(res.status, 200, `${path}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(res.body.subarray(0, 5).toString('latin1'), '%PDF-');
    const pages = await pdfPages(res.body);
    return { pages, text: pages.join(' '), body: res.body };
  }

  async function auditEvents(citizen: string, event: string) {
    return k.db
      .selectFrom('audit_log')
      .select(['event_code', 'action', 'outcome', 'citizen_id', 'actor_type', 'resource_type', 'reason'])
      .where('citizen_id', '=', citizen)
      .where('event_code', '=', event)
      .execute();
  }

  before(async () => {
    k = await startKoepel();
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    suzanne = await login(DEMO.suzanne);
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await k.close();
  });

  test('[MG-8] the passport: name, birth date, medicines with dosage, allergy, particulars, providers, notice in both languages', async () => {
    const res = await download(suzanne, '/medication/passport.pdf');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const disposition = res.headers.get('content-disposition') ?? '';
    assert.match(disposition, /^attachment; filename="medicijnpaspoort-\d{4}-\d{2}-\d{2}\.pdf"$/);
    assert.doesNotMatch(disposition, /suzanne|vries|999993653/i, 'no personal data in the file name');
    writeFileSync(`${SHOTS}/medication-passport.pdf`, res.body);
    await shoot(`${SHOTS}/medication-passport-1.png`, res.body, 1);

    const pages = await pdfPages(res.body);
    const text = pages.join(' ');
    // Marked as not a travel document, in Dutch and English, on the first page and in every page's footer.
    assert.match(pages[0] ?? '', /Geen officieel reisdocument Not an official travel document/);
    for (const page of pages) assert.match(page, /Geen officieel reisdocument · Not an official travel document/);
    assert.match(text, /Medicijnpaspoort Medication passport/);
    // The citizen, the date printed.
    assert.match(text, /Naam Name Suzanne Maria de Vries/);
    assert.match(text, /Geboortedatum Date of birth 12-04-1982/);
    assert.match(text, /Afgedrukt op Printed on \d{2}-\d{2}-\d{4}/);
    // Current medicines with dosage (the pharmacy's agreements), not what stopped.
    assert.match(text, /Metformine 500 mg tablet 2 maal per dag 1 tablet, bij de maaltijd/);
    assert.match(text, /Enalapril 10 mg tablet 1 maal per dag 1 tablet/);
    assert.match(text, /Triamcinolonacetonide 1 mg\/g crème/);
    assert.doesNotMatch(text, /Ibuprofen|Naproxen|Azitromycine/, 'stopped or finished medicines are not current');
    // Sensitivities and particulars (the GP's penicillin allergy; diabetes and hypertension as particulars).
    assert.match(text, /Allergieën en overgevoeligheden Allergies and intolerances/);
    assert.match(text, /Penicillines Huiduitslag met jeuk/);
    assert.match(text, /hoog risico \/ high risk/);
    assert.match(text, /Diabetes mellitus type 2 Aandoening \/ Condition/);
    // Care providers with address and phone.
    assert.match(text, /Mijn zorgverleners My care providers/);
    assert.match(text, /Apotheek Centrum Apotheek \/ Pharmacy Oudegracht 100, 3511 AX Utrecht 030 234 56 78/);
    assert.match(text, /Huisartsenpraktijk De Linde/);
    assert.match(text, /Rivierenland Ziekenhuis/);
    // Tagged for screen readers: a heading per part, tables with header cells for columns and rows.
    assert.match(await pdfStructure(res.body, 1), /^H1 P P P P P P H2 Table\(TR\(TH TH TH TH\) TR\(TH TD TD TD\)/);
    // Readable when printed: A4.
    assert.match(res.body.toString('latin1'), /\/MediaBox \[0 0 595\.28 841\.89\]/);

    const sid = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const records = await auditEvents(sid, 'citizen.medication.passport.download');
    assert.equal(records.length, 1, 'one audit record per download');
    assert.deepEqual(
      { ...records[0] },
      {
        event_code: 'citizen.medication.passport.download',
        action: 'R',
        outcome: 'success',
        citizen_id: sid,
        actor_type: 'citizen',
        resource_type: 'medication',
        reason: null,
      },
    );
  });

  test('[MG-8] the current medication overview of the pharmacy, in the form pharmacies print it', async () => {
    const page = await suzanne.get('/medication/passport');
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`href="/medication/overview/${pharmacy}\\.pdf"`));
    assert.match(pageText(page.text), /Actueel medicatieoverzicht van Apotheek Centrum downloaden \(pdf\)/);

    const res = await download(suzanne, `/medication/overview/${pharmacy}.pdf`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="actueel-medicatieoverzicht-\d{4}-\d{2}-\d{2}\.pdf"$/,
    );
    await shoot(`${SHOTS}/medication-overview-1.png`, res.body, 1);
    const pages = await pdfPages(res.body);
    const text = pages.join(' ');
    // The pharmacy's letterhead first, then the overview's title, the patient and the date.
    assert.match(
      pages[0] ?? '',
      /^Apotheek Centrum Oudegracht 100 3511 AX Utrecht Telefoon 030 234 56 78 Actueel medicatieoverzicht Patiënt Suzanne Maria de Vries Geboortedatum 12-04-1982 Datum overzicht \d{2}-\d{2}-\d{4}/,
    );
    // A row per medicine: name and strength, instructions, start date, prescriber, indication.
    assert.match(
      text,
      /Metformine 500 mg tablet 2 maal per dag 1 tablet, bij de maaltijd \d{2}-\d{2}-\d{4} Dr\. A\. Huisman, huisarts Diabetes mellitus type 2/,
    );
    assert.match(
      text,
      /Enalapril 10 mg tablet 1 maal per dag 1 tablet \d{2}-\d{2}-\d{4} Dr\. A\. Huisman, huisarts Hoge bloeddruk/,
    );
    // Recently stopped, with the stop date and reason; naproxen stopped over a year ago is not in it.
    const recent = text.slice(text.indexOf('Recent gestopte medicatie'));
    assert.match(
      recent,
      /Ibuprofen 400 mg tablet Zo nodig 3 maal per dag 1 tablet \d{2}-\d{2}-\d{4} \d{2}-\d{2}-\d{4} Dr\. A\. Huisman, huisarts Gestopt wegens maagklachten/,
    );
    assert.doesNotMatch(text, /Naproxen/);
    // Only what this pharmacy holds: the GP's allergy is not the pharmacy's.
    assert.match(text, /Deze apotheek heeft geen overgevoeligheden of contra-indicaties vastgelegd/);

    const sid = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const records = await auditEvents(sid, 'citizen.medication.overview.download');
    assert.equal(records.length, 1);
    assert.equal(records[0]?.reason, `org:${pharmacy}`);

    // In English when the portal is in English.
    const en = await login(DEMO.suzanne);
    assert.equal((await en.get('/language?lang=en&return=/medication/passport')).status, 303);
    const english = await pdfOf(en, `/medication/overview/${pharmacy}.pdf`);
    assert.match(english.text, /Current medication overview Patient Suzanne Maria de Vries/);
    assert.match(english.text, /Recently stopped medication/);
  });

  test('[MG-1] no overview where no organisation offers it: no link, and the route is 404', async () => {
    // Fatima: the GP and the neighbourhood team; neither offers the overview.
    const fatima = await login(DEMO.fatima);
    const page = await fatima.get('/medication/passport');
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /\/medication\/overview\//);
    assert.match(pageText(page.text), /Geen van uw apotheken biedt in dit portaal een actueel medicatieoverzicht aan/);
    for (const org of [gp, pharmacy]) {
      assert.equal((await download(fatima, `/medication/overview/${org}.pdf`)).status, 404, 'not hers, or not offered');
    }
    // Suzanne's GP does not offer it either.
    assert.equal((await download(suzanne, `/medication/overview/${gp}.pdf`)).status, 404);
    // Not an id at all.
    for (const bad of ['x.pdf', pharmacy, `${pharmacy}.PDF.pdf`, '..%2F..%2Fetc.pdf'])
      assert.equal((await download(suzanne, `/medication/overview/${bad}`)).status, 404, bad);

    // The pharmacy switches the function off: the link goes, the route is 404 …
    const functions = (
      await k.db.selectFrom('organisation').select('functions').where('id', '=', pharmacy).executeTakeFirstOrThrow()
    ).functions;
    await k.db
      .updateTable('organisation')
      .set({ functions: functions.filter((f) => f !== 'medication-overview') })
      .where('id', '=', pharmacy)
      .execute();
    try {
      assert.doesNotMatch((await suzanne.get('/medication/passport')).text, /\/medication\/overview\//);
      assert.equal((await download(suzanne, `/medication/overview/${pharmacy}.pdf`)).status, 404);
    } finally {
      await k.db.updateTable('organisation').set({ functions }).where('id', '=', pharmacy).execute();
    }
    assert.equal((await download(suzanne, `/medication/overview/${pharmacy}.pdf`)).status, 200);
  });

  test('[MG-1] a category the organisation does not show is not in the passport or the overview', async () => {
    const categories = (
      await k.db
        .selectFrom('organisation')
        .select('record_categories')
        .where('id', '=', pharmacy)
        .executeTakeFirstOrThrow()
    ).record_categories;
    await k.db
      .updateTable('organisation')
      .set({ record_categories: categories.filter((c) => c !== 'medication') })
      .where('id', '=', pharmacy)
      .execute();
    try {
      const { text } = await pdfOf(suzanne, '/medication/passport.pdf');
      assert.doesNotMatch(text, /Metformine|Enalapril/, 'the pharmacy does not show its medication');
      assert.match(text, /Penicillines/, "the GP's sensitivities still are");
      assert.doesNotMatch((await suzanne.get('/medication/passport')).text, /\/medication\/overview\//);
      assert.equal((await download(suzanne, `/medication/overview/${pharmacy}.pdf`)).status, 404);
    } finally {
      await k.db
        .updateTable('organisation')
        .set({ record_categories: categories })
        .where('id', '=', pharmacy)
        .execute();
    }
  });

  test('[MG-8] a citizen without medication gets a proper passport that says so', async () => {
    const fatima = await login(DEMO.fatima);
    const { text, pages } = await pdfOf(fatima, '/medication/passport.pdf');
    assert.equal(pages.length, 1);
    assert.match(text, /Er staan geen medicijnen die u nu gebruikt\. There are no medicines you use now\./);
    assert.match(text, /Naam Name Fatima El Amrani/);
    assert.match(text, /Huisartsenpraktijk De Linde/);
  });

  test('[MG-8] only one’s own: not logged in, a staff member, another citizen — nobody else gets one', async () => {
    const anonymous = new HttpClient(k.url);
    for (const path of ['/medication/passport', '/medication/passport.pdf', `/medication/overview/${pharmacy}.pdf`]) {
      const res = await download(anonymous, path);
      assert.equal(res.status, 401, path);
      assert.doesNotMatch(res.body.toString('latin1'), /%PDF/);
    }
    const { client: staff } = await loginStaff(k.url, 'apotheker@apotheekcentrum.example');
    const asStaff = await download(staff, '/medication/passport.pdf');
    assert.equal(asStaff.status, 401);
    assert.doesNotMatch(asStaff.body.toString('latin1'), /%PDF/);
    // Pieter's passport is his: nothing of Suzanne's in it.
    const pieter = await login(DEMO.pieter);
    const { text } = await pdfOf(pieter, '/medication/passport.pdf');
    assert.match(text, /Pieter Bakker/);
    assert.match(text, /Tiotropium/);
    assert.doesNotMatch(text, /Suzanne|Metformine|Penicillines/);
  });

  test('[MG-8] real-shaped data: MP9 3.0 bundles and the Nictiz zib2020 examples; diacritics; long lists flow over pages', async () => {
    // Johannes: the hospital, the pharmacy and the physiotherapist. The hospital sends MP9 3.0 medication and the
    // published examples: an active MRSA alert, an inactive alert, allergies (one entered in error), a
    // contraindication (made active here; the example is ended).
    const bsn = DEMO.johannes;
    for (const f of ['mp9-current-metoprolol.json', 'mp9-stopped-magistral.json', 'mp9-past-amoxicillin.json']) {
      const text = readFileSync(new URL(`../../test/fixtures/mp9-handmade/${f}`, import.meta.url), 'utf8');
      const client = await createApiClient(k.db, hospital);
      const result = await ingestBundle(
        clientContext({ db: k.db, keys: k.koepel.keys }, client.principal),
        JSON.parse(text.replaceAll('999911120', bsn)) as Json,
      );
      assert.equal(result.status, 200, JSON.stringify(result.body).slice(0, 1500));
    }
    const examples = zibExamples(
      [
        'Alert-02',
        'Alert-01',
        'Alert-01-Condition-01',
        'AllergyIntolerance-01',
        'AllergyIntolerance-02',
        'MedicationContraIndication-01',
        'MedicationContraIndication-01-PractitionerRole-01',
        'MedicationContraIndication-01-Practitioner-01',
      ],
      bsn,
    );
    const contra = examples.find((e) => e.id === 'nl-core-MedicationContraIndication-01');
    assert.ok(contra);
    contra.status = 'active';
    contra.period = { start: '2020-06-08' };
    await ingestAs(k, hospital, examples);

    // Long lists: forty more medicines in use, each with its dosage.
    const many: Json[] = Array.from({ length: 40 }, (_, i) => ({
      resourceType: 'MedicationStatement',
      id: `many-${i}`,
      status: 'active',
      medicationCodeableConcept: { text: `Testmiddel ${String(i).padStart(2, '0')} 10 mg tablet` },
      subject: { identifier: { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: bsn } },
      effectivePeriod: { start: '2025-01-01' },
      dosage: [{ text: `${(i % 3) + 1} maal per dag 1 tablet, bij voorkeur na de maaltijd met water innemen` }],
    }));
    await ingestAs(k, hospital, many);

    const johannes = await login(bsn);
    // A name with diacritics (as the BRP could deliver it).
    const jid = await citizenId(k.db, k.koepel.keys, bsn);
    await k.db
      .updateTable('citizen')
      .set({ given_names: 'Joël Ïsmaël', name_prefix: 'van den', family_name: 'Bérg-Müller' })
      .where('id', '=', jid)
      .execute();

    const { pages, text, body } = await pdfOf(johannes, '/medication/passport.pdf');
    await shoot(`${SHOTS}/medication-passport-long-1.png`, body, 1);
    await shoot(`${SHOTS}/medication-passport-long-2.png`, body, 2);
    assert.match(text, /Naam Name Joël Ïsmaël van den Bérg-Müller/);
    assert.match(text, /Geboortedatum Date of birth 30-11-1948/);
    // MP9: the metoprolol agreement (product from its Medication, the rendered dosage); the stopped magistral
    // preparation and the amoxicillin of 2019 are not current.
    assert.match(
      text,
      /METOPROLOLSUCCINAAT 50MG TABLET MGA Vanaf 15 nov 2026, tot nader order, 1 maal per dag 1 stuk, oraal 15-11-2026 A\. Jansen \(Huisarts\), Rivierenland Ziekenhuis/,
    );
    assert.doesNotMatch(text, /amoxicilline|hydrocortison/i);
    // The pharmacy's ferrous fumarate of the demo too.
    assert.match(text, /Ferrofumaraat 200 mg tablet/);
    // Nictiz examples: the penicillin allergy with its reaction, not the bee venom entered in error; the active MRSA
    // alert, not the ended one; the contraindication.
    assert.match(text, /Penicilline Exantheem/);
    assert.doesNotMatch(text, /Bijengif/);
    assert.match(
      text,
      /Drager van meticillineresistente Staphylococcus aureus Alert \/ Alert 01-06-2010 Rivierenland Ziekenhuis/,
    );
    assert.match(text, /Zwangerschap Contra-indicatie \/ Contraindication 08-06-2020/);
    // More pages, each with its header and footer; the table goes on with its header row.
    assert.ok(pages.length >= 2, `${pages.length} pages`);
    assert.match(
      pages[1] ?? '',
      /Geneesmiddelen die ik nu gebruik \(vervolg\) Medicines I use now \(continued\) Geneesmiddel Medicine Gebruik Dosage Sinds Since Bron Source/,
    );
    for (const [i, page] of pages.entries()) {
      assert.match(page, /Medicijnpaspoort · Medication passport Joël Ïsmaël van den Bérg-Müller · 30-11-1948/);
      assert.match(page, new RegExp(`Pagina ${i + 1} van ${pages.length} · Page ${i + 1} of ${pages.length}`));
    }
    for (let i = 0; i < 40; i++)
      assert.match(text, new RegExp(`Testmiddel ${String(i).padStart(2, '0')} 10 mg tablet`));
  });
});
