// The citizen's FHIR read API, data side. Every function runs in the request's transaction under the citizen
// principal, writes its audit record first (the database hides the citizen's rows until it exists) and leaves
// the choice of what the citizen may see to row-level security: their own rows, of organisations in their portal
// with an active care relationship, in the categories each organisation offers or granted them.
// Few queries per request, whatever the size: $everything is one audit record, one query for the resources,
// one for their attachments, one for organisations and one for referenced practitioners.
import { sql } from 'kysely';
import { readBrpSnapshot } from '../../identity/index.js';
import { compiledOnce } from '../../platform/db/compiled.js';
import type { DataScope } from '../../platform/http/request-context.js';
import {
  listAttachments,
  readAttachment,
  readResourcePage,
  readResources,
  isCitizenRecordType,
  type AttachmentInfo,
  type CitizenRecordType,
  type StoredResource,
} from '../../record/index.js';
import {
  collectReferences,
  directoryKey,
  koepelKey,
  koepelReference,
  organisationResource,
  patientResource,
  presentDirectoryEntry,
  presentResource,
  recordKey,
  referenceSourceKeys,
  relativeReference,
  type DirectoryEntry,
  type Json,
  type OrganisationInfo,
  type PresentContext,
} from './present.js';
import { matchesAll, sortResources, TYPE_PARAMS, type Filter, type ParamDef, type ParsedSearch } from './search.js';

export interface CitizenReader {
  citizenId: string;
  portalId: string;
  /** Reading through a citizen app's access token: a third-party service (BRP secrecy applies, mayDiscloseBrpData). */
  viaApp?: boolean;
  /** The canonical base of Koepel's own definitions in the answers (config fhirCanonicalBase). */
  canonical?: string;
}

import type { DirectoryType } from '../resources.js';
export type { DirectoryType };

/** An entry of a searchset Bundle: a match, or a resource included because a match refers to it. */
export interface BundleItem {
  resource: Json;
  mode: 'match' | 'include';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string): boolean => UUID.test(v);

async function notFound(scope: DataScope, resourceType: string, resourceId: string): Promise<null> {
  await scope.audit({ event: 'fhir.read', action: 'R', outcome: 'failure', resourceType, resourceId });
  return null;
}

// ------------------------------------------------------------------------------------------------------------
// What the presentation needs beside the resources themselves.
// ------------------------------------------------------------------------------------------------------------

async function organisations(scope: DataScope, ids: Iterable<string>): Promise<Map<string, OrganisationInfo>> {
  const list = [...new Set(ids)];
  if (list.length === 0) return new Map();
  const rows = await scope.tx
    .selectFrom('organisation')
    .select(['id', 'name', 'agb_code', 'ura_number', 'phone', 'email', 'website', 'street', 'postal_code', 'city'])
    .where('id', 'in', list)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        name: r.name,
        agbCode: r.agb_code,
        uraNumber: r.ura_number,
        phone: r.phone,
        email: r.email,
        website: r.website,
        street: r.street,
        postalCode: r.postal_code,
        city: r.city,
      },
    ]),
  );
}

const DIRECTORY_COLUMNS = [
  'id',
  'organisation_id',
  'resource_type',
  'source_key',
  'logical_id',
  'updated_at',
  'resource',
] as const;

function chunked<T>(list: T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * The directory entries (practitioners, roles) that the given resources refer to and the citizen may see (row-level
 * security: organisations whose care team the citizen is shown), by the sender's source key and by Koepel id.
 */

/** A row of directory_resource, as the reads select it. */
interface DirectoryRow {
  id: string;
  organisation_id: string;
  resource_type: DirectoryType;
  source_key: string;
  logical_id: string;
  updated_at: Date;
  resource: Json;
}

function directoryEntry(r: DirectoryRow): DirectoryEntry {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    resourceType: r.resource_type,
    sourceKey: r.source_key,
    logicalId: r.logical_id,
    updatedAt: r.updated_at,
    resource: r.resource,
  };
}

