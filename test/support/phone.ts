// A phone-sized browser (390 x 844, or the 320 x 640 of WCAG's reflow criterion), a citizen logged in on it with a
// journey's steps (each page checked and screenshot), and a sweep over a site's pages that checks each one: not wider
// than the screen, no axe-core violations (and a check of the caller's own). Used by the phone browser journeys in
// test/e2e.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { assertAccessible, carrySession, type BrowserSuite } from './browser.js';
import { HttpClient } from './http-client.js';

export const PHONE = { width: 390, height: 844 };
/** WCAG 1.4.10 Reflow: content readable without scrolling in two directions at 320 CSS px wide (1280 px at 400 %). */
export const NARROW = { width: 320, height: 640 };

export async function phoneContext(
  suite: BrowserSuite,
  viewport: { width: number; height: number } = PHONE,
): Promise<BrowserContext> {
  return suite.browser.newContext({ locale: 'nl-NL', viewport, isMobile: true, hasTouch: true });
}

/** Fails when the page scrolls sideways (wider than its viewport), naming the elements that stick out. */
export async function assertFitsPhone(page: Page): Promise<void> {
  const max = page.viewportSize()?.width ?? PHONE.width;
  const { width, wide } = await page.evaluate((max) => {
    const sticking = [...document.querySelectorAll('body *')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.right > max + 0.5 && e.closest('.koepel-visually-hidden, thead') === null;
      })
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`);
    return { width: document.documentElement.scrollWidth, wide: sticking };
  }, max);
  assert.ok(width <= max, `${page.url()} is ${width} px wide on a ${max} px screen: ${wide.join(', ')}`);
}

export async function check(page: Page): Promise<void> {
  await assertFitsPhone(page);
  await assertAccessible(page);
}

/** Where the journeys' screenshots go, for a person to look at. */
export const SHOTS = '/tmp/koepel-shots';

/** Numbered full-page screenshots of one journey: SHOTS/<prefix>-01-<name>.png, -02-, … (one counter per call). */
export function screenshots(prefix: string): (page: Page, name: string) => Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  let shot = 0;
  return async (page, name) => {
    await page.screenshot({
      path: `${SHOTS}/${prefix}-${String(++shot).padStart(2, '0')}-${name}.png`,
      fullPage: true,
    });
  };
}

export interface CitizenOnPhone {
  /** The HTTP client that logged in with DigiD; the page carries its session. */
  client: HttpClient;
  context: BrowserContext;
  page: Page;
  /**
   * Runs the action (a click, a form post, a goto), waits for the page it leads to, checks it (fits 390 px, no axe
   * violations, and the journey's own check) and takes the next numbered screenshot.
   */
  go: (name: string, action: () => Promise<unknown>) => Promise<void>;
  /** The next numbered screenshot of any page (a staff page of the same journey too). */
  snap: (page: Page, name: string) => Promise<void>;
  /** Closes the context. */
  close: () => Promise<void>;
}

/**
 * A demo citizen logged in with DigiD over HTTP, her session in a phone-sized browser page. Screenshots go to
 * SHOTS/<shots>-NN-<name>.png; `check` runs on every page `go` reaches, after the standard checks.
 */
export async function citizenOnPhone(
  suite: BrowserSuite,
  bsn: string,
  options: { shots: string; check?: (page: Page) => Promise<void> },
): Promise<CitizenOnPhone> {
  const client = new HttpClient(suite.k.url);
  assert.equal((await loginWithDigid(client, bsn)).status, 303);
  const context = await phoneContext(suite);
  try {
    await carrySession(context, suite.k.url, client);
    const page = await context.newPage();
    const snap = screenshots(options.shots);
    const go = async (name: string, action: () => Promise<unknown>): Promise<void> => {
      await Promise.all([page.waitForLoadState('load'), action()]);
      await page.waitForLoadState('load');
      await check(page);
      await options.check?.(page);
      await snap(page, name);
    };
    return { client, context, page, go, snap, close: () => context.close() };
  } catch (e) {
    await context.close();
    throw e;
  }
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

/**
 * Visits the start pages and every page of a new kind linked from them (breadth first), checking each (`check`, then
 * the caller's own `extra` check).
 */
export async function sweep(
  page: Page,
  base: string,
  start: string[],
  under: RegExp,
  max = 60,
  extra?: (page: Page) => Promise<void>,
): Promise<string[]> {
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
    await extra?.(page);
    visited.push(url.pathname + url.search);
    queue.push(...(await pageLinks(page, base, under)));
  }
  return visited;
}
