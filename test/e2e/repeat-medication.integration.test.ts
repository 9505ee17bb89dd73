// MG-8 in real browsers: the citizen (a 390 px phone) orders repeat medication from her pharmacy, from the
// medication overview; the pharmacist (a second browser, also 390 px) sees the order in the inbox with the menu
// count, approves it and sets it ready for pickup, and refuses a second order with a reason; the citizen sees every
// change with who and when. Script typed into the note stays text. Every page visited: axe-core 0 violations and no
// horizontal scroll. Screenshots go to /tmp/koepel-shots/repeat-medication-*.png for a human to look at.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSuite } from '../support/browser.js';
import { PHONE, citizenOnPhone } from '../support/phone.js';
import { DEMO } from '../support/principals.js';
import { staffBrowser, workplaceNav } from '../support/staff-browser.js';

describe('repeat medication in real browsers', () => {
  const suite = browserSuite();
  const staff = staffBrowser(suite);

  test('[MG-8] the citizen orders repeat medication and sees the pharmacist approve it, set it ready, and refuse another with a reason', async () => {
    const { k } = suite;
    const phone = await citizenOnPhone(suite, DEMO.suzanne, { shots: 'repeat-medication' });
    try {
      const { page, go, snap } = phone;
      // Script typed into a free-text field must never run: any dialog counts.
      let dialogs = 0;
      page.on('dialog', (d) => {
        dialogs++;
        void d.dismiss();
      });
      const main = (p: Page = page) => p.locator('main').innerText();

      // From the medication overview of the dossier.
      await go('dossier-medication', async () => {
        await page.goto(`${k.url}/dossier/medication`);
      });
      await go('overview', () => page.getByRole('link', { name: 'Herhaalrecept bestellen' }).click());
      assert.match(await main(), /Apotheek Centrum/);
      await go('form', () => page.getByRole('link', { name: 'Herhaalrecept bestellen bij Apotheek Centrum' }).click());
      // Sending nothing: a clear message, nothing stored.
      await go('form-error', () => page.getByRole('button', { name: 'Bestelling versturen' }).click());
      assert.match(await main(), /Kies ten minste één medicijn/);
      await page.getByRole('checkbox', { name: /Metformine/i }).check();
      await page.getByRole('radio', { name: /Ik haal het op/ }).check();
      await page.getByLabel('Opmerking (niet verplicht)').fill('Graag voor vrijdag <script>alert(1)</script>');
      await go('sent', () => page.getByRole('button', { name: 'Bestelling versturen' }).click());
      assert.match(page.url(), /\/repeat-medication\/[0-9a-f-]{36}\?notice=sent$/);
      assert.match(await main(), /Uw bestelling is verstuurd naar Apotheek Centrum/);
      assert.match(await main(), /Metformine[\s\S]*Graag voor vrijdag <script>alert\(1\)<\/script>/i);
      const firstOrder = page.url().replace(/\?.*$/, '');

      // A second order, to be refused.
      await page.goto(`${k.url}/repeat-medication`);
      await go('form-2', () =>
        page.getByRole('link', { name: 'Herhaalrecept bestellen bij Apotheek Centrum' }).click(),
      );
      await page.getByRole('checkbox', { name: /Atorvastatine/i }).check();
      await page.getByRole('radio', { name: 'Bezorgen op mijn adres' }).check();
      await go('sent-2', () => page.getByRole('button', { name: 'Bestelling versturen' }).click());
      const secondOrder = page.url().replace(/\?.*$/, '');
      await go('overview-orders', () => page.getByRole('link', { name: 'Terug naar mijn herhaalrecepten' }).click());
      assert.match(await main(), /Mijn bestellingen[\s\S]*Verstuurd[\s\S]*Verstuurd/);

      // The pharmacist, on a phone as well.
      const desk = await staff.newPage(PHONE);
      await staff.logIn(desk, 'apotheker@apotheekcentrum.example');
      const menuLink = workplaceNav(desk).getByRole('link', { name: /Herhaalrecepten \(\d+ nieuwe\)/ });
      assert.equal(await menuLink.count(), 1, 'the menu counts the new orders');
      desk.on('dialog', (d) => {
        dialogs++;
        void d.dismiss();
      });
      await staff.go(
        desk,
        () => desk.goto(`${k.url}/staff/medication-orders`).then(() => undefined),
        '/staff/medication-orders',
      );
      await snap(desk, 'staff-inbox');
      const inbox = await main(desk);
      assert.match(inbox, /Suzanne[\s\S]*Metformine[\s\S]*Ophalen/i);
      assert.match(inbox, /Atorvastatine[\s\S]*Bezorgen/i);
      const firstId = firstOrder.split('/').pop() ?? '';
      const secondId = secondOrder.split('/').pop() ?? '';
      await staff.go(
        desk,
        () => desk.locator(`a[href="/staff/medication-orders/${firstId}"]`).click(),
        `/staff/medication-orders/${firstId}`,
      );
      await snap(desk, 'staff-order');
      assert.match(await main(desk), /Graag voor vrijdag <script>alert\(1\)<\/script>/);
      await staff.go(
        desk,
        () => desk.getByRole('button', { name: 'Goedkeuren' }).click(),
        `/staff/medication-orders/${firstId}?notice=approved`,
      );
      await staff.go(
        desk,
        () => desk.getByRole('button', { name: 'Klaar om op te halen' }).click(),
        `/staff/medication-orders/${firstId}?notice=ready`,
      );
      await snap(desk, 'staff-ready');
      assert.match(await main(desk), /De bestelling is bijgewerkt: Klaar om op te halen/);

      await staff.go(
        desk,
        () => desk.goto(`${k.url}/staff/medication-orders/${secondId}`).then(() => undefined),
        `/staff/medication-orders/${secondId}`,
      );
      await desk.getByLabel('Reden van afwijzen').fill('Eerst controle bij de huisarts, bel ons gerust.');
      await staff.go(
        desk,
        () => desk.getByRole('button', { name: 'Bestelling afwijzen' }).click(),
        `/staff/medication-orders/${secondId}?notice=refused`,
      );
      await snap(desk, 'staff-refused');
      await staff.go(desk, () => desk.locator('.koepel-back a').click(), '/staff/medication-orders');
      await staff.go(
        desk,
        () => desk.locator('main').getByRole('link', { name: 'Afgehandeld' }).click(),
        '/staff/medication-orders?view=closed',
      );
      assert.match(await main(desk), /Atorvastatine[\s\S]*Afgewezen/i);

      // The citizen sees every change, with who and when.
      await go('order-ready', async () => {
        await page.goto(firstOrder);
      });
      const ready = await main();
      assert.match(ready, /Klaar om op te halen/);
      assert.match(ready, /Klaargezet om op te halen[\s\S]*R\. Mulder \(Apotheek Centrum\)/);
      assert.match(ready, /Goedgekeurd[\s\S]*R\. Mulder/);
      assert.match(ready, /Bestelling verstuurd[\s\S]*U/);
      await go('order-refused', async () => {
        await page.goto(secondOrder);
      });
      assert.match(await main(), /Afgewezen[\s\S]*Eerst controle bij de huisarts, bel ons gerust\./);
      // The script in the note never ran, in either browser.
      assert.equal(dialogs, 0);
    } finally {
      await phone.close();
      await staff.closeAll();
    }
  });
});
