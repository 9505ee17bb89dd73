// Conversations (MG-9): the citizen's side and the organisation's side, over the tables of migration 0029.
//
// Every read of a conversation is citizen data, audited before the rows are read (row-level security requires the
// audit record). Texts and attachments are sealed under the organisation's key (crypto.ts) and never logged; the
// audit records name the conversation (resource id), never its subject. A message and its attachments are written
// in ONE transaction: a refused file throws, and nothing of the message is stored. Status, last message and unread
// counters are kept by the database's triggers, whoever writes (0029).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { activeCareProviders } from '../care-providers/index.js';
import { patientsById } from '../patients/index.js';
import type { Principal } from '../platform/db/principal.js';
import type { DataScope } from '../platform/http/request-context.js';
import { checkAttachment, type AttachmentType, type CheckedAttachment } from './attachments.js';
import { aad, openBytes, openText, sealBytes, sealText } from './crypto.js';
import type { UploadedFile } from './multipart.js';

type Citizen = Extract<Principal, { kind: 'citizen' }>;
type Staff = Extract<Principal, { kind: 'staff' }>;

export const SUBJECT_MAX = 120;
export const BODY_MAX = 5000;
export const NOTE_MAX = 2000;
export const INBOX_PAGE = 25;

export type ConversationStatus = 'open' | 'answered' | 'closed';
export type Sender = 'citizen' | 'staff' | 'system';
export type InboxState = 'unread' | 'open' | 'answered' | 'closed';
export type InboxWho = 'mine' | 'unassigned' | 'all';
export const INBOX_STATES: readonly InboxState[] = ['unread', 'open', 'answered', 'closed'];
export const INBOX_WHO: readonly InboxWho[] = ['mine', 'unassigned', 'all'];

/** A text the citizen or an employee wrote that cannot be stored as it is. */
export class MessageRefused extends Error {
  constructor(readonly reason: 'closed' | 'not-allowed' | 'staff') {
    super(`message refused: ${reason}`);
  }
}

export interface AttachmentInfo {
  id: string;
  messageId: string;
  fileName: string;
  contentType: AttachmentType;
  size: number;
}

export interface ThreadMessage {
  id: string;
  sender: Sender;
  senderName: string | null;
  body: string;
  at: Date;
  readAt: Date | null;
  attachments: AttachmentInfo[];
}

export interface ConversationSummary {
  id: string;
  organisationId: string;
  organisationName: string;
  subject: string;
  status: ConversationStatus;
  lastMessageAt: Date;
  lastSender: Sender | null;
  unread: number;
  messageCount: number;
  addressedToName: string | null;
  /** Who wrote the first message: a conversation the organisation started has a subject of its own (Dutch). */
  startedBy: Sender | null;
}

export interface Thread extends ConversationSummary {
  citizenId: string;
  followsId: string | null;
  assignedTo: string | null;
  about: { kind: 'medication-order'; id: string } | null;
  closedAt: Date | null;
  messages: ThreadMessage[];
}

