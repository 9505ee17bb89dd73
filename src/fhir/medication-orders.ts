// Repeat-medication orders placed in Koepel, as the organisation's own system reads and answers them over FHIR
// (issue 13, MG-8 with MG-5/MG-13: the order is registered in the organisation's system at once):
//
//   GET /fhir/Task?_lastUpdated=gt{instant}&status=&patient=&_count=&_offset=   the organisation's orders
//   GET /fhir/Task/koepel-{uuid}                                               one order
//   PUT /fhir/Task/koepel-{uuid}   with If-Match: approve, refuse (statusReason.text), ask a question
//                                  (statusReason.text), ready for pickup, sent, delivered
//
// Each order is one R4 Task (intent order, code fulfill) whose focus is a contained MedicationRequest shaped like the
// MP9 dispense request (verstrekkingsverzoek: intent order, category SNOMED 52711000146108, the medicine as the
// organisation's system sent it, basedOn the identifiers of its own medication agreement). An order of several
// medicines contains one MedicationRequest per medicine: the first is Task.focus, all are in Task.input
// ("medication"). The citizen's note is Task.note; pickup or delivery is an input ("delivery").
//
// Koepel's status → Task.status, with Koepel's own status always in businessStatus (code system BUSINESS_STATUS):
// requested → requested, question → on-hold, approved → accepted, refused → rejected (statusReason: the reason the
// citizen reads), ready/sent → in-progress, delivered → completed, cancelled (by the citizen) → cancelled. An answer
// names the new status by businessStatus code (preferred) or by Task.status where that is unambiguous; a refusal and a
// question carry their text in statusReason.text. The change goes through the same domain function as the staff's
// (changeStatus in src/medication-orders), so the same transitions hold; anything else is 422, and nothing is written.
//
// Row-level security gives the client its own organisation's orders only after an audit record for the citizen
// (migration 0028); the ids come first from the ids-only functions of that migration. Each read is audited per
// citizen (fhir.provider.medication-order.read / .search), each answer as an update (…update).
import { sql } from 'kysely';
import type { DataScope } from '../platform/http/request-context.js';
import { FhirError, issue, type Issue } from '../platform/fhir/outcome.js';
import {
  askQuestion,
  changeStatus,
  nextStatuses,
  OrderRefused,
  ordersById,
  TEXT_MAX,
  type OrderStatus,
  type OrderView,
} from '../medication-orders/index.js';

type Json = Record<string, unknown>;

export const ORDER_TASK_PREFIX = 'koepel-';
const TASK_ID = /^koepel-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
export const BUSINESS_STATUS = 'https://koepel.nl/fhir/CodeSystem/medication-order-status';
const INPUT_TYPE = 'https://koepel.nl/fhir/CodeSystem/medication-order-input';
const DISPENSE_REQUEST = { system: 'http://snomed.info/sct', code: '52711000146108', display: 'Verstrekkingsverzoek' };

const uuidOf = (id: string): string | null => TASK_ID.exec(id)?.[1] ?? null;

const FHIR_STATUS: Record<OrderStatus, string> = {
  requested: 'requested',
  question: 'on-hold',
  approved: 'accepted',
  refused: 'rejected',
  ready: 'in-progress',
  sent: 'in-progress',
  delivered: 'completed',
  cancelled: 'cancelled',
};

const DISPLAY: Record<OrderStatus, string> = {
  requested: 'Requested by the patient',
  question: 'Question to the patient',
  approved: 'Approved',
  refused: 'Refused',
  ready: 'Ready for pickup',
  sent: 'Sent',
  delivered: 'Delivered',
  cancelled: 'Cancelled by the patient',
};

