// What the medication passport and the current medication overview (MG-8) hold, read under the citizen's own
// principal after the audit record, through the same path as "Mijn dossier": the record store, whose row-level
// security shows only organisations of the citizen's portal with an active relationship, in the categories each
// shows this citizen (MG-1, MG-7). The medication is read the dossier's way (medicationOverview, MP9), the
// sensitivities and particulars too (allergyRow, conditionRows); the Flags (zib Alert, MedicationContraIndication)
// that the dossier does not list yet are read here.
import type { Flag } from 'fhir/r4.js';
import { activeCareProviders, type CareProvider } from '../care-providers/index.js';
import {
  allergyRow,
  conceptWords,
  conditionRows,
  dossierProviders,
  medicationOverview,
  Resolver,
  type AllergyRow,
  type DirectoryEntry,
  type DossierProvider,
  type MedicationLine,
  type MedicationOverview,
} from '../dossier/index.js';
import { birthDateOf, displayName, type BirthDate } from '../identity/index.js';
import { fhirDate } from '../platform/fhir/display.js';
import type { DataScope } from '../platform/http/request-context.js';
import { HttpError } from '../platform/http/errors.js';
import { readResources, type StoredResource } from '../record/index.js';

export interface Person {
  name: string;
  birthDate: BirthDate;
}

export interface Particular {
  organisationId: string;
  kind: 'alert' | 'contraindication' | 'condition';
  text: string;
  since: Date | null;
}

export interface PassportData {
  person: Person;
  providers: CareProvider[];
  medicines: MedicationLine[];
  allergies: AllergyRow[];
  particulars: Particular[];
}

export interface OverviewData {
  person: Person;
  pharmacy: CareProvider;
  overview: MedicationOverview;
  allergies: AllergyRow[];
  particulars: Particular[];
}

type Citizen = { citizenId: string; portalId: string };

export const PASSPORT_EVENT = 'citizen.medication.passport.download';
export const OVERVIEW_EVENT = 'citizen.medication.overview.download';
export const PAGE_EVENT = 'citizen.medication.passport.view';

const INACTIVE_ALLERGY = new Set(['inactive', 'resolved']);
const ACTIVE_CONDITION = new Set(['active', 'recurrence', 'relapse']);
const CONTRAINDICATION = 'http://nictiz.nl/fhir/StructureDefinition/nl-core-MedicationContraIndication';
const CONTRAINDICATION_CATEGORY = '140401000146105';
const FLAG_DETAIL = 'http://hl7.org/fhir/StructureDefinition/flag-detail';

async function person(scope: DataScope, citizenId: string): Promise<Person> {
  const row = await scope.tx
    .selectFrom('citizen')
    .select(['given_names', 'name_prefix', 'family_name', 'birth_date', 'birth_date_precision'])
    .where('id', '=', citizenId)
    .executeTakeFirst();
  if (!row) throw new HttpError(404, 'notFound');
  return { name: displayName(row), birthDate: birthDateOf(row) };
}

/** The directory entries (practitioners, roles, Medication …) of these organisations, for references. */
async function resolverFor(scope: DataScope, resources: StoredResource[]): Promise<Resolver> {
  const orgs = [...new Set(resources.map((r) => r.organisationId))];
  const directory: DirectoryEntry[] =
    orgs.length === 0
      ? []
      : (
          await scope.tx
            .selectFrom('directory_resource')
            .select(['id', 'logical_id', 'organisation_id', 'resource_type', 'resource'])
            .where('organisation_id', 'in', orgs)
            .execute()
        ).map((d) => ({
          id: d.id,
          logicalId: d.logical_id,
          organisationId: d.organisation_id,
          resourceType: d.resource_type,
          resource: d.resource,
        }));
  return new Resolver(resources, directory);
}

const isContraindication = (f: Flag) =>
  (f.meta?.profile ?? []).includes(CONTRAINDICATION) ||
  (f.category ?? []).some((c) => (c.coding ?? []).some((x) => x.code === CONTRAINDICATION_CATEGORY));

/** Active Flags (zib Alert, MedicationContraIndication): the flag's words, else the condition it points to. */
function flagParticulars(resources: StoredResource[], resolver: Resolver): Particular[] {
  const out: Particular[] = [];
  for (const s of resources) {
    if (s.resourceType !== 'Flag') continue;
    const f = s.resource as unknown as Flag;
    if (f.status !== 'active') continue;
    const absent = (f.code.coding ?? []).some((c) => c.system?.endsWith('/data-absent-reason'));
    const detail = (f.extension ?? []).find((e) => e.url === FLAG_DETAIL)?.valueReference;
    const target = detail ? resolver.resolve(s.organisationId, detail, s.resource) : null;
    const text =
      (absent ? null : conceptWords(f.code)) ??
      (target && target.resourceType === 'Condition' ? conceptWords(target.code) : null) ??
      detail?.display ??
      null;
    if (!text) continue;
    out.push({
      organisationId: s.organisationId,
      kind: isContraindication(f) ? 'contraindication' : 'alert',
      text,
      since: fhirDate(f.period?.start) ?? s.effectiveAt,
    });
  }
  return out;
}