async function referencedDirectory(
  scope: DataScope,
  items: { organisationId: string; resource: Json }[],
): Promise<Map<string, DirectoryEntry>> {
  const wanted = new Set<string>();
  const orgs = new Set<string>();
  const keys = new Set<string>();
  const logical = new Set<string>();
  const ids = new Set<string>();
  for (const item of items) {
    for (const ref of collectReferences(item.resource)) {
      const own = koepelReference(ref);
      if (own && !own.record) ids.add(own.id);
      for (const k of referenceSourceKeys(ref)) {
        wanted.add(directoryKey(item.organisationId, k.type, k.sourceKey));
        orgs.add(item.organisationId);
        if (k.sourceKey.startsWith('id|')) logical.add(k.sourceKey.slice(3));
        keys.add(k.sourceKey);
      }
    }
  }
  const out = new Map<string, DirectoryEntry>();
  const add = (r: DirectoryRow) => {
    const entry = directoryEntry(r);
    // By its source key and by its logical id (a reference `Practitioner/{logical id}` names either).
    for (const k of [r.source_key, `id|${r.logical_id}`]) {
      const key = directoryKey(r.organisation_id, r.resource_type, k);
      if (wanted.has(key)) out.set(key, entry);
    }
    if (ids.has(r.id)) out.set(koepelKey(r.resource_type, r.id), entry);
  };
  for (const chunk of chunked([...keys])) {
    const rows = await scope.tx
      .selectFrom('directory_resource')
      .select(DIRECTORY_COLUMNS)
      .where('organisation_id', 'in', [...orgs])
      .where('source_key', 'in', chunk)
      .execute();
    rows.forEach(add);
  }
  for (const chunk of chunked([...logical])) {
    const rows = await scope.tx
      .selectFrom('directory_resource')
      .select(DIRECTORY_COLUMNS)
      .where('organisation_id', 'in', [...orgs])
      .where('logical_id', 'in', chunk)
      .execute();
    rows.forEach(add);
  }
  for (const chunk of chunked([...ids])) {
    (
      await scope.tx.selectFrom('directory_resource').select(DIRECTORY_COLUMNS).where('id', 'in', chunk).execute()
    ).forEach(add);
  }
  return out;
}

/**
 * The record resources the given ones refer to within their own organisation (by logical id, or by Koepel id for
 * data stored before logical ids) that the citizen may see (row-level security), as recordKey() → Koepel id.
 */
async function visibleReferencedRecords(
  scope: DataScope,
  reader: CitizenReader,
  stored: StoredResource[],
): Promise<Map<string, string>> {
  const visible = new Map<string, string>();
  const note = (org: string, type: string, id: string, logicalId: string) => {
    visible.set(recordKey(org, type, logicalId), id);
    visible.set(recordKey(org, type, id), id);
  };
  for (const s of stored) note(s.organisationId, s.resourceType, s.id, s.logicalId);
  const wanted = new Set<string>();
  const orgs = new Set<string>();
  for (const s of stored) {
    for (const ref of collectReferences(s.resource)) {
      const rel = relativeReference(ref);
      if (!rel || !isCitizenRecordType(rel.type)) continue;
      if (visible.has(recordKey(s.organisationId, rel.type, rel.id))) continue;
      wanted.add(rel.id);
      orgs.add(s.organisationId);
    }
  }
  const uuids = [...wanted].filter(isUuid).map((id) => id.toLowerCase());
  const columns = ['id', 'logical_id', 'organisation_id', 'resource_type'] as const;
  for (const chunk of chunked([...wanted])) {
    const rows = await scope.tx
      .selectFrom('record_resource')
      .select(columns)
      .where('citizen_id', '=', reader.citizenId)
      .where('organisation_id', 'in', [...orgs])
      .where('logical_id', 'in', chunk)
      .execute();
    for (const r of rows) note(r.organisation_id, r.resource_type, r.id, r.logical_id);
  }
  for (const chunk of chunked(uuids)) {
    const rows = await scope.tx
      .selectFrom('record_resource')
      .select(columns)
      .where('citizen_id', '=', reader.citizenId)
      .where('organisation_id', 'in', [...orgs])
      .where('id', 'in', chunk)
      .execute();
    for (const r of rows) note(r.organisation_id, r.resource_type, r.id, r.logical_id);
  }
  return visible;
}

