// A GP's employee in a real browser: logs in, enrols an authenticator app (reading the manual key from the page,
// as someone without a camera would), finds a patient, logs in again with a code. axe-core checks every page.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Secret } from 'otpauth';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { alertDetail } from '../../src/platform/auth/throttle.js';
import { codeAt } from '../../src/staff/totp.js';
import { assertAccessible, browserSuite, newContext } from '../support/browser.js';

const PERIOD_MS = 30_000;

describe('staff login and patient search in a real browser', () => {
  const suite = browserSuite();

  /** Fills in the login form (checking the form page itself) and checks the page it leads to. */
  async function passwordStep(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
    await page.goto(`${suite.k.url}/staff/login`);
    await assertAccessible(page);
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByLabel('Wachtwoord').fill(password);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.waitForLoadState('domcontentloaded');
    await assertAccessible(page);
  }

  test('a GP employee logs in, enrols TOTP, and finds a patient', async () => {
    const ctx = await newContext(suite.browser);
    const page = await ctx.newPage();
    try {
      // A wrong password: the error summary and the field error are accessible too.
      await passwordStep(page, 'huisarts@delinde.example', 'verkeerd-wachtwoord');
      assert.match(await page.locator('.koepel-error-summary').innerText(), /niet juist/);

      await passwordStep(page, 'huisarts@delinde.example');
      assert.equal(new URL(page.url()).pathname, '/staff/totp/enrol');
      await page.screenshot({ path: '/tmp/koepel-staff-enrol.png', fullPage: true });
      const qr = page.locator('img.koepel-qr');
      assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
      assert.ok(
        await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 100),
        'the QR code renders',
      );

      const manualKey = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
      const secret = Secret.fromBase32(manualKey).bytes;
      const step = Math.floor(Date.now() / PERIOD_MS);
      await page.getByLabel('Verificatiecode').fill(codeAt(secret, step * PERIOD_MS + 1000));
      await page.getByRole('button', { name: 'Bevestigen' }).click();
      await page.waitForURL(`${suite.k.url}/staff`);
      assert.match(await page.locator('h1').innerText(), /Welkom, Dr\. A\. Huisman/);
      assert.match(await page.locator('main').innerText(), /Huisartsenpraktijk De Linde/);
      await assertAccessible(page);
      await page.screenshot({ path: '/tmp/koepel-staff-home.png', fullPage: true });

      await page.getByLabel('Naam of deel van de naam').fill('vries');
      await page.getByRole('button', { name: 'Zoeken' }).click();
      await page.waitForLoadState('domcontentloaded');
      // POST: the address shows no search terms.
      assert.equal(page.url(), `${suite.k.url}/staff/patients/search`);
      const table = page.locator('table.koepel-results');
      assert.match(await table.locator('caption').innerText(), /Gevonden patiënten: 1/);
      assert.match(await table.innerText(), /Suzanne Maria de Vries[\s\S]*12-04-1982[\s\S]*HA-1001/);
      await assertAccessible(page);
      await page.screenshot({ path: '/tmp/koepel-staff-search.png', fullPage: true });

      // Nothing found is said clearly.
      await page.getByLabel('Naam of deel van de naam').fill('berg');
      await page.getByRole('button', { name: 'Zoeken' }).click();
      await page.waitForLoadState('domcontentloaded');
      assert.match(await page.locator('main').innerText(), /Geen patiënten gevonden/);
      await assertAccessible(page);

      // A wrong birth date: a 400 page with an error summary linking to the field.
      await page.getByLabel('Naam of deel van de naam').fill('');
      await page.getByLabel('Geboortedatum').fill('');
      await page.getByRole('button', { name: 'Zoeken' }).click();
      await page.waitForLoadState('domcontentloaded');
      assert.match(await page.locator('.koepel-error-summary').innerText(), /Vul een naam/);
      await assertAccessible(page);

      await page.goto(`${suite.k.url}/staff/account`);
      await assertAccessible(page);

      // Second login in a fresh browser: the TOTP code page.
      const ctx2 = await newContext(suite.browser);
      const page2 = await ctx2.newPage();
      try {
        await passwordStep(page2, 'huisarts@delinde.example');
        assert.equal(new URL(page2.url()).pathname, '/staff/login/totp');
        await page2.getByLabel('Verificatiecode').fill('000000');
        await page2.getByRole('button', { name: 'Verder' }).click();
        await page2.waitForLoadState('domcontentloaded');
        assert.match(await page2.locator('.koepel-error-summary').innerText(), /niet juist/);
        await assertAccessible(page2);
        // The next time step (the enrolment used the current one; ±1 step is accepted).
        await page2.getByLabel('Verificatiecode').fill(codeAt(secret, (step + 1) * PERIOD_MS + 1000));
        await page2.getByRole('button', { name: 'Verder' }).click();
        await page2.waitForURL(`${suite.k.url}/staff`);
        await assertAccessible(page2);
      } finally {
        await ctx2.close();
      }
    } finally {
      await ctx.close();
    }
  });

  test('the operator sees security alerts', async () => {
    await suite.k.db
      .insertInto('security_alert')
      .values({
        kind: 'password-guessing',
        subject: `address:${'cd'.repeat(32)}`,
        detail: alertDetail({
          scope: 'address',
          failures: 20,
          windowMinutes: 15,
          blockedUntil: new Date(Date.now() + 900_000),
        }),
      })
      .execute();
    const ctx = await newContext(suite.browser);
    const page = await ctx.newPage();
    try {
      await passwordStep(page, 'servicedesk@koepel.example');
      const manualKey = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
      await page.getByLabel('Verificatiecode').fill(codeAt(Secret.fromBase32(manualKey).bytes, Date.now()));
      await page.getByRole('button', { name: 'Bevestigen' }).click();
      await page.waitForURL(`${suite.k.url}/operator/alerts`);
      await assertAccessible(page);
      await page
        .getByRole('button', { name: /markeren als afgehandeld/ })
        .first()
        .click();
      await page.waitForLoadState('domcontentloaded');
      assert.match(await page.locator('table').innerText(), /Afgehandeld op/);
      await assertAccessible(page);
      await page.screenshot({ path: '/tmp/koepel-operator-alerts.png', fullPage: true });
    } finally {
      await ctx.close();
    }
  });
});
