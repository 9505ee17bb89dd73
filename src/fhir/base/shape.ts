// The whole check of a resource's shape, as ingest runs it (on the event loop or on a worker, pool.ts): the base R4
// definitions first (validate.ts), then every nl-core or MP9 profile the resource claims in meta.profile that Koepel
// has a snapshot of (src/fhir/profiles). A profile Koepel does not know is not checked (docs/interop.md lists the
// known ones); a resource that already fails the base definitions is not checked against its profiles.
import type { Resource } from '@medplum/fhirtypes';
import { hasProfile, validateAgainstProfile } from '../profiles/validate.js';
import { validateBase, type BaseIssue } from './validate.js';

/** At most this many declared profiles are checked per resource. */
const MAX_PROFILES = 5;

export function validateShape(resource: Record<string, unknown> & { resourceType: string }): BaseIssue[] {
  const found = validateBase(resource);
  if (found.length > 0) return found;
  const meta = resource.meta as { profile?: unknown } | undefined;
  const declared = Array.isArray(meta?.profile) ? meta.profile : [];
  const type = resource.resourceType;
  for (const url of declared.slice(0, MAX_PROFILES)) {
    if (typeof url !== 'string' || !hasProfile(url)) continue;
    for (const i of validateAgainstProfile(resource as unknown as Resource, url) ?? []) {
      if (i.severity !== 'error' && i.severity !== 'fatal') continue;
      // validateAgainstProfile names the resource by its type ("Observation: code …"); the caller adds its own label.
      const expression = i.expression?.[0] ?? type;
      const field = expression === type ? '' : expression.slice(type.length + 1);
      let problem = i.diagnostics.startsWith(`${type}: `) ? i.diagnostics.slice(type.length + 2) : i.diagnostics;
      if (field && problem.startsWith(`${field} `)) problem = problem.slice(field.length + 1);
      const code = i.code === 'required' || i.code === 'invariant' ? i.code : 'value';
      found.push({ field, problem, code });
    }
  }
  return found;
}
