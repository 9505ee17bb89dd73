// Free times in a Koepel agenda: each staff member's weekly hours on each day, cut into candidate starts on the
// appointment type's grid, minus absences and the times already held by appointments. Pure: the booking code and
// the pages pass in what the database returned (koepel_agenda_inputs, migration 0023) and the clock.
//
// Weekly hours are wall-clock times in the Netherlands, so each day is computed in Europe/Amsterdam: on the days
// the clocks change (the last Sunday of March and of October) 09:00 is still 09:00, one hour closer to or further
// from UTC. @date-fns/tz does the zone arithmetic from the runtime's own time-zone data (Intl).
import { tzOffset } from '@date-fns/tz';

export const AGENDA_TIME_ZONE = 'Europe/Amsterdam';

/** One window of a staff member's week: ISO weekday (1 = Monday), local 'HH:MM' times, valid between two dates. */
export interface WeeklyHours {
  staffId: string;
  weekday: number;
  start: string;
  end: string;
  /** 'YYYY-MM-DD', inclusive. */
  from: string;
  /** 'YYYY-MM-DD', inclusive; null = open-ended. */
  until: string | null;
}

export interface StaffInterval {
  staffId: string;
  start: Date;
  end: Date;
}

export type FreeTime = StaffInterval;

export interface FreeTimeQuery {
  /** Only starts at or after this instant (usually now plus the type's notice). */
  from: Date;
  /** Only appointments that end at or before this instant (the booking horizon). */
  to: Date;
  durationMinutes: number;
  /** The grid of candidate starts within a window; by default the duration, at most a quarter of an hour. */
  stepMinutes?: number;
  staffIds: readonly string[];
  hours: readonly WeeklyHours[];
  absences: readonly StaffInterval[];
  busy: readonly StaffInterval[];
}

const MINUTE = 60_000;

const HOUR = 3_600_000;
/**
 * The offset of Dutch local time from UTC at an instant, in ms. Asking Intl costs ~9 µs; the offset only changes on
 * the hour, so it is remembered per UTC hour (a week's page turns ~2,700 free times into local dates and times).
 */
const offsets = new Map<number, number>();
function offsetAt(ms: number): number {
  const hour = Math.floor(ms / HOUR);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    offset = tzOffset(AGENDA_TIME_ZONE, new Date(hour * HOUR)) * MINUTE;
    if (offsets.size > 100_000) offsets.clear();
    offsets.set(hour, offset);
  }
  return offset;
}

/** The calendar date of an instant in the Netherlands, 'YYYY-MM-DD'. */
export function localDate(at: Date): string {
  return new Date(at.getTime() + offsetAt(at.getTime())).toISOString().slice(0, 10);
}

/** The local wall-clock time of an instant in the Netherlands, 'HH:MM'. */
export function localTime(at: Date): string {
  return new Date(at.getTime() + offsetAt(at.getTime())).toISOString().slice(11, 16);
}

/**
 * The instant of a local date and 'HH:MM' time in the Netherlands. In the hour the clocks go back, the first of the
 * two (summer time); in the hour that does not exist when they go forward, the same wall time an hour later.
 */
export function atLocal(date: string, time: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const before = offsetAt(wall - 3 * HOUR);
  const after = offsetAt(wall + 3 * HOUR);
  if (offsetAt(wall - before) === before) return new Date(wall - before);
  if (offsetAt(wall - after) === after) return new Date(wall - after);
  return new Date(wall - before);
}

/** The next calendar date, 'YYYY-MM-DD' (calendar arithmetic, no zone involved). */
export function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return next.toISOString().slice(0, 10);
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
}

/** Intervals sorted by start, for a binary search per candidate. */
function byStaff(list: readonly StaffInterval[]): Map<string, StaffInterval[]> {
  const out = new Map<string, StaffInterval[]>();
  for (const i of list) {
    const l = out.get(i.staffId) ?? [];
    l.push(i);
    out.set(i.staffId, l);
  }
  for (const l of out.values()) l.sort((a, b) => a.start.getTime() - b.start.getTime());
  return out;
}

/** Does [start, end) overlap any of the sorted intervals? The longest interval bounds how far back to look. */
function overlaps(sorted: readonly StaffInterval[], longest: number, start: number, end: number): boolean {
  // First interval that starts at or after `end`: nothing from there on overlaps.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as StaffInterval).start.getTime() < end) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) {
    const iv = sorted[i] as StaffInterval;
    if (iv.start.getTime() + longest <= start) break;
    if (iv.end.getTime() > start) return true;
  }
  return false;
}

/** Every free start of the given duration, per staff member, ordered by time and then by the order of staffIds. */
export function freeTimes(q: FreeTimeQuery): FreeTime[] {
  const duration = q.durationMinutes * MINUTE;
  const step = (q.stepMinutes ?? Math.min(q.durationMinutes, 15)) * MINUTE;
  if (!(duration > 0) || !(step > 0) || q.to.getTime() <= q.from.getTime()) return [];
  const blocked = byStaff([...q.absences, ...q.busy]);
  const longest = new Map<string, number>();
  for (const [staff, list] of blocked) {
    longest.set(staff, Math.max(0, ...list.map((i) => i.end.getTime() - i.start.getTime())));
  }
  const order = new Map(q.staffIds.map((id, i) => [id, i]));
  const out: FreeTime[] = [];
  const last = localDate(q.to);
  for (let day = localDate(q.from); day <= last; day = nextDate(day)) {
    const weekday = isoWeekday(day);
    for (const h of q.hours) {
      if (h.weekday !== weekday || h.from > day || (h.until !== null && h.until < day) || !order.has(h.staffId)) {
        continue;
      }
      const windowStart = atLocal(day, h.start).getTime();
      const windowEnd = atLocal(day, h.end).getTime();
      const staffBlocked = blocked.get(h.staffId) ?? [];
      const staffLongest = longest.get(h.staffId) ?? 0;
      for (let t = windowStart; t + duration <= windowEnd; t += step) {
        if (t < q.from.getTime() || t + duration > q.to.getTime()) continue;
        if (overlaps(staffBlocked, staffLongest, t, t + duration)) continue;
        out.push({ staffId: h.staffId, start: new Date(t), end: new Date(t + duration) });
      }
    }
  }
  // Two windows of one staff member may overlap (an admin's mistake): each start once.
  const seen = new Set<string>();
  return out
    .sort((a, b) => a.start.getTime() - b.start.getTime() || (order.get(a.staffId) ?? 0) - (order.get(b.staffId) ?? 0))
    .filter((f) => {
      const key = `${f.staffId}@${f.start.getTime()}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