export interface Note {
  id: string;
  authorName: string | null;
  body: string;
  at: Date;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing (shared by the citizen, staff and startConversation)
// ---------------------------------------------------------------------------------------------------------------

/** Checks every file first (content, type, active content): one refused file and nothing is written. */
export async function checkFiles(files: readonly UploadedFile[]): Promise<CheckedAttachment[]> {
  const checked: CheckedAttachment[] = [];
  for (const f of files) checked.push(await checkAttachment(f.name, f.data));
  return checked;
}

async function insertMessage(
  scope: DataScope,
  c: { id: string; organisationId: string; citizenId: string },
  m: {
    sender: Sender;
    staffId?: string | null;
    senderName?: string | null;
    body: string;
    files: readonly CheckedAttachment[];
    key?: string | null;
  },
): Promise<string | null> {
  const id = randomUUID();
  const row = await scope.tx
    .insertInto('conversation_message')
    .values({
      id,
      conversation_id: c.id,
      organisation_id: c.organisationId,
      citizen_id: c.citizenId,
      sender: m.sender,
      sender_staff: m.staffId ?? null,
      sender_name: m.senderName ?? null,
      body: await sealText(scope, c.organisationId, m.body, aad.body(id)),
      idempotency_key: m.key ?? null,
    })
    .onConflict((oc) =>
      oc.columns(['conversation_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  // The same form sent twice: the first message stands, nothing more is written.
  if (!row) return null;
  for (const f of m.files) {
    const aid = randomUUID();
    await scope.tx
      .insertInto('message_attachment')
      .values({
        id: aid,
        message_id: id,
        conversation_id: c.id,
        organisation_id: c.organisationId,
        citizen_id: c.citizenId,
        content_type: f.contentType,
        size_bytes: f.data.length,
        file_name: await sealText(scope, c.organisationId, f.fileName, aad.fileName(aid)),
        content: await sealBytes(scope, c.organisationId, f.data, aad.content(aid)),
      })
      .execute();
  }
  return id;
}

const isClosedError = (err: unknown) => (err as { code?: string }).code === 'KM001';

async function staffName(scope: DataScope, staffId: string): Promise<string> {
  const me = await scope.tx
    .selectFrom('staff_account')
    .select('display_name')
    .where('id', '=', staffId)
    .executeTakeFirst();
  return me?.display_name ?? '';
}

// ---------------------------------------------------------------------------------------------------------------
// The citizen
// ---------------------------------------------------------------------------------------------------------------

export interface MessageableOrganisation {
  id: string;
  name: string;
  /** The organisation lets the citizen address a named employee. */
  toStaff: boolean;
}

/** The citizen's care providers in this portal that offer messages (MG-1). */
export async function messageableOrganisations(scope: DataScope, citizen: Citizen): Promise<MessageableOrganisation[]> {
  const providers = (await activeCareProviders(scope.tx, citizen.citizenId, citizen.portalId)).filter((p) =>
    p.functions.includes('messages'),
  );
  if (providers.length === 0) return [];
  const flags = await scope.tx
    .selectFrom('organisation')
    .select(['id', 'messages_to_staff'])
    .where(
      'id',
      'in',
      providers.map((p) => p.id),
    )
    .execute();
  return providers.map((p) => ({
    id: p.id,
    name: p.name,
    toStaff: flags.find((f) => f.id === p.id)?.messages_to_staff ?? false,
  }));
}

/** The employees the citizen may address at this organisation (names only; empty where it does not allow it). */
export async function addressableStaff(scope: DataScope, organisationId: string) {
  return (
    await sql<{ id: string; name: string }>`select id, name from koepel_message_staff(${organisationId}::uuid)`.execute(
      scope.tx,
    )
  ).rows;
}

async function auditCitizen(scope: DataScope, citizen: Citizen, event: string, action: 'R' | 'C' | 'U', id?: string) {
  await scope.audit({
    event,
    action,
    citizenId: citizen.citizenId,
    resourceType: 'conversation',
    ...(id ? { resourceId: id } : {}),
  });
}

async function summaries(
  scope: DataScope,
  where: { citizenId?: string; ids?: readonly string[] },
  forCitizen: boolean,
) {
  let q = scope.tx
    .selectFrom('conversation as c')
    .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
    .select([
      'c.id',
      'c.organisation_id',
      'c.citizen_id',
      'o.name as organisation_name',
      'c.subject',
      'c.status',
      'c.last_message_at',
      'c.last_sender',
      'c.unread_by_citizen',
      'c.unread_by_organisation',
      'c.message_count',
      'c.addressed_to_name',
      'c.assigned_to',
      (eb) =>
        eb
          .selectFrom('conversation_message as m')
          .select('m.sender')
          .whereRef('m.conversation_id', '=', 'c.id')
          .orderBy('m.created_at')
          .orderBy('m.id')
          .limit(1)
          .as('started_by'),
    ])
    .orderBy('c.last_message_at', 'desc')
    .orderBy('c.id', 'desc');
  if (where.citizenId) q = q.where('c.citizen_id', '=', where.citizenId);
  if (where.ids) {
    if (where.ids.length === 0) return [];
    q = q.where('c.id', 'in', where.ids);
  }
  const rows = await q.execute();
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      organisationId: r.organisation_id,
      citizenId: r.citizen_id,
      organisationName: r.organisation_name,
      subject: await openText(scope, r.organisation_id, r.subject, aad.subject(r.id)),
      status: r.status,
      lastMessageAt: r.last_message_at,
      lastSender: r.last_sender,
      unread: forCitizen ? r.unread_by_citizen : r.unread_by_organisation,
      messageCount: r.message_count,
      addressedToName: r.addressed_to_name,
      assignedTo: r.assigned_to,
      startedBy: r.started_by,
    })),
  );
}