/** FHIR status codes in a search → Koepel's. Codes Koepel never uses (draft, received, …) match nothing. */
const FROM_FHIR: Record<string, OrderStatus[]> = {
  requested: ['requested'],
  'on-hold': ['question'],
  accepted: ['approved'],
  rejected: ['refused'],
  'in-progress': ['ready', 'sent'],
  completed: ['delivered'],
  cancelled: ['cancelled'],
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Patient as the organisation knows it: its own Patient's id when it sent one, else the citizen's id. */
async function patients(scope: DataScope, citizenIds: string[]): Promise<Map<string, { id: string; name: string }>> {
  const out = new Map<string, { id: string; name: string }>();
  if (citizenIds.length === 0) return out;
  const sent = await scope.tx
    .selectFrom('record_resource')
    .select(['citizen_id', 'logical_id'])
    .where('resource_type', '=', 'Patient')
    .where('citizen_id', 'in', citizenIds)
    .where('deleted_at', 'is', null)
    .execute();
  const names = await scope.tx
    .selectFrom('citizen')
    .select(['id', 'given_names', 'name_prefix', 'family_name'])
    .where('id', 'in', citizenIds)
    .execute();
  for (const c of citizenIds) {
    const n = names.find((x) => x.id === c);
    out.set(c, {
      id: sent.find((x) => x.citizen_id === c)?.logical_id ?? c,
      name: n ? [n.given_names, n.name_prefix, n.family_name].filter(Boolean).join(' ') : '',
    });
  }
  return out;
}

/** One order as an R4 Task with its contained dispense requests. */
export function orderTask(o: OrderView, patient: { id: string; name: string }): Json {
  const patientRef = {
    reference: `Patient/${patient.id}`,
    type: 'Patient',
    ...(patient.name ? { display: patient.name } : {}),
  };
  const contained = o.items.map((item, i) => ({
    resourceType: 'MedicationRequest',
    id: `order-${i + 1}`,
    status:
      o.status === 'refused' || o.status === 'cancelled'
        ? 'cancelled'
        : o.status === 'delivered'
          ? 'completed'
          : 'active',
    intent: 'order',
    category: [{ coding: [DISPENSE_REQUEST] }],
    medicationCodeableConcept: item.medication ?? { text: item.name },
    subject: patientRef,
    authoredOn: o.createdAt.toISOString(),
    requester: patientRef,
    ...(item.basedOn.length > 0
      ? { basedOn: item.basedOn.map((identifier) => ({ type: 'MedicationRequest', identifier })) }
      : {}),
    ...(item.dosage ? { dosageInstruction: [{ text: item.dosage }] } : {}),
  }));
  const refused = o.status === 'refused' ? [...o.events].reverse().find((e) => e.status === 'refused')?.text : null;
  const notes = [
    ...(o.note ? [{ authorReference: patientRef, time: o.createdAt.toISOString(), text: o.note }] : []),
    ...o.events
      .filter((e) => e.status === 'question' && e.text)
      .map((e) => ({
        ...(e.actorName ? { authorString: e.actorName } : {}),
        time: e.at.toISOString(),
        text: `Question to the patient: ${e.text ?? ''}`,
      })),
  ];
  return {
    resourceType: 'Task',
    id: `${ORDER_TASK_PREFIX}${o.id}`,
    meta: { versionId: String(o.version), lastUpdated: o.updatedAt.toISOString() },
    contained,
    identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${o.id}` }],
    status: FHIR_STATUS[o.status],
    ...(refused ? { statusReason: { text: refused } } : {}),
    businessStatus: { coding: [{ system: BUSINESS_STATUS, code: o.status, display: DISPLAY[o.status] }] },
    intent: 'order',
    code: {
      coding: [
        { system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill', display: 'Fulfill the focal request' },
      ],
      text: 'Repeat prescription',
    },
    focus: { reference: '#order-1', type: 'MedicationRequest' },
    for: patientRef,
    authoredOn: o.createdAt.toISOString(),
    lastModified: o.updatedAt.toISOString(),
    requester: patientRef,
    owner: { type: 'Organization', display: o.organisationName },
    ...(notes.length > 0 ? { note: notes } : {}),
    input: [
      ...contained.map((c) => ({
        type: { coding: [{ system: INPUT_TYPE, code: 'medication' }] },
        valueReference: { reference: `#${c.id}`, type: 'MedicationRequest' },
      })),
      { type: { coding: [{ system: INPUT_TYPE, code: 'delivery' }] }, valueCode: o.delivery },
    ],
  };
}

async function presentAll(scope: DataScope, list: OrderView[]): Promise<Json[]> {
  const people = await patients(scope, [...new Set(list.map((o) => o.citizenId))]);
  return list.map((o) => orderTask(o, people.get(o.citizenId) ?? { id: o.citizenId, name: '' }));
}

/** Whom an order is about (ids only), or null: another organisation's, unknown, or not an order id. */
async function citizenOf(scope: DataScope, uuid: string): Promise<string | null> {
  const { rows } = await sql<{
    citizen_id: string | null;
  }>`select koepel_client_medication_order_citizen(${uuid}::uuid) as citizen_id`.execute(scope.tx);
  return rows[0]?.citizen_id ?? null;
}

