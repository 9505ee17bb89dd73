// Booking, moving and cancelling an appointment (MG-6), by the citizen or by staff on the citizen's behalf.
//
// One transaction per action. A refusal is thrown (AppointmentRefused) so that the caller's transaction rolls back
// whole, audit record included: nothing half-written. Two citizens never hold the same time, and the database
// enforces it (migration 0023: an exclusion constraint on staff and time, a unique index on an external slot).
// Before it inserts, a booking takes a transaction-level advisory lock per staff member, in staff-id order, and only
// then re-reads the agenda: concurrent bookings of one staff member queue instead of deadlocking inside the
// constraint check, and the loser gets an immediate "this time was just taken" (docs/notes/issue-12-groundwork.md §1.2).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Principal } from '../platform/db/principal.js';
import type { DataScope } from '../platform/http/request-context.js';
import {
  agendaInputs,
  appointmentType,
  bookingWindow,
  freeTimesFor,
  publishedSlotsFor,
  staffFor,
  type AgendaInputs,
  type AppointmentType,
} from './agenda.js';
import { atLocal, localDate, nextDate } from './slots.js';

export const REASON_MAX = 500;
/** The reminders a citizen can choose, in minutes before the start. */
export const REMINDER_CHOICES = [60, 180, 1440, 2880] as const;

export type Refusal =
  /** No such appointment for this caller (another citizen's, another organisation's): a 404. */
  | 'not-found'
  /** No active care relationship, or the organisation does not offer appointments. */
  | 'not-allowed'
  | 'unknown-type'
  | 'unknown-staff'
  /** The time is (no longer) free: taken by someone else a moment ago, or not in the agenda. */
  | 'taken'
  | 'past'
  | 'horizon'
  | 'reason'
  | 'reminder'
  /** Later than the organisation's rule allows a citizen to change or cancel. */
  | 'too-late'
  /** Cancelled, refused, or past: nothing to change. */
  | 'not-changeable';

export class AppointmentRefused extends Error {
  constructor(readonly reason: Refusal) {
    super(`appointment refused: ${reason}`);
  }
}

const TAKEN_CODES = new Set(['23P01', '23505', '40P01', '40001']);

/** The database's refusals that mean "someone else holds this time". */
export function isTimeTaken(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TAKEN_CODES.has(code);
}

