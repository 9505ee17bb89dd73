// What the citizen's booking pages read, inside the request's transaction, after the audit record: the
// organisations where the citizen may book (an active care relationship, 'appointments' switched on: MG-1), their
// staff and types, and the free times of one week. The database decides again on every read
// (koepel_agenda_inputs returns nothing where the citizen may not book), so a hand-edited URL finds nothing.
import type { Principal } from '../platform/db/principal.js';
import type { OrganisationKind } from '../platform/db/schema.js';
import type { DataScope } from '../platform/http/request-context.js';
import { activeCareProviders } from '../care-providers/index.js';
import {
  agendaInputs,
  appointmentTypes,
  bookingWindow,
  freeTimesFor,
  publishedSlotsFor,
  staffFor,
  type AgendaInputs,
  type AgendaStaff,
  type AppointmentType,
} from './agenda.js';
import { addDays, mondayOf } from './calendar.js';
import { atLocal, localDate, localTime } from './slots.js';

type Citizen = Extract<Principal, { kind: 'citizen' }>;

export interface BookableOrganisation {
  id: string;
  name: string;
  kind: OrganisationKind;
  phone: string | null;
  address: string | null;
  agenda: 'koepel' | 'external';
  outOfHours: { name: string; phone: string | null } | null;
}

/** Every booking page starts here: the audit record comes before the first read of the citizen's data. */
export async function auditBookingView(scope: DataScope, citizen: Citizen, what = 'appointment.book.view') {
  await scope.audit({ event: what, action: 'R', citizenId: citizen.citizenId, resourceType: 'appointment' });
}

