// Issue 11 §3 in a real browser: a citizen opens the vital-signs section filled with published nl-core zib2020
// examples, the blood-pressure chart (two lines, one reading of two components), and the directives section, on a
// desktop and on a phone-sized screen. axe-core checks every page; screenshots go to /tmp/koepel-shots/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ingestAs, ZIB_DISPLAY_EXAMPLES, zibExamples } from '../../src/dossier/zib.testkit.js';
import { assertAccessible, launchBrowser, newContext } from '../support/browser.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { DEMO, orgId } from '../support/principals.js';

const SHOTS = '/tmp/koepel-shots';

async function login(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await Promise.all([
    page.waitForURL(/\/digid-simulator\/authorize/),
    page.getByRole('button', { name: 'Inloggen met DigiD' }).click(),
  ]);
  await page.getByLabel(/Suzanne Maria de Vries/).check();
  await page.getByLabel(/^Substantieel/).check();
  await Promise.all([page.waitForURL(/\/home$/), page.getByRole('button', { name: 'Inloggen', exact: true }).click()]);
}

describe('Mijn dossier: zib2020 sections in a real browser (issue 11)', () => {
  let k: TestKoepel;
  let browser: Browser;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    k = await startKoepel();
    const hospital = await orgId(k.db, DEMO.hospital);
    await k.db
      .updateTable('organisation')
      .set({
        record_categories: [
          'appointments',
          'lab',
          'documents',
          'medication',
          'episodes',
          'sensitivities',
          'careteam',
          'vitals',
          'findings',
          'immunisations',
          'procedures',
          'visits',
          'aids',
          'directives',
          'careplan',
          'payer',
        ],
      })
      .where('id', '=', hospital)
      .execute();
    await ingestAs(k, hospital, zibExamples(ZIB_DISPLAY_EXAMPLES, DEMO.suzanne));
    browser = await launchBrowser();
  });
  after(async () => {
    try {
      await browser.close();
    } finally {
      await k.close();
    }
  });

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 900 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    test(`vital signs → blood pressure chart → directives; axe 0 violations (${viewport.name})`, async () => {
      const context = await newContext(browser);
      await context.newPage();
      const page = context.pages()[0] as Page;
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      try {
        await login(page, k.url);
        await page.goto(`${k.url}/dossier`);
        await Promise.all([
          page.waitForURL(/\/dossier\/vitals$/),
          page.getByRole('link', { name: 'Metingen (vitale functies)' }).first().click(),
        ]);
        await assertAccessible(page);
        const bp = page.getByRole('row', { name: /Bloeddruk/ });
        assert.match(await bp.innerText(), /125\/75 mmHg/);
        assert.match(await page.getByRole('row', { name: /Lichaamstemperatuur/ }).innerText(), /38,6 °C/);
        await page.screenshot({ path: `${SHOTS}/vitals-${viewport.name}.png`, fullPage: true });

        await Promise.all([
          page.waitForURL(/\/dossier\/vitals\/bloodPressure$/),
          page.getByRole('link', { name: 'Bloeddruk' }).click(),
        ]);
        await assertAccessible(page);
        const chart = page.getByRole('img', { name: /Bloeddruk: uw metingen/ });
        await chart.first().waitFor();
        const visible = page.locator(viewport.name === 'phone' ? '.koepel-chart-narrow svg' : '.koepel-chart-wide svg');
        assert.ok(await visible.isVisible());
        assert.equal(await visible.locator('.koepel-chart-point--second').count(), 1);
        await page.getByRole('table', { name: /Bloeddruk: alle metingen/ }).waitFor();
        await page.screenshot({ path: `${SHOTS}/vitals-bloodpressure-${viewport.name}.png`, fullPage: true });

        await page.goto(`${k.url}/dossier/directives`);
        await assertAccessible(page);
        await page.getByRole('heading', { name: 'Wilsverklaringen', exact: true }).waitFor();
        assert.match(await page.getByRole('row', { name: /Opname op intensive care/ }).innerText(), /Wel doen/);
        await page.screenshot({ path: `${SHOTS}/directives-${viewport.name}.png`, fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
