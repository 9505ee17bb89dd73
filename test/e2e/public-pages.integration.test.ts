import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertAccessible, launchBrowser, newContext } from '../support/browser.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';

describe('public pages in a real browser', () => {
  let k: TestKoepel;
  let browser: Browser;
  before(async () => {
    k = await startKoepel();
    browser = await launchBrowser();
  });
  after(async () => {
    // k is closed even when the browser never started (else the file hangs until the runner's timeout).
    try {
      await browser.close();
    } finally {
      await k.close();
    }
  });

  for (const path of ['/', '/privacy', '/bestaat-niet']) {
    test(`${path} has no axe-core violations`, async () => {
      const ctx = await newContext(browser);
      const page = await ctx.newPage();
      await page.goto(k.url + path);
      await assertAccessible(page);
      await ctx.close();
    });
  }

  test('skip link moves focus to the main content', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(k.url + '/');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    assert.equal(focused, 'Direct naar de inhoud');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await page.screenshot({ path: '/tmp/koepel-landing.png', fullPage: true });
    await ctx.close();
  });
});
