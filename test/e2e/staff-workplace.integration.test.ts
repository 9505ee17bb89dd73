// The staff workplace in a real browser (issue 10): an employee logs in, sees the number of open requests in the
// menu and on the dashboard, opens one, handles it and sees the number drop; an admin takes a right away from an
// employee, whose next request is refused (ZL-10); an admin resets an employee's two-step verification, which ends
// the employee's session and has them set up a new authenticator app at the next login. axe-core checks every page
// visited (the login pages too); no page scrolls sideways, at 1280 px and on a 390 px phone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Secret } from 'otpauth';
import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { enrolledSecret, enrolmentCode, freshCode } from '../../src/staff/login.testkit.js';
import { codeAt } from '../../src/staff/totp.js';
import { assertAccessible, browserSuite } from '../support/browser.js';
import { PHONE } from '../support/phone.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';

const DESKTOP = { width: 1280, height: 900 };

describe('the staff workplace in a real browser', () => {
  const suite = browserSuite();
  const contexts: BrowserContext[] = [];

  async function newPage(viewport: { width: number; height: number }): Promise<Page> {
    const ctx = await suite.browser.newContext({ locale: 'nl-NL', viewport });
    contexts.push(ctx);
    return ctx.newPage();
  }

  async function closeAll(): Promise<void> {
    for (const c of contexts.splice(0)) await c.close();
  }

  /** axe, and no sideways scrolling at the page's width. */
  async function check(page: Page): Promise<void> {
    await assertAccessible(page);
    const width = page.viewportSize()?.width ?? 0;
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= width, `${page.url()} is ${scrollWidth}px wide at ${width}px`);
  }

  /** Waits for the page a click leads to (a form post and its redirect), then checks it. */
  async function go(page: Page, click: () => Promise<void>, path: string | RegExp): Promise<void> {
    await Promise.all([page.waitForURL(typeof path === 'string' ? `${suite.k.url}${path}` : path), click()]);
    await check(page);
  }

  /**
   * Password, then either the authenticator set-up from the manual key (these organisations require it) or a code
   * from the secret set up before. Every page on the way is checked. Returns which second step it was.
   */
  async function logIn(page: Page, email: string, landing = '/staff'): Promise<'enrol' | 'code'> {
    const base = suite.k.url;
    if (!new URL(page.url()).pathname.startsWith('/staff/login')) await page.goto(`${base}/staff/login`);
    await check(page);
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
    await go(page, () => page.getByRole('button', { name: 'Inloggen' }).click(), /\/staff\/(totp\/enrol|login\/totp)$/);
    const stage = page.url().endsWith('/staff/totp/enrol') ? 'enrol' : 'code';
    if (stage === 'enrol') {
      const secret = Secret.fromBase32((await page.locator('#totp-secret').innerText()).replace(/\s/g, '')).bytes;
      await page.getByLabel('Verificatiecode').fill(enrolmentCode(base, email, secret));
      await go(page, () => page.getByRole('button', { name: 'Bevestigen' }).click(), landing);
    } else {
      await page.getByLabel('Verificatiecode').fill(await freshCode(base, email));
      await go(page, () => page.getByRole('button', { name: 'Verder' }).click(), landing);
    }
    return stage;
  }

  const workplaceNav = (page: Page) => page.getByRole('navigation', { name: 'Werkplek' });

  test('an employee sees the open requests, handles one and sees the count drop', async () => {
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
    const statuses = async () =>
      (
        await k.db
          .selectFrom('record_access_request')
          .select('status')
          .where('organisation_id', '=', gp)
          .orderBy('status')
          .execute()
      ).map((r) => r.status);

    try {
      // At the desk: the assistant grants Suzanne's request.
      const desk = await newPage(DESKTOP);
      await logIn(desk, 'assistent@delinde.example');
      const requests = workplaceNav(desk).getByRole('link', { name: 'Verzoeken, 2 open' });
      assert.equal(await requests.count(), 1);
      assert.match(await desk.locator('main').innerText(), /Wat op u wacht[\s\S]*Verzoeken, 2 open/);
      assert.match(await desk.locator('footer').innerText(), /Hulp bij de werkplek/);
      await desk.screenshot({ path: '/tmp/koepel-staff-dashboard-1280.png', fullPage: true });

      await go(desk, () => requests.click(), '/staff/record-requests');
      assert.match(await desk.locator('main').innerText(), /Open verzoeken: 2/);
      assert.equal(
        await workplaceNav(desk).getByRole('link', { name: 'Verzoeken, 2 open' }).getAttribute('aria-current'),
        'page',
      );
      await go(desk, () => desk.getByRole('link', { name: 'Suzanne Maria de Vries' }).click(), /record-requests\/[\w-]+$/);
      await desk.getByLabel('Bericht aan de patiënt (niet verplicht)').fill('De brieven staan in uw dossier.');
      await go(
        desk,
        () => desk.getByRole('button', { name: 'Inzage geven' }).click(),
        '/staff/record-requests?handled=granted',
      );
      assert.match(await desk.locator('main').innerText(), /Het verzoek is toegekend[\s\S]*Open verzoeken: 1/);
      assert.equal(await workplaceNav(desk).getByRole('link', { name: 'Verzoeken, 1 open' }).count(), 1);
      assert.deepEqual(await statuses(), ['granted', 'open']);

      // On a phone: the doctor sees the one left, and declines it.
      const phone = await newPage(PHONE);
      await logIn(phone, 'huisarts@delinde.example');
      assert.match(await phone.locator('main').innerText(), /Wat op u wacht[\s\S]*Verzoeken, 1 open/);
      await phone.screenshot({ path: '/tmp/koepel-staff-dashboard-390.png', fullPage: true });
      await go(
        phone,
        () => workplaceNav(phone).getByRole('link', { name: 'Verzoeken, 1 open' }).click(),
        '/staff/record-requests',
      );
      assert.match(await phone.locator('main').innerText(), /Open verzoeken: 1/);
      assert.equal(await phone.getByRole('link', { name: 'Suzanne Maria de Vries' }).count(), 0);
      await go(phone, () => phone.getByRole('link', { name: 'Pieter Bakker' }).click(), /record-requests\/[\w-]+$/);
      await phone.getByLabel('Reden van afwijzing').fill('Deze brieven zijn nog niet met u besproken.');
      await go(
        phone,
        () => phone.getByRole('button', { name: 'Verzoek afwijzen' }).click(),
        '/staff/record-requests?handled=declined',
      );
      assert.match(await phone.locator('main').innerText(), /Het verzoek is afgewezen[\s\S]*geen open verzoeken/);
      assert.equal(await workplaceNav(phone).getByRole('link', { name: 'Verzoeken, geen open' }).count(), 1);
      assert.deepEqual(await statuses(), ['declined', 'granted']);

      // The assistant's next page shows the drop too.
      await desk.goto(`${k.url}/staff`);
      assert.equal(await workplaceNav(desk).getByRole('link', { name: 'Verzoeken, geen open' }).count(), 1);
      await check(desk);
    } finally {
      await closeAll();
    }
  });

  test('an admin takes a right away and the employee’s next request is refused (ZL-10)', async () => {
    // The pharmacy's admin takes "Patiënten zoeken" away from the pharmacist, at phone width.
    try {
      const pharmacist = await newPage(DESKTOP);
      await logIn(pharmacist, 'apotheker@apotheekcentrum.example');
      await pharmacist.goto(`${suite.k.url}/staff/patients`);
      assert.match(await pharmacist.locator('h1').innerText(), /Patiënt zoeken/);

      const admin = await newPage(PHONE);
      await logIn(admin, 'beheer@apotheekcentrum.example');
      await go(admin, () => workplaceNav(admin).getByRole('link', { name: 'Beheer' }).click(), '/staff/admin');
      await go(admin, () => admin.getByRole('link', { name: 'Medewerkers' }).click(), '/staff/admin/employees');
      await go(admin, () => admin.getByRole('link', { name: 'R. Mulder' }).click(), /employees\/[\w-]+$/);
      await admin.getByRole('checkbox', { name: 'Patiënten zoeken' }).uncheck();
      await go(admin, () => admin.getByRole('button', { name: 'Rechten opslaan' }).click(), /\?done=saved$/);
      assert.match(await admin.locator('main').innerText(), /De rechten zijn opgeslagen/);
      assert.equal(await admin.getByRole('checkbox', { name: 'Patiënten zoeken' }).isChecked(), false);
      await admin.screenshot({ path: '/tmp/koepel-staff-employee-390.png', fullPage: true });

      // The pharmacist's next request is refused, and the menu no longer offers it.
      const refused = await pharmacist.goto(`${suite.k.url}/staff/patients`);
      assert.equal(refused?.status(), 403);
      assert.equal(await workplaceNav(pharmacist).getByRole('link', { name: 'Patiënten' }).count(), 0);
      await check(pharmacist);
    } finally {
      await closeAll();
    }
  });

  test('an admin resets an employee’s two-step verification: the session ends, the next login sets it up anew', async () => {
    const k = suite.k;
    const email = 'apotheker@apotheekcentrum.example';
    const staffId = (
      await k.db.selectFrom('staff_account').select('id').where('email', '=', email).executeTakeFirstOrThrow()
    ).id;
    try {
      // The pharmacist (set up in the test before) works on a phone.
      const pharmacist = await newPage(PHONE);
      assert.equal(await logIn(pharmacist, email), 'code');
      const oldSecret = enrolledSecret(k.url, email);
      assert.ok(oldSecret);

      const admin = await newPage(DESKTOP);
      await logIn(admin, 'beheer@apotheekcentrum.example');
      await go(admin, () => workplaceNav(admin).getByRole('link', { name: 'Beheer' }).click(), '/staff/admin');
      await go(admin, () => admin.getByRole('link', { name: 'Medewerkers' }).click(), '/staff/admin/employees');
      assert.match(
        await admin.getByRole('row', { name: /R\. Mulder/ }).innerText(),
        /Ingesteld/,
        'the list shows the pharmacist has an authenticator app',
      );
      await go(admin, () => admin.getByRole('link', { name: 'R. Mulder' }).click(), `/staff/admin/employees/${staffId}`);
      await go(
        admin,
        () => admin.getByRole('button', { name: 'Verificatie opnieuw laten instellen' }).click(),
        `/staff/admin/employees/${staffId}?done=totp-reset`,
      );
      const main = await admin.locator('main').innerText();
      assert.match(main, /De medewerker stelt de authenticator-app opnieuw in bij de volgende keer inloggen/);
      assert.match(main, /Verificatie in twee stappen\s+Niet ingesteld/);
      await admin.screenshot({ path: '/tmp/koepel-staff-totp-reset-1280.png', fullPage: true });
      const audited = await k.db
        .selectFrom('audit_log')
        .select(['actor_type', 'outcome'])
        .where('event_code', '=', 'staff.admin.totp-reset')
        .where('resource_id', '=', staffId)
        .execute();
      assert.deepEqual(audited, [{ actor_type: 'staff', outcome: 'success' }]);

      // The pharmacist's session ended: the next page is the staff login, which returns there afterwards.
      await pharmacist.goto(`${k.url}/staff/account`);
      assert.equal(new URL(pharmacist.url()).pathname, '/staff/login');
      assert.match(await pharmacist.locator('main').innerText(), /uw sessie is verlopen/);
      await check(pharmacist);
      // The password leads to setting up an authenticator app again, not to the old app's code.
      assert.equal(await logIn(pharmacist, email, '/staff/account'), 'enrol');
      const newSecret = enrolledSecret(k.url, email);
      assert.ok(newSecret && Buffer.compare(Buffer.from(newSecret), Buffer.from(oldSecret)) !== 0);
      await pharmacist.screenshot({ path: '/tmp/koepel-staff-account-390.png', fullPage: true });

      // A code from the old app no longer logs in.
      const again = await newPage(PHONE);
      await again.goto(`${k.url}/staff/login`);
      await again.getByLabel('E-mailadres').fill(email);
      await again.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
      await go(again, () => again.getByRole('button', { name: 'Inloggen' }).click(), '/staff/login/totp');
      await again.getByLabel('Verificatiecode').fill(codeAt(oldSecret, Date.now()));
      await again.getByRole('button', { name: 'Verder' }).click();
      await again.waitForLoadState('domcontentloaded');
      assert.equal(new URL(again.url()).pathname, '/staff/login/totp');
      assert.match(await again.locator('main').innerText(), /De code is niet juist of al gebruikt/);
      await check(again);
    } finally {
      await closeAll();
    }
  });
});
