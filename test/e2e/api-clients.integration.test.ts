// An organisation's admin in a real browser registers an API client for the pharmacy system, copies the secret
// from the page that shows it once, and revokes the client again. axe-core checks every page.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Secret } from 'otpauth';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { codeAt } from '../../src/staff/totp.js';
import { assertAccessible, browserSuite, newContext } from '../support/browser.js';

describe('API client administration in a real browser', () => {
  const suite = browserSuite();

  test('the pharmacy admin creates and revokes an API client; every page is accessible', async () => {
    const ctx = await newContext(suite.browser);
    const page = await ctx.newPage();
    try {
      await page.goto(`${suite.k.url}/staff/login`);
      await page.getByLabel('E-mailadres').fill('beheer@apotheekcentrum.example');
      await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Inloggen' }).click();
      await page.waitForURL(`${suite.k.url}/staff/totp/enrol`);
      const secret = Secret.fromBase32((await page.locator('#totp-secret').innerText()).replace(/\s/g, '')).bytes;
      await page.getByLabel('Verificatiecode').fill(codeAt(secret, Math.floor(Date.now() / 30_000) * 30_000 + 1000));
      await page.getByRole('button', { name: 'Bevestigen' }).click();
      await page.waitForURL(`${suite.k.url}/staff`);

      await page.getByRole('link', { name: 'Koppelingen met uw eigen systemen (API-clients)' }).click();
      await page.waitForURL(`${suite.k.url}/staff/admin/api-clients`);
      await assertAccessible(page);

      // A missing name: the error summary links to the field.
      await page.getByRole('button', { name: 'API-client aanmaken' }).click();
      await page.waitForLoadState('domcontentloaded');
      assert.match(await page.locator('.koepel-error-summary').innerText(), /Vul een naam in/);
      await assertAccessible(page);

      await page.getByLabel('Naam').fill('Apotheeksysteem productie');
      await page.getByRole('button', { name: 'API-client aanmaken' }).click();
      await page.waitForLoadState('domcontentloaded');
      assert.match(await page.locator('h1').innerText(), /API-client aangemaakt/);
      assert.match(await page.getByRole('alert').innerText(), /Kopieer het geheim nu/);
      const clientSecret = await page.locator('#client-secret').innerText();
      assert.match(clientSecret, /^[A-Za-z0-9_-]{43}$/);
      await assertAccessible(page);
      await page.screenshot({ path: '/tmp/koepel-api-client-created.png', fullPage: true });

      await page.getByRole('link', { name: /terug naar het overzicht/ }).click();
      await page.waitForURL(`${suite.k.url}/staff/admin/api-clients`);
      const row = page.locator('tr', { hasText: 'Apotheeksysteem productie' });
      assert.match(await row.innerText(), /Actief/);
      assert.ok(!(await page.content()).includes(clientSecret), 'the secret is not shown again');
      await page.screenshot({ path: '/tmp/koepel-api-clients.png', fullPage: true });

      await page.getByRole('link', { name: 'Intrekken: Apotheeksysteem productie' }).click();
      await page.waitForLoadState('domcontentloaded');
      await assertAccessible(page);
      await page.getByRole('button', { name: 'Ja, intrekken' }).click();
      await page.waitForURL(`${suite.k.url}/staff/admin/api-clients?revoked=1`);
      assert.match(await page.getByRole('status').innerText(), /ingetrokken/);
      assert.match(await page.locator('tr', { hasText: 'Apotheeksysteem productie' }).innerText(), /Ingetrokken op/);
      await assertAccessible(page);
    } finally {
      await ctx.close();
    }
  });
});
