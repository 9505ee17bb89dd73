// Storage of the combined record: FHIR resources an organisation holds about a citizen, encrypted under the
// organisation's data key. Every capability that writes or reads record data goes through here.
//
// Writing (API clients only — the database refuses anyone else): one call stores a batch of resources for one
// organisation. Re-sending a resource with the same source identifier updates it (a new version) or, when nothing
// changed, leaves it alone: it never duplicates. Every write is audited, and each change a citizen should hear
// about becomes a row in record_event (codes only, no medical content; made by a trigger in the database).
//
// Reading: row-level security decides what the principal sees (own organisation for staff and clients, the
// organisation's chosen categories for citizens). It also demands an audit record about the citizen earlier in
// the same transaction: audit first, then read.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { KeyHandle, KeyStore } from '../platform/crypto/keys.js';
import type { DataScope } from '../platform/http/request-context.js';
import type { Tx } from '../platform/db/principal.js';
import type { RecordCategory, RecordResourceType } from '../platform/db/schema.js';
import { categorise, effectiveAt } from './categories.js';

/** A FHIR resource as Koepel stores it: plain JSON with its resourceType. */
export type FhirJson = { resourceType: RecordResourceType } & Record<string, unknown>;

export interface ResourceWrite {
  citizenId: string;
  resourceType: RecordResourceType;
  /** The sender's identifier: `${system}|${value}` of its first identifier, or `id|${logical id}`. */
  sourceKey: string;
  /**
   * The id the sender named it by (PUT {type}/{id}, resource.id in a Bundle), or null: then an existing resource
   * keeps its id and a new one gets an id from Koepel (the row id; for a Patient the citizen's id).
   */
  logicalId?: string | null;
  /** The validated resource to store (attachment data removed; see attachments). */
  resource: FhirJson;
  /** DocumentReference content, stored encrypted beside the resource; position = index in `content`. */
  attachments?: { position: number; contentType: string; data: Buffer }[];
}

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

export interface WriteResult {
  id: string;
  /** The id in the sender's id space (see ResourceWrite.logicalId). */
  logicalId: string;
  citizenId: string;
  resourceType: RecordResourceType;
  sourceKey: string;
  outcome: WriteOutcome;
  version: number;
}

export interface StoredResource {
  id: string;
  /** The id in the sending organisation's id space (the id it sent, or one Koepel assigned). */
  logicalId: string;
  organisationId: string;
  citizenId: string;
  resourceType: RecordResourceType;
  category: RecordCategory | 'patient';
  effectiveAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  resource: FhirJson;
}

export interface AttachmentInfo {
  resourceId: string;
  position: number;
  contentType: string;
  byteSize: number;
}

// The ciphertext is bound to its row: moving it to another row, citizen or organisation fails to decrypt.
const resourceAad = (id: string, organisationId: string, citizenId: string) =>
  `record_resource:${id}:${organisationId}:${citizenId}`;
const attachmentAad = (resourceId: string, position: number, organisationId: string, citizenId: string) =>
  `record_attachment:${resourceId}:${position}:${organisationId}:${citizenId}`;

/**
 * Stores a batch of resources for the client's organisation, in the caller's transaction (all or nothing).
 * The caller has matched every citizen (koepel_match_patient) and validated every resource.
 */
