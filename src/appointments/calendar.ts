// Dutch calendar conventions for the booking pages: a week starts on Monday, a day reads 'maandag 14 december 2026',
// times are 24-hour 'HH:MM' in Europe/Amsterdam. Calendar dates travel as 'YYYY-MM-DD' (no time zone in them).
import type { Lang } from '../platform/i18n/i18n.js';
import { AGENDA_TIME_ZONE, isoWeekday, localDate, localTime } from './slots.js';

/** The date `n` days after `date` (calendar arithmetic). */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The Monday of the week a date falls in. */
export function mondayOf(date: string): string {
  return addDays(date, 1 - isoWeekday(date));
}

/** Monday to Sunday of the week that starts on `monday`. */
export function weekOf(monday: string): string[] {
  return [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(monday, i));
}

/** Is this a real calendar date ('2026-02-30' is not)? */
export function isCalendarDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(lang: Lang, style: 'long' | 'short'): Intl.DateTimeFormat {
  const key = `${lang}:${style}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      lang === 'nl' ? 'nl-NL' : 'en-GB',
      style === 'long'
        ? { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: AGENDA_TIME_ZONE }
        : { weekday: 'short', day: 'numeric', month: 'short', timeZone: AGENDA_TIME_ZONE },
    );
    formats.set(key, f);
  }
  return f;
}

/** 'maandag 14 december 2026' of a calendar date (taken at noon, so no zone moves it a day). */
export function longDay(lang: Lang, date: string): string {
  return format(lang, 'long').format(new Date(`${date}T12:00:00Z`));
}

/** 'ma 14 dec'. */
export function shortDay(lang: Lang, date: string): string {
  return format(lang, 'short').format(new Date(`${date}T12:00:00Z`));
}

/** 'maandag 14 december 2026, 08:00 – 08:10' of an appointment's instants. */
export function whenText(lang: Lang, start: Date, end: Date): string {
  return `${longDay(lang, localDate(start))}, ${localTime(start)} – ${localTime(end)}`;
}
