// The agenda's free ranges: weekly hours minus what blocks them, in Dutch local time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atLocal, localTime, type WeeklyHours } from '../appointments/index.js';
import { daysOf, freeRanges, workingRanges } from './ranges.js';

const hours: WeeklyHours[] = [
  { staffId: 'a', weekday: 1, start: '08:00', end: '12:00', from: '2026-01-01', until: null },
  { staffId: 'a', weekday: 1, start: '11:00', end: '13:00', from: '2026-01-01', until: null },
  { staffId: 'a', weekday: 2, start: '09:00', end: '10:00', from: '2026-01-01', until: '2026-12-08' },
  { staffId: 'b', weekday: 1, start: '08:00', end: '09:00', from: '2026-01-01', until: null },
];
const text = (list: { start: Date; end: Date }[]) => list.map((r) => `${localTime(r.start)}-${localTime(r.end)}`);

test('working ranges: overlapping windows merge; a window past its end date is left out', () => {
  const monday = '2026-12-14';
  assert.deepEqual(text(workingRanges('a', hours, atLocal(monday, '00:00'), atLocal('2026-12-16', '00:00'))), [
    '08:00-13:00',
  ]);
});

test('free ranges: the hours minus absences and appointments, each staff member on their own', () => {
  const day = '2026-12-14';
  const blocked = [
    { staffId: 'a', start: atLocal(day, '08:00'), end: atLocal(day, '08:10') },
    { staffId: 'a', start: atLocal(day, '09:00'), end: atLocal(day, '10:00') },
    { staffId: 'a', start: atLocal(day, '09:30'), end: atLocal(day, '10:15') },
    { staffId: 'b', start: atLocal(day, '10:00'), end: atLocal(day, '11:00') },
  ];
  const from = atLocal(day, '00:00');
  const to = atLocal('2026-12-15', '00:00');
  assert.deepEqual(text(freeRanges('a', hours, blocked, from, to)), ['08:10-09:00', '10:15-13:00']);
  assert.deepEqual(text(freeRanges('b', hours, blocked, from, to)), ['08:00-09:00']);
});

test('the day the clocks go back is 25 hours long, and 09:00 is still 09:00', () => {
  const sunday = '2026-10-25';
  assert.deepEqual(daysOf(atLocal(sunday, '00:00'), atLocal('2026-10-26', '00:00')), [sunday]);
  const monday = '2026-10-26';
  assert.deepEqual(text(freeRanges('a', hours, [], atLocal(monday, '00:00'), atLocal('2026-10-27', '00:00'))), [
    '08:00-13:00',
  ]);
});
