// Issue 17 (WCAG 2.2.1 Timing Adjustable) in a real browser, with a 1-minute idle limit (the warning comes halfway,
// 30 s before the end): the warning appears and "Blijf ingelogd" extends the session on the server; at the end the
// dialog says so and "Opnieuw inloggen" returns to the same page with what the person typed put back; a form sent
// after the end is answered with the "session ended" page and the same way back; another person logging in on that
// browser tab gets nothing of it. Time passes on both sides: the page's clock (Playwright's fake clock) and the
// server's (the session's last visit moved back by as much).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { assertAccessible, carrySession, launchBrowser, newContext } from '../support/browser.js';
import { focusedInAccessibilityTree } from '../support/accessibility-tree.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { HttpClient } from '../support/http-client.js';
import { DEMO, orgId } from '../support/principals.js';
import { assertFitsPhone, NARROW, screenshots } from '../support/phone.js';
import type { Browser } from 'playwright-core';
import { sql } from 'kysely';

const NOTE = 'Ik wil de verwijsbrief van mei nalezen.';

describe('the session timeout in a real browser (issue 17, WCAG 2.2.1)', () => {
  let k: TestKoepel;
  let browser: Browser;
  let formPath: string;
  const contexts: BrowserContext[] = [];

  before(async () => {
    k = await startKoepel({ KOEPEL_SESSION_IDLE_MINUTES: '1' });
    browser = await launchBrowser();
    const gp = await orgId(k.db, DEMO.gp);
    // The GP shows everything but its letters, so there is something to ask for.
    await k.db
      .updateTable('organisation')
      .set({ record_categories: ['appointments', 'episodes', 'sensitivities', 'lab', 'medication', 'careteam'] })
      .where('id', '=', gp)
      .execute();
    formPath = `/record-requests/new/${gp}`;
  });
  after(async () => {
    for (const c of contexts) await c.close();
    try {
      await browser.close();
    } finally {
      await k.close();
    }
  });

  /** Time passes for the server: every live session's last visit moves back. */
  const serverWaits = (ms: number) =>
    k.db
      .updateTable('session')
      .set({ last_seen_at: sql<Date>`last_seen_at - ${`${ms} milliseconds`}::interval` })
      .where('ended_at', 'is', null)
      .execute();

  async function citizenPage(bsn: string): Promise<{ page: Page; context: BrowserContext }> {
    const client = new HttpClient(k.url);
    assert.equal((await loginWithDigid(client, bsn)).status, 303);
    const context = await newContext(browser);
    contexts.push(context);
    await carrySession(context, k.url, client);
    const page = await context.newPage();
    await page.clock.install();
    return { page, context };
  }

  /** The focused node as the accessibility tree has it: its role and name. */
  const focused = async (page: Page) => {
    const { role, name } = await focusedInAccessibilityTree(page);
    return { role, name };
  };

  async function loginAgainAs(page: Page, person: RegExp): Promise<void> {
    await page.waitForURL(/\/digid-simulator\/authorize/);
    await page.getByLabel(person).check();
    await page.getByLabel(/^Substantieel/).check();
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Inloggen', exact: true }).click(),
    ]);
    await page.waitForLoadState('load');
  }

  test('the warning, "Blijf ingelogd", the end, and the login back to the page with the text put back', async () => {
    const shot = screenshots('session-timeout');
    const { page } = await citizenPage(DEMO.suzanne);
    await page.goto(`${k.url}${formPath}`);
    await assertAccessible(page);
    await page.getByLabel('Brieven en verslagen').check();
    await page.getByLabel('Toelichting (niet verplicht)').fill(NOTE);
    const dialog = page.getByRole('dialog');
    assert.equal(await dialog.isVisible(), false);

    // 31 s later (30 s before the end): the warning, its first button focused.
    await serverWaits(31_000);
    await page.clock.fastForward(31_000);
    await dialog.waitFor({ state: 'visible' });
    assert.equal(await dialog.getByRole('heading').textContent(), 'Blijft u ingelogd?');
    assert.match(await dialog.innerText(), /Om \d\d:\d\d wordt u automatisch uitgelogd/);
    assert.deepEqual(await focused(page), { role: 'button', name: 'Blijf ingelogd' });
    await assertAccessible(page);
    await shot(page, 'warning');
    // At 320 px the dialog fits the screen (1.4.10 Reflow); then back to the desktop width.
    await page.setViewportSize(NARROW);
    await assertFitsPhone(page);
    const box = await dialog.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= NARROW.width, JSON.stringify(box));
    await shot(page, 'warning-320');
    await page.setViewportSize({ width: 1280, height: 900 });

    // "Blijf ingelogd": the server notes a visit now; the dialog closes and focus returns to where it was.
    /** The last visit the server noted for the newest live citizen session (this test's). */
    const lastSeen = async () =>
      (
        await k.db
          .selectFrom('session')
          .select('last_seen_at')
          .where('citizen_id', 'is not', null)
          .where('ended_at', 'is', null)
          .orderBy('created_at', 'desc')
          .executeTakeFirstOrThrow()
      ).last_seen_at.getTime();
    const before = await lastSeen();
    await dialog.getByRole('button', { name: 'Blijf ingelogd' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.ok((await lastSeen()) > before + 25_000);
    assert.deepEqual(await focused(page), { role: 'textbox', name: 'Toelichting (niet verplicht)' });

    // Then nothing for a minute: the session ends, and the dialog says so.
    await serverWaits(61_000);
    await page.clock.fastForward(31_000);
    await dialog.waitFor({ state: 'visible' });
    await page.clock.fastForward(31_000);
    await dialog.getByRole('heading', { name: 'Uw sessie is verlopen' }).waitFor();
    assert.match(await dialog.innerText(), /bewaren we versleuteld in dit venster/);
    const login = dialog.getByRole('link', { name: 'Opnieuw inloggen' });
    assert.deepEqual(await focused(page), { role: 'link', name: 'Opnieuw inloggen' });
    assert.equal(await login.getAttribute('href'), `/login/digid?return=${encodeURIComponent(formPath)}`);
    // What was typed is kept encrypted: not readable in the tab's storage.
    const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
    assert.match(stored, /koepel-form-draft/);
    assert.doesNotMatch(stored, /verwijsbrief|documents/);
    await assertAccessible(page);
    await shot(page, 'ended');

    // Log in again: back on the form, the text and the choice put back, and that said (focused, a status message).
    await login.click();
    await loginAgainAs(page, /Suzanne Maria de Vries/);
    assert.equal(new URL(page.url()).pathname, formPath);
    await page.locator('#koepel-draft-restored-alert').waitFor();
    assert.equal(await page.getByLabel('Toelichting (niet verplicht)').inputValue(), NOTE);
    assert.equal(await page.getByLabel('Brieven en verslagen').isChecked(), true);
    const restored = await focused(page);
    assert.equal(restored.role, 'status');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('koepel-form-draft')), null);
    await assertAccessible(page);
    await shot(page, 'restored');
  });

  /** A form typed in and sent after the server's session ended (no warning came: a laptop lid closed). */
  async function sendAfterEnd(who: string): Promise<Page> {
    const shot = screenshots(`session-ended-form-${who}`);
    const { page } = await citizenPage(DEMO.suzanne);
    await page.goto(`${k.url}${formPath}`);
    await page.getByLabel('Brieven en verslagen').check();
    await page.getByLabel('Toelichting (niet verplicht)').fill(NOTE);
    // The server's minute passes while the page's clock stands still (a laptop lid closed): no warning came.
    await serverWaits(61_000);
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Verzoek versturen' }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Uw sessie is verlopen');
    assert.match(await page.title(), /^Uw sessie is verlopen/);
    const login = page.getByRole('link', { name: 'Opnieuw inloggen' });
    await page.waitForFunction(() =>
      /return=/.test(document.getElementById('koepel-login-again')?.getAttribute('href') ?? ''),
    );
    assert.equal(await login.getAttribute('href'), `/login/digid?return=${encodeURIComponent(formPath)}`);
    await assertAccessible(page);
    await shot(page, 'ended-page');

    return page;
  }

  test('a form sent after the end: the page says so, and the login returns to the form with the text put back', async () => {
    const page = await sendAfterEnd('same');
    await page.getByRole('link', { name: 'Opnieuw inloggen' }).click();
    await loginAgainAs(page, /Suzanne Maria de Vries/);
    assert.equal(new URL(page.url()).pathname, formPath);
    await page.locator('#koepel-draft-restored-alert').waitFor();
    assert.equal(await page.getByLabel('Toelichting (niet verplicht)').inputValue(), NOTE);
    assert.equal(await page.getByLabel('Brieven en verslagen').isChecked(), true);
    await assertAccessible(page);
  });

  test('another person logging in on that tab gets nothing of it', async () => {
    const page = await sendAfterEnd('other');
    const login = page.getByRole('link', { name: 'Opnieuw inloggen' });
    await login.click();
    await loginAgainAs(page, /Pieter/);
    assert.equal(new URL(page.url()).pathname, formPath);
    await page.waitForFunction(() => sessionStorage.getItem('koepel-form-draft') === null);
    assert.equal(await page.getByLabel('Toelichting (niet verplicht)').inputValue(), '');
    assert.equal(await page.locator('#koepel-draft-restored-alert').count(), 0);
    await assertAccessible(page);
  });
});
