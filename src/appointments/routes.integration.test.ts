// The citizen's appointment pages over HTTP against a real Koepel (MG-6, MG-1): the emergency notice first, the
// booking steps with ids and dates only in the URLs, one booking for a double submit, "just taken" back at the time
// choice (409), change and cancel within the rule, the .ics (parsed with ical.js), and bad input: another citizen's
// ids in every URL and form, malformed ids, organisations without a relationship or without appointments, script in
// the reason, a missing CSRF token — each a clear 4xx that writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ICAL from 'ical.js';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { pageText } from '../../test/support/html.js';
import { csrfFrom, HttpClient, type Response } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import { newApiClient, pushEveryType } from '../fhir/read/testkit.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { runInScope } from '../platform/db/scope.js';
import { atLocal, bookAppointment, isoWeekday, localDate, nextDate } from './index.js';

/** The first Monday at least three days ahead: inside every demo type's notice and horizon. */
function nextMonday(): string {
  let d = nextDate(nextDate(nextDate(localDate(new Date()))));
  while (isoWeekday(d) !== 1) d = nextDate(d);
  return d;
}

const GP_PHONE = '030 123 45 67';

describe('the citizen’s appointment pages (MG-6)', () => {
  let k: TestKoepel;
  let gp: string;
  let pharmacy: string;
  let hospital: string;
  let physio: string;
  let suzanne: string;
  let pieter: string;
  let consult: string;
  let doctor: string;
  let assistant: string;
  let s: HttpClient;
  let p: HttpClient;
  let j: HttpClient;
  const monday = nextMonday();

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    hospital = await orgId(k.db, DEMO.hospital);
    physio = await orgId(k.db, DEMO.physio);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    doctor = (await staffPrincipal(k.db, 'huisarts@delinde.example')).staffId;
    assistant = (await staffPrincipal(k.db, 'assistent@delinde.example')).staffId;
    consult = (
      await k.db
        .selectFrom('appointment_type')
        .select('id')
        .where('organisation_id', '=', gp)
        .where('name', '=', 'Consult')
        .executeTakeFirstOrThrow()
    ).id;
    // The GP's system pushed one appointment of its own: it is in the same list.
    await pushEveryType(k.db, k.koepel.keys, await newApiClient(k.db, gp), suzanne, 'HA-S');
    s = new HttpClient(k.url);
    p = new HttpClient(k.url);
    j = new HttpClient(k.url);
    assert.equal((await loginWithDigid(s, DEMO.suzanne)).status, 303);
    assert.equal((await loginWithDigid(p, DEMO.pieter)).status, 303);
    assert.equal((await loginWithDigid(j, DEMO.johannes)).status, 303);
  });
  after(async () => {
    await k.close();
  });

  const count = async (table: 'appointment' | 'appointment_reason') =>
    Number(
      (
        await k.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const audits = async (event: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from audit_log where event_code = ${event}`.execute(k.db))
      .rows[0]?.n ?? 0;

  function post(c: HttpClient, path: string, form: Record<string, string>): Promise<Response> {
    return c.request('POST', path, new URLSearchParams(form).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  /** The free times offered on a day's time page. */
  const timesOn = (html: string) => [...html.matchAll(/name="time" value="(\d\d:\d\d)"/g)].map((m) => m[1] ?? '');

  /** Walks the steps to the summary and returns the booking form's fields (with its idempotency key). */
  async function toSummary(
    c: HttpClient,
    o: { org: string; staff: string; type: string; day: string; time: string; reason?: string; reminder?: string },
  ): Promise<{ page: Response; form: Record<string, string> }> {
    const q = new URLSearchParams({ org: o.org, staff: o.staff, type: o.type, day: o.day, time: o.time });
    const details = await c.get(`/appointments/new/details?${q}`);
    assert.equal(details.status, 200, pageText(details.text).slice(0, 400));
    const page = await post(c, '/appointments/new/confirm', {
      _csrf: csrfFrom(details.text),
      org: o.org,
      staff: o.staff,
      type: o.type,
      day: o.day,
      time: o.time,
      reason: o.reason ?? '',
      reminder: o.reminder ?? 'none',
    });
    assert.equal(page.status, 200, pageText(page.text).slice(0, 400));
    const key = /name="key" value="([0-9a-f-]{36})"/.exec(page.text)?.[1];
    assert.ok(key, 'an idempotency key on the summary');
    return {
      page,
      form: {
        _csrf: csrfFrom(page.text),
        org: o.org,
        staff: o.staff,
        type: o.type,
        day: o.day,
        time: o.time,
        reason: o.reason ?? '',
        reminder: o.reminder ?? 'none',
        key,
      },
    };
  }

  async function book(c: HttpClient, time: string, extra: { reason?: string; reminder?: string } = {}) {
    const { form } = await toSummary(c, { org: gp, staff: doctor, type: consult, day: monday, time, ...extra });
    const res = await post(c, '/appointments', form);
    assert.equal(res.status, 303, pageText(res.text).slice(0, 300));
    const id = /^\/appointments\/([0-9a-f-]{36})\?notice=made$/.exec(res.location ?? '')?.[1];
    assert.ok(id, res.location ?? '');
    return id;
  }

  test('[MG-6] the booking starts with the emergency notice: 112, the GP’s own number and its huisartsenpost', async () => {
    const start = await s.get('/appointments/new');
    assert.equal(start.status, 200);
    const text = pageText(start.text);
    const notice = text.indexOf('Online afspraken zijn niet voor spoed. Bel bij levensgevaar 112');
    assert.ok(notice >= 0, 'the notice');
    assert.ok(notice < text.indexOf('Bij welke zorgverlener?'), 'before the first choice');
    assert.match(text, new RegExp(`Huisartsenpraktijk De Linde: ${GP_PHONE}`));
    assert.match(text, /Huisartsenpost Utrecht 088 130 96 70/);
    assert.match(start.text, /href="tel:0301234567"/);
    // Every later step repeats it for the chosen organisation.
    const staff = await s.get(`/appointments/new/staff?org=${gp}`);
    assert.match(pageText(staff.text), /Bel bij levensgevaar 112[\s\S]*030 123 45 67[\s\S]*Huisartsenpost Utrecht/);
  });

  test('[MG-1] only care providers with an active relationship that switched appointments on are offered', async () => {
    const suzannes = (await s.get('/appointments/new')).text;
    // Suzanne: GP, pharmacy (no appointments), hospital.
    assert.match(suzannes, new RegExp(`/appointments/new/staff\\?org=${gp}`));
    assert.match(suzannes, new RegExp(`/appointments/new/staff\\?org=${hospital}`));
    assert.doesNotMatch(suzannes, new RegExp(pharmacy));
    assert.doesNotMatch(suzannes, new RegExp(physio));
    for (const org of [pharmacy, physio]) {
      for (const path of [
        `/appointments/new/staff?org=${org}`,
        `/appointments/new/type?org=${org}&staff=any`,
        `/appointments/new/time?org=${org}&staff=any&type=${consult}`,
      ]) {
        assert.equal((await s.get(path)).status, 404, path);
      }
    }
    // Johannes' relationship with the GP ended.
    assert.equal((await j.get(`/appointments/new/staff?org=${gp}`)).status, 404);
    assert.doesNotMatch((await j.get('/appointments/new')).text, new RegExp(gp));
    // A booking form posted to an organisation without a relationship: 404, nothing written.
    const before = await count('appointment');
    const page = await j.get('/appointments/new');
    const res = await post(j, '/appointments', {
      _csrf: csrfFrom(page.text),
      org: gp,
      staff: doctor,
      type: consult,
      day: monday,
      time: '09:00',
      reason: '',
      reminder: 'none',
      key: crypto.randomUUID(),
    });
    assert.equal(res.status, 404);
    assert.equal(await count('appointment'), before);
    // An organisation with the function on but nothing bookable online is not offered either.
    await k.db
      .updateTable('appointment_type')
      .set({ online_bookable: false })
      .where('organisation_id', '=', hospital)
      .execute();
    try {
      assert.doesNotMatch((await s.get('/appointments/new')).text, new RegExp(hospital));
      assert.equal((await s.get(`/appointments/new/type?org=${hospital}&staff=any`)).status, 404);
    } finally {
      await k.db
        .updateTable('appointment_type')
        .set({ online_bookable: true })
        .where('organisation_id', '=', hospital)
        .execute();
    }
  });

  test('[MG-6] a citizen books step by step (staff, type, a Dutch week, a time, reason, reminder, summary); a double submit books once', async () => {
    const staff = await s.get(`/appointments/new/staff?org=${gp}`);
    assert.match(staff.text, /Maakt niet uit/);
    assert.match(staff.text, /Dr\. A\. Huisman/);
    assert.match(staff.text, /L\. de Boer/);
    const types = await s.get(`/appointments/new/type?org=${gp}&staff=${doctor}`);
    assert.match(pageText(types.text), /Consult 10 minuten/);
    assert.match(pageText(types.text), /Videoconsult 10 minuten Kan als videoconsult/);
    assert.doesNotMatch(types.text, /Bloeddruk meten/, 'the assistant’s type is not the doctor’s');
    const assistantTypes = await s.get(`/appointments/new/type?org=${gp}&staff=${assistant}`);
    assert.match(assistantTypes.text, /Bloeddruk meten/);
    assert.doesNotMatch(assistantTypes.text, />Consult</);

    const week = await s.get(
      `/appointments/new/time?org=${gp}&staff=${doctor}&type=${consult}&week=${monday}&day=${monday}`,
    );
    assert.equal(week.status, 200);
    const text = pageText(week.text);
    // A week from Monday, Dutch names, 24-hour times.
    assert.match(text, /Week van ma \d+ \w+ tot en met zo \d+ \w+/);
    assert.match(text, /maandag \d{1,2} \w+ 20\d\d/);
    assert.match(text, /Vorige week|Volgende week/);
    const times = timesOn(week.text);
    assert.equal(times[0], '08:00');
    assert.ok(times.includes('13:30') && times.includes('16:50'), '24-hour times');
    assert.ok(!times.includes('12:00'), 'not in the lunch break');
    // The URLs carry ids, dates and times only.
    for (const m of week.text.matchAll(/href="(\/appointments\/new[^"]*)"/g)) {
      assert.match(
        m[1] ?? '',
        /^\/appointments\/new\/[a-z]+(\?(org|staff|type|week|day)=[0-9a-z-]+(&amp;(org|staff|type|week|day)=[0-9a-z-]+)*)?$/,
      );
    }

    const reason = 'Keelpijn sinds een week';
    const { page, form } = await toSummary(s, {
      org: gp,
      staff: doctor,
      type: consult,
      day: monday,
      time: '08:00',
      reason,
      reminder: '1440',
    });
    const summary = pageText(page.text);
    assert.match(summary, /Huisartsenpraktijk De Linde[\s\S]*Dr\. A\. Huisman[\s\S]*Consult \(10 minuten\)/);
    assert.match(summary, /maandag \d{1,2} \w+ 20\d\d, 08:00 – 08:10/);
    assert.match(summary, /Keelpijn sinds een week[\s\S]*1 dag van tevoren/);

    const before = await count('appointment');
    // Five clicks at once (on PostgreSQL they race past the first check; the unique index keeps one), then one more.
    const clicks = await Promise.all([1, 2, 3, 4, 5].map(() => post(s, '/appointments', form)));
    const again = await post(s, '/appointments', form);
    const first = clicks[0];
    assert.ok(first);
    for (const c of [...clicks, again]) {
      assert.equal(c.status, 303);
      assert.equal(c.location, first.location, 'the same appointment');
    }
    assert.equal(await count('appointment'), before + 1, 'one booking');
    const shown = await s.get(first.location ?? '');
    assert.equal(shown.status, 200);
    const detail = pageText(shown.text);
    assert.match(detail, /Uw afspraak is gemaakt/);
    assert.match(detail, /Gepland[\s\S]*Keelpijn sinds een week[\s\S]*1 dag van tevoren/);
    assert.match(detail, /Wijzigen of afzeggen kan tot 24 uur van tevoren/);

    // At once in the overview, beside the GP system's own appointment; and held in the agenda.
    const overview = pageText((await s.get('/appointments')).text);
    assert.match(overview, /Geplande afspraken[\s\S]*Consult[\s\S]*08:00 – 08:10[\s\S]*Gepland/);
    assert.match(overview, /Controle HA-S/);
    const taken = await p.get(
      `/appointments/new/time?org=${gp}&staff=${doctor}&type=${consult}&week=${monday}&day=${monday}`,
    );
    assert.ok(!timesOn(taken.text).includes('08:00'), 'no longer free for anyone');
  });

  test('[MG-6] "this time was just taken": back to the time choice with that message (409); past times too; nothing written', async () => {
    const mine = await toSummary(s, { org: gp, staff: doctor, type: consult, day: monday, time: '08:30' });
    const theirs = await toSummary(p, { org: gp, staff: 'any', type: consult, day: monday, time: '08:30' });
    assert.equal((await post(p, '/appointments', theirs.form)).status, 303);
    const before = await count('appointment');
    const res = await post(s, '/appointments', mine.form);
    assert.equal(res.status, 409);
    const text = pageText(res.text);
    assert.match(text, /Deze tijd is net door iemand anders gekozen/);
    assert.match(text, /Kies een dag en tijd/);
    assert.ok(!timesOn(res.text).includes('08:30'));
    assert.equal(await count('appointment'), before);
    // A time that has passed (a hand-made form): refused with its own message.
    const past = await post(s, '/appointments', {
      ...mine.form,
      day: localDate(new Date()),
      time: '00:00',
      key: crypto.randomUUID(),
    });
    assert.equal(past.status, 409);
    assert.match(pageText(past.text), /Deze tijd kan niet meer/);
    // The details page of a taken time says so too.
    const details = await s.get(
      `/appointments/new/details?org=${gp}&staff=${doctor}&type=${consult}&day=${monday}&time=08:30`,
    );
    assert.equal(details.status, 409);
    assert.equal(await count('appointment'), before);
  });

  test('[MG-6] a reason with script is inert; a too long reason is refused with a message; nothing is half-written', async () => {
    const script = '<script>alert(1)</script> & "quotes"';
    const { page, form } = await toSummary(s, {
      org: gp,
      staff: doctor,
      type: consult,
      day: monday,
      time: '09:00',
      reason: script,
    });
    // Inside a quoted attribute value (the hidden field that carries it to the booking) it is text; elsewhere escaped.
    const outsideValues = page.text.replace(/ value="[^"]*"/g, '');
    assert.ok(!outsideValues.includes('<script>alert(1)'), 'escaped on the summary');
    assert.match(page.text, /name="reason" value="<script>alert\(1\)<\/script> &amp; (&quot;|&#34;)quotes/);
    assert.ok(page.text.includes('&lt;script>alert(1)&lt;/script>'));
    const res = await post(s, '/appointments', form);
    assert.equal(res.status, 303);
    const shown = await s.get(res.location ?? '');
    assert.ok(!shown.text.includes('<script>alert(1)'));
    assert.match(pageText(shown.text), /<script>alert\(1\)<\/script> & "quotes"/);
    const id = /appointments\/([0-9a-f-]{36})/.exec(res.location ?? '')?.[1] ?? '';
    const ics = await s.get(`/appointments/${id}/afspraak.ics`);
    assert.ok(!ics.text.includes('alert'), 'no reason in the .ics');

    const before = [await count('appointment'), await count('appointment_reason')];
    const details = await s.get(
      `/appointments/new/details?org=${gp}&staff=${doctor}&type=${consult}&day=${monday}&time=09:30`,
    );
    const long = await post(s, '/appointments/new/confirm', {
      _csrf: csrfFrom(details.text),
      org: gp,
      staff: doctor,
      type: consult,
      day: monday,
      time: '09:30',
      reason: 'x'.repeat(501),
      reminder: '5',
    });
    assert.equal(long.status, 400);
    assert.match(pageText(long.text), /Uw reden is te lang[\s\S]*Kies wanneer u een herinnering wilt/);
    // Posted straight to the booking: refused, nothing written.
    const direct = await post(s, '/appointments', {
      _csrf: csrfFrom(details.text),
      org: gp,
      staff: doctor,
      type: consult,
      day: monday,
      time: '09:30',
      reason: 'x'.repeat(501),
      reminder: 'none',
      key: crypto.randomUUID(),
    });
    assert.equal(direct.status, 400);
    assert.deepEqual([await count('appointment'), await count('appointment_reason')], before);
  });

  test('[MG-6] forms without the CSRF token are refused and write nothing', async () => {
    const { form } = await toSummary(s, { org: gp, staff: doctor, type: consult, day: monday, time: '10:00' });
    const before = await count('appointment');
    const { _csrf, ...without } = form;
    assert.ok(_csrf);
    assert.equal((await post(s, '/appointments', without)).status, 403);
    assert.equal((await post(s, '/appointments', { ...without, _csrf: 'x'.repeat(40) })).status, 403);
    assert.equal(await count('appointment'), before);
    const id = await book(s, '10:00');
    assert.equal((await post(s, `/appointments/${id}/cancel`, {})).status, 403);
    assert.equal((await post(s, `/appointments/${id}/reminder`, { reminder: '60' })).status, 403);
    assert.equal((await post(s, `/appointments/${id}/move`, { day: monday, time: '11:00' })).status, 403);
    const row = await k.db.selectFrom('appointment').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'booked');
    assert.equal(row.reminder_minutes, null);
  });

  test('[MG-6] another citizen’s appointment in any URL or form, and malformed ids, are 404; nothing changes', async () => {
    const id = await book(s, '10:30', { reason: 'Alleen voor Suzanne', reminder: '60' });
    const csrf = csrfFrom((await p.get('/appointments')).text);
    const before = await k.db.selectFrom('appointment').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    for (const path of [
      `/appointments/${id}`,
      `/appointments/${id}/afspraak.ics`,
      `/appointments/${id}/change`,
      `/appointments/${id}/change?week=${monday}&day=${monday}`,
      `/appointments/${id}/change/confirm?day=${monday}&time=11:00`,
      `/appointments/${id}/cancel`,
    ]) {
      const res = await p.get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.text, /Alleen voor Suzanne/);
    }
    for (const [path, form] of [
      [`/appointments/${id}/cancel`, {}],
      [`/appointments/${id}/move`, { day: monday, time: '11:00' }],
      [`/appointments/${id}/reminder`, { reminder: 'none' }],
    ] as const) {
      assert.equal((await post(p, path, { _csrf: csrf, ...form })).status, 404, path);
    }
    const after = await k.db.selectFrom('appointment').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual(after, before);
    // Malformed ids and values anywhere: 404.
    for (const path of [
      '/appointments/not-a-uuid',
      '/appointments/not-a-uuid/afspraak.ics',
      `/appointments/${id}x`,
      '/appointments/new/staff?org=nope',
      `/appointments/new/type?org=${gp}&staff=nope`,
      `/appointments/new/type?org=${gp}&staff=${crypto.randomUUID()}`,
      `/appointments/new/time?org=${gp}&staff=any&type=${crypto.randomUUID()}`,
      `/appointments/new/time?org=${gp}&staff=any&type=${consult}&week=2026-02-30`,
      `/appointments/new/details?org=${gp}&staff=any&type=${consult}&day=${monday}&time=25:00`,
      `/appointments/new/staff?org=${crypto.randomUUID()}`,
    ]) {
      assert.equal((await s.get(path)).status, 404, path);
    }
    // Another organisation's type with this organisation, or a staff member of another organisation: 404.
    const hospitalType = (
      await k.db
        .selectFrom('appointment_type')
        .select('id')
        .where('organisation_id', '=', hospital)
        .executeTakeFirstOrThrow()
    ).id;
    assert.equal((await s.get(`/appointments/new/time?org=${gp}&staff=any&type=${hospitalType}`)).status, 404);
    const hospitalDoctor = (await staffPrincipal(k.db, 'arts@rivierenland.example')).staffId;
    assert.equal((await s.get(`/appointments/new/type?org=${gp}&staff=${hospitalDoctor}`)).status, 404);
  });

  test('[MG-6] change and cancel within the rule; too late shows the phone number instead; reminder changes', async () => {
    const id = await book(s, '11:00', { reminder: '1440' });
    // Reminder.
    const page = await s.get(`/appointments/${id}`);
    assert.match(page.text, new RegExp(`href="/appointments/${id}/change"`));
    assert.match(page.text, new RegExp(`href="/appointments/${id}/cancel"`));
    const r = await post(s, `/appointments/${id}/reminder`, { _csrf: csrfFrom(page.text), reminder: '180' });
    assert.equal(r.status, 303);
    assert.match(
      pageText((await s.get(r.location ?? '')).text),
      /Uw herinnering is opgeslagen[\s\S]*3 uur van tevoren/,
    );
    assert.equal(
      (await post(s, `/appointments/${id}/reminder`, { _csrf: csrfFrom(page.text), reminder: '5' })).status,
      400,
    );

    // Change: another free time of the same doctor, its own time not offered.
    const change = await s.get(`/appointments/${id}/change?week=${monday}&day=${monday}`);
    assert.equal(change.status, 200);
    assert.ok(!timesOn(change.text).includes('11:00'));
    assert.ok(timesOn(change.text).includes('11:10'));
    const confirm = await s.get(`/appointments/${id}/change/confirm?day=${monday}&time=11:10`);
    assert.equal(confirm.status, 200);
    assert.match(pageText(confirm.text), /Was[\s\S]*11:00 – 11:10[\s\S]*Wordt[\s\S]*11:10 – 11:20/);
    const moved = await post(s, `/appointments/${id}/move`, {
      _csrf: csrfFrom(confirm.text),
      day: monday,
      time: '11:10',
    });
    assert.equal(moved.status, 303);
    assert.match(pageText((await s.get(moved.location ?? '')).text), /Uw afspraak is gewijzigd[\s\S]*11:10 – 11:20/);
    // A taken time for the move: back to the time choice, 409.
    await book(p, '11:40');
    const clash = await post(s, `/appointments/${id}/move`, {
      _csrf: csrfFrom(confirm.text),
      day: monday,
      time: '11:40',
    });
    assert.equal(clash.status, 409);
    assert.match(pageText(clash.text), /Deze tijd is net door iemand anders gekozen/);

    // Too late: the GP's rule becomes two weeks; the page shows the phone number instead of the buttons.
    await k.db.updateTable('appointment_type').set({ cancel_until_hours: 336 }).where('id', '=', consult).execute();
    try {
      const late = await s.get(`/appointments/${id}`);
      const text = pageText(late.text);
      assert.match(text, /Wijzigen of afzeggen kan tot 336 uur van tevoren/);
      assert.match(
        text,
        new RegExp(`Online wijzigen of afzeggen kan niet meer. Bel Huisartsenpraktijk De Linde: ${GP_PHONE}`),
      );
      assert.doesNotMatch(late.text, new RegExp(`href="/appointments/${id}/(change|cancel)"`));
      const refused = await post(s, `/appointments/${id}/cancel`, { _csrf: csrfFrom(late.text) });
      assert.equal(refused.status, 409);
      assert.match(pageText(refused.text), /te laat om deze afspraak online te wijzigen/);
      assert.equal((await s.get(`/appointments/${id}/change`)).status, 404);
    } finally {
      await k.db.updateTable('appointment_type').set({ cancel_until_hours: 24 }).where('id', '=', consult).execute();
    }

    // Cancel: a confirmation page, then the overview says so; the time is free again.
    const cancelPage = await s.get(`/appointments/${id}/cancel`);
    assert.equal(cancelPage.status, 200);
    const cancelled = await post(s, `/appointments/${id}/cancel`, { _csrf: csrfFrom(cancelPage.text) });
    assert.equal(cancelled.status, 303);
    assert.equal(cancelled.location, '/appointments?cancelled=1');
    assert.match(
      pageText((await s.get('/appointments?cancelled=1')).text),
      /Uw afspraak is afgezegd[\s\S]*Geannuleerd/,
    );
    assert.equal((await s.get(`/appointments/${id}/cancel`)).status, 404, 'nothing left to cancel');
    const free = await p.get(
      `/appointments/new/time?org=${gp}&staff=${doctor}&type=${consult}&week=${monday}&day=${monday}`,
    );
    assert.ok(timesOn(free.text).includes('11:10'));
  });

  test('[MG-6] the .ics: stable UID, SEQUENCE, UTC times, the organisation only, VALARM only with a reminder; audited', async () => {
    const reason = 'Geheime klacht';
    const id = await book(s, '13:30', { reason, reminder: '1440' });
    const downloads = await audits('appointment.ics.download');
    const res = await s.get(`/appointments/${id}/afspraak.ics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/calendar/);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="afspraak.ics"/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(await audits('appointment.ics.download'), downloads + 1);
    assert.ok(!res.text.includes(reason) && !/Consult/.test(res.text) && !/Huisman/.test(res.text));
    const event = (text: string) => {
      const comp = new ICAL.Component(ICAL.parse(text) as unknown[]);
      const ve = comp.getFirstSubcomponent('vevent');
      assert.ok(ve);
      return { ve, ev: new ICAL.Event(ve) };
    };
    const { ve, ev } = event(res.text);
    assert.equal(ev.uid, `${id}@${new URL(k.url).host}`);
    assert.equal(ev.summary, 'Afspraak bij Huisartsenpraktijk De Linde');
    assert.equal(ev.startDate.toJSDate().toISOString(), atLocal(monday, '13:30').toISOString());
    assert.equal(ev.endDate.toJSDate().toISOString(), atLocal(monday, '13:40').toISOString());
    assert.match(res.text, /DTSTART:\d{8}T\d{6}Z/);
    assert.equal(ev.location, 'Lindeplein 1, 3521 AA Utrecht');
    assert.equal(ve.getFirstPropertyValue('status'), 'CONFIRMED');
    assert.equal(ve.getFirstPropertyValue('url'), `${k.url}/appointments/${id}`);
    assert.equal(ev.sequence, 0);
    const alarm = ve.getFirstSubcomponent('valarm');
    assert.equal(alarm?.getFirstPropertyValue('trigger')?.toString(), '-P1D');

    // Moved: same UID, higher SEQUENCE. Without a reminder: no VALARM. Cancelled: STATUS:CANCELLED.
    const confirm = await s.get(`/appointments/${id}/change/confirm?day=${monday}&time=14:00`);
    await post(s, `/appointments/${id}/move`, { _csrf: csrfFrom(confirm.text), day: monday, time: '14:00' });
    await post(s, `/appointments/${id}/reminder`, { _csrf: csrfFrom(confirm.text), reminder: 'none' });
    const moved = event((await s.get(`/appointments/${id}/afspraak.ics`)).text);
    assert.equal(moved.ev.uid, ev.uid);
    assert.equal(moved.ev.sequence, 1);
    assert.equal(moved.ev.startDate.toJSDate().toISOString(), atLocal(monday, '14:00').toISOString());
    assert.equal(moved.ve.getFirstSubcomponent('valarm'), null);
    await post(s, `/appointments/${id}/cancel`, { _csrf: csrfFrom(confirm.text) });
    const cancelled = event((await s.get(`/appointments/${id}/afspraak.ics`)).text);
    assert.equal(cancelled.ve.getFirstPropertyValue('status'), 'CANCELLED');
    assert.equal(cancelled.ev.sequence, 2);
  });

  test('[MG-6] an appointment staff booked for the citizen says who: "ingepland door Dr. A. Huisman"', async () => {
    const staff = await staffPrincipal(k.db, 'huisarts@delinde.example');
    const { id } = await runInScope({ db: k.db, keys: k.koepel.keys }, staff, (scope) =>
      bookAppointment(scope, {
        organisationId: gp,
        citizenId: pieter,
        typeId: consult,
        staffId: doctor,
        start: atLocal(monday, '15:00'),
        reason: '',
        reminderMinutes: null,
        idempotencyKey: null,
      }),
    );
    assert.match(pageText((await p.get('/appointments')).text), /Gepland \(ingepland door Dr\. A\. Huisman\)/);
    assert.match(pageText((await p.get(`/appointments/${id}`)).text), /ingepland door Dr\. A\. Huisman/);
  });

  test('[MG-6] an organisation whose own system holds the agenda: its published slots, and the booking is "aangevraagd"', async () => {
    const type = (
      await k.db
        .selectFrom('appointment_type')
        .select('id')
        .where('organisation_id', '=', hospital)
        .where('name', '=', 'Polikliniek consult')
        .executeTakeFirstOrThrow()
    ).id;
    await k.db.updateTable('organisation').set({ agenda: 'external' }).where('id', '=', hospital).execute();
    const schedule = await k.db
      .insertInto('appointment_schedule')
      .values({ organisation_id: hospital, logical_id: 'sched-1', actor_display: 'Dr. K. Visser', resource: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const start = atLocal(monday, '10:00');
    const slot = await k.db
      .insertInto('appointment_slot')
      .values({
        organisation_id: hospital,
        schedule_id: schedule.id,
        logical_id: 'slot-1',
        during: sql<string>`tstzrange(${start}::timestamptz, ${new Date(start.getTime() + 15 * 60_000)}::timestamptz, '[)')`,
        status: 'free',
        resource: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // No staff step: straight to the types.
    const staff = await s.get(`/appointments/new/staff?org=${hospital}`);
    assert.equal(staff.status, 303);
    const week = await s.get(`/appointments/new/time?org=${hospital}&staff=any&type=${type}&week=${monday}`);
    assert.equal(week.status, 200);
    assert.match(week.text, new RegExp(`name="slot" value="${slot.id}"`));
    const details = await s.get(
      `/appointments/new/details?org=${hospital}&staff=any&type=${type}&day=${monday}&slot=${slot.id}`,
    );
    assert.equal(details.status, 200);
    assert.match(pageText(details.text), /Dr\. K\. Visser/);
    const summary = await post(s, '/appointments/new/confirm', {
      _csrf: csrfFrom(details.text),
      org: hospital,
      staff: 'any',
      type,
      day: monday,
      slot: slot.id,
      reason: '',
      reminder: 'none',
    });
    assert.match(pageText(summary.text), /Afspraak aanvragen/);
    const key = /name="key" value="([0-9a-f-]{36})"/.exec(summary.text)?.[1] ?? '';
    const res = await post(s, '/appointments', {
      _csrf: csrfFrom(summary.text),
      org: hospital,
      staff: 'any',
      type,
      day: monday,
      slot: slot.id,
      reason: '',
      reminder: 'none',
      key,
    });
    assert.equal(res.status, 303);
    assert.match(res.location ?? '', /\?notice=requested$/);
    const shown = pageText((await s.get(res.location ?? '')).text);
    assert.match(shown, /Uw afspraak is aangevraagd[\s\S]*Aangevraagd \(wacht op de zorgverlener\)/);
    const id = /appointments\/([0-9a-f-]{36})/.exec(res.location ?? '')?.[1] ?? '';
    const ics = new ICAL.Component(ICAL.parse((await s.get(`/appointments/${id}/afspraak.ics`)).text) as unknown[]);
    assert.equal(ics.getFirstSubcomponent('vevent')?.getFirstPropertyValue('status'), 'TENTATIVE');
    // The slot is held: Pieter cannot take it (he has no hospital relationship anyway); Suzanne sees it gone.
    const again = await s.get(`/appointments/new/time?org=${hospital}&staff=any&type=${type}&week=${monday}`);
    assert.doesNotMatch(again.text, new RegExp(slot.id));
  });

  test('[MG-6] the pages in English: the notice, the week in English conventions, the .ics summary', async () => {
    const en = new HttpClient(k.url);
    assert.equal((await loginWithDigid(en, DEMO.fatima)).status, 303);
    assert.equal((await en.get('/language?lang=en&return=/appointments/new')).status, 303);
    const start = pageText((await en.get('/appointments/new')).text);
    assert.match(start, /Online appointments are not for emergencies\. If a life is in danger, call 112\./);
    assert.match(start, /Buurtteam Oost/);
    const team = await orgId(k.db, DEMO.team);
    const gesprek = (
      await k.db
        .selectFrom('appointment_type')
        .select('id')
        .where('organisation_id', '=', team)
        .executeTakeFirstOrThrow()
    ).id;
    const week = pageText(
      (await en.get(`/appointments/new/time?org=${team}&staff=any&type=${gesprek}&week=${monday}`)).text,
    );
    assert.match(week, /Week from Mon \d+ \w+ to Sun \d+ \w+/);
    assert.match(week, /(Tuesday|Thursday), \d{1,2} \w+ 20\d\d/);
    assert.match(week, /Gesprek \(45 minutes\) with no preference, Buurtteam Oost/);
  });

  test('[MG-6] every page read is audited before it is shown', async () => {
    const before = await audits('appointment.book.view');
    const list = await audits('appointment.list');
    await s.get('/appointments/new');
    await s.get(`/appointments/new/staff?org=${gp}`);
    await s.get('/appointments');
    assert.equal(await audits('appointment.book.view'), before + 2);
    assert.equal(await audits('appointment.list'), list + 1);
  });
});
