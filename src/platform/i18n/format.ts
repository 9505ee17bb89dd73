// Date formatting in the visitor's language, Dutch time zone. Intl formatters are costly to build (about a tenth of a
// page's CPU when made per call), so each language-and-style pair is built once.
import type { Lang } from './i18n.js';

export type DateStyle = 'date' | 'dateTime' | 'shortDateTime' | 'monthYear';

const OPTIONS: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  date: { dateStyle: 'long', timeZone: 'Europe/Amsterdam' },
  dateTime: { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Amsterdam' },
  shortDateTime: { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Amsterdam' },
  /** "maart 1980", "March 1980": a date of which only year and month are known. */
  monthYear: { year: 'numeric', month: 'long', timeZone: 'Europe/Amsterdam' },
};

const cache = new Map<string, Intl.DateTimeFormat>();

/** Formats a Date, or an ISO calendar date ('2026-11-01', taken at noon so no time zone moves it a day). */
export function formatDate(lang: Lang, d: Date | string, style: DateStyle = 'date'): string {
  const key = `${lang}:${style}`;
  let fmt = cache.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', OPTIONS[style]);
    cache.set(key, fmt);
  }
  if (typeof d !== 'string') return fmt.format(d);
  const date = new Date(`${d}T12:00:00Z`);
  // A string that is no calendar date ('2026-02-30' would roll over to 2 March) is shown as it is, never as another day.
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== d) return d;
  return fmt.format(date);
}
