// An organisation's admin resets an employee's two-step verification in a real browser (issue 10): the employee's
// session ends at once, the next login has them set up a new authenticator app, and a code from the old app no longer
// logs in. axe-core checks every page visited; no page scrolls sideways (the employee works on a 390 px phone).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { enrolledSecret } from '../../src/staff/login.testkit.js';
import { codeAt } from '../../src/staff/totp.js';
import { browserSuite } from '../support/browser.js';
import { PHONE } from '../support/phone.js';
import { check, DESKTOP, staffBrowser, workplaceNav } from '../support/staff-browser.js';

describe('the admin resets an employee’s two-step verification in a real browser', () => {
  const suite = browserSuite();
  const { newPage, closeAll, go, logIn } = staffBrowser(suite);

  test('an admin resets an employee’s two-step verification: the session ends, the next login sets it up anew', async () => {
    const k = suite.k;
    const email = 'apotheker@apotheekcentrum.example';
    const staffId = (
      await k.db.selectFrom('staff_account').select('id').where('email', '=', email).executeTakeFirstOrThrow()
    ).id;
    try {
      // The pharmacist works on a phone, with an authenticator app set up at the first login.
      const pharmacist = await newPage(PHONE);
      assert.equal(await logIn(pharmacist, email), 'enrol');
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
      await go(
        admin,
        () => admin.getByRole('link', { name: 'R. Mulder' }).click(),
        `/staff/admin/employees/${staffId}`,
      );
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
