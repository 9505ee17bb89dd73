// The staff workplace in a real browser (issue 10): an employee logs in, sees the number of open requests in the
// menu and on the dashboard, opens one, handles it and sees the number drop; an admin takes a right away from an
// employee, whose next request is refused (ZL-10). axe-core checks every page visited (the login pages too); no page
// scrolls sideways, at 1280 px and on a 390 px phone. (The admin's TOTP reset: staff-totp-reset.integration.test.ts.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSuite } from '../support/browser.js';
import { PHONE } from '../support/phone.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';
import { check, DESKTOP, staffBrowser, workplaceNav } from '../support/staff-browser.js';

describe('the staff workplace in a real browser', () => {
  const suite = browserSuite();
  const { newPage, closeAll, go, logIn } = staffBrowser(suite);

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
      await go(
        desk,
        () => desk.getByRole('link', { name: 'Suzanne Maria de Vries' }).click(),
        /record-requests\/[\w-]+$/,
      );
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
});
