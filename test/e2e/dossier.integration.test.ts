// A citizen's record in a real browser: log in through the DigiD simulator, open "Mijn dossier", filter by care
// provider, open a lab result's chart, open a letter and download the PDF discharge letter, and look at who has
// viewed their data. axe-core checks every page visited, on a desktop and on a phone-sized screen. Screenshots go
// to /tmp/koepel-shots/ for a human to look at.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, launchBrowser, newContext } from '../support/browser.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { DEMO, orgId } from '../support/principals.js';

const SHOTS = '/tmp/koepel-shots';

async function loginThroughSimulator(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await assertAccessible(page);
  await Promise.all([
    page.waitForURL(/\/digid-simulator\/authorize/),
    page.getByRole('button', { name: 'Inloggen met DigiD' }).click(),
  ]);
  await page.getByLabel(/Suzanne Maria de Vries/).check();
  await page.getByLabel(/^Substantieel/).check();
  await Promise.all([page.waitForURL(/\/home$/), page.getByRole('button', { name: 'Inloggen', exact: true }).click()]);
}

/** Navigates by clicking (as a person would) and checks the page it lands on. */
async function clickTo(page: Page, locator: ReturnType<Page['getByRole']>, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), locator.click()]);
  await assertAccessible(page);
}

describe('Mijn dossier in a real browser', () => {
  let k: TestKoepel;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let hospital: string;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    k = await startKoepel();
    browser = await launchBrowser();
    hospital = await orgId(k.db, DEMO.hospital);
  });
  after(async () => {
    for (const c of contexts) await c.close();
    // k is closed even when the browser never started (else the file hangs until the runner's timeout).
    try {
      await browser.close();
    } finally {
      await k.close();
    }
  });

  test('[LU-1] [MG-4] record → filter by provider → lab chart → letter and PDF download → access log; axe on every page', async () => {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await loginThroughSimulator(page, k.url);
    await assertAccessible(page);
    await page.getByRole('heading', { name: 'Komende afspraken' }).waitFor();
    await page.getByRole('heading', { name: 'Nieuw sinds uw vorige bezoek' }).waitFor();

    // Mijn dossier, from the citizen menu.
    const menu = page.getByRole('navigation', { name: 'Mijn portaal' });
    await clickTo(page, menu.getByRole('link', { name: 'Mijn dossier' }), /\/dossier$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Mijn dossier');
    await page.screenshot({ path: `${SHOTS}/dossier.png`, fullPage: true });

    // Filter by provider: a plain GET form.
    await page.getByLabel('Zorgverlener', { exact: true }).selectOption({ label: DEMO.hospital });
    await clickTo(page, page.getByRole('button', { name: 'Toon' }), new RegExp(`/dossier\\?org=${hospital}$`));
    await page.getByText(`U ziet alleen gegevens van ${DEMO.hospital}.`).waitFor();
    const perProvider = await page.locator('.koepel-per-provider li').allTextContents();
    assert.ok(perProvider.length > 0);
    assert.ok(
      perProvider.every((t) => t.startsWith(DEMO.hospital)),
      perProvider.join(' | '),
    );

    // Lab results of the hospital only; open the CRP chart.
    await clickTo(page, page.getByRole('link', { name: 'Labuitslagen', exact: true }), /\/dossier\/lab\?org=/);
    const providers = await page.locator('table tbody tr td:last-child').allTextContents();
    assert.equal(providers.length, 10);
    assert.ok(providers.every((p) => p === DEMO.hospital));
    await clickTo(page, page.getByRole('link', { name: 'CRP' }).first(), /\/dossier\/lab\/[0-9a-f-]{36}$/);
    const chart = page.getByRole('img', { name: /CRP: uw uitslagen bij Rivierenland Ziekenhuis/ });
    await chart.waitFor();
    assert.match((await chart.getAttribute('aria-labelledby')) ?? '', /lab-chart-wide-title lab-chart-wide-desc/);
    assert.equal(await page.locator('.koepel-chart-wide .koepel-chart-point').count(), 2);
    await page.getByRole('table', { name: /Alle uitslagen van CRP bij Rivierenland Ziekenhuis/ }).waitFor();
    await page.screenshot({ path: `${SHOTS}/chart.png`, fullPage: true });

    // Letters: read one in the page, download the PDF discharge letter.
    await page.goto(`${k.url}/dossier/documents`);
    await assertAccessible(page);
    await clickTo(
      page,
      page.getByRole('link', { name: /Brief aan de huisarts/ }),
      /\/dossier\/documents\/[0-9a-f-]{36}$/,
    );
    await page.getByText('Conclusie: symptomatisch galsteenlijden.', { exact: false }).waitFor();
    await page.goto(`${k.url}/dossier/documents`);
    await clickTo(
      page,
      page.getByRole('link', { name: /Ontslagbrief na dagbehandeling/ }),
      /\/dossier\/documents\/[0-9a-f-]{36}$/,
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Download Ontslagbrief Chirurgie \(PDF, / }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'Ontslagbrief-Chirurgie.pdf');
    const path = `${SHOTS}/downloaded-ontslagbrief.pdf`;
    await download.saveAs(path);
    const bytes = readFileSync(path);
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    const pdf = await PDFDocument.load(bytes);
    assert.equal(pdf.getTitle(), 'Ontslagbrief');
    await page.screenshot({ path: `${SHOTS}/document.png`, fullPage: true });

    // Who has looked at my data.
    await clickTo(page, menu.getByRole('link', { name: 'Wie heeft mijn gegevens bekeken' }), /\/access-log$/);
    // It opens on what others did; her own download is one link away.
    const opened = await page.locator('table tbody th').allTextContents();
    assert.ok(opened.length > 0 && opened.every((w) => w !== 'U zelf'), opened.join(' | '));
    await clickTo(page, page.getByRole('link', { name: 'Toon ook wat uzelf deed' }), /\/access-log\?who=all$/);
    await page.getByRole('table').getByText('Document gedownload: brieven en documenten').first().waitFor();
    await page.screenshot({ path: `${SHOTS}/access-log.png`, fullPage: true });
    await page.getByLabel('Wie', { exact: true }).selectOption('others');
    await clickTo(page, page.getByRole('button', { name: 'Filter' }), /\/access-log\?.*who=others/);
    const who = await page.locator('table tbody th').allTextContents();
    assert.ok(who.length > 0 && who.every((w) => w !== 'U zelf'));
    // The same filtered overview as a spreadsheet file.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Download dit overzicht als spreadsheet \(CSV, \d+ regels\)/ }).click(),
    ]);
    assert.equal(csv.suggestedFilename(), 'wie-heeft-mijn-gegevens-bekeken.csv');
    const csvPath = `${SHOTS}/access-log.csv`;
    await csv.saveAs(csvPath);
    const text = readFileSync(csvPath, 'utf8');
    assert.match(text, /^\uFEFFWanneer;Wie;Organisatie;Rol;Wat;Resultaat\r\n/);
    assert.ok(!text.includes('U zelf'), 'the filter of the page applies to the file');
    // A date typed wrongly (no date picker) is explained next to the field and the page stays accessible.
    await page.goto(`${k.url}/access-log?from=31-12-2026`);
    await page.getByRole('alert').waitFor();
    await assertAccessible(page);
  });

  test('the same pages on a phone-sized screen: readable chart, scrollable tables, no axe violations', async () => {
    const context = await browser.newContext({ locale: 'nl-NL', viewport: { width: 390, height: 844 } });
    contexts.push(context);
    const page = await context.newPage();
    await loginThroughSimulator(page, k.url);
    await assertAccessible(page);
    for (const path of ['/dossier', '/dossier/lab', '/dossier/appointments', '/dossier/medication', '/access-log']) {
      await page.goto(`${k.url}${path}`);
      await assertAccessible(page);
    }
    await page.screenshot({ path: `${SHOTS}/phone-access-log.png`, fullPage: true });
    await page.goto(`${k.url}/dossier/lab`);
    await clickTo(page, page.getByRole('link', { name: 'HbA1c' }).first(), /\/dossier\/lab\/[0-9a-f-]{36}$/);
    // The narrow rendering is the one shown (the wide one is display: none, out of the accessibility tree).
    await page.getByRole('img', { name: /HbA1c/ }).waitFor();
    assert.equal(await page.locator('.koepel-chart-narrow svg').isVisible(), true);
    assert.equal(await page.locator('.koepel-chart-wide svg').isVisible(), false);
    const box = await page.locator('.koepel-chart-narrow svg').boundingBox();
    assert.ok(box && box.width <= 390, 'the chart fits the screen');
    await page.screenshot({ path: `${SHOTS}/phone-chart.png`, fullPage: true });
    await page.goto(`${k.url}/dossier`);
    await page.screenshot({ path: `${SHOTS}/phone-dossier.png`, fullPage: true });
  });
});
