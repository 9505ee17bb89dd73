// Secure messages (issue 13, MG-9, MG-13) as the organisation's own system reads and answers them over FHIR:
//
//   GET  /fhir/Communication?_lastUpdated=gt{instant}&patient=&identifier=&_count=&_offset=   its messages, paged
//   GET  /fhir/Communication/{uuid}          one message
//   GET  /fhir/Binary/msgatt-{uuid}          one attachment's bytes (audited; raw, or a Binary with fhir+json)
//   POST /fhir/Communication                 an answer in a conversation, or a new conversation with a patient
//   PUT  /fhir/Communication/{uuid}          only to mark a citizen's message read (`received`)
//
// The mapping (docs/interop.md, "Secure messages: Communication"): each message of migration 0029 is one
// Communication, id = the message's uuid, status completed. The conversation is the thread: every message carries the
// conversation identifier (system urn:koepel:conversation, value the conversation's uuid), topic.text is the
// conversation's subject, and inResponseTo names the message before it. subject is the Patient as the organisation
// knows it (its own Patient's id when it sent one, else the citizen's id, as in bookings.ts); sender and recipient
// are that Patient, or the organisation / the employee by display. sent = when Koepel stored it, received = when the
// other side first read it. payload: the text as contentString, each attachment as contentAttachment (contentType,
// title, size, url of the audited Binary read; data only in that Binary, so a poll stays small). The
// conversation's state (open, answered, closed) is an extension on every message; who handles it inside Koepel
// (assignment) is the portal's own workflow and not exposed.
//
// Reading never marks anything read. The system marks a citizen's message read by PUT with `received` (Koepel stamps
// its own time); that is also the only change a PUT can make.
//
// Writes go through the same database rules as the portal's (0029): a sealed insert under the organisation's key
// with the AAD strings and the text limit of src/messages (`messageAad`, `MESSAGE_TEXT_MAX`: one definition), sender
// 'system'; the triggers keep the status and counters, refuse a closed conversation (KM001) and check who attaches
// what. Attachments pass the portal's own check, src/platform/files/content.ts (magic bytes with file-type, PDF, JPEG
// or PNG only, at most 3 of at most 10 MiB each and 20 MiB together, a PDF without active content, nothing after the
// file's own end); the declared type must agree. One refused file refuses the whole message and nothing is stored.
import { sql } from 'kysely';
import type { DataScope } from '../platform/http/request-context.js';
import { FhirError, issue, type Issue } from '../platform/fhir/outcome.js';
import {
  checkFileContent,
  FILE_TYPES,
  MAX_FILE_BYTES,
  MAX_FILES,
  MAX_MESSAGE_BYTES,
  safeFileName,
  type FileRefusal,
  type FileType,
} from '../platform/files/content.js';
import { MESSAGE_TEXT_MAX, messageAad as aad } from '../messages/index.js';
import { patients } from './bookings.js';
import { loadBaseDefinitions } from './base/validate.js';
import { validateShape } from './base/shape.js';

type Json = Record<string, unknown>;

export const CONVERSATION_SYSTEM = 'urn:koepel:conversation';
export const CONVERSATION_STATUS_URL = 'https://koepel.nl/fhir/StructureDefinition/conversation-status';
export const ATTACHMENT_PREFIX = 'msgatt-';
/** The longest message text the organisation's system may send (characters): the portal's own limit. */
export const MAX_MESSAGE_TEXT = MESSAGE_TEXT_MAX;
/** The longest subject (topic.text) the organisation's system may send (characters). */
export const MAX_SUBJECT = 200;
export const MAX_MESSAGE_ATTACHMENTS = MAX_FILES;
/** What a message may carry, by content (src/platform/files/content.ts). */
export const MESSAGE_ATTACHMENT_TYPES = FILE_TYPES;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOBODY = '00000000-0000-0000-0000-000000000000';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const refuse = (status: number, issues: Issue[]) => new FhirError(status, issues);
const invalid = (message: string, path?: string) => refuse(422, [issue('business-rule', message, path)]);
const orgKey = (id: string) => ({ kind: 'organisation' as const, id });

// ---------------------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------------------

interface Row {
  id: string;
  conversation_id: string;
  organisation_id: string;
  citizen_id: string;
  sender: 'citizen' | 'staff' | 'system';
  sender_name: string | null;
  body: Buffer;
  read_at: Date | null;
  created_at: Date;
  subject: Buffer;
  status: 'open' | 'answered' | 'closed';
  addressed_to_name: string | null;
  organisation_name: string;
  previous_id: string | null;
}

