// The staff workplace in a real browser (issue 10): an employee logs in, sees the number of open requests in the
// menu and on the dashboard, opens Verzoeken; an admin takes a right away from an employee (ZL-10). axe-core checks
// every page; at 390 px (a phone) no page scrolls sideways.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Secret } from 'otpauth';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { codeAt } from '../../src/staff/totp.js';
import { assertAccessible, browserSuite, newContext } from '../support/browser.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';

const PERIOD_MS = 30_000;

describe('the staff workplace in a real browser', () => {
  const suite = browserSuite();

  /** Password, then the authenticator set-up from the manual key (these organisations require it). */
  async function logIn(page: Page, email: string): Promise<void> {
    await page.goto(`${suite.k.url}/staff/login`);
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.waitForURL(`${suite.k.url}/staff/totp/enrol`);
    const secret = Secret.fromBase32((await page.locator('#totp-secret').innerText()).replace(/\s/g, '')).bytes;
    await page
      .getByLabel('Verificatiecode')
      .fill(codeAt(secret, Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS + 1000));
    await page.getByRole('button', { name: 'Bevestigen' }).click();
    await page.waitForURL(`${suite.k.url}/staff`);
  }

  /** axe, and no sideways scrolling at the current width. */
  async function check(page: Page, width: number): Promise<void> {
    await assertAccessible(page);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= width, `${page.url()} is ${scrollWidth}px wide at ${width}px`);
  }

  test('an employee sees the open requests and opens them; an admin takes a right away (ZL-10)', async () => {
    const k = suite.k;
    const gp = await orgId(k.db, DEMO.gp);
    for (const bsn of [DEMO.suzanne, DEMO.pieter])
      await k.db
        .insertInto('record_access_request')
        .values({
          organisation_id: gp,
          citizen_id: await citizenId(k.db, k.koepel.keys, bsn),
          categories: ['documents'],
        })
        .execute();

    for (const width of [1280, 390]) {
      const ctx = await newContext(suite.browser);
      const page = await ctx.newPage();
      await page.setViewportSize({ width, height: 900 });
      try {
        await logIn(page, width === 1280 ? 'assistent@delinde.example' : 'huisarts@delinde.example');
        const nav = page.getByRole('navigation', { name: 'Werkplek' });
        const requests = nav.getByRole('link', { name: 'Verzoeken, 2 open' });
        assert.equal(await requests.count(), 1);
        assert.match(await page.locator('main').innerText(), /Wat op u wacht[\s\S]*Verzoeken, 2 open/);
        assert.match(await page.locator('footer').innerText(), /Hulp bij de werkplek/);
        await check(page, width);
        await page.screenshot({ path: `/tmp/koepel-staff-dashboard-${width}.png`, fullPage: true });

        await requests.click();
        await page.waitForURL(`${suite.k.url}/staff/record-requests`);
        assert.match(await page.locator('main').innerText(), /Open verzoeken: 2/);
        assert.equal(await nav.getByRole('link', { name: 'Verzoeken, 2 open' }).getAttribute('aria-current'), 'page');
        await check(page, width);
      } finally {
        await ctx.close();
      }
    }

    // The pharmacy's admin takes "Patiënten zoeken" away from the pharmacist, at phone width.
    const pharmacistCtx = await newContext(suite.browser);
    const pharmacist = await pharmacistCtx.newPage();
    const adminCtx = await newContext(suite.browser);
    const admin = await adminCtx.newPage();
    await admin.setViewportSize({ width: 390, height: 844 });
    try {
      await logIn(pharmacist, 'apotheker@apotheekcentrum.example');
      await pharmacist.goto(`${suite.k.url}/staff/patients`);
      assert.match(await pharmacist.locator('h1').innerText(), /Patiënt zoeken/);

      await logIn(admin, 'beheer@apotheekcentrum.example');
      await admin.getByRole('navigation', { name: 'Werkplek' }).getByRole('link', { name: 'Beheer' }).click();
      await admin.waitForURL(`${suite.k.url}/staff/admin`);
      await check(admin, 390);
      await admin.getByRole('link', { name: 'Medewerkers' }).click();
      await admin.waitForURL(`${suite.k.url}/staff/admin/employees`);
      await check(admin, 390);
      await admin.getByRole('link', { name: 'R. Mulder' }).click();
      await admin.waitForLoadState('domcontentloaded');
      await check(admin, 390);
      await admin.getByRole('checkbox', { name: 'Patiënten zoeken' }).uncheck();
      await admin.getByRole('button', { name: 'Rechten opslaan' }).click();
      await admin.waitForLoadState('domcontentloaded');
      assert.match(await admin.locator('main').innerText(), /De rechten zijn opgeslagen/);
      assert.equal(await admin.getByRole('checkbox', { name: 'Patiënten zoeken' }).isChecked(), false);
      await check(admin, 390);
      await admin.screenshot({ path: '/tmp/koepel-staff-employee-390.png', fullPage: true });

      // The pharmacist's next request is refused, and the menu no longer offers it.
      const refused = await pharmacist.goto(`${suite.k.url}/staff/patients`);
      assert.equal(refused?.status(), 403);
      assert.equal(
        await pharmacist.getByRole('navigation', { name: 'Werkplek' }).getByRole('link', { name: 'Patiënten' }).count(),
        0,
      );
      await assertAccessible(pharmacist);
    } finally {
      await pharmacistCtx.close();
      await adminCtx.close();
    }
  });
});
