// WCAG 1.4.10 Reflow at 320 x 640 (issue 17): the citizen's, the staff's, the operator's and the public pages do not
// scroll sideways, axe-core finds nothing, and no table cell or heading breaks inside a word that would fit its box
// ("Be/pal/ing"); a table too wide for the screen scrolls inside its own labelled, focusable container, which is not
// a landmark, and neither are the footer's sections. The page-number links and the date fields keep the custom focus
// ring. Screenshots: /tmp/koepel-shots/reflow-*.png.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { loginStaff } from '../../src/staff/login.testkit.js';
import { assertAccessible, carrySession, type BrowserSuite, browserSuite } from '../support/browser.js';
import { csrfFrom, HttpClient } from '../support/http-client.js';
import { NARROW, phoneContext, screenshots, sweep } from '../support/phone.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';

/** One word of a table cell or heading that breaks over lines although it is narrower than its box. */
interface BrokenWord {
  element: string;
  word: string;
  width: number;
  box: number;
}

/**
 * The words in td, th, h1-h3 and the dt and dd of data lists (the staff record's person details) that the browser broke
 * over more than one line although the word is narrower than its box: a heading's own content box, a cell's row (tr)
 * and a term's or value's item (the dl's row). A word that fits the row needs no break inside it: the column it is in
 * was squeezed (overflow-wrap: anywhere in a table, a fixed first column of a grid), which is what breaks "Be/pal/ing"
 * or a date digit by digit. A word is what lies between spaces, hyphens and slashes ("CKD-EPI" and "mmol/L" may break
 * after the hyphen or slash, as any line may).
 */
async function brokenWords(page: Page): Promise<BrokenWord[]> {
  return page.evaluate(() => {
    const found: BrokenWord[] = [];
    const boxOf = (el: Element): HTMLElement =>
      (el.closest('tr') ?? (el.matches('dt, dd') ? el.parentElement : null) ?? el) as HTMLElement;
    const describe = (e: Element): string =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${e.className.split(' ').join('.')}` : ''}`;
    for (const el of document.querySelectorAll('td, th, h1, h2, h3, dt, dd')) {
      if (el.closest('.koepel-visually-hidden, [hidden], [aria-hidden="true"]')) continue;
      if ((el as HTMLElement).offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        const box = boxOf(el);
        const cs = getComputedStyle(box);
        const content = box.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        for (const m of text.matchAll(/[^\s\u2010/-]+[\u2010/-]?/g)) {
          const range = document.createRange();
          range.setStart(n, m.index);
          range.setEnd(n, m.index + m[0].length);
          const rects = [...range.getClientRects()].filter((r) => r.width > 0);
          const lines = new Set(rects.map((r) => Math.round(r.top)));
          if (lines.size < 2) continue;
          const width = rects.reduce((sum, r) => sum + r.width, 0);
          if (width < content - 1)
            found.push({ element: describe(el), word: m[0], width: Math.round(width), box: Math.round(content) });
        }
      }
    }
    return found;
  });
}

async function assertWordsWhole(page: Page): Promise<void> {
  const broken = await brokenWords(page);
  assert.deepEqual(
    [...new Set(broken.map((b) => `${b.element}: "${b.word}" (${b.width} px in a ${b.box} px box)`))],
    [],
    `${new URL(page.url()).pathname}: words broken inside although they fit their box`,
  );
}

/** Checks a page (beyond sweep's width and axe checks) and takes its screenshot. */
function reflowCheck(prefix: string): (page: Page) => Promise<void> {
  const snap = screenshots(`reflow-${prefix}`);
  return async (page) => {
    await snap(page, new URL(page.url()).pathname.replace(/[^a-z0-9]+/gi, '-').slice(1, 60) || 'start');
    await assertWordsWhole(page);
  };
}

const snapFocus = screenshots('reflow-focus');

async function narrowWith(suite: BrowserSuite, client?: HttpClient): Promise<{ context: BrowserContext; page: Page }> {
  const context = await phoneContext(suite, NARROW);
  if (client) {
    const host = new URL(suite.k.url).hostname;
    await context.addCookies(
      [...client.cookies].map(([name, value]) => ({ name, value, domain: host, path: '/', secure: true })),
    );
  }
  return { context, page: await context.newPage() };
}