/** The citizen's conversations, newest first. */
export async function citizenConversations(scope: DataScope, citizen: Citizen): Promise<ConversationSummary[]> {
  await auditCitizen(scope, citizen, 'message.list', 'R');
  return summaries(scope, { citizenId: citizen.citizenId }, true);
}

async function threadOf(scope: DataScope, id: string, forCitizen: boolean): Promise<Thread | null> {
  const c = await scope.tx
    .selectFrom('conversation as c')
    .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
    .select([
      'c.id',
      'c.organisation_id',
      'c.citizen_id',
      'o.name as organisation_name',
      'c.subject',
      'c.status',
      'c.last_message_at',
      'c.last_sender',
      'c.unread_by_citizen',
      'c.unread_by_organisation',
      'c.message_count',
      'c.addressed_to_name',
      'c.assigned_to',
      'c.follows_id',
      'c.about_kind',
      'c.about_id',
      'c.closed_at',
    ])
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!c) return null;
  const org = c.organisation_id;
  const [messages, attachments] = await Promise.all([
    scope.tx
      .selectFrom('conversation_message')
      .select(['id', 'sender', 'sender_name', 'body', 'created_at', 'read_at'])
      .where('conversation_id', '=', id)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    scope.tx
      .selectFrom('message_attachment')
      .select(['id', 'message_id', 'content_type', 'size_bytes', 'file_name'])
      .where('conversation_id', '=', id)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  ]);
  const files: AttachmentInfo[] = await Promise.all(
    attachments.map(async (a) => ({
      id: a.id,
      messageId: a.message_id,
      fileName: await openText(scope, org, a.file_name, aad.fileName(a.id)),
      contentType: a.content_type,
      size: a.size_bytes,
    })),
  );
  return {
    id: c.id,
    organisationId: org,
    citizenId: c.citizen_id,
    organisationName: c.organisation_name,
    subject: await openText(scope, org, c.subject, aad.subject(c.id)),
    status: c.status,
    lastMessageAt: c.last_message_at,
    lastSender: c.last_sender,
    unread: forCitizen ? c.unread_by_citizen : c.unread_by_organisation,
    messageCount: c.message_count,
    addressedToName: c.addressed_to_name,
    startedBy: messages[0]?.sender ?? null,
    followsId: c.follows_id,
    assignedTo: c.assigned_to,
    about: c.about_kind === 'medication-order' && c.about_id ? { kind: 'medication-order', id: c.about_id } : null,
    closedAt: c.closed_at,
    messages: await Promise.all(
      messages.map(async (m) => ({
        id: m.id,
        sender: m.sender,
        senderName: m.sender_name,
        body: await openText(scope, org, m.body, aad.body(m.id)),
        at: m.created_at,
        readAt: m.read_at,
        // Attachments of one message share their insert time: by name, so the order is stable.
        attachments: files
          .filter((f) => f.messageId === m.id)
          .sort((a, b) => a.fileName.localeCompare(b.fileName) || a.id.localeCompare(b.id)),
      })),
    ),
  };
}

/** One conversation of the citizen; marks the organisation's messages in it read. Null: not theirs (404). */
export async function citizenThread(scope: DataScope, citizen: Citizen, id: string): Promise<Thread | null> {
  await auditCitizen(scope, citizen, 'message.read', 'R', id);
  const thread = await threadOf(scope, id, true);
  if (!thread || thread.citizenId !== citizen.citizenId) return null;
  if (thread.unread > 0) {
    await scope.tx
      .updateTable('conversation_message')
      .set({ read_at: sql`now()` })
      .where('conversation_id', '=', id)
      .where('sender', '<>', 'citizen')
      .where('read_at', 'is', null)
      .execute();
  }
  return thread;
}

