// The citizen's own appointments made in Koepel, as the pages and the .ics show them. Runs under the citizen's
// principal: row-level security returns only their own rows, and only after the audit record the caller writes.
import { sql } from 'kysely';
import type { DataScope } from '../platform/http/request-context.js';
import { appointmentReason } from './booking.js';

export type AppointmentStatus = 'requested' | 'booked' | 'cancelled' | 'refused';

export interface CitizenAppointment {
  id: string;
  organisationId: string;
  organisationName: string;
  organisationPhone: string | null;
  /** Where: the organisation's address, as the citizen knows it. */
  address: string | null;
  typeId: string;
  typeName: string;
  staffId: string | null;
  /** The staff member, or the published slot's actor (external agenda). */
  staffName: string | null;
  start: Date;
  end: Date;
  status: AppointmentStatus;
  video: boolean;
  reminderMinutes: number | null;
  bookedBy: 'citizen' | 'staff';
  bookedByName: string | null;
  changedBy: 'citizen' | 'staff' | 'system' | null;
  changedByName: string | null;
  /** The latest moment the citizen may still change or cancel it. */
  changeUntil: Date;
  sequence: number;
  createdAt: Date;
  updatedAt: Date;
}

const columns = [
  'a.id',
  'a.organisation_id',
  'o.name as organisation_name',
  'o.phone as organisation_phone',
  'o.street',
  'o.postal_code',
  'o.city',
  'a.type_id',
  't.name as type_name',
  't.cancel_until_hours',
  'a.staff_id',
  'a.staff_name',
  'a.status',
  'a.video',
  'a.reminder_minutes',
  'a.booked_by',
  'a.booked_by_name',
  'a.changed_by',
  'a.changed_by_name',
  'a.sequence',
  'a.created_at',
  'a.updated_at',
] as const;

function base(scope: DataScope, citizenId: string) {
  return scope.tx
    .selectFrom('appointment as a')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .innerJoin('appointment_type as t', 't.id', 'a.type_id')
    .select(columns)
    .select([sql<Date>`lower(a.during)`.as('start'), sql<Date>`upper(a.during)`.as('end')])
    .where('a.citizen_id', '=', citizenId);
}

type Row = Awaited<ReturnType<ReturnType<typeof base>['executeTakeFirstOrThrow']>>;

function toView(r: Row): CitizenAppointment {
  const address = [r.street, [r.postal_code, r.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return {
    id: r.id,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    organisationPhone: r.organisation_phone,
    address: address === '' ? null : address,
    typeId: r.type_id,
    typeName: r.type_name,
    staffId: r.staff_id,
    staffName: r.staff_name,
    start: r.start,
    end: r.end,
    status: r.status,
    video: r.video,
    reminderMinutes: r.reminder_minutes,
    bookedBy: r.booked_by,
    bookedByName: r.booked_by_name,
    changedBy: r.changed_by,
    changedByName: r.changed_by_name,
    changeUntil: new Date(r.start.getTime() - r.cancel_until_hours * 3_600_000),
    sequence: r.sequence,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** All of the citizen's Koepel appointments, soonest first (the caller splits planned and past). */
export async function citizenAppointments(scope: DataScope, citizenId: string): Promise<CitizenAppointment[]> {
  await scope.audit({ event: 'appointment.list', action: 'R', citizenId, resourceType: 'appointment' });
  const rows = await base(scope, citizenId)
    .orderBy(sql`lower(a.during)`)
    .orderBy('a.id')
    .limit(500)
    .execute();
  return rows.map(toView);
}

/**
 * One of the citizen's appointments with its reason, or null (another citizen's id is simply not there). The audit
 * event names what the read is for (the page, the .ics download); `withReason: false` leaves the reason undecrypted.
 */
export async function citizenAppointment(
  scope: DataScope,
  citizenId: string,
  id: string,
  opts: { event?: string; withReason?: boolean } = {},
): Promise<(CitizenAppointment & { reason: string | null }) | null> {
  await scope.audit({
    event: opts.event ?? 'appointment.read',
    action: 'R',
    citizenId,
    resourceType: 'appointment',
    resourceId: id,
  });
  const row = await base(scope, citizenId).where('a.id', '=', id).executeTakeFirst();
  if (!row) return null;
  const view = toView(row);
  if (opts.withReason === false) return { ...view, reason: null };
  return { ...view, reason: await appointmentReason(scope, { id, organisationId: view.organisationId, citizenId }) };
}
