// "Wie heeft mijn gegevens bekeken": the citizen's own view of the NEN 7513 audit log (Wabvpz art. 15e: a
// chronological overview of who — organisation and role — accessed which data, filterable by period).
// Row-level security (audit_log_read) shows a citizen only the records that name them; staff display names come
// from koepel_audit_actor_names(), which reveals the name of a staff member only when that member appears in the
// calling citizen's own log. Nothing here can reach another citizen's records.
import { sql } from 'kysely';
import { z } from 'zod';
import type { ActorType, AuditAction, AuditOutcome } from '../platform/db/schema.js';
import { HttpError } from '../platform/http/errors.js';
import type { DataScope } from '../platform/http/request-context.js';

export const PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_PAGE = 10_000;
/** The most lines one export holds (a filter by period narrows a larger log). */
export const EXPORT_MAX = 50_000;

export interface AccessLogFilter {
  page: number;
  /** Only records of this organisation's people and systems. */
  org?: string;
  /** Leave out what the citizen did themselves (but not what an app did for them). */
  othersOnly: boolean;
  /** yyyy-mm-dd, inclusive, Dutch calendar days. */
  from?: string;
  to?: string;
}

export interface AccessLogEntry {
  id: number;
  at: Date;
  event: string;
  action: AuditAction;
  outcome: AuditOutcome;
  actorType: ActorType;
  actorId: string | null;
  actorRole: string | null;
  organisationId: string | null;
  /** `app:{id}` for an app the citizen authorised; another value for a colleague; null when nobody else. */
  onBehalfOf: string | null;
  resourceType: string | null;
  resourceId: string | null;
  reason: string | null;
}

export interface AccessLogPage {
  entries: AccessLogEntry[];
  total: number;
  pages: number;
  /** Organisations that appear in this citizen's log (for the filter), by id. */
  organisations: Map<string, string>;
  /** Display names of the staff members on this page, by id. */
  names: Map<string, string>;
  /** Names of the apps on this page (citizen_app.id → name). */
  apps: Map<string, string>;
}

const isoDate = z.iso.date();
const filterQuery = z.object({
  page: z.union([z.literal(''), z.coerce.number().int().min(1).max(MAX_PAGE)]).optional(),
  org: z.union([z.literal(''), z.uuid()]).optional(),
  who: z.enum(['all', 'others', '']).optional(),
  from: z.union([z.literal(''), isoDate]).optional(),
  to: z.union([z.literal(''), isoDate]).optional(),
});

export type FilterProblem = 'from' | 'to' | 'order';

/**
 * Reads the filter from the query string. A tampered page or organisation is a 400; a date the visitor typed
 * wrongly comes back as a problem to show next to the field.
 */
export function parseFilter(query: unknown): { filter: AccessLogFilter; problems: FilterProblem[] } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const base = filterQuery.pick({ page: true, org: true, who: true }).safeParse(raw);
  if (!base.success) throw new HttpError(400, 'badRequest');
  const problems: FilterProblem[] = [];
  const date = (key: 'from' | 'to'): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === '') return undefined;
    const parsed = isoDate.safeParse(typeof v === 'string' ? v.trim() : v);
    if (!parsed.success || parsed.data < '1900-01-01' || parsed.data > '2999-12-31') {
      problems.push(key);
      return undefined;
    }
    return parsed.data;
  };
  const from = date('from');
  const to = date('to');
  if (from && to && from > to) problems.push('order');
  const page = base.data.page === '' || base.data.page === undefined ? 1 : base.data.page;
  return {
    filter: {
      page,
      ...(base.data.org ? { org: base.data.org.toLowerCase() } : {}),
      // What others did is what people look for: their own views are one choice ("all") away.
      othersOnly: base.data.who !== 'all',
      ...(from && !problems.includes('order') ? { from } : {}),
      ...(to && !problems.includes('order') ? { to } : {}),
    },
    problems,
  };
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