function rows(scope: DataScope, ids: string[]): Promise<Row[]> {
  return scope.tx
    .selectFrom('conversation_message as m')
    .innerJoin('conversation as c', 'c.id', 'm.conversation_id')
    .innerJoin('organisation as o', 'o.id', 'm.organisation_id')
    .select([
      'm.id',
      'm.conversation_id',
      'm.organisation_id',
      'm.citizen_id',
      'm.sender',
      'm.sender_name',
      'm.body',
      'm.read_at',
      'm.created_at',
      'c.subject',
      'c.status',
      'c.addressed_to_name',
      'o.name as organisation_name',
      sql<string | null>`(select p.id from conversation_message p
        where p.conversation_id = m.conversation_id and (p.created_at, p.id) < (m.created_at, m.id)
        order by p.created_at desc, p.id desc limit 1)`.as('previous_id'),
    ])
    .where('m.id', 'in', ids)
    .orderBy(sql`greatest(m.created_at, m.read_at)`)
    .orderBy('m.id')
    .execute() as Promise<Row[]>;
}

interface AttachmentRow {
  id: string;
  message_id: string;
  organisation_id: string;
  content_type: string;
  size_bytes: number;
  file_name: Buffer;
}

const lastUpdatedOf = (r: Row): Date => (r.read_at && r.read_at > r.created_at ? r.read_at : r.created_at);

