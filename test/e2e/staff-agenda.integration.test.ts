// The staff agenda in a real browser (issue 12): at the desk the assistant books an appointment for a patient (find
// the patient, type, employee, free time, reason) and sees it in the week view; a citizen's own booking is in the
// doctor's day view on a 390 px phone, reason included; an organisation admin sets a type, working hours, an absence
// and the out-of-hours service on a phone. axe-core checks every page visited; no page scrolls sideways.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { atLocal, bookAppointment, isoWeekday, localDate, nextDate } from '../../src/appointments/index.js';
import { ROLE_DEFAULTS } from '../../src/platform/auth/permissions.js';
import { runInScope } from '../../src/platform/db/scope.js';
import { browserSuite } from '../support/browser.js';
import { PHONE } from '../support/phone.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';
import { check, DESKTOP, staffBrowser, workplaceNav } from '../support/staff-browser.js';

/** The first Monday at least three days ahead. */
function nextMonday(): string {
  let d = nextDate(nextDate(nextDate(localDate(new Date()))));
  while (isoWeekday(d) !== 1) d = nextDate(d);
  return d;
}

describe('the staff agenda in a real browser', () => {
  const suite = browserSuite();
  const { newPage, closeAll, go, logIn } = staffBrowser(suite);
  const monday = nextMonday();

  test('an assistant books for a patient and sees it in the week view', async () => {
    try {
      const desk = await newPage(DESKTOP);
      await logIn(desk, 'assistent@delinde.example');
      await go(desk, () => workplaceNav(desk).getByRole('link', { name: 'Agenda' }).click(), /\/staff\/agenda$/);
      await go(
        desk,
        () => desk.getByRole('link', { name: 'Afspraak inplannen voor een patiënt' }).click(),
        '/staff/agenda/book',
      );
      await desk.getByLabel('Naam of deel van de naam').fill('Bakker');
      await go(desk, () => desk.getByRole('button', { name: 'Zoeken' }).click(), '/staff/agenda/book/search');
      await go(desk, () => desk.getByRole('link', { name: 'Pieter Bakker' }).click(), /\/staff\/agenda\/book\/[\w-]+$/);
      await desk.getByLabel('Soort afspraak', { exact: true }).selectOption({ label: 'Consult (10 minuten)' });
      await desk.getByLabel('Medewerker', { exact: true }).selectOption({ label: 'Dr. A. Huisman' });
      await desk.getByLabel('Datum', { exact: true }).fill(monday);
      await go(desk, () => desk.getByRole('button', { name: 'Vrije tijden tonen' }).click(), /\?type=/);
      await desk.getByRole('radio', { name: '10:00–10:10, Dr. A. Huisman' }).check();
      await desk.getByLabel('Reden (niet verplicht)').fill('Controle bloeddruk');
      await go(
        desk,
        () => desk.getByRole('button', { name: 'Afspraak inplannen' }).click(),
        /\/staff\/agenda\/appointments\/[\w-]+\?done=booked$/,
      );
      const detail = await desk.locator('main').innerText();
      assert.match(detail, /De afspraak is ingepland/);
      assert.match(detail, /Pieter Bakker[\s\S]*10:00–10:10[\s\S]*L\. de Boer/);

      // The week view of the whole practice, through the filter.
      await go(desk, () => desk.getByRole('link', { name: 'Terug naar de dag' }).click(), /\/staff\/agenda\?view=day/);
      await desk.getByLabel('Weergave').selectOption('week');
      await desk.getByLabel('Medewerker', { exact: true }).selectOption({ label: 'hele praktijk' });
      await go(desk, () => desk.getByRole('button', { name: 'Tonen' }).click(), /view=week/);
      const week = await desk.locator('main').innerText();
      assert.match(week, /maandag \d+ december|maandag \d+ \w+/);
      assert.match(week, /10:00–10:10[\s\S]*Dr\. A\. Huisman[\s\S]*Pieter Bakker[\s\S]*Consult[\s\S]*L\. de Boer/);
      assert.match(week, /Vrij/);
      await desk.screenshot({ path: '/tmp/koepel-staff-agenda-week-1280.png', fullPage: true });
    } finally {
      await closeAll();
    }
  });

  test('a citizen’s booking is in the doctor’s day view on a 390 px phone', async () => {
    const k = suite.k;
    const gp = await orgId(k.db, DEMO.gp);
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    const doctorId = (
      await k.db
        .selectFrom('staff_account')
        .select('id')
        .where('email', '=', 'huisarts@delinde.example')
        .executeTakeFirstOrThrow()
    ).id;
    const consult = (
      await k.db
        .selectFrom('appointment_type')
        .select('id')
        .where('organisation_id', '=', gp)
        .where('name', '=', 'Consult')
        .executeTakeFirstOrThrow()
    ).id;
    await runInScope(
      { db: k.db, keys: k.koepel.keys },
      { kind: 'citizen', citizenId: suzanne, portalId: portal },
      (s) =>
        bookAppointment(s, {
          organisationId: gp,
          citizenId: suzanne,
          typeId: consult,
          staffId: doctorId,
          start: atLocal(monday, '08:00'),
          reason: 'Keelpijn sinds een week',
          reminderMinutes: null,
          idempotencyKey: null,
        }),
    );
    try {
      const phone = await newPage(PHONE);
      await logIn(phone, 'huisarts@delinde.example');
      await go(phone, () => workplaceNav(phone).getByRole('link', { name: 'Agenda' }).click(), /\/staff\/agenda$/);
      await phone.getByLabel('Datum', { exact: true }).fill(monday);
      await phone.getByLabel('Medewerker', { exact: true }).selectOption({ label: 'Dr. A. Huisman' });
      await go(phone, () => phone.getByRole('button', { name: 'Tonen' }).click(), /view=day/);
      const day = await phone.locator('main').innerText();
      assert.match(day, /08:00–08:10[\s\S]*Suzanne Maria de Vries[\s\S]*Consult[\s\S]*de patiënt zelf/);
      assert.match(day, /Keelpijn sinds een week/);
      assert.match(day, /Pieter Bakker/, 'the assistant’s booking of the first journey');
      await phone.screenshot({ path: '/tmp/koepel-staff-agenda-day-390.png', fullPage: true });
      await go(
        phone,
        () => phone.getByRole('link', { name: 'Suzanne Maria de Vries' }).click(),
        /\/staff\/agenda\/appointments\/[\w-]+$/,
      );
      assert.match(await phone.locator('main').innerText(), /Reden[\s\S]*Keelpijn sinds een week/);
      await go(phone, () => phone.getByRole('link', { name: 'Afspraak verplaatsen' }).click(), /\/move\?date=/);
      await phone.getByRole('radio', { name: '08:30–08:40, Dr. A. Huisman' }).check();
      await go(phone, () => phone.getByRole('button', { name: 'Naar deze tijd verplaatsen' }).click(), /\?done=moved$/);
      assert.match(
        await phone.locator('main').innerText(),
        /08:30–08:40[\s\S]*de patiënt zelf; gewijzigd door Dr\. A\. Huisman/,
      );
      await phone.screenshot({ path: '/tmp/koepel-staff-agenda-appointment-390.png', fullPage: true });
    } finally {
      await closeAll();
    }
  });

  test('an organisation admin sets a type, working hours, an absence and the out-of-hours service on a phone', async () => {
    const k = suite.k;
    const gp = await orgId(k.db, DEMO.gp);
    const { password_hash } = await k.db
      .selectFrom('staff_account')
      .select('password_hash')
      .where('email', '=', 'huisarts@delinde.example')
      .executeTakeFirstOrThrow();
    const admin = await k.db
      .insertInto('staff_account')
      .values({ email: 'beheer@delinde.example', display_name: 'P. Beheer', password_hash })
      .returning('id')
      .executeTakeFirstOrThrow();
    await k.db
      .insertInto('membership')
      .values({ staff_id: admin.id, organisation_id: gp, role: 'admin', permissions: ROLE_DEFAULTS.admin })
      .execute();
    try {
      const phone = await newPage(PHONE);
      await logIn(phone, 'beheer@delinde.example');
      await go(
        phone,
        () => workplaceNav(phone).getByRole('link', { name: 'Agenda-instellingen' }).click(),
        '/staff/admin/agenda',
      );
      await go(
        phone,
        () => phone.getByRole('link', { name: 'Soorten afspraken' }).click(),
        '/staff/admin/agenda/types',
      );
      await go(
        phone,
        () => phone.getByRole('link', { name: 'Nieuwe soort afspraak' }).click(),
        '/staff/admin/agenda/types/new',
      );
      // First with a mistake: the form says what is wrong, and keeps what was typed.
      await phone.getByLabel('Naam').fill('Wondcontrole');
      await phone.getByLabel('Hoe ver vooruit te boeken (dagen)').fill('999');
      await go(
        phone,
        () => phone.getByRole('button', { name: 'Soort afspraak toevoegen' }).click(),
        '/staff/admin/agenda/types',
      );
      assert.match(await phone.locator('main').innerText(), /Het aantal dagen ontbreekt of ligt buiten de grenzen/);
      await phone.getByLabel('Hoe ver vooruit te boeken (dagen)').fill('14');
      await phone.getByLabel('Duur').selectOption({ label: '20 minuten' });
      await phone.getByRole('checkbox', { name: 'L. de Boer' }).check();
      await go(
        phone,
        () => phone.getByRole('button', { name: 'Soort afspraak toevoegen' }).click(),
        '/staff/admin/agenda/types?done=created',
      );
      assert.match(await phone.locator('main').innerText(), /Wondcontrole[\s\S]*20 minuten[\s\S]*L\. de Boer/);
      await phone.screenshot({ path: '/tmp/koepel-staff-agenda-types-390.png', fullPage: true });

      await go(
        phone,
        () => phone.getByRole('link', { name: 'Terug naar de agenda-instellingen' }).click(),
        '/staff/admin/agenda',
      );
      await go(
        phone,
        () => phone.getByRole('link', { name: 'Werktijden en afwezigheid' }).click(),
        '/staff/admin/agenda/hours',
      );
      await go(phone, () => phone.getByRole('link', { name: 'L. de Boer' }).click(), /\/hours\/[\w-]+$/);
      await phone.getByLabel('Dag', { exact: true }).selectOption({ label: 'woensdag' });
      await phone.getByLabel('Van', { exact: true }).fill('13:00');
      await phone.getByLabel('Tot', { exact: true }).fill('16:30');
      await go(phone, () => phone.getByRole('button', { name: 'Werktijd toevoegen' }).click(), /done=hours-added/);
      assert.match(await phone.locator('main').innerText(), /woensdag[\s\S]*13:00–16:30/);
      await phone.getByLabel('Soort', { exact: true }).selectOption({ label: 'vakantie' });
      await phone.getByLabel('Vanaf datum').fill(monday);
      await phone.getByLabel('Tot datum').fill(nextDate(nextDate(monday)));
      await go(phone, () => phone.getByRole('button', { name: 'Afwezigheid toevoegen' }).click(), /done=absence-added/);
      assert.match(await phone.locator('main').innerText(), /vakantie/);
      await phone.screenshot({ path: '/tmp/koepel-staff-agenda-hours-390.png', fullPage: true });

      await phone.goto(`${k.url}/staff/admin/agenda/settings`);
      await check(phone);
      await phone.getByLabel('Naam van de huisartsenpost').fill('Huisartsenpost Utrecht Stad');
      await phone.getByLabel('Telefoonnummer van de huisartsenpost').fill('088 130 96 70');
      await go(phone, () => phone.getByRole('button', { name: 'Opslaan' }).click(), /settings\?saved=1$/);
      const org = await k.db
        .selectFrom('organisation')
        .select(['out_of_hours_name', 'agenda'])
        .where('id', '=', gp)
        .executeTakeFirstOrThrow();
      assert.deepEqual(org, { out_of_hours_name: 'Huisartsenpost Utrecht Stad', agenda: 'koepel' });
    } finally {
      await closeAll();
    }
  });
});
