// The citizen's one list of appointments (MG-6): those made in Koepel (queries.ts) beside those the provider
// systems pushed in (record_resource Appointment, read through the record store the way "Mijn dossier" reads them,
// row-level security deciding which organisations' appointments the citizen may see). Each read audited first.
import type { Principal } from '../platform/db/principal.js';
import type { DataScope } from '../platform/http/request-context.js';
import type { PageContext } from '../platform/web/context.js';
import { activeCareProviders } from '../care-providers/index.js';
import { appointmentView } from '../dossier/index.js';
import { readResources } from '../record/index.js';
import { citizenAppointments, type CitizenAppointment } from './queries.js';

type Citizen = Extract<Principal, { kind: 'citizen' }>;

/** A row of the overview: a Koepel appointment (with its page) or one a provider system sent. */
export type OverviewItem =
  | { source: 'koepel'; start: Date; end: Date; appointment: CitizenAppointment }
  | {
      source: 'system';
      id: string;
      start: Date | null;
      end: Date | null;
      organisationName: string;
      title: string;
      with: string[];
      /** The FHIR Appointment.status. */
      status: string;
    };

const PUSHED_LIMIT = 200;

export async function appointmentOverview(
  ctx: PageContext,
  scope: DataScope,
  citizen: Citizen,
  now: Date,
): Promise<{ planned: OverviewItem[]; past: OverviewItem[] }> {
  const own = await citizenAppointments(scope, citizen.citizenId);
  await scope.audit({
    event: 'citizen.record.view',
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: 'appointments',
  });
  const providers = await activeCareProviders(scope.tx, citizen.citizenId, citizen.portalId);
  const pushed = await readResources(
    { tx: scope.tx, keys: scope.keys },
    { citizenId: citizen.citizenId, categories: ['appointments'], resourceTypes: ['Appointment'], limit: PUSHED_LIMIT },
  );
  const items: OverviewItem[] = [
    ...own.map((a) => ({ source: 'koepel' as const, start: a.start, end: a.end, appointment: a })),
    ...pushed
      .map((r) => appointmentView(ctx, r, []))
      .filter((a) => a.status !== 'entered-in-error')
      .map((a) => ({
        source: 'system' as const,
        id: a.id,
        start: a.start,
        end: a.end,
        organisationName: providers.find((p) => p.id === a.organisationId)?.name ?? '',
        title: a.title,
        with: a.with,
        status: a.status,
      })),
  ];
  const endOf = (i: OverviewItem) => (i.end ?? i.start)?.getTime() ?? 0;
  const startOf = (i: OverviewItem) => i.start?.getTime() ?? 0;
  const planned = items.filter((i) => endOf(i) >= now.getTime()).sort((a, b) => startOf(a) - startOf(b));
  const past = items.filter((i) => endOf(i) < now.getTime()).sort((a, b) => startOf(b) - startOf(a));
  return { planned, past };
}
