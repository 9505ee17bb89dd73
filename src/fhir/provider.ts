// A provider system reads back, and deletes, what its own organisation sent (issue 11 §4): read, vread, history and
// delete by the id in its own id space (the logical id: the id it sent, or the one Koepel assigned and named in the
// Location). Only the API client's own organisation: record rows by row-level security after the citizen is known
// (koepel_locate_resource answers which citizen, for the client's own organisation only, while the relationship is
// active), directory rows by their organisation.
//
// Every read of a record resource is audited with its citizen before the row is read (NEN 7513), and so is an id that
// is not found (without a citizen). A deletion is audited too (action D); the row stays, marked, with its versions
// (migrations/0021_fhir_rest.sql): citizens and staff no longer see it, the provider reads 410 Gone, a re-send
// revives it as a new version.
import { sql } from 'kysely';
import type { DataScope } from '../platform/http/request-context.js';
import { bsnIndex, parseBsn } from '../identity/index.js';
import { deleteResource, readResourceVersions } from '../record/index.js';
import { BSN_SYSTEM } from './datatypes.js';
import { isDirectoryType, isSchedulingType, type DirectoryType, type IngestType } from './resources.js';
import { readScheduling } from './scheduling.js';

export type Json = Record<string, unknown>;

/** A stored resource of the client's organisation, found by the id it has in the organisation's id space. */
export interface Located {
  kind: 'record' | 'directory' | 'scheduling';
  /** Koepel's row id. */
  id: string;
  logicalId: string;
  citizenId: string | null;
  version: number;
  deleted: boolean;
}

/** One version as the provider reads it: the resource as sent, with its logical id, version and time. */
export interface ProviderVersion {
  type: IngestType;
  logicalId: string;
  version: number;
  lastUpdated: Date;
  deleted: boolean;
  /** The resource (also for a deleted version: its last content; the HTTP layer answers 410 without it). */
  resource: Json;
}

function clientOrganisation(scope: DataScope): string {
  if (scope.principal.kind !== 'client') throw new Error('only an API client reads its own organisation’s resources');
  return scope.principal.organisationId;
}

interface LocatedRow {
  citizen_id: string;
  resource_id: string;
  logical_id: string;
  version: number;
  deleted: boolean;
}

const fromRow = (r: LocatedRow): Located => ({
  kind: 'record',
  id: r.resource_id,
  logicalId: r.logical_id,
  citizenId: r.citizen_id,
  version: r.version,
  deleted: r.deleted,
});

/** A directory resource of the client's organisation, by its logical id or its source key. */
async function locateDirectory(
  scope: DataScope,
  organisationId: string,
  type: IngestType,
  column: 'logical_id' | 'source_key',
  value: string,
): Promise<Located | null> {
  const r = await scope.tx
    .selectFrom('directory_resource')
    .select(['id', 'logical_id', 'version', 'deleted_at'])
    .where('organisation_id', '=', organisationId)
    .where('resource_type', '=', type as DirectoryType)
    .where(column, '=', value)
    .executeTakeFirst();
  return r
    ? {
        kind: 'directory',
        id: r.id,
        logicalId: r.logical_id,
        citizenId: null,
        version: r.version,
        deleted: !!r.deleted_at,
      }
    : null;
}

/** By logical id (a Patient also by its citizen's id). No audit here: the caller audits what it does with it. */
export async function locate(scope: DataScope, type: IngestType, logicalId: string): Promise<Located | null> {
  const organisationId = clientOrganisation(scope);
  if (isDirectoryType(type)) {
    return locateDirectory(scope, organisationId, type, 'logical_id', logicalId);
  }
  if (isSchedulingType(type)) {
    const v = await readScheduling(scope, type, logicalId);
    return v
      ? { kind: 'scheduling', id: v.id, logicalId: v.logicalId, citizenId: null, version: v.version, deleted: false }
      : null;
  }
  const { rows } = await sql<LocatedRow>`select * from koepel_locate_resource(${type}, ${logicalId})`.execute(scope.tx);
  return rows[0] ? fromRow(rows[0]) : null;
}

/**
 * By identifier (`If-None-Exist: identifier=system|value`): the resource whose source key it is (its first
 * identifier), or for a Patient's BSN the Patient of that citizen.
 */
export async function locateByIdentifier(
  scope: DataScope,
  type: IngestType,
  system: string,
  value: string,
): Promise<Located | null> {
  const organisationId = clientOrganisation(scope);
  if (type === 'Patient' && system === BSN_SYSTEM) {
    const bsn = parseBsn(value);
    if (!bsn) return null;
    const { rows } = await sql<{
      id: string | null;
    }>`select koepel_match_patient(${bsnIndex(scope.keys, bsn)}) as id`.execute(scope.tx);
    const citizen = rows[0]?.id;
    return citizen ? locate(scope, 'Patient', citizen) : null;
  }
  const key = `${system}|${value}`.normalize('NFC');
  // Schedules and Slots are known by their id only.
  if (isSchedulingType(type)) return null;
  if (isDirectoryType(type)) {
    return locateDirectory(scope, organisationId, type, 'source_key', key);
  }
  const { rows } = await sql<LocatedRow>`select * from koepel_locate_source(${type}, ${key})`.execute(scope.tx);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** The resource as the provider sent it, named by its logical id, with its version and time in meta. */
export function asSent(v: Omit<ProviderVersion, 'resource'>, stored: Json): Json {
  const rest: Json = { ...stored };
  delete rest.resourceType;
  delete rest.id;
  const meta = rest.meta;
  delete rest.meta;
  const kept = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as Json) : {};
  return {
    resourceType: v.type,
    id: v.logicalId,
    meta: { ...kept, versionId: String(v.version), lastUpdated: v.lastUpdated.toISOString() },
    ...rest,
  };
}

