// The free time a staff member has left in a range: their weekly hours on each day (local time, Europe/Amsterdam,
// through the same helpers the booking code uses) minus what blocks them (absences, appointments that hold time).
// Pure, so that the agenda page shows exactly the gaps in which src/appointments/slots.ts finds bookable starts.
import {
  atLocal,
  isoWeekday,
  localDate,
  nextDate,
  type StaffInterval,
  type WeeklyHours,
} from '../appointments/index.js';

export interface Range {
  start: Date;
  end: Date;
}

/** The local calendar days that [from, to) touches, 'YYYY-MM-DD', in order. */
export function daysOf(from: Date, to: Date): string[] {
  const out: string[] = [];
  if (to.getTime() <= from.getTime()) return out;
  const last = localDate(new Date(to.getTime() - 1));
  for (let d = localDate(from); d <= last; d = nextDate(d)) out.push(d);
  return out;
}

/** Merges overlapping or touching ranges (sorted by start). */
function merged(list: Range[]): Range[] {
  const sorted = [...list].sort((a, b) => a.start.getTime() - b.start.getTime());
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start.getTime() <= last.end.getTime()) {
      if (r.end.getTime() > last.end.getTime()) last.end = r.end;
    } else {
      out.push({ start: r.start, end: r.end });
    }
  }
  return out;
}

/** The hours of one staff member in [from, to), clipped, merged. */
export function workingRanges(staffId: string, hours: readonly WeeklyHours[], from: Date, to: Date): Range[] {
  const out: Range[] = [];
  for (const day of daysOf(from, to)) {
    const weekday = isoWeekday(day);
    for (const h of hours) {
      if (h.staffId !== staffId || h.weekday !== weekday || h.from > day || (h.until !== null && h.until < day)) {
        continue;
      }
      const start = Math.max(atLocal(day, h.start).getTime(), from.getTime());
      const end = Math.min(atLocal(day, h.end).getTime(), to.getTime());
      if (end > start) out.push({ start: new Date(start), end: new Date(end) });
    }
  }
  return merged(out);
}

/** Working ranges of one staff member in [from, to) minus every blocked interval of theirs. */
export function freeRanges(
  staffId: string,
  hours: readonly WeeklyHours[],
  blocked: readonly StaffInterval[],
  from: Date,
  to: Date,
): Range[] {
  const blocks = merged(blocked.filter((b) => b.staffId === staffId));
  const out: Range[] = [];
  for (const w of workingRanges(staffId, hours, from, to)) {
    let cursor = w.start.getTime();
    for (const b of blocks) {
      if (b.end.getTime() <= cursor || b.start.getTime() >= w.end.getTime()) continue;
      if (b.start.getTime() > cursor) out.push({ start: new Date(cursor), end: b.start });
      cursor = Math.max(cursor, b.end.getTime());
    }
    if (cursor < w.end.getTime()) out.push({ start: new Date(cursor), end: w.end });
  }
  return out;
}
