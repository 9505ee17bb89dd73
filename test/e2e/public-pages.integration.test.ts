import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAccessible, browserSuite, newContext } from '../support/browser.js';

describe('public pages in a real browser', () => {
  const suite = browserSuite();

  for (const path of ['/', '/privacy', '/bestaat-niet']) {
    test(`${path} has no axe-core violations`, async () => {
      const ctx = await newContext(suite.browser);
      const page = await ctx.newPage();
      await page.goto(suite.k.url + path);
      await assertAccessible(page);
      await ctx.close();
    });
  }

  test('skip link moves focus to the main content', async () => {
    const ctx = await newContext(suite.browser);
    const page = await ctx.newPage();
    await page.goto(suite.k.url + '/');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    assert.equal(focused, 'Direct naar de inhoud');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await page.screenshot({ path: '/tmp/koepel-landing.png', fullPage: true });
    await ctx.close();
  });
});
