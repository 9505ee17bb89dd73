// System messages (MG-9): what Koepel tells a citizen — new data from an organisation, an order handled, a change to
// the portal or its privacy statement. A message is a kind and parameters (ids, a category, a status, a date), never
// free text and never medical content; text.ts turns it into words at read time, in the reader's language.
//
// Who writes (migration 0032): "new data" the database itself, from the record's events; other messages Koepel's own
// code as the system purpose 'system-messages' (postSystemMessage) or a trigger; portal notices the operator
// (postPortalNotice) or the database when a portal's privacy statement date moves forward. Staff, API clients and
// citizens cannot insert one. The citizen reads and marks read only their own, after an audit record.
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Principal } from '../platform/db/principal.js';
import type { RecordCategory } from '../platform/db/schema.js';
import type { DataScope } from '../platform/http/request-context.js';
import { RECORD_CATEGORIES } from '../record/index.js';

type Citizen = Extract<Principal, { kind: 'citizen' }>;

/** The statuses an organisation gives an order that the citizen hears about (the orders' own statuses, MG-8). */
export const ORDER_HANDLED_STATUSES = ['question', 'approved', 'refused', 'ready', 'sent', 'delivered'] as const;
export type OrderHandledStatus = (typeof ORDER_HANDLED_STATUSES)[number];

/** What a portal-wide change is about (the text is the catalogue's). */
export const PORTAL_CHANGE_TOPICS = ['improvements', 'functions', 'maintenance'] as const;
export type PortalChangeTopic = (typeof PORTAL_CHANGE_TOPICS)[number];

export type SystemMessageKind = 'new-data' | 'order-handled' | 'portal-change' | 'privacy-statement-change';

/** A message for one citizen, by kind: the parameters each kind's text needs, and nothing else. */
export type SystemMessageInput =
  | { kind: 'new-data'; citizenId: string; organisationId: string; params: { category: RecordCategory } }
  | {
      kind: 'order-handled';
      citizenId: string;
      organisationId: string;
      params: { status: OrderHandledStatus; orderId?: string };
    }
  | { kind: 'portal-change'; citizenId: string; params: { date: string; topic: PortalChangeTopic } }
  | { kind: 'privacy-statement-change'; citizenId: string; params: { date: string } };

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)));
const category = z.enum(RECORD_CATEGORIES as [RecordCategory, ...RecordCategory[]]);

// What is stored in `params`, per kind (read back through the same schemas: a row that does not fit shows nothing).
const orderParams = z.strictObject({ status: z.enum(ORDER_HANDLED_STATUSES), orderId: z.uuid().optional() });
const portalParams = z.strictObject({ date: isoDate, topic: z.enum(PORTAL_CHANGE_TOPICS) });
const privacyParams = z.strictObject({ date: isoDate });

/** One message as the citizen's tab shows it: a message of their own or a notice of their portal. */
export type SystemMessage = {
  id: string;
  createdAt: Date;
  readAt: Date | null;
  organisationId: string | null;
  organisationName: string | null;
} & (
  | { kind: 'new-data'; category: RecordCategory }
  | { kind: 'order-handled'; status: OrderHandledStatus; orderId: string | null }
  | { kind: 'portal-change'; date: string; topic: PortalChangeTopic }
  | { kind: 'privacy-statement-change'; date: string }
);

export class SystemMessageRefused extends Error {}

/**
 * Posts a system message to one citizen, as Koepel: `scope` must be the system purpose 'system-messages'
 * (`req.withSystem('system-messages', (s) => postSystemMessage(s, …))`, or `systemTask` outside a request); the
 * database refuses every other principal. "New data" is not repeated while an unread one of that organisation and
 * category exists. Returns the new message's id, or null when it was not repeated.
 */
