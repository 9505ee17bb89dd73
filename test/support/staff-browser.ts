// Staff journeys in a real browser: pages at a chosen width, a check of every page visited (axe-core, and no sideways
// scrolling at the page's width) and the staff login through its forms, TOTP included. Used by the staff journeys
// in test/e2e.
import assert from 'node:assert/strict';
import { Secret } from 'otpauth';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { enrolmentCode, freshCode } from '../../src/staff/login.testkit.js';
import { assertAccessible, type BrowserSuite } from './browser.js';

export const DESKTOP = { width: 1280, height: 900 };

/** axe, and no sideways scrolling at the page's width. */
export async function check(page: Page): Promise<void> {
  await assertAccessible(page);
  const width = page.viewportSize()?.width ?? 0;
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `${page.url()} is ${scrollWidth}px wide at ${width}px`);
}

export const workplaceNav = (page: Page): Locator => page.getByRole('navigation', { name: 'Werkplek' });

export interface StaffBrowser {
  /** A page in a fresh browser context (no cookies) of this size; closed by closeAll. */
  newPage: (viewport: { width: number; height: number }) => Promise<Page>;
  closeAll: () => Promise<void>;
  /** Clicks, waits for the page it leads to (a link, or a form post and its redirect), then checks that page. */
  go: (page: Page, click: () => Promise<void>, path: string | RegExp) => Promise<void>;
  /**
   * Password, then either the authenticator set-up from the manual key or a code from the secret set up before (the
   * testkit remembers it, and the steps used). Every page on the way is checked. Returns which second step it was.
   */
  logIn: (page: Page, email: string, landing?: string) => Promise<'enrol' | 'code'>;
}

export function staffBrowser(suite: BrowserSuite): StaffBrowser {
  const contexts: BrowserContext[] = [];
  const waitFor = async (page: Page, click: () => Promise<void>, path: string | RegExp): Promise<void> => {
    await Promise.all([page.waitForURL(typeof path === 'string' ? `${suite.k.url}${path}` : path), click()]);
  };
  const go = async (page: Page, click: () => Promise<void>, path: string | RegExp): Promise<void> => {
    await waitFor(page, click, path);
    await check(page);
  };
  // The login form and its second step are the same pages for every account: each is checked once per width and
  // state (a login after an ended session says so), not at every login of a journey (axe takes a while).
  const loginPagesChecked = new Set<string>();
  const checkLoginPage = async (page: Page): Promise<void> => {
    const url = new URL(page.url());
    const key = `${page.viewportSize()?.width ?? 0} ${url.pathname} ${[...url.searchParams.keys()].join()}`;
    if (loginPagesChecked.has(key)) return;
    await check(page);
    loginPagesChecked.add(key);
  };
  return {
    newPage: async (viewport) => {
      const ctx = await suite.browser.newContext({ locale: 'nl-NL', viewport });
      contexts.push(ctx);
      return ctx.newPage();
    },
    closeAll: async () => {
      for (const c of contexts.splice(0)) await c.close();
    },
    go,
    logIn: async (page, email, landing = '/staff') => {
      const base = suite.k.url;
      // A login page the session expiry led to keeps its place (it returns there afterwards).
      if (!new URL(page.url()).pathname.startsWith('/staff/login')) await page.goto(`${base}/staff/login`);
      await checkLoginPage(page);
      await page.getByLabel('E-mailadres').fill(email);
      await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
      await waitFor(
        page,
        () => page.getByRole('button', { name: 'Inloggen' }).click(),
        /\/staff\/(totp\/enrol|login\/totp)$/,
      );
      await checkLoginPage(page);
      const stage = page.url().endsWith('/staff/totp/enrol') ? 'enrol' : 'code';
      if (stage === 'enrol') {
        const secret = Secret.fromBase32((await page.locator('#totp-secret').innerText()).replace(/\s/g, '')).bytes;
        await page.getByLabel('Verificatiecode').fill(enrolmentCode(base, email, secret));
        await go(page, () => page.getByRole('button', { name: 'Bevestigen' }).click(), landing);
      } else {
        await page.getByLabel('Verificatiecode').fill(await freshCode(base, email));
        await go(page, () => page.getByRole('button', { name: 'Verder' }).click(), landing);
      }
      return stage;
    },
  };
}
