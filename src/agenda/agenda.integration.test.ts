// The organisation's side of appointments over HTTP against a real Koepel (issue 12): an admin defines a type and
// weekly hours and the free times appear, an absence takes them away; a citizen's booking is in the doctor's day
// view at once; reasons only for employees with agenda:reasons; staff book, move and cancel for a citizen, who sees
// who did it; every patient the agenda shows is audited first; another organisation's staff see nothing and get 404
// on its ids; non-admins get 403 on the settings; bad input is refused with nothing written.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { csrfFrom, HttpClient, type Response } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import {
  atLocal,
  bookAppointment,
  citizenAppointment,
  isoWeekday,
  localDate,
  nextDate,
} from '../appointments/index.js';
import { ROLE_DEFAULTS } from '../platform/auth/permissions.js';
import type { Principal } from '../platform/db/principal.js';
import { runInScope, type DataScope } from '../platform/db/scope.js';
import { loginStaff } from '../staff/login.testkit.js';

const GP_DOCTOR = 'huisarts@delinde.example';
const GP_ASSISTANT = 'assistent@delinde.example';
const GP_PRIVACY = 'privacy@delinde.example';
const GP_ADMIN = 'beheer@delinde.example';
const GP_NEW = 'tweede.arts@delinde.example';
const HOSPITAL_DOCTOR = 'arts@rivierenland.example';
const ADMIN = '/staff/admin/agenda';

/** The first Monday at least three days ahead. */
function nextMonday(): string {
  let d = nextDate(nextDate(nextDate(localDate(new Date()))));
  while (isoWeekday(d) !== 1) d = nextDate(d);
  return d;
}