/** The conversation a resubmitted "new conversation" form already made, if any. */
export async function conversationByKey(scope: DataScope, citizen: Citizen, key: string): Promise<string | null> {
  await auditCitizen(scope, citizen, 'message.list', 'R');
  const row = await scope.tx
    .selectFrom('conversation')
    .select('id')
    .where('citizen_id', '=', citizen.citizenId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * The citizen starts a conversation. Returns its id (the first one's, for a resubmitted form). Throws
 * AttachmentRefused (nothing stored) or MessageRefused.
 */
export async function startCitizenConversation(
  scope: DataScope,
  citizen: Citizen,
  input: {
    organisationId: string;
    addressedTo: string | null;
    subject: string;
    body: string;
    files: readonly UploadedFile[];
    key: string;
    followsId: string | null;
  },
): Promise<string> {
  const files = await checkFiles(input.files);
  await auditCitizen(scope, citizen, 'message.create', 'C');
  const org = (await messageableOrganisations(scope, citizen)).find((o) => o.id === input.organisationId);
  if (!org) throw new MessageRefused('not-allowed');
  let addressedName: string | null = null;
  if (input.addressedTo) {
    const staff = await addressableStaff(scope, org.id);
    addressedName = staff.find((s) => s.id === input.addressedTo)?.name ?? null;
    if (!addressedName) throw new MessageRefused('staff');
  }
  if (input.followsId) {
    const f = await scope.tx
      .selectFrom('conversation')
      .select('id')
      .where('id', '=', input.followsId)
      .where('citizen_id', '=', citizen.citizenId)
      .where('organisation_id', '=', org.id)
      .executeTakeFirst();
    if (!f) throw new MessageRefused('not-allowed');
  }
  const id = randomUUID();
  const row = await scope.tx
    .insertInto('conversation')
    .values({
      id,
      organisation_id: org.id,
      citizen_id: citizen.citizenId,
      subject: await sealText(scope, org.id, input.subject, aad.subject(id)),
      started_by: 'citizen',
      addressed_to: input.addressedTo,
      addressed_to_name: addressedName,
      follows_id: input.followsId,
      idempotency_key: input.key,
    })
    .onConflict((oc) =>
      oc.columns(['citizen_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  if (!row) {
    const first = await conversationByKey(scope, citizen, input.key);
    if (first) return first;
    throw new MessageRefused('not-allowed');
  }
  await insertMessage(
    scope,
    { id, organisationId: org.id, citizenId: citizen.citizenId },
    { sender: 'citizen', body: input.body, files, key: input.key },
  );
  await scope.audit({
    event: 'message.send',
    action: 'C',
    citizenId: citizen.citizenId,
    resourceType: 'conversation',
    resourceId: id,
  });
  return id;
}

/** The citizen answers in their conversation. Throws MessageRefused('closed') for a closed one. */
export async function citizenReply(
  scope: DataScope,
  citizen: Citizen,
  id: string,
  input: { body: string; files: readonly UploadedFile[]; key: string },
): Promise<boolean> {
  const files = await checkFiles(input.files);
  await auditCitizen(scope, citizen, 'message.send', 'C', id);
  const c = await scope.tx
    .selectFrom('conversation')
    .select(['id', 'organisation_id', 'citizen_id', 'status'])
    .where('id', '=', id)
    .where('citizen_id', '=', citizen.citizenId)
    .executeTakeFirst();
  if (!c) return false;
  if (c.status === 'closed') throw new MessageRefused('closed');
  try {
    await insertMessage(
      scope,
      { id, organisationId: c.organisation_id, citizenId: c.citizen_id },
      { sender: 'citizen', body: input.body, files, key: input.key },
    );
  } catch (err) {
    if (isClosedError(err)) throw new MessageRefused('closed');
    // No policy lets a citizen write where the relationship has ended.
    if ((err as { code?: string }).code === '42501') throw new MessageRefused('not-allowed');
    throw err;
  }
  return true;
}

export interface AttachmentDownload {
  fileName: string;
  contentType: AttachmentType;
  data: Buffer;
}

async function attachmentOf(scope: DataScope, conversationId: string, attachmentId: string) {
  const a = await scope.tx
    .selectFrom('message_attachment')
    .select(['id', 'organisation_id', 'content_type', 'file_name', 'content'])
    .where('id', '=', attachmentId)
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  if (!a) return null;
  return {
    fileName: await openText(scope, a.organisation_id, a.file_name, aad.fileName(a.id)),
    contentType: a.content_type,
    data: await openBytes(scope, a.organisation_id, a.content, aad.content(a.id)),
  };
}

/** One attachment of the citizen's own conversation (audited); null: not theirs. */
export async function citizenAttachment(
  scope: DataScope,
  citizen: Citizen,
  conversationId: string,
  attachmentId: string,
): Promise<AttachmentDownload | null> {
  await scope.audit({
    event: 'message.attachment.download',
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: 'message_attachment',
    resourceId: attachmentId,
  });
  const own = await scope.tx
    .selectFrom('conversation')
    .select('id')
    .where('id', '=', conversationId)
    .where('citizen_id', '=', citizen.citizenId)
    .executeTakeFirst();
  if (!own) return null;
  return attachmentOf(scope, conversationId, attachmentId);
}

/** The citizen's menu badge: conversations with an unread answer (a number; no audit record, no content). */
export async function citizenUnreadCount(scope: DataScope): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select koepel_message_citizen_unread() as n`.execute(scope.tx);
  return Number(rows[0]?.n ?? 0);
}

// ---------------------------------------------------------------------------------------------------------------
// The organisation's staff (messages:read)
// ---------------------------------------------------------------------------------------------------------------

export interface InboxRow {
  id: string;
  citizenId: string;
  patient: string | null;
  subject: string;
  status: ConversationStatus;
  lastMessageAt: Date;
  unread: number;
  assignedTo: string | null;
  assignedName: string | null;
  addressedToName: string | null;
  startedBy: Sender | null;
}

export interface Inbox {
  rows: InboxRow[];
  counts: Record<InboxState, number>;
  total: number;
  page: number;
  pages: number;
}

export interface Colleague {
  id: string;
  name: string;
}

/** The organisation's employees who handle messages (messages:read), to assign a conversation to. */
export async function colleagues(scope: DataScope, organisationId: string): Promise<Colleague[]> {
  return (
    await scope.tx
      .selectFrom('membership as m')
      .innerJoin('staff_account as a', 'a.id', 'm.staff_id')
      .select(['a.id', 'a.display_name as name'])
      .where('m.organisation_id', '=', organisationId)
      .where('m.disabled_at', 'is', null)
      .where('a.disabled_at', 'is', null)
      .where(sql<boolean>`'messages:read' = any(m.permissions)`)
      .orderBy('a.display_name')
      .orderBy('a.id')
      .execute()
  ).map((r) => ({ id: r.id, name: r.name }));
}

/**
 * One page of the inbox: 1. the ids of the page (koepel_message_inbox, ids only); 2. one audit record per citizen
 * on it; 3. the rows, names and subjects. The counts of the filters are numbers only.
 */
export async function inbox(
  scope: DataScope,
  staff: Staff,
  q: { state: InboxState; who: InboxWho; page: number },
): Promise<Inbox> {
  const { tx } = scope;
  const countRow = (
    await sql<{
      unread: string;
      open: string;
      answered: string;
      closed: string;
    }>`select * from koepel_message_inbox_counts(${q.who})`.execute(tx)
  ).rows[0];
  const counts: Record<InboxState, number> = {
    unread: Number(countRow?.unread ?? 0),
    open: Number(countRow?.open ?? 0),
    answered: Number(countRow?.answered ?? 0),
    closed: Number(countRow?.closed ?? 0),
  };
  const total = counts[q.state];
  const pages = Math.max(1, Math.ceil(total / INBOX_PAGE));
  const page = Math.min(Math.max(1, q.page), pages);
  const ids = (
    await sql<{ conversation_id: string; citizen_id: string }>`
      select conversation_id, citizen_id
      from koepel_message_inbox(${q.state}, ${q.who}, ${INBOX_PAGE}::int, ${(page - 1) * INBOX_PAGE}::int)`.execute(tx)
  ).rows;
  const citizens = [...new Set(ids.map((r) => r.citizen_id))].sort();
  if (citizens.length > 0) {
    await scope.audit(
      ...citizens.map((citizenId) => ({
        event: 'message.inbox.view',
        action: 'R' as const,
        citizenId,
        resourceType: 'conversation',
      })),
    );
  }
  const [rows, names, team] = await Promise.all([
    summaries(scope, { ids: ids.map((r) => r.conversation_id) }, false),
    citizens.length > 0 ? patientsById(scope, citizens) : Promise.resolve(new Map<string, { name: string }>()),
    colleagues(scope, staff.organisationId),
  ]);
  return {
    rows: rows.map((r) => ({
      id: r.id,
      citizenId: r.citizenId,
      patient: names.get(r.citizenId)?.name ?? null,
      subject: r.subject,
      status: r.status,
      lastMessageAt: r.lastMessageAt,
      unread: r.unread,
      assignedTo: r.assignedTo,
      assignedName: team.find((t) => t.id === r.assignedTo)?.name ?? null,
      addressedToName: r.addressedToName,
      startedBy: r.startedBy,
    })),
    counts,
    total,
    page,
    pages,
  };
}

/** Whom one of the organisation's conversations is about (ids only, before the audit); null: not ours (404). */
export async function conversationCitizen(scope: DataScope, id: string): Promise<string | null> {
  const { rows } = await sql<{
    c: string | null;
  }>`select koepel_message_conversation_citizen(${id}::uuid) as c`.execute(scope.tx);
  return rows[0]?.c ?? null;
}

async function staffAudit(scope: DataScope, id: string, event: string, action: 'R' | 'C' | 'U') {
  const citizenId = await conversationCitizen(scope, id);
  if (!citizenId) return null;
  await scope.audit({ event, action, citizenId, resourceType: 'conversation', resourceId: id });
  return citizenId;
}

export interface StaffThread extends Thread {
  patient: { name: string; birthDate: unknown; patientNumber: string | null } | null;
  notes: Note[];
}

/** One conversation for staff: audited; the citizen's messages in it are marked read by this employee. */
export async function staffThread(scope: DataScope, staff: Staff, id: string): Promise<StaffThread | null> {
  const citizenId = await staffAudit(scope, id, 'message.staff.read', 'R');
  if (!citizenId) return null;
  const thread = await threadOf(scope, id, false);
  if (!thread) return null;
  if (thread.unread > 0) {
    await scope.tx
      .updateTable('conversation_message')
      .set({ read_at: sql`now()`, read_by: staff.staffId })
      .where('conversation_id', '=', id)
      .where('sender', '=', 'citizen')
      .where('read_at', 'is', null)
      .execute();
  }
  const notes = await scope.tx
    .selectFrom('conversation_note')
    .select(['id', 'author_name', 'body', 'created_at'])
    .where('conversation_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const patient = (await patientsById(scope, [citizenId])).get(citizenId) ?? null;
  return {
    ...thread,
    patient: patient as StaffThread['patient'],
    notes: await Promise.all(
      notes.map(async (n) => ({
        id: n.id,
        authorName: n.author_name,
        body: await openText(scope, thread.organisationId, n.body, aad.note(n.id)),
        at: n.created_at,
      })),
    ),
  };
}

/** An employee answers. False: not ours. Throws MessageRefused('closed') or AttachmentRefused. */
export async function staffAnswer(
  scope: DataScope,
  staff: Staff,
  id: string,
  input: { body: string; files: readonly UploadedFile[]; key: string },
): Promise<boolean> {
  const files = await checkFiles(input.files);
  const citizenId = await staffAudit(scope, id, 'message.staff.send', 'C');
  if (!citizenId) return false;
  const c = await scope.tx.selectFrom('conversation').select(['status']).where('id', '=', id).executeTakeFirst();
  if (!c) return false;
  if (c.status === 'closed') throw new MessageRefused('closed');
  try {
    await insertMessage(
      scope,
      { id, organisationId: staff.organisationId, citizenId },
      {
        sender: 'staff',
        staffId: staff.staffId,
        senderName: await staffName(scope, staff.staffId),
        body: input.body,
        files,
        key: input.key,
      },
    );
  } catch (err) {
    if (isClosedError(err)) throw new MessageRefused('closed');
    throw err;
  }
  return true;
}

/** Assign to a colleague with messages:read (or nobody). False: not ours, or not such a colleague. */
export async function assignConversation(
  scope: DataScope,
  staff: Staff,
  id: string,
  to: string | null,
): Promise<boolean> {
  const citizenId = await staffAudit(scope, id, 'message.assign', 'U');
  if (!citizenId) return false;
  if (to !== null && !(await colleagues(scope, staff.organisationId)).some((c) => c.id === to)) return false;
  const r = await scope.tx.updateTable('conversation').set({ assigned_to: to }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Close or reopen. False: not ours. */
export async function setConversationClosed(scope: DataScope, id: string, closed: boolean): Promise<boolean> {
  const citizenId = await staffAudit(scope, id, closed ? 'message.close' : 'message.reopen', 'U');
  if (!citizenId) return false;
  const r = await scope.tx
    .updateTable('conversation')
    // Reopen: the guard trigger sets 'open' or 'answered' by who wrote last.
    .set({ status: closed ? 'closed' : 'open' })
    .where('id', '=', id)
    .where('status', closed ? '<>' : '=', 'closed')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) <= 1;
}

/** An internal note (never shown to the citizen). False: not ours. */
export async function addNote(scope: DataScope, staff: Staff, id: string, body: string): Promise<boolean> {
  const citizenId = await staffAudit(scope, id, 'message.note', 'C');
  if (!citizenId) return false;
  const noteId = randomUUID();
  await scope.tx
    .insertInto('conversation_note')
    .values({
      id: noteId,
      conversation_id: id,
      organisation_id: staff.organisationId,
      citizen_id: citizenId,
      author: staff.staffId,
      author_name: await staffName(scope, staff.staffId),
      body: await sealText(scope, staff.organisationId, body, aad.note(noteId)),
    })
    .execute();
  return true;
}

/** One attachment of the organisation's conversation (audited); null: not ours. */
export async function staffAttachment(
  scope: DataScope,
  conversationId: string,
  attachmentId: string,
): Promise<AttachmentDownload | null> {
  const citizenId = await conversationCitizen(scope, conversationId);
  if (!citizenId) return null;
  await scope.audit({
    event: 'message.attachment.download',
    action: 'R',
    citizenId,
    resourceType: 'message_attachment',
    resourceId: attachmentId,
  });
  return attachmentOf(scope, conversationId, attachmentId);
}

/** The staff menu badge: open conversations unassigned or assigned to me (a number only). */
export async function staffBadgeCount(scope: DataScope): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select koepel_message_badge() as n`.execute(scope.tx);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Staff open a conversation with a citizen of their organisation (e.g. repeat medication's "ask a question"): the
 * subject and the first message, as the employee of `scope` (messages:read; an active care relationship). Returns
 * the conversation's id. Audited.
 */
export async function startConversation(
  scope: DataScope,
  input: {
    organisationId: string;
    citizenId: string;
    subject: string;
    body: string;
    about?: { kind: 'medication-order'; id: string };
  },
): Promise<string> {
  const p = scope.principal;
  if (p.kind !== 'staff' || p.organisationId !== input.organisationId) {
    throw new Error('startConversation: an employee of the organisation');
  }
  const subject = input.subject.trim().slice(0, SUBJECT_MAX);
  const body = input.body.trim().slice(0, BODY_MAX);
  if (subject === '' || body === '') throw new Error('startConversation: subject and body are required');
  const id = randomUUID();
  await scope.audit({
    event: 'message.create',
    action: 'C',
    citizenId: input.citizenId,
    resourceType: 'conversation',
    resourceId: id,
  });
  await scope.tx
    .insertInto('conversation')
    .values({
      id,
      organisation_id: input.organisationId,
      citizen_id: input.citizenId,
      subject: await sealText(scope, input.organisationId, subject, aad.subject(id)),
      started_by: 'staff',
      started_by_staff: p.staffId,
      assigned_to: p.permissions.includes('messages:read') ? p.staffId : null,
      about_kind: input.about?.kind ?? null,
      about_id: input.about?.id ?? null,
    })
    .execute();
  await insertMessage(
    scope,
    { id, organisationId: input.organisationId, citizenId: input.citizenId },
    { sender: 'staff', staffId: p.staffId, senderName: await staffName(scope, p.staffId), body, files: [] },
  );
  return id;
}

// ---------------------------------------------------------------------------------------------------------------
// Templates (messages:read or admin:organisation) and the organisation's switch
// ---------------------------------------------------------------------------------------------------------------

export interface Template {
  id: string;
  title: string;
  body: string;
}

export async function templates(scope: DataScope, organisationId: string): Promise<Template[]> {
  return scope.tx
    .selectFrom('message_template')
    .select(['id', 'title', 'body'])
    .where('organisation_id', '=', organisationId)
    .orderBy('title')
    .execute();
}

export async function messagesToStaff(scope: DataScope, organisationId: string): Promise<boolean> {
  const o = await scope.tx
    .selectFrom('organisation')
    .select('messages_to_staff')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return o?.messages_to_staff ?? false;
}

/**
 * The newest conversation opened about something of another capability (a repeat-medication question), for a link
 * from there; null when there is none the principal may see. Its citizen has been audited by the caller.
 */
export async function conversationAbout(
  scope: DataScope,
  about: { kind: 'medication-order'; id: string },
): Promise<string | null> {
  const row = await scope.tx
    .selectFrom('conversation')
    .select('id')
    .where('about_kind', '=', about.kind)
    .where('about_id', '=', about.id)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}