describe('reflow at 320 x 640', () => {
  const suite = browserSuite();

  test('the citizen’s pages', async () => {
    const client = new HttpClient(suite.k.url);
    assert.equal((await loginWithDigid(client, DEMO.suzanne)).status, 303);
    // A record request for the staff list below (Suzanne asks her GP for its correspondence).
    const gp = await orgId(suite.k.db, DEMO.gp);
    const form = await client.get(`/record-requests/new/${gp}`);
    const sent = await client.post('/record-requests', {
      _csrf: csrfFrom(form.text),
      organisation: gp,
      categories: 'documents',
      note: 'Graag de ontslagbrief van de maag-darm-leverarts.',
    });
    assert.equal(sent.status, 303);
    const context = await phoneContext(suite, NARROW);
    try {
      await carrySession(context, suite.k.url, client);
      const page = await context.newPage();
      const visited = await sweep(
        page,
        suite.k.url,
        [
          '/home',
          '/dossier',
          '/dossier/lab',
          '/dossier/medication',
          '/access-log',
          '/access-log?page=2',
          '/record-requests',
        ],
        /^\/(home|dossier|access-log|apps|record-requests|appointments|messages|notifications)/,
        40,
        reflowCheck('citizen'),
      );
      assert.ok(
        visited.some((p) => /^\/dossier\/lab\/[^/?]+$/.test(p)),
        `a lab result page visited (${visited.join(' ')})`,
      );
    } finally {
      await context.close();
    }
  });

  test('the staff’s pages: the patient record with lab results, the record requests', async () => {
    const staff = await loginStaff(suite.k.url, 'huisarts@delinde.example');
    const suzanne = await citizenId(suite.k.db, suite.k.koepel.keys, DEMO.suzanne);
    const { context, page } = await narrowWith(suite, staff.client);
    try {
      const visited = await sweep(
        page,
        suite.k.url,
        [`/staff/patients/${suzanne}/record`, '/staff/record-requests', '/staff'],
        /^\/(staff|organisation|patients)/,
        30,
        reflowCheck('staff'),
      );
      assert.ok(visited.includes('/staff/record-requests'), visited.join(' '));
    } finally {
      await context.close();
    }
  });

  test('the operator’s pages', async () => {
    const operator = await loginStaff(suite.k.url, 'servicedesk@koepel.example');
    const { context, page } = await narrowWith(suite, operator.client);
    try {
      const visited = await sweep(page, suite.k.url, ['/operator/alerts'], /^\/operator/, 20, reflowCheck('operator'));
      assert.ok(visited.length > 1, visited.join(' '));
    } finally {
      await context.close();
    }
  });

  test('the public pages', async () => {
    const { context, page } = await narrowWith(suite);
    try {
      await sweep(
        page,
        suite.k.url,
        ['/', '/privacy', '/staff/login', '/bestaat-niet'],
        /^$/,
        10,
        reflowCheck('public'),
      );
    } finally {
      await context.close();
    }
  });

  test('tables and the footer: no landmark regions of their own; a wide table scrolls in a named, focusable group', async () => {
    const client = new HttpClient(suite.k.url);
    assert.equal((await loginWithDigid(client, DEMO.suzanne)).status, 303);
    const { context, page } = await narrowWith(suite, client);
    try {
      for (const path of ['/dossier/lab', '/access-log']) {
        await page.goto(suite.k.url + path);
        const tree = await page.locator('body').ariaSnapshot();
        const tableRegions = tree.split('\n').filter((l) => /^\s*- region "(Tabel|Table): /.test(l));
        assert.deepEqual(tableRegions, [], `${path}: table wrappers as landmark regions`);
        const footer = await page.getByRole('contentinfo').ariaSnapshot();
        assert.doesNotMatch(footer, /- region\b/, `${path}: footer sections as landmark regions`);
        // The footer's headings stay (in the heading outline, not as landmarks).
        assert.match(footer, /- heading "Koepel" \[level=2\]/, `${path}: footer headings`);
        // Each table's scroll container: a group named after the table, reachable by keyboard.
        const wrappers = page.locator('.koepel-table-wrapper');
        assert.ok((await wrappers.count()) > 0, `${path}: a table`);
        for (const w of await wrappers.all()) {
          assert.equal(await w.getAttribute('role'), 'group');
          assert.equal(await w.getAttribute('tabindex'), '0');
          assert.match((await w.getAttribute('aria-label')) ?? '', /^Tabel: /);
        }
      }
      // At desktop width a wide table keeps its scroll container (axe's scrollable-region-focusable passes).
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${suite.k.url}/dossier/lab`);
      await assertAccessible(page);
    } finally {
      await context.close();
    }
  });

  test('the page-number links and the date fields show the same focus ring as other links', async () => {
    const client = new HttpClient(suite.k.url);
    assert.equal((await loginWithDigid(client, DEMO.suzanne)).status, 303);
    const { context, page } = await narrowWith(suite, client);
    try {
      await page.goto(`${suite.k.url}/access-log?page=2`);
      /** The focused element's ring, if it is the one the selector names. */
      const current = (selector: string): Promise<string> =>
        page.evaluate((sel) => {
          const e = document.activeElement;
          if (!e?.matches(sel)) return `no focus on ${sel}`;
          const s = getComputedStyle(e);
          return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} offset ${s.outlineOffset}; ${s.boxShadow}`;
        }, selector);
      /** Focus by keyboard: Tab until the element has focus (:focus-visible as a keyboard user sees it). */
      const ring = async (selector: string): Promise<string> => {
        for (let i = 0; i < 200; i++) {
          await page.keyboard.press('Tab');
          const here = await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
          if (here) break;
        }
        return current(selector);
      };
      const link = await ring('.koepel-footer a[href="/privacy"]');
      assert.match(link, /^solid 3px rgb\(0, 0, 0\) offset 2px; rgb\(255, 191, 71\) 0px 0px 0px 5px$/, 'a link');
      await page.goto(`${suite.k.url}/access-log?page=2`);
      assert.equal(await ring('.koepel-pagination a.utrecht-pagination__page-link'), link, 'a page-number link');
      await page.goto(`${suite.k.url}/access-log?page=2`);
      assert.equal(await ring('.koepel-pagination a.utrecht-pagination__relative-link'), link, 'the previous link');
      await page.goto(`${suite.k.url}/access-log?page=2`);
      // A date field: Tab stops at each of its parts (day, month, year) and at its calendar button in turn, each
      // with the ring.
      assert.equal(await ring('#filter-from'), link, 'a date field');
      await snapFocus(page, 'date-field');
      const stops: string[] = [];
      for (;;) {
        await page.keyboard.press('Tab');
        const here = await current('#filter-from');
        if (here.startsWith('no focus')) break;
        stops.push(here);
        await snapFocus(page, `date-field-stop-${stops.length}`);
      }
      assert.ok(stops.length >= 2, `the date field's parts: ${stops.length + 1} stops`);
      assert.deepEqual(
        stops,
        stops.map(() => link),
        'the next parts of the date field',
      );
    } finally {
      await context.close();
    }
  });
});
