// MG-9 in a real browser on a 390 px phone screen: the GP's system pushes a lab result (a published nl-core example)
// and a system message appears in the citizen's tab, with the count on the menu and the tab; opening it marks it
// read, and its link leads to the GP's lab results, where the result is. The operator posts a notice on its page.
// Every page visited: no horizontal scroll, axe-core 0 violations. Screenshots: /tmp/koepel-shots/system-messages-*.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createApiClient, fhir, tokenFor } from '../../src/fhir/ingest.testkit.js';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { labBundle } from '../../src/system-messages/system-messages.testkit.js';
import { browserSuite } from '../support/browser.js';
import { HttpClient } from '../support/http-client.js';
import { PHONE, citizenOnPhone, SHOTS } from '../support/phone.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';
import { staffBrowser } from '../support/staff-browser.js';

describe('system messages in a real browser on a phone', () => {
  const suite = browserSuite();

  test('[MG-9] a new lab result makes a system message; opening it marks it read and leads to the result', async () => {
    const { k } = suite;
    const gp = await orgId(k.db, DEMO.gp);
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    // What the demo's own data made is read already.
    await k.db.updateTable('system_message').set({ read_at: new Date() }).where('read_at', 'is', null).execute();

    const phone = await citizenOnPhone(suite, DEMO.suzanne, { shots: 'system-messages' });
    try {
      const { page, go } = phone;
      const menu = () => page.getByRole('navigation', { name: 'Mijn portaal' });

      // One menu link "Berichten" for conversations and system messages, counting the unread of both.
      const unreadInMenu = async () => {
        const name = (
          await menu()
            .getByRole('link', { name: /^Berichten/ })
            .innerText()
        ).replace(/\s+/g, ' ');
        return Number(/(\d+)/.exec(name)?.[1] ?? 0);
      };
      await go('home-before', () => page.goto(`${k.url}/home`).then(() => undefined));
      const before = await unreadInMenu();

      // The GP's system sends a lab result.
      const api = await createApiClient(k.db, gp);
      const pushed = await fhir(
        k.url,
        await tokenFor(k.url, api),
        'POST',
        '/fhir',
        labBundle(DEMO.suzanne, 'e2e-lab-01'),
      );
      assert.equal(pushed.status, 200, pushed.text);

      await go('home-after', () => page.reload().then(() => undefined));
      assert.equal(await unreadInMenu(), before + 1);
      await go('conversations', () =>
        menu()
          .getByRole('link', { name: /^Berichten/ })
          .click(),
      );
      const tabs = page.getByRole('navigation', { name: 'Soort berichten' });
      await go('list', () => tabs.getByRole('link', { name: 'Systeemberichten, 1 ongelezen' }).click());
      assert.equal(new URL(page.url()).pathname, '/messages/system');
      assert.equal(await tabs.getByRole('link', { name: 'Gesprekken' }).getAttribute('href'), '/messages');
      const current = tabs.getByRole('link', { name: 'Systeemberichten, 1 ongelezen' });
      assert.equal(await current.getAttribute('aria-current'), 'page');
      const title = 'Huisartsenpraktijk De Linde heeft nieuwe labuitslagen voor u klaargezet';
      // Newest first (the demo's own lab results made an earlier one, read already).
      const item = page.getByRole('listitem', { name: title }).first();
      assert.match(await item.innerText(), /Nieuw/);

      await go('message', () => item.getByRole('link', { name: title }).click());
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), title);
      const row = await k.db
        .selectFrom('system_message')
        .select(['read_at'])
        .where('citizen_id', '=', suzanne)
        .where('organisation_id', '=', gp)
        .where('category', '=', 'lab')
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      assert.ok(row.read_at, 'opening it marked it read');
      // Read: the menu's count is back to what it was (the demo's unread conversation answers).
      assert.equal(await unreadInMenu(), before);

      await go('lab-results', () =>
        page.getByRole('link', { name: 'Bekijk de labuitslagen van Huisartsenpraktijk De Linde' }).click(),
      );
      const url = new URL(page.url());
      assert.equal(url.pathname, '/dossier/lab');
      assert.equal(url.searchParams.get('org'), gp);
      // The result itself (Nictiz: sodium 138 mmol/l) is there.
      assert.match(await page.locator('main').innerText(), /138/);

      await go('list-read', () => page.goto(`${k.url}/messages/system`).then(() => undefined));
      assert.doesNotMatch(await page.getByRole('listitem', { name: title }).first().innerText(), /Nieuw/);
    } finally {
      await phone.close();
    }
  });

  test('[MG-9] the operator posts a portal notice on a phone; the citizen’s tab shows it', async () => {
    const { k } = suite;
    const staff = staffBrowser(suite);
    try {
      const page: Page = await staff.newPage(PHONE);
      await staff.logIn(page, 'servicedesk@koepel.example', '/operator/alerts');
      await staff.go(
        page,
        () => page.getByRole('link', { name: 'Berichten aan alle gebruikers' }).click(),
        '/operator/notices',
      );
      await page.screenshot({ path: `${SHOTS}/system-messages-operator-01.png`, fullPage: true });
      // A mistake first: no kind chosen.
      await staff.go(page, () => page.getByRole('button', { name: 'Bericht plaatsen' }).click(), '/operator/notices');
      assert.match(await page.title(), /^Er is een probleem/);
      await page.getByLabel('Het portaal heeft nieuwe functies').check();
      const date = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
      await page.getByLabel('Datum').fill(date);
      await staff.go(
        page,
        () => page.getByRole('button', { name: 'Bericht plaatsen' }).click(),
        '/operator/notices?posted=1',
      );
      assert.match(await page.locator('main').innerText(), /Het bericht is geplaatst/);
      assert.match(await page.locator('main').innerText(), /heeft per \d{1,2} [a-z]+ 20\d\d nieuwe functies/);
      await page.screenshot({ path: `${SHOTS}/system-messages-operator-02.png`, fullPage: true });
    } finally {
      await staff.closeAll();
    }
    const citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.pieter)).status, 303);
    assert.match((await citizen.get('/messages/system')).text, /heeft per .* nieuwe functies/);
  });
});