/** A form sends a textarea's line breaks as CRLF; counted and stored as LF (as record requests do). */
function normaliseReason(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

const reasonAad = (id: string, organisationId: string, citizenId: string) =>
  `appointment_reason:${id}:${organisationId}:${citizenId}`;

export interface BookingInput {
  organisationId: string;
  citizenId: string;
  typeId: string;
  /** A staff member, or null for "anyone who can do this type" (Koepel agenda). */
  staffId: string | null;
  /** A published slot (the organisation's own agenda). */
  slotId?: string | null;
  start: Date;
  reason: string;
  reminderMinutes: number | null;
  /** From the form: a resubmission finds the first booking. */
  idempotencyKey: string | null;
}

type Actor = { kind: 'citizen' } | { kind: 'staff'; staffId: string; name: string };

async function actorOf(scope: DataScope, citizenId: string): Promise<Actor> {
  const p: Principal = scope.principal;
  if (p.kind === 'citizen') {
    if (p.citizenId !== citizenId) throw new AppointmentRefused('not-found');
    return { kind: 'citizen' };
  }
  if (p.kind === 'staff') {
    const me = await scope.tx
      .selectFrom('staff_account')
      .select('display_name')
      .where('id', '=', p.staffId)
      .executeTakeFirst();
    return { kind: 'staff', staffId: p.staffId, name: me?.display_name ?? '' };
  }
  throw new AppointmentRefused('not-allowed');
}

/** The local day around an instant, for re-reading the agenda of that day only. */
function dayAround(at: Date): { from: Date; to: Date } {
  const day = localDate(at);
  return { from: atLocal(day, '00:00'), to: atLocal(nextDate(day), '00:00') };
}

/** Refuses a start the caller may not book: in the past, within the notice or beyond the horizon (citizens). */
function checkTime(actor: Actor, type: AppointmentType, start: Date, now: Date): void {
  if (start.getTime() < now.getTime()) throw new AppointmentRefused('past');
  if (actor.kind === 'staff') return;
  const window = bookingWindow(type, now);
  if (start.getTime() < window.from.getTime()) throw new AppointmentRefused('past');
  if (start.getTime() + type.durationMinutes * 60_000 > window.to.getTime()) throw new AppointmentRefused('horizon');
}

async function lockStaff(scope: DataScope, staffId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`appointment:${staffId}`}, 0))`.execute(scope.tx);
}

/** Is `start` a free start of this type for this staff member, read again after the lock? */
async function stillFree(
  scope: DataScope,
  type: AppointmentType,
  staffId: string,
  start: Date,
  except: string | null,
): Promise<{ free: boolean; inputs: AgendaInputs }> {
  const day = dayAround(start);
  const inputs = await agendaInputs(scope.tx, type.organisationId, day.from, day.to, except);
  if (!inputs) throw new AppointmentRefused('not-allowed');
  const free = freeTimesFor(type, inputs, day, staffId).some((f) => f.start.getTime() === start.getTime());
  return { free, inputs };
}

/**
 * The staff member who takes a start: the one asked for, or anyone who can do the type and is free then. Each
 * candidate's advisory lock is taken in staff-id order (the same order in every transaction, so no deadlock), then
 * that day is read again: a booking that committed meanwhile is seen. Throws 'taken' when nobody is free any more.
 */
async function claimStaff(
  scope: DataScope,
  type: AppointmentType,
  start: Date,
  staffId: string | null,
  except: string | null,
): Promise<{ id: string; name: string }> {
  const day = dayAround(start);
  const first = await agendaInputs(scope.tx, type.organisationId, day.from, day.to, except);
  if (!first) throw new AppointmentRefused('not-allowed');
  const able = staffFor(type, first).map((s) => s.id);
  if (staffId !== null && !able.includes(staffId)) throw new AppointmentRefused('unknown-staff');
  const candidates = (staffId !== null ? [staffId] : able)
    .filter((s) => freeTimesFor(type, first, day, s).some((f) => f.start.getTime() === start.getTime()))
    .sort();
  for (const candidate of candidates) {
    await lockStaff(scope, candidate);
    const again = await stillFree(scope, type, candidate, start, except);
    if (again.free) return { id: candidate, name: again.inputs.staff.find((s) => s.id === candidate)?.name ?? '' };
  }
  throw new AppointmentRefused('taken');
}

async function storeReason(scope: DataScope, id: string, organisationId: string, citizenId: string, reason: string) {
  if (reason === '') return;
  const org = { kind: 'organisation' as const, id: organisationId };
  await scope.tx
    .insertInto('appointment_reason')
    .values({
      appointment_id: id,
      organisation_id: organisationId,
      citizen_id: citizenId,
      ciphertext: await scope.keys.encrypt(scope.tx, org, reason, reasonAad(id, organisationId, citizenId)),
    })
    .execute();
}

/** Books an appointment, or throws AppointmentRefused. Returns the id (of the first booking, for a resubmission). */
export async function bookAppointment(
  scope: DataScope,
  input: BookingInput,
  now: Date = new Date(),
): Promise<{ id: string; repeated: boolean }> {
  const actor = await actorOf(scope, input.citizenId);
  const id = randomUUID();
  await scope.audit({
    event: 'appointment.create',
    action: 'C',
    citizenId: input.citizenId,
    resourceType: 'appointment',
    resourceId: id,
  });
  if (input.idempotencyKey) {
    const earlier = await scope.tx
      .selectFrom('appointment')
      .select('id')
      .where('citizen_id', '=', input.citizenId)
      .where('idempotency_key', '=', input.idempotencyKey)
      .executeTakeFirst();
    if (earlier) return { id: earlier.id, repeated: true };
  }
  const type = await appointmentType(scope.tx, input.organisationId, input.typeId);
  if (!type || !type.active || (actor.kind === 'citizen' && !type.onlineBookable)) {
    throw new AppointmentRefused('unknown-type');
  }
  const reason = normaliseReason(input.reason);
  if (reason.length > REASON_MAX) throw new AppointmentRefused('reason');
  if (input.reminderMinutes !== null && !(REMINDER_CHOICES as readonly number[]).includes(input.reminderMinutes)) {
    throw new AppointmentRefused('reminder');
  }
  checkTime(actor, type, input.start, now);
  const org = await scope.tx
    .selectFrom('organisation')
    .select(['agenda', 'functions'])
    .where('id', '=', input.organisationId)
    .executeTakeFirst();
  if (!org) throw new AppointmentRefused('not-allowed');
  // A video consult only where the organisation switched video consults on (MG-1).
  if (type.video && !org.functions.includes('video-consult')) throw new AppointmentRefused('unknown-type');

  const common = {
    id,
    organisation_id: input.organisationId,
    citizen_id: input.citizenId,
    type_id: type.id,
    video: type.video,
    reminder_minutes: input.reminderMinutes,
    booked_by: actor.kind,
    booked_by_staff: actor.kind === 'staff' ? actor.staffId : null,
    booked_by_name: actor.kind === 'staff' ? actor.name : null,
    idempotency_key: input.idempotencyKey,
  };

  try {
    if (org.agenda === 'external') {
      // The organisation's own system decides: the appointment is "aangevraagd" until it confirms (FHIR).
      const day = dayAround(input.start);
      const inputs = await agendaInputs(scope.tx, input.organisationId, day.from, day.to);
      if (!inputs) throw new AppointmentRefused('not-allowed');
      const slot = publishedSlotsFor(type, inputs, day).find((s) => s.id === input.slotId);
      if (!slot || slot.start.getTime() !== input.start.getTime()) throw new AppointmentRefused('taken');
      await scope.tx
        .insertInto('appointment')
        .values({
          ...common,
          slot_id: slot.id,
          staff_name: slot.actor,
          status: 'requested',
          during: sql<string>`tstzrange(${slot.start}::timestamptz, ${slot.end}::timestamptz, '[)')`,
        })
        .execute();
    } else {
      const end = new Date(input.start.getTime() + type.durationMinutes * 60_000);
      const chosen = await claimStaff(scope, type, input.start, input.staffId, null);
      await scope.tx
        .insertInto('appointment')
        .values({
          ...common,
          staff_id: chosen.id,
          staff_name: chosen.name,
          status: 'booked',
          during: sql<string>`tstzrange(${input.start}::timestamptz, ${end}::timestamptz, '[)')`,
        })
        .execute();
    }
  } catch (err) {
    if (isTimeTaken(err)) throw new AppointmentRefused('taken');
    throw err;
  }
  await storeReason(scope, id, input.organisationId, input.citizenId, reason);
  return { id, repeated: false };
}

interface Held {
  id: string;
  organisation_id: string;
  citizen_id: string;
  type_id: string;
  staff_id: string | null;
  slot_id: string | null;
  status: string;
  start: Date;
  end: Date;
}

/** The appointment as the caller may change it, after the audit record that lets them read it. */
async function heldForChange(scope: DataScope, id: string, event: string, now: Date): Promise<Held> {
  const p = scope.principal;
  // Who it is about is known only after reading it: for staff, through the ids-only function, as the agenda does.
  const citizenId =
    p.kind === 'citizen'
      ? p.citizenId
      : ((
          await sql<{
            citizen_id: string;
          }>`select koepel_agenda_appointment_citizen(${id}::uuid) as citizen_id`.execute(scope.tx)
        ).rows[0]?.citizen_id ?? null);
  if (!citizenId) throw new AppointmentRefused('not-found');
  await scope.audit({ event, action: 'U', citizenId, resourceType: 'appointment', resourceId: id });
  const row = await scope.tx
    .selectFrom('appointment')
    .select([
      'id',
      'organisation_id',
      'citizen_id',
      'type_id',
      'staff_id',
      'slot_id',
      'status',
      sql<Date>`lower(during)`.as('start'),
      sql<Date>`upper(during)`.as('end'),
    ])
    .where('id', '=', id)
    .where('citizen_id', '=', citizenId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new AppointmentRefused('not-found');
  if ((row.status !== 'booked' && row.status !== 'requested') || row.end.getTime() <= now.getTime()) {
    throw new AppointmentRefused('not-changeable');
  }
  return row;
}

/** A citizen changes or cancels no later than the type's rule; staff until the appointment is over. */
async function checkRule(scope: DataScope, held: Held, now: Date): Promise<AppointmentType> {
  const type = await appointmentType(scope.tx, held.organisation_id, held.type_id);
  if (!type) throw new AppointmentRefused('not-found');
  if (scope.principal.kind === 'citizen') {
    if (held.start.getTime() - type.cancelUntilHours * 3_600_000 < now.getTime()) {
      throw new AppointmentRefused('too-late');
    }
  }
  return type;
}

async function changedBy(
  scope: DataScope,
): Promise<{ changed_by: 'citizen' | 'staff'; changed_by_name: string | null }> {
  const p = scope.principal;
  if (p.kind === 'staff') {
    const actor = await actorOf(scope, '');
    return { changed_by: 'staff', changed_by_name: actor.kind === 'staff' ? actor.name : null };
  }
  return { changed_by: 'citizen', changed_by_name: null };
}

export async function cancelAppointment(scope: DataScope, id: string, now: Date = new Date()): Promise<void> {
  const held = await heldForChange(scope, id, 'appointment.cancel', now);
  await checkRule(scope, held, now);
  const updated = await scope.tx
    .updateTable('appointment')
    .set({ status: 'cancelled', sequence: sql<number>`sequence + 1`, ...(await changedBy(scope)) })
    .where('id', '=', held.id)
    .executeTakeFirst();
  // The citizen's update policy also asks for a current care relationship: no row is the same as not found.
  if (Number(updated.numUpdatedRows) !== 1) throw new AppointmentRefused('not-found');
}

/** Moves an appointment of a Koepel agenda to another free time (and staff member, or anyone). */
export async function moveAppointment(
  scope: DataScope,
  id: string,
  to: { start: Date; staffId: string | null },
  now: Date = new Date(),
): Promise<void> {
  const held = await heldForChange(scope, id, 'appointment.move', now);
  const type = await checkRule(scope, held, now);
  // A published slot belongs to the organisation's own system: cancel and book another one instead.
  if (held.slot_id !== null || held.staff_id === null) throw new AppointmentRefused('not-changeable');
  const actor: Actor =
    scope.principal.kind === 'citizen' ? { kind: 'citizen' } : { kind: 'staff', staffId: '', name: '' };
  checkTime(actor, type, to.start, now);
  const chosen = await claimStaff(scope, type, to.start, to.staffId, held.id);
  const end = new Date(to.start.getTime() + type.durationMinutes * 60_000);
  try {
    await scope.tx
      .updateTable('appointment')
      .set({
        staff_id: chosen.id,
        staff_name: chosen.name,
        during: sql<string>`tstzrange(${to.start}::timestamptz, ${end}::timestamptz, '[)')`,
        sequence: sql<number>`sequence + 1`,
        ...(await changedBy(scope)),
      })
      .where('id', '=', held.id)
      .execute();
  } catch (err) {
    if (isTimeTaken(err)) throw new AppointmentRefused('taken');
    throw err;
  }
}

/** The citizen's reminder choice (delivered by the notifications work): null = none. */
export async function setReminder(scope: DataScope, id: string, minutes: number | null): Promise<void> {
  const p = scope.principal;
  if (p.kind !== 'citizen') throw new AppointmentRefused('not-found');
  if (minutes !== null && !(REMINDER_CHOICES as readonly number[]).includes(minutes)) {
    throw new AppointmentRefused('reminder');
  }
  await scope.audit({
    event: 'appointment.reminder',
    action: 'U',
    citizenId: p.citizenId,
    resourceType: 'appointment',
    resourceId: id,
  });
  const updated = await scope.tx
    .updateTable('appointment')
    .set({ reminder_minutes: minutes })
    .where('id', '=', id)
    .where('citizen_id', '=', p.citizenId)
    .where('status', 'in', ['requested', 'booked'])
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new AppointmentRefused('not-found');
}

/** The reason as its writer and those with the right read it; null when there is none or the caller may not. */
export async function appointmentReason(
  scope: DataScope,
  appointment: { id: string; organisationId: string; citizenId: string },
): Promise<string | null> {
  const row = await scope.tx
    .selectFrom('appointment_reason')
    .select('ciphertext')
    .where('appointment_id', '=', appointment.id)
    .executeTakeFirst();
  if (!row) return null;
  return scope.keys.decrypt(
    scope.tx,
    { kind: 'organisation', id: appointment.organisationId },
    row.ciphertext,
    reasonAad(appointment.id, appointment.organisationId, appointment.citizenId),
  );
}
