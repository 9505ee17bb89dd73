// A citizen's care providers: the organisations of their portal with which they have an active care relationship.
// Used by the login (no active relationship, no citizen session) and by the home page ("Mijn zorgverleners", MG-3).
// Runs under the citizen's own principal: row-level security shows a citizen only their own relationships.
import { sql, type Kysely } from 'kysely';
import { compiledOnce } from '../platform/db/compiled.js';
import type { Tx } from '../platform/db/principal.js';
import type { DB, OrganisationKind } from '../platform/db/schema.js';

/** The online functions an organisation can offer (organisation.functions), in display order. */
export const ORGANISATION_FUNCTIONS = [
  'appointments',
  'repeat-medication',
  'medication-overview',
  'messages',
  'record',
  'letters',
  'video-consult',
] as const;
export type OrganisationFunction = (typeof ORGANISATION_FUNCTIONS)[number];

export const KIND_ORDER: readonly OrganisationKind[] = [
  'gp',
  'pharmacy',
  'hospital',
  'physiotherapy',
  'neighbourhood_team',
  'municipality',
];

export interface CareProvider {
  id: string;
  name: string;
  kind: OrganisationKind;
  street: string | null;
  postalCode: string | null;
  city: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  functions: OrganisationFunction[];
}

/** Relationships that have started and not ended (an end date is the last day of the relationship's past). */
function activeRelationships(tx: Kysely<DB>, citizenId: string, portalId: string) {
  return tx
    .selectFrom('care_relationship as r')
    .innerJoin('portal_organisation as po', (j) =>
      j.onRef('po.organisation_id', '=', 'r.organisation_id').on('po.portal_id', '=', portalId),
    )
    .where('r.citizen_id', '=', citizenId)
    .where('r.started_on', '<=', sql<string>`current_date`)
    .where((eb) => eb.or([eb('r.ended_on', 'is', null), eb('r.ended_on', '>', sql<string>`current_date`)]));
}

export async function hasActiveCareRelationship(tx: Tx, citizenId: string, portalId: string): Promise<boolean> {
  const row = await activeRelationships(tx, citizenId, portalId).select('r.id').limit(1).executeTakeFirst();
  return row !== undefined;
}

// Built and compiled once (src/platform/db/compiled.ts): it runs on every home page.
const activeCareProviderRows = compiledOnce((db, citizenId: string, portalId: string) =>
  activeRelationships(db, citizenId, portalId)
    .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
    .select([
      'o.id',
      'o.name',
      'o.kind',
      'o.street',
      'o.postal_code',
      'o.city',
      'o.phone',
      'o.email',
      'o.website',
      'o.functions',
    ]),
);

export async function activeCareProviders(tx: Tx, citizenId: string, portalId: string): Promise<CareProvider[]> {
  const rows = await activeCareProviderRows(tx, citizenId, portalId);
  return rows
    .map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind,
      street: r.street,
      postalCode: r.postal_code,
      city: r.city,
      phone: r.phone,
      email: r.email,
      website: r.website,
      functions: ORGANISATION_FUNCTIONS.filter((f) => r.functions.includes(f)),
    }))
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name, 'nl'));
}