export async function writeResources(scope: DataScope, writes: ResourceWrite[]): Promise<WriteResult[]> {
  const { tx, principal } = scope;
  if (principal.kind !== 'client') throw new Error('only an API client writes record resources');
  if (writes.length === 0) return [];
  const organisationId = principal.organisationId;

  // 1. The client identified these citizens by BSN: that is an access to their data, and it lets this
  //    transaction see their existing rows.
  const citizens = [...new Set(writes.map((w) => w.citizenId))];
  await scope.audit(
    ...citizens.map((citizenId) => ({
      event: 'record.patient.match',
      action: 'E' as const,
      citizenId,
      resourceType: 'Patient',
    })),
  );

  // 2. Which of them exist already: by source identifier, by the logical id the sender named, and for a Patient by
  //    its citizen (one Patient per organisation and citizen). One statement text whatever the batch size: its plan
  //    is kept, and it is always a probe of a unique index per write. (A list of OR terms was planned anew for every
  //    size, and a kept plan could turn into a scan of the organisation's rows.) Deleted rows are found too: a
  //    re-send revives them.
  const bySource = new Map<string, Existing>();
  const byLogical = new Map<string, Existing>();
  const patientOf = new Map<string, Existing>();
  const keyOf = (type: string, k: string) => `${type}\u0000${k}`;
  const remember = (r: ExistingRow) => {
    const e: Existing = {
      id: r.id,
      citizenId: r.citizen_id,
      sourceKey: r.source_key,
      logicalId: r.logical_id,
      mac: Buffer.from(r.content_mac),
      version: r.version,
      deleted: r.deleted,
    };
    bySource.set(keyOf(r.resource_type, r.source_key), e);
    byLogical.set(keyOf(r.resource_type, r.logical_id), e);
    if (r.resource_type === 'Patient') patientOf.set(r.citizen_id, e);
  };
  const columns = sql`r.id, r.citizen_id, r.resource_type, r.source_key, r.logical_id, r.content_mac, r.version,
    r.deleted_at is not null as deleted`;
  // The citizens' Patients ride along with the first chunk's statement (one round trip per Bundle, as before).
  const patients = [...new Set(writes.filter((w) => w.resourceType === 'Patient').map((w) => w.citizenId))];
  for (const [n, chunk] of chunks(writes, 1000).entries()) {
    const { rows } = await sql<ExistingRow>`select ${columns}
       from unnest(${chunk.map((w) => w.resourceType)}::text[], ${chunk.map((w) => w.sourceKey)}::text[]) as k(t, s)
       join record_resource r
         on r.organisation_id = ${organisationId} and r.resource_type = k.t and r.source_key = k.s
       union all
       select ${columns} from record_resource r
       where r.organisation_id = ${organisationId} and r.resource_type = 'Patient'
         and r.citizen_id = any(${n === 0 ? patients : []}::uuid[])`.execute(tx);
    rows.forEach(remember);
  }
  const named = writes.filter((w) => w.logicalId);
  for (const chunk of chunks(named, 1000)) {
    const { rows } = await sql<ExistingRow>`select ${columns}
       from unnest(${chunk.map((w) => w.resourceType)}::text[], ${chunk.map((w) => w.logicalId ?? '')}::text[]) as k(t, l)
       join record_resource r
         on r.organisation_id = ${organisationId} and r.resource_type = k.t and r.logical_id = k.l`.execute(tx);
    rows.forEach(remember);
  }

  const key: KeyHandle = await scope.keys.handle(tx, { kind: 'organisation', id: organisationId });
  const results: WriteResult[] = [];
  const inserts: { id: string; logicalId: string; w: ResourceWrite; json: Buffer; mac: Buffer }[] = [];
  const updates: {
    id: string;
    logicalId: string;
    citizenId: string;
    w: ResourceWrite;
    json: Buffer;
    mac: Buffer;
    version: number;
  }[] = [];
  const seen = new Set<string>();

  for (const w of writes) {
    const k = keyOf(w.resourceType, w.sourceKey);
    if (seen.has(k)) throw new RecordWriteError('duplicate', w, 'the same resource appears twice in one request');
    seen.add(k);
    if (w.logicalId) {
      const l = keyOf(w.resourceType, `\u0001${w.logicalId}`);
      if (seen.has(l)) throw new RecordWriteError('duplicate', w, 'the same resource appears twice in one request');
      seen.add(l);
    }
    const json = Buffer.from(JSON.stringify(w.resource), 'utf8');
    const attachmentMacs = (w.attachments ?? []).map((a) => key.mac(a.data).toString('hex')).join(',');
    const mac = key.mac(Buffer.concat([json, Buffer.from(`\u0000${attachmentMacs}`, 'utf8')]));
    const found = resolveExisting(w, bySource, byLogical, patientOf, keyOf);
    if (found && found.citizenId !== w.citizenId) {
      throw new RecordWriteError(
        'other-patient',
        w,
        'this identifier already belongs to a resource of another patient',
      );
    }
    const logicalId = w.logicalId ?? found?.logicalId ?? null;
    if (
      found &&
      found.mac.equals(mac) &&
      !found.deleted &&
      found.logicalId === logicalId &&
      found.sourceKey === w.sourceKey
    ) {
      results.push(result(found.id, found.logicalId, w, 'unchanged', found.version));
      continue;
    }
    if (found) {
      const l = logicalId ?? found.logicalId;
      updates.push({ id: found.id, logicalId: l, citizenId: w.citizenId, w, json, mac, version: found.version + 1 });
      results.push(result(found.id, l, w, 'updated', found.version + 1));
      continue;
    }
    const id = randomUUID();
    const l = logicalId ?? (w.resourceType === 'Patient' ? w.citizenId : id);
    inserts.push({ id, logicalId: l, w, json, mac });
    results.push(result(id, l, w, 'created', 1));
  }

  // 3. One audit record per resource written (before the write: the database checks it).
  await scope.audit(
    ...results.map((r) => ({
      event: `record.${r.resourceType === 'Patient' ? 'patient' : 'resource'}.${r.outcome === 'created' ? 'create' : r.outcome === 'updated' ? 'update' : 'resend'}`,
      action: r.outcome === 'created' ? ('C' as const) : ('U' as const),
      citizenId: r.citizenId,
      resourceType: r.resourceType,
      resourceId: r.id,
    })),
  );

  // 4. The rows.
  const rowOf = (id: string, logicalId: string, w: ResourceWrite, json: Buffer, mac: Buffer) => ({
    id,
    logical_id: logicalId,
    organisation_id: organisationId,
    citizen_id: w.citizenId,
    resource_type: w.resourceType,
    category: categorise(w.resource),
    source_key: w.sourceKey,
    effective_at: effectiveAt(w.resource),
    content_mac: mac,
    ciphertext: key.seal(json, resourceAad(id, organisationId, w.citizenId)),
    written_by: principal.clientId,
  });
  const insertRows = inserts.map((i) => rowOf(i.id, i.logicalId, i.w, i.json, i.mac));
  for (const chunk of chunks(insertRows, 200)) await tx.insertInto('record_resource').values(chunk).execute();
  for (const u of updates) {
    const row = rowOf(u.id, u.logicalId, u.w, u.json, u.mac);
    await tx
      .updateTable('record_resource')
      .set({
        logical_id: row.logical_id,
        source_key: row.source_key,
        deleted_at: null,
        category: row.category,
        effective_at: row.effective_at,
        content_mac: row.content_mac,
        ciphertext: row.ciphertext,
        version: u.version,
        written_by: row.written_by,
        updated_at: new Date(),
      })
      .where('id', '=', u.id)
      .execute();
  }

  // 5. Attachments of new and changed DocumentReferences. A changed one that now has fewer loses the rest.
  for (const u of updates) {
    if (u.w.resourceType !== 'DocumentReference') continue;
    const kept = new Set((u.w.attachments ?? []).map((a) => a.position));
    await tx
      .deleteFrom('record_attachment')
      .where('resource_id', '=', u.id)
      .$if(kept.size > 0, (q) => q.where('position', 'not in', [...kept]))
      .execute();
  }
  const attachmentRows = [
    ...inserts.map((i) => ({ id: i.id, w: i.w })),
    ...updates.map((u) => ({ id: u.id, w: u.w })),
  ].flatMap(({ id, w }) =>
    (w.attachments ?? []).map((a) => ({
      resource_id: id,
      organisation_id: organisationId,
      citizen_id: w.citizenId,
      position: a.position,
      content_type: a.contentType,
      byte_size: a.data.length,
      ciphertext: key.seal(a.data, attachmentAad(id, a.position, organisationId, w.citizenId)),
    })),
  );
  for (const chunk of chunks(attachmentRows, 20)) {
    await tx
      .insertInto('record_attachment')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['resource_id', 'position']).doUpdateSet((eb) => ({
          content_type: eb.ref('excluded.content_type'),
          byte_size: eb.ref('excluded.byte_size'),
          ciphertext: eb.ref('excluded.ciphertext'),
        })),
      )
      .execute();
  }

  // 6. Events for the citizen's notifications: the database makes them from the rows just written (a trigger,
  //    migrations/0010_ingest_speed.sql), so none can be left out or made up here.

  return results;
}