async function audited(scope: DataScope, id: string, event: string, action: 'R' | 'U'): Promise<string | null> {
  const uuid = uuidOf(id);
  const citizenId = uuid ? await citizenOf(scope, uuid) : null;
  if (!uuid || !citizenId) {
    await scope.audit({ event, action, outcome: 'failure', resourceType: 'medication-order', resourceId: '-' });
    return null;
  }
  await scope.audit({ event, action, citizenId, resourceType: 'medication-order', resourceId: uuid });
  return uuid;
}

/** GET Task/koepel-{uuid}: the order, or null (audited either way). */
export async function readOrderTask(scope: DataScope, id: string): Promise<Json | null> {
  const uuid = await audited(scope, id, 'fhir.provider.medication-order.read', 'R');
  if (!uuid) return null;
  const [order] = await ordersById(scope, [uuid]);
  return order ? ((await presentAll(scope, [order]))[0] ?? null) : null;
}

export interface OrderTaskQuery {
  after: { at: Date; inclusive: boolean } | null;
  before: { at: Date; inclusive: boolean } | null;
  /** FHIR Task status codes (OR); null = any. */
  statuses: string[] | null;
  /** Koepel's own statuses (business-status), OR; null = any. */
  businessStatuses: string[] | null;
  patient: string | null;
  count: number;
  offset: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** GET Task?…: the organisation's orders that match, oldest change first, each citizen audited first. */
export async function searchOrderTasks(scope: DataScope, q: OrderTaskQuery): Promise<{ total: number; items: Json[] }> {
  let citizen: string | null = null;
  if (q.patient !== null) {
    const { rows: found } = await sql<{
      citizen_id: string;
    }>`select citizen_id from koepel_locate_resource('Patient', ${q.patient})`.execute(scope.tx);
    citizen = found[0]?.citizen_id ?? (UUID.test(q.patient) ? q.patient : '00000000-0000-0000-0000-000000000000');
  }
  let statuses: string[] | null =
    q.statuses === null ? null : [...new Set(q.statuses.flatMap((s) => FROM_FHIR[s] ?? []))];
  if (q.businessStatuses !== null) {
    const own = q.businessStatuses;
    statuses = statuses === null ? own : statuses.filter((s) => own.includes(s));
  }
  if (statuses !== null && statuses.length === 0) return { total: 0, items: [] };
  const run = (lim: number, skip: number) =>
    sql<{ order_id: string; citizen_id: string; total: string | number }>`
    select * from koepel_client_medication_orders(
      ${q.after?.at ?? null}::timestamptz, ${q.after?.inclusive ?? false},
      ${q.before?.at ?? null}::timestamptz, ${q.before?.inclusive ?? false},
      ${statuses}::text[], ${citizen}::uuid, ${lim}, ${skip})
  `.execute(scope.tx);
  const { rows: matches } = await run(q.count, q.offset);
  let total = matches.length > 0 ? Number(matches[0]?.total) : 0;
  if (matches.length === 0 && q.offset > 0) total = (await run(2_147_483_647, 0)).rows.length;
  if (matches.length === 0) return { total, items: [] };
  await scope.audit(
    ...[...new Set(matches.map((m) => m.citizen_id))].map((c) => ({
      event: 'fhir.provider.medication-order.search',
      action: 'R' as const,
      citizenId: c,
      resourceType: 'medication-order',
    })),
  );
  const list = await ordersById(
    scope,
    matches.map((m) => m.order_id),
  );
  return { total, items: await presentAll(scope, list) };
}

// ---------------------------------------------------------------------------------------------------------------
// The answer of the organisation's system: PUT Task/koepel-{uuid}
// ---------------------------------------------------------------------------------------------------------------

export type TaskUpdateResult =
  { status: 200; outcome: 'updated' | 'unchanged'; resource: Json; version: number; words: string } | { status: 404 };

const refuse = (status: number, issues: Issue[]) => new FhirError(status, issues);
const invalid = (message: string, path?: string) => refuse(422, [issue('business-rule', message, path)]);
const safeCode = (v: unknown) => (typeof v === 'string' ? v.replace(/[^a-z-]/g, '?').slice(0, 20) : '?');

/** The Koepel status this Task asks for, given the order's current one and its pickup/delivery. */
function wantedStatus(body: Json, current: OrderView): OrderStatus {
  const business =
    isObject(body.businessStatus) && Array.isArray(body.businessStatus.coding) ? body.businessStatus.coding : [];
  const own = business.filter(isObject).find((c) => c.system === BUSINESS_STATUS)?.code;
  if (own !== undefined) {
    if (typeof own === 'string' && own in FHIR_STATUS) return own as OrderStatus;
    throw invalid(`Task: businessStatus ${safeCode(own)} is not a Koepel order status`, 'Task.businessStatus');
  }
  switch (body.status) {
    case FHIR_STATUS[current.status]:
      return current.status;
    case 'accepted':
      return 'approved';
    case 'rejected':
      return 'refused';
    case 'on-hold':
      return 'question';
    case 'in-progress':
      return current.delivery === 'delivery' ? 'sent' : 'ready';
    case 'completed':
      return 'delivered';
    default:
      throw invalid(
        `Task: the status cannot change from ${FHIR_STATUS[current.status]} to ${safeCode(body.status)}`,
        'Task.status',
      );
  }
}

/**
 * PUT Task/koepel-{uuid}: the organisation's system answers an order. `ifMatch` is the version it last read
 * (If-Match), or null.
 */
export async function answerOrderTask(
  scope: DataScope,
  id: string,
  body: unknown,
  ifMatch: number | null,
): Promise<TaskUpdateResult> {
  if (!isObject(body) || body.resourceType !== 'Task') {
    throw refuse(400, [issue('invalid', 'The body must be a Task', 'Task.resourceType')]);
  }
  if (body.id !== undefined && body.id !== id) {
    throw refuse(400, [issue('invalid', 'Task: id does not match the id in the request url', 'Task.id')]);
  }
  if (typeof body.status !== 'string' || body.intent !== 'order') {
    throw refuse(422, [issue('required', 'Task: status and intent (order) are required', 'Task.status')]);
  }
  const reason = isObject(body.statusReason) ? body.statusReason.text : undefined;
  if (reason !== undefined && typeof reason !== 'string') {
    throw refuse(422, [issue('value', 'Task: statusReason.text must be a string', 'Task.statusReason.text')]);
  }
  const uuid = await audited(scope, id, 'fhir.provider.medication-order.update', 'U');
  if (!uuid) return { status: 404 };
  // The row locked first: a concurrent answer (staff, the citizen cancelling) waits, then sees the new version.
  await scope.tx.selectFrom('medication_order').select('id').where('id', '=', uuid).forUpdate().execute();
  const [order] = await ordersById(scope, [uuid]);
  if (!order) return { status: 404 };
  if (ifMatch !== null && ifMatch !== order.version) {
    throw refuse(412, [
      issue('conflict', `Task: If-Match names version ${ifMatch}, the current version is ${order.version}`),
    ]);
  }
  const next = wantedStatus(body, order);
  const present = async (o: OrderView) => (await presentAll(scope, [o]))[0] ?? {};
  const text = typeof reason === 'string' ? reason.trim() : '';
  // The same status again changes nothing — but a new question while one is open is a second question.
  if (next === order.status && (next !== 'question' || text === '')) {
    return {
      status: 200,
      outcome: 'unchanged',
      resource: await present(order),
      version: order.version,
      words: 'Unchanged: the order already has this status',
    };
  }
  if ((next === 'refused' || next === 'question') && (text === '' || text.length > TEXT_MAX)) {
    throw invalid(
      `Task: a ${next === 'refused' ? 'refusal' : 'question'} needs statusReason.text (1 to ${TEXT_MAX} characters), which the patient reads`,
      'Task.statusReason.text',
    );
  }
  if (!nextStatuses(order.status, order.delivery).includes(next)) {
    throw invalid(
      `Task: the order cannot go from ${order.status} to ${next}; allowed: ${nextStatuses(order.status, order.delivery).join(', ') || 'none (it is done)'}`,
      'Task.businessStatus',
    );
  }
  try {
    if (next === 'question') await askQuestion(scope, order, text, order.version);
    else
      await changeStatus(scope, order, {
        status: next,
        text: next === 'refused' ? text : null,
        ifVersion: order.version,
      });
  } catch (err) {
    if (err instanceof OrderRefused)
      throw refuse(409, [issue('conflict', 'Task: changed meanwhile; read it and try again')]);
    throw err;
  }
  const [after] = await ordersById(scope, [uuid]);
  if (!after) return { status: 404 };
  return {
    status: 200,
    outcome: 'updated',
    resource: await present(after),
    version: after.version,
    words: DISPLAY[next],
  };
}
