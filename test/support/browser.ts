// Headless Chromium from Debian (/usr/bin/chromium) driven by playwright-core, with axe-core run on each page.
// axe is evaluated through the DevTools protocol, so the page's strict CSP stays on during the test.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SESSION_COOKIE } from '../../src/platform/session/sessions.js';
import { startKoepel, type TestKoepel } from './harness.js';
import type { HttpClient } from './http-client.js';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.KOEPEL_CHROMIUM ?? '/usr/bin/chromium';

/** extraArgs: e.g. the video consult's fake camera and microphone (test/e2e/video-consult.integration.test.ts). */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  });
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
}

/**
 * Gives a browser context the session of a client that logged in over HTTP (the login flows have their own journeys):
 * the session cookie as the server set it (host only, path /, secure, HttpOnly, SameSite=Lax).
 */
export async function carrySession(context: BrowserContext, baseUrl: string, client: HttpClient): Promise<void> {
  const value = client.cookies.get(SESSION_COOKIE);
  assert.ok(value, 'logged in');
  await context.addCookies([
    {
      name: SESSION_COOKIE,
      value,
      domain: new URL(baseUrl).hostname,
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Lax',
    },
  ]);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the current page and returns the violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html })),
    }));
  });
  return result;
}

/** Fails with a readable message when axe finds anything on the page. */
export async function assertAccessible(page: Page): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    const lines = violations.map(
      (v) =>
        `${v.id} (${v.impact ?? '-'}): ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)}`).join('\n    ')}`,
    );
    throw new Error(`axe-core found ${violations.length} violation(s) on ${page.url()}:\n  ${lines.join('\n  ')}`);
  }
}

export interface BrowserSuite {
  /** The suite's Koepel (started before its first test). */
  readonly k: TestKoepel;
  /** The suite's Chromium. */
  readonly browser: Browser;
}

/**
 * Starts a Koepel and Chromium before a describe block's tests and closes both after it — the Koepel even when
 * Chromium never started, or the file would hang until the runner's timeout. Call it inside `describe`.
 */
export function browserSuite(env: Record<string, string> = {}): BrowserSuite {
  let k: TestKoepel | undefined;
  let browser: Browser | undefined;
  before(async () => {
    k = await startKoepel(env);
    browser = await launchBrowser();
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await k?.close();
    }
  });
  const started = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the suite's ${what} has not started`);
    return v;
  };
  return {
    get k() {
      return started(k, 'Koepel');
    },
    get browser() {
      return started(browser, 'browser');
    },
  };
}