export async function postSystemMessage(scope: DataScope, input: SystemMessageInput): Promise<string | null> {
  if (scope.principal.kind !== 'system' || scope.principal.purpose !== 'system-messages') {
    throw new SystemMessageRefused('only Koepel posts system messages');
  }
  const base = { citizen_id: z.uuid().parse(input.citizenId), kind: input.kind };
  let row;
  switch (input.kind) {
    case 'new-data':
      row = {
        ...base,
        organisation_id: z.uuid().parse(input.organisationId),
        category: category.parse(input.params.category),
        params: '{}',
      };
      break;
    case 'order-handled':
      row = {
        ...base,
        organisation_id: z.uuid().parse(input.organisationId),
        category: null,
        params: JSON.stringify(orderParams.parse(input.params)),
      };
      break;
    case 'portal-change':
      row = {
        ...base,
        organisation_id: null,
        category: null,
        params: JSON.stringify(portalParams.parse(input.params)),
      };
      break;
    case 'privacy-statement-change':
      row = {
        ...base,
        organisation_id: null,
        category: null,
        params: JSON.stringify(privacyParams.parse(input.params)),
      };
      break;
  }
  // The id is made here: Koepel writes messages but has no right to read them back (no RETURNING).
  const id = randomUUID();
  const result = await scope.tx
    .insertInto('system_message')
    .values({ ...row, id })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  const inserted = Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  await scope.audit({
    event: 'system-message.create',
    action: 'C',
    citizenId: input.citizenId,
    resourceType: 'system-message',
    ...(inserted ? { resourceId: id } : {}),
  });
  return inserted ? id : null;
}

// ---------------------------------------------------------------------------------------------------------------
// The citizen's side
// ---------------------------------------------------------------------------------------------------------------

export const PAGE_SIZE = 20;

interface Row {
  id: string;
  source: 'message' | 'notice';
  kind: SystemMessageKind;
  organisation_id: string | null;
  organisation_name: string | null;
  category: string | null;
  params: unknown;
  created_at: Date;
  read_at: Date | null;
  total?: string | number;
  unread?: string | number;
}

/** A stored row as a message, or null when its parameters do not fit its kind (it is then not shown). */
function fromRow(r: Row): SystemMessage | null {
  const common = {
    id: r.id,
    createdAt: new Date(r.created_at),
    readAt: r.read_at === null ? null : new Date(r.read_at),
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
  };
  const params = typeof r.params === 'string' ? (JSON.parse(r.params) as unknown) : r.params;
  switch (r.kind) {
    case 'new-data': {
      const c = category.safeParse(r.category);
      return c.success ? { ...common, kind: 'new-data', category: c.data } : null;
    }
    case 'order-handled': {
      const p = orderParams.safeParse(params);
      return p.success
        ? { ...common, kind: 'order-handled', status: p.data.status, orderId: p.data.orderId ?? null }
        : null;
    }
    case 'portal-change': {
      const p = portalParams.safeParse(params);
      return p.success ? { ...common, kind: 'portal-change', date: p.data.date, topic: p.data.topic } : null;
    }
    case 'privacy-statement-change': {
      const p = privacyParams.safeParse(params);
      return p.success ? { ...common, kind: 'privacy-statement-change', date: p.data.date } : null;
    }
  }
}

/**
 * The citizen's own messages and their portal's notices (those posted since they joined) as one list, newest first.
 * Row-level security decides which of their messages they see (organisations of their portal with an active
 * relationship; "new data" only in a category the organisation shows them).
 */
function citizenMessages(citizen: Citizen) {
  return sql<Row>`
    select m.id, 'message' as source, m.kind, m.organisation_id, o.name as organisation_name, m.category, m.params,
           m.created_at, m.read_at
      from system_message m
      left join organisation o on o.id = m.organisation_id
     where m.citizen_id = ${citizen.citizenId}
    union all
    select n.id, 'notice', n.kind, null, null, null, n.params, n.created_at, r.read_at
      from portal_notice n
      left join portal_notice_read r on r.notice_id = n.id and r.citizen_id = ${citizen.citizenId}
     where n.portal_id = ${citizen.portalId}
       and n.created_at >= (select c.created_at from citizen c where c.id = ${citizen.citizenId})`;
}

export interface SystemMessagePage {
  messages: SystemMessage[];
  total: number;
  unread: number;
  page: number;
  pages: number;
}

/** One page of the citizen's system messages, newest first (audited first). Null when the page does not exist. */
export async function listSystemMessages(
  scope: DataScope,
  citizen: Citizen,
  page: number,
): Promise<SystemMessagePage | null> {
  await scope.audit({
    event: 'citizen.system-messages.view',
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: 'system-messages',
  });
  const { rows } = await sql<Row>`
    select u.*, count(*) over () as total, count(*) filter (where u.read_at is null) over () as unread
      from (${citizenMessages(citizen)}) u
     order by u.created_at desc, u.id desc
     limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}`.execute(scope.tx);
  const first = rows[0];
  if (!first) {
    if (page > 1) return null;
    return { messages: [], total: 0, unread: 0, page: 1, pages: 1 };
  }
  const total = Number(first.total ?? 0);
  return {
    messages: rows.map(fromRow).filter((m): m is SystemMessage => m !== null),
    total,
    unread: Number(first.unread ?? 0),
    page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
  };
}

