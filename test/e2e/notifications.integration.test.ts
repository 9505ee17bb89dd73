// Issue 14 (MG-10, PZ-3) in a real browser on a 390 px phone screen: the citizen opens her settings from the menu,
// gives a wrong and then a right e-mail address, confirms it with the link from the mail (in the demo's dev outbox),
// switches notifications and the language, and saves and removes a phone number. Every page: no horizontal scroll,
// axe-core 0 violations. Screenshots go to /tmp/koepel-shots/notifications-*.png.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSuite } from '../support/browser.js';
import { citizenOnPhone } from '../support/phone.js';
import { DEMO } from '../support/principals.js';

describe('notification settings in a real browser on a phone', () => {
  const suite = browserSuite();

  test('[MG-10] [PZ-3] a citizen sets, confirms and changes her e-mail notifications', async () => {
    const { k } = suite;
    const phone = await citizenOnPhone(suite, DEMO.suzanne, { shots: 'notifications' });
    try {
      const { page, go } = phone;
      const main = () => page.locator('main').innerText();
      await go('home', async () => {
        await page.goto(`${k.url}/home`);
      });
      await go('settings', () =>
        page.getByRole('navigation', { name: 'Mijn portaal' }).getByRole('link', { name: 'Instellingen' }).click(),
      );
      assert.match(await main(), /Geen \(u krijgt geen e-mail\)/);

      await page.getByLabel('Nieuw e-mailadres').fill('geen adres');
      await go('email-invalid', () => page.getByRole('button', { name: 'E-mailadres opslaan' }).click());
      assert.match(await page.title(), /^Er is een probleem/);
      assert.match(await main(), /Vul een geldig e-mailadres in/);

      await page.getByLabel('Nieuw e-mailadres').fill('suzanne@voorbeeld.nl');
      await go('email-supplied', () => page.getByRole('button', { name: 'E-mailadres opslaan' }).click());
      assert.match(await main(), /bevestigingslink gestuurd/);
      await k.koepel.jobs.runUntilIdle();

      await go('outbox', async () => {
        await page.goto(`${k.url}/dev/outbox`);
      });
      const link = /https?:\/\/\S+\/settings\/email\/confirm\?token=[A-Za-z0-9_-]{43}/.exec(await main())?.[0];
      assert.ok(link, 'a confirmation link in the outbox');
      await go('confirm', async () => {
        await page.goto(`${k.url}${new URL(link).pathname}${new URL(link).search}`);
      });
      await go('confirmed', () => page.getByRole('button', { name: 'Bevestigen' }).click());
      assert.match(await main(), /Uw e-mailadres is bevestigd/);
      assert.match(await main(), /suzanne@voorbeeld\.nl/);

      await page.getByLabel('Een wijziging in mijn dossier').check();
      await page.getByLabel('Een afspraak is binnenkort').uncheck();
      await page.getByLabel('Engels (English)').check();
      await go('switches-saved', () => page.getByRole('button', { name: 'Meldingen opslaan' }).click());
      assert.match(await main(), /Uw meldingen zijn opgeslagen/);
      assert.equal(await page.getByLabel('Een wijziging in mijn dossier').isChecked(), true);
      assert.equal(await page.getByLabel('Een afspraak is binnenkort').isChecked(), false);

      await page.getByRole('textbox', { name: 'Telefoonnummer' }).fill('06 1234 5678');
      await go('phone-saved', () => page.getByRole('button', { name: 'Telefoonnummer opslaan' }).click());
      assert.match(await main(), /0612345678/);
      await go('phone-removed', () => page.getByRole('button', { name: 'Telefoonnummer verwijderen' }).click());
      assert.match(await main(), /Uw telefoonnummer is verwijderd/);
    } finally {
      await phone.close();
    }
  });
});
