// What the two screens that read the audit log share: the citizen's own log (access-log) and the privacy officer's
// log of the organisation (audit-view). Both filter by a period of Dutch calendar days, list the records newest
// first a page at a time (or all of them for an export), and show the same fields of a record. Which records a
// screen may read, and which names it may show, stays with the screen (row-level security decides the first).
import type { Selection, SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { ActorType, AuditAction, AuditOutcome, DB } from '../db/schema.js';

/** A period of Dutch calendar days, yyyy-mm-dd, both inclusive; either end may be open. */
export interface Period {
  from?: string;
  to?: string;
}

export type PeriodProblem = 'from' | 'to' | 'order';

const isoDate = z.iso.date();

/**
 * Reads `from` and `to` from a query string or form. A value that is not a day (or an array: ?from=a&from=b) is a
 * problem of that field; a period that ends before it starts is an 'order' problem and filters on neither end.
 */
export function parsePeriod(raw: Record<string, unknown>): { period: Period; problems: PeriodProblem[] } {
  const period: Period = {};
  const problems: PeriodProblem[] = [];
  for (const key of ['from', 'to'] as const) {
    const v = raw[key];
    if (v === undefined || v === '') continue;
    const day = typeof v === 'string' ? v.trim() : '';
    if (isoDate.safeParse(day).success && day >= '1900-01-01' && day <= '2999-12-31') period[key] = day;
    else problems.push(key);
  }
  if (period.from && period.to && period.from > period.to) {
    problems.push('order');
    delete period.from;
    delete period.to;
  }
  return { period, problems };
}

/** Midnight at the start of a Dutch calendar day, as an instant. */
export function amsterdamDayStart(ymd: string): Date {
  const noon = new Date(`${ymd}T12:00:00Z`);
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Amsterdam', timeZoneName: 'longOffset' })
      .formatToParts(noon)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+01:00';
  const offset = /GMT([+-]\d{2}:\d{2})/.exec(name)?.[1] ?? '+01:00';
  return new Date(`${ymd}T00:00:00${offset}`);
}

function nextDay(ymd: string): string {
  const d = new Date(`${ymd}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

type AuditLogQuery<O> = SelectQueryBuilder<DB, 'audit_log', O>;
type AuditLogColumn = keyof DB['audit_log'];

/** Only the records of the period's days (Europe/Amsterdam, summer time included). */
export function inPeriod<O>(q: AuditLogQuery<O>, period: Period): AuditLogQuery<O> {
  let out = q;
  if (period.from) out = out.where('occurred_at', '>=', amsterdamDayStart(period.from));
  if (period.to) out = out.where('occurred_at', '<', amsterdamDayStart(nextDay(period.to)));
  return out;
}

/** The columns every audit-log screen shows; a screen selects its own extra ones beside these. */
const LINE_COLUMNS = [
  'id',
  'occurred_at',
  'event_code',
  'action',
  'outcome',
  'actor_type',
  'actor_id',
  'actor_role',
  'on_behalf_of',
  'resource_type',
  'resource_id',
  'reason',
] as const;

/** One audit record as a screen shows it (the fields of LINE_COLUMNS). */
export interface AuditLine {
  id: number;
  at: Date;
  event: string;
  action: AuditAction;
  outcome: AuditOutcome;
  actorType: ActorType;
  actorId: string | null;
  actorRole: string | null;
  onBehalfOf: string | null;
  resourceType: string | null;
  resourceId: string | null;
  reason: string | null;
}

type LineRow = {
  id: number;
  occurred_at: Date;
  event_code: string;
  action: AuditAction;
  outcome: AuditOutcome;
  actor_type: ActorType;
  actor_id: string | null;
  actor_role: string | null;
  on_behalf_of: string | null;
  resource_type: string | null;
  resource_id: string | null;
  reason: string | null;
};

export function auditLine(r: LineRow): AuditLine {
  return {
    id: r.id,
    at: r.occurred_at,
    event: r.event_code,
    action: r.action,
    outcome: r.outcome,
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorRole: r.actor_role,
    onBehalfOf: r.on_behalf_of,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    reason: r.reason,
  };
}

/**
 * The records' LINE_COLUMNS and the screen's `extra` ones, newest first: page `page` of `pageSize` records, or with
 * `all` the first `max` (an export).
 */
export function newestLines<O, E extends AuditLogColumn>(
  q: AuditLogQuery<O>,
  extra: readonly E[],
  window: { page: number; pageSize: number; all?: boolean; max: number },
): AuditLogQuery<O & Selection<DB, 'audit_log', (typeof LINE_COLUMNS)[number] | E>> {
  return q
    .select([...LINE_COLUMNS, ...extra])
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(window.all ? window.max : window.pageSize)
    .offset(window.all ? 0 : (window.page - 1) * window.pageSize);
}

/** The employees (staff and operators) who acted in these records, each once, in order of appearance. */
export function staffActorIds(rows: readonly { actor_type: ActorType; actor_id: string | null }[]): string[] {
  return [
    ...new Set(
      rows.flatMap((r) =>
        r.actor_id && (r.actor_type === 'staff' || r.actor_type === 'operator') ? [r.actor_id] : [],
      ),
    ),
  ];
}
