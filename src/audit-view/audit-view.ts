// The privacy officer's view of their organisation's NEN 7513 audit log: filter, page, export.
//
// Only the organisation's own records: row-level security (audit_log_read, migrations/0015) shows staff with
// audit:read the records whose actor belongs to their organisation, and every query here also names the
// organisation, which lets PostgreSQL use audit_log_org_time (migrations/0015) for "newest first".
// Names of citizens are citizen data: the citizen row is readable only after an audit record about that citizen in
// this transaction (koepel_audited), so a page or an export writes its own records first — the audit of the audit —
// and then reads the names, and only of citizens who are (still) patients of the organisation.
import { sql } from 'kysely';
import { z } from 'zod';
import { bsnIndex, displayName, parseBsn } from '../identity/index.js';
import type { AuditEvent } from '../platform/audit/audit.js';
import { auditLine, inPeriod, newestLines, parsePeriod, staffActorIds } from '../platform/audit/log-query.js';
import type { AuditLine, Period } from '../platform/audit/log-query.js';
import type { DataScope } from '../platform/http/request-context.js';

export const PAGE_SIZE = 50;
/**
 * Counting stops here: "more than 10,000" is all the pages need to say, and a count of millions costs seconds.
 * Measured on PostgreSQL with 1,000,000 records (40 organisations, the largest with 250,000; migrations/0015): a
 * page 0.5 ms (page 40: 45 ms), the capped count 33 ms; by event 8 ms, by period 0.3 ms, by citizen 0.2 ms; by
 * employee 0.1 s for the page and 0.7 s for the count (no index on the actor: every audit write would pay for it).
 */
export const COUNT_CAP = 10_000;
/** The most lines one export holds; a narrower filter (a period, a citizen) exports the rest. */
export const EXPORT_MAX = 10_000;
const MAX_PAGE = Math.ceil(COUNT_CAP / PAGE_SIZE);

export const VIEW_EVENT = 'audit.log.view';
export const VIEW_CITIZEN_EVENT = 'audit.log.view.citizen';
export const EXPORT_EVENT = 'audit.log.export';
export const EXPORT_CITIZEN_EVENT = 'audit.log.export.citizen';
export const VERIFY_EVENT = 'audit.chain.verify';

/** The event codes Koepel writes about an organisation's people and systems (the event filter offers these). */
export const KNOWN_EVENTS = [
  'staff.login',
  'staff.logout',
  'staff.totp.enrol',
  'patient.search',
  'patient.search.result',
  'patient.record.view',
  'patient.record.document',
  'record.request.list',
  'record.request.view',
  'record.request.grant',
  'record.request.decline',
  'record.patient.create',
  'record.patient.match',
  'record.resource.create',
  'record.resource.update',
  'record.resource.resend',
  'directory.resource.create',
  'directory.resource.update',
  'directory.resource.resend',
  'fhir.read',
  'fhir.search',
  'fhir.patient.read',
  'fhir.patient.refused',
  'fhir.resource.read',
  'fhir.binary.read',
  'fhir.everything',
  'fhir.directory.read',
  'api-client.create',
  'api-client.revoke',
  'api-client.token',
  'organisation.categories.update',
  VIEW_EVENT,
  VIEW_CITIZEN_EVENT,
  EXPORT_EVENT,
  EXPORT_CITIZEN_EVENT,
  VERIFY_EVENT,
] as const;
const KNOWN = new Set<string>(KNOWN_EVENTS);

export interface AuditFilter extends Period {
  page: number;
  citizen?: string;
  staff?: string;
  event?: string;
}

export type FilterProblem = 'page' | 'citizen' | 'staff' | 'from' | 'to' | 'order' | 'event';

const uuid = z.uuid();

/**
 * Reads the filter from the query string. Anything wrong — a tampered id, a date that is not one, an unknown event
 * code — comes back as a problem to show (a 400 page with the message), never as an error page.
 */
