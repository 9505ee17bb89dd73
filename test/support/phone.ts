// A phone-sized browser (390 x 844) and a sweep over a site's pages that checks each one: not wider than the screen,
// no axe-core violations. Used by the 390 px browser journeys in test/e2e.
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { assertAccessible, type BrowserSuite } from './browser.js';

export const PHONE = { width: 390, height: 844 };

export async function phoneContext(suite: BrowserSuite): Promise<BrowserContext> {
  return suite.browser.newContext({ locale: 'nl-NL', viewport: PHONE, isMobile: true, hasTouch: true });
}

/** Fails when the page scrolls sideways, naming the elements that stick out. */
export async function assertFitsPhone(page: Page): Promise<void> {
  const { width, wide } = await page.evaluate((max) => {
    const sticking = [...document.querySelectorAll('body *')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.right > max + 0.5 && e.closest('.koepel-visually-hidden, thead') === null;
      })
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`);
    return { width: document.documentElement.scrollWidth, wide: sticking };
  }, PHONE.width);
  assert.ok(
    width <= PHONE.width,
    `${page.url()} is ${width} px wide on a ${PHONE.width} px screen: ${wide.join(', ')}`,
  );
}

export async function check(page: Page): Promise<void> {
  await assertFitsPhone(page);
  await assertAccessible(page);
}

/** A page's kind: its path with ids replaced, and the names (not the values) of its query parameters. */
function kindOf(url: URL): string {
  const path = url.pathname
    .split('/')
    .map((s) => (/^[0-9a-f-]{20,}$|^\d+$/i.test(s) ? ':id' : s))
    .join('/');
  return `${path}?${[...url.searchParams.keys()].sort().join('&')}`;
}

/** Same-origin page links on the current page, without downloads, logout and language switches. */
export async function pageLinks(page: Page, base: string, under: RegExp): Promise<URL[]> {
  const hrefs = await page
    .locator('a[href]:not([download])')
    .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  return hrefs
    .map((h) => new URL(h))
    .filter((u) => u.origin === new URL(base).origin && under.test(u.pathname))
    .filter(
      (u) => !/^\/(language|logout)|\.(pdf|csv)$/.test(u.pathname) && !/\/documents\/[^/]+\/\d+$/.test(u.pathname),
    )
    .map((u) => {
      u.hash = '';
      return u;
    });
}

/** Visits the start pages and every page of a new kind linked from them (breadth first), checking each. */
export async function sweep(page: Page, base: string, start: string[], under: RegExp, max = 60): Promise<string[]> {
  const seen = new Set<string>();
  const queue = start.map((p) => new URL(p, base));
  const visited: string[] = [];
  while (queue.length > 0 && visited.length < max) {
    const url = queue.shift() as URL;
    const kind = kindOf(url);
    if (seen.has(kind)) continue;
    seen.add(kind);
    const res = await page.goto(url.toString());
    assert.ok(res && res.status() < 500, `${url.pathname}: ${res?.status() ?? 'no answer'}`);
    await check(page);
    visited.push(url.pathname + url.search);
    queue.push(...(await pageLinks(page, base, under)));
  }
  return visited;
}