async function attachmentsOf(scope: DataScope, stored: StoredResource[]): Promise<Map<string, AttachmentInfo[]>> {
  const ids = stored.filter((s) => s.resourceType === 'DocumentReference').map((s) => s.id);
  const out = new Map<string, AttachmentInfo[]>();
  for (let i = 0; i < ids.length; i += 1000) {
    for (const a of await listAttachments(scope.tx, ids.slice(i, i + 1000))) {
      const list = out.get(a.resourceId) ?? [];
      list.push(a);
      out.set(a.resourceId, list);
    }
  }
  return out;
}

interface Presented {
  resources: Json[];
  /** Organisations and directory entries the resources name, for _include-style inclusion. */
  included: Json[];
}

async function present(
  scope: DataScope,
  base: string,
  reader: CitizenReader,
  stored: StoredResource[],
  extraDirectory: DirectoryEntry[] = [],
): Promise<Presented> {
  // One connection per transaction: queries run one after another.
  const attachments = await attachmentsOf(scope, stored);
  const directory = await referencedDirectory(scope, [...stored, ...extraDirectory]);
  for (const e of extraDirectory) {
    directory.set(directoryKey(e.organisationId, e.resourceType, e.sourceKey), e);
    directory.set(directoryKey(e.organisationId, e.resourceType, `id|${e.logicalId}`), e);
  }
  const visibleRecords = await visibleReferencedRecords(scope, reader, stored);
  const orgs = await organisations(scope, [
    ...stored.map((s) => s.organisationId),
    ...[...directory.values()].map((d) => d.organisationId),
  ]);
  const ctx: PresentContext = {
    base,
    canonical: reader.canonical ?? base,
    citizenId: reader.citizenId,
    organisations: orgs,
    attachments,
    directory,
    visibleRecords,
  };
  const resources = stored.map((s) => presentResource(s, ctx));
  const extraIds = new Set(extraDirectory.map((e) => e.id));
  const entries = [...new Map([...directory.values()].map((d) => [d.id, d])).values()];
  const included = [
    ...[...orgs.values()].map(organisationResource),
    ...entries.filter((d) => !extraIds.has(d.id)).map((d) => presentDirectoryEntry(d, ctx)),
  ];
  return { resources: [...resources, ...extraDirectory.map((d) => presentDirectoryEntry(d, ctx))], included };
}

// ------------------------------------------------------------------------------------------------------------
// Reads
// ------------------------------------------------------------------------------------------------------------

/** The citizen's own Patient resource, from the BRP snapshot Koepel keeps. */
export async function readPatient(scope: DataScope, reader: CitizenReader, id: string): Promise<Json | null> {
  if (id !== reader.citizenId) return notFound(scope, 'Patient', '-');
  await scope.audit({
    event: 'fhir.patient.read',
    action: 'R',
    citizenId: reader.citizenId,
    resourceType: 'Patient',
    resourceId: reader.citizenId,
  });
  return ownPatient(scope, reader);
}

/** Compiled once (src/platform/db/compiled.ts): the Patient read is the API's most frequent request. */
const patientRow = compiledOnce((db, citizenId: string) =>
  db.selectFrom('citizen').select(['brp_ciphertext', 'brp_fetched_at']).where('id', '=', citizenId),
);

async function ownPatient(scope: DataScope, reader: CitizenReader): Promise<Json | null> {
  const [row] = await patientRow(scope.tx, reader.citizenId);
  if (!row) return null;
  const person = await readBrpSnapshot(scope.tx, scope.keys, reader.citizenId, row.brp_ciphertext);
  return patientResource(reader.citizenId, person, row.brp_fetched_at, { forThirdParty: reader.viaApp === true });
}

