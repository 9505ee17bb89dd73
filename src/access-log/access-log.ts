// "Wie heeft mijn gegevens bekeken": the citizen's own view of the NEN 7513 audit log (Wabvpz art. 15e: a
// chronological overview of who — organisation and role — accessed which data, filterable by period).
// Row-level security (audit_log_read) shows a citizen only the records that name them; staff display names come
// from koepel_audit_actor_names(), which reveals the name of a staff member only when that member appears in the
// calling citizen's own log. Nothing here can reach another citizen's records.
import { sql } from 'kysely';
import { z } from 'zod';
import { auditLine, inPeriod, newestLines, parsePeriod, staffActorIds } from '../platform/audit/log-query.js';
import type { AuditLine, Period, PeriodProblem } from '../platform/audit/log-query.js';
import { HttpError } from '../platform/http/errors.js';
import type { DataScope } from '../platform/http/request-context.js';

export const PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_PAGE = 10_000;
/** The most lines one export holds (a filter by period narrows a larger log). */
export const EXPORT_MAX = 50_000;

export interface AccessLogFilter extends Period {
  page: number;
  /** Only records of this organisation's people and systems. */
  org?: string;
  /** Leave out what the citizen did themselves (but not what an app did for them). */
  othersOnly: boolean;
}

/** An audit record; its `onBehalfOf` is `app:{id}` for an app the citizen authorised, another value for a colleague. */
export interface AccessLogEntry extends AuditLine {
  organisationId: string | null;
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

const filterQuery = z.object({
  page: z.union([z.literal(''), z.coerce.number().int().min(1).max(MAX_PAGE)]).optional(),
  org: z.union([z.literal(''), z.uuid()]).optional(),
  who: z.enum(['all', 'others', '']).optional(),
});

export type FilterProblem = PeriodProblem;

/**
 * Reads the filter from the query string. A tampered page or organisation is a 400; a date the visitor typed
 * wrongly comes back as a problem to show next to the field.
 */
export function parseFilter(query: unknown): { filter: AccessLogFilter; problems: FilterProblem[] } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const base = filterQuery.safeParse(raw);
  if (!base.success) throw new HttpError(400, 'badRequest');
  const { period, problems } = parsePeriod(raw);
  const page = base.data.page === '' || base.data.page === undefined ? 1 : base.data.page;
  return {
    filter: {
      page,
      ...(base.data.org ? { org: base.data.org.toLowerCase() } : {}),
      // What others did is what people look for: their own views are one choice ("all") away.
      othersOnly: base.data.who !== 'all',
      ...period,
    },
    problems,
  };
}

/** The records about the citizen: what the log lists, and where the organisation filter finds its choices. */
function citizenLog(tx: DataScope['tx'], citizenId: string) {
  return tx.selectFrom('audit_log').where('citizen_id', '=', citizenId);
}

/** One page of the citizen's log (or all of it), newest first. The caller has written the audit record of this view. */
export async function readAccessLog(
  { tx }: DataScope,
  citizenId: string,
  filter: AccessLogFilter,
  /** Every line (up to EXPORT_MAX) instead of the page of `filter.page`: the export. */
  opts: { all?: boolean } = {},
): Promise<AccessLogPage> {
  let q = citizenLog(tx, citizenId);
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
  q = inPeriod(q, filter);

  const countRow = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const total = countRow?.n ?? 0;
  const rows = await newestLines(q, ['actor_organisation_id'], {
    page: filter.page,
    pageSize: PAGE_SIZE,
    all: opts.all,
    max: EXPORT_MAX,
  }).execute();

  const organisationRows = await tx
    .selectFrom('organisation')
    .select(['id', 'name'])
    .where(
      'id',
      'in',
      citizenLog(tx, citizenId)
        .select(sql<string>`actor_organisation_id`.as('id'))
        .where('actor_organisation_id', 'is not', null),
    )
    .orderBy('name')
    .execute();

  const staffIds = staffActorIds(rows);
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
    entries: rows.map((r) => ({ ...auditLine(r), organisationId: r.actor_organisation_id })),
    total,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    organisations: new Map(organisationRows.map((o) => [o.id, o.name])),
    names,
    apps,
  };
}
