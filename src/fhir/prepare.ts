// The first step of ingestion, without the database: each Bundle entry (or single resource) is checked against its
// schema, cleaned for storage (server-managed fields and attachment bytes removed), given its source key, and its
// references are found — the one that names the patient, and those that point at other entries of the Bundle.
import { parseBsn, type Bsn } from '../identity/index.js';
import { bsnIndex } from '../identity/index.js';
import type { KeyStore } from '../platform/crypto/keys.js';
import { decodeAttachment, sha1, type DecodedAttachment } from './attachments.js';
import { BSN_SYSTEM, FHIR_ID, fhirPath } from './datatypes.js';
import { loadBaseDefinitions, type BaseIssue } from './base/validate.js';
import { validateShape } from './base/shape.js';
import { issue, type Issue } from '../platform/fhir/outcome.js';
import {
  INGEST_TYPES,
  PATIENT_FIELD,
  RESOURCE_RULES,
  isIngestType,
  isOrganisationType,
  isSchedulingType,
  sizeProblems,
  type DirectoryType,
  type IngestType,
  type SchedulingType,
} from './resources.js';

/** How a resource names its patient. */
export type PatientLink =
  /** a Patient entry of the same Bundle */
  | { kind: 'entry'; entry: number }
  /** `Patient/{id}`: a Patient this organisation sent before under that logical id */
  | { kind: 'id'; id: string }
  /** a logical reference by BSN identifier */
  | { kind: 'bsn'; bsn: Bsn };

export interface ReferenceSite {
  /** The reference object inside the resource; its `reference` is rewritten once the target is stored. */
  object: { reference?: string } & Record<string, unknown>;
  /** The Bundle entry it points at. */
  target: number;
}

export interface PreparedEntry {
  /** Position in Bundle.entry (0 for a single resource). */
  index: number;
  /** How messages name it: `Bundle.entry[3] (Observation)` or `Observation`. */
  label: string;
  /** FHIRPath of the resource: `Bundle.entry[3].resource` or `Observation`. */
  base: string;
  fullUrl: string | null;
  type: IngestType;
  /**
   * The sender's logical id (request url of a PUT, or resource.id): the id the resource has in the organisation's
   * id space (docs/interop.md, "REST behaviour"). Null: an existing resource keeps its id, a new one gets Koepel's.
   */
  logicalId: string | null;
  sourceKey: string;
  /** The resource as it will be stored (no id, no attachment bytes). */
  resource: Record<string, unknown> & { resourceType: IngestType };
  attachments: { position: number; contentType: string; data: Buffer }[];
  /** Patient entries: the BSN to match. */
  bsn: Bsn | null;
  /** Record resources other than Patient: how they name the patient, and the reference object to rewrite. */
  patient: { link: PatientLink; object: ReferenceSite['object']; path: string } | null;
  /** References to other entries of this Bundle (not Patients): rewritten to the stored id, so written first. */
  references: ReferenceSite[];
  /** References to Patient entries of this Bundle: rewritten to `Patient/{citizen id}`. */
  patientReferences: ReferenceSite[];
}

/** What an entry's request says: POST {type}, PUT {type}/{id}, or (in a Bundle) PUT {type}?identifier=system|value. */
export interface EntryRequest {
  method: 'POST' | 'PUT';
  type: string;
  id: string | null;
  /** A conditional update names the resource by one of its identifiers. */
  identifier: { system: string; value: string } | null;
}

/**
 * Parses an entry's request.url (relative only): `Observation`, `Observation/abc`, or for PUT the conditional form
 * `Patient?identifier=system|value`. All of them create or update (by logical id, else source key); deleting is
 * DELETE {type}/{id} (src/fhir/provider.ts).
 */