/** One record resource by its Koepel id, or null when it does not exist or is not the citizen's to see. */
export async function readRecordResource(
  scope: DataScope,
  base: string,
  reader: CitizenReader,
  type: CitizenRecordType,
  id: string,
): Promise<Json | null> {
  if (!isUuid(id)) return notFound(scope, type, '-');
  await scope.audit({
    event: 'fhir.resource.read',
    action: 'R',
    citizenId: reader.citizenId,
    resourceType: type,
    resourceId: id,
  });
  const stored = await readResources(scope, { citizenId: reader.citizenId, ids: [id], resourceTypes: [type] });
  if (stored.length === 0) return notFound(scope, type, id);
  return (await present(scope, base, reader, stored)).resources[0] ?? null;
}

/** A practitioner or role of an organisation whose care team the citizen is shown. Directory data, no citizen's. */
export async function readDirectoryResource(
  scope: DataScope,
  base: string,
  reader: CitizenReader,
  type: DirectoryType,
  id: string,
): Promise<Json | null> {
  if (!isUuid(id)) return notFound(scope, type, '-');
  await scope.audit({ event: 'fhir.directory.read', action: 'R', resourceType: type, resourceId: id });
  const r = await scope.tx
    .selectFrom('directory_resource')
    .select(DIRECTORY_COLUMNS)
    .where('id', '=', id)
    .where('resource_type', '=', type)
    .executeTakeFirst();
  if (!r) return notFound(scope, type, id);
  return (await present(scope, base, reader, [], [directoryEntry(r)])).resources[0] ?? null;
}

/** An organisation of the citizen's portal (directory data). */
export async function readOrganisation(scope: DataScope, reader: CitizenReader, id: string): Promise<Json | null> {
  if (!isUuid(id)) return null;
  const inPortal = await scope.tx
    .selectFrom('portal_organisation')
    .select('organisation_id')
    .where('portal_id', '=', reader.portalId)
    .where('organisation_id', '=', id)
    .executeTakeFirst();
  if (!inPortal) return null;
  const org = (await organisations(scope, [id])).get(id);
  return org ? organisationResource(org) : null;
}

/** A stored attachment of a DocumentReference the citizen may see. */
export async function readBinary(
  scope: DataScope,
  reader: CitizenReader,
  binaryId: string,
): Promise<{ resourceId: string; contentType: string; data: Buffer } | null> {
  const m = /^([0-9a-f-]{36})-(\d{1,3})$/i.exec(binaryId);
  const resourceId = m?.[1];
  if (!m || !resourceId || !isUuid(resourceId)) return notFound(scope, 'Binary', '-');
  await scope.audit({
    event: 'fhir.binary.read',
    action: 'R',
    citizenId: reader.citizenId,
    resourceType: 'Binary',
    resourceId: binaryId,
  });
  const file = await readAttachment(scope, resourceId, Number(m[2]));
  if (!file) return notFound(scope, 'Binary', binaryId);
  return { resourceId, ...file };
}

// ------------------------------------------------------------------------------------------------------------
// Search and $everything
// ------------------------------------------------------------------------------------------------------------

export interface SearchQuery {
  /** The patient searched for; a patient other than the reader matches nothing. Null: the reader. */
  patient: string | null;
  ids: string[] | null;
  count: number;
  offset: number;
  /** The search parameters beyond these (search.ts): filters, _sort and _include. */
  search?: ParsedSearch;
}

export interface SearchResult {
  total: number;
  items: BundleItem[];
}

/** The database's own order is the default `-date`: only another order, or a filter, needs the application. */
const needsApplication = (s: ParsedSearch | undefined): s is ParsedSearch =>
  s !== undefined && (s.filters.length > 0 || (s.sort !== null && !(s.sort.length === 1 && s.sort[0] === '-date')));

/**
 * A lower bound on updated_at that every match of the _lastUpdated filters has (they are ANDed; within one, the
 * values are ORed, so the least of their bounds): lets the database leave out rows before it. Null: no bound.
 */
