// Schedule and Slot: the agenda of an organisation whose own system holds it (organisation.agenda = 'external',
// issue 12). Its API client publishes free slots like it pushes the record (PUT, transaction and batch Bundles);
// citizens book them in Koepel (src/appointments/booking.ts) and the system reads and answers each booking as a FHIR
// Appointment (src/fhir/bookings.ts). Not citizen data: audited without a citizen, like the directory.
//
// Kept by the sender's logical id (unique per organisation), as sent, with the columns booking needs beside it:
// Schedule → actor_display, active; Slot → its Schedule, during [start, end), status, and the appointment type whose
// code the Slot's appointmentType or serviceType carries (else none: the slot fits every type).
//
// While a Koepel appointment holds a slot (requested or booked), an update may change its status to free, busy or
// busy-tentative (the system noting the booking), but not move it, give it to another Schedule, or withdraw it
// (busy-unavailable, entered-in-error): 409, refuse or cancel the Appointment first. The citizen's booking never
// silently loses its time.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DataScope } from '../platform/http/request-context.js';
import { FhirError, issue } from '../platform/fhir/outcome.js';
import type { SchedulingType } from './resources.js';

export interface SchedulingWrite {
  resourceType: SchedulingType;
  logicalId: string;
  resource: Record<string, unknown>;
  /** How messages name it (`Bundle.entry[2] (Slot)`) and where it is (`Bundle.entry[2].resource`). */
  label: string;
  base: string;
}

export interface SchedulingResult {
  id: string;
  logicalId: string;
  resourceType: SchedulingType;
  outcome: 'created' | 'updated' | 'unchanged';
  version: number;
}