export function parseRequestUrl(method: string, url: string, allowConditional = true): EntryRequest | null {
  if (method !== 'POST' && method !== 'PUT') return null;
  if (url.length > 1000) return null;
  const m = /^([A-Z][A-Za-z]{1,63})(?:\/([^/?#]+))?(?:\?([^#]*))?$/.exec(url);
  if (!m?.[1]) return null;
  const id = m[2] ?? null;
  const query = m[3];
  if (query !== undefined) {
    if (!allowConditional || method !== 'PUT' || id !== null) return null;
    const params = [...new URLSearchParams(query)];
    const [only] = params;
    if (params.length !== 1 || !only || only[0] !== 'identifier') return null;
    const bar = only[1].indexOf('|');
    const system = only[1].slice(0, bar);
    const value = only[1].slice(bar + 1);
    if (bar <= 0 || value === '') return null;
    return { method, type: m[1], id: null, identifier: { system, value } };
  }
  if (method === 'POST' && id !== null) return null;
  if (method === 'PUT' && (id === null || !FHIR_ID.test(id))) return null;
  return { method, type: m[1], id, identifier: null };
}

/** The references inside a Bundle, from fullUrl and from `{type}/{id}`, to entry positions. */
export type BundleIndex = Map<string, { entry: number; type: string }>;

export type PrepareResult = { ok: true; entry: PreparedEntry } | { ok: false; issues: Issue[] };

const TYPE_NAME = /^[A-Z][A-Za-z]{1,63}$/;

/** The resource type as a safe word for a message (never arbitrary input). */
export function typeWord(v: unknown): string {
  return typeof v === 'string' && TYPE_NAME.test(v) ? v : 'resource';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every object with a string `reference` inside a resource (contained resources included). */
function referenceObjects(root: unknown): ReferenceSite['object'][] {
  const out: ReferenceSite['object'][] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (isObject(v)) {
      if (typeof v.reference === 'string') out.push(v);
      for (const x of Object.values(v)) if (typeof x === 'object' && x !== null) stack.push(x);
    }
  }
  return out;
}

/** The deepest nesting of a JSON value (iterative: a hostile document cannot exhaust the stack). */
export function jsonDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) max = d;
    for (const x of Array.isArray(v) ? v : Object.values(v))
      if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
  }
  return max;
}

const SOURCE_KEY_MAX = 300;

/** The ids of appointments booked in Koepel, as the organisation's system reads them (src/fhir/bookings.ts). */
export const KOEPEL_BOOKING_ID = /^koepel-/i;

/**
 * Checks and prepares one resource. `request` is what the entry's request (or the HTTP request) says; `index`
 * resolves references to other entries of the same Bundle (empty for a single resource).
 */