interface ExistingRow {
  id: string;
  citizen_id: string;
  resource_type: string;
  source_key: string;
  logical_id: string;
  content_mac: Buffer;
  version: number;
  deleted: boolean;
}

interface Existing {
  id: string;
  citizenId: string;
  sourceKey: string;
  logicalId: string;
  mac: Buffer;
  version: number;
  deleted: boolean;
}

function result(id: string, logicalId: string, w: ResourceWrite, outcome: WriteOutcome, version: number): WriteResult {
  return {
    id,
    logicalId,
    citizenId: w.citizenId,
    resourceType: w.resourceType,
    sourceKey: w.sourceKey,
    outcome,
    version,
  };
}

/** An id Koepel assigned (not one the sender named): the row id, or for a Patient its citizen's id. */
const assignedId = (e: Existing, type: string) => e.logicalId === (type === 'Patient' ? e.citizenId : e.id);

/**
 * Which stored resource a write is about. The logical id the sender names wins: it is how the sender will read and
 * update it. Without one, a Patient is its citizen's Patient, anything else the resource with the same source key.
 * A resource found by identifier (or citizen) under an id Koepel assigned takes the id the sender now names; under
 * another id the sender named, the write is refused: one resource cannot have two ids, nor one identifier two
 * resources.
 */
