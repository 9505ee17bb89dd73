// What the home page shows of the combined record, kept cheap because every login lands here: the next few
// appointments (found by date in the clear, only those few decrypted) and, per care provider, how many results and
// documents are new since the previous login (a count, nothing decrypted).
import type { Appointment } from 'fhir/r4.js';
import { countsByProvider } from '../dossier/index.js';
import { conceptText, fhirDate, firstConceptText } from '../platform/fhir/display.js';
import type { DataScope } from '../platform/http/request-context.js';
import { readResources } from '../record/index.js';
import { sql } from 'kysely';

export const HOME_APPOINTMENTS = 5;

export interface UpcomingAppointment {
  id: string;
  organisationId: string;
  title: string;
  start: Date;
  with: string | null;
  where: string | null;
  /** An appointment made in Koepel (issue 12): its own page, and whether it still waits for the organisation. */
  booked?: { href: string; requested: boolean };
}

export interface NewSince {
  organisationId: string;
  lab: number;
  documents: number;
}

const NOT_HAPPENING = new Set(['cancelled', 'entered-in-error', 'noshow', 'fulfilled']);

/** The citizen's next appointments (all visible providers), soonest first. The caller has audited. */
export async function upcomingAppointments(scope: DataScope, citizenId: string): Promise<UpcomingAppointment[]> {
  // One query: the next few by their date in the clear, a few spare for cancelled ones (the status is inside the
  // encrypted resource); only these are decrypted.
  const resources = await readResources(
    { tx: scope.tx, keys: scope.keys },
    { citizenId, categories: ['appointments'], upcoming: true, limit: HOME_APPOINTMENTS + 3 },
  );
  const out: UpcomingAppointment[] = [];
  for (const r of resources) {
    const a = r.resource as unknown as Appointment;
    if (NOT_HAPPENING.has(a.status)) continue;
    const start = fhirDate(a.start) ?? r.effectiveAt;
    if (!start) continue;
    const others = (a.participant ?? []).filter(
      (p) => p.actor?.display && !/(^|\/)Patient\//.test(p.actor.reference ?? ''),
    );
    out.push({
      id: r.id,
      organisationId: r.organisationId,
      title: a.description?.trim() || firstConceptText(a.serviceType) || conceptText(a.appointmentType) || '',
      start,
      with: others[0]?.actor?.display ?? null,
      where: others[1]?.actor?.display ?? null,
    });
  }
  // The appointments made in Koepel, beside those the provider systems sent: one list.
  const booked = await scope.tx
    .selectFrom('appointment as a')
    .innerJoin('appointment_type as t', 't.id', 'a.type_id')
    .select(['a.id', 'a.organisation_id', 'a.status', 'a.staff_name', 'a.video', 't.name as type_name'])
    .select(sql<Date>`lower(a.during)`.as('start'))
    .where('a.citizen_id', '=', citizenId)
    .where('a.status', 'in', ['requested', 'booked'])
    .where(sql<boolean>`upper(a.during) > now()`)
    .orderBy(sql`lower(a.during)`)
    .limit(HOME_APPOINTMENTS)
    .execute();
  for (const b of booked) {
    out.push({
      id: b.id,
      organisationId: b.organisation_id,
      title: b.type_name,
      start: b.start,
      with: b.staff_name,
      where: null,
      booked: { href: `/appointments/${b.id}`, requested: b.status === 'requested' },
    });
  }
  return out.sort((x, y) => x.start.getTime() - y.start.getTime()).slice(0, HOME_APPOINTMENTS);
}

/** Results and documents new or changed since `since` (everything when null: the first visit), per provider. */
export async function newSince(scope: DataScope, citizenId: string, since: Date | null): Promise<NewSince[]> {
  const counts = await countsByProvider(scope.tx, citizenId, {
    categories: ['lab', 'documents'],
    ...(since ? { changedSince: since } : {}),
  });
  return [...counts].map(([organisationId, m]) => ({
    organisationId,
    lab: m.get('lab') ?? 0,
    documents: m.get('documents') ?? 0,
  }));
}