describe('the staff agenda and its settings (issue 12)', () => {
  let k: TestKoepel;
  let gp: string;
  let hospital: string;
  let portal: string;
  let suzanne: string;
  let pieter: string;
  let fatima: string;
  let johannes: string;
  let doctorId: string;
  let newDoctorId: string;
  let hospitalDoctorId: string;
  let consult: string;
  let hospitalType: string;
  let testType: string;
  let suzanneAppointment: string;
  const monday = nextMonday();
  const tuesday = nextDate(monday);
  const clients = new Map<string, HttpClient>();

  const c = (email: string): HttpClient => {
    const client = clients.get(email);
    if (!client) throw new Error(`${email} is not logged in`);
    return client;
  };
  const idOf = async (email: string) =>
    (await k.db.selectFrom('staff_account').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const count = async (table: 'appointment_type' | 'staff_availability' | 'staff_absence' | 'appointment') =>
    (
      await k.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
  const as = <T>(p: Principal, fn: (scope: DataScope) => Promise<T>) =>
    runInScope({ db: k.db, keys: k.koepel.keys }, p, fn);
  const citizen = (id: string): Principal => ({ kind: 'citizen', citizenId: id, portalId: portal });

  /** Posts a form with the CSRF token of `pagePath` (or none), repeated fields where a value is a list. */
  async function submit(
    client: HttpClient,
    pagePath: string | null,
    action: string,
    form: Readonly<Record<string, string | readonly string[] | undefined>>,
  ): Promise<Response> {
    const body = new URLSearchParams();
    if (pagePath !== null) body.set('_csrf', csrfFrom((await client.get(pagePath)).text));
    for (const [key, v] of Object.entries(form)) {
      for (const x of v === undefined ? [] : typeof v === 'string' ? [v] : v) body.append(key, x);
    }
    return client.request('POST', action, body.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }
  const dayView = (email: string, date: string, staffId?: string) =>
    c(email).get(`/staff/agenda?view=day&date=${date}${staffId ? `&staff=${staffId}` : ''}`);

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    fatima = await citizenId(k.db, k.koepel.keys, DEMO.fatima);
    johannes = await citizenId(k.db, k.koepel.keys, DEMO.johannes);
    doctorId = await idOf(GP_DOCTOR);
    hospitalDoctorId = await idOf(HOSPITAL_DOCTOR);
    const typeId = async (org: string, name: string) =>
      (
        await k.db
          .selectFrom('appointment_type')
          .select('id')
          .where('organisation_id', '=', org)
          .where('name', '=', name)
          .executeTakeFirstOrThrow()
      ).id;
    consult = await typeId(gp, 'Consult');
    hospitalType = await typeId(hospital, 'Polikliniek consult');
    // The demo GP has no admin and one doctor with hours: an admin and a second doctor without hours, as the owner.
    const { password_hash } = await k.db
      .selectFrom('staff_account')
      .select('password_hash')
      .where('id', '=', doctorId)
      .executeTakeFirstOrThrow();
    for (const [email, name, role] of [
      [GP_ADMIN, 'P. Beheer', 'admin'],
      [GP_NEW, 'Dr. B. Tweede', 'doctor'],
    ] as const) {
      const account = await k.db
        .insertInto('staff_account')
        .values({ email, display_name: name, password_hash })
        .returning('id')
        .executeTakeFirstOrThrow();
      await k.db
        .insertInto('membership')
        .values({ staff_id: account.id, organisation_id: gp, role, permissions: ROLE_DEFAULTS[role] })
        .execute();
    }
    newDoctorId = await idOf(GP_NEW);
    // ZL-10: the assistant of this test sees the agenda but not the reasons.
    await k.db
      .updateTable('membership')
      .set({ permissions: ROLE_DEFAULTS.assistant.filter((p) => p !== 'agenda:reasons') })
      .where('staff_id', '=', await idOf(GP_ASSISTANT))
      .execute();
    for (const email of [GP_DOCTOR, GP_ASSISTANT, GP_PRIVACY, GP_ADMIN, HOSPITAL_DOCTOR]) {
      clients.set(email, (await loginStaff(k.url, email)).client);
    }
  });
  after(async () => {
    await k.close();
  });

  test('[ZL-10] an admin defines a type and weekly hours: the free times appear in the agenda and the booking form', async () => {
    const types = await submit(c(GP_ADMIN), `${ADMIN}/types/new`, `${ADMIN}/types`, {
      name: 'Testconsult',
      duration: '15',
      features: ['online'],
      staff: [newDoctorId],
      horizon: '60',
      notice: '120',
      cancel: '48',
    });
    assert.equal(types.status, 303);
    assert.equal(types.location, `${ADMIN}/types?done=created`);
    const row = await k.db
      .selectFrom('appointment_type')
      .selectAll()
      .where('organisation_id', '=', gp)
      .where('name', '=', 'Testconsult')
      .executeTakeFirstOrThrow();
    testType = row.id;
    assert.equal(row.duration_minutes, 15);
    assert.equal(row.online_bookable, true);
    assert.equal(row.video, false);
    assert.deepEqual(row.staff_ids, [newDoctorId]);
    assert.deepEqual([row.booking_horizon_days, row.min_notice_minutes, row.cancel_until_hours], [60, 120, 48]);
    assert.match((await c(GP_ADMIN).get(`${ADMIN}/types`)).text, /Testconsult[\s\S]*15 minuten[\s\S]*Dr\. B\. Tweede/);

    // No hours yet: no free time.
    assert.doesNotMatch((await dayView(GP_ASSISTANT, monday, newDoctorId)).text, /Vrij/);
    const hours = await submit(c(GP_ADMIN), `${ADMIN}/hours/${newDoctorId}`, `${ADMIN}/hours/${newDoctorId}/hours`, {
      weekday: '1',
      start: '09:00',
      end: '10:00',
      from: localDate(new Date()),
      until: '',
    });
    assert.equal(hours.status, 303);
    const page = await c(GP_ADMIN).get(`${ADMIN}/hours/${newDoctorId}`);
    assert.match(page.text, /maandag[\s\S]*09:00–10:00/);

    const view = await dayView(GP_ASSISTANT, monday, newDoctorId);
    assert.equal(view.status, 200);
    assert.match(view.text, /09:00–10:00[\s\S]*Vrij/);
    const form = await c(GP_ASSISTANT).get(
      `/staff/agenda/book/${pieter}?type=${testType}&staff=${newDoctorId}&date=${monday}`,
    );
    assert.equal(form.status, 200);
    const starts = [...form.text.matchAll(/value="([0-9a-f-]{36})\|([^"]+)"/g)].map((m) => localTimeOf(m[2] ?? ''));
    assert.deepEqual(starts, ['09:00', '09:15', '09:30', '09:45']);
    // Tuesday: no hours, no times.
    const tuesdayForm = await c(GP_ASSISTANT).get(
      `/staff/agenda/book/${pieter}?type=${testType}&staff=${newDoctorId}&date=${tuesday}`,
    );
    assert.match(tuesdayForm.text, /Geen vrije tijden op deze dag/);
  });

  test('an absence takes the free times away; removing it gives them back', async () => {
    const r = await submit(c(GP_ADMIN), `${ADMIN}/hours/${newDoctorId}`, `${ADMIN}/hours/${newDoctorId}/absences`, {
      kind: 'sick',
      fromDate: monday,
      fromTime: '09:00',
      toDate: monday,
      toTime: '09:30',
    });
    assert.equal(r.status, 303);
    const view = await dayView(GP_ASSISTANT, monday, newDoctorId);
    assert.match(view.text, /09:00–09:30[\s\S]*Afwezig \(ziek\)[\s\S]*09:30–10:00[\s\S]*Vrij/);
    const form = await c(GP_ASSISTANT).get(
      `/staff/agenda/book/${pieter}?type=${testType}&staff=${newDoctorId}&date=${monday}`,
    );
    const starts = [...form.text.matchAll(/value="[0-9a-f-]{36}\|([^"]+)"/g)].map((m) => localTimeOf(m[1] ?? ''));
    assert.deepEqual(starts, ['09:30', '09:45']);
    // Removed again (the button of its row), the times come back.
    const absence = await k.db
      .selectFrom('staff_absence')
      .select('id')
      .where('staff_id', '=', newDoctorId)
      .executeTakeFirstOrThrow();
    const removed = await submit(
      c(GP_ADMIN),
      `${ADMIN}/hours/${newDoctorId}`,
      `${ADMIN}/hours/${newDoctorId}/absences/${absence.id}/remove`,
      {},
    );
    assert.equal(removed.status, 303);
    assert.equal(await count('staff_absence'), 0);
    assert.match((await dayView(GP_ASSISTANT, monday, newDoctorId)).text, /09:00–10:00[\s\S]*Vrij/);
  });

  test('[MG-6] a citizen’s booking is in the doctor’s day view at once, reason inert; [ZL-1] each patient shown is audited first', async () => {
    const reason = 'Keelpijn <script>alert(1)</script>';
    suzanneAppointment = (
      await as(citizen(suzanne), (s) =>
        bookAppointment(s, {
          organisationId: gp,
          citizenId: suzanne,
          typeId: consult,
          staffId: doctorId,
          start: atLocal(monday, '08:00'),
          reason,
          reminderMinutes: null,
          idempotencyKey: null,
        }),
      )
    ).id;
    const since = new Date();
    const view = await dayView(GP_DOCTOR, monday, doctorId);
    assert.equal(view.status, 200);
    assert.match(
      view.text,
      /08:00–08:10[\s\S]*Suzanne Maria de Vries[\s\S]*Consult[\s\S]*Ingepland[\s\S]*de patiënt zelf/,
    );
    assert.match(view.text, new RegExp(`href="/staff/agenda/appointments/${suzanneAppointment}"`));
    assert.match(view.text, /Keelpijn &lt;script>alert\(1\)&lt;\/script>/);
    assert.doesNotMatch(view.text, /<script>alert/);
    // The free time around it: 08:10 until the lunch break.
    assert.match(view.text, /08:10–12:00[\s\S]*Vrij/);

    // ZL-1: one agenda.view record per citizen, written by this doctor in this request, naming only Suzanne.
    const audits = await k.db
      .selectFrom('audit_log')
      .select(['citizen_id', 'actor_id', 'action'])
      .where('event_code', '=', 'agenda.view')
      .where('occurred_at', '>=', since)
      .execute();
    assert.deepEqual(
      audits.map((a) => [a.citizen_id, a.actor_id, a.action]),
      [[suzanne, doctorId, 'R']],
    );
    // The week view of the whole practice shows it too, and names the employee.
    const week = await c(GP_DOCTOR).get(`/staff/agenda?view=week&date=${tuesday}`);
    assert.match(week.text, /Suzanne Maria de Vries/);
    assert.match(week.text, /Dr\. A\. Huisman/);
  });

  test('[ZL-10] the reason is shown to the doctor and hidden from an employee without agenda:reasons', async () => {
    const doctor = await c(GP_DOCTOR).get(`/staff/agenda/appointments/${suzanneAppointment}`);
    assert.equal(doctor.status, 200);
    assert.match(doctor.text, /Reden[\s\S]*Keelpijn &lt;script>/);
    const assistant = await c(GP_ASSISTANT).get(`/staff/agenda/appointments/${suzanneAppointment}`);
    assert.equal(assistant.status, 200);
    assert.match(assistant.text, /Suzanne Maria de Vries/);
    assert.doesNotMatch(assistant.text, /Keelpijn|>Reden</);
    const day = await dayView(GP_ASSISTANT, monday, doctorId);
    assert.match(day.text, /Suzanne Maria de Vries/);
    assert.doesNotMatch(day.text, /Keelpijn|>Reden</);
    // The privacy officer has no agenda:read at all.
    assert.equal((await c(GP_PRIVACY).get('/staff/agenda')).status, 403);
    assert.equal((await c(GP_PRIVACY).get(`/staff/agenda/appointments/${suzanneAppointment}`)).status, 403);
  });

  test('[ZL-1] another organisation’s staff see nothing of it and get 404 on its ids', async () => {
    const hospitalView = await dayView(HOSPITAL_DOCTOR, monday);
    assert.equal(hospitalView.status, 200);
    assert.doesNotMatch(hospitalView.text, /Suzanne|Huisman|Keelpijn/);
    const hc = c(HOSPITAL_DOCTOR);
    assert.equal((await hc.get(`/staff/agenda/appointments/${suzanneAppointment}`)).status, 404);
    assert.equal((await hc.get(`/staff/agenda/appointments/${suzanneAppointment}/move`)).status, 404);
    const csrf = csrfFrom((await hc.get('/staff/agenda')).text);
    assert.equal(
      (await hc.post(`/staff/agenda/appointments/${suzanneAppointment}/cancel`, { _csrf: csrf })).status,
      404,
    );
    assert.equal((await hc.get(`/staff/agenda?staff=${doctorId}`)).status, 404);
    // Fatima is the GP's patient only; Johannes' GP relationship ended.
    assert.equal((await hc.get(`/staff/agenda/book/${fatima}`)).status, 404);
    assert.equal((await c(GP_DOCTOR).get(`/staff/agenda/book/${johannes}`)).status, 404);
    const before = await count('appointment');
    const foreignBooking = await hc.post(`/staff/agenda/book/${fatima}`, {
      _csrf: csrf,
      type: hospitalType,
      time: `${hospitalDoctorId}|${atLocal(monday, '09:00').toISOString()}`,
      reason: '',
      key: randomUUID(),
    });
    assert.equal(foreignBooking.status, 404);
    assert.equal(await count('appointment'), before);
    const cancelled = await k.db
      .selectFrom('appointment')
      .select('status')
      .where('id', '=', suzanneAppointment)
      .executeTakeFirstOrThrow();
    assert.equal(cancelled.status, 'booked');
    // The GP's admin and another organisation's type, employee and hours.
    const admin = c(GP_ADMIN);
    assert.equal((await admin.get(`${ADMIN}/types/${hospitalType}`)).status, 404);
    assert.equal((await admin.get(`${ADMIN}/hours/${hospitalDoctorId}`)).status, 404);
    const hospitalHours = await k.db
      .selectFrom('staff_availability')
      .select('id')
      .where('organisation_id', '=', hospital)
      .executeTakeFirstOrThrow();
    const typesBefore = await k.db.selectFrom('appointment_type').selectAll().where('id', '=', hospitalType).execute();
    for (const [path, form] of [
      [
        `${ADMIN}/types/${hospitalType}`,
        { name: 'Overgenomen', duration: '10', horizon: '10', notice: '0', cancel: '0' },
      ],
      [`${ADMIN}/types/${hospitalType}/deactivate`, {}],
      [`${ADMIN}/hours/${hospitalDoctorId}/hours`, { weekday: '2', start: '08:00', end: '09:00', from: monday }],
      [`${ADMIN}/hours/${hospitalDoctorId}/hours/${hospitalHours.id}/remove`, {}],
      [`${ADMIN}/hours/${newDoctorId}/hours/${hospitalHours.id}/remove`, {}],
    ] as const) {
      assert.equal((await submit(admin, ADMIN, path, form)).status, 404, path);
    }
    assert.deepEqual(
      await k.db.selectFrom('appointment_type').selectAll().where('id', '=', hospitalType).execute(),
      typesBefore,
    );
    assert.ok(
      await k.db.selectFrom('staff_availability').select('id').where('id', '=', hospitalHours.id).executeTakeFirst(),
    );
  });

  test('[ZL-10] employees without admin:organisation get 403 on every settings page and form', async () => {
    for (const email of [GP_DOCTOR, GP_ASSISTANT]) {
      const client = c(email);
      for (const path of [
        ADMIN,
        `${ADMIN}/types`,
        `${ADMIN}/types/new`,
        `${ADMIN}/types/${consult}`,
        `${ADMIN}/hours`,
        `${ADMIN}/hours/${doctorId}`,
        `${ADMIN}/settings`,
      ]) {
        assert.equal((await client.get(path)).status, 403, `${email} ${path}`);
      }
      const before = await count('appointment_type');
      const r = await submit(client, '/staff/agenda', `${ADMIN}/types`, {
        name: 'Niet toegestaan',
        duration: '10',
        horizon: '10',
        notice: '0',
        cancel: '0',
      });
      assert.equal(r.status, 403);
      assert.equal(await count('appointment_type'), before);
    }
    // The menu offers the settings to the admin only, the agenda to those with agenda:read.
    const adminHome = (await c(GP_ADMIN).get('/staff')).text;
    assert.match(adminHome, /href="\/staff\/admin\/agenda"/);
    assert.doesNotMatch(adminHome, /href="\/staff\/agenda"/);
    const doctorHome = (await c(GP_DOCTOR).get('/staff')).text;
    assert.match(doctorHome, /href="\/staff\/agenda"/);
    assert.doesNotMatch(doctorHome, /href="\/staff\/admin\/agenda"/);
  });

  test('bad input is refused with a clear 400 and nothing is written; no CSRF token, no write', async () => {
    const admin = c(GP_ADMIN);
    const typesBefore = await count('appointment_type');
    const good = { name: 'Goed', duration: '10', horizon: '10', notice: '0', cancel: '0' };
    for (const [bad, message] of [
      [{ name: '' }, /Vul een naam in/],
      [{ name: 'x'.repeat(81) }, /Vul een naam in/],
      [{ duration: '7' }, /Kies een duur/],
      [{ duration: '245' }, /Kies een duur/],
      [{ horizon: 'abc' }, /aantal dagen/],
      [{ horizon: '0' }, /aantal dagen/],
      [{ notice: '-5' }, /aantal minuten/],
      [{ cancel: '400' }, /aantal uren/],
      [{ staff: [hospitalDoctorId] }, /alleen medewerkers van uw organisatie/],
      [{ name: 'Consult' }, /al een soort afspraak met deze naam/],
    ] as const) {
      const r = await submit(admin, `${ADMIN}/types/new`, `${ADMIN}/types`, { ...good, ...bad });
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.match(r.text, message);
      assert.match(r.text, /Er is een probleem/);
    }
    assert.equal(await count('appointment_type'), typesBefore);
    // An edit that is refused leaves the type as it was.
    const r = await submit(admin, `${ADMIN}/types/${testType}`, `${ADMIN}/types/${testType}`, {
      ...good,
      duration: '3',
    });
    assert.equal(r.status, 400);
    const kept = await k.db
      .selectFrom('appointment_type')
      .select('name')
      .where('id', '=', testType)
      .executeTakeFirstOrThrow();
    assert.equal(kept.name, 'Testconsult');

    const hoursBefore = await count('staff_availability');
    const hoursPage = `${ADMIN}/hours/${newDoctorId}`;
    for (const bad of [
      { weekday: '8', start: '09:00', end: '10:00', from: monday },
      { weekday: '1', start: '10:00', end: '09:00', from: monday },
      { weekday: '1', start: '25:00', end: '26:00', from: monday },
      { weekday: '1', start: '09:00', end: '10:00', from: '2026-02-30' },
      { weekday: '1', start: '09:00', end: '10:00', from: monday, until: '2020-01-01' },
    ]) {
      assert.equal((await submit(admin, hoursPage, `${hoursPage}/hours`, bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal(await count('staff_availability'), hoursBefore);
    const absencesBefore = await count('staff_absence');
    for (const bad of [
      { kind: 'party', fromDate: monday, fromTime: '09:00', toDate: monday, toTime: '10:00' },
      { kind: 'sick', fromDate: monday, fromTime: '10:00', toDate: monday, toTime: '09:00' },
      { kind: 'sick', fromDate: monday, fromTime: '09:00', toDate: '', toTime: '' },
    ]) {
      assert.equal((await submit(admin, hoursPage, `${hoursPage}/absences`, bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal(await count('staff_absence'), absencesBefore);

    const settingsOf = () =>
      k.db
        .selectFrom('organisation')
        .select(['out_of_hours_name', 'out_of_hours_phone', 'agenda', 'name', 'phone'])
        .where('id', '=', gp)
        .executeTakeFirstOrThrow();
    const settingsBefore = await settingsOf();
    for (const bad of [
      { outOfHoursName: 'Post', outOfHoursPhone: 'bel ons', agenda: 'koepel' },
      { outOfHoursName: 'Post', outOfHoursPhone: '', agenda: 'koepel' },
      { outOfHoursName: 'Post', outOfHoursPhone: '088 123', agenda: 'elders' },
    ]) {
      const res = await submit(admin, `${ADMIN}/settings`, `${ADMIN}/settings`, bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
    assert.deepEqual(await settingsOf(), settingsBefore);
    // Without the CSRF token: refused, nothing written.
    const noCsrf = await submit(admin, null, `${ADMIN}/types`, { ...good, name: 'Zonder token' });
    assert.equal(noCsrf.status, 403);
    assert.equal(await count('appointment_type'), typesBefore);
    const noCsrfSettings = await submit(admin, null, `${ADMIN}/settings`, {
      outOfHoursName: 'X',
      outOfHoursPhone: '112',
      agenda: 'external',
    });
    assert.equal(noCsrfSettings.status, 403);
    assert.deepEqual(await settingsOf(), settingsBefore);

    // Good input: saved (only the three columns the admin may change), and script in a name stays text.
    const saved = await submit(admin, `${ADMIN}/settings`, `${ADMIN}/settings`, {
      outOfHoursName: 'Huisartsenpost <b>Midden</b>',
      outOfHoursPhone: '088 130 96 71',
      agenda: 'koepel',
    });
    assert.equal(saved.status, 303);
    const after = await settingsOf();
    assert.equal(after.out_of_hours_name, 'Huisartsenpost <b>Midden</b>');
    assert.equal(after.out_of_hours_phone, '088 130 96 71');
    assert.equal(after.name, settingsBefore.name);
    const page = await admin.get(`${ADMIN}/settings?saved=1`);
    assert.match(page.text, /value="Huisartsenpost <b>Midden<\/b>"/);
    const scripted = await submit(admin, `${ADMIN}/types/new`, `${ADMIN}/types`, {
      ...good,
      name: '<img src=x onerror=alert(1)>',
    });
    assert.equal(scripted.status, 303);
    const list = await admin.get(`${ADMIN}/types`);
    assert.doesNotMatch(list.text, /<img src=x/);
    assert.match(list.text, /&lt;img src=x onerror=alert\(1\)>/);
  });

  test('[MG-6] staff book, move and cancel for a citizen; the citizen sees who did it; never in the past', async () => {
    const assistant = c(GP_ASSISTANT);
    // Find the patient: POST, so the name is in no URL.
    const search = await submit(assistant, '/staff/agenda/book', '/staff/agenda/book/search', { name: 'Bakker' });
    assert.equal(search.status, 200);
    assert.match(search.text, new RegExp(`href="/staff/agenda/book/${pieter}"`));
    const form = await assistant.get(`/staff/agenda/book/${pieter}?type=${consult}&staff=${doctorId}&date=${monday}`);
    assert.equal(form.status, 200);
    const value = `${doctorId}|${atLocal(monday, '10:00').toISOString()}`;
    assert.ok(form.text.includes(`value="${value}"`));
    const key = /name="key" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const post = (extra: Record<string, string>) =>
      assistant.post(`/staff/agenda/book/${pieter}`, {
        _csrf: csrfFrom(form.text),
        type: consult,
        time: value,
        reason: 'Controle bloeddruk',
        key,
        ...extra,
      });
    const booked = await post({});
    assert.equal(booked.status, 303);
    const id = /\/staff\/agenda\/appointments\/([0-9a-f-]{36})\?done=booked$/.exec(booked.location ?? '')?.[1] ?? '';
    assert.ok(id);
    // A double submit finds the first booking.
    const again = await post({});
    assert.equal(again.location, booked.location);
    assert.equal(
      (await k.db.selectFrom('appointment').select('id').where('citizen_id', '=', pieter).execute()).length,
      1,
    );
    const view = await as(citizen(pieter), (s) => citizenAppointment(s, pieter, id));
    assert.equal(view?.bookedBy, 'staff');
    assert.equal(view?.bookedByName, 'L. de Boer');
    assert.equal(view?.staffName, 'Dr. A. Huisman');
    assert.equal(view?.reason, 'Controle bloeddruk');
    const detail = await assistant.get(`/staff/agenda/appointments/${id}?done=booked`);
    assert.match(detail.text, /De afspraak is ingepland/);
    assert.match(detail.text, /Pieter Bakker/);

    // In the past, a taken time, a time outside the hours and a made-up value: refused, nothing written.
    const before = await count('appointment');
    const past = await post({
      key: randomUUID(),
      time: `${doctorId}|${new Date(Date.now() - 3_600_000).toISOString()}`,
    });
    assert.equal(past.status, 400);
    assert.match(past.text, /Deze tijd is al voorbij/);
    const taken = await post({ key: randomUUID(), time: `${doctorId}|${atLocal(monday, '08:00').toISOString()}` });
    assert.equal(taken.status, 409);
    assert.match(taken.text, /net door iemand anders ingenomen/);
    const lunch = await post({ key: randomUUID(), time: `${doctorId}|${atLocal(monday, '12:30').toISOString()}` });
    assert.equal(lunch.status, 409);
    assert.equal((await post({ key: randomUUID(), time: 'morgen om tien' })).status, 400);
    assert.equal((await post({ key: 'geen-uuid' })).status, 400);
    assert.equal(await count('appointment'), before);
    // Staff are not bound by the citizen's horizon (28 days for Consult): 40 days ahead is fine for them.
    let far = nextDate(localDate(new Date(Date.now() + 40 * 86_400_000)));
    while (isoWeekday(far) > 5) far = nextDate(far);
    const farForm = await assistant.get(`/staff/agenda/book/${pieter}?type=${consult}&staff=${doctorId}&date=${far}`);
    assert.ok(farForm.text.includes(`value="${doctorId}|${atLocal(far, '08:00').toISOString()}"`));

    // Move: the doctor moves it to 10:30; the citizen sees who changed it.
    const doctor = c(GP_DOCTOR);
    const movePage = await doctor.get(`/staff/agenda/appointments/${id}/move?date=${monday}`);
    assert.equal(movePage.status, 200);
    const moveTo = `${doctorId}|${atLocal(monday, '10:30').toISOString()}`;
    assert.ok(movePage.text.includes(`value="${moveTo}"`));
    assert.ok(!movePage.text.includes(`value="${doctorId}|${atLocal(monday, '08:00').toISOString()}"`));
    const moved = await doctor.post(`/staff/agenda/appointments/${id}/move`, {
      _csrf: csrfFrom(movePage.text),
      time: moveTo,
    });
    assert.equal(moved.status, 303);
    const afterMove = await as(citizen(pieter), (s) => citizenAppointment(s, pieter, id));
    assert.equal(afterMove?.start.getTime(), atLocal(monday, '10:30').getTime());
    assert.equal(afterMove?.changedBy, 'staff');
    assert.equal(afterMove?.changedByName, 'Dr. A. Huisman');
    const movedBad = await doctor.post(`/staff/agenda/appointments/${id}/move`, {
      _csrf: csrfFrom(movePage.text),
      time: `${doctorId}|${atLocal(monday, '08:00').toISOString()}`,
    });
    assert.equal(movedBad.status, 409);

    // Cancel: the assistant cancels it; the citizen sees who; the doctor's day shows it cancelled.
    const cancelled = await assistant.post(`/staff/agenda/appointments/${id}/cancel`, {
      _csrf: csrfFrom(detail.text),
    });
    assert.equal(cancelled.status, 303);
    const afterCancel = await as(citizen(pieter), (s) => citizenAppointment(s, pieter, id));
    assert.equal(afterCancel?.status, 'cancelled');
    assert.equal(afterCancel?.changedByName, 'L. de Boer');
    const day = await dayView(GP_DOCTOR, monday, doctorId);
    assert.match(day.text, /Pieter Bakker[\s\S]*Geannuleerd[\s\S]*L\. de Boer; gewijzigd door L\. de Boer/);
    assert.equal(
      (await assistant.post(`/staff/agenda/appointments/${id}/cancel`, { _csrf: csrfFrom(detail.text) })).status,
      409,
    );
  });
});

function localTimeOf(iso: string): string {
  return new Intl.DateTimeFormat('nl-NL', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/Amsterdam',
  }).format(new Date(iso));
}
