// What "Mijn dossier" reads, always inside req.withData after the audit record about the citizen:
//   - the citizen's care providers in this portal (active relationship) with the categories each makes available
//     to them (the organisation's choice plus what it granted this citizen on request, MG-1/MG-7);
//   - counts per provider and category (no decryption: the overview and the home page stay cheap);
//   - the resources themselves through the record store, which row-level security limits to exactly what the
//     citizen may see.
import { sql } from 'kysely';
import { z } from 'zod';
import { KIND_ORDER } from '../care-providers/index.js';
import type { Tx } from '../platform/db/principal.js';
import type { OrganisationKind, RecordCategory } from '../platform/db/schema.js';
import { HttpError } from '../platform/http/errors.js';
import { RECORD_CATEGORIES, isRecordCategory } from '../record/index.js';

export interface DossierProvider {
  id: string;
  name: string;
  kind: OrganisationKind;
  /** The categories this organisation shows this citizen. */
  categories: ReadonlySet<RecordCategory>;
}

/** The sections of "Mijn dossier", in menu order, each one record category. */
export const SECTIONS = [
  'appointments',
  'lab',
  'vitals',
  'findings',
  'documents',
  'medication',
  'immunisations',
  'episodes',
  'procedures',
  'visits',
  'sensitivities',
  'aids',
  'directives',
  'careplan',
  'payer',
  'careteam',
] as const satisfies readonly RecordCategory[];
export type Section = (typeof SECTIONS)[number];

/** The sections every citizen sees in the menu; the others only when one of their providers shows that category. */
const CORE_SECTIONS: ReadonlySet<Section> = new Set([
  'appointments',
  'lab',
  'documents',
  'medication',
  'episodes',
  'sensitivities',
  'careteam',
]);

/** The sections to list for these providers: the core ones, and the others some provider shows (MG-1, MG-7). */
export function sectionsFor(providers: readonly { categories: ReadonlySet<RecordCategory> }[]): Section[] {
  return SECTIONS.filter((s) => CORE_SECTIONS.has(s) || providers.some((p) => p.categories.has(s)));
}

export function isSection(v: unknown): v is Section {
  return typeof v === 'string' && (SECTIONS as readonly string[]).includes(v);
}

export async function dossierProviders(tx: Tx, citizenId: string, portalId: string): Promise<DossierProvider[]> {
  const rows = await tx
    .selectFrom('care_relationship as r')
    .innerJoin('portal_organisation as po', (j) =>
      j.onRef('po.organisation_id', '=', 'r.organisation_id').on('po.portal_id', '=', portalId),
    )
    .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
    .select([
      'o.id',
      'o.name',
      'o.kind',
      'o.record_categories',
      sql<string[] | null>`(select array_agg(g.category) from record_category_grant g
        where g.organisation_id = o.id and g.citizen_id = r.citizen_id)`.as('granted'),
    ])
    .where('r.citizen_id', '=', citizenId)
    .where('r.started_on', '<=', sql<string>`current_date`)
    .where((eb) => eb.or([eb('r.ended_on', 'is', null), eb('r.ended_on', '>', sql<string>`current_date`)]))
    .execute();
  return rows
    .map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind,
      categories: new Set([...r.record_categories, ...(r.granted ?? [])].filter(isRecordCategory)),
    }))
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name, 'nl'));
}

/** Number of visible resources per organisation and category (row-level security decides what is visible). */
export async function countsByProvider(
  tx: Tx,
  citizenId: string,
  opts: { categories?: readonly RecordCategory[]; changedSince?: Date } = {},
): Promise<Map<string, Map<RecordCategory, number>>> {
  let q = tx
    .selectFrom('record_resource')
    .select(['organisation_id', 'category', (eb) => eb.fn.countAll<number>().as('n')])
    .where('citizen_id', '=', citizenId)
    .where('category', '=', sql<RecordCategory>`any(${sql.val(opts.categories ?? RECORD_CATEGORIES)}::text[])`);
  if (opts.changedSince) q = q.where('updated_at', '>', opts.changedSince);
  const rows = await q.groupBy(['organisation_id', 'category']).execute();
  const out = new Map<string, Map<RecordCategory, number>>();
  for (const r of rows) {
    if (!isRecordCategory(r.category)) continue;
    const m = out.get(r.organisation_id) ?? new Map<RecordCategory, number>();
    m.set(r.category, r.n);
    out.set(r.organisation_id, m);
  }
  return out;
}

// ?org=<uuid> on every dossier page; an empty value means "all providers".
const orgQuery = z.object({ org: z.union([z.literal(''), z.uuid()]).optional() });

/** The organisation filter from the query string: undefined for all; 400 when it is not a uuid. */
export function parseOrgFilter(query: unknown): string | undefined {
  const parsed = orgQuery.safeParse(query ?? {});
  if (!parsed.success) throw new HttpError(400, 'badRequest');
  return parsed.data.org ? parsed.data.org.toLowerCase() : undefined;
}

/** The providers a page covers: all, or the one chosen (404 when it is not one of the citizen's providers). */
export function providersInScope(providers: DossierProvider[], org: string | undefined): DossierProvider[] {
  if (!org) return providers;
  const chosen = providers.filter((p) => p.id === org);
  if (chosen.length === 0) throw new HttpError(404, 'notFound');
  return chosen;
}

const uuidParam = z.uuid();

/** A resource id from the path; anything but a uuid is simply not found. */
export function parseResourceId(v: unknown): string {
  const parsed = uuidParam.safeParse(v);
  if (!parsed.success) throw new HttpError(404, 'notFound');
  return parsed.data.toLowerCase();
}
