// What an organisation's admin (admin:organisation) sets for its agenda: appointment types, each employee's weekly
// hours and absences, the out-of-hours service and which agenda it uses. Every form is checked whole (zod) before
// anything is written, and each change is one transaction with its audit record, so a refusal leaves nothing behind.
// Row-level security (migration 0023, 0025) limits every write to the own organisation and to admin:organisation;
// the organisation is always the session's, never a form field.
import { sql } from 'kysely';
import { z } from 'zod';
import { atLocal, localDate, localTime } from '../appointments/index.js';
import type { DataScope } from '../platform/http/request-context.js';
import { ABSENCE_KINDS, type AbsenceKind } from './agenda.js';

/** One value or a repeated form field (checkboxes); absent = none. */
const many = z
  .union([z.string().max(64), z.array(z.string().max(64)).max(200)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const whole = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,6}$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const time = z
  .string()
  .trim()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const date = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d && d >= '2000-01-01' && d <= '2100-12-31';
  });
const uuid = z.uuid();

/** The fields of a form that are wrong, by field name; empty when the form is fine. */
export type FieldProblems = string[];

function problems(error: z.ZodError): FieldProblems {
  return [...new Set(error.issues.map((i) => String(i.path[0] ?? 'form')))];
}

export interface Employee {
  id: string;
  name: string;
}

/** The organisation's active employees, by name (for "who can do it" and the hours pages). */
export async function employees(scope: DataScope, organisationId: string): Promise<Employee[]> {
  return (
    await scope.tx
      .selectFrom('membership as m')
      .innerJoin('staff_account as a', 'a.id', 'm.staff_id')
      .select(['a.id', 'a.display_name as name'])
      .where('m.organisation_id', '=', organisationId)
      .where('m.disabled_at', 'is', null)
      .where('a.disabled_at', 'is', null)
      .orderBy('a.display_name')
      .orderBy('a.id')
      .execute()
  ).map((r) => ({ id: r.id, name: r.name }));
}

// ---------------------------------------------------------------------------------------------------------------
// Appointment types
// ---------------------------------------------------------------------------------------------------------------

export const DURATIONS = Array.from({ length: 48 }, (_, i) => (i + 1) * 5);

export const typeForm = z.object({
  name: z.string().trim().min(1).max(80),
  duration: whole(5, 240).refine((n) => n % 5 === 0),
  /** Checkboxes: 'online' (citizens book it themselves) and 'video' (it can be a video consult). */
  features: many,
  staff: many,
  horizon: whole(1, 365),
  notice: whole(0, 10080),
  cancel: whole(0, 336),
});

export interface TypeInput {
  name: string;
  durationMinutes: number;
  onlineBookable: boolean;
  video: boolean;
  staffIds: string[];
  bookingHorizonDays: number;
  minNoticeMinutes: number;
  cancelUntilHours: number;
}

/** Checks a type form; the employees chosen must be the organisation's own. */
export function parseType(
  body: unknown,
  staff: readonly Employee[],
): { ok: true; value: TypeInput } | { ok: false; fields: FieldProblems } {
  const parsed = typeForm.safeParse(body);
  if (!parsed.success) return { ok: false, fields: problems(parsed.error) };
  const v = parsed.data;
  const ids = [...new Set(v.staff)];
  if (!ids.every((id) => staff.some((s) => s.id === id))) return { ok: false, fields: ['staff'] };
  return {
    ok: true,
    value: {
      name: v.name,
      durationMinutes: v.duration,
      onlineBookable: v.features.includes('online'),
      video: v.features.includes('video'),
      staffIds: ids,
      bookingHorizonDays: v.horizon,
      minNoticeMinutes: v.notice,
      cancelUntilHours: v.cancel,
    },
  };
}

/** The database's answer to a second type of the same name. */
export const isDuplicateName = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === '23505';

const typeRow = (v: TypeInput) => ({
  name: v.name,
  duration_minutes: v.durationMinutes,
  online_bookable: v.onlineBookable,
  video: v.video,
  staff_ids: v.staffIds,
  booking_horizon_days: v.bookingHorizonDays,
  min_notice_minutes: v.minNoticeMinutes,
  cancel_until_hours: v.cancelUntilHours,
});