function updatedSince(filters: readonly Filter[]): Date | null {
  let bound = -Infinity;
  for (const f of filters) {
    if (f.kind !== 'lastUpdated') continue;
    const lows = f.anyOf.map((v) =>
      v.prefix === 'eq' || v.prefix === 'ge'
        ? v.range.lo
        : v.prefix === 'gt' || v.prefix === 'sa'
          ? v.range.hi
          : -Infinity,
    );
    bound = Math.max(bound, Math.min(...lows));
  }
  return Number.isFinite(bound) ? new Date(bound - 1) : null;
}

/** "Type/id" of a presented resource, and the references a presented resource makes under a parameter. */
const keyOf = (r: Json) => `${String(r.resourceType)}/${String(r.id)}`;
function referencesUnder(r: Json, def: ParamDef | undefined): string[] {
  if (def?.kind !== 'reference') return [];
  return def
    .refs(r)
    .map((ref) => (ref as { reference?: unknown } | null)?.reference)
    .filter((v): v is string => typeof v === 'string');
}

/**
 * Resources of one type of the citizen's record, newest first (or by _sort), one page, with what _include asks for.
 *
 * Without filters (or with _id and patient only) the database pages and counts (`count(*) over ()`). Most search
 * parameters look inside the encrypted resource, so with a filter or another order every resource of this type the
 * citizen may see is read and decrypted (rows changed before a _lastUpdated bound are left out by the database),
 * filtered and ordered here, and only the page is presented: `total` is the number of matches and paging is exact.
 * The cost is one fetch and decryption per resource of the type, about 40 µs on PostgreSQL (2,000 Observations:
 * 85–110 ms for a filtered page against 19 ms for an unfiltered one; PGlite about three times slower).
 *
 * What a resource refers to (a Medication, a practitioner, a location) is searched and included as the citizen sees
 * it: after presentation (present.ts) has resolved the references into Koepel's ids, only where the citizen may see
 * the target, and only to a target of the same organisation. So reference parameters and medication.code also
 * present the resources left after the other filters, and _include takes its targets from what the presentation of
 * the page resolved.
 */
export async function searchRecord(
  scope: DataScope,
  base: string,
  reader: CitizenReader,
  type: CitizenRecordType,
  q: SearchQuery,
): Promise<SearchResult> {
  await scope.audit({
    event: 'fhir.search',
    action: 'R',
    citizenId: reader.citizenId,
    resourceType: type,
    reason: `count=${q.count} offset=${q.offset}`,
  });
  if ((q.patient !== null && q.patient !== reader.citizenId) || (q.ids !== null && !q.ids.every(isUuid))) {
    return { total: 0, items: [] };
  }
  const filter = {
    citizenId: reader.citizenId,
    resourceTypes: [type],
    ...(q.ids ? { ids: q.ids.length > 0 ? q.ids : ['00000000-0000-0000-0000-000000000000'] } : {}),
  };
  const defs = TYPE_PARAMS[type];
  let total: number;
  let stored: StoredResource[];
  if (needsApplication(q.search)) {
    const search = q.search;
    const since = updatedSince(search.filters);
    const all = await readResources(scope, { ...filter, ...(since ? { changedSince: since } : {}) });
    const now = Date.now();
    const viaPresentation = (f: Filter) => f.kind === 'reference' || f.kind === 'medication-code';
    let found = all.filter((s) =>
      matchesAll(
        s,
        search.filters.filter((f) => !viaPresentation(f)),
        { now, medicationOf: () => null },
      ),
    );
    const later = search.filters.filter(viaPresentation);
    if (later.length > 0 && found.length > 0) {
      // Presentation rewrites a resource in place: a copy is presented here, the page is presented again below.
      const copies = found.map((x) => ({ ...x, resource: structuredClone(x.resource) }));
      const shown = await present(scope, base, reader, copies);
      const presented = new Map(found.map((s, i) => [s, shown.resources[i]]));
      const directory = new Map(shown.included.map((r) => [keyOf(r), r]));
      const medicationOf = (s: StoredResource): Json | null => {
        const r = presented.get(s);
        const ref = r ? referencesUnder(r, defs.medication).find((v) => v.startsWith('Medication/')) : undefined;
        return ref === undefined ? null : (directory.get(ref) ?? null);
      };
      found = found.filter((s) => matchesAll(s, later, { now, medicationOf, presented: (x) => presented.get(x) }));
    }
    const matches = sortResources(found, search.sort ?? ['-date']);
    total = matches.length;
    stored = matches.slice(q.offset, q.offset + q.count);
  } else {
    if (q.count === 0) return { total: await countResources(scope.tx, filter), items: [] };
    // One statement for the page and the total (`count(*) over ()`), in the store's order (newest first).
    const page = await readResourcePage(scope, { ...filter, limit: q.count, offset: q.offset });
    stored = page.resources;
    // Past the last page there is no row to carry the total: count on its own.
    total = stored.length === 0 && q.offset > 0 ? await countResources(scope.tx, filter) : page.total;
  }
  if (stored.length === 0) return { total, items: [] };
  const include = q.search?.include ?? new Set<string>();
  const presented = await present(scope, base, reader, stored);
  // _include targets: the directory entries (medications, practitioners, roles, organisations, locations) the
  // presentation of the page resolved, as far as the matches name them under that parameter. What presentation did
  // not resolve (not the citizen's to see, or another organisation's) is not named, so it is not included either.
  const wanted = new Set<string>();
  for (const name of include) {
    for (const r of presented.resources) for (const ref of referencesUnder(r, defs[name])) wanted.add(ref);
  }
  const includes = [
    ...new Map(presented.included.filter((r) => wanted.has(keyOf(r))).map((r) => [keyOf(r), r])).values(),
  ];
  const patient = include.has('patient') ? await ownPatient(scope, reader) : null;
  return {
    total,
    items: [
      ...presented.resources.map((resource) => ({ resource, mode: 'match' as const })),
      ...includes.map((resource) => ({ resource, mode: 'include' as const })),
      ...(patient ? [{ resource: patient, mode: 'include' as const }] : []),
    ],
  };
}

