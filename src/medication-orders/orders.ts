// Repeat-medication orders (MG-8; MG-5/MG-13: the organisation has the order at once, in its inbox and over FHIR).
//
// The one domain module: what a citizen may order (offers), placing an order, every status change (changeStatus —
// the one place that changes an order's status, so a "system message" to the citizen is added in one place),
// asking a question (askQuestion), and the reads of the citizen, the staff and the organisation's system.
//
// Medical content — what was ordered, the citizen's note, a refusal reason, a question — is sealed under the
// organisation's key, bound to its row by AAD. Every read audits its citizen first (row-level security needs it:
// koepel_audited). Refusals are thrown (OrderRefused) so that the request's transaction, audit record included,
// rolls back whole and nothing is half-written.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { resolverFor } from '../dossier/index.js';
import type { BirthDate } from '../identity/index.js';
import { conversationAbout, startConversation } from '../messages/index.js';
import { patientsById } from '../patients/index.js';
import type { Principal } from '../platform/db/principal.js';
import type { DataScope } from '../platform/http/request-context.js';
import { readResources } from '../record/index.js';
import { repeatableMedicines, type OrderItem, type RepeatableMedicine } from './repeatable.js';

type Citizen = Extract<Principal, { kind: 'citizen' }>;

export const ORDER_STATUSES = [
  'requested',
  'question',
  'approved',
  'refused',
  'ready',
  'sent',
  'delivered',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type Delivery = 'pickup' | 'delivery';

/** Statuses still in the organisation's hands (the inbox's "open" tab). */
export const OPEN_STATUSES: readonly OrderStatus[] = ['requested', 'question', 'approved', 'ready', 'sent'];
/** Statuses of orders that are done with. */
export const CLOSED_STATUSES: readonly OrderStatus[] = ['refused', 'delivered', 'cancelled'];

export const NOTE_MAX = 1000;
export const TEXT_MAX = 1000;
export const ITEMS_MAX = 20;

/**
 * Where an order may go from each status, for staff and the organisation's system (the guard trigger of migration
 * 0028 holds the same table). 'ready' is for pickup, 'sent' for delivery; the citizen may only cancel while nobody
 * has handled it (requested, question).
 */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  requested: ['approved', 'refused', 'question', 'ready', 'sent'],
  question: ['approved', 'refused', 'question', 'ready', 'sent'],
  approved: ['refused', 'ready', 'sent'],
  ready: ['delivered'],
  sent: ['delivered'],
  refused: [],
  delivered: [],
  cancelled: [],
};

/** The statuses staff or the organisation's system may set next on an order. */
export function nextStatuses(status: OrderStatus, delivery: Delivery): OrderStatus[] {
  return NEXT[status].filter((s) =>
    s === 'ready' ? delivery === 'pickup' : s === 'sent' ? delivery === 'delivery' : true,
  );
}

export const citizenMayCancel = (status: OrderStatus): boolean => status === 'requested' || status === 'question';

export type Refusal =
  | 'not-found'
  | 'not-allowed'
  | 'no-items'
  | 'too-many'
  | 'not-repeatable'
  | 'delivery'
  | 'note'
  | 'text'
  | 'transition';

/** A refusal; thrown so that the transaction rolls back whole. */
export class OrderRefused extends Error {
  constructor(readonly reason: Refusal) {
    super(`medication order refused: ${reason}`);
  }
}

/** Who changes an order, as the citizen reads it in the history. */
export type Actor =
  { kind: 'citizen' } | { kind: 'staff'; staffId: string; name: string } | { kind: 'client'; name: string | null };

/** How the history names the actor: the organisation's API client is its 'system'. */
const recorded = (a: Actor) => (a.kind === 'client' ? 'system' : a.kind);

const itemsAad = (id: string, org: string, citizen: string) => `medication_order.items:${id}:${org}:${citizen}`;
const noteAad = (id: string, org: string, citizen: string) => `medication_order.note:${id}:${org}:${citizen}`;
const eventAad = (id: string, order: string, org: string, citizen: string) =>
  `medication_order_event.text:${id}:${order}:${org}:${citizen}`;

/** A textarea's CRLF counted as one character, as the browser's maxlength counts it. */
export const normaliseText = (text: string): string => text.replace(/\r\n?/g, '\n').trim();

// ---------------------------------------------------------------------------------------------------------------
// What the citizen may order
// ---------------------------------------------------------------------------------------------------------------

export interface OrderOffer {
  organisationId: string;
  name: string;
  kind: string;
  delivery: boolean;
  medicines: RepeatableMedicine[];
}