/** Allergies that still hold, and the particulars: active Flags and the active "particular" conditions. */
function sensitivities(resources: StoredResource[], resolver: Resolver) {
  const allergies = resources
    .filter((r) => r.resourceType === 'AllergyIntolerance')
    .map(allergyRow)
    .filter((r): r is AllergyRow => r !== null && !INACTIVE_ALLERGY.has(r.status));
  const conditions: Particular[] = conditionRows(resources.filter((r) => r.category === 'sensitivities'))
    .filter((c) => ACTIVE_CONDITION.has(c.status))
    .map((c) => ({ organisationId: c.organisationId, kind: 'condition', text: c.name, since: c.start }));
  return { allergies, particulars: [...flagParticulars(resources, resolver), ...conditions] };
}

const key = (s: string | null) => (s ?? '').toLocaleLowerCase('nl').replace(/\s+/g, ' ').trim();

/**
 * The medicines in use now, one line per medicine and dosage: the GP's agreement, the pharmacy's and the MP9
 * medication use of the same medicine with the same dosage are one line on a passport (the first one's source).
 */
export function currentMedicines(lines: MedicationLine[]): MedicationLine[] {
  const out: MedicationLine[] = [];
  for (const l of lines) {
    const same = out.find((o) => key(o.name) === key(l.name) && (key(o.dosage) === key(l.dosage) || l.dosage === null));
    if (same) continue;
    const replaces = out.findIndex((o) => key(o.name) === key(l.name) && o.dosage === null);
    if (replaces >= 0) out[replaces] = l;
    else out.push(l);
  }
  return out;
}

/** Everything the passport shows (the audit record comes first: the citizen row is readable only after it). */
export async function passportData(scope: DataScope, citizen: Citizen, now: Date): Promise<PassportData> {
  await scope.audit({
    event: PASSPORT_EVENT,
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: 'medication',
  });
  const who = await person(scope, citizen.citizenId);
  const providers = await activeCareProviders(scope.tx, citizen.citizenId, citizen.portalId);
  const resources = await readResources(
    { tx: scope.tx, keys: scope.keys },
    { citizenId: citizen.citizenId, categories: ['medication', 'sensitivities'] },
  );
  const resolver = await resolverFor(scope, resources);
  const overview = medicationOverview(
    resources.filter((r) => r.category === 'medication'),
    now,
    resolver,
  );
  return {
    person: who,
    providers,
    medicines: currentMedicines(overview.current),
    ...sensitivities(resources, resolver),
  };
}

/**
 * The organisations that print a current medication overview for this citizen: they switched the function on
 * (MG-1) and show this citizen their medication (MG-1, MG-7).
 */
export function overviewProviders(providers: CareProvider[], visible: DossierProvider[]): CareProvider[] {
  return providers.filter(
    (p) =>
      p.functions.includes('medication-overview') &&
      visible.some((v) => v.id === p.id && v.categories.has('medication')),
  );
}

export async function offeredOverviews(scope: DataScope, citizen: Citizen): Promise<CareProvider[]> {
  const providers = await activeCareProviders(scope.tx, citizen.citizenId, citizen.portalId);
  const visible = await dossierProviders(scope.tx, citizen.citizenId, citizen.portalId);
  return overviewProviders(providers, visible);
}

/** The overview of one organisation; 404 when it is not one that offers it to this citizen. */
export async function overviewData(
  scope: DataScope,
  citizen: Citizen,
  organisationId: string,
  now: Date,
): Promise<OverviewData> {
  await scope.audit({
    event: OVERVIEW_EVENT,
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: 'medication',
    reason: `org:${organisationId}`,
  });
  const pharmacy = (await offeredOverviews(scope, citizen)).find((p) => p.id === organisationId);
  if (!pharmacy) throw new HttpError(404, 'notFound');
  const who = await person(scope, citizen.citizenId);
  const resources = await readResources(
    { tx: scope.tx, keys: scope.keys },
    { citizenId: citizen.citizenId, categories: ['medication', 'sensitivities'], organisationIds: [organisationId] },
  );
  const resolver = await resolverFor(scope, resources);
  const overview = medicationOverview(
    resources.filter((r) => r.category === 'medication'),
    now,
    resolver,
  );
  return { person: who, pharmacy, overview, ...sensitivities(resources, resolver) };
}