export function prepareEntry(options: {
  keys: KeyStore;
  index: number;
  base: string;
  label: string;
  fullUrl: string | null;
  resource: unknown;
  request: EntryRequest;
  bundle: BundleIndex;
  /** The resource's base validation, when a worker did it already (src/fhir/base/pool.ts). */
  shape?: BaseIssue[];
}): PrepareResult {
  const { base, label, bundle } = options;
  const problems: Issue[] = [];
  const add = (code: Parameters<typeof issue>[0], field: string | null, problem: string) =>
    problems.push(
      issue(code, field ? `${label}: ${field} ${problem}` : `${label}: ${problem}`, field ? `${base}.${field}` : base),
    );
  const fail = () => ({ ok: false as const, issues: problems });

  if (!isObject(options.resource)) {
    add('required', null, 'the resource is missing or not a JSON object');
    return fail();
  }
  const type = options.resource.resourceType;
  if (!isIngestType(type)) {
    if (typeof type !== 'string') add('required', 'resourceType', 'is required');
    else add('not-supported', 'resourceType', `${typeWord(type)} is not a resource type Koepel accepts`);
    return fail();
  }
  if (options.request.type !== type) {
    add('invalid', null, `the request url names ${typeWord(options.request.type)}, the resource is a ${type}`);
    return fail();
  }

  // The shape against the base R4 definitions, then Koepel's own rules; every problem is reported at once.
  loadBaseDefinitions(INGEST_TYPES);
  const resource = options.resource as PreparedEntry['resource'];
  const sizes = sizeProblems(resource);
  const shape = sizes.length > 0 ? [] : (options.shape ?? validateShape(resource));
  const crossField = RESOURCE_RULES[type]?.(resource) ?? [];
  const problem = (path: readonly PropertyKey[], message: string) => {
    const field = fhirPath('', path).replace(/^\./, '');
    add(/is required|needs/.test(message) ? 'required' : 'value', field || null, message);
  };
  for (const i of sizes) add('too-long', fhirPath('', i.path).replace(/^\./, '') || null, i.message);
  for (const i of shape) add(i.code, i.field || null, i.problem);
  for (const i of crossField) problem(i.path, i.message);
  if (problems.length > 0) return fail();

  // The logical id: from a PUT's url; it must agree with resource.id when both are given.
  const sentId = typeof resource.id === 'string' ? resource.id : null;
  if (options.request.id !== null && sentId !== null && sentId !== options.request.id) {
    add('invalid', 'id', 'does not match the id in the request url');
    return fail();
  }
  const logicalId = options.request.id ?? sentId;
  // Schedules and Slots are kept by the id they are sent under (it is how a Slot names its Schedule, and how a booking
  // names its Slot back to the organisation's system).
  if (isSchedulingType(type) && logicalId === null) {
    add('required', 'id', `is required: send a ${type} with PUT ${type}/{id} (or with resource.id in a Bundle)`);
    return fail();
  }
  // Appointments booked in Koepel have ids of Koepel's own (koepel-…); a record Appointment cannot take one.
  if (type === 'Appointment' && logicalId !== null && KOEPEL_BOOKING_ID.test(logicalId)) {
    add(
      'not-supported',
      'id',
      'names an appointment booked in Koepel: confirm or refuse it with PUT Appointment/{id} on its own, not in a Bundle',
    );
    return fail();
  }
  const named = options.request.identifier;
  if (named) {
    const ids = (Array.isArray(resource.identifier) ? resource.identifier : []) as {
      system?: string;
      value?: string;
    }[];
    if (!ids.some((x) => x.system === named.system && x.value === named.value)) {
      add('invalid', 'identifier', 'must contain the identifier named in the request url');
      return fail();
    }
  }

  // Patient: the BSN (validated by the schema).
  let bsn: Bsn | null = null;
  if (type === 'Patient') {
    const ids = (resource.identifier ?? []) as { system?: string; value?: string }[];
    bsn = parseBsn(ids.find((x) => x.system === BSN_SYSTEM)?.value);
    if (!bsn) {
      add('value', 'identifier', 'needs a valid BSN');
      return fail();
    }
  }

  // The source key: the first identifier with system and value (never the BSN: the key is stored in the clear),
  // else the logical id. A Patient is keyed by its logical id first, so that `Patient/{id}` finds it later.
  const identifiers = (Array.isArray(resource.identifier) ? resource.identifier : []) as {
    system?: string;
    value?: string;
  }[];
  const firstIdentifier = identifiers.find((x) => x.system && x.value && x.system !== BSN_SYSTEM);
  const byIdentifier = firstIdentifier ? `${firstIdentifier.system}|${firstIdentifier.value}` : null;
  const byId = logicalId ? `id|${logicalId}` : null;
  let sourceKey = isSchedulingType(type)
    ? `id|${logicalId ?? ''}`
    : type === 'Patient'
      ? (byId ?? byIdentifier ?? (bsn ? `bsn-index|${bsnIndex(options.keys, bsn).toString('hex')}` : null))
      : (byIdentifier ?? byId);
  if (sourceKey === null) {
    add(
      'required',
      'identifier',
      'is required (an identifier with system and value, or an id), so that a re-send updates the resource instead of duplicating it',
    );
    return fail();
  }
  if (sourceKey.length > SOURCE_KEY_MAX) {
    add('too-long', 'identifier', `system and value together are longer than ${SOURCE_KEY_MAX} characters`);
    return fail();
  }
  sourceKey = sourceKey.normalize('NFC');

  // Server-managed fields go: the id is kept as the logical id (stored beside the resource), the version is Koepel's.
  delete resource.id;
  if (isObject(resource.meta)) {
    delete resource.meta.versionId;
    delete resource.meta.lastUpdated;
    if (Object.keys(resource.meta).length === 0) delete resource.meta;
  }

  // Attachments: decoded, checked, and taken out of the JSON (stored encrypted beside it).
  const attachments: PreparedEntry['attachments'] = [];
  if (type === 'DocumentReference') {
    const content = resource.content as { attachment: Record<string, unknown> & { contentType: string } }[];
    content.forEach((c, position) => {
      const path = `${base}.content[${position}].attachment`;
      const result = decodeAttachment(c.attachment, path, label);
      if (!result.ok) {
        problems.push(...result.issues);
        return;
      }
      const decoded: DecodedAttachment | null = result.value;
      if (decoded) {
        attachments.push({ position, contentType: decoded.contentType, data: decoded.data });
        delete c.attachment.data;
        c.attachment.size = decoded.data.length;
        c.attachment.hash = sha1(decoded.data);
      }
    });
    if (problems.length > 0) return fail();
  }

  // References to other entries of this Bundle. Patients are named by their citizen (known once matched); other
  // resources by the id they get when stored.
  const references: ReferenceSite[] = [];
  const patientReferences: ReferenceSite[] = [];
  for (const object of referenceObjects(resource)) {
    const target = object.reference ? bundle.get(object.reference) : undefined;
    if (target) (target.type === 'Patient' ? patientReferences : references).push({ object, target: target.entry });
  }

  // The patient.
  let patient: PreparedEntry['patient'] = null;
  if (type !== 'Patient' && !isOrganisationType(type)) {
    const found = patientReference(type, resource, bundle);
    if ('problem' in found) {
      add(found.code, found.field, found.problem);
      return fail();
    }
    patient = found;
  }

  return {
    ok: true,
    entry: {
      index: options.index,
      label,
      base,
      fullUrl: options.fullUrl,
      type,
      logicalId,
      sourceKey,
      resource,
      attachments,
      bsn,
      patient,
      references,
      patientReferences,
    },
  };
}

