// LU-3 in a real browser on a 390 px phone screen: the citizen writes a note (with script in it, which stays text),
// writes one from her appointment's page and one from a lab result's page, sees them there, edits one and deletes
// one. Every page visited: no horizontal scroll, axe-core 0 violations. Screenshots go to
// /tmp/koepel-shots/notes-*.png for a human to look at.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { insertAppointment, staffId } from '../../src/video-consult/video.testkit.js';
import { browserSuite } from '../support/browser.js';
import { citizenOnPhone } from '../support/phone.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';

const SCRIPT = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

describe('private notes in a real browser on a phone', () => {
  const suite = browserSuite();

  test('[LU-3] a citizen writes, edits and deletes notes, one about an appointment and one about a result', async () => {
    const { k } = suite;
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const gp = await orgId(k.db, DEMO.gp);
    const start = new Date(Date.now() + 5 * 86_400_000);
    const appointment = await insertAppointment(k.db, {
      organisationId: gp,
      citizenId: suzanne,
      staffId: await staffId(k.db, 'huisarts@delinde.example'),
      start,
      end: new Date(start.getTime() + 600_000),
      video: false,
    });
    const lab = (
      await k.db
        .selectFrom('record_resource')
        .select('id')
        .where('citizen_id', '=', suzanne)
        .where('organisation_id', '=', gp)
        .where('category', '=', 'lab')
        .where('resource_type', '=', 'Observation')
        .where('deleted_at', 'is', null)
        .orderBy('effective_at', 'desc')
        .executeTakeFirstOrThrow()
    ).id;
    const phone = await citizenOnPhone(suite, DEMO.suzanne, { shots: 'notes' });
    try {
      const { page, go } = phone;
      const main = () => page.locator('main').innerText();
      const pwned = () => page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);

      await go('home', async () => {
        await page.goto(`${k.url}/home`);
      });
      await go('list-empty', () =>
        page.getByRole('navigation', { name: 'Mijn portaal' }).getByRole('link', { name: 'Mijn notities' }).click(),
      );
      assert.match(await main(), /Alleen u kunt ze lezen[\s\S]*U heeft nog geen notities/);

      // An empty note: a clear error on the same form.
      await go('new', () => page.getByRole('link', { name: 'Nieuwe notitie' }).click());
      await go('new-empty', () => page.getByRole('button', { name: 'Notitie opslaan' }).click());
      assert.match(await page.title(), /^Er is een probleem/);
      assert.match(await main(), /Schrijf eerst iets in uw notitie/);

      // A note with script in it: shown as text, nothing runs.
      await page.getByLabel('Uw notitie').fill(`Vragen voor de huisarts ${SCRIPT}`);
      await go('saved', () => page.getByRole('button', { name: 'Notitie opslaan' }).click());
      assert.match(page.url(), /\/notes\/[0-9a-f-]{36}\?notice=saved$/);
      assert.match(await main(), /Uw notitie is opgeslagen/);
      assert.ok((await page.locator('.koepel-note-body').innerText()).includes(SCRIPT));
      assert.equal(await page.locator('main img').count(), 0);
      assert.equal(await pwned(), undefined);
      await go('list', () => page.getByRole('link', { name: 'Terug naar uw notities' }).click());
      assert.ok((await main()).includes(SCRIPT));
      assert.equal(await pwned(), undefined);

      // From the appointment's page.
      await go('appointment', async () => {
        await page.goto(`${k.url}/appointments/${appointment}`);
      });
      await go('new-about-appointment', () => page.getByRole('link', { name: 'Notitie toevoegen' }).click());
      assert.match(
        await main(),
        /Deze notitie gaat over: Afspraak: Videoconsult \(test\) bij Huisartsenpraktijk De Linde/,
      );
      await page.getByLabel('Uw notitie').fill('Vragen: hoe lang duurt het herstel?');
      await go('saved-about-appointment', () => page.getByRole('button', { name: 'Notitie opslaan' }).click());
      assert.match(await main(), /Over[\s\S]*Afspraak: Videoconsult \(test\)/);
      await go('appointment-with-note', () => page.getByRole('link', { name: /^Afspraak: Videoconsult/ }).click());
      assert.match(await main(), /Uw notities[\s\S]*Alleen voor u zichtbaar[\s\S]*hoe lang duurt het herstel/);

      // Edit it from there.
      await go('note-from-appointment', () =>
        page
          .locator('.koepel-notes-here')
          .getByRole('link', { name: /^Notitie van/ })
          .click(),
      );
      await go('edit', () => page.getByRole('link', { name: 'Notitie wijzigen' }).click());
      await page.getByLabel('Uw notitie').fill('Vragen: hoe lang duurt het herstel? En mag ik sporten?');
      await go('updated', () => page.getByRole('button', { name: 'Notitie opslaan' }).click());
      assert.match(await main(), /Uw notitie is gewijzigd[\s\S]*En mag ik sporten\?/);

      // From a lab result's page.
      await go('lab', async () => {
        await page.goto(`${k.url}/dossier/lab/${lab}`);
      });
      await go('new-about-lab', () => page.getByRole('link', { name: 'Notitie toevoegen' }).click());
      assert.match(await main(), /Deze notitie gaat over: Uitslag van Huisartsenpraktijk De Linde/);
      await page.getByLabel('Uw notitie').fill('Waarde hoger dan vorige keer; vragen bij de volgende controle.');
      await go('saved-about-lab', () => page.getByRole('button', { name: 'Notitie opslaan' }).click());
      await go('lab-with-note', () => page.getByRole('link', { name: /^Uitslag van/ }).click());
      assert.match(await main(), /Uw notities[\s\S]*hoger dan vorige keer/);

      // The list in English too (the language switch keeps the page).
      await go('list-three', () =>
        page.getByRole('navigation', { name: 'Mijn portaal' }).getByRole('link', { name: 'Mijn notities' }).click(),
      );
      assert.equal(await page.locator('.koepel-notes > li').count(), 3);

      // Delete the first one (with the script).
      await go('first', () =>
        page.locator('.koepel-notes > li', { hasText: 'Vragen voor de huisarts' }).getByRole('link').first().click(),
      );
      await go('delete', () => page.getByRole('link', { name: 'Notitie verwijderen' }).click());
      assert.match(await main(), /Weet u zeker dat u deze notitie wilt verwijderen/);
      await go('deleted', () => page.getByRole('button', { name: 'Ja, notitie verwijderen' }).click());
      assert.match(await main(), /Uw notitie is verwijderd/);
      assert.equal(await page.locator('.koepel-notes > li').count(), 2);
      assert.ok(!(await main()).includes('Vragen voor de huisarts'));
      assert.equal(await pwned(), undefined);
      const left = await k.db.selectFrom('private_note').select('id').where('citizen_id', '=', suzanne).execute();
      assert.equal(left.length, 2);
    } finally {
      await phone.close();
    }
  });
});