function resolveExisting(
  w: ResourceWrite,
  bySource: Map<string, Existing>,
  byLogical: Map<string, Existing>,
  patientOf: Map<string, Existing>,
  keyOf: (type: string, k: string) => string,
): Existing | undefined {
  const source = bySource.get(keyOf(w.resourceType, w.sourceKey));
  const patient = w.resourceType === 'Patient' ? patientOf.get(w.citizenId) : undefined;
  const other = patient ?? source;
  if (!w.logicalId) return other;
  const named = byLogical.get(keyOf(w.resourceType, w.logicalId));
  if (named) {
    if (named.citizenId !== w.citizenId) return named; // refused by the caller: another patient's resource
    if (other && other.id !== named.id) {
      throw new RecordWriteError(
        'id-conflict',
        w,
        w.resourceType === 'Patient'
          ? `this patient is already known at your organisation as Patient/${other.logicalId}`
          : `this identifier already belongs to ${w.resourceType}/${other.logicalId} at your organisation`,
      );
    }
    return named;
  }
  if (!other) return undefined;
  if (other.citizenId === w.citizenId && !assignedId(other, w.resourceType)) {
    throw new RecordWriteError(
      'id-conflict',
      w,
      w.resourceType === 'Patient'
        ? `this patient is already known at your organisation as Patient/${other.logicalId}`
        : `this identifier already belongs to ${w.resourceType}/${other.logicalId} at your organisation`,
    );
  }
  return other;
}

export class RecordWriteError extends Error {
  constructor(
    readonly reason: 'duplicate' | 'other-patient' | 'id-conflict',
    readonly write: ResourceWrite,
    message: string,
  ) {
    super(message);
  }
}

export interface ResourceFilter {
  citizenId: string;
  organisationIds?: readonly string[];
  categories?: readonly (RecordCategory | 'patient')[];
  resourceTypes?: readonly RecordResourceType[];
  ids?: readonly string[];
  /** Only resources created or changed after this moment. */
  changedSince?: Date;
  /** Only resources that happen from now on (effective date ≥ now), soonest first instead of newest first. */
  upcoming?: boolean;
  limit?: number;
  /** Skip this many (a page of a search). */
  offset?: number;
}

/**
 * The resources of one citizen the principal may see, newest first (by effective date, then by change), or with
 * `upcoming` the coming ones, soonest first.
 * The caller has written the audit record about this citizen in the same transaction.
 */
