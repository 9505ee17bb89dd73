// Every page on a 390 px phone screen (iPhone 12-15: 390 x 844): no page is wider than the screen, and axe-core finds
// nothing. The citizen's pages are found by following the links from the citizen menu onwards (one page of each kind:
// /dossier/lab/<id> once, not once per result), after the citizen left a long unbroken note in a record request, so
// that typed text is on a page too. Then the pages around the login and the public pages (the staff workplace:
// staff-mobile.integration.test.ts).
// Screenshots go to /tmp/koepel-shots/mobile-*.png for a human to look at.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSuite } from '../support/browser.js';
import { check, pageLinks, phoneContext, sweep } from '../support/phone.js';

const SHOTS = '/tmp/koepel-shots';
async function loginCitizen(page: Page, base: string, person: RegExp): Promise<void> {
  await page.goto(base);
  await check(page);
  await Promise.all([
    page.waitForURL(/\/digid-simulator\/authorize/),
    page.getByRole('button', { name: 'Inloggen met DigiD' }).click(),
  ]);
  await check(page);
  await page.getByLabel(person).check();
  await page.getByLabel(/^Substantieel/).check();
  await Promise.all([
    page.waitForLoadState('load'),
    page.getByRole('button', { name: 'Inloggen', exact: true }).click(),
  ]);
}

describe('every page on a 390 px phone screen', () => {
  const suite = browserSuite();

  test('[LU-1] the citizen: every page reachable from the menu fits the screen and has no axe violations', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const context = await phoneContext(suite);
    try {
      const page = await context.newPage();
      const base = suite.k.url;
      await loginCitizen(page, base, /Suzanne Maria de Vries/);
      await page.waitForURL(/\/home$/);
      await check(page);
      await page.screenshot({ path: `${SHOTS}/mobile-home.png`, fullPage: true });

      // A record request with a long unbroken note (as typed: the field allows 1000 characters).
      const menu = page.getByRole('navigation', { name: 'Mijn portaal' });
      await Promise.all([
        page.waitForURL(/\/record-requests$/),
        menu.getByRole('link', { name: 'Inzage vragen' }).click(),
      ]);
      await check(page);
      await Promise.all([
        page.waitForURL(/\/record-requests\/new\//),
        page
          .getByRole('link', { name: /^Meer inzage vragen bij/ })
          .first()
          .click(),
      ]);
      await check(page);
      await page.getByText('Maximaal 1000 tekens', { exact: false }).waitFor();
      await page.locator('input[name="categories"]').first().check();
      await page.getByLabel('Toelichting (niet verplicht)').fill('x'.repeat(1200));
      assert.equal((await page.getByLabel('Toelichting (niet verplicht)').inputValue()).length, 1000, 'maxlength');
      await Promise.all([
        page.waitForURL(/\/record-requests\?sent=1$/),
        page.getByRole('button', { name: 'Verzoek versturen' }).click(),
      ]);
      await check(page);

      const menuLinks = await pageLinks(page, base, /^\/(home|dossier|access-log|apps|record-requests)/);
      const visited = await sweep(
        page,
        base,
        ['/home', ...menuLinks.map((u) => u.pathname + u.search), '/dossier/lab', '/dossier/medication'],
        /^\/(home|dossier|access-log|apps|record-requests)/,
      );
      for (const p of ['/home', '/dossier', '/dossier/lab', '/dossier/medication', '/access-log', '/apps'])
        assert.ok(visited.includes(p), `${p} visited (${visited.join(' ')})`);
      assert.ok(
        visited.some((p) => /^\/dossier\/lab\/[^/?]+$/.test(p)),
        'a lab result page visited',
      );
      assert.ok(
        visited.some((p) => /^\/dossier\/documents\/[^/?]+$/.test(p)),
        'a letter visited',
      );
      assert.ok(
        visited.some((p) => p.startsWith('/record-requests')),
        'record requests visited',
      );
      for (const p of ['/dossier/lab', '/dossier/medication', '/access-log', '/record-requests']) {
        await page.goto(base + p);
        await page.screenshot({ path: `${SHOTS}/mobile${p.replaceAll('/', '-')}.png`, fullPage: true });
      }
      // In English too (longer words in places).
      await page.goto(`${base}/language?lang=en&return=/home`);
      await sweep(page, base, ['/home', '/dossier/medication'], /^$/);
    } finally {
      await context.close();
    }
  });

  test('the pages around the login, public pages and the no-care-relationship page fit the screen', async () => {
    const context = await phoneContext(suite);
    try {
      const page = await context.newPage();
      const base = suite.k.url;
      await sweep(page, base, ['/', '/privacy', '/staff/login', '/bestaat-niet'], /^$/);
      // The simulator with a missing level: its error summary.
      await page.goto(base);
      await Promise.all([
        page.waitForURL(/\/digid-simulator\/authorize/),
        page.getByRole('button', { name: 'Inloggen met DigiD' }).click(),
      ]);
      await page.getByLabel(/Suzanne Maria de Vries/).check();
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Inloggen', exact: true }).click(),
      ]);
      await page.getByRole('alert').waitFor();
      assert.match((await page.getByRole('alert').textContent()) ?? '', /Kies een betrouwbaarheidsniveau/);
      await check(page);
      // Noor has no care relationship: the page says there is nothing to log out of.
      await loginCitizen(page, base, /Noor Visser/);
      assert.match((await page.getByRole('heading', { level: 1 }).textContent()) ?? '', /geen zorgrelatie/);
      await page.getByText(/u hoeft niet uit te loggen/).waitFor();
      await check(page);
    } finally {
      await context.close();
    }
  });
});