export function parseFilter(query: unknown): { filter: AuditFilter; problems: FilterProblem[] } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const problems: FilterProblem[] = [];
  const text = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === '') return undefined;
    return typeof v === 'string' ? v.trim() : '\u0000'; // an array (?a=1&a=2) is never valid
  };
  const filter: AuditFilter = { page: 1 };
  const page = text('page');
  if (page !== undefined) {
    if (/^\d{1,6}$/.test(page) && Number(page) >= 1 && Number(page) <= MAX_PAGE) filter.page = Number(page);
    else problems.push('page');
  }
  for (const key of ['citizen', 'staff'] as const) {
    const v = text(key);
    if (v === undefined) continue;
    if (uuid.safeParse(v).success) filter[key] = v.toLowerCase();
    else problems.push(key);
  }
  const period = parsePeriod(raw);
  Object.assign(filter, period.period);
  problems.push(...period.problems);
  const event = text('event');
  if (event !== undefined) {
    if (KNOWN.has(event)) filter.event = event;
    else problems.push('event');
  }
  return { filter, problems };
}

/** The filter as query parameters (ids, dates, an event code and a page number: nothing that identifies a person). */
export function filterParams(filter: AuditFilter, page = filter.page): URLSearchParams {
  const q = new URLSearchParams();
  if (filter.citizen) q.set('citizen', filter.citizen);
  if (filter.staff) q.set('staff', filter.staff);
  if (filter.from) q.set('from', filter.from);
  if (filter.to) q.set('to', filter.to);
  if (filter.event) q.set('event', filter.event);
  if (page > 1) q.set('page', String(page));
  return q;
}

export type CitizenLookup = { ok: true; citizenId: string } | { ok: false; problem: 'citizenFormat' | 'citizenNone' };

/**
 * Finds the citizen the officer typed: a BSN (by its blind index: the BSN goes no further than this function) or one
 * of the organisation's patient numbers. "None" does not say whether the BSN exists: only whether this
 * organisation's log names it.
 */
export async function findCitizen(scope: DataScope, input: string): Promise<CitizenLookup> {
  const value = input.trim();
  if (value === '' || value.length > 40) return { ok: false, problem: 'citizenFormat' };
  // Nine digits that pass the 11-test are a BSN; anything else (numeric patient numbers too) a patient number.
  const bsn = parseBsn(value);
  if (bsn) {
    const found = await sql<{ id: string | null }>`
      select koepel_audit_citizen(${bsnIndex(scope.keys, bsn)}) as id`.execute(scope.tx);
    const id = found.rows[0]?.id;
    return id ? { ok: true, citizenId: id } : { ok: false, problem: 'citizenNone' };
  }
  const row = await scope.tx
    .selectFrom('care_relationship')
    .select('citizen_id')
    .where('patient_number', '=', value)
    .executeTakeFirst();
  return row ? { ok: true, citizenId: row.citizen_id } : { ok: false, problem: 'citizenNone' };
}

export interface AuditEntry extends AuditLine {
  citizenId: string | null;
  clientAddress: string | null;
  userAgent: string | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Up to COUNT_CAP; `more` when there are more. */
  total: number;
  more: boolean;
  pages: number;
  /** Staff display names by id (current colleagues; a former employee's name is not readable). */
  staffNames: Map<string, string>;
  /** Citizens' names by id, for those who are patients of the organisation now. */
  citizens: Map<string, { name: string; patientNumber: string | null }>;
}

/** The reason of the view's own audit record: the filter, without a citizen (that is the record's citizen). */
function filterReason(kind: 'page' | 'export', filter: AuditFilter): string {
  const q = filterParams(filter, 1);
  q.delete('citizen');
  const parts = [kind === 'page' ? `page=${filter.page}` : 'export', ...[...q].map(([k, v]) => `${k}=${v}`)];
  if (filter.citizen) parts.push('citizen-filter');
  return parts.join(';');
}

