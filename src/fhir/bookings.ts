// Appointments booked in Koepel, as the organisation's own system reads and answers them over FHIR (issue 12, MG-5):
//
//   GET /fhir/Appointment?_lastUpdated=gt{instant}&status=&patient=&_count=&_offset=   the organisation's bookings
//   GET /fhir/Appointment/koepel-{uuid}                                               one booking
//   PUT /fhir/Appointment/koepel-{uuid}   confirm (status booked) or refuse (status cancelled, practitioner declined)
//
// Two kinds of Appointment share the provider API. Appointments a provider system pushes as record data keep the
// ids of its own id space (record_resource, src/fhir/resources.ts). Appointments booked in Koepel live in the
// appointment table and are served under `koepel-{uuid}`, a prefix a pushed Appointment may not use (prepare.ts
// refuses it), so the two never clash; their identifier is `urn:ietf:rfc:3986` | `urn:uuid:{uuid}`. A search by a
// provider system (GET /fhir/Appointment?…) answers Koepel bookings only; its pushed appointments it holds itself.
//
// Koepel's status → FHIR: requested → pending (the practitioner participant needs-action), booked → booked (accepted),
// cancelled → cancelled (cancelationReason pat when the citizen cancelled, prov otherwise), refused → cancelled with
// the practitioner declined (prov). The organisation's system may make three changes only: requested → booked,
// requested → refused, booked → cancelled; sending the current status again changes nothing. Anything else is 422,
// and nothing is written.
//
// Row-level security gives the client its own organisation's appointments only after an audit record for the
// citizen (migration 0023); the ids come first from the ids-only functions of migration 0024. Each read is audited
// per citizen (fhir.provider.appointment.read / .search), each answer as an update (fhir.provider.appointment.update).
// The reason the citizen wrote is medical content meant for the organisation: its own system reads it, in
// reasonCode.text, as its staff with agenda:reasons do.
import { sql } from 'kysely';
import type { DataScope } from '../platform/http/request-context.js';
import { FhirError, issue, type Issue } from '../platform/fhir/outcome.js';
import { appointmentReason } from '../appointments/index.js';
import { loadBaseDefinitions } from './base/validate.js';
import { validateShape } from './base/shape.js';
import { INGEST_TYPES } from './resources.js';

type Json = Record<string, unknown>;

export const BOOKING_PREFIX = 'koepel-';
const BOOKING_ID = /^koepel-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const CANCELLATION = 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

/** Is this id one of Koepel's bookings (`koepel-{uuid}`)? */
export function isBookingId(id: string): boolean {
  return id.toLowerCase().startsWith(BOOKING_PREFIX);
}

const uuidOf = (id: string): string | null => BOOKING_ID.exec(id)?.[1] ?? null;

type Status = 'requested' | 'booked' | 'cancelled' | 'refused';

const FHIR_STATUS: Record<Status, string> = {
  requested: 'pending',
  booked: 'booked',
  cancelled: 'cancelled',
  refused: 'cancelled',
};

/** FHIR status codes in a search → Koepel's. Codes Koepel never uses (proposed, arrived, …) match nothing. */
const FROM_FHIR: Record<string, Status[]> = {
  pending: ['requested'],
  booked: ['booked'],
  cancelled: ['cancelled', 'refused'],
};

