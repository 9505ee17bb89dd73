// MG-6 in a real browser on a 390 px phone screen, without JavaScript of our own: the citizen books an appointment
// at the GP step by step with the emergency notice first, sees it in the overview, reschedules it, downloads the .ics
// (parsed with ical.js) and cancels it. Every page visited: no horizontal scroll, axe-core 0 violations.
// Screenshots go to /tmp/koepel-shots/appointments-*.png for a human to look at.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import ICAL from 'ical.js';
import { assertAccessible, browserSuite } from '../support/browser.js';
import { citizenOnPhone, SHOTS } from '../support/phone.js';
import { DEMO } from '../support/principals.js';

describe('appointments in a real browser on a phone', () => {
  const suite = browserSuite();

  test('[MG-6] a citizen books (emergency notice first), sees it, reschedules, downloads the .ics and cancels', async () => {
    const { k } = suite;
    const phone = await citizenOnPhone(suite, DEMO.suzanne, { shots: 'appointments' });
    try {
      const { page, go } = phone;
      const main = () => page.locator('main').innerText();

      await go('home', async () => {
        await page.goto(`${k.url}/home`);
      });
      await go('overview', () =>
        page.getByRole('navigation', { name: 'Mijn portaal' }).getByRole('link', { name: 'Afspraken' }).click(),
      );
      await go('start', () => page.getByRole('link', { name: 'Afspraak maken' }).click());
      // The emergency notice comes first, visible, with 112, the GP's number and its huisartsenpost.
      const notice = page.locator('.koepel-emergency');
      assert.ok(await notice.isVisible());
      const noticeText = await notice.innerText();
      assert.match(noticeText, /Online afspraken zijn niet voor spoed\. Bel bij levensgevaar 112/);
      assert.match(noticeText, /030 123 45 67[\s\S]*Huisartsenpost Utrecht[\s\S]*088 130 96 70/);
      const noticeBox = await notice.boundingBox();
      const choiceBox = await page.getByRole('heading', { name: 'Bij welke zorgverlener?' }).boundingBox();
      assert.ok(noticeBox && choiceBox && noticeBox.y < choiceBox.y, 'the notice above the first choice');

      await go('staff', () => page.getByRole('link', { name: 'Huisartsenpraktijk De Linde' }).click());
      await go('type', () => page.getByRole('link', { name: 'Dr. A. Huisman' }).click());
      await go('time', () => page.getByRole('link', { name: 'Consult', exact: true }).click());
      // Next week's Wednesday: always more than the 24 hours of the change rule ahead.
      await go('time-next-week', () => page.getByRole('link', { name: 'Volgende week' }).click());
      await go('time-wednesday', () => page.locator('.koepel-days a', { hasText: /^wo / }).click());
      const dayHeading = await page.locator('#times-title').innerText();
      assert.match(dayHeading, /^woensdag \d{1,2} [a-z]+ 20\d\d$/);
      const firstTime = page.locator('.koepel-times button').first();
      const time = (await firstTime.innerText()).trim();
      assert.match(time, /^\d\d:\d\d$/);
      await go('details', () => firstTime.click());
      await page.getByLabel('Waarvoor komt u? (niet verplicht)').fill('Controle bloeddruk <script>alert(1)</script>');
      await page.getByLabel('1 dag van tevoren').check();
      await go('confirm', () => page.getByRole('button', { name: 'Verder' }).click());
      assert.match(
        await main(),
        /Controleer uw afspraak[\s\S]*Dr\. A\. Huisman[\s\S]*woensdag[\s\S]*1 dag van tevoren/,
      );
      await go('made', () => page.getByRole('button', { name: 'Afspraak maken' }).click());
      assert.match(page.url(), /\/appointments\/[0-9a-f-]{36}\?notice=made$/);
      assert.match(
        await main(),
        /Uw afspraak is gemaakt[\s\S]*Gepland[\s\S]*Controle bloeddruk <script>alert\(1\)<\/script>/,
      );
      assert.match(await main(), /Wijzigen of afzeggen kan tot 24 uur van tevoren/);
      const appointmentUrl = page.url().replace(/\?.*$/, '');

      await go('overview-booked', () =>
        page.getByRole('navigation', { name: 'Mijn portaal' }).getByRole('link', { name: 'Afspraken' }).click(),
      );
      assert.match(await main(), new RegExp(`Geplande afspraken[\\s\\S]*Consult[\\s\\S]*woensdag[\\s\\S]*${time}`));

      // Reschedule to another time that day.
      await go('appointment', () => page.getByRole('link', { name: 'Consult' }).first().click());
      await go('change', () => page.getByRole('link', { name: 'Ander tijdstip kiezen' }).click());
      await go('change-next-week', () => page.getByRole('link', { name: 'Volgende week' }).click());
      await go('change-wednesday', () => page.locator('.koepel-days a', { hasText: /^wo / }).click());
      const other = page.locator('.koepel-times button').nth(1);
      const newTime = (await other.innerText()).trim();
      assert.notEqual(newTime, time);
      await go('change-confirm', () => other.click());
      await go('changed', () => page.getByRole('button', { name: 'Afspraak verzetten' }).click());
      assert.match(await main(), new RegExp(`Uw afspraak is gewijzigd[\\s\\S]*${newTime}`));

      // The .ics: parsed, the new time, the reminder, nothing of the reason.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: /Zet de afspraak in uw agenda/ }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'afspraak.ics');
      const path = await download.path();
      const ics = readFileSync(path, 'utf8');
      assert.ok(!ics.includes('bloeddruk') && !ics.includes('script'));
      const vevent = new ICAL.Component(ICAL.parse(ics) as unknown[]).getFirstSubcomponent('vevent');
      assert.ok(vevent);
      const event = new ICAL.Event(vevent);
      assert.equal(event.summary, 'Afspraak bij Huisartsenpraktijk De Linde');
      assert.equal(event.sequence, 1);
      assert.match(event.uid, new RegExp(`^${appointmentUrl.split('/').pop() ?? 'x'}@`));
      const local = new Intl.DateTimeFormat('nl-NL', {
        timeZone: 'Europe/Amsterdam',
        hour: '2-digit',
        minute: '2-digit',
      }).format(event.startDate.toJSDate());
      assert.equal(local, newTime);
      assert.equal(vevent.getFirstSubcomponent('valarm')?.getFirstPropertyValue('trigger')?.toString(), '-P1D');

      // The same pages on a desktop screen, for a human to look at (and axe once more).
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(appointmentUrl);
      await assertAccessible(page);
      await page.screenshot({ path: `${SHOTS}/appointments-desktop-appointment.png`, fullPage: true });
      await page.getByRole('link', { name: 'Ander tijdstip kiezen' }).click();
      await page.waitForLoadState('load');
      await assertAccessible(page);
      await page.screenshot({ path: `${SHOTS}/appointments-desktop-time.png`, fullPage: true });
      await page.goto(appointmentUrl);
      await page.setViewportSize({ width: 390, height: 844 });

      // Cancel.
      await go('cancel', () => page.getByRole('link', { name: 'Afspraak afzeggen' }).click());
      await go('cancelled', () => page.getByRole('button', { name: 'Ja, afspraak afzeggen' }).click());
      assert.match(page.url(), /\/appointments\?cancelled=1$/);
      assert.match(await main(), /Uw afspraak is afgezegd[\s\S]*Geannuleerd/);
    } finally {
      await phone.close();
    }
  });
});
