// MG-7, MG-1 and the staff record view in a real browser, without JavaScript of our own: the citizen asks the GP
// for its letters, the GP's doctor grants it and opens the patient's record, the pharmacy's admin changes what its
// patients see. axe-core checks every page on the way (WCAG 2.1 AA).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newApiClient, pushEveryType } from '../../src/fhir/read/testkit.js';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { loginStaff } from '../../src/staff/login.testkit.js';
import { assertAccessible, carrySession, launchBrowser, newContext } from '../support/browser.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { HttpClient } from '../support/http-client.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';

describe('record requests, record view and category settings in a real browser', () => {
  let k: TestKoepel;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    k = await startKoepel();
    browser = await launchBrowser();
    const gp = await orgId(k.db, DEMO.gp);
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    await pushEveryType(k.db, k.koepel.keys, await newApiClient(k.db, gp), suzanne, 'HA-S');
    // The GP shows everything but its letters (MG-1), so there is something to ask for.
    await k.db
      .updateTable('organisation')
      .set({ record_categories: ['appointments', 'episodes', 'sensitivities', 'lab', 'medication', 'careteam'] })
      .where('id', '=', gp)
      .execute();
  });
  after(async () => {
    for (const c of contexts) await c.close();
    // k is closed even when the browser never started (else the file hangs until the runner's timeout).
    try {
      await browser.close();
    } finally {
      await k.close();
    }
  });

  /** A browser page carrying the session of a client that logged in over HTTP (the login flows have their own journeys). */
  async function pageFor(client: HttpClient): Promise<Page> {
    const context = await newContext(browser);
    contexts.push(context);
    await carrySession(context, k.url, client);
    return context.newPage();
  }

  async function go(page: Page, click: () => Promise<void>): Promise<void> {
    await Promise.all([page.waitForLoadState('load'), click()]);
    await page.waitForLoadState('load');
    await assertAccessible(page);
  }

  test('[MG-7] the citizen asks, the GP grants and opens the record; [MG-1] the admin sets the categories', async () => {
    const citizenClient = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizenClient, DEMO.suzanne)).status, 303);
    const citizen = await pageFor(citizenClient);
    await citizen.goto(`${k.url}/record-requests`);
    await assertAccessible(citizen);
    await go(citizen, () =>
      citizen.getByRole('link', { name: 'Meer inzage vragen bij Huisartsenpraktijk De Linde' }).click(),
    );
    // Nothing chosen: an error summary that links to the first checkbox.
    await go(citizen, () => citizen.getByRole('button', { name: 'Verzoek versturen' }).click());
    assert.match(await citizen.locator('.koepel-error-summary').innerText(), /U heeft geen onderdeel aangevinkt/);
    await citizen.getByLabel('Brieven en verslagen').check();
    await citizen.getByLabel('Toelichting (niet verplicht)').fill('Ik wil de verwijsbrief nalezen.');
    await go(citizen, () => citizen.getByRole('button', { name: 'Verzoek versturen' }).click());
    assert.equal(new URL(citizen.url()).pathname, '/record-requests');
    assert.match(await citizen.locator('main').innerText(), /Uw verzoek is verstuurd[\s\S]*In behandeling/);
    await citizen.screenshot({ path: '/tmp/koepel-record-requests.png', fullPage: true });

    const doctor = await pageFor((await loginStaff(k.url, 'huisarts@delinde.example')).client);
    await doctor.goto(`${k.url}/staff`);
    await assertAccessible(doctor);
    await go(doctor, () => doctor.getByRole('link', { name: 'Verzoeken om inzage' }).click());
    await go(doctor, () => doctor.getByRole('link', { name: 'Suzanne Maria de Vries' }).click());
    assert.match(await doctor.locator('main').innerText(), /Ik wil de verwijsbrief nalezen\./);
    await doctor.screenshot({ path: '/tmp/koepel-staff-request.png', fullPage: true });
    await doctor.getByLabel('Bericht aan de patiënt (niet verplicht)').fill('U vindt de brief nu in uw dossier.');
    await go(doctor, () => doctor.getByRole('button', { name: 'Inzage geven' }).click());
    assert.match(await doctor.locator('main').innerText(), /Het verzoek is toegekend/);

    // The doctor finds the patient and opens the record.
    await doctor.goto(`${k.url}/staff`);
    await doctor.getByLabel('Naam of deel van de naam').fill('vries');
    await go(doctor, () => doctor.getByRole('button', { name: 'Zoeken' }).click());
    await go(doctor, () => doctor.getByRole('link', { name: 'Suzanne Maria de Vries' }).click());
    assert.match(await doctor.locator('h1').innerText(), /Dossier van Suzanne Maria de Vries/);
    assert.match(await doctor.locator('#section-lab + p, #section-lab ~ div').first().innerText(), /Hemoglobine HA-S/);
    await doctor.screenshot({ path: '/tmp/koepel-staff-record.png', fullPage: true });

    await citizen.goto(`${k.url}/record-requests`);
    await assertAccessible(citizen);
    assert.match(
      await citizen.locator('main').innerText(),
      /Toegekend: Brieven en verslagen[\s\S]*U vindt de brief nu/,
    );

    const admin = await pageFor((await loginStaff(k.url, 'beheer@apotheekcentrum.example')).client);
    await admin.goto(`${k.url}/staff`);
    await go(admin, () => admin.getByRole('link', { name: 'Wat patiënten van hun dossier zien' }).click());
    await admin.getByLabel('Medicatie').uncheck();
    await go(admin, () => admin.getByRole('button', { name: 'Opslaan' }).click());
    assert.match(await admin.locator('main').innerText(), /De instelling is opgeslagen/);
    assert.equal(await admin.getByLabel('Medicatie').isChecked(), false);
    await admin.screenshot({ path: '/tmp/koepel-org-categories.png', fullPage: true });
  });
});