/** The citizen's care providers in this portal that offer appointments. */
export async function bookableOrganisations(scope: DataScope, citizen: Citizen): Promise<BookableOrganisation[]> {
  const providers = (await activeCareProviders(scope.tx, citizen.citizenId, citizen.portalId)).filter((p) =>
    p.functions.includes('appointments'),
  );
  if (providers.length === 0) return [];
  const extra = await scope.tx
    .selectFrom('organisation')
    .select(['id', 'agenda', 'out_of_hours_name', 'out_of_hours_phone'])
    .where(
      'id',
      'in',
      providers.map((p) => p.id),
    )
    .execute();
  // Only where something can be booked online now (an organisation may switch the function on before its types).
  const bookable = new Set(
    (
      await scope.tx
        .selectFrom('appointment_type')
        .select('organisation_id')
        .distinct()
        .where(
          'organisation_id',
          'in',
          providers.map((p) => p.id),
        )
        .where('active', '=', true)
        .where('online_bookable', '=', true)
        .execute()
    ).map((r) => r.organisation_id),
  );
  return providers
    .filter((p) => bookable.has(p.id))
    .map((p) => {
      const e = extra.find((x) => x.id === p.id);
      const address = [p.street, [p.postalCode, p.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
      return {
        id: p.id,
        name: p.name,
        kind: p.kind,
        phone: p.phone,
        address: address === '' ? null : address,
        agenda: e?.agenda === 'external' ? 'external' : 'koepel',
        outOfHours: e?.out_of_hours_name ? { name: e.out_of_hours_name, phone: e.out_of_hours_phone } : null,
      };
    });
}

export interface OrganisationOffer {
  organisation: BookableOrganisation;
  types: AppointmentType[];
  /** Staff with an agenda who can do at least one of the types (Koepel agenda; empty for an external one). */
  staff: AgendaStaff[];
}

/**
 * What can be booked at one organisation, or null when the citizen may not book there (not theirs, ended,
 * appointments not offered, nothing bookable online).
 */
export async function organisationOffer(
  scope: DataScope,
  citizen: Citizen,
  organisationId: string,
  now: Date,
): Promise<OrganisationOffer | null> {
  const organisation = (await bookableOrganisations(scope, citizen)).find((o) => o.id === organisationId);
  if (!organisation) return null;
  const inputs = await agendaInputs(scope.tx, organisationId, now, new Date(now.getTime() + 60_000));
  if (!inputs) return null;
  const types = await appointmentTypes(scope.tx, organisationId, { bookableOnly: true });
  if (types.length === 0) return null;
  const able = new Set(types.flatMap((t) => staffFor(t, inputs).map((s) => s.id)));
  const staff = organisation.agenda === 'external' ? [] : inputs.staff.filter((s) => able.has(s.id));
  return { organisation, types, staff };
}

/** The types a staff member (or anyone: null) can do. */
export function typesFor(offer: OrganisationOffer, staffId: string | null): AppointmentType[] {
  if (staffId === null || offer.organisation.agenda === 'external') return offer.types;
  return offer.types.filter((t) => t.staffIds.length === 0 || t.staffIds.includes(staffId));
}

/** One free time as the pages offer it: a local day and time, and for an external agenda the slot. */
export interface Choice {
  day: string;
  time: string;
  start: Date;
  end: Date;
  slotId: string | null;
  /** Who: the published slot's actor (external agenda). */
  actor: string | null;
}

export interface WeekOfTimes {
  monday: string;
  /** Monday of the previous and next weeks that lie within the booking window; null at either end. */
  previous: string | null;
  next: string | null;
  /** Free times per day of this week (Monday first), each day's sorted by time, one per start. */
  days: { date: string; choices: Choice[] }[];
}

function choicesOf(
  type: AppointmentType,
  agenda: 'koepel' | 'external',
  inputs: AgendaInputs,
  window: { from: Date; to: Date },
  staffId: string | null,
  skip: Date | null,
): Choice[] {
  const local = (start: Date, end: Date, slotId: string | null, actor: string | null): Choice => ({
    day: localDate(start),
    time: localTime(start),
    start,
    end,
    slotId,
    actor,
  });
  if (agenda === 'external') {
    return publishedSlotsFor(type, inputs, window)
      .filter((s) => skip === null || s.start.getTime() !== skip.getTime())
      .sort((a, b) => a.start.getTime() - b.start.getTime())
      .map((s) => local(s.start, s.end, s.id, s.actor));
  }
  // "Anyone": one choice per start time (the booking picks whoever is free then). freeTimes orders by start, so
  // a repeated start follows its first; only the choices shown are turned into local dates and times.
  const out: Choice[] = [];
  let last = Number.NaN;
  for (const f of freeTimesFor(type, inputs, window, staffId)) {
    const at = f.start.getTime();
    if (at === last || (skip !== null && at === skip.getTime())) continue;
    last = at;
    out.push(local(f.start, f.end, null, null));
  }
  return out;
}

const later = (a: Date, b: Date) => (a.getTime() > b.getTime() ? a : b);
const earlier = (a: Date, b: Date) => (a.getTime() < b.getTime() ? a : b);

/**
 * The free times of one week (or, without a week, the first week with any), within the type's booking window.
 * `except` leaves the citizen's own appointment out of the held times (moving it) and its own time out of the
 * choices. Null when the citizen may not book there.
 */
export async function weekOfTimes(
  scope: DataScope,
  q: {
    organisationId: string;
    agenda: 'koepel' | 'external';
    type: AppointmentType;
    staffId: string | null;
    week: string | null;
    except?: { id: string; start: Date } | null;
  },
  now: Date,
): Promise<WeekOfTimes | null> {
  const window = bookingWindow(q.type, now);
  const firstMonday = mondayOf(localDate(window.from));
  const lastMonday = mondayOf(localDate(window.to));
  let monday = q.week !== null ? mondayOf(q.week) : firstMonday;
  if (monday < firstMonday) monday = firstMonday;
  if (monday > lastMonday) monday = lastMonday;
  const exceptId = q.except?.id ?? null;
  const skip = q.except?.start ?? null;

  if (q.week === null) {
    // The first week with a free time, read once over the whole window.
    const inputs = await agendaInputs(scope.tx, q.organisationId, window.from, window.to, exceptId);
    if (!inputs) return null;
    const first = choicesOf(q.type, q.agenda, inputs, window, q.staffId, skip)[0];
    if (first) monday = mondayOf(first.day);
  }
  const from = later(window.from, atLocal(monday, '00:00'));
  const to = earlier(window.to, atLocal(addDays(monday, 7), '00:00'));
  const days = [0, 1, 2, 3, 4, 5, 6].map((i) => ({ date: addDays(monday, i), choices: [] as Choice[] }));
  if (to.getTime() > from.getTime()) {
    const inputs = await agendaInputs(scope.tx, q.organisationId, from, to, exceptId);
    if (!inputs) return null;
    for (const c of choicesOf(q.type, q.agenda, inputs, { from, to }, q.staffId, skip)) {
      days.find((d) => d.date === c.day)?.choices.push(c);
    }
  } else if (!(await agendaInputs(scope.tx, q.organisationId, now, now, exceptId))) {
    return null;
  }
  return {
    monday,
    previous: monday > firstMonday ? addDays(monday, -7) : null,
    next: monday < lastMonday ? addDays(monday, 7) : null,
    days,
  };
}

/** The free time a page was asked for, read again now; null when it is (no longer) free. */
export async function findChoice(
  scope: DataScope,
  q: {
    organisationId: string;
    agenda: 'koepel' | 'external';
    type: AppointmentType;
    staffId: string | null;
    day: string;
    time: string | null;
    slotId: string | null;
    except?: { id: string; start: Date } | null;
  },
  now: Date,
): Promise<Choice | null> {
  const window = bookingWindow(q.type, now);
  const from = later(window.from, atLocal(q.day, '00:00'));
  const to = earlier(window.to, atLocal(addDays(q.day, 1), '00:00'));
  if (to.getTime() <= from.getTime()) return null;
  const inputs = await agendaInputs(scope.tx, q.organisationId, from, to, q.except?.id ?? null);
  if (!inputs) return null;
  const choices = choicesOf(q.type, q.agenda, inputs, { from, to }, q.staffId, q.except?.start ?? null);
  return (
    choices.find((c) =>
      q.agenda === 'external' ? c.slotId === q.slotId : c.time === q.time && c.day === q.day && c.slotId === null,
    ) ?? null
  );
}

/**
 * The citizen's booking made with this idempotency key, if any. A double submit that raced the first one past its
 * check is refused by the unique index (as "taken"); the page then finds the first booking and shows that.
 */
export async function bookingByKey(scope: DataScope, citizen: Citizen, key: string): Promise<string | null> {
  await auditBookingView(scope, citizen, 'appointment.read');
  const row = await scope.tx
    .selectFrom('appointment')
    .select('id')
    .where('citizen_id', '=', citizen.citizenId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row?.id ?? null;
}