/** How many of the citizen's resources match (a search with _count=0, or past its last page). */
async function countResources(
  tx: DataScope['tx'],
  f: { citizenId: string; resourceTypes: CitizenRecordType[]; ids?: readonly string[] },
): Promise<number> {
  let q = tx
    .selectFrom('record_resource')
    .where('citizen_id', '=', f.citizenId)
    .where('resource_type', 'in', f.resourceTypes);
  if (f.ids) q = q.where('id', 'in', f.ids);
  return (await q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirst())?.n ?? 0;
}

/** The reader's own Patient as a search result (GET /fhir/Patient?...). */
export async function searchPatient(scope: DataScope, reader: CitizenReader, q: SearchQuery): Promise<SearchResult> {
  await scope.audit({
    event: 'fhir.search',
    action: 'R',
    citizenId: reader.citizenId,
    resourceType: 'Patient',
  });
  const self =
    (q.patient === null || q.patient === reader.citizenId) && (q.ids === null || q.ids.includes(reader.citizenId));
  if (!self) return { total: 0, items: [] };
  const patient = q.count > 0 && q.offset === 0 ? await ownPatient(scope, reader) : null;
  return { total: 1, items: patient ? [{ resource: patient, mode: 'match' }] : [] };
}

/**
 * Patient/$everything: the Patient first, then every record resource the citizen may see (newest first), then the
 * organisations and practitioners they refer to. One audit record for the whole read.
 */
export async function everything(
  scope: DataScope,
  base: string,
  reader: CitizenReader,
  id: string,
): Promise<BundleItem[] | null> {
  if (id !== reader.citizenId) return notFound(scope, 'Patient', '-');
  await scope.audit({
    event: 'fhir.everything',
    action: 'R',
    citizenId: reader.citizenId,
    resourceType: 'Patient',
    resourceId: reader.citizenId,
  });
  const patient = await ownPatient(scope, reader);
  if (!patient) return null;
  const stored = await readResources(scope, { citizenId: reader.citizenId });
  const { resources, included } = await present(scope, base, reader, stored);
  return [
    { resource: patient, mode: 'match' },
    ...resources.map((resource) => ({ resource, mode: 'match' as const })),
    ...included.map((resource) => ({ resource, mode: 'include' as const })),
  ];
}