const SCHEDULE_REFERENCE = /^Schedule\/([A-Za-z0-9\-.]{1,64})$/;
/** Slot statuses that withdraw a slot: not while a citizen's booking holds it. */
const WITHDRAWN = new Set(['busy-unavailable', 'entered-in-error']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function organisationOf(scope: DataScope): { organisationId: string } {
  if (scope.principal.kind !== 'client') throw new Error('only an API client writes Schedule and Slot');
  return { organisationId: scope.principal.organisationId };
}

/** The first actor's display: whom the citizen books with (a practitioner, a role, a room). */
function actorDisplay(resource: Record<string, unknown>): string | null {
  const actors = Array.isArray(resource.actor) ? resource.actor : [];
  for (const a of actors) {
    if (isObject(a) && typeof a.display === 'string' && a.display.trim() !== '') return a.display.trim().slice(0, 200);
  }
  return null;
}

/** The codes of Slot.appointmentType, then Slot.serviceType (in that order of preference). */
function slotCodes(resource: Record<string, unknown>): string[] {
  const codings = (cc: unknown): string[] =>
    isObject(cc) && Array.isArray(cc.coding)
      ? cc.coding.flatMap((c: unknown) => (isObject(c) && typeof c.code === 'string' ? [c.code] : []))
      : [];
  const services = Array.isArray(resource.serviceType) ? resource.serviceType : [];
  return [...codings(resource.appointmentType), ...services.flatMap(codings)];
}

async function writeSchedule(scope: DataScope, w: SchedulingWrite): Promise<SchedulingResult> {
  const { organisationId } = organisationOf(scope);
  const json = JSON.stringify(w.resource);
  const active = w.resource.active !== false;
  const display = actorDisplay(w.resource);
  const existing = await scope.tx
    .selectFrom('appointment_schedule')
    .select(['id', 'version'])
    .where('organisation_id', '=', organisationId)
    .where('logical_id', '=', w.logicalId)
    .forUpdate()
    .executeTakeFirst();
  if (!existing) {
    const row = await scope.tx
      .insertInto('appointment_schedule')
      .values({
        id: randomUUID(),
        organisation_id: organisationId,
        logical_id: w.logicalId,
        actor_display: display,
        active,
        resource: json,
      })
      .returning(['id', 'version'])
      .executeTakeFirstOrThrow();
    return { id: row.id, logicalId: w.logicalId, resourceType: 'Schedule', outcome: 'created', version: row.version };
  }
  // jsonb equality ignores key order and whitespace: a re-send without change is not a new version.
  const row = await scope.tx
    .updateTable('appointment_schedule')
    .set({
      resource: json,
      actor_display: display,
      active,
      version: sql<number>`version + 1`,
      updated_at: new Date(),
    })
    .where('id', '=', existing.id)
    .where(sql<boolean>`resource is distinct from ${json}::jsonb`)
    .returning(['version'])
    .executeTakeFirst();
  return {
    id: existing.id,
    logicalId: w.logicalId,
    resourceType: 'Schedule',
    outcome: row ? 'updated' : 'unchanged',
    version: row?.version ?? existing.version,
  };
}

async function writeSlot(scope: DataScope, w: SchedulingWrite): Promise<SchedulingResult> {
  const { organisationId } = organisationOf(scope);
  const r = w.resource;
  const ref = isObject(r.schedule) && typeof r.schedule.reference === 'string' ? r.schedule.reference : '';
  const scheduleId = SCHEDULE_REFERENCE.exec(ref)?.[1];
  const schedule = scheduleId
    ? await scope.tx
        .selectFrom('appointment_schedule')
        .select('id')
        .where('organisation_id', '=', organisationId)
        .where('logical_id', '=', scheduleId)
        .executeTakeFirst()
    : undefined;
  if (!schedule) {
    throw new FhirError(422, [
      issue(
        'invalid',
        `${w.label}: schedule must refer to a Schedule your organisation sent (Schedule/{id}, or an entry of this Bundle)`,
        `${w.base}.schedule`,
      ),
    ]);
  }
  const start = new Date(String(r.start));
  const end = new Date(String(r.end));
  const status = String(r.status) as 'free' | 'busy' | 'busy-unavailable' | 'busy-tentative' | 'entered-in-error';
  const codes = slotCodes(r);
  let typeId: string | null = null;
  if (codes.length > 0) {
    const types = await scope.tx
      .selectFrom('appointment_type')
      .select(['id', 'code'])
      .where('organisation_id', '=', organisationId)
      .where('code', 'in', codes)
      .execute();
    typeId = codes.map((c) => types.find((t) => t.code === c)?.id).find((id) => id !== undefined) ?? null;
  }
  const json = JSON.stringify(r);
  const during = sql<string>`tstzrange(${start}::timestamptz, ${end}::timestamptz, '[)')`;
  const existing = await scope.tx
    .selectFrom('appointment_slot')
    .select(['id', 'version', 'schedule_id', sql<Date>`lower(during)`.as('start'), sql<Date>`upper(during)`.as('end')])
    .where('organisation_id', '=', organisationId)
    .where('logical_id', '=', w.logicalId)
    .forUpdate()
    .executeTakeFirst();
  if (!existing) {
    const row = await scope.tx
      .insertInto('appointment_slot')
      .values({
        id: randomUUID(),
        organisation_id: organisationId,
        schedule_id: schedule.id,
        logical_id: w.logicalId,
        during,
        status,
        appointment_type_id: typeId,
        resource: json,
      })
      .returning(['id', 'version'])
      .executeTakeFirstOrThrow();
    return { id: row.id, logicalId: w.logicalId, resourceType: 'Slot', outcome: 'created', version: row.version };
  }
  const moves =
    existing.schedule_id !== schedule.id ||
    existing.start.getTime() !== start.getTime() ||
    existing.end.getTime() !== end.getTime() ||
    WITHDRAWN.has(status);
  if (moves) {
    const { rows } = await sql<{ held: boolean }>`select koepel_slot_held(${existing.id}::uuid) as held`.execute(
      scope.tx,
    );
    if (rows[0]?.held) {
      throw new FhirError(409, [
        issue(
          'conflict',
          `${w.label}: a citizen's appointment holds this slot; its time, Schedule and availability cannot change ` +
            'until the Appointment is refused or cancelled (status free, busy or busy-tentative may be sent)',
          w.base,
        ),
      ]);
    }
  }
  const row = await scope.tx
    .updateTable('appointment_slot')
    .set({
      resource: json,
      schedule_id: schedule.id,
      during,
      status,
      appointment_type_id: typeId,
      version: sql<number>`version + 1`,
      updated_at: new Date(),
    })
    .where('id', '=', existing.id)
    .where(sql<boolean>`resource is distinct from ${json}::jsonb`)
    .returning(['version'])
    .executeTakeFirst();
  return {
    id: existing.id,
    logicalId: w.logicalId,
    resourceType: 'Slot',
    outcome: row ? 'updated' : 'unchanged',
    version: row?.version ?? existing.version,
  };
}

/** Writes Schedules, then Slots (a Slot names its Schedule), in the caller's transaction; audits each write. */
export async function writeScheduling(scope: DataScope, writes: SchedulingWrite[]): Promise<SchedulingResult[]> {
  const results = new Map<SchedulingWrite, SchedulingResult>();
  for (const w of writes.filter((x) => x.resourceType === 'Schedule')) results.set(w, await writeSchedule(scope, w));
  for (const w of writes.filter((x) => x.resourceType === 'Slot')) results.set(w, await writeSlot(scope, w));
  const ordered = writes.map((w) => {
    const r = results.get(w);
    if (!r) throw new Error('scheduling write not done');
    return r;
  });
  if (ordered.length > 0) {
    await scope.audit(
      ...ordered.map((r) => ({
        event: `agenda.resource.${r.outcome === 'created' ? 'create' : r.outcome === 'updated' ? 'update' : 'resend'}`,
        action: r.outcome === 'created' ? ('C' as const) : ('U' as const),
        resourceType: r.resourceType,
        resourceId: r.id,
      })),
    );
  }
  return ordered;
}

export interface SchedulingVersion {
  id: string;
  logicalId: string;
  version: number;
  lastUpdated: Date;
  resource: Record<string, unknown>;
}

/** The current version of a Schedule or Slot of the client's organisation, by logical id (no history is kept). */
export async function readScheduling(
  scope: DataScope,
  type: SchedulingType,
  logicalId: string,
): Promise<SchedulingVersion | null> {
  const { organisationId } = organisationOf(scope);
  const table = type === 'Schedule' ? 'appointment_schedule' : 'appointment_slot';
  const row = await scope.tx
    .selectFrom(table)
    .select(['id', 'logical_id', 'version', 'updated_at', 'resource'])
    .where('organisation_id', '=', organisationId)
    .where('logical_id', '=', logicalId)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        logicalId: row.logical_id,
        version: row.version,
        lastUpdated: row.updated_at,
        resource: row.resource as Record<string, unknown>,
      }
    : null;
}

