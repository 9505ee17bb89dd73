// Issue 14 (operator, LU-10) in a real browser on a 390 px phone: the operator goes from the alerts page to the job
// queue (a dead job queued again) and to the privacy statement form (a version published); the public /privacy and
// its versions. Every page visited: axe-core 0 violations, no sideways scrolling (staffBrowser's check).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { browserSuite } from '../../test/support/browser.js';
import { PHONE } from '../../test/support/phone.js';
import { check, staffBrowser } from '../../test/support/staff-browser.js';
import { withPrincipal } from '../platform/db/principal.js';

describe('operator pages of issue 14 in a browser on a phone', () => {
  const suite = browserSuite();

  test('[LU-10] the job queue and the privacy statement, operator and public, pass axe at 390 px', async () => {
    const { k } = suite;
    await withPrincipal(k.db, { kind: 'system', purpose: 'jobs' }, async (tx) => {
      await sql`select koepel_enqueue_job('email.notification', '{}'::jsonb)`.execute(tx);
      await sql`update job set state = 'dead', attempts = 10, last_error = 'smtp-550', finished_at = now()
                where kind = 'email.notification'`.execute(tx);
    });
    const staff = staffBrowser(suite);
    try {
      const page = await staff.newPage(PHONE);
      await staff.logIn(page, 'servicedesk@koepel.example', '/operator/alerts');
      await staff.go(page, () => page.getByRole('link', { name: 'Achtergrondtaken' }).click(), '/operator/jobs');
      await staff.go(
        page,
        () =>
          page
            .getByRole('button', { name: /opnieuw in de wachtrij zetten/ })
            .first()
            .click(),
        '/operator/jobs?requeued=1',
      );
      assert.match(await page.locator('main').innerText(), /De taak staat weer in de wachtrij/);
      await page.goto(`${k.url}/operator/alerts`);
      await staff.go(
        page,
        () => page.getByRole('link', { name: 'Privacyverklaring publiceren' }).click(),
        '/operator/privacy',
      );
      // A mistake first: no text.
      await page.getByLabel('Datum').fill(new Date().toISOString().slice(0, 10));
      await staff.go(page, () => page.getByRole('button', { name: 'Publiceren' }).click(), '/operator/privacy');
      assert.match(await page.title(), /^Er is een probleem/);
      await page.getByLabel('Tekst').fill('## Nieuw\n\nWij bewaren niets langer dan nodig.');
      await staff.go(
        page,
        () => page.getByRole('button', { name: 'Publiceren' }).click(),
        '/operator/privacy?published=1',
      );
      const visitor = await staff.newPage(PHONE);
      await visitor.goto(`${k.url}/privacy`);
      await check(visitor);
      assert.match(await visitor.locator('main').innerText(), /Wij bewaren niets langer dan nodig/);
      await staff.go(
        visitor,
        () => visitor.getByRole('link', { name: 'Eerdere versies van de privacyverklaring' }).click(),
        '/privacy/versions',
      );
      await staff.go(visitor, () => visitor.getByRole('link', { name: /^Versie 1,/ }).click(), '/privacy/versions/1');
      assert.match(await visitor.locator('main').innerText(), /eerdere versie/);
    } finally {
      await staff.closeAll();
    }
  });
});
