// The page component layer (src/platform/web/components) in a real browser with Koepel's stylesheet: form fields give
// back exactly what they were given (attribute escaping, fixed once in that layer), and the data table fits a 390 px
// phone screen by stacking its rows as cards — with axe-core finding nothing on either screen size.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page as BrowserPage } from 'playwright-core';
import { Messages } from '../../src/platform/i18n/i18n.js';
import type { PageContext } from '../../src/platform/web/context.js';
import {
  Choices,
  DataTable,
  Form,
  HiddenField,
  Select,
  TextArea,
  TextField,
  Button,
  Section,
  SummaryList,
  Alert,
  Pagination,
  Page,
} from '../../src/platform/web/components/index.js';
import { platformMessages } from '../../src/platform/web/messages.js';
import { assertAccessible, launchBrowser, newContext } from '../support/browser.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';

/** Values that naive attribute escaping changes: entities, markup, both quotes. */
const TRICKY = ['&amp;', '<b>vet</b>', '"aanhalingstekens"', "Jan's notitie", 'a & b', '&lt;&#39;&quot;', 'ü&#x20AC;'];

function context(): PageContext {
  const messages = new Messages();
  messages.add(platformMessages);
  return {
    lang: 'nl',
    t: messages.translator('nl'),
    portal: {
      id: 'p',
      slug: 'demo',
      name: 'Testportaal',
      supportEmail: 'help@portaal.example',
      supportPhone: null,
      dpoName: 'FG',
      dpoEmail: 'fg@portaal.example',
      privacyStatementUpdatedOn: '2026-01-01',
      theme: {},
    },
    csrf: 'csrf-token',
    user: null,
    navigation: [],
    area: null,
    badge: () => Promise.resolve(null),
    path: '/__components',
  };
}

async function formPage(): Promise<string> {
  const ctx = context();
  const html = await (
    <Page ctx={ctx} title="Componenten">
      <Form ctx={ctx} action="/__submit" id="f">
        {TRICKY.map((v, i) => (
          <>
            <TextField id={`text-${i}`} label={`Tekst ${i}`} value={v} />
            <TextArea id={`area-${i}`} name={`area-${i}`} label={`Toelichting ${i}`} value={v} />
            <HiddenField name={`hidden-${i}`} value={v} />
            <Select
              id={`select-${i}`}
              label={`Keuze ${i}`}
              options={[
                { value: 'x', label: 'x' },
                { value: v, label: v },
              ]}
              selected={v}
            />
            <Choices
              type="checkbox"
              idPrefix={`check-${i}`}
              name={`check-${i}`}
              legend={`Vinkjes ${i}`}
              options={[{ value: v, label: v }]}
              checked={[v]}
            />
          </>
        ))}
        <Button text="Versturen" />
      </Form>
    </Page>
  );
  return `<!doctype html>${html}`;
}

interface Row {
  date: string;
  test: string;
  value: string;
  provider: string;
}
const ROWS: Row[] = Array.from({ length: 6 }, (_, i) => ({
  date: `2026-0${(i % 9) + 1}-1${i}`,
  test: i % 2 ? 'Hemoglobine (Hb) in bloed' : 'Glucose nuchter in veneus plasma',
  value: `${6 + i / 10} mmol/L`,
  provider: 'Huisartsenpraktijk De Linde, Utrecht — locatie Lindeplein',
}));

async function tablePage(): Promise<string> {
  const ctx = context();
  const html = await (
    <Page ctx={ctx} title="Tabel" breadcrumb={[{ href: '/', label: 'Home' }, { label: 'Tabel' }]}>
      <Section id="lab" title="Uitslagen">
        <DataTable
          ctx={ctx}
          caption="Laboratoriumuitslagen, nieuwste eerst"
          columns={[
            { header: 'Bepaling', text: (r: Row) => r.test, rowHeader: true },
            { header: 'Uitslag', text: (r: Row) => r.value, numeric: true },
            {
              header: 'Datum',
              html: (r: Row) => (
                <time datetime={r.date} safe>
                  {r.date}
                </time>
              ),
            },
            { header: 'Zorgverlener', text: (r: Row) => r.provider },
            { header: 'Toelichting', text: () => null },
          ]}
          rows={ROWS}
        />
        <SummaryList
          items={[
            { label: 'Naam', text: 'S. de Vries' },
            { label: 'Geboren', text: null },
          ]}
        />
        <Alert kind="ok" text="Opgeslagen." />
        <Pagination ctx={ctx} page={2} pages={5} href={(p) => `/__table?page=${p}&x=1`} label="Paginering" />
      </Section>
    </Page>
  );
  return `<!doctype html>${html}`;
}

