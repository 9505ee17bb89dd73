// Issue 14 (MG-5) in a real browser on a 390 px phone: the pharmacy's admin registers the address of the pharmacy's own
// system, copies the secret shown once, and sees a delivered event in the log. Every page visited: axe-core 0
// violations, no sideways scrolling (staffBrowser's check).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { browserSuite } from '../../test/support/browser.js';
import { PHONE, screenshots } from '../../test/support/phone.js';
import { DEMO, orgId } from '../../test/support/principals.js';
import { check, staffBrowser } from '../../test/support/staff-browser.js';
import { Receiver } from './receiver.testkit.js';

describe('delivery settings in a browser on a phone', () => {
  const suite = browserSuite();

  test('[MG-5] the admin registers a webhook, sees the secret once, and a delivery in the log', async () => {
    const { k } = suite;
    const receiver = await Receiver.start();
    const staff = staffBrowser(suite);
    const shot = screenshots('deliveries');
    try {
      const page = await staff.newPage(PHONE);
      await staff.logIn(page, 'beheer@apotheekcentrum.example', '/staff');
      await staff.go(
        page,
        () => page.getByRole('link', { name: 'Meldingen aan uw systeem' }).click(),
        '/staff/admin/deliveries',
      );
      // A mistake first: no name, and an address that is not one.
      await page.getByLabel('Adres (URL)').fill('geen adres');
      await staff.go(
        page,
        () => page.getByRole('button', { name: 'Adres toevoegen' }).click(),
        '/staff/admin/deliveries/endpoints',
      );
      assert.match(await page.locator('main').innerText(), /Vul een naam in/);
      await page.getByLabel('Naam').fill('Apotheeksysteem');
      await page.getByLabel('Adres (URL)').fill(receiver.url);
      await staff.go(
        page,
        () => page.getByRole('button', { name: 'Adres toevoegen' }).click(),
        '/staff/admin/deliveries/endpoints',
      );
      const shown = await page.locator('main').innerText();
      const secret = /whsec_[A-Za-z0-9+/=]+/.exec(shown)?.[0];
      assert.ok(secret, 'the secret is on the page');
      await shot(page, 'secret');
      receiver.secret = secret;
      await staff.go(
        page,
        () => page.getByRole('link', { name: /Ik heb het geheim opgeslagen/ }).click(),
        /\/staff\/admin\/deliveries/,
      );
      assert.doesNotMatch(await page.locator('main').innerText(), /whsec_/, 'never shown again');

      // A citizen's order at the pharmacy (the event the database queues for it), delivered by the worker.
      const pharmacy = await orgId(k.db, DEMO.pharmacy);
      await sql`select koepel_org_event(${pharmacy}::uuid, 'medication-order.created', 'Task', 'koepel-00000000-0000-4000-8000-000000000001')`.execute(
        k.db,
      );
      await k.koepel.jobs.runUntilIdle();
      assert.equal(receiver.received.length, 1);
      assert.ok(receiver.received[0]?.verified, 'signed with the secret the admin saw');
      await page.reload();
      await check(page);
      await shot(page, 'log');
      assert.match(await page.locator('main').innerText(), /medication-order\.created[\s\S]*Afgeleverd/);
    } finally {
      await staff.closeAll();
      await receiver.close();
    }
  });
});