async function versionsOf(
  scope: DataScope,
  type: IngestType,
  found: Located,
  version?: number,
): Promise<ProviderVersion[]> {
  if (found.kind === 'record') {
    const list = await readResourceVersions(scope, found.id, version);
    return list.map((v) => {
      const meta = { type, logicalId: v.logicalId, version: v.version, lastUpdated: v.updatedAt, deleted: v.deleted };
      return { ...meta, resource: asSent(meta, v.resource) };
    });
  }
  if (found.kind === 'scheduling' && isSchedulingType(type)) {
    // Only the current version is kept: earlier versions of a Slot are of no use to anyone.
    const v = await readScheduling(scope, type, found.logicalId);
    if (!v || (version !== undefined && version !== v.version)) return [];
    const meta = { type, logicalId: v.logicalId, version: v.version, lastUpdated: v.lastUpdated, deleted: false };
    return [{ ...meta, resource: asSent(meta, v.resource) }];
  }
  const current = await scope.tx
    .selectFrom('directory_resource')
    .select(['logical_id', 'version', 'updated_at', 'deleted_at', 'resource'])
    .where('id', '=', found.id)
    .$if(version !== undefined, (q) => q.where('version', '=', version ?? 0))
    .execute();
  const past = await scope.tx
    .selectFrom('directory_resource_history')
    .select(['logical_id', 'version', 'recorded_at', 'deleted', 'resource'])
    .where('resource_id', '=', found.id)
    .$if(version !== undefined, (q) => q.where('version', '=', version ?? 0))
    .orderBy('version', 'desc')
    .execute();
  return [
    ...current.map((r) => ({
      logicalId: r.logical_id,
      version: r.version,
      at: r.updated_at,
      deleted: r.deleted_at !== null,
      resource: r.resource,
    })),
    ...past.map((r) => ({
      logicalId: r.logical_id,
      version: r.version,
      at: r.recorded_at,
      deleted: r.deleted,
      resource: r.resource as Json,
    })),
  ].map((r) => {
    const meta = { type, logicalId: r.logicalId, version: r.version, lastUpdated: r.at, deleted: r.deleted };
    return { ...meta, resource: asSent(meta, r.resource) };
  });
}

async function auditRead(scope: DataScope, event: string, type: IngestType, found: Located | null): Promise<void> {
  if (!found) {
    await scope.audit({ event, action: 'R', outcome: 'failure', resourceType: type, resourceId: '-' });
    return;
  }
  await scope.audit({
    event,
    action: 'R',
    ...(found.citizenId ? { citizenId: found.citizenId } : {}),
    resourceType: type,
    resourceId: found.id,
  });
}

export type ReadResult =
  { status: 200; version: ProviderVersion } | { status: 410; version: ProviderVersion } | { status: 404 };

/** GET {type}/{id} (current version) or, with `version`, GET {type}/{id}/_history/{version}. */
export async function providerRead(
  scope: DataScope,
  type: IngestType,
  logicalId: string,
  version?: number,
): Promise<ReadResult> {
  const found = await locate(scope, type, logicalId);
  await auditRead(scope, version === undefined ? 'fhir.provider.read' : 'fhir.provider.vread', type, found);
  if (!found) return { status: 404 };
  const [v] = await versionsOf(scope, type, found, version ?? found.version);
  if (!v) return { status: 404 };
  return v.deleted ? { status: 410, version: v } : { status: 200, version: v };
}

/** GET {type}/{id}/_history: every version, newest first; null when the id is unknown. */
export async function providerHistory(
  scope: DataScope,
  type: IngestType,
  logicalId: string,
): Promise<ProviderVersion[] | null> {
  const found = await locate(scope, type, logicalId);
  await auditRead(scope, 'fhir.provider.history', type, found);
  if (!found) return null;
  return versionsOf(scope, type, found);
}

export type DeleteResult =
  | { status: 200; version: number; already: boolean }
  | { status: 404 }
  /** Schedules and Slots are withdrawn by an update (Slot.status, Schedule.active), not deleted. */
  | { status: 405 };

/** DELETE {type}/{id}: marks the resource deleted (a new version). Deleting it again changes nothing. */
export async function providerDelete(scope: DataScope, type: IngestType, logicalId: string): Promise<DeleteResult> {
  const found = await locate(scope, type, logicalId);
  if (!found) {
    await scope.audit({
      event: 'fhir.provider.delete',
      action: 'D',
      outcome: 'failure',
      resourceType: type,
      resourceId: '-',
    });
    return { status: 404 };
  }
  if (found.deleted) return { status: 200, version: found.version, already: true };
  if (found.kind === 'scheduling') return { status: 405 };
  if (found.kind === 'record') {
    await scope.audit({
      event: type === 'Patient' ? 'record.patient.delete' : 'record.resource.delete',
      action: 'D',
      ...(found.citizenId ? { citizenId: found.citizenId } : {}),
      resourceType: type,
      resourceId: found.id,
    });
    const version = await deleteResource(scope, found.id);
    return version === null
      ? { status: 200, version: found.version, already: true }
      : { status: 200, version, already: false };
  }
  await scope.audit({ event: 'directory.resource.delete', action: 'D', resourceType: type, resourceId: found.id });
  const row = await scope.tx
    .updateTable('directory_resource')
    .set({
      deleted_at: new Date(),
      version: sql<number>`version + 1`,
      updated_at: new Date(),
      written_by: scope.principal.kind === 'client' ? scope.principal.clientId : null,
    })
    .where('id', '=', found.id)
    .where('deleted_at', 'is', null)
    .returning(['version'])
    .executeTakeFirst();
  return { status: 200, version: row?.version ?? found.version, already: !row };
}
