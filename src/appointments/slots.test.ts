// Free times: wall-clock hours in the Netherlands across the clock changes, absences and held times cut out, the
// notice and horizon respected, and one start per staff member.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { atLocal, freeTimes, isoWeekday, localDate, localTime, nextDate, type WeeklyHours } from './slots.js';

const A = 'staff-a';
const B = 'staff-b';
const hours = (staffId: string, weekday: number, start: string, end: string, until: string | null = null) =>
  ({ staffId, weekday, start, end, from: '2026-01-01', until }) satisfies WeeklyHours;
const times = (list: { start: Date }[]) => list.map((f) => `${localDate(f.start)} ${localTime(f.start)}`);

describe('free times (MG-6)', () => {
  test('calendar helpers: ISO weekdays, next dates across month and year ends', () => {
    assert.equal(isoWeekday('2026-12-07'), 1); // a Monday
    assert.equal(isoWeekday('2026-12-13'), 7);
    assert.equal(nextDate('2026-02-28'), '2026-03-01');
    assert.equal(nextDate('2026-12-31'), '2027-01-01');
    assert.equal(atLocal('2026-12-07', '09:00').toISOString(), '2026-12-07T08:00:00.000Z'); // CET, UTC+1
    assert.equal(atLocal('2026-07-06', '09:00').toISOString(), '2026-07-06T07:00:00.000Z'); // CEST, UTC+2
  });

  test('[MG-6] 09:00 stays 09:00 on the days the clocks change (29 March and 25 October 2026)', () => {
    for (const [day, utc] of [
      ['2026-03-29', '2026-03-29T07:00:00.000Z'], // Sunday, clocks went forward at 02:00: UTC+2
      ['2026-03-28', '2026-03-28T08:00:00.000Z'], // the Saturday before: UTC+1
      ['2026-10-25', '2026-10-25T08:00:00.000Z'], // Sunday, clocks went back at 03:00: UTC+1
      ['2026-10-24', '2026-10-24T07:00:00.000Z'],
    ] as const) {
      const weekday = isoWeekday(day);
      const free = freeTimes({
        from: atLocal(day, '00:00'),
        to: atLocal(nextDate(day), '00:00'),
        durationMinutes: 30,
        staffIds: [A],
        hours: [hours(A, weekday, '09:00', '10:00')],
        absences: [],
        busy: [],
      });
      assert.deepEqual(times(free), [`${day} 09:00`, `${day} 09:15`, `${day} 09:30`]);
      assert.equal(free[0]?.start.toISOString(), utc);
    }
    // Hours that cross the skipped hour: 01:00–04:00 local is two real hours on 29 March.
    const night = freeTimes({
      from: atLocal('2026-03-29', '00:00'),
      to: atLocal('2026-03-30', '00:00'),
      durationMinutes: 60,
      stepMinutes: 60,
      staffIds: [A],
      hours: [hours(A, 7, '01:00', '04:00')],
      absences: [],
      busy: [],
    });
    assert.deepEqual(
      night.map((f) => f.start.toISOString()),
      ['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z'],
    );
  });

  test('[MG-6] held times and absences are cut out, also where they overlap only partly', () => {
    const day = '2026-12-07';
    const free = freeTimes({
      from: atLocal(day, '00:00'),
      to: atLocal(nextDate(day), '00:00'),
      durationMinutes: 10,
      staffIds: [A, B],
      hours: [hours(A, 1, '09:00', '10:00'), hours(B, 1, '09:00', '09:30')],
      absences: [{ staffId: A, start: atLocal(day, '09:35'), end: atLocal(day, '12:00') }],
      busy: [
        { staffId: A, start: atLocal(day, '09:00'), end: atLocal(day, '09:20') },
        { staffId: B, start: atLocal(day, '09:05'), end: atLocal(day, '09:15') },
      ],
    });
    assert.deepEqual(
      free.map((f) => `${f.staffId} ${localTime(f.start)}`),
      ['staff-a 09:20', 'staff-b 09:20'],
    );
  });

  test('[MG-6] nothing before the notice or after the horizon; hours outside their validity do not count', () => {
    const day = '2026-12-08'; // Tuesday
    const free = freeTimes({
      from: atLocal(day, '09:40'),
      to: atLocal(day, '10:50'),
      durationMinutes: 15,
      staffIds: [A],
      hours: [hours(A, 2, '09:00', '12:00'), hours(A, 2, '13:00', '14:00', '2026-12-01')],
      absences: [],
      busy: [],
    });
    assert.deepEqual(times(free), [`${day} 09:45`, `${day} 10:00`, `${day} 10:15`, `${day} 10:30`]);
  });

  test('only the staff asked for; overlapping windows of one staff member give each start once', () => {
    const day = '2026-12-07';
    const free = freeTimes({
      from: atLocal(day, '00:00'),
      to: atLocal(nextDate(day), '00:00'),
      durationMinutes: 20,
      staffIds: [A],
      hours: [hours(A, 1, '09:00', '09:45'), hours(A, 1, '09:15', '09:45'), hours(B, 1, '09:00', '10:00')],
      absences: [],
      busy: [],
    });
    assert.deepEqual(times(free), [`${day} 09:00`, `${day} 09:15`]);
  });

  test('four weeks of ten staff with a busy agenda are computed in one pass', () => {
    const staff = Array.from({ length: 10 }, (_, i) => `s${i}`);
    const week = staff.flatMap((s) => [1, 2, 3, 4, 5].map((d) => hours(s, d, '08:00', '17:00')));
    const start = atLocal('2026-12-07', '00:00');
    const busy = staff.flatMap((s) =>
      Array.from({ length: 200 }, (_, i) => ({
        staffId: s,
        start: new Date(start.getTime() + i * 3 * 3_600_000),
        end: new Date(start.getTime() + i * 3 * 3_600_000 + 600_000),
      })),
    );
    const free = freeTimes({
      from: start,
      to: atLocal('2027-01-04', '00:00'),
      durationMinutes: 10,
      staffIds: staff,
      hours: week,
      absences: [],
      busy,
    });
    // 20 working days × 54 ten-minute starts × 10 staff, minus the held ones that fall in working hours.
    assert.ok(free.length > 9000 && free.length < 10_800, String(free.length));
    assert.ok(free.every((f, i) => i === 0 || (free[i - 1] as { start: Date }).start <= f.start));
  });
});