export async function readResources(
  scope: { tx: Tx; keys: KeyStore },
  filter: ResourceFilter,
): Promise<StoredResource[]> {
  return decryptRows(scope.keys, scope.tx, await selectResources(scope.tx, filter).execute());
}

/** The statement of readResources(), without running it. */
function selectResources(tx: Tx, filter: ResourceFilter) {
  let q = tx
    .selectFrom('record_resource')
    .select([
      'id',
      'logical_id',
      'organisation_id',
      'citizen_id',
      'resource_type',
      'category',
      'effective_at',
      'version',
      'created_at',
      'updated_at',
      'ciphertext',
    ])
    .where('citizen_id', '=', filter.citizenId)
    // Row-level security already hides deleted rows from citizens and staff; the writing client sees them (it
    // answers 410 for them), but never as part of the record.
    .where('deleted_at', 'is', null);
  if (filter.organisationIds) q = q.where('organisation_id', 'in', nonEmpty(filter.organisationIds));
  if (filter.categories) q = q.where('category', 'in', nonEmpty(filter.categories));
  if (filter.resourceTypes) q = q.where('resource_type', 'in', nonEmpty(filter.resourceTypes));
  if (filter.ids) q = q.where('id', 'in', nonEmpty(filter.ids));
  if (filter.changedSince) q = q.where('updated_at', '>', filter.changedSince);
  q = filter.upcoming
    ? q
        .where('effective_at', '>=', sql<Date>`now()`)
        .orderBy('effective_at')
        .orderBy('id')
    : q
        .orderBy('effective_at', (ob) => ob.desc().nullsLast())
        .orderBy('updated_at', 'desc')
        .orderBy('id');
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  if (filter.offset !== undefined) q = q.offset(filter.offset);
  return q;
}

/**
 * A page of readResources() and the number of matches in all, in one statement (a search's page and its total,
 * `count(*) over ()`). The total is 0 when the page is empty, as the window has no row to ride on.
 */
export async function readResourcePage(
  scope: { tx: Tx; keys: KeyStore },
  filter: ResourceFilter & { limit: number; offset: number },
): Promise<{ resources: StoredResource[]; total: number }> {
  const rows = await selectResources(scope.tx, filter)
    .select(sql<number>`(count(*) over ())::int`.as('total'))
    .execute();
  return { resources: await decryptRows(scope.keys, scope.tx, rows), total: rows[0]?.total ?? 0 };
}

type ResourceRow = Awaited<ReturnType<ReturnType<typeof selectResources>['execute']>>[number];

async function decryptRows(keys: KeyStore, tx: Tx, rows: ResourceRow[]): Promise<StoredResource[]> {
  const out: StoredResource[] = [];
  for (const r of rows) {
    const json = await keys.decrypt(
      tx,
      { kind: 'organisation', id: r.organisation_id },
      r.ciphertext,
      resourceAad(r.id, r.organisation_id, r.citizen_id),
    );
    out.push({
      id: r.id,
      logicalId: r.logical_id,
      organisationId: r.organisation_id,
      citizenId: r.citizen_id,
      resourceType: r.resource_type,
      category: r.category,
      effectiveAt: r.effective_at,
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      resource: JSON.parse(json) as FhirJson,
    });
  }
  return out;
}

/** One version of a resource, as the organisation's own API client reads it back (src/fhir/provider.ts). */
export interface ResourceVersion {
  id: string;
  logicalId: string;
  organisationId: string;
  citizenId: string;
  resourceType: RecordResourceType;
  version: number;
  /** When this version was written. */
  updatedAt: Date;
  deleted: boolean;
  resource: FhirJson;
}

/**
 * The versions of one resource of the client's own organisation, newest first: the current row and its history
 * (migrations/0021_fhir_rest.sql), or only `version`. The caller has audited the citizen in this transaction.
 */
