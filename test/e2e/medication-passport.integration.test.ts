// MG-8 in a real browser on a 390 px phone screen: the citizen opens her medication in "Mijn dossier", follows the
// link to the medication passport page, downloads the passport and her pharmacy's current medication overview
// (Playwright's download event), and the test reads the PDFs' text with pdfjs-dist. Every page visited: no
// horizontal scroll, axe-core 0 violations. Screenshots (pages and the PDFs' first pages) go to /tmp/koepel-shots.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { pdfPagePng, pdfPages } from '../../src/medication-passport/pdf.testkit.js';
import { browserSuite } from '../support/browser.js';
import { citizenOnPhone, SHOTS } from '../support/phone.js';
import { DEMO } from '../support/principals.js';

/** A PDF page as a PNG for a person to look at (where pdfjs can draw). */
async function shoot(path: string, pdf: Buffer, page = 1): Promise<void> {
  const png = await pdfPagePng(pdf, page);
  if (png) writeFileSync(path, png);
}

describe('the medication passport in a real browser on a phone', () => {
  const suite = browserSuite();

  test('[MG-8] a citizen opens her medication, downloads the passport and the pharmacy’s overview, and reads them', async () => {
    const { k } = suite;
    const phone = await citizenOnPhone(suite, DEMO.suzanne, { shots: 'medication-passport-page' });
    try {
      const { page, go } = phone;
      /** Clicks a link that downloads a file; returns the file's bytes and its suggested name. */
      const downloadBy = async (name: string | RegExp) => {
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
        const path = await download.path();
        return { name: download.suggestedFilename(), body: readFileSync(path) };
      };

      await go('home', () => page.goto(`${k.url}/home`));
      await go('dossier', () =>
        page.getByRole('navigation', { name: 'Mijn portaal' }).getByRole('link', { name: 'Mijn dossier' }).click(),
      );
      await go('medication', () => page.goto(`${k.url}/dossier/medication`));
      await go('passport-page', () =>
        page.getByRole('link', { name: 'Medicijnpaspoort of medicatieoverzicht afdrukken' }).click(),
      );
      assert.equal(new URL(page.url()).pathname, '/medication/passport');
      assert.match(await page.locator('h1').innerText(), /Medicijnpaspoort en medicatieoverzicht/);

      // The passport: a PDF with her name, her medicines with dosage, her allergy, her providers, the notice.
      const passport = await downloadBy('Medicijnpaspoort downloaden (pdf)');
      assert.match(passport.name, /^medicijnpaspoort-\d{4}-\d{2}-\d{2}\.pdf$/);
      await shoot(`${SHOTS}/medication-passport-download-1.png`, passport.body, 1);
      const text = (await pdfPages(passport.body)).join(' ');
      assert.match(text, /Geen officieel reisdocument Not an official travel document/);
      assert.match(text, /Naam Name Suzanne Maria de Vries/);
      assert.match(text, /Metformine 500 mg tablet 2 maal per dag 1 tablet, bij de maaltijd/);
      assert.match(text, /Penicillines Huiduitslag met jeuk/);
      assert.match(text, /Apotheek Centrum Apotheek \/ Pharmacy Oudegracht 100/);

      // The pharmacy's current medication overview.
      const overview = await downloadBy('Actueel medicatieoverzicht van Apotheek Centrum downloaden (pdf)');
      assert.match(overview.name, /^actueel-medicatieoverzicht-\d{4}-\d{2}-\d{2}\.pdf$/);
      const amo = (await pdfPages(overview.body)).join(' ');
      assert.match(
        amo,
        /^Apotheek Centrum Oudegracht 100 3511 AX Utrecht Telefoon 030 234 56 78 Actueel medicatieoverzicht/,
      );
      assert.match(amo, /Ibuprofen 400 mg tablet/);

      // Still on the page (a download does not navigate away), and back to the medication.
      assert.equal(new URL(page.url()).pathname, '/medication/passport');
      await go('back', () => page.getByRole('link', { name: 'Terug naar uw medicatie' }).click());
      assert.equal(new URL(page.url()).pathname, '/dossier/medication');

      // In English too.
      await go('passport-page-en', () => page.goto(`${k.url}/language?lang=en&return=/medication/passport`));
      assert.match(await page.locator('h1').innerText(), /Medication passport and overview/);
      const english = await downloadBy('Download the medication passport (pdf)');
      assert.match((await pdfPages(english.body)).join(' '), /Medicijnpaspoort Medication passport/);
    } finally {
      await phone.close();
    }
  });
});