/** Audits the citizen's view of their orders or the order form (before any read). */
export async function auditOrderView(
  scope: DataScope,
  citizen: Citizen,
  event = 'medication.order.view',
): Promise<void> {
  await scope.audit({
    event,
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: 'medication-order',
  });
}

/** The organisations where the citizen principal may order now ('repeat-medication', active relationship, portal). */
export async function orderingOrganisations(
  scope: DataScope,
): Promise<{ id: string; name: string; kind: string; delivery: boolean }[]> {
  const rows = await scope.tx
    .selectFrom('organisation')
    .select(['id', 'name', 'kind', 'medication_delivery'])
    .where(sql<boolean>`koepel_citizen_orders_at(id)`)
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, delivery: r.medication_delivery }));
}

/**
 * Per organisation where the citizen may order, its repeatable medicines (possibly none). The caller has audited
 * (auditOrderView): this reads the citizen's medication record.
 */
export async function orderOffers(scope: DataScope, citizen: Citizen, now = new Date()): Promise<OrderOffer[]> {
  const organisations = await orderingOrganisations(scope);
  if (organisations.length === 0) return [];
  const resources = await readResources(
    { tx: scope.tx, keys: scope.keys },
    { citizenId: citizen.citizenId, categories: ['medication'], organisationIds: organisations.map((o) => o.id) },
  );
  const medicines = repeatableMedicines(resources, await resolverFor(scope, resources), now);
  return organisations.map((o) => ({
    organisationId: o.id,
    name: o.name,
    kind: o.kind,
    delivery: o.delivery,
    medicines: medicines.filter((m) => m.organisationId === o.id),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Placing an order
// ---------------------------------------------------------------------------------------------------------------

export interface OrderInput {
  organisationId: string;
  /** Record resource ids of the chosen medicines. */
  resourceIds: string[];
  note: string;
  delivery: Delivery;
  idempotencyKey: string;
}

/** The citizen's order made with this idempotency key, if any (a double submit finds the first). */
export async function orderByKey(scope: DataScope, citizen: Citizen, key: string): Promise<string | null> {
  const row = await scope.tx
    .selectFrom('medication_order')
    .select('id')
    .where('citizen_id', '=', citizen.citizenId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Places the citizen's order, or throws OrderRefused. Every medicine must be one of the organisation's repeatable
 * medicines of this citizen now; delivery only where the organisation delivers. A resubmission (same idempotency key)
 * returns the first order.
 */
export async function placeOrder(
  scope: DataScope,
  citizen: Citizen,
  input: OrderInput,
  now = new Date(),
): Promise<{ id: string; repeated: boolean }> {
  const id = randomUUID();
  await scope.audit({
    event: 'medication.order.create',
    action: 'C',
    citizenId: citizen.citizenId,
    resourceType: 'medication-order',
    resourceId: id,
  });
  const earlier = await orderByKey(scope, citizen, input.idempotencyKey);
  if (earlier) return { id: earlier, repeated: true };

  const chosen = [...new Set(input.resourceIds)];
  if (chosen.length === 0) throw new OrderRefused('no-items');
  if (chosen.length > ITEMS_MAX) throw new OrderRefused('too-many');
  const note = normaliseText(input.note);
  if (note.length > NOTE_MAX) throw new OrderRefused('note');

  const offer = (await orderOffers(scope, citizen, now)).find((o) => o.organisationId === input.organisationId);
  if (!offer) throw new OrderRefused('not-allowed');
  if (input.delivery === 'delivery' && !offer.delivery) throw new OrderRefused('delivery');
  const items: OrderItem[] = [];
  for (const resourceId of chosen) {
    const m = offer.medicines.find((x) => x.resourceId === resourceId);
    if (!m) throw new OrderRefused('not-repeatable');
    items.push({
      resourceId: m.resourceId,
      name: m.name,
      codes: m.codes,
      dosage: m.dosage,
      medication: m.medication,
      basedOn: m.basedOn,
    });
  }

  const org = { kind: 'organisation' as const, id: offer.organisationId };
  await scope.tx
    .insertInto('medication_order')
    .values({
      id,
      organisation_id: offer.organisationId,
      citizen_id: citizen.citizenId,
      status: 'requested',
      delivery: input.delivery,
      items_ciphertext: await scope.keys.encrypt(
        scope.tx,
        org,
        JSON.stringify(items),
        itemsAad(id, offer.organisationId, citizen.citizenId),
      ),
      item_count: items.length,
      note_ciphertext:
        note === ''
          ? null
          : await scope.keys.encrypt(scope.tx, org, note, noteAad(id, offer.organisationId, citizen.citizenId)),
      idempotency_key: input.idempotencyKey,
      changed_by: 'citizen',
    })
    .execute();
  await insertEvent(scope, { id, organisationId: offer.organisationId, citizenId: citizen.citizenId }, 'requested', {
    kind: 'citizen',
  });
  return { id, repeated: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Status changes: ONE function for all of them
// ---------------------------------------------------------------------------------------------------------------

interface OrderKey {
  id: string;
  organisationId: string;
  citizenId: string;
}

async function insertEvent(
  scope: DataScope,
  order: OrderKey,
  status: OrderStatus,
  actor: Actor,
  text: string | null = null,
): Promise<void> {
  const id = randomUUID();
  await scope.tx
    .insertInto('medication_order_event')
    .values({
      id,
      order_id: order.id,
      organisation_id: order.organisationId,
      citizen_id: order.citizenId,
      status,
      actor: recorded(actor),
      actor_staff: actor.kind === 'staff' ? actor.staffId : null,
      actor_name: actor.kind === 'citizen' ? null : actor.name,
      text_ciphertext:
        text === null
          ? null
          : await scope.keys.encrypt(
              scope.tx,
              { kind: 'organisation', id: order.organisationId },
              text,
              eventAad(id, order.id, order.organisationId, order.citizenId),
            ),
    })
    .execute();
}

/** Who the scope's principal is, as an order's history names them. */
export async function actorOf(scope: DataScope): Promise<Actor> {
  const p = scope.principal;
  if (p.kind === 'citizen') return { kind: 'citizen' };
  if (p.kind === 'staff') {
    const me = await scope.tx
      .selectFrom('staff_account')
      .select('display_name')
      .where('id', '=', p.staffId)
      .executeTakeFirst();
    return { kind: 'staff', staffId: p.staffId, name: me?.display_name ?? '' };
  }
  if (p.kind === 'client') return { kind: 'client', name: null };
  throw new OrderRefused('not-allowed');
}

export interface StatusChange {
  /** The order's new status. */
  status: OrderStatus;
  /** A refusal reason (refused) or a question (question): required for those, refused for the others. */
  text?: string | null;
  /** The version the caller last saw (FHIR If-Match); null: any. */
  ifVersion?: number | null;
}

/**
 * Changes an order's status: the one path for every change by staff, the organisation's system or the citizen
 * (cancel). Locks the row, checks the transition, updates the order and appends the history event (with the sealed
 * text). The caller has audited the citizen (the row is invisible otherwise) and the order is one the principal may
 * change; anything else is OrderRefused.
 *
 * The citizen hears of every change the organisation makes in their tab of system messages: the database posts
 * "your order was handled" in the same transaction (trigger medication_order_system_message, migration 0036).
 */
export async function changeStatus(
  scope: DataScope,
  order: OrderKey,
  change: StatusChange,
): Promise<{ status: OrderStatus; version: number; changed: boolean }> {
  const actor = await actorOf(scope);
  const row = await scope.tx
    .selectFrom('medication_order')
    .select(['status', 'delivery', 'version'])
    .where('id', '=', order.id)
    .where('organisation_id', '=', order.organisationId)
    .where('citizen_id', '=', order.citizenId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new OrderRefused('not-found');
  if (change.ifVersion != null && change.ifVersion !== row.version) throw new OrderRefused('transition');
  const needsText = change.status === 'refused' || change.status === 'question';
  const text = change.text == null ? '' : normaliseText(change.text);
  if (needsText && (text === '' || text.length > TEXT_MAX)) throw new OrderRefused('text');
  if (!needsText && text !== '') throw new OrderRefused('text');
  const allowed =
    actor.kind === 'citizen'
      ? change.status === 'cancelled' && citizenMayCancel(row.status)
      : nextStatuses(row.status, row.delivery).includes(change.status);
  if (!allowed) throw new OrderRefused('transition');
  const updated = await scope.tx
    .updateTable('medication_order')
    .set({
      status: change.status,
      changed_by: recorded(actor),
      changed_by_staff: actor.kind === 'staff' ? actor.staffId : null,
      changed_by_name: actor.kind === 'citizen' ? null : actor.name,
    })
    .where('id', '=', order.id)
    .where('version', '=', row.version)
    .returning('version')
    .executeTakeFirst();
  if (!updated) throw new OrderRefused('transition');
  await insertEvent(scope, order, change.status, actor, needsText ? text : null);
  return { status: change.status, version: updated.version, changed: true };
}

/**
 * Staff (or the organisation's system) ask the citizen a question about an order: the order waits ('question') and
 * the question is in its history, sealed, which the citizen reads on the order's page.
 *
 * INTEGRATION POINT (issue 13, secure messages): open a conversation with the citizen about this order here, with
 * the question as its first message; the order page then links to it.
 */
export async function askQuestion(
  scope: DataScope,
  order: OrderKey,
  text: string,
  ifVersion: number | null = null,
): Promise<{ version: number; conversationId: string | null }> {
  const result = await changeStatus(scope, order, { status: 'question', text, ifVersion });
  // An employee's question opens a conversation in the citizen's messages, where they answer it, where the
  // organisation offers messages (MG-1); the question also stays in the order's history. (The organisation's own
  // system asks over FHIR and can open a Communication itself.)
  let conversationId: string | null = null;
  if (scope.principal.kind === 'staff' && (await offersMessages(scope, order.organisationId))) {
    conversationId = await startConversation(scope, {
      organisationId: order.organisationId,
      citizenId: order.citizenId,
      subject: QUESTION_SUBJECT,
      body: text,
      about: { kind: 'medication-order', id: order.id },
    });
  }
  return { version: result.version, conversationId };
}

/** The subject of a question's conversation: the organisation's words, in Dutch like the question its staff write. */
const QUESTION_SUBJECT = 'Vraag over uw bestelling van herhaalmedicatie';

async function offersMessages(scope: DataScope, organisationId: string): Promise<boolean> {
  const row = await scope.tx
    .selectFrom('organisation')
    .select('functions')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return row?.functions.includes('messages') ?? false;
}

/** The conversation the organisation's last question about this order opened, if any (its citizen is audited). */
export function questionConversation(scope: DataScope, orderId: string): Promise<string | null> {
  return conversationAbout(scope, { kind: 'medication-order', id: orderId });
}

// ---------------------------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------------------------

export interface OrderEvent {
  status: OrderStatus;
  actor: 'citizen' | 'staff' | 'system';
  actorName: string | null;
  text: string | null;
  at: Date;
}

export interface OrderView {
  id: string;
  organisationId: string;
  organisationName: string;
  citizenId: string;
  status: OrderStatus;
  delivery: Delivery;
  items: OrderItem[];
  note: string | null;
  changedBy: 'citizen' | 'staff' | 'system';
  changedByName: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  events: OrderEvent[];
}

function selectOrders(scope: DataScope) {
  return scope.tx
    .selectFrom('medication_order as m')
    .innerJoin('organisation as o', 'o.id', 'm.organisation_id')
    .select([
      'm.id',
      'm.organisation_id',
      'o.name as organisation_name',
      'm.citizen_id',
      'm.status',
      'm.delivery',
      'm.items_ciphertext',
      'm.note_ciphertext',
      'm.changed_by',
      'm.changed_by_name',
      'm.version',
      'm.created_at',
      'm.updated_at',
    ]);
}

type OrderRow = Awaited<ReturnType<ReturnType<typeof selectOrders>['executeTakeFirstOrThrow']>>;

/** Decrypts rows into views (with their history when `withEvents`). A text that does not decrypt is an error. */
async function toViews(scope: DataScope, rows: OrderRow[], withEvents: boolean): Promise<OrderView[]> {
  const events =
    withEvents && rows.length > 0
      ? await scope.tx
          .selectFrom('medication_order_event')
          .select(['id', 'order_id', 'status', 'actor', 'actor_name', 'text_ciphertext', 'created_at'])
          .where(
            'order_id',
            'in',
            rows.map((r) => r.id),
          )
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      : [];
  const out: OrderView[] = [];
  for (const r of rows) {
    const org = { kind: 'organisation' as const, id: r.organisation_id };
    const items = JSON.parse(
      await scope.keys.decrypt(scope.tx, org, r.items_ciphertext, itemsAad(r.id, r.organisation_id, r.citizen_id)),
    ) as OrderItem[];
    const note = r.note_ciphertext
      ? await scope.keys.decrypt(scope.tx, org, r.note_ciphertext, noteAad(r.id, r.organisation_id, r.citizen_id))
      : null;
    const history: OrderEvent[] = [];
    for (const e of events.filter((x) => x.order_id === r.id)) {
      history.push({
        status: e.status,
        actor: e.actor,
        actorName: e.actor_name,
        text: e.text_ciphertext
          ? await scope.keys.decrypt(
              scope.tx,
              org,
              e.text_ciphertext,
              eventAad(e.id, r.id, r.organisation_id, r.citizen_id),
            )
          : null,
        at: e.created_at,
      });
    }
    out.push({
      id: r.id,
      organisationId: r.organisation_id,
      organisationName: r.organisation_name,
      citizenId: r.citizen_id,
      status: r.status,
      delivery: r.delivery,
      items,
      note,
      changedBy: r.changed_by,
      changedByName: r.changed_by_name,
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      events: history,
    });
  }
  return out;
}

/** The citizen's own orders, newest first (the caller audited). */
export async function citizenOrders(scope: DataScope, citizen: Citizen): Promise<OrderView[]> {
  const rows = await selectOrders(scope)
    .where('m.citizen_id', '=', citizen.citizenId)
    .orderBy('m.created_at', 'desc')
    .orderBy('m.id')
    .limit(200)
    .execute();
  return toViews(scope, rows, false);
}

/** One of the citizen's own orders with its history, or null (another citizen's, unknown: the same null). */
export async function citizenOrder(scope: DataScope, citizen: Citizen, id: string): Promise<OrderView | null> {
  await scope.audit({
    event: 'medication.order.read',
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: 'medication-order',
    resourceId: id,
  });
  const rows = await selectOrders(scope).where('m.id', '=', id).where('m.citizen_id', '=', citizen.citizenId).execute();
  return (await toViews(scope, rows, true))[0] ?? null;
}

export interface StaffOrderView extends OrderView {
  patientName: string;
  patientNumber: string | null;
  birthDate: BirthDate;
}

async function withPatients(scope: DataScope, views: OrderView[]): Promise<StaffOrderView[]> {
  const people = await patientsById(scope, [...new Set(views.map((v) => v.citizenId))]);
  return views.flatMap((v) => {
    const p = people.get(v.citizenId);
    return p ? [{ ...v, patientName: p.name, patientNumber: p.patientNumber, birthDate: p.birthDate }] : [];
  });
}

/** The staff inbox: the organisation's orders in these statuses, oldest first; each citizen audited before reading. */
export async function staffOrders(scope: DataScope, statuses: readonly OrderStatus[]): Promise<StaffOrderView[]> {
  const { rows: found } = await sql<{ order_id: string; citizen_id: string }>`
    select order_id, citizen_id from koepel_staff_medication_orders(${[...statuses]}::text[], 200)
  `.execute(scope.tx);
  if (found.length === 0) return [];
  const citizens = [...new Set(found.map((f) => f.citizen_id))];
  await scope.audit(
    ...citizens.map((citizenId) => ({
      event: 'medication.order.list',
      action: 'R' as const,
      citizenId,
      resourceType: 'medication-order',
    })),
  );
  const rows = await selectOrders(scope)
    .where(
      'm.id',
      'in',
      found.map((f) => f.order_id),
    )
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
  return withPatients(scope, await toViews(scope, rows, false));
}

/** Whom one of the organisation's orders is about (ids only), for staff; null when not theirs. */
export async function staffOrderCitizen(scope: DataScope, id: string): Promise<string | null> {
  const { rows } = await sql<{
    c: string | null;
  }>`select koepel_staff_medication_order_citizen(${id}::uuid) as c`.execute(scope.tx);
  return rows[0]?.c ?? null;
}

/** One order of the organisation for staff, audited, with its history; null when not theirs. */
export async function staffOrder(
  scope: DataScope,
  id: string,
  event = 'medication.order.read',
): Promise<StaffOrderView | null> {
  const citizenId = await staffOrderCitizen(scope, id);
  if (!citizenId) return null;
  const action = event.endsWith('.update') ? 'U' : 'R';
  await scope.audit({ event, action, citizenId, resourceType: 'medication-order', resourceId: id });
  const rows = await selectOrders(scope).where('m.id', '=', id).execute();
  return (await withPatients(scope, await toViews(scope, rows, true)))[0] ?? null;
}

/** Orders by id as the organisation's system reads them (the caller learnt the ids and audited the citizens). */
export async function ordersById(scope: DataScope, ids: readonly string[]): Promise<OrderView[]> {
  if (ids.length === 0) return [];
  const rows = await selectOrders(scope)
    .where('m.id', 'in', [...ids])
    .orderBy('m.updated_at')
    .orderBy('m.id')
    .execute();
  return toViews(scope, rows, true);
}

/** The number of new orders for the staff menu (no citizen read, no audit record). */
export async function openOrderCount(scope: DataScope): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`select koepel_open_medication_order_count() as n`.execute(
    scope.tx,
  );
  return Number(rows[0]?.n ?? 0);
}
