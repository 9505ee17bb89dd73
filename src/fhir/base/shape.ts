// The whole check of a resource's shape, as ingest runs it (on the event loop or on a worker, pool.ts): against each
// nl-core or MP9 profile the resource claims in meta.profile that Koepel has a snapshot of (src/fhir/profiles) — a
// profile's snapshot holds the base definitions too, so the base check is not run again — or, when it claims none
// Koepel knows, against the base R4 definitions. Koepel's additions to medplum (validate.ts) run either way. A profile
// Koepel does not know is not checked (docs/interop.md lists the known ones).
import { registeredProfile } from '../profiles/validate.js';
import { validateBase, type BaseIssue } from './validate.js';

/** At most this many declared profiles are checked per resource. */
const MAX_PROFILES = 5;

export function validateShape(resource: Record<string, unknown> & { resourceType: string }): BaseIssue[] {
  const meta = resource.meta as { profile?: unknown } | undefined;
  const declared = Array.isArray(meta?.profile) ? meta.profile.slice(0, MAX_PROFILES) : [];
  const profiles = declared
    .map((url) => (typeof url === 'string' ? registeredProfile(url) : null))
    .filter((p): p is NonNullable<typeof p> => p !== null && p.resourceType === resource.resourceType);
  if (profiles.length === 0) return validateBase(resource);
  const seen = new Set<string>();
  return profiles
    .flatMap((p) => validateBase(resource, p))
    .filter((i) => {
      const key = `${i.field}\u0000${i.problem}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
