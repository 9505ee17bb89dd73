// MG-9 in real browsers on 390 px phone screens: the citizen sends a message with an attachment (script in the
// subject, inert); the assistant finds it in the inbox, assigns it to herself, writes an internal note, makes a
// standard answer and answers with it; the citizen sees the unread answer in the menu, reads it and sees that her own
// message was read — never the note. Every page visited: no horizontal scroll, axe-core 0 violations. Screenshots
// go to /tmp/koepel-shots/messages-*.png.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSuite } from '../support/browser.js';
import { check, PHONE, citizenOnPhone, SHOTS } from '../support/phone.js';
import { DEMO } from '../support/principals.js';
import { staffBrowser, workplaceNav } from '../support/staff-browser.js';

const SCRIPT = '<img src=x onerror="document.title=\'pwned\'">';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('secure messages in real browsers', () => {
  const suite = browserSuite();
  const staff = staffBrowser(suite);

  test('[MG-9] citizen sends with an attachment; the assistant assigns, notes, answers with a template; the citizen reads', async () => {
    const { k } = suite;
    const phone = await citizenOnPhone(suite, DEMO.suzanne, {
      shots: 'messages',
      check: async (page) => assert.notEqual(await page.title(), 'pwned'),
    });
    try {
      const { page: citizen, go } = phone;
      let dialogs = 0;
      citizen.on('dialog', (d) => {
        dialogs++;
        void d.dismiss();
      });
      const nav = () => citizen.getByRole('navigation', { name: 'Mijn portaal' });
      await go('home', async () => {
        await citizen.goto(`${k.url}/home`);
      });
      // The demo seed left answers unread: the menu's count before this journey.
      const unread = async () =>
        Number(
          /(\d+)/.exec(
            await nav()
              .getByRole('link', { name: /^Berichten/ })
              .innerText(),
          )?.[1] ?? 0,
        );
      const unreadBefore = await unread();
      await go('list', () =>
        nav()
          .getByRole('link', { name: /^Berichten/ })
          .click(),
      );
      const tabs = citizen.getByRole('navigation', { name: 'Soort berichten' });
      assert.equal(await tabs.getByRole('link', { name: 'Gesprekken' }).getAttribute('aria-current'), 'page');
      await go('choose', () => citizen.getByRole('link', { name: 'Nieuw bericht' }).click());
      await citizen.getByLabel('Zorgverlener').selectOption({ label: 'Huisartsenpraktijk De Linde' });
      await go('new', () => citizen.getByRole('button', { name: 'Nieuw bericht' }).click());
      await citizen.getByLabel('Onderwerp').fill(`Uitslag bloedonderzoek ${SCRIPT}`);
      await citizen
        .getByLabel('Uw bericht')
        .fill('Kunt u mijn uitslag uitleggen?\nIk stuur een foto van het briefje mee.');
      await citizen.getByLabel('Bijlagen (optioneel)').setInputFiles({
        name: 'briefje.png',
        mimeType: 'image/png',
        buffer: PNG,
      });
      await go('sent', () => citizen.getByRole('button', { name: 'Versturen' }).click());
      let main = await citizen.locator('main').innerText();
      assert.match(main, /Uw bericht is verstuurd/);
      assert.match(main, /Download briefje\.png/);
      assert.match(main, /Nog niet gelezen/);
      assert.equal(await citizen.locator('h1').innerText(), `Uitslag bloedonderzoek ${SCRIPT}`);

      // The assistant, on her phone.
      const desk = await staff.newPage(PHONE);
      await staff.logIn(desk, 'assistent@delinde.example');
      assert.match(
        await workplaceNav(desk)
          .getByRole('link', { name: /^Berichten/ })
          .innerText(),
        /\d/,
      );
      await staff.go(
        desk,
        () =>
          workplaceNav(desk)
            .getByRole('link', { name: /^Berichten/ })
            .click(),
        /\/staff\/messages$/,
      );
      await staff.go(desk, () => desk.getByRole('link', { name: /^Niet toegewezen/ }).click(), /who=unassigned/);
      await desk.screenshot({ path: `${SHOTS}/messages-staff-inbox.png`, fullPage: true });
      await staff.go(
        desk,
        () => desk.getByRole('link', { name: `Uitslag bloedonderzoek ${SCRIPT}` }).click(),
        /\/staff\/messages\/[\w-]+$/,
      );
      const conversationUrl = desk.url();
      assert.match(await desk.locator('main').innerText(), /Kunt u mijn uitslag uitleggen\?/);
      await staff.go(desk, () => desk.getByRole('button', { name: 'Aan mij toewijzen' }).click(), /notice=assigned/);
      assert.match(await desk.locator('main').innerText(), /Behandelaar\s+L\. de Boer/);
      await desk.getByLabel('Nieuwe interne notitie').fill('Terugbellen als de uitslag afwijkt.');
      await staff.go(desk, () => desk.getByRole('button', { name: 'Notitie opslaan' }).click(), /notice=note/);
      // A standard answer, made on its page.
      await desk.goto(`${k.url}/staff/messages/templates`);
      await check(desk);
      await desk.getByLabel('Titel').fill('Uitslag besproken');
      await desk.getByLabel('Tekst').fill('Uw uitslag is goed; u hoeft niets te doen.');
      await staff.go(desk, () => desk.getByRole('button', { name: 'Opslaan' }).click(), /notice=saved/);
      await desk.goto(conversationUrl);
      await check(desk);
      await desk.getByLabel('Standaardantwoord').selectOption({ label: 'Uitslag besproken' });
      await staff.go(desk, () => desk.getByRole('button', { name: 'Invoegen' }).click(), /template=/);
      assert.equal(
        await desk.getByLabel('Uw antwoord aan de patiënt').inputValue(),
        'Uw uitslag is goed; u hoeft niets te doen.',
      );
      await staff.go(desk, () => desk.getByRole('button', { name: 'Antwoord versturen' }).click(), /notice=sent/);
      main = await desk.locator('main').innerText();
      assert.match(main, /Uw antwoord is verstuurd/);
      assert.match(main, /Nog niet gelezen door de patiënt/);
      await desk.screenshot({ path: `${SHOTS}/messages-staff-thread.png`, fullPage: true });

      // The citizen: the menu counts the unread answer; the thread shows it, and "read" under her own message.
      await go('home-unread', async () => {
        await citizen.goto(`${k.url}/home`);
      });
      assert.equal(await unread(), unreadBefore + 1);
      await go('list-unread', () =>
        nav()
          .getByRole('link', { name: /^Berichten/ })
          .click(),
      );
      assert.match(await citizen.locator('main').innerText(), /Ongelezen/);
      await go('answer', () => citizen.getByRole('link', { name: `Uitslag bloedonderzoek ${SCRIPT}` }).click());
      main = await citizen.locator('main').innerText();
      assert.match(main, /Uw uitslag is goed; u hoeft niets te doen\./);
      assert.match(main, /L\. de Boer/);
      assert.match(main, /Gelezen op \d/);
      assert.doesNotMatch(main, /Terugbellen/);
      // And the assistant sees that her answer was read.
      await desk.goto(conversationUrl);
      assert.match(await desk.locator('main').innerText(), /Gelezen door de patiënt op/);
      assert.equal(dialogs, 0);
      assert.notEqual(await desk.title(), 'pwned');
    } finally {
      await phone.close();
      await staff.closeAll();
    }
  });
});
