// The staff agenda (issue 12, MG-6): a day or a week of one employee's or the whole practice's appointments, with
// absences shown as blocked and the free time in between.
//
// Every read of citizen data is audited first (ZL-1): koepel_agenda_citizens_of (migration 0025) returns only the ids
// of the citizens whose appointments are in the range (of the chosen employee), one audit record per citizen, and
// only then are the appointments, names and birth dates read — without that record row-level security shows none of
// them. Reasons come from appointment_reason, which row-level security shows only to employees with agenda:reasons.
import { sql } from 'kysely';
import { agendaInputs, appointmentReason, type AgendaStaff } from '../appointments/index.js';
import type { BirthDate } from '../identity/index.js';
import { patientsById } from '../patients/index.js';
import type { DataScope } from '../platform/http/request-context.js';
import { freeRanges } from './ranges.js';

export type AbsenceKind = 'holiday' | 'sick' | 'training' | 'other';
export const ABSENCE_KINDS: readonly AbsenceKind[] = ['holiday', 'sick', 'training', 'other'];
export type AppointmentStatus = 'requested' | 'booked' | 'cancelled' | 'refused';

export interface AppointmentEntry {
  kind: 'appointment';
  id: string;
  staffId: string;
  start: Date;
  end: Date;
  citizenId: string;
  /** Null when the citizen is no longer a patient (ended care relationship): the row shows no name. */
  patient: { name: string; birthDate: BirthDate } | null;
  typeName: string;
  status: AppointmentStatus;
  video: boolean;
  bookedBy: 'citizen' | 'staff';
  bookedByName: string | null;
  changedBy: 'citizen' | 'staff' | 'system' | null;
  changedByName: string | null;
  /** Only for employees with agenda:reasons (row-level security), and only when there is one. */
  reason: string | null;
}

export interface AbsenceEntry {
  kind: 'absence';
  staffId: string;
  start: Date;
  end: Date;
  absence: AbsenceKind;
}

export interface FreeEntry {
  kind: 'free';
  staffId: string;
  start: Date;
  end: Date;
}

export type Entry = AppointmentEntry | AbsenceEntry | FreeEntry;

export interface AgendaData {
  /** Everyone with an agenda (weekly hours) or an appointment in the range, by name. */
  staff: AgendaStaff[];
  /** Of the chosen employee (or everyone), by start, then by employee. */
  entries: Entry[];
}

const HOLDS_TIME = new Set<AppointmentStatus>(['requested', 'booked']);

export async function loadAgenda(
  scope: DataScope,
  opts: { organisationId: string; from: Date; to: Date; staffId: string | null; reasons: boolean },
): Promise<AgendaData> {
  const { tx } = scope;
  const { from, to, staffId } = opts;
  const inputs = await agendaInputs(tx, opts.organisationId, from, to);

  // 1. Whose appointments are in the range: ids only. 2. One audit record per citizen. 3. Then the rows.
  const citizens = (
    await sql<{ citizen_id: string }>`
      select citizen_id from koepel_agenda_citizens_of(${from}::timestamptz, ${to}::timestamptz, ${staffId}::uuid)
      order by citizen_id`.execute(tx)
  ).rows.map((r) => r.citizen_id);
  if (citizens.length > 0) {
    await scope.audit(
      ...citizens.map((citizenId) => ({
        event: 'agenda.view',
        action: 'R' as const,
        citizenId,
        resourceType: 'appointment',
      })),
    );
  }
  let q = tx
    .selectFrom('appointment as a')
    .innerJoin('appointment_type as t', 't.id', 'a.type_id')
    .select([
      'a.id',
      'a.organisation_id',
      'a.citizen_id',
      'a.staff_id',
      'a.staff_name',
      'a.status',
      'a.video',
      'a.booked_by',
      'a.booked_by_name',
      'a.changed_by',
      'a.changed_by_name',
      't.name as type_name',
      sql<Date>`lower(a.during)`.as('start'),
      sql<Date>`upper(a.during)`.as('end'),
    ])
    .where('a.organisation_id', '=', opts.organisationId)
    .where('a.staff_id', 'is not', null)
    .where(sql<boolean>`a.during && tstzrange(${from}::timestamptz, ${to}::timestamptz, '[)')`);
  if (staffId !== null) q = q.where('a.staff_id', '=', staffId);
  const rows =
    citizens.length === 0
      ? []
      : await q
          .orderBy(sql`lower(a.during)`)
          .orderBy('a.id')
          .execute();
  const people: Awaited<ReturnType<typeof patientsById>> =
    citizens.length === 0 ? new Map<string, never>() : await patientsById(scope, citizens);

  const entries: Entry[] = [];
  for (const r of rows) {
    const person = people.get(r.citizen_id);
    entries.push({
      kind: 'appointment',
      id: r.id,
      staffId: r.staff_id ?? '',
      start: r.start,
      end: r.end,
      citizenId: r.citizen_id,
      patient: person ? { name: person.name, birthDate: person.birthDate } : null,
      typeName: r.type_name,
      status: r.status,
      video: r.video,
      bookedBy: r.booked_by,
      bookedByName: r.booked_by_name,
      changedBy: r.changed_by,
      changedByName: r.changed_by_name,
      reason: opts.reasons
        ? await appointmentReason(scope, { id: r.id, organisationId: r.organisation_id, citizenId: r.citizen_id })
        : null,
    });
  }

  // Absences with their kind (the organisation's staff read them; citizens never see the kind).
  let absenceQuery = tx
    .selectFrom('staff_absence')
    .select(['staff_id', 'kind', sql<Date>`lower(during)`.as('start'), sql<Date>`upper(during)`.as('end')])
    .where('organisation_id', '=', opts.organisationId)
    .where(sql<boolean>`during && tstzrange(${from}::timestamptz, ${to}::timestamptz, '[)')`);
  if (staffId !== null) absenceQuery = absenceQuery.where('staff_id', '=', staffId);
  const absences = await absenceQuery.execute();
  for (const b of absences) {
    entries.push({ kind: 'absence', staffId: b.staff_id, start: b.start, end: b.end, absence: b.kind });
  }

  // The agenda's staff: those with weekly hours (koepel_agenda_inputs), and anyone else holding an appointment here.
  const staff: AgendaStaff[] = [...(inputs?.staff ?? [])];
  for (const r of rows) {
    if (r.staff_id && !staff.some((s) => s.id === r.staff_id)) staff.push({ id: r.staff_id, name: r.staff_name ?? '' });
  }
  staff.sort((a, b) => a.name.localeCompare(b.name, 'nl') || a.id.localeCompare(b.id));

  if (inputs) {
    const blocked = [
      ...absences.map((b) => ({ staffId: b.staff_id, start: b.start, end: b.end })),
      ...rows
        .filter((r) => HOLDS_TIME.has(r.status) && r.staff_id !== null)
        .map((r) => ({ staffId: r.staff_id ?? '', start: r.start, end: r.end })),
    ];
    for (const s of staff) {
      if (staffId !== null && s.id !== staffId) continue;
      for (const f of freeRanges(s.id, inputs.hours, blocked, from, to)) {
        entries.push({ kind: 'free', staffId: s.id, start: f.start, end: f.end });
      }
    }
  }
  const order = new Map(staff.map((s, i) => [s.id, i]));
  const rank = { absence: 0, appointment: 1, free: 2 } as const;
  entries.sort(
    (a, b) =>
      a.start.getTime() - b.start.getTime() ||
      (order.get(a.staffId) ?? 0) - (order.get(b.staffId) ?? 0) ||
      rank[a.kind] - rank[b.kind],
  );
  return { staff, entries };
}