/** One message as an R4 Communication. */
function present(
  base: string,
  r: Row,
  text: string,
  subject: string,
  patient: { id: string; name: string },
  files: { id: string; contentType: string; size: number; title: string }[],
): Json {
  const patientRef = {
    reference: `Patient/${patient.id}`,
    type: 'Patient',
    ...(patient.name ? { display: patient.name } : {}),
  };
  const organisation = { type: 'Organization', display: r.organisation_name };
  const sender =
    r.sender === 'citizen'
      ? patientRef
      : r.sender_name
        ? { type: 'Practitioner', display: r.sender_name }
        : organisation;
  const recipient =
    r.sender === 'citizen'
      ? [organisation, ...(r.addressed_to_name ? [{ type: 'Practitioner', display: r.addressed_to_name }] : [])]
      : [patientRef];
  return {
    resourceType: 'Communication',
    id: r.id,
    meta: { versionId: r.read_at ? '2' : '1', lastUpdated: lastUpdatedOf(r).toISOString() },
    extension: [{ url: CONVERSATION_STATUS_URL, valueCode: r.status }],
    identifier: [
      { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${r.id}` },
      { use: 'secondary', system: CONVERSATION_SYSTEM, value: r.conversation_id },
    ],
    ...(r.previous_id ? { inResponseTo: [{ reference: `Communication/${r.previous_id}` }] } : {}),
    status: 'completed',
    subject: patientRef,
    topic: { text: subject },
    sent: r.created_at.toISOString(),
    ...(r.read_at ? { received: r.read_at.toISOString() } : {}),
    recipient,
    sender,
    payload: [
      { contentString: text },
      ...files.map((f) => ({
        contentAttachment: {
          contentType: f.contentType,
          url: `${base}/Binary/${ATTACHMENT_PREFIX}${f.id}`,
          size: f.size,
          title: f.title,
        },
      })),
    ],
  };
}

async function presentAll(scope: DataScope, base: string, list: Row[]): Promise<Json[]> {
  if (list.length === 0) return [];
  const people = await patients(scope, [...new Set(list.map((r) => r.citizen_id))]);
  const attachments = (await scope.tx
    .selectFrom('message_attachment')
    .select(['id', 'message_id', 'organisation_id', 'content_type', 'size_bytes', 'file_name'])
    .where(
      'message_id',
      'in',
      list.map((r) => r.id),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute()) as AttachmentRow[];
  const out: Json[] = [];
  for (const r of list) {
    const key = orgKey(r.organisation_id);
    const text = await scope.keys.decrypt(scope.tx, key, r.body, aad.body(r.id));
    const subject = await scope.keys.decrypt(scope.tx, key, r.subject, aad.subject(r.conversation_id));
    const files = [];
    for (const a of attachments.filter((x) => x.message_id === r.id)) {
      files.push({
        id: a.id,
        contentType: a.content_type,
        size: a.size_bytes,
        title: await scope.keys.decrypt(scope.tx, key, a.file_name, aad.fileName(a.id)),
      });
    }
    out.push(present(base, r, text, subject, people.get(r.citizen_id) ?? { id: r.citizen_id, name: '' }, files));
  }
  return out;
}

async function citizenOfMessage(scope: DataScope, uuid: string): Promise<string | null> {
  const { rows: found } = await sql<{
    citizen_id: string | null;
  }>`select koepel_client_message_citizen(${uuid}::uuid) as citizen_id`.execute(scope.tx);
  return found[0]?.citizen_id ?? null;
}

async function citizenOfConversation(scope: DataScope, uuid: string): Promise<string | null> {
  const { rows: found } = await sql<{
    citizen_id: string | null;
  }>`select koepel_client_conversation_citizen(${uuid}::uuid) as citizen_id`.execute(scope.tx);
  return found[0]?.citizen_id ?? null;
}

/** GET Communication/{uuid}: the message, or null (audited either way). Reading does not mark it read. */
export async function readCommunication(scope: DataScope, base: string, id: string): Promise<Json | null> {
  const uuid = UUID.test(id) ? id : null;
  const citizenId = uuid ? await citizenOfMessage(scope, uuid) : null;
  if (!uuid || !citizenId) {
    await scope.audit({
      event: 'fhir.provider.communication.read',
      action: 'R',
      outcome: 'failure',
      resourceType: 'conversation_message',
      resourceId: '-',
    });
    return null;
  }
  await scope.audit({
    event: 'fhir.provider.communication.read',
    action: 'R',
    citizenId,
    resourceType: 'conversation_message',
    resourceId: uuid,
  });
  const found = await rows(scope, [uuid]);
  return (await presentAll(scope, base, found))[0] ?? null;
}

export interface CommunicationQuery {
  after: { at: Date; inclusive: boolean } | null;
  before: { at: Date; inclusive: boolean } | null;
  /** The Patient id the organisation knows (its own Patient's, or the citizen's), or null. */
  patient: string | null;
  /** A conversation's uuid (identifier=urn:koepel:conversation|{uuid}); '-' matches nothing. */
  conversation: string | null;
  count: number;
  offset: number;
}

/** The citizen a `Patient/{id}` of this organisation names (its own Patient's id, or a citizen's id), or null. */
export async function patientCitizen(scope: DataScope, patientId: string): Promise<string | null> {
  const { rows: found } = await sql<{
    citizen_id: string;
    deleted: boolean;
  }>`select citizen_id, deleted from koepel_locate_resource('Patient', ${patientId})`.execute(scope.tx);
  const hit = found.find((f) => !f.deleted);
  if (hit) return hit.citizen_id;
  if (!UUID.test(patientId)) return null;
  // A citizen in care whose Patient the organisation never sent: the citizen's own id (care_relationship_org shows
  // the client its own organisation's relationships that have not ended).
  const rel = await scope.tx
    .selectFrom('care_relationship')
    .select('citizen_id')
    .where('citizen_id', '=', patientId)
    .where('organisation_id', '=', sql<string>`koepel_org()`)
    .where('started_on', '<=', sql<string>`current_date`)
    .executeTakeFirst();
  return rel?.citizen_id ?? null;
}

/** GET Communication?…: the organisation's messages that match, oldest change first, each citizen audited first. */
export async function searchCommunications(
  scope: DataScope,
  base: string,
  q: CommunicationQuery,
): Promise<{ total: number; items: Json[] }> {
  let citizen: string | null = null;
  if (q.patient !== null) citizen = (await patientCitizen(scope, q.patient)) ?? NOBODY;
  let conversation: string | null = null;
  if (q.conversation !== null) conversation = UUID.test(q.conversation) ? q.conversation : NOBODY;
  const call = (lim: number, skip: number) => sql<{ message_id: string; citizen_id: string; total: string | number }>`
    select * from koepel_client_communications(
      ${q.after?.at ?? null}::timestamptz, ${q.after?.inclusive ?? false},
      ${q.before?.at ?? null}::timestamptz, ${q.before?.inclusive ?? false},
      ${citizen}::uuid, ${conversation}::uuid, ${lim}, ${skip})`;
  const { rows: matches } = await call(q.count, q.offset).execute(scope.tx);
  // count(*) over () is only there when a row is: an offset past the end (or _count=0) learns the total separately.
  let total = matches.length > 0 ? Number(matches[0]?.total) : 0;
  if (matches.length === 0 && (q.offset > 0 || q.count === 0)) {
    const { rows: all } = await call(1, 0).execute(scope.tx);
    total = Number(all[0]?.total ?? 0);
  }
  if (matches.length === 0) return { total, items: [] };
  const citizens = [...new Set(matches.map((m) => m.citizen_id))];
  await scope.audit(
    ...citizens.map((c) => ({
      event: 'fhir.provider.communication.search',
      action: 'R' as const,
      citizenId: c,
      resourceType: 'conversation_message',
    })),
  );
  const list = await rows(
    scope,
    matches.map((m) => m.message_id),
  );
  return { total, items: await presentAll(scope, base, list) };
}

/** GET Binary/msgatt-{uuid}: one attachment's bytes and type, or null (audited either way). */
export async function readMessageAttachment(
  scope: DataScope,
  id: string,
): Promise<{ contentType: string; data: Buffer; messageId: string } | null> {
  const uuid = id.startsWith(ATTACHMENT_PREFIX) ? id.slice(ATTACHMENT_PREFIX.length) : '';
  const { rows: found } = UUID.test(uuid)
    ? await sql<{
        citizen_id: string | null;
      }>`select koepel_client_attachment_citizen(${uuid}::uuid) as citizen_id`.execute(scope.tx)
    : { rows: [] };
  const citizenId = found[0]?.citizen_id ?? null;
  await scope.audit({
    event: 'fhir.provider.communication.attachment.read',
    action: 'R',
    ...(citizenId ? { citizenId, resourceId: uuid } : { outcome: 'failure' as const, resourceId: '-' }),
    resourceType: 'message_attachment',
  });
  if (!citizenId) return null;
  const row = await scope.tx
    .selectFrom('message_attachment')
    .select(['organisation_id', 'message_id', 'content_type', 'content'])
    .where('id', '=', uuid)
    .executeTakeFirst();
  if (!row) return null;
  const data = await scope.keys.decryptBytes(scope.tx, orgKey(row.organisation_id), row.content, aad.content(uuid));
  return { contentType: row.content_type, data, messageId: row.message_id };
}

// ---------------------------------------------------------------------------------------------------------------
// Checking what the organisation's system sends
// ---------------------------------------------------------------------------------------------------------------

export interface CheckedAttachment {
  contentType: FileType;
  title: string;
  data: Buffer;
}

/** What a refused file's issue says, by the reason of src/platform/files/content.ts. */
const REFUSED: Record<Exclude<FileRefusal, 'active'>, string> = {
  empty: 'the attachment is empty',
  size: 'an attachment may be at most 10 MiB',
  type: 'only PDF, JPEG and PNG files are accepted (checked by their content, not their name or type)',
  trailing: 'the file has data after its own end (a second file hidden behind the first); send the document as it is',
};

/**
 * One attachment checked with the portal's own check (src/platform/files/content.ts: magic bytes, PDF, JPEG or PNG
 * only, at most 10 MiB, a PDF without active content, nothing after the file's end); besides, the declared type must
 * agree with the content. Issues name the path only.
 */
export async function checkAttachment(a: Json, path: string): Promise<{ ok: CheckedAttachment } | { issues: Issue[] }> {
  const fail = (msg: string, at = path) => ({ issues: [issue('business-rule', `Communication: ${msg}`, at)] });
  if (typeof a.data !== 'string' || a.data.length === 0) {
    return fail('an attachment carries its data inline (base64); a url is not fetched', `${path}.data`);
  }
  if (typeof a.contentType !== 'string') return fail('an attachment needs its contentType', `${path}.contentType`);
  const declared = a.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const raw = a.data.replace(/\s+/g, '');
  if (!BASE64.test(raw) || raw.length % 4 !== 0) return fail('the attachment data is not valid base64', `${path}.data`);
  // Size before decoding: base64 of 10 MiB is at most 4/3 of it.
  if (Math.floor((raw.length * 3) / 4) - (raw.endsWith('==') ? 2 : raw.endsWith('=') ? 1 : 0) > MAX_FILE_BYTES) {
    return fail(REFUSED.size, `${path}.data`);
  }
  const data = Buffer.from(raw, 'base64');
  if (typeof a.size === 'number' && data.length > 0 && a.size !== data.length) {
    return fail('size does not match the data', `${path}.size`);
  }
  const checked = await checkFileContent(data);
  if (!checked.ok) {
    if (checked.reason === 'active') {
      return fail(
        `the PDF has active content (${checked.detail ?? ''}): JavaScript, automatic or launch actions and embedded files are not accepted`,
      );
    }
    const at = checked.reason === 'empty' || checked.reason === 'size' ? `${path}.data` : path;
    return fail(REFUSED[checked.reason], at);
  }
  if (declared !== checked.type) {
    return fail('the contentType does not match the file’s content', `${path}.contentType`);
  }
  const title = typeof a.title === 'string' ? a.title : '';
  return { ok: { contentType: checked.type, title: safeFileName(title, checked.type), data } };
}

interface Submission {
  text: string;
  attachments: CheckedAttachment[];
  conversation: string | null;
  inResponseTo: string | null;
  patient: string | null;
  subject: string | null;
  senderName: string | null;
  idempotencyKey: string | null;
}

const refId = (ref: unknown, type: string, base: string): string | null => {
  if (typeof ref !== 'string') return null;
  const v = ref.startsWith(`${base}/`) ? ref.slice(base.length + 1) : ref;
  return new RegExp(`^${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(v)?.[1] ?? null;
};

/** The body of POST Communication, checked: FHIR R4 shape first, then Koepel's rules. Throws a FhirError. */
export async function checkSubmission(body: unknown, base: string): Promise<Submission> {
  if (!isObject(body) || body.resourceType !== 'Communication') {
    throw refuse(400, [issue('invalid', 'The body must be a Communication', 'Communication.resourceType')]);
  }
  loadBaseDefinitions(['Communication']);
  const shape = validateShape(body as Json & { resourceType: string });
  if (shape.length > 0) {
    throw refuse(
      422,
      shape
        .slice(0, 100)
        .map((i) =>
          issue(i.code, `Communication: ${i.field ? `${i.field} ` : ''}${i.problem}`, `Communication.${i.field}`),
        ),
    );
  }
  if (body.status !== 'completed') {
    throw invalid('Communication: a message is sent with status completed', 'Communication.status');
  }
  const payload = Array.isArray(body.payload) ? body.payload.filter(isObject) : [];
  const texts = payload.filter((p) => typeof p.contentString === 'string');
  if (payload.some((p) => p.contentReference !== undefined)) {
    throw invalid(
      'Communication: payload.contentReference is not supported; send text and attachments',
      'Communication.payload',
    );
  }
  if (texts.length !== 1) {
    throw invalid(
      'Communication: a message has exactly one payload with contentString (its text)',
      'Communication.payload',
    );
  }
  const first = texts[0]?.contentString;
  const text = typeof first === 'string' ? first : '';
  if (text.trim().length === 0) throw invalid('Communication: the message text is empty', 'Communication.payload');
  if (text.length > MAX_MESSAGE_TEXT) {
    throw invalid(
      `Communication: the message text may be at most ${MAX_MESSAGE_TEXT} characters`,
      'Communication.payload',
    );
  }
  const files = payload.map((p, i) => [p, i] as const).filter(([p]) => isObject(p.contentAttachment));
  if (files.length > MAX_MESSAGE_ATTACHMENTS) {
    throw invalid(`Communication: at most ${MAX_MESSAGE_ATTACHMENTS} attachments per message`, 'Communication.payload');
  }
  const attachments: CheckedAttachment[] = [];
  const issues: Issue[] = [];
  for (const [p, i] of files) {
    const checked = await checkAttachment(p.contentAttachment as Json, `Communication.payload[${i}].contentAttachment`);
    if ('ok' in checked) attachments.push(checked.ok);
    else issues.push(...checked.issues);
  }
  if (issues.length > 0) throw refuse(422, issues);
  if (attachments.reduce((n, a) => n + a.data.length, 0) > MAX_MESSAGE_BYTES) {
    throw invalid(
      `Communication: the attachments of one message may be at most ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB together`,
      'Communication.payload',
    );
  }

  const identifiers = Array.isArray(body.identifier) ? body.identifier.filter(isObject) : [];
  const conversationIds = identifiers
    .filter((x) => x.system === CONVERSATION_SYSTEM)
    .map((x) => (typeof x.value === 'string' ? x.value : ''));
  if (conversationIds.length > 1 || conversationIds.some((c) => !UUID.test(c))) {
    throw invalid('Communication: one conversation identifier, a Koepel conversation id', 'Communication.identifier');
  }
  const own = identifiers.filter((x) => x.system === 'urn:ietf:rfc:3986' && typeof x.value === 'string');
  const key = own.length === 1 ? /^urn:uuid:([0-9a-f-]{36})$/.exec(String(own[0]?.value).toLowerCase())?.[1] : null;
  const replies = Array.isArray(body.inResponseTo) ? body.inResponseTo.filter(isObject) : [];
  if (replies.length > 1) {
    throw invalid('Communication: inResponseTo names one message', 'Communication.inResponseTo');
  }
  const inResponseTo = replies.length === 1 ? refId(replies[0]?.reference, 'Communication', base) : null;
  if (replies.length === 1 && (!inResponseTo || !UUID.test(inResponseTo))) {
    throw invalid(
      'Communication: inResponseTo must be Communication/{id} of a message in Koepel',
      'Communication.inResponseTo',
    );
  }
  const subjectRef = isObject(body.subject) ? body.subject : null;
  const patient = subjectRef ? refId(subjectRef.reference, 'Patient', base) : null;
  if (subjectRef && !patient) {
    throw invalid('Communication: subject must be Patient/{id}', 'Communication.subject');
  }
  const topic = isObject(body.topic) && typeof body.topic.text === 'string' ? body.topic.text.trim() : null;
  if (topic !== null && topic.length > MAX_SUBJECT) {
    throw invalid(
      `Communication: topic.text (the subject) may be at most ${MAX_SUBJECT} characters`,
      'Communication.topic',
    );
  }
  // The sender is the organisation (its system) or one of its practitioners, by display; never a patient.
  let senderName: string | null = null;
  if (isObject(body.sender)) {
    const s = body.sender;
    const ref = typeof s.reference === 'string' ? s.reference : '';
    const type = typeof s.type === 'string' ? s.type : (/^(\w+)\//.exec(ref)?.[1] ?? '');
    if (!['Organization', 'Practitioner', 'PractitionerRole', ''].includes(type)) {
      throw invalid(
        'Communication: the sender is your organisation or one of its practitioners',
        'Communication.sender',
      );
    }
    if ((type === 'Practitioner' || type === 'PractitionerRole') && typeof s.display === 'string') {
      senderName = s.display.trim().slice(0, 200) || null;
    }
  }
  return {
    text,
    attachments,
    conversation: conversationIds[0] ?? null,
    inResponseTo,
    patient,
    subject: topic || null,
    senderName,
    idempotencyKey: key ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Writing: POST Communication
// ---------------------------------------------------------------------------------------------------------------

export interface SendResult {
  status: 200 | 201;
  id: string;
  resource: Json;
}

/**
 * POST Communication: the organisation's system answers in one of its conversations (identifier
 * urn:koepel:conversation|{id} or inResponseTo one of its messages) or opens a new one with a patient in its care
 * (subject and topic.text; only where the organisation offers 'messages'). A FhirError for anything refused.
 */
export async function sendCommunication(scope: DataScope, base: string, body: unknown): Promise<SendResult> {
  if (scope.principal.kind !== 'client') {
    throw refuse(403, [issue('forbidden', 'Only an API client of an organisation sends its messages')]);
  }
  const organisationId = scope.principal.organisationId;
  const s = await checkSubmission(body, base);

  // Which conversation (ids only), before anything is read.
  let conversationId = s.conversation;
  let citizenId: string | null = null;
  if (s.inResponseTo) {
    const c = await citizenOfMessage(scope, s.inResponseTo);
    if (!c)
      throw invalid('Communication: inResponseTo names no message of your organisation', 'Communication.inResponseTo');
    citizenId = c;
  }
  if (conversationId) {
    const c = await citizenOfConversation(scope, conversationId);
    if (!c)
      throw invalid(
        'Communication: the identifier names no conversation of your organisation',
        'Communication.identifier',
      );
    if (citizenId && citizenId !== c) {
      throw invalid(
        'Communication: inResponseTo and the conversation identifier disagree',
        'Communication.inResponseTo',
      );
    }
    citizenId = c;
  }
  const starting = !conversationId && !s.inResponseTo;
  if (s.patient) {
    const c = await patientCitizen(scope, s.patient);
    if (!c) {
      throw invalid('Communication: subject names no patient in your organisation’s care', 'Communication.subject');
    }
    if (citizenId && c !== citizenId) {
      throw invalid('Communication: subject is not the patient of this conversation', 'Communication.subject');
    }
    citizenId = c;
  } else if (starting) {
    throw invalid(
      'Communication: a new conversation needs subject (the Patient); to answer, send the conversation identifier or inResponseTo',
      'Communication.subject',
    );
  }
  if (!citizenId) throw invalid('Communication: no conversation or patient found', 'Communication');

  await scope.audit({
    event: 'fhir.provider.communication.create',
    action: 'C',
    citizenId,
    resourceType: 'conversation_message',
  });

  if (s.inResponseTo) {
    const m = await scope.tx
      .selectFrom('conversation_message')
      .select('conversation_id')
      .where('id', '=', s.inResponseTo)
      .executeTakeFirst();
    if (m && conversationId && m.conversation_id !== conversationId) {
      throw invalid(
        'Communication: inResponseTo and the conversation identifier disagree',
        'Communication.inResponseTo',
      );
    }
    if (!m)
      throw invalid('Communication: inResponseTo names no message of your organisation', 'Communication.inResponseTo');
    conversationId = m.conversation_id;
  }

  // A resent message (the same identifier urn:ietf:rfc:3986|urn:uuid:{key}) finds the first one.
  if (s.idempotencyKey) {
    const again = conversationId
      ? await scope.tx
          .selectFrom('conversation_message')
          .select('id')
          .where('conversation_id', '=', conversationId)
          .where('idempotency_key', '=', s.idempotencyKey)
          .executeTakeFirst()
      : await scope.tx
          .selectFrom('conversation as c')
          .innerJoin('conversation_message as m', 'm.conversation_id', 'c.id')
          .select('m.id')
          .where('c.citizen_id', '=', citizenId)
          .where('c.organisation_id', '=', organisationId)
          .where('c.idempotency_key', '=', s.idempotencyKey)
          .orderBy('m.created_at')
          .orderBy('m.id')
          .executeTakeFirst();
    if (again) {
      const [resource] = await presentAll(scope, base, await rows(scope, [again.id]));
      return { status: 200, id: again.id, resource: resource ?? {} };
    }
  }

  const handle = await scope.keys.handle(scope.tx, orgKey(organisationId));
  const seal = (text: string | Buffer, a: string) =>
    handle.seal(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, a);

  if (conversationId) {
    const c = await scope.tx
      .selectFrom('conversation')
      .select(['status'])
      .where('id', '=', conversationId)
      .forUpdate()
      .executeTakeFirst();
    if (!c)
      throw invalid(
        'Communication: the identifier names no conversation of your organisation',
        'Communication.identifier',
      );
    if (c.status === 'closed') {
      throw refuse(409, [
        issue(
          'conflict',
          'Communication: this conversation is closed; an employee reopens it in Koepel, or start a new conversation (subject and topic.text)',
          'Communication.identifier',
        ),
      ]);
    }
  } else {
    if (!s.subject) {
      throw invalid('Communication: a new conversation needs topic.text (its subject)', 'Communication.topic');
    }
    const org = await scope.tx
      .selectFrom('organisation')
      .select('functions')
      .where('id', '=', organisationId)
      .executeTakeFirst();
    if (!org?.functions.includes('messages')) {
      throw invalid('Communication: your organisation does not offer messages in Koepel', 'Communication');
    }
    const active = await scope.tx
      .selectFrom('care_relationship')
      .select('citizen_id')
      .where('citizen_id', '=', citizenId)
      .where('organisation_id', '=', organisationId)
      .where('started_on', '<=', sql<string>`current_date`)
      .executeTakeFirst();
    if (!active)
      throw invalid('Communication: subject names no patient in your organisation’s care', 'Communication.subject');
    conversationId = crypto.randomUUID();
    await scope.tx
      .insertInto('conversation')
      .values({
        id: conversationId,
        organisation_id: organisationId,
        citizen_id: citizenId,
        subject: seal(s.subject, aad.subject(conversationId)),
        started_by: 'system',
        idempotency_key: s.idempotencyKey,
      })
      .execute();
  }

  const messageId = crypto.randomUUID();
  try {
    await scope.tx
      .insertInto('conversation_message')
      .values({
        id: messageId,
        conversation_id: conversationId,
        organisation_id: organisationId,
        citizen_id: citizenId,
        sender: 'system',
        sender_name: s.senderName,
        body: seal(s.text, aad.body(messageId)),
        idempotency_key: s.idempotencyKey,
      })
      .execute();
  } catch (err) {
    if ((err as { code?: string }).code === 'KM001') {
      throw refuse(409, [issue('conflict', 'Communication: this conversation is closed', 'Communication.identifier')]);
    }
    throw err;
  }
  for (const a of s.attachments) {
    const attachmentId = crypto.randomUUID();
    await scope.tx
      .insertInto('message_attachment')
      .values({
        id: attachmentId,
        message_id: messageId,
        conversation_id: conversationId,
        organisation_id: organisationId,
        citizen_id: citizenId,
        content_type: a.contentType,
        size_bytes: a.data.length,
        file_name: seal(a.title, aad.fileName(attachmentId)),
        content: seal(a.data, aad.content(attachmentId)),
      })
      .execute();
  }
  const [resource] = await presentAll(scope, base, await rows(scope, [messageId]));
  return { status: 201, id: messageId, resource: resource ?? {} };
}

// ---------------------------------------------------------------------------------------------------------------
// PUT Communication/{uuid}: marking a citizen's message read
// ---------------------------------------------------------------------------------------------------------------

export type MarkResult =
  { status: 200; outcome: 'updated' | 'unchanged'; resource: Json; version: number } | { status: 404 };

/**
 * PUT Communication/{uuid}: the only change the organisation's system makes to a message is `received` on a
 * citizen's message (it was read). Koepel stamps its own time. The text cannot change. `ifMatch`: W/"1" unread, W/"2" read.
 */
export async function markCommunicationRead(
  scope: DataScope,
  base: string,
  id: string,
  body: unknown,
  ifMatch: number | null,
): Promise<MarkResult> {
  if (!isObject(body) || body.resourceType !== 'Communication') {
    throw refuse(400, [issue('invalid', 'The body must be a Communication', 'Communication.resourceType')]);
  }
  if (body.id !== undefined && body.id !== id) {
    throw refuse(400, [
      issue('invalid', 'Communication: id does not match the id in the request url', 'Communication.id'),
    ]);
  }
  loadBaseDefinitions(['Communication']);
  const shape = validateShape(body as Json & { resourceType: string });
  if (shape.length > 0) {
    throw refuse(
      422,
      shape.slice(0, 100).map((i) => issue(i.code, `Communication: ${i.field ? `${i.field} ` : ''}${i.problem}`)),
    );
  }
  const uuid = UUID.test(id) ? id : null;
  const citizenId = uuid ? await citizenOfMessage(scope, uuid) : null;
  if (!uuid || !citizenId) {
    await scope.audit({
      event: 'fhir.provider.communication.update',
      action: 'U',
      outcome: 'failure',
      resourceType: 'conversation_message',
      resourceId: '-',
    });
    return { status: 404 };
  }
  await scope.audit({
    event: 'fhir.provider.communication.update',
    action: 'U',
    citizenId,
    resourceType: 'conversation_message',
    resourceId: uuid,
  });
  await scope.tx.selectFrom('conversation_message').select('id').where('id', '=', uuid).forUpdate().execute();
  const [row] = await rows(scope, [uuid]);
  if (!row) return { status: 404 };
  const version = row.read_at ? 2 : 1;
  if (ifMatch !== null && ifMatch !== version) {
    throw refuse(412, [
      issue('conflict', `Communication: If-Match names version ${ifMatch}, the current version is ${version}`),
    ]);
  }
  const [current] = await presentAll(scope, base, [row]);
  const text = ((current?.payload as Json[] | undefined)?.[0]?.contentString as string | undefined) ?? '';
  const sentTexts = (Array.isArray(body.payload) ? body.payload.filter(isObject) : [])
    .map((p) => p.contentString)
    .filter((t) => typeof t === 'string');
  if (sentTexts.length > 0 && (sentTexts.length !== 1 || sentTexts[0] !== text)) {
    throw invalid('Communication: a message cannot change; only received (read) can be set', 'Communication.payload');
  }
  if (typeof body.received !== 'string') {
    throw invalid(
      'Communication: send received to mark the message read; nothing else can change',
      'Communication.received',
    );
  }
  if (row.sender !== 'citizen') {
    throw invalid(
      'Communication: only a message from the patient is marked read by your organisation',
      'Communication.received',
    );
  }
  if (row.read_at) return { status: 200, outcome: 'unchanged', resource: current ?? {}, version };
  await scope.tx
    .updateTable('conversation_message')
    .set({ read_at: sql<Date>`now()` })
    .where('id', '=', uuid)
    .execute();
  const [after] = await presentAll(scope, base, await rows(scope, [uuid]));
  return { status: 200, outcome: 'updated', resource: after ?? {}, version: 2 };
}

/** The Communication entry of the CapabilityStatement (merged in by src/fhir/capability.ts). */
export const COMMUNICATION_CAPABILITY = {
  type: 'Communication',
  documentation:
    'Secure messages between citizens and the organisation (docs/interop.md, "Secure messages"), for the ' +
    'organisation’s own system: each message one Communication; the conversation is identifier ' +
    `${CONVERSATION_SYSTEM}|{id}, topic.text its subject, inResponseTo the message before. search-type with ` +
    '_lastUpdated (gt, ge, lt, le and an instant: new messages and messages read since), patient, identifier, _count ' +
    'and _offset; read (does not mark it read); create to answer in a conversation (identifier or inResponseTo) or ' +
    'to open one with a patient in care (subject and topic.text, where the organisation offers messages): text in ' +
    `payload.contentString (at most ${MAX_MESSAGE_TEXT} characters), at most ${MAX_MESSAGE_ATTACHMENTS} attachments ` +
    'inline (PDF without active content, JPEG, PNG; checked by content; 10 MiB each); a closed conversation is 409; ' +
    'identifier urn:ietf:rfc:3986|urn:uuid:{uuid} makes a resend return the first (200). update only to mark a ' +
    'patient’s message read (received). Attachments are read at Binary/msgatt-{uuid}.',
  interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }, { code: 'update' }],
  versioning: 'versioned',
  readHistory: false,
  updateCreate: false,
  conditionalCreate: false,
  conditionalUpdate: false,
  conditionalDelete: 'not-supported',
  searchParam: [
    { name: '_lastUpdated', type: 'date', documentation: 'gt, ge, lt or le and an instant with time zone.' },
    { name: 'patient', type: 'reference', documentation: 'Patient/{id}: your own Patient id, or the citizen’s id.' },
    { name: 'identifier', type: 'token', documentation: `The conversation: ${CONVERSATION_SYSTEM}|{id}.` },
    { name: '_count', type: 'number', documentation: 'Page size, 0 to 500 (default 100).' },
    { name: '_offset', type: 'number', documentation: 'Start of the page (the next link gives it).' },
  ],
};