export async function createType(scope: DataScope, organisationId: string, v: TypeInput): Promise<string> {
  const row = await scope.tx
    .insertInto('appointment_type')
    .values({ organisation_id: organisationId, ...typeRow(v) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await scope.audit({ event: 'agenda.type.create', action: 'C', resourceType: 'appointment_type', resourceId: row.id });
  return row.id;
}

/** Changes a type of the own organisation; false when there is none with this id (another organisation's). */
export async function updateType(
  scope: DataScope,
  organisationId: string,
  id: string,
  v: TypeInput | { active: boolean },
): Promise<boolean> {
  const values = 'active' in v ? { active: v.active } : typeRow(v);
  const r = await scope.tx
    .updateTable('appointment_type')
    .set(values)
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  await scope.audit({
    event: 'active' in v ? (v.active ? 'agenda.type.activate' : 'agenda.type.deactivate') : 'agenda.type.update',
    action: 'U',
    resourceType: 'appointment_type',
    resourceId: id,
  });
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Weekly hours and absences
// ---------------------------------------------------------------------------------------------------------------

export interface HoursRow {
  id: string;
  weekday: number;
  start: string;
  end: string;
  from: string;
  until: string | null;
}

export interface AbsenceRow {
  id: string;
  kind: AbsenceKind;
  start: Date;
  end: Date;
}

export async function hoursOf(scope: DataScope, organisationId: string, staffId: string): Promise<HoursRow[]> {
  const rows = await scope.tx
    .selectFrom('staff_availability')
    .select([
      'id',
      'weekday',
      sql<string>`to_char(start_time, 'HH24:MI')`.as('start'),
      sql<string>`to_char(end_time, 'HH24:MI')`.as('end'),
      sql<string>`to_char(valid_from, 'YYYY-MM-DD')`.as('from'),
      sql<string | null>`to_char(valid_until, 'YYYY-MM-DD')`.as('until'),
    ])
    .where('organisation_id', '=', organisationId)
    .where('staff_id', '=', staffId)
    .orderBy('weekday')
    .orderBy('start_time')
    .orderBy('valid_from')
    .orderBy('id')
    .execute();
  return rows;
}

export async function absencesOf(
  scope: DataScope,
  organisationId: string,
  staffId: string,
  since: Date,
): Promise<AbsenceRow[]> {
  return scope.tx
    .selectFrom('staff_absence')
    .select(['id', 'kind', sql<Date>`lower(during)`.as('start'), sql<Date>`upper(during)`.as('end')])
    .where('organisation_id', '=', organisationId)
    .where('staff_id', '=', staffId)
    .where(sql<boolean>`upper(during) > ${since}::timestamptz`)
    .orderBy(sql`lower(during)`)
    .orderBy('id')
    .limit(200)
    .execute();
}

export const hoursForm = z
  .object({
    weekday: whole(1, 7),
    start: time,
    end: time,
    from: date,
    until: z
      .union([z.literal(''), date])
      .optional()
      .default(''),
  })
  .superRefine((v, ctx) => {
    if (v.end <= v.start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'end' });
    if (v.until !== '' && v.until < v.from) ctx.addIssue({ code: 'custom', path: ['until'], message: 'until' });
  });

export type HoursInput = { weekday: number; start: string; end: string; from: string; until: string | null };

export function parseHours(body: unknown): { ok: true; value: HoursInput } | { ok: false; fields: FieldProblems } {
  const parsed = hoursForm.safeParse(body);
  if (!parsed.success) return { ok: false, fields: problems(parsed.error) };
  const v = parsed.data;
  return { ok: true, value: { ...v, until: v.until === '' ? null : v.until } };
}

export const absenceForm = z
  .object({
    kind: z.enum(ABSENCE_KINDS as [AbsenceKind, ...AbsenceKind[]]),
    fromDate: date,
    fromTime: time,
    toDate: date,
    toTime: time,
  })
  .superRefine((v, ctx) => {
    if (`${v.toDate}T${v.toTime}` <= `${v.fromDate}T${v.fromTime}`) {
      ctx.addIssue({ code: 'custom', path: ['toDate'], message: 'order' });
    }
  });

export type AbsenceInput = { kind: AbsenceKind; start: Date; end: Date };

export function parseAbsence(body: unknown): { ok: true; value: AbsenceInput } | { ok: false; fields: FieldProblems } {
  const parsed = absenceForm.safeParse(body);
  if (!parsed.success) return { ok: false, fields: problems(parsed.error) };
  const v = parsed.data;
  const start = atLocal(v.fromDate, v.fromTime);
  const end = atLocal(v.toDate, v.toTime);
  // A wall-clock time that does not exist (the spring clock change) can fold the order: refuse rather than guess.
  if (end.getTime() <= start.getTime()) return { ok: false, fields: ['toDate'] };
  return { ok: true, value: { kind: v.kind, start, end } };
}

/** Is this employee a member of the organisation (the hours pages of another organisation's employee are 404)? */
export async function isEmployee(scope: DataScope, organisationId: string, staffId: string): Promise<Employee | null> {
  if (!uuid.safeParse(staffId).success) return null;
  return (await employees(scope, organisationId)).find((e) => e.id === staffId) ?? null;
}

export async function addHours(scope: DataScope, organisationId: string, staffId: string, v: HoursInput) {
  const row = await scope.tx
    .insertInto('staff_availability')
    .values({
      organisation_id: organisationId,
      staff_id: staffId,
      weekday: v.weekday,
      start_time: v.start,
      end_time: v.end,
      valid_from: v.from,
      valid_until: v.until,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await scope.audit({ event: 'agenda.hours.add', action: 'C', resourceType: 'staff_availability', resourceId: row.id });
}

export async function addAbsence(scope: DataScope, organisationId: string, staffId: string, v: AbsenceInput) {
  const row = await scope.tx
    .insertInto('staff_absence')
    .values({
      organisation_id: organisationId,
      staff_id: staffId,
      kind: v.kind,
      during: sql<string>`tstzrange(${v.start}::timestamptz, ${v.end}::timestamptz, '[)')`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await scope.audit({ event: 'agenda.absence.add', action: 'C', resourceType: 'staff_absence', resourceId: row.id });
}

/** Removes one row of hours or one absence of this employee; false when there is none (another organisation's). */
export async function removeRow(
  scope: DataScope,
  table: 'staff_availability' | 'staff_absence',
  organisationId: string,
  staffId: string,
  id: string,
): Promise<boolean> {
  const r = await scope.tx
    .deleteFrom(table)
    .where('organisation_id', '=', organisationId)
    .where('staff_id', '=', staffId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(r.numDeletedRows) !== 1) return false;
  await scope.audit({
    event: table === 'staff_availability' ? 'agenda.hours.remove' : 'agenda.absence.remove',
    action: 'D',
    resourceType: table,
    resourceId: id,
  });
  return true;
}

/** 'YYYY-MM-DD' and 'HH:MM' of an instant in the Netherlands, for form values. */
export const localParts = (at: Date): { date: string; time: string } => ({ date: localDate(at), time: localTime(at) });

// ---------------------------------------------------------------------------------------------------------------
// The organisation's agenda settings
// ---------------------------------------------------------------------------------------------------------------

export interface AgendaSettings {
  name: string;
  outOfHoursName: string | null;
  outOfHoursPhone: string | null;
  agenda: 'koepel' | 'external';
}

export const settingsForm = z
  .object({
    outOfHoursName: z.string().trim().max(120).optional().default(''),
    // Digits, spaces, and + - ( ): what people write a Dutch or international number with.
    outOfHoursPhone: z
      .string()
      .trim()
      .max(40)
      .regex(/^[0-9+\-() ]*$/)
      .optional()
      .default(''),
    agenda: z.enum(['koepel', 'external']),
  })
  .superRefine((v, ctx) => {
    // A name without a number (or the other way round) helps nobody in an emergency.
    if ((v.outOfHoursName === '') !== (v.outOfHoursPhone === '')) {
      ctx.addIssue({
        code: 'custom',
        path: [v.outOfHoursName === '' ? 'outOfHoursName' : 'outOfHoursPhone'],
        message: 'pair',
      });
    }
    if (v.outOfHoursPhone !== '' && v.outOfHoursPhone.replace(/\D/g, '').length < 3) {
      ctx.addIssue({ code: 'custom', path: ['outOfHoursPhone'], message: 'digits' });
    }
  });

export async function agendaSettings(scope: DataScope, organisationId: string): Promise<AgendaSettings> {
  const r = await scope.tx
    .selectFrom('organisation')
    .select(['name', 'out_of_hours_name', 'out_of_hours_phone', 'agenda'])
    .where('id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return { name: r.name, outOfHoursName: r.out_of_hours_name, outOfHoursPhone: r.out_of_hours_phone, agenda: r.agenda };
}

export function parseSettings(
  body: unknown,
): { ok: true; value: Omit<AgendaSettings, 'name'> } | { ok: false; fields: FieldProblems } {
  const parsed = settingsForm.safeParse(body);
  if (!parsed.success) return { ok: false, fields: problems(parsed.error) };
  const v = parsed.data;
  return {
    ok: true,
    value: {
      outOfHoursName: v.outOfHoursName === '' ? null : v.outOfHoursName,
      outOfHoursPhone: v.outOfHoursPhone === '' ? null : v.outOfHoursPhone,
      agenda: v.agenda,
    },
  };
}

/** Saves the settings; false when row-level security refused (not the own organisation or no admin:organisation). */
export async function saveSettings(
  scope: DataScope,
  organisationId: string,
  v: Omit<AgendaSettings, 'name'>,
): Promise<boolean> {
  await scope.audit({
    event: 'organisation.agenda.update',
    action: 'U',
    resourceType: 'organisation',
    resourceId: organisationId,
    reason: `agenda=${v.agenda}`,
  });
  const r = await scope.tx
    .updateTable('organisation')
    .set({ out_of_hours_name: v.outOfHoursName, out_of_hours_phone: v.outOfHoursPhone, agenda: v.agenda })
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