/** Whom one of the organisation's appointments is about (ids only, migration 0023), or null: before the audit. */
export async function appointmentCitizen(scope: DataScope, id: string): Promise<string | null> {
  const { rows } = await sql<{ c: string | null }>`select koepel_agenda_appointment_citizen(${id}::uuid) as c`.execute(
    scope.tx,
  );
  return rows[0]?.c ?? null;
}

export interface AppointmentDetail extends AppointmentEntry {
  typeId: string;
  staffName: string | null;
  organisationId: string;
  patientNumber: string | null;
}

/** One appointment of the organisation for its staff, after the audit record naming its citizen; null = 404. */
export async function appointmentForStaff(
  scope: DataScope,
  id: string,
  opts: { reasons: boolean; event?: string },
): Promise<AppointmentDetail | null> {
  const citizenId = await appointmentCitizen(scope, id);
  if (!citizenId) return null;
  await scope.audit({
    event: opts.event ?? 'agenda.appointment.view',
    action: 'R',
    citizenId,
    resourceType: 'appointment',
    resourceId: id,
  });
  const r = await scope.tx
    .selectFrom('appointment as a')
    .innerJoin('appointment_type as t', 't.id', 'a.type_id')
    .select([
      'a.id',
      'a.organisation_id',
      'a.citizen_id',
      'a.type_id',
      'a.staff_id',
      'a.staff_name',
      'a.status',
      'a.video',
      'a.booked_by',
      'a.booked_by_name',
      'a.changed_by',
      'a.changed_by_name',
      't.name as type_name',
      sql<Date>`lower(a.during)`.as('start'),
      sql<Date>`upper(a.during)`.as('end'),
    ])
    .where('a.id', '=', id)
    .where('a.citizen_id', '=', citizenId)
    .executeTakeFirst();
  if (!r) return null;
  const person = (await patientsById(scope, [citizenId])).get(citizenId);
  return {
    kind: 'appointment',
    id: r.id,
    organisationId: r.organisation_id,
    staffId: r.staff_id ?? '',
    staffName: r.staff_name,
    typeId: r.type_id,
    start: r.start,
    end: r.end,
    citizenId,
    patient: person ? { name: person.name, birthDate: person.birthDate } : null,
    patientNumber: person?.patientNumber ?? null,
    typeName: r.type_name,
    status: r.status,
    video: r.video,
    bookedBy: r.booked_by,
    bookedByName: r.booked_by_name,
    changedBy: r.changed_by,
    changedByName: r.changed_by_name,
    reason: opts.reasons
      ? await appointmentReason(scope, { id: r.id, organisationId: r.organisation_id, citizenId })
      : null,
  };
}

/** A patient of the organisation, to book for: the relationship first (ids only), then the audit, then the name. */
export async function patientForBooking(
  scope: DataScope,
  citizenId: string,
): Promise<{ citizenId: string; name: string; birthDate: BirthDate; patientNumber: string | null } | null> {
  // care_relationship shows staff their organisation's current relationships without naming anyone (0003).
  const rel = await scope.tx
    .selectFrom('care_relationship')
    .select('citizen_id')
    .where('citizen_id', '=', citizenId)
    .executeTakeFirst();
  if (!rel) return null;
  await scope.audit({
    event: 'agenda.book.patient',
    action: 'R',
    citizenId,
    resourceType: 'citizen',
    resourceId: citizenId,
  });
  const person = (await patientsById(scope, [citizenId])).get(citizenId);
  return person ? { citizenId, ...person } : null;
}