/**
 * Opens one of the citizen's messages (audited first) and marks it read: a message of their own gets its read_at,
 * a notice of their portal a read marker. Null when it is not theirs to see.
 */
export async function openSystemMessage(scope: DataScope, citizen: Citizen, id: string): Promise<SystemMessage | null> {
  await scope.audit({
    event: 'citizen.system-message.view',
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: 'system-message',
    resourceId: id,
  });
  const { rows } = await sql<Row>`select u.* from (${citizenMessages(citizen)}) u where u.id = ${id}`.execute(scope.tx);
  const row = rows[0];
  if (!row) return null;
  const message = fromRow(row);
  if (!message) return null;
  if (row.read_at === null) {
    const now = new Date();
    if (row.source === 'message') {
      await scope.tx
        .updateTable('system_message')
        .set({ read_at: now })
        .where('id', '=', id)
        .where('citizen_id', '=', citizen.citizenId)
        .where('read_at', 'is', null)
        .execute();
    } else {
      await scope.tx
        .insertInto('portal_notice_read')
        .values({ citizen_id: citizen.citizenId, notice_id: id, read_at: now })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    // What the page shows: read now (the first opening), or whatever an opening a moment earlier wrote.
    message.readAt = now;
  }
  return message;
}

/** The citizen's unread messages and notices: a count only, so it writes no audit record (migration 0032). */
export async function unreadCount(scope: DataScope): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`select koepel_system_message_unread() as n`.execute(scope.tx);
  return Number(rows[0]?.n ?? 0);
}

/** The number on the citizen's menu (a navigation badge): null (nothing shown) when none is unread. */
export async function unreadSystemMessages(req: FastifyRequest): Promise<number | null> {
  if (req.principal.kind !== 'citizen' || req.principal.app) return null;
  const n = await req.withData(unreadCount);
  return n > 0 ? n : null;
}

// ---------------------------------------------------------------------------------------------------------------
// The operator's side: notices to every citizen of a portal
// ---------------------------------------------------------------------------------------------------------------

export type PortalNoticeInput =
  | { portalId: string; kind: 'portal-change'; params: { date: string; topic: PortalChangeTopic } }
  | { portalId: string; kind: 'privacy-statement-change'; params: { date: string } };

export interface PortalNotice {
  id: string;
  portalId: string;
  createdAt: Date;
  byOperator: boolean;
  message: SystemMessage;
}

/**
 * Posts a notice to every citizen of one portal (the operator; audited). Null when a notice of that kind for that
 * date exists already (a double submit, or the database posted it when the privacy statement date changed).
 */
export async function postPortalNotice(scope: DataScope, input: PortalNoticeInput): Promise<string | null> {
  if (scope.principal.kind !== 'operator') throw new SystemMessageRefused('only the operator posts portal notices');
  const params = input.kind === 'portal-change' ? portalParams.parse(input.params) : privacyParams.parse(input.params);
  const row = await scope.tx
    .insertInto('portal_notice')
    .values({
      portal_id: z.uuid().parse(input.portalId),
      kind: input.kind,
      params: JSON.stringify(params),
      posted_by: scope.principal.staffId,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return null;
  await scope.audit({
    event: 'operator.portal-notice.post',
    action: 'C',
    resourceType: 'portal-notice',
    resourceId: row.id,
  });
  return row.id;
}

/** The notices posted, newest first (operator). */
export async function portalNotices(scope: DataScope, limit = 100): Promise<PortalNotice[]> {
  const rows = await scope.tx
    .selectFrom('portal_notice')
    .select(['id', 'portal_id', 'kind', 'params', 'created_at', 'posted_by'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.flatMap((r) => {
    const message = fromRow({
      id: r.id,
      source: 'notice',
      kind: r.kind,
      organisation_id: null,
      organisation_name: null,
      category: null,
      params: r.params,
      created_at: r.created_at,
      read_at: null,
    });
    return message
      ? [
          {
            id: r.id,
            portalId: r.portal_id,
            createdAt: new Date(r.created_at),
            byOperator: r.posted_by !== null,
            message,
          },
        ]
      : [];
  });
}
