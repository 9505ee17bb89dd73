// Practitioners and their roles: the organisation's own directory, not part of any citizen's record. The care team
// of a citizen refers to them. Written by the organisation's API client, idempotent by source key like record
// resources, versioned, and audited (without a citizen: no citizen data is involved).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DataScope } from '../platform/http/request-context.js';
import type { WriteOutcome } from '../record/index.js';
import type { DirectoryType } from './resources.js';

export interface DirectoryWrite {
  resourceType: DirectoryType;
  sourceKey: string;
  /** The id the sender named (see ResourceWrite.logicalId in src/record/store.ts); null: kept, or assigned. */
  logicalId?: string | null;
  resource: Record<string, unknown>;
}

export interface DirectoryResult {
  id: string;
  logicalId: string;
  resourceType: DirectoryType;
  sourceKey: string;
  outcome: WriteOutcome;
  version: number;
}

/** A directory write the id rules refuse (the same rules as record resources, src/record/store.ts). */
export class DirectoryIdConflict extends Error {
  constructor(
    readonly write: DirectoryWrite,
    message: string,
  ) {
    super(message);
  }
}

export async function writeDirectory(scope: DataScope, writes: DirectoryWrite[]): Promise<DirectoryResult[]> {
  const { tx, principal } = scope;
  if (principal.kind !== 'client') throw new Error('only an API client writes directory resources');
  const organisationId = principal.organisationId;
  const results: DirectoryResult[] = [];
  const columns = ['id', 'version', 'logical_id', 'source_key', 'deleted_at'] as const;
  for (const w of writes) {
    const json = JSON.stringify(w.resource);
    const bySource = await tx
      .selectFrom('directory_resource')
      .select(columns)
      .where('organisation_id', '=', organisationId)
      .where('resource_type', '=', w.resourceType)
      .where('source_key', '=', w.sourceKey)
      .executeTakeFirst();
    const byId = w.logicalId
      ? await tx
          .selectFrom('directory_resource')
          .select(columns)
          .where('organisation_id', '=', organisationId)
          .where('resource_type', '=', w.resourceType)
          .where('logical_id', '=', w.logicalId)
          .executeTakeFirst()
      : undefined;
    // The named id wins; a resource found by identifier under an id Koepel assigned takes the named id.
    if (byId && bySource && byId.id !== bySource.id) {
      throw new DirectoryIdConflict(
        w,
        `this identifier already belongs to ${w.resourceType}/${bySource.logical_id} at your organisation`,
      );
    }
    if (w.logicalId && !byId && bySource && bySource.logical_id !== bySource.id) {
      throw new DirectoryIdConflict(
        w,
        `this identifier already belongs to ${w.resourceType}/${bySource.logical_id} at your organisation`,
      );
    }
    const existing = byId ?? bySource;
    let result: DirectoryResult;
    if (!existing) {
      const id = randomUUID();
      const logicalId = w.logicalId ?? id;
      const row = await tx
        .insertInto('directory_resource')
        .values({
          id,
          organisation_id: organisationId,
          resource_type: w.resourceType,
          source_key: w.sourceKey,
          logical_id: logicalId,
          resource: json,
          written_by: principal.clientId,
        })
        .returning(['id', 'version'])
        .executeTakeFirstOrThrow();
      result = {
        id: row.id,
        logicalId,
        resourceType: w.resourceType,
        sourceKey: w.sourceKey,
        outcome: 'created',
        version: row.version,
      };
    } else {
      const logicalId = w.logicalId ?? existing.logical_id;
      // jsonb equality ignores key order and whitespace: a re-send without change is not a new version.
      const row = await tx
        .updateTable('directory_resource')
        .set({
          resource: json,
          source_key: w.sourceKey,
          logical_id: logicalId,
          deleted_at: null,
          version: sql<number>`version + 1`,
          updated_at: new Date(),
          written_by: principal.clientId,
        })
        .where('id', '=', existing.id)
        .where(
          sql<boolean>`(resource is distinct from ${json}::jsonb or deleted_at is not null
            or source_key <> ${w.sourceKey} or logical_id <> ${logicalId})`,
        )
        .returning(['version'])
        .executeTakeFirst();
      result = {
        id: existing.id,
        logicalId,
        resourceType: w.resourceType,
        sourceKey: w.sourceKey,
        outcome: row ? 'updated' : 'unchanged',
        version: row?.version ?? existing.version,
      };
    }
    results.push(result);
  }
  if (results.length > 0) {
    await scope.audit(
      ...results.map((r) => ({
        event: `directory.resource.${r.outcome === 'created' ? 'create' : r.outcome === 'updated' ? 'update' : 'resend'}`,
        action: r.outcome === 'created' ? ('C' as const) : ('U' as const),
        resourceType: r.resourceType,
        resourceId: r.id,
      })),
    );
  }
  return results;
}
