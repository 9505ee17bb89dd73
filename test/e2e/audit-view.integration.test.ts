// The privacy officer in a real browser: opens the organisation's audit log, sees the chain status, finds a citizen's
// trail by BSN (which never reaches the address bar) and exports it; on a desktop and on a 390 px phone, axe-core
// on every page, no sideways scrolling on the phone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { loginStaff } from '../../src/staff/login.testkit.js';
import { assertAccessible, browserSuite } from '../support/browser.js';
import { DEMO } from '../support/principals.js';

describe('the audit log screen in a real browser', () => {
  const suite = browserSuite();

  async function officerContext(width: number): Promise<BrowserContext> {
    const { client } = await loginStaff(suite.k.url, 'privacy@delinde.example');
    const ctx = await suite.browser.newContext({
      locale: 'nl-NL',
      viewport: { width, height: 900 },
      acceptDownloads: true,
    });
    // The session cookie is __Host- and Secure; Chromium accepts it on http://127.0.0.1 (a trustworthy origin).
    await ctx.addCookies(
      [...client.cookies].map(([name, value]) => ({
        name,
        value,
        domain: '127.0.0.1',
        path: '/',
        secure: true,
        httpOnly: true,
        sameSite: 'Lax' as const,
      })),
    );
    return ctx;
  }

  async function noSidewaysScroll(page: Page): Promise<void> {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width} px wide`);
  }

  test("[PZ-12] the privacy officer finds a citizen's audit trail and exports it", async () => {
    const ctx = await officerContext(1280);
    const page = await ctx.newPage();
    try {
      await page.goto(`${suite.k.url}/staff/audit`);
      assert.equal(await page.locator('h1').innerText(), 'Auditlog van uw organisatie');
      assert.match(await page.locator('#chain-verdict').innerText(), /^In orde/);
      await assertAccessible(page);

      await page.getByLabel('Burger').fill(DEMO.suzanne);
      await page.getByRole('button', { name: 'Zoeken' }).click();
      await page.waitForLoadState('domcontentloaded');
      const url = page.url();
      assert.match(url, /\/staff\/audit\?citizen=[0-9a-f-]{36}$/);
      assert.ok(!url.includes(DEMO.suzanne));
      assert.match(await page.locator('main').innerText(), /Gekozen burger: Suzanne Maria de Vries \(HA-1001\)/);
      const table = page.locator('table.koepel-audit-log');
      assert.match(await table.innerText(), /Suzanne Maria de Vries \(HA-1001\)/);
      await assertAccessible(page);
      await page.screenshot({ path: '/tmp/koepel-audit-view.png', fullPage: true });
      await page.screenshot({ path: '/tmp/koepel-audit-view-top.png' });

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: /Download als spreadsheet/ }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^auditlog-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = readFileSync((await download.path()) ?? '', 'utf8');
      assert.match(csv, /Tijd;Gebeurtenis;Actie/);
      assert.match(csv, /Suzanne Maria de Vries \(HA-1001\)/);

      // A wrong date: the error summary links to the field, still accessible.
      await page.goto(`${suite.k.url}/staff/audit?from=2026-02-31`);
      assert.match(await page.locator('.koepel-error-summary').innerText(), /Vanaf datum/);
      await assertAccessible(page);
    } finally {
      await ctx.close();
    }
  });

  test('on a 390 px phone: no sideways scrolling, accessible', async () => {
    const ctx = await officerContext(390);
    const page = await ctx.newPage();
    try {
      await page.goto(`${suite.k.url}/staff/audit`);
      await noSidewaysScroll(page);
      await assertAccessible(page);
      await page.screenshot({ path: '/tmp/koepel-audit-view-390.png', fullPage: true });
      await page.screenshot({ path: '/tmp/koepel-audit-view-390-top.png' });
      await page.locator('table.koepel-audit-log').scrollIntoViewIfNeeded();
      await page.screenshot({ path: '/tmp/koepel-audit-view-390-table.png' });
      // The officer's search on the phone: one citizen's trail, still within the screen.
      await page.getByLabel('Burger').fill(DEMO.suzanne);
      await Promise.all([
        page.waitForURL(/\/staff\/audit\?citizen=/),
        page.getByRole('button', { name: 'Zoeken' }).click(),
      ]);
      assert.match(await page.locator('main').innerText(), /Gekozen burger: Suzanne Maria de Vries \(HA-1001\)/);
      await noSidewaysScroll(page);
      await assertAccessible(page);
      await page.goto(`${suite.k.url}/staff/audit?event=patient.nonsense`);
      await noSidewaysScroll(page);
      await assertAccessible(page);
    } finally {
      await ctx.close();
    }
  });
});