/** One page of the citizen's log (or all of it), newest first. The caller has written the audit record of this view. */
export async function readAccessLog(
  scope: DataScope,
  citizenId: string,
  filter: AccessLogFilter,
  /** Every line (up to EXPORT_MAX) instead of the page of `filter.page`: the export. */
  opts: { all?: boolean } = {},
): Promise<AccessLogPage> {
  const { tx } = scope;
  let q = tx.selectFrom('audit_log').where('citizen_id', '=', citizenId);
  if (filter.org) q = q.where('actor_organisation_id', '=', filter.org);
  if (filter.othersOnly) {
    q = q.where((eb) =>
      eb.or([
        eb('actor_type', '<>', 'citizen'),
        eb('actor_id', 'is', null),
        eb('actor_id', '<>', citizenId),
        eb('on_behalf_of', 'is not', null),
      ]),
    );
  }
  if (filter.from) q = q.where('occurred_at', '>=', amsterdamDayStart(filter.from));
  if (filter.to) q = q.where('occurred_at', '<', amsterdamDayStart(nextDay(filter.to)));

  const countRow = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const total = countRow?.n ?? 0;
  const rows = await q
    .select([
      'id',
      'occurred_at',
      'event_code',
      'action',
      'outcome',
      'actor_type',
      'actor_id',
      'actor_role',
      'actor_organisation_id',
      'on_behalf_of',
      'resource_type',
      'resource_id',
      'reason',
    ])
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.all ? EXPORT_MAX : PAGE_SIZE)
    .offset(opts.all ? 0 : (filter.page - 1) * PAGE_SIZE)
    .execute();

  const organisationRows = await tx
    .selectFrom('organisation')
    .select(['id', 'name'])
    .where(
      'id',
      'in',
      tx
        .selectFrom('audit_log')
        .select(sql<string>`actor_organisation_id`.as('id'))
        .where('citizen_id', '=', citizenId)
        .where('actor_organisation_id', 'is not', null),
    )
    .orderBy('name')
    .execute();

  const staffIds = [
    ...new Set(
      rows
        .filter((r) => (r.actor_type === 'staff' || r.actor_type === 'operator') && r.actor_id)
        .map((r) => r.actor_id as string),
    ),
  ];
  const names = new Map<string, string>();
  if (staffIds.length > 0) {
    const found = await sql<{ id: string; display_name: string }>`
      select id, display_name from koepel_audit_actor_names(${staffIds}::uuid[])`.execute(tx);
    for (const r of found.rows) names.set(r.id, r.display_name);
  }

  // Apps named on this page: the app that acted (on_behalf_of), or the app a grant was about (resource).
  const appIds = [
    ...new Set(
      rows.flatMap((r) => [
        ...(r.on_behalf_of?.startsWith('app:') ? [r.on_behalf_of.slice(4)] : []),
        ...(r.resource_type === 'citizen_app' && r.resource_id ? [r.resource_id] : []),
      ]),
    ),
  ].filter((id) => UUID.test(id));
  const apps = new Map<string, string>();
  if (appIds.length > 0) {
    const found = await tx.selectFrom('citizen_app').select(['id', 'name']).where('id', 'in', appIds).execute();
    for (const r of found) apps.set(r.id, r.name);
  }

  return {
    entries: rows.map((r) => ({
      id: r.id,
      at: r.occurred_at,
      event: r.event_code,
      action: r.action,
      outcome: r.outcome,
      actorType: r.actor_type,
      actorId: r.actor_id,
      actorRole: r.actor_role,
      organisationId: r.actor_organisation_id,
      onBehalfOf: r.on_behalf_of,
      resourceType: r.resource_type,
      resourceId: r.resource_id,
      reason: r.reason,
    })),
    total,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    organisations: new Map(organisationRows.map((o) => [o.id, o.name])),
    names,
    apps,
  };
}