/**
 * One page (or, with `all`, the export) of the organisation's log, newest first. Writes the audit records of this
 * view — one for the view and one per citizen it shows — before it reads any citizen's name.
 */
export async function readAuditPage(
  scope: DataScope,
  organisationId: string,
  filter: AuditFilter,
  opts: { all?: boolean } = {},
): Promise<AuditPage> {
  const { tx } = scope;
  let q = tx.selectFrom('audit_log').where('actor_organisation_id', '=', organisationId);
  if (filter.citizen) q = q.where('citizen_id', '=', filter.citizen);
  if (filter.staff) q = q.where('actor_id', '=', filter.staff).where('actor_type', 'in', ['staff', 'operator']);
  if (filter.event) q = q.where('event_code', '=', filter.event);
  q = inPeriod(q, filter);

  const counted = await tx
    .selectFrom(
      q
        .select('id')
        .limit(COUNT_CAP + 1)
        .as('f'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const more = counted.n > COUNT_CAP;
  const total = Math.min(counted.n, COUNT_CAP);
  const rows = await newestLines(q, ['citizen_id', 'client_address', 'user_agent'], {
    page: filter.page,
    pageSize: PAGE_SIZE,
    all: opts.all,
    max: EXPORT_MAX,
  }).execute();

  // The audit of the audit: this view, and each citizen whose records it shows (or whose trail was asked for).
  const citizenIds = [
    ...new Set([
      ...(filter.citizen ? [filter.citizen] : []),
      ...rows.flatMap((r) => (r.citizen_id ? [r.citizen_id] : [])),
    ]),
  ];
  const each: AuditEvent[] = citizenIds.map((id) => ({
    event: opts.all ? EXPORT_CITIZEN_EVENT : VIEW_CITIZEN_EVENT,
    action: 'R',
    citizenId: id,
    resourceType: 'audit_log',
  }));
  await scope.audit(
    {
      event: opts.all ? EXPORT_EVENT : VIEW_EVENT,
      action: 'R',
      resourceType: 'audit_log',
      reason: filterReason(opts.all ? 'export' : 'page', filter),
    },
    ...each,
  );

  const citizens = new Map<string, { name: string; patientNumber: string | null }>();
  if (citizenIds.length > 0) {
    const found = await tx
      .selectFrom('citizen as c')
      .innerJoin('care_relationship as r', 'r.citizen_id', 'c.id')
      .select(['c.id', 'c.given_names', 'c.name_prefix', 'c.family_name', 'r.patient_number'])
      .where(sql<boolean>`c.id = any(${citizenIds}::uuid[])`)
      .where('r.organisation_id', '=', organisationId)
      .execute();
    for (const c of found) citizens.set(c.id, { name: displayName(c), patientNumber: c.patient_number });
  }

  const staffIds = staffActorIds(rows);
  const staffNames = new Map<string, string>();
  if (staffIds.length > 0) {
    const found = await tx
      .selectFrom('staff_account')
      .select(['id', 'display_name'])
      .where(sql<boolean>`id = any(${staffIds}::uuid[])`)
      .execute();
    for (const s of found) staffNames.set(s.id, s.display_name);
  }

  return {
    entries: rows.map((r) => ({
      ...auditLine(r),
      citizenId: r.citizen_id,
      clientAddress: r.client_address,
      userAgent: r.user_agent,
    })),
    total,
    more,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    staffNames,
    citizens,
  };
}

/** The organisation's employees, for the employee filter (current members; by name). */
export async function employees(scope: DataScope, organisationId: string): Promise<{ id: string; name: string }[]> {
  const rows = await scope.tx
    .selectFrom('membership as m')
    .innerJoin('staff_account as a', 'a.id', 'm.staff_id')
    .select(['a.id', 'a.display_name'])
    .where('m.organisation_id', '=', organisationId)
    .orderBy('a.display_name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.display_name }));
}