describe('page components in a real browser', () => {
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

  /** Serves `html` at a path of the running Koepel's origin, so its stylesheet applies. */
  async function open(page: BrowserPage, path: string, html: string): Promise<void> {
    await page.route(`${k.url}${path}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    );
    await page.goto(`${k.url}${path}`);
  }

  test('every form field gives back exactly what it was given: &amp;, <, " and \' (read in the DOM and as submitted)', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await open(page, '/__components', await formPage());
    for (const [i, v] of TRICKY.entries()) {
      // (No helper functions inside evaluate: the TypeScript loader would name them with a helper the page lacks.)
      const got = await page.evaluate(
        (n) => ({
          text: document.querySelector<HTMLInputElement>(`#text-${n}`)?.value,
          area: document.querySelector<HTMLTextAreaElement>(`#area-${n}`)?.value,
          hidden: document.querySelector<HTMLInputElement>(`input[name="hidden-${n}"]`)?.value,
          select: document.querySelector<HTMLSelectElement>(`#select-${n}`)?.value,
          check: document.querySelector<HTMLInputElement>(`input[name="check-${n}"]`)?.value,
        }),
        i,
      );
      assert.deepEqual(got, { text: v, area: v, hidden: v, select: v, check: v }, `value ${JSON.stringify(v)}`);
    }
    let posted = '';
    await page.route(`${k.url}/__submit`, async (route) => {
      posted = route.request().postData() ?? '';
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'ok' });
    });
    await page.click('button[type="submit"]');
    await page.waitForURL(`${k.url}/__submit`);
    const form = new URLSearchParams(posted);
    assert.equal(form.get('_csrf'), 'csrf-token');
    for (const [i, v] of TRICKY.entries()) {
      for (const name of [`text-${i}`, `area-${i}`, `hidden-${i}`, `select-${i}`, `check-${i}`]) {
        assert.equal(form.get(name), v, `${name} posted ${JSON.stringify(form.get(name))}`);
      }
    }
    await ctx.close();
  });

  test('the form page has no axe-core violations', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await open(page, '/__components', await formPage());
    await assertAccessible(page);
    await ctx.close();
  });

  test('the data table on a 390 px phone: rows stacked as cards, each value under its column name, nothing wider than the screen', async () => {
    const ctx = await browser.newContext({ locale: 'nl-NL', viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await ctx.newPage();
    await open(page, '/__table', await tablePage());
    const layout = await page.evaluate(() => {
      const row = document.querySelector('tbody tr') as HTMLElement;
      const cell = row.querySelector('td') as HTMLElement;
      return {
        pageWidth: document.documentElement.scrollWidth,
        rowDisplay: getComputedStyle(row).display,
        rowWidth: row.getBoundingClientRect().width,
        label: getComputedStyle(cell, '::before').content,
        headerVisible: (document.querySelector('thead') as HTMLElement).getBoundingClientRect().height > 1,
      };
    });
    assert.ok(layout.pageWidth <= 390, `page is ${layout.pageWidth} px wide`);
    // A card: a block, or a grid that lines the card's values up (koepel.css, where subgrid is supported).
    assert.match(layout.rowDisplay, /^(block|grid)$/);
    assert.ok(layout.rowWidth <= 390);
    assert.match(layout.label, /Uitslag/);
    assert.equal(layout.headerVisible, false);
    await assertAccessible(page);
    await page.screenshot({ path: '/tmp/koepel-table-390.png', fullPage: true });
    await ctx.close();
  });

  test('the same table on a desktop is a table with a visible header row', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await open(page, '/__table', await tablePage());
    const display = await page.evaluate(() => ({
      row: getComputedStyle(document.querySelector('tbody tr') as HTMLElement).display,
      header: (document.querySelector('thead') as HTMLElement).getBoundingClientRect().height,
      empty: (document.querySelector('tbody tr td:last-child') as HTMLElement).textContent,
      next: (document.querySelector('a[rel="next"]') as HTMLAnchorElement).getAttribute('href'),
    }));
    assert.equal(display.row, 'table-row');
    assert.ok(display.header > 10);
    assert.equal(display.empty, '–');
    assert.equal(display.next, '/__table?page=3&x=1');
    await assertAccessible(page);
    await page.screenshot({ path: '/tmp/koepel-table-desktop.png', fullPage: true });
    await ctx.close();
  });
});
