import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDate } from './format.js';

test('a calendar date is the same day in both languages, whatever the time zone of the server', () => {
  assert.equal(formatDate('nl', '2026-11-01'), '1 november 2026');
  assert.equal(formatDate('en', '2026-11-01'), '1 November 2026');
  assert.equal(formatDate('nl', '2024-02-29'), '29 februari 2024');
  assert.equal(formatDate('nl', '2026-01-01'), '1 januari 2026', 'not 31 December: taken at noon');
  assert.equal(formatDate('en', '2026-12-31'), '31 December 2026');
});

test('a moment is shown in Dutch time, summer and winter', () => {
  // 22:30 UTC on 31 December is already the new year in Amsterdam (UTC+1).
  assert.equal(formatDate('nl', new Date('2026-12-31T23:30:00Z')), '1 januari 2027');
  assert.equal(formatDate('nl', new Date('2026-07-01T22:30:00Z'), 'dateTime'), '2 juli 2026 om 00:30');
  assert.equal(formatDate('en', new Date('2026-01-15T08:05:00Z'), 'dateTime'), '15 January 2026 at 09:05');
  assert.equal(formatDate('nl', new Date('2026-03-29T01:00:00Z'), 'shortDateTime'), '29-03-2026, 03:00:00');
});

test('each style is kept apart (the formatter cache is per language and style)', () => {
  const d = new Date('2026-05-04T10:00:00Z');
  const date = formatDate('nl', d, 'date');
  const dateTime = formatDate('nl', d, 'dateTime');
  const short = formatDate('nl', d, 'shortDateTime');
  assert.equal(date, '4 mei 2026');
  assert.notEqual(dateTime, date);
  assert.notEqual(short, dateTime);
  assert.equal(formatDate('en', d, 'date'), '4 May 2026');
  assert.equal(formatDate('nl', d, 'date'), date);
});

test('the years 0001 to 0099 are not read as 19xx', () => {
  assert.equal(formatDate('en', '0050-06-15'), '15 June 50');
  assert.notEqual(
    formatDate('nl', new Date('0001-01-01T12:00:00Z')),
    formatDate('nl', new Date('1901-01-01T12:00:00Z')),
  );
});

test('a string that is no calendar date is shown as it is, never as another day', () => {
  assert.equal(formatDate('nl', '2026-02-30'), '2026-02-30');
  assert.equal(formatDate('nl', '2025-02-29'), '2025-02-29');
  assert.equal(formatDate('en', 'not a date'), 'not a date');
});
