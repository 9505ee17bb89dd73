// What can be booked at an organisation: its appointment types and the free times of its agenda, read through
// koepel_agenda_inputs (migration 0023), which gives a citizen who may book there (and the organisation's staff)
// the hours, absences and held times without anyone's appointments, reasons or kinds of absence.
import { sql } from 'kysely';
import type { Tx } from '../platform/db/principal.js';
import { freeTimes, type FreeTime, type StaffInterval, type WeeklyHours } from './slots.js';

export interface AppointmentType {
  id: string;
  organisationId: string;
  name: string;
  code: string | null;
  durationMinutes: number;
  onlineBookable: boolean;
  video: boolean;
  /** Who can do it; empty = every employee with an agenda. */
  staffIds: string[];
  bookingHorizonDays: number;
  minNoticeMinutes: number;
  cancelUntilHours: number;
  active: boolean;
}

export interface AgendaStaff {
  id: string;
  name: string;
}

/** A free slot an organisation's own system published (external agenda). */
export interface PublishedSlot {
  id: string;
  typeId: string | null;
  actor: string | null;
  start: Date;
  end: Date;
}

export interface AgendaInputs {
  staff: AgendaStaff[];
  hours: WeeklyHours[];
  absences: StaffInterval[];
  busy: StaffInterval[];
  slots: PublishedSlot[];
}

const typeColumns = [
  'id',
  'organisation_id',
  'name',
  'code',
  'duration_minutes',
  'online_bookable',
  'video',
  'staff_ids',
  'booking_horizon_days',
  'min_notice_minutes',
  'cancel_until_hours',
  'active',
] as const;

type TypeRow = {
  id: string;
  organisation_id: string;
  name: string;
  code: string | null;
  duration_minutes: number;
  online_bookable: boolean;
  video: boolean;
  staff_ids: string[];
  booking_horizon_days: number;
  min_notice_minutes: number;
  cancel_until_hours: number;
  active: boolean;
};

function toType(r: TypeRow): AppointmentType {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    code: r.code,
    durationMinutes: r.duration_minutes,
    onlineBookable: r.online_bookable,
    video: r.video,
    staffIds: r.staff_ids,
    bookingHorizonDays: r.booking_horizon_days,
    minNoticeMinutes: r.min_notice_minutes,
    cancelUntilHours: r.cancel_until_hours,
    active: r.active,
  };
}

/** An organisation's appointment types, by name; with `bookableOnly`, the active ones citizens may book online. */
export async function appointmentTypes(
  tx: Tx,
  organisationId: string,
  opts: { bookableOnly?: boolean } = {},
): Promise<AppointmentType[]> {
  let q = tx.selectFrom('appointment_type').select(typeColumns).where('organisation_id', '=', organisationId);
  if (opts.bookableOnly) {
    q = q
      .where('active', '=', true)
      .where('online_bookable', '=', true)
      // A video type only where the organisation switched video consults on (MG-1).
      .where((eb) =>
        eb.or([
          eb('video', '=', false),
          eb.exists(
            eb
              .selectFrom('organisation as o')
              .select('o.id')
              .where('o.id', '=', organisationId)
              .where(sql<boolean>`'video-consult' = any(o.functions)`),
          ),
        ]),
      );
  }
  return (await q.orderBy('name').orderBy('id').execute()).map(toType);
}

export async function appointmentType(tx: Tx, organisationId: string, id: string): Promise<AppointmentType | null> {
  const r = await tx
    .selectFrom('appointment_type')
    .select(typeColumns)
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? toType(r) : null;
}

interface RawInputs {
  staff: { id: string; name: string }[];
  availability: { staff: string; weekday: number; start: string; end: string; from: string; until: string | null }[];
  absences: { staff: string; start: string; end: string }[];
  busy: { staff: string; start: string; end: string }[];
  slots: { id: string; type: string | null; actor: string | null; start: string; end: string }[];
}

/**
 * The inputs for free times at an organisation between two instants; null when the caller may not book there
 * (no active care relationship, appointments not offered, not the organisation's staff). `except` leaves one
 * appointment's own time out of the held times, for moving it.
 */
export async function agendaInputs(
  tx: Tx,
  organisationId: string,
  from: Date,
  to: Date,
  except: string | null = null,
): Promise<AgendaInputs | null> {
  const { rows } = await sql<{ inputs: RawInputs | null }>`
    select koepel_agenda_inputs(${organisationId}::uuid, ${from}::timestamptz, ${to}::timestamptz, ${except}::uuid) as inputs
  `.execute(tx);
  const raw = rows[0]?.inputs;
  if (!raw) return null;
  const interval = (i: { staff: string; start: string; end: string }): StaffInterval => ({
    staffId: i.staff,
    start: new Date(i.start),
    end: new Date(i.end),
  });
  return {
    staff: raw.staff,
    hours: raw.availability.map((a) => ({
      staffId: a.staff,
      weekday: a.weekday,
      start: a.start,
      end: a.end,
      from: a.from,
      until: a.until,
    })),
    absences: raw.absences.map(interval),
    busy: raw.busy.map(interval),
    slots: raw.slots.map((s) => ({
      id: s.id,
      typeId: s.type,
      actor: s.actor,
      start: new Date(s.start),
      end: new Date(s.end),
    })),
  };
}

/** The staff members who can do this type: those it names, or all with an agenda. */
export function staffFor(type: AppointmentType, inputs: AgendaInputs): AgendaStaff[] {
  return type.staffIds.length === 0 ? inputs.staff : inputs.staff.filter((s) => type.staffIds.includes(s.id));
}

/** The bookable window for a citizen now: from the type's notice to its horizon. */
export function bookingWindow(type: AppointmentType, now: Date): { from: Date; to: Date } {
  return {
    from: new Date(now.getTime() + type.minNoticeMinutes * 60_000),
    to: new Date(now.getTime() + type.bookingHorizonDays * 86_400_000),
  };
}

/**
 * Free times of one type in [from, to), for one staff member or anyone who can do it. For staff booking on a
 * citizen's behalf the same function is used with a window they choose.
 */
export function freeTimesFor(
  type: AppointmentType,
  inputs: AgendaInputs,
  window: { from: Date; to: Date },
  staffId: string | null,
): FreeTime[] {
  const staff = staffFor(type, inputs).filter((s) => staffId === null || s.id === staffId);
  return freeTimes({
    from: window.from,
    to: window.to,
    durationMinutes: type.durationMinutes,
    staffIds: staff.map((s) => s.id),
    hours: inputs.hours,
    absences: inputs.absences,
    busy: inputs.busy,
  });
}

/** Published free slots of one type (a slot without a type fits every type). */
export function publishedSlotsFor(
  type: AppointmentType,
  inputs: AgendaInputs,
  window: { from: Date; to: Date },
): PublishedSlot[] {
  return inputs.slots.filter(
    (s) =>
      (s.typeId === null || s.typeId === type.id) &&
      s.start.getTime() >= window.from.getTime() &&
      s.end.getTime() <= window.to.getTime(),
  );
}