type Found = { link: PatientLink; object: ReferenceSite['object']; path: string };
type NotFound = { problem: string; field: string; code: 'required' | 'value' | 'invalid' };

const PATIENT_ID_REF = /^Patient\/([A-Za-z0-9\-.]{1,64})$/;

function patientReference(
  type: Exclude<IngestType, 'Patient' | DirectoryType | SchedulingType>,
  resource: Record<string, unknown>,
  bundle: BundleIndex,
): Found | NotFound {
  if (type === 'Appointment') {
    const participants = (resource.participant ?? []) as { actor?: Record<string, unknown> }[];
    const patients = participants
      .map((p, i) => ({ actor: p.actor, i }))
      .filter(({ actor }) => actor !== undefined && namesPatient(actor, bundle));
    if (patients.length === 0)
      return { code: 'required', field: 'participant', problem: 'needs a participant whose actor is the patient' };
    if (patients.length > 1) return { code: 'invalid', field: 'participant', problem: 'names more than one patient' };
    const only = patients[0];
    if (!only?.actor) return { code: 'required', field: 'participant', problem: 'needs the patient' };
    return resolvePatient(only.actor, `participant[${only.i}].actor`, bundle);
  }
  const field = PATIENT_FIELD[type];
  const ref = resource[field];
  if (!isObject(ref)) return { code: 'required', field, problem: 'is required' };
  return resolvePatient(ref, field, bundle);
}

function namesPatient(actor: Record<string, unknown>, bundle: BundleIndex): boolean {
  const r = actor.reference;
  if (typeof r === 'string') return bundle.get(r)?.type === 'Patient' || r.startsWith('Patient/');
  if (actor.type === 'Patient') return true;
  return isObject(actor.identifier) && actor.identifier.system === BSN_SYSTEM;
}

function resolvePatient(ref: Record<string, unknown>, field: string, bundle: BundleIndex): Found | NotFound {
  const r = ref.reference;
  if (typeof r === 'string') {
    const inBundle = bundle.get(r);
    if (inBundle) {
      if (inBundle.type !== 'Patient') return { code: 'invalid', field, problem: 'must refer to a Patient' };
      return { link: { kind: 'entry', entry: inBundle.entry }, object: ref, path: field };
    }
    const m = PATIENT_ID_REF.exec(r);
    if (m?.[1]) return { link: { kind: 'id', id: m[1] }, object: ref, path: field };
    return {
      code: 'invalid',
      field: `${field}.reference`,
      problem:
        'must refer to a Patient entry of this Bundle (its fullUrl), to Patient/{id} sent earlier by your organisation, or be left out in favour of a BSN identifier',
    };
  }
  const id = ref.identifier;
  if (isObject(id) && id.system === BSN_SYSTEM) {
    const bsn = parseBsn(id.value);
    if (!bsn)
      return {
        code: 'value',
        field: `${field}.identifier.value`,
        problem: 'is not a valid BSN (it fails the 11-test)',
      };
    return { link: { kind: 'bsn', bsn }, object: ref, path: field };
  }
  return {
    code: 'required',
    field,
    problem: `needs a reference to the Patient or an identifier with system ${BSN_SYSTEM}`,
  };
}