export interface SchedulingQuery {
  after: { at: Date; inclusive: boolean } | null;
  before: { at: Date; inclusive: boolean } | null;
  /** Slot.status codes (OR); null = any. */
  statuses: string[] | null;
  /** Slots of one Schedule (its logical id); null = any. */
  schedule: string | null;
  count: number;
  offset: number;
}

/**
 * GET Schedule?… / Slot?… by the organisation's system: what it published, oldest change first (so that it can check
 * its own agenda against Koepel's copy). Audited as one read without a citizen.
 */
export async function searchScheduling(
  scope: DataScope,
  type: SchedulingType,
  q: SchedulingQuery,
): Promise<{ total: number; items: SchedulingVersion[] }> {
  const { organisationId } = organisationOf(scope);
  await scope.audit({ event: 'fhir.provider.search', action: 'R', resourceType: type, resourceId: '-' });
  const table = type === 'Schedule' ? sql.table('appointment_schedule') : sql.table('appointment_slot');
  const slot = type === 'Slot';
  const where = sql`x.organisation_id = ${organisationId}
    and (${q.after?.at ?? null}::timestamptz is null or x.updated_at > ${q.after?.at ?? null}::timestamptz
         or (${q.after?.inclusive ?? false} and x.updated_at = ${q.after?.at ?? null}::timestamptz))
    and (${q.before?.at ?? null}::timestamptz is null or x.updated_at < ${q.before?.at ?? null}::timestamptz
         or (${q.before?.inclusive ?? false} and x.updated_at = ${q.before?.at ?? null}::timestamptz))
    ${slot && q.statuses ? sql`and x.status = any(${q.statuses}::text[])` : sql``}
    ${
      slot && q.schedule !== null
        ? sql`and x.schedule_id in (select h.id from appointment_schedule h
                                   where h.organisation_id = ${organisationId} and h.logical_id = ${q.schedule})`
        : sql``
    }`;
  const counted = await sql<{ n: number }>`select count(*)::int as n from ${table} x where ${where}`.execute(scope.tx);
  const { rows } = await sql<{ id: string; logical_id: string; version: number; updated_at: Date; resource: unknown }>`
    select x.id, x.logical_id, x.version, x.updated_at, x.resource from ${table} x where ${where}
    order by x.updated_at, x.id limit ${q.count} offset ${q.offset}`.execute(scope.tx);
  return {
    total: counted.rows[0]?.n ?? 0,
    items: rows.map((r) => ({
      id: r.id,
      logicalId: r.logical_id,
      version: r.version,
      lastUpdated: r.updated_at,
      resource: r.resource as Record<string, unknown>,
    })),
  };
}