interface Row {
  id: string;
  citizen_id: string;
  organisation_id: string;
  status: Status;
  staff_name: string | null;
  changed_by: 'citizen' | 'staff' | 'system' | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  start: Date;
  end: Date;
  type_name: string;
  type_code: string | null;
  slot_logical_id: string | null;
  slot_resource: unknown;
  schedule_resource: unknown;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function rows(scope: DataScope, ids: string[]) {
  return scope.tx
    .selectFrom('appointment as a')
    .innerJoin('appointment_type as t', 't.id', 'a.type_id')
    .leftJoin('appointment_slot as s', 's.id', 'a.slot_id')
    .leftJoin('appointment_schedule as h', 'h.id', 's.schedule_id')
    .select([
      'a.id',
      'a.citizen_id',
      'a.organisation_id',
      'a.status',
      'a.staff_name',
      'a.changed_by',
      'a.version',
      'a.created_at',
      'a.updated_at',
      sql<Date>`lower(a.during)`.as('start'),
      sql<Date>`upper(a.during)`.as('end'),
      't.name as type_name',
      't.code as type_code',
      's.logical_id as slot_logical_id',
      's.resource as slot_resource',
      'h.resource as schedule_resource',
    ])
    .where('a.id', 'in', ids)
    .orderBy('a.updated_at')
    .orderBy('a.id')
    .execute() as Promise<Row[]>;
}

/** The Patient as the organisation knows it: its own Patient's id when it sent one, else the citizen's id. */
export async function patients(
  scope: DataScope,
  citizenIds: string[],
): Promise<Map<string, { id: string; name: string }>> {
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

function participantStatus(r: Row): { patient: string; practitioner: string } {
  switch (r.status) {
    case 'requested':
      return { patient: 'accepted', practitioner: 'needs-action' };
    case 'booked':
      return { patient: 'accepted', practitioner: 'accepted' };
    case 'refused':
      return { patient: 'accepted', practitioner: 'declined' };
    case 'cancelled':
      return r.changed_by === 'citizen'
        ? { patient: 'declined', practitioner: 'accepted' }
        : { patient: 'accepted', practitioner: 'declined' };
  }
}

/** One booking as an R4 Appointment. */
function present(r: Row, patient: { id: string; name: string }, reason: string | null): Json {
  const status = participantStatus(r);
  const slot = isObject(r.slot_resource) ? r.slot_resource : null;
  const schedule = isObject(r.schedule_resource) ? r.schedule_resource : null;
  const actors = (Array.isArray(schedule?.actor) ? schedule.actor : []).filter(isObject);
  const practitioner = (actor: Json) => ({ actor, required: 'required', status: status.practitioner });
  const performers =
    actors.length > 0
      ? actors.map((a) => practitioner(a))
      : [
          {
            type: [{ coding: [{ system: PARTICIPATION, code: 'PPRF', display: 'primary performer' }] }],
            ...(r.staff_name ? { actor: { display: r.staff_name } } : {}),
            required: 'required',
            status: status.practitioner,
          },
        ];
  const appointmentType = isObject(slot?.appointmentType)
    ? slot.appointmentType
    : { ...(r.type_code ? { coding: [{ code: r.type_code }] } : {}), text: r.type_name };
  const cancelled = r.status === 'cancelled' || r.status === 'refused';
  return {
    resourceType: 'Appointment',
    id: `${BOOKING_PREFIX}${r.id}`,
    meta: { versionId: String(r.version), lastUpdated: r.updated_at.toISOString() },
    identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${r.id}` }],
    status: FHIR_STATUS[r.status],
    ...(cancelled
      ? {
          cancelationReason: {
            coding: [
              r.status === 'cancelled' && r.changed_by === 'citizen'
                ? { system: CANCELLATION, code: 'pat', display: 'Patient' }
                : { system: CANCELLATION, code: 'prov', display: 'Provider' },
            ],
          },
        }
      : {}),
    ...(Array.isArray(slot?.serviceType) ? { serviceType: slot.serviceType } : {}),
    appointmentType,
    ...(reason ? { reasonCode: [{ text: reason }] } : {}),
    description: r.type_name,
    start: r.start.toISOString(),
    end: r.end.toISOString(),
    minutesDuration: Math.round((r.end.getTime() - r.start.getTime()) / 60_000),
    ...(r.slot_logical_id ? { slot: [{ reference: `Slot/${r.slot_logical_id}` }] } : {}),
    created: r.created_at.toISOString(),
    participant: [
      {
        actor: {
          reference: `Patient/${patient.id}`,
          type: 'Patient',
          ...(patient.name ? { display: patient.name } : {}),
        },
        required: 'required',
        status: status.patient,
      },
      ...performers,
    ],
  };
}

async function presentAll(scope: DataScope, list: Row[]): Promise<Json[]> {
  const people = await patients(scope, [...new Set(list.map((r) => r.citizen_id))]);
  const out: Json[] = [];
  for (const r of list) {
    const reason = await appointmentReason(scope, {
      id: r.id,
      organisationId: r.organisation_id,
      citizenId: r.citizen_id,
    });
    out.push(present(r, people.get(r.citizen_id) ?? { id: r.citizen_id, name: '' }, reason));
  }
  return out;
}

/** Whom a booking is about (ids only), or null: another organisation's, unknown, or not a booking id. */
async function citizenOf(scope: DataScope, uuid: string): Promise<string | null> {
  const { rows: found } = await sql<{
    citizen_id: string | null;
  }>`select koepel_client_appointment_citizen(${uuid}::uuid) as citizen_id`.execute(scope.tx);
  return found[0]?.citizen_id ?? null;
}

/** GET Appointment/koepel-{uuid}: the booking, or null (audited either way). */
export async function readBooking(scope: DataScope, id: string): Promise<Json | null> {
  const uuid = uuidOf(id);
  const citizenId = uuid ? await citizenOf(scope, uuid) : null;
  if (!uuid || !citizenId) {
    await scope.audit({
      event: 'fhir.provider.appointment.read',
      action: 'R',
      outcome: 'failure',
      resourceType: 'appointment',
      resourceId: '-',
    });
    return null;
  }
  await scope.audit({
    event: 'fhir.provider.appointment.read',
    action: 'R',
    citizenId,
    resourceType: 'appointment',
    resourceId: uuid,
  });
  const [row] = await rows(scope, [uuid]);
  return row ? ((await presentAll(scope, [row]))[0] ?? null) : null;
}

export interface BookingQuery {
  /** _lastUpdated bounds. */
  after: { at: Date; inclusive: boolean } | null;
  before: { at: Date; inclusive: boolean } | null;
  /** FHIR status codes (OR); null = any. */
  statuses: string[] | null;
  /** The Patient id the organisation knows (its own Patient's, or the citizen's), or null. */
  patient: string | null;
  count: number;
  offset: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** GET Appointment?…: the organisation's bookings that match, oldest change first, each citizen audited first. */
export async function searchBookings(scope: DataScope, q: BookingQuery): Promise<{ total: number; items: Json[] }> {
  let citizen: string | null = null;
  if (q.patient !== null) {
    const { rows: found } = await sql<{
      citizen_id: string;
    }>`select citizen_id from koepel_locate_resource('Patient', ${q.patient})`.execute(scope.tx);
    citizen = found[0]?.citizen_id ?? (UUID.test(q.patient) ? q.patient : '00000000-0000-0000-0000-000000000000');
  }
  const statuses = q.statuses === null ? null : [...new Set(q.statuses.flatMap((s) => FROM_FHIR[s] ?? []))];
  if (statuses !== null && statuses.length === 0) return { total: 0, items: [] };
  const { rows: matches } = await sql<{ appointment_id: string; citizen_id: string; total: string | number }>`
    select * from koepel_client_appointments(
      ${q.after?.at ?? null}::timestamptz, ${q.after?.inclusive ?? false},
      ${q.before?.at ?? null}::timestamptz, ${q.before?.inclusive ?? false},
      ${statuses}::text[], ${citizen}::uuid, ${q.count}, ${q.offset})
  `.execute(scope.tx);
  // count(*) over () is only there when a row is: an offset past the end learns the total separately.
  let total = matches.length > 0 ? Number(matches[0]?.total) : 0;
  if (matches.length === 0 && q.offset > 0) {
    const { rows: all } = await sql<{ n: string | number }>`
      select count(*) as n from koepel_client_appointments(
        ${q.after?.at ?? null}::timestamptz, ${q.after?.inclusive ?? false},
        ${q.before?.at ?? null}::timestamptz, ${q.before?.inclusive ?? false},
        ${statuses}::text[], ${citizen}::uuid, 2147483647, 0)
    `.execute(scope.tx);
    total = Number(all[0]?.n ?? 0);
  }
  if (matches.length === 0) return { total, items: [] };
  const citizens = [...new Set(matches.map((m) => m.citizen_id))];
  await scope.audit(
    ...citizens.map((c) => ({
      event: 'fhir.provider.appointment.search',
      action: 'R' as const,
      citizenId: c,
      resourceType: 'appointment',
    })),
  );
  const list = await rows(
    scope,
    matches.map((m) => m.appointment_id),
  );
  return { total, items: await presentAll(scope, list) };
}

// ---------------------------------------------------------------------------------------------------------------
// The answer of the organisation's system: PUT Appointment/koepel-{uuid}
// ---------------------------------------------------------------------------------------------------------------

export type UpdateResult =
  { status: 200; outcome: 'updated' | 'unchanged'; resource: Json; version: number; words: string } | { status: 404 };

const refuse = (status: number, issues: Issue[]) => new FhirError(status, issues);
const invalid = (message: string, path?: string) => refuse(422, [issue('business-rule', message, path)]);

/** The participants that are not the patient: the practitioner side, whose answer the status carries. */
function performerStatuses(body: Json): string[] {
  const list = Array.isArray(body.participant) ? body.participant.filter(isObject) : [];
  return list
    .filter((p) => {
      const actor = isObject(p.actor) ? p.actor : {};
      const ref = typeof actor.reference === 'string' ? actor.reference : '';
      return !(actor.type === 'Patient' || /(?:^|\/)Patient\//.test(ref));
    })
    .map((p) => (typeof p.status === 'string' ? p.status : ''));
}

/** The Koepel status this answer asks for, from the current one; a FhirError (422) when it may not. */
function transition(current: Status, body: Json, end: Date, now: Date): Status {
  const wanted = body.status;
  const performers = performerStatuses(body);
  if (current === 'requested' && wanted === 'pending') return 'requested';
  if (current === 'requested' && wanted === 'booked') {
    if (performers.includes('declined') || performers.includes('needs-action')) {
      throw invalid(
        'Appointment: status booked needs the practitioner participant accepted',
        'Appointment.participant',
      );
    }
    if (end.getTime() <= now.getTime()) {
      throw invalid('Appointment: this appointment has passed; it can no longer be confirmed', 'Appointment.status');
    }
    return 'booked';
  }
  if (current === 'requested' && wanted === 'cancelled') {
    if (performers.includes('accepted')) {
      throw invalid(
        'Appointment: to refuse a requested appointment, send status cancelled with the practitioner participant declined',
        'Appointment.participant',
      );
    }
    return 'refused';
  }
  if (current === 'booked' && wanted === 'booked') return 'booked';
  if (current === 'booked' && wanted === 'cancelled') return 'cancelled';
  if ((current === 'cancelled' || current === 'refused') && wanted === 'cancelled') return current;
  throw invalid(
    `Appointment: the status cannot change from ${FHIR_STATUS[current]} to ${typeof wanted === 'string' ? wanted.replace(/[^a-z-]/g, '?').slice(0, 20) : '?'}; ` +
      'allowed are pending → booked (confirm), pending → cancelled (refuse) and booked → cancelled',
    'Appointment.status',
  );
}

/** Start and end are the citizen's choice of slot: the answer may repeat them, not change them. */
function checkUnchanged(body: Json, row: Row): void {
  for (const [field, held] of [
    ['start', row.start],
    ['end', row.end],
  ] as const) {
    const v = body[field];
    if (v !== undefined && (typeof v !== 'string' || Date.parse(v) !== held.getTime())) {
      throw invalid(
        `Appointment: ${field} cannot change; refuse the appointment and publish another Slot instead`,
        `Appointment.${field}`,
      );
    }
  }
}

/**
 * PUT Appointment/koepel-{uuid}: the organisation's system confirms or refuses a booking (or cancels a booked one).
 * `ifMatch` is the version the client last read (If-Match), or null.
 */
export async function answerBooking(
  scope: DataScope,
  id: string,
  body: unknown,
  ifMatch: number | null,
  now: Date = new Date(),
): Promise<UpdateResult> {
  if (!isObject(body) || body.resourceType !== 'Appointment') {
    throw refuse(400, [issue('invalid', 'The body must be an Appointment', 'Appointment.resourceType')]);
  }
  if (body.id !== undefined && body.id !== id) {
    throw refuse(400, [issue('invalid', 'Appointment: id does not match the id in the request url', 'Appointment.id')]);
  }
  loadBaseDefinitions(INGEST_TYPES);
  const shape = validateShape(body as Json & { resourceType: string });
  if (shape.length > 0) {
    throw refuse(
      422,
      shape
        .slice(0, 100)
        .map((i) =>
          issue(i.code, `Appointment: ${i.field ? `${i.field} ` : ''}${i.problem}`, `Appointment.${i.field}`),
        ),
    );
  }
  const uuid = uuidOf(id);
  const citizenId = uuid ? await citizenOf(scope, uuid) : null;
  if (!uuid || !citizenId) {
    await scope.audit({
      event: 'fhir.provider.appointment.update',
      action: 'U',
      outcome: 'failure',
      resourceType: 'appointment',
      resourceId: '-',
    });
    return { status: 404 };
  }
  await scope.audit({
    event: 'fhir.provider.appointment.update',
    action: 'U',
    citizenId,
    resourceType: 'appointment',
    resourceId: uuid,
  });
  // The row locked first: a concurrent answer (or the citizen cancelling) waits, then sees the new version.
  await scope.tx.selectFrom('appointment').select('id').where('id', '=', uuid).forUpdate().execute();
  const [row] = await rows(scope, [uuid]);
  if (!row) return { status: 404 };
  if (ifMatch !== null && ifMatch !== row.version) {
    throw refuse(412, [
      issue('conflict', `Appointment: If-Match names version ${ifMatch}, the current version is ${row.version}`),
    ]);
  }
  checkUnchanged(body, row);
  const next = transition(row.status, body, row.end, now);
  if (next === row.status) {
    const [resource] = await presentAll(scope, [row]);
    return {
      status: 200,
      outcome: 'unchanged',
      resource: resource ?? {},
      version: row.version,
      words: 'Unchanged: the appointment already has this status',
    };
  }
  const updated = await scope.tx
    .updateTable('appointment')
    .set({
      status: next,
      changed_by: 'system',
      changed_by_name: null,
      sequence: sql<number>`sequence + 1`,
    })
    .where('id', '=', uuid)
    .where('version', '=', row.version)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    throw refuse(409, [issue('conflict', 'Appointment: another request changed it first; read it and try again')]);
  }
  const [after] = await rows(scope, [uuid]);
  if (!after) return { status: 404 };
  const [resource] = await presentAll(scope, [after]);
  const words = { booked: 'Confirmed', refused: 'Refused', cancelled: 'Cancelled', requested: 'Requested' }[next];
  return { status: 200, outcome: 'updated', resource: resource ?? {}, version: after.version, words };
}
