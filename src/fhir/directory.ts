// Practitioners and their roles: the organisation's own directory, not part of any citizen's record. The care team
// of a citizen refers to them. Written by the organisation's API client, idempotent by source key like record
// resources, versioned, and audited (without a citizen: no citizen data is involved).
import { sql } from 'kysely';
import type { DataScope } from '../platform/http/request-context.js';
import type { WriteOutcome } from '../record/index.js';
import type { DirectoryType } from './resources.js';

export interface DirectoryWrite {
  resourceType: DirectoryType;
  sourceKey: string;
  resource: Record<string, unknown>;
}

export interface DirectoryResult {
  id: string;
  resourceType: DirectoryType;
  sourceKey: string;
  outcome: WriteOutcome;
  version: number;
}

export async function writeDirectory(scope: DataScope, writes: DirectoryWrite[]): Promise<DirectoryResult[]> {
  const { tx, principal } = scope;
  if (principal.kind !== 'client') throw new Error('only an API client writes directory resources');
  const organisationId = principal.organisationId;
  const results: DirectoryResult[] = [];
  for (const w of writes) {
    const json = JSON.stringify(w.resource);
    const existing = await tx
      .selectFrom('directory_resource')
      .select(['id', 'version'])
      .where('organisation_id', '=', organisationId)
      .where('resource_type', '=', w.resourceType)
      .where('source_key', '=', w.sourceKey)
      .executeTakeFirst();
    let result: DirectoryResult;
    if (!existing) {
      const row = await tx
        .insertInto('directory_resource')
        .values({
          organisation_id: organisationId,
          resource_type: w.resourceType,
          source_key: w.sourceKey,
          resource: json,
          written_by: principal.clientId,
        })
        .returning(['id', 'version'])
        .executeTakeFirstOrThrow();
      result = {
        id: row.id,
        resourceType: w.resourceType,
        sourceKey: w.sourceKey,
        outcome: 'created',
        version: row.version,
      };
    } else {
      // jsonb equality ignores key order and whitespace: a re-send without change is not a new version.
      const row = await tx
        .updateTable('directory_resource')
        .set({
          resource: json,
          version: sql<number>`version + 1`,
          updated_at: new Date(),
          written_by: principal.clientId,
        })
        .where('id', '=', existing.id)
        .where(sql<boolean>`resource is distinct from ${json}::jsonb`)
        .returning(['version'])
        .executeTakeFirst();
      result = {
        id: existing.id,
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
