// Issue 17 (minor findings), in a real browser without JavaScript of our own: after a form error the focus is on the
// error summary, whose text says what is wrong (not the hint again); a confirmation after a POST-redirect-GET takes
// the focus, so a screen reader reads it; Dutch provider text on English pages carries lang="nl"; the access log's
// later pages and each lab result have a title of their own. axe-core checks every page visited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newApiClient, pushEveryType } from '../../src/fhir/read/testkit.js';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { startConversation } from '../../src/messages/index.js';
import { runInScope } from '../../src/platform/db/scope.js';
import { loginStaff } from '../../src/staff/login.testkit.js';
import { assertAccessible, carrySession, launchBrowser, newContext } from '../support/browser.js';
import { focusedInAccessibilityTree, landmarks } from '../support/accessibility-tree.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { HttpClient } from '../support/http-client.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../support/principals.js';

describe('focus and announcements, language of parts, unique titles', () => {
  let k: TestKoepel;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    k = await startKoepel();
    browser = await launchBrowser();
    const gp = await orgId(k.db, DEMO.gp);
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    await pushEveryType(k.db, k.koepel.keys, await newApiClient(k.db, gp), suzanne, 'HA-A');
    // The GP hides its letters, so there is something to ask for (MG-1).
    await k.db
      .updateTable('organisation')
      .set({ record_categories: ['appointments', 'episodes', 'sensitivities', 'lab', 'medication', 'careteam'] })
      .where('id', '=', gp)
      .execute();
    // A conversation the practice starts: its subject is the practice's words (Dutch).
    const doctor = await staffPrincipal(k.db, 'huisarts@delinde.example', ['messages:read']);
    await runInScope({ db: k.db, keys: k.koepel.keys }, doctor, (scope) =>
      startConversation(scope, {
        organisationId: gp,
        citizenId: suzanne,
        subject: 'Controle bloeddruk',
        body: 'Wilt u een afspraak maken?',
      }),
    );
  });
  after(async () => {
    for (const c of contexts) await c.close();
    try {
      await browser.close();
    } finally {
      await k.close();
    }
  });

  async function citizenPage(): Promise<Page> {
    const client = new HttpClient(k.url);
    assert.equal((await loginWithDigid(client, DEMO.suzanne)).status, 303);
    const context = await newContext(browser);
    contexts.push(context);
    await carrySession(context, k.url, client);
    return context.newPage();
  }

  async function staffPage(email = 'huisarts@delinde.example'): Promise<Page> {
    const { client } = await loginStaff(k.url, email);
    const context = await newContext(browser);
    contexts.push(context);
    await carrySession(context, k.url, client);
    return context.newPage();
  }

  const english = (path: string) => `${k.url}/language?lang=en&return=${encodeURIComponent(path)}`;
  const dutch = (path: string) => `${k.url}/language?lang=nl&return=${encodeURIComponent(path)}`;

  async function go(page: Page, action: () => Promise<unknown>): Promise<void> {
    await Promise.all([page.waitForLoadState('load'), action()]);
    await page.waitForLoadState('load');
    // autofocus runs when the page is rendered: wait for one frame after load.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
    await assertAccessible(page);
  }

  const activeClass = (page: Page) => page.evaluate(() => document.activeElement?.className ?? '');

  test('a form error puts the focus on the error summary, which says what is wrong; a confirmation takes the focus', async () => {
    const page = await citizenPage();
    await go(page, () => page.goto(`${k.url}/record-requests`));
    await go(page, () =>
      page.getByRole('link', { name: 'Meer inzage vragen bij Huisartsenpraktijk De Linde' }).click(),
    );
    assert.equal(await page.evaluate(() => document.activeElement === document.body), true, 'the form takes no focus');
    await go(page, () => page.getByRole('button', { name: 'Verzoek versturen' }).click());
    assert.match(await activeClass(page), /koepel-error-summary/, 'the focus is on the error summary');
    const summary = await page.locator('.koepel-error-summary li').innerText();
    const hint = await page.locator('.utrecht-form-fieldset .utrecht-form-field-description').first().innerText();
    assert.match(summary, /U heeft geen onderdeel aangevinkt/);
    assert.notEqual(summary.trim(), hint.trim(), 'the error is not the hint again');
    assert.ok(!summary.includes(hint.trim()) && !hint.includes(summary.trim()));
    await page.screenshot({ path: '/tmp/koepel-shots/announce-error.png', fullPage: true });

    await page.getByLabel('Brieven en verslagen').check();
    await go(page, () => page.getByRole('button', { name: 'Verzoek versturen' }).click());
    assert.equal(new URL(page.url()).pathname, '/record-requests');
    const focused = await focusedInAccessibilityTree(page);
    assert.equal(focused.role, 'status');
    assert.match(focused.text, /Uw verzoek is verstuurd/);
    assert.match(await page.locator(':focus').ariaSnapshot(), /status[\s\S]*Uw verzoek is verstuurd/);
    await page.screenshot({ path: '/tmp/koepel-shots/announce-sent.png', fullPage: true });

    // A message without text: the error summary has the focus; once sent, the confirmation has it.
    await go(page, () => page.goto(`${k.url}/messages`));
    await go(page, () => page.getByRole('link', { name: 'Nieuw bericht' }).click());
    await page.getByLabel('Zorgverlener').selectOption({ label: 'Huisartsenpraktijk De Linde' });
    await go(page, () => page.getByRole('button', { name: 'Nieuw bericht' }).click());
    await page.getByLabel('Onderwerp').fill('Vraag over mijn uitslag');
    await go(page, () => page.getByRole('button', { name: 'Versturen' }).click());
    assert.match(await activeClass(page), /koepel-error-summary/);
    assert.match(await page.title(), /^Er is een probleem/);
    await page.getByLabel('Uw bericht').fill('Wat betekent de uitslag?');
    await go(page, () => page.getByRole('button', { name: 'Versturen' }).click());
    const sent = await focusedInAccessibilityTree(page);
    assert.equal(sent.role, 'status');
    assert.match(sent.text, /verstuurd/i);
  });

  test('provider text carries lang="nl" on English pages only', async () => {
    const page = await citizenPage();
    await go(page, () => page.goto(`${k.url}/dossier/lab`));
    assert.equal(await page.locator('main [lang]').count(), 0, 'a Dutch page marks nothing');
    await go(page, () => page.goto(`${k.url}/language?lang=en&return=${encodeURIComponent('/dossier/lab')}`));
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    const marked = page.locator('main td [lang="nl"], main th [lang="nl"], main td[lang="nl"]');
    assert.ok((await marked.count()) > 0, 'the test names are marked Dutch');
    const first = marked.first();
    assert.equal(await first.innerText(), await page.locator('main th a[href^="/dossier/lab/"]').first().innerText());
    // The column headers are Koepel's own English text: not marked.
    assert.equal(await page.locator('main thead [lang]').count(), 0);
    // A lab result's page: its heading is the test's Dutch name.
    const href = await page.locator('main a[href^="/dossier/lab/"]').first().getAttribute('href');
    await go(page, () => page.goto(`${k.url}${href ?? ''}`));
    assert.equal(await page.locator('h1').getAttribute('lang'), 'nl');
    await go(page, () => page.goto(`${k.url}/dossier/medication`));
    assert.ok((await page.locator('main [lang="nl"]').count()) > 0, 'the medicine names are marked Dutch');
    await page.screenshot({ path: '/tmp/koepel-shots/announce-en-lab.png', fullPage: true });
    // A conversation: the organisation's answers are Dutch, the citizen's own messages are not marked.
    await go(page, () => page.goto(`${k.url}/messages`));
    const conversations = await page
      .locator('main a[href^="/messages/"]')
      .evaluateAll((as) =>
        as.map((a) => a.getAttribute('href') ?? '').filter((h) => /^\/messages\/[0-9a-f-]{36}$/.test(h)),
      );
    assert.ok(conversations.length > 0, 'the demo has conversations');
    let answers = 0;
    for (const c of conversations) {
      await go(page, () => page.goto(`${k.url}${c}`));
      answers += await page
        .locator('.koepel-message:not(.koepel-message--own) .koepel-message-body[lang="nl"]')
        .count();
      assert.equal(await page.locator('.koepel-message--own [lang]').count(), 0);
      if (answers > 0) break;
    }
    assert.ok(answers > 0, 'an answer from the organisation is marked Dutch');
    await go(page, () => page.goto(`${k.url}/language?lang=nl&return=${encodeURIComponent('/dossier/medication')}`));
    assert.equal(await page.locator('main [lang]').count(), 0);
  });

  test('the staff record view, appointment types and conversation subjects: lang="nl" on English pages only', async () => {
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const record = `/staff/patients/${suzanne}/record`;
    const staff = await staffPage();
    await go(staff, () => staff.goto(`${k.url}${record}`));
    assert.equal(await staff.locator('main [lang]').count(), 0, 'a Dutch page marks nothing');
    await go(staff, () => staff.goto(english(record)));
    assert.equal(await staff.getAttribute('html', 'lang'), 'en');
    // The lab tests' names (the first column) are the lab's own words; the column headers are Koepel's.
    const labNames = staff.locator('#section-lab ~ * tbody th');
    assert.ok((await labNames.count()) > 0, 'lab results on the record');
    for (const th of await labNames.all()) assert.equal(await th.locator('[lang="nl"]').count(), 1);
    assert.equal(await staff.locator('main thead [lang], main h2[lang]').count(), 0);
    // A medicine and its dosage.
    assert.ok((await staff.locator('#section-medication ~ * tbody [lang="nl"]').count()) >= 2, 'medication marked');
    await staff.screenshot({ path: '/tmp/koepel-shots/lang-staff-record-en.png', fullPage: true });
    await go(staff, () => staff.goto(dutch(record)));
    assert.equal(await staff.locator('main [lang]').count(), 0);

    // The staff inbox: a conversation the organisation started has its subject marked; one a citizen started not.
    const desk = await staffPage('assistent@delinde.example');
    await go(desk, () => desk.goto(english('/staff/messages')));
    const staffSubjects = await desk
      .locator('main tbody th a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('lang')));
    assert.ok(staffSubjects.length > 0, 'conversations in the inbox');
    assert.ok(staffSubjects.every((lang) => lang === null || lang === 'nl'));

    const citizen = await citizenPage();
    await go(citizen, () => citizen.goto(english('/appointments/new')));
    await go(citizen, () => citizen.getByRole('link', { name: 'Huisartsenpraktijk De Linde' }).click());
    await go(citizen, () => citizen.getByRole('link', { name: 'Dr. A. Huisman' }).click());
    const typeLink = citizen.locator('main .koepel-choices').getByRole('link', { name: 'Consult', exact: true });
    assert.equal(await typeLink.getAttribute('lang'), 'nl', 'the appointment type "Consult" is marked Dutch');
    assert.equal(await citizen.locator('main .koepel-choices a:not([lang="nl"])').count(), 0, 'every type');
    assert.equal(await citizen.locator('main h1[lang], main h2[lang]').count(), 0);
    await go(citizen, () => typeLink.click());
    await citizen.screenshot({ path: '/tmp/koepel-shots/lang-appointment-type-en.png', fullPage: true });

    await go(citizen, () => citizen.goto(`${k.url}/messages`));
    const subjects = citizen.locator('main tbody th a[href^="/messages/"]');
    const marked = await subjects.evaluateAll((as) =>
      as.map((a) => ({ href: a.getAttribute('href') ?? '', lang: a.getAttribute('lang') })),
    );
    assert.ok(
      marked.some((m) => m.lang === 'nl'),
      'a conversation the organisation started: its subject is marked Dutch',
    );
    assert.ok(
      marked.some((m) => m.lang === null),
      'a conversation the citizen started: its subject is the citizen’s own words, not marked',
    );
    assert.ok(marked.every((m) => m.lang === null || m.lang === 'nl'));
    // The thread's heading (its subject) follows the same rule.
    const started = marked.find((m) => m.lang === 'nl');
    await go(citizen, () => citizen.goto(`${k.url}${started?.href ?? ''}`));
    assert.equal(await citizen.locator('h1').getAttribute('lang'), 'nl');
    await citizen.screenshot({ path: '/tmp/koepel-shots/lang-conversation-en.png', fullPage: true });
    await go(citizen, () => citizen.goto(dutch('/messages')));
    assert.equal(await citizen.locator('main [lang]').count(), 0);
  });

  test('Dutch words inside an English sentence: only they are marked', async () => {
    const page = await citizenPage();
    await go(page, () => page.goto(english('/dossier/lab')));
    const href = await page.locator('main a[href^="/dossier/lab/"]').first().getAttribute('href');
    await go(page, () => page.goto(`${k.url}${href ?? ''}`));
    // "How your results for {test} at {org} changed over time": the sentence is English, the test's name inside it Dutch.
    const intro = page.locator('main p.koepel-intro');
    const name = (await page.locator('h1').innerText()).trim();
    assert.equal((await intro.locator('[lang="nl"]').innerText()).trim(), name);
    assert.equal(await intro.getAttribute('lang'), null);
    await go(page, () => page.goto(dutch(href ?? '')));
    assert.equal(await page.locator('main [lang]').count(), 0);
  });

  test('sections are not landmarks: only the page’s header, navigation, main and footer (and named forms)', async () => {
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const staff = await staffPage();
    await go(staff, () => staff.goto(`${k.url}/staff/patients/${suzanne}/record`));
    assert.ok((await staff.locator('main section.koepel-section').count()) > 5, 'the record has many sections');
    const found = await landmarks(staff);
    // An unnamed form is no landmark (the accessibility tree still calls it a form).
    const extra = found.filter((l) => !/^(banner|navigation|main|contentinfo)\b|^form$/.test(l));
    assert.deepEqual(extra, [], found.join(', '));
    assert.ok(found.some((l) => l.startsWith('main')) && found.some((l) => l.startsWith('contentinfo')));
    const citizen = await citizenPage();
    for (const path of ['/home', '/dossier', '/appointments']) {
      await go(citizen, () => citizen.goto(`${k.url}${path}`));
      const marks = await landmarks(citizen);
      assert.deepEqual(
        marks.filter((l) => l.startsWith('region')),
        [],
        `${path}: ${marks.join(', ')}`,
      );
    }
  });

  test('the access log pages and the lab results each have a title of their own', async () => {
    const page = await citizenPage();
    await go(page, () => page.goto(`${k.url}/access-log?who=all`));
    const first = await page.title();
    await go(page, () => page.goto(`${k.url}/access-log?who=all&page=2`));
    const second = await page.title();
    assert.notEqual(second, first);
    assert.match(second, /pagina 2 van \d+/);

    await go(page, () => page.goto(`${k.url}/dossier/lab`));
    const hrefs = [
      ...new Set(
        await page.locator('main a[href^="/dossier/lab/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
      ),
    ];
    assert.ok(hrefs.length >= 2, 'two lab results to open');
    const titles: string[] = [];
    for (const href of hrefs.slice(0, 2)) {
      await go(page, () => page.goto(`${k.url}${href}`));
      titles.push(await page.title());
    }
    assert.notEqual(titles[0], titles[1]);
    for (const title of titles) assert.match(title, / van \d{1,2} \w+ \d{4} · /, title);
  });
});