export async function readResourceVersions(
  scope: { tx: Tx; keys: KeyStore },
  resourceId: string,
  version?: number,
): Promise<ResourceVersion[]> {
  const { tx, keys } = scope;
  const current = await tx
    .selectFrom('record_resource')
    .select([
      'id',
      'logical_id',
      'organisation_id',
      'citizen_id',
      'resource_type',
      'version',
      'updated_at',
      'deleted_at',
      'ciphertext',
    ])
    .where('id', '=', resourceId)
    .$if(version !== undefined, (q) => q.where('version', '=', version ?? 0))
    .execute();
  const past = await tx
    .selectFrom('record_resource_history')
    .select([
      'resource_id',
      'logical_id',
      'organisation_id',
      'citizen_id',
      'resource_type',
      'version',
      'recorded_at',
      'deleted',
      'ciphertext',
    ])
    .where('resource_id', '=', resourceId)
    .$if(version !== undefined, (q) => q.where('version', '=', version ?? 0))
    .orderBy('version', 'desc')
    .execute();
  const rows = [
    ...current.map((r) => ({ ...r, deleted: r.deleted_at !== null, at: r.updated_at })),
    ...past.map((r) => ({ ...r, id: r.resource_id, at: r.recorded_at })),
  ];
  const out: ResourceVersion[] = [];
  for (const r of rows) {
    const json = await keys.decrypt(
      tx,
      { kind: 'organisation', id: r.organisation_id },
      r.ciphertext,
      resourceAad(r.id, r.organisation_id, r.citizen_id),
    );
    out.push({
      id: r.id,
      logicalId: r.logical_id,
      organisationId: r.organisation_id,
      citizenId: r.citizen_id,
      resourceType: r.resource_type as RecordResourceType,
      version: r.version,
      updatedAt: r.at,
      deleted: r.deleted,
      resource: JSON.parse(json) as FhirJson,
    });
  }
  return out;
}

/**
 * Deletes one resource of the client's own organisation: the row is marked (citizens and staff no longer see it,
 * row-level security) and counts a version; its content stays in the history and the deletion in the audit trail.
 * Answers the new version, or null when it was deleted already. The caller has audited the citizen.
 */
export async function deleteResource(scope: DataScope, resourceId: string): Promise<number | null> {
  const { tx, principal } = scope;
  if (principal.kind !== 'client') throw new Error('only an API client deletes record resources');
  const row = await tx
    .updateTable('record_resource')
    .set({
      deleted_at: new Date(),
      version: sql<number>`version + 1`,
      updated_at: new Date(),
      written_by: principal.clientId,
    })
    .where('id', '=', resourceId)
    .where('deleted_at', 'is', null)
    .returning(['version'])
    .executeTakeFirst();
  return row?.version ?? null;
}

/** The attachments of the visible resources (metadata only). */
export async function listAttachments(tx: Tx, resourceIds: readonly string[]): Promise<AttachmentInfo[]> {
  if (resourceIds.length === 0) return [];
  const rows = await tx
    .selectFrom('record_attachment')
    .select(['resource_id', 'position', 'content_type', 'byte_size'])
    .where('resource_id', 'in', resourceIds)
    .orderBy('resource_id')
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    resourceId: r.resource_id,
    position: r.position,
    contentType: r.content_type,
    byteSize: r.byte_size,
  }));
}

/** One attachment's bytes, or null when it does not exist or is not visible to the principal. */
export async function readAttachment(
  scope: { tx: Tx; keys: KeyStore },
  resourceId: string,
  position: number,
): Promise<{ contentType: string; data: Buffer } | null> {
  const row = await scope.tx
    .selectFrom('record_attachment')
    .select(['organisation_id', 'citizen_id', 'content_type', 'ciphertext'])
    .where('resource_id', '=', resourceId)
    .where('position', '=', position)
    .executeTakeFirst();
  if (!row) return null;
  const data = await scope.keys.decryptBytes(
    scope.tx,
    { kind: 'organisation', id: row.organisation_id },
    row.ciphertext,
    attachmentAad(resourceId, position, row.organisation_id, row.citizen_id),
  );
  return { contentType: row.content_type, data };
}

function nonEmpty<T>(list: readonly T[]): T[] {
  // `in ()` is not SQL; a list that can never match keeps the query valid and empty.
  return list.length > 0 ? [...list] : ([null] as unknown as T[]);
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
