// Who may enter a video room: the citizen of the appointment (citizen session) and the staff member the appointment
// is with (staff session), while the appointment is booked, a video consult, and within its window. Everyone else —
// another citizen, another employee of the same organisation, an app, an API client, nobody logged in — gets
// nothing, and the same nothing for an appointment that does not exist.
//
// Reading the appointment is reading citizen data: the audit record comes first (row-level security shows the row
// only after it). A refused attempt rolls its transaction back, record and all, and is then recorded as denied.
import { sql } from 'kysely';
import type { AuditEvent } from '../platform/audit/audit.js';
import type { Principal } from '../platform/db/principal.js';
import type { DataScope } from '../platform/db/scope.js';
import { canJoinNow } from './window.js';

export type Participant = 'citizen' | 'staff';

export interface Room {
  appointmentId: string;
  citizenId: string;
  organisationId: string;
  organisationName: string;
  staffId: string;
  /** The staff member's name as the appointment shows it to the citizen. */
  staffName: string | null;
  start: Date;
  end: Date;
  /** Who this visitor is in the room. */
  role: Participant;
  /** The participant key in the room: one socket per participant. */
  participantId: string;
}

/** A refusal: thrown inside the transaction so that the audit record of the attempt is rolled back with it. */
export class RoomRefused extends Error {
  constructor(readonly citizenId: string | null) {
    super('room refused');
  }
}

type Event = Pick<AuditEvent, 'event' | 'action'>;

/** The citizen whose appointment it is, as far as this principal may learn it before any audit record. */
async function citizenOf(scope: DataScope, principal: Principal, appointmentId: string): Promise<string | null> {
  if (principal.kind === 'citizen' && principal.app === undefined) return principal.citizenId;
  if (principal.kind !== 'staff') return null;
  // Only the staff member the appointment is with learns whose it is (migrations/0026_video_consult.sql).
  const { rows } = await sql<{
    c: string | null;
  }>`select koepel_video_appointment_citizen(${appointmentId}::uuid) as c`.execute(scope.tx);
  return rows[0]?.c ?? null;
}

/**
 * The room, audited as `event`, or a RoomRefused thrown (roll the transaction back, then record the denial with
 * recordDenied). `now` is the moment the window is checked against.
 */
export async function enterRoom(
  scope: DataScope,
  principal: Principal,
  appointmentId: string,
  now: Date,
  event: Event,
): Promise<Room> {
  const citizenId = await citizenOf(scope, principal, appointmentId);
  if (!citizenId || (principal.kind !== 'citizen' && principal.kind !== 'staff')) throw new RoomRefused(null);
  await scope.audit({ ...event, citizenId, resourceType: 'appointment', resourceId: appointmentId });
  const row = await scope.tx
    .selectFrom('appointment as p')
    .innerJoin('organisation as o', 'o.id', 'p.organisation_id')
    .select([
      'p.id',
      'p.citizen_id',
      'p.organisation_id',
      'p.staff_id',
      'p.staff_name',
      'p.status',
      'p.video',
      'o.name as organisation_name',
      'o.functions',
      sql<Date>`lower(p.during)`.as('starts_at'),
      sql<Date>`upper(p.during)`.as('ends_at'),
    ])
    .where('p.id', '=', appointmentId)
    .executeTakeFirst();
  if (!row || row.citizen_id !== citizenId || !row.staff_id) throw new RoomRefused(citizenId);
  const mine =
    principal.kind === 'citizen'
      ? row.citizen_id === principal.citizenId
      : row.staff_id === principal.staffId && row.organisation_id === principal.organisationId;
  const start = new Date(row.starts_at);
  const end = new Date(row.ends_at);
  // Only where the organisation offers video consults (MG-1): switching it off closes the rooms too.
  const offered = row.functions.includes('video-consult');
  if (!mine || !offered || !canJoinNow({ status: row.status, video: row.video, start, end }, now)) {
    throw new RoomRefused(citizenId);
  }
  return {
    appointmentId: row.id,
    citizenId: row.citizen_id,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    staffId: row.staff_id,
    staffName: row.staff_name,
    start,
    end,
    role: principal.kind,
    participantId: principal.kind === 'citizen' ? `citizen:${principal.citizenId}` : `staff:${principal.staffId}`,
  };
}

/** Records a refused attempt (after its own transaction was rolled back): about the citizen when that is known. */
export async function recordDenied(
  scope: DataScope,
  appointmentId: string,
  citizenId: string | null,
  event: Event,
): Promise<void> {
  await scope.audit({
    ...event,
    outcome: 'denied',
    citizenId,
    resourceType: 'appointment',
    resourceId: appointmentId,
  });
}
