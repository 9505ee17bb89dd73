// What Koepel accepts per FHIR resource type. The shape of every resource is checked against the base FHIR R4
// definitions (src/fhir/base/validate.ts); what is here are Koepel's own rules on top: which types are stored where,
// which field names the patient, the BSN of a Patient, and limits that keep one resource a reasonable size.
import { parseBsn } from '../identity/index.js';
import { RECORD_RESOURCE_TYPES } from '../record/index.js';
import type { RecordResourceType } from '../platform/db/schema.js';
import { BSN_SYSTEM } from './datatypes.js';

/** Resources that belong to the organisation, not to a citizen: its practitioners, places and products. */
export type DirectoryType = 'Practitioner' | 'PractitionerRole' | 'Organization' | 'Location' | 'Medication';
/** The organisation's own agenda, published for citizens to book (issue 12; src/fhir/scheduling.ts). */
export type SchedulingType = 'Schedule' | 'Slot';
export type IngestType = RecordResourceType | DirectoryType | SchedulingType;

export const DIRECTORY_TYPES: readonly DirectoryType[] = [
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Location',
  'Medication',
];
export const SCHEDULING_TYPES: readonly SchedulingType[] = ['Schedule', 'Slot'];
export const INGEST_TYPES: readonly IngestType[] = [...RECORD_RESOURCE_TYPES, ...DIRECTORY_TYPES, ...SCHEDULING_TYPES];

export function isIngestType(v: unknown): v is IngestType {
  return typeof v === 'string' && (INGEST_TYPES as readonly string[]).includes(v);
}
export function isDirectoryType(v: unknown): v is DirectoryType {
  return typeof v === 'string' && (DIRECTORY_TYPES as readonly string[]).includes(v);
}
export function isSchedulingType(v: unknown): v is SchedulingType {
  return typeof v === 'string' && (SCHEDULING_TYPES as readonly string[]).includes(v);
}
/** Resources of the organisation rather than of a citizen: no patient to match. */
export function isOrganisationType(v: unknown): v is DirectoryType | SchedulingType {
  return isDirectoryType(v) || isSchedulingType(v);
}

/** Attachment types a citizen may safely open in a browser; the bytes are checked against the type. */
export const ATTACHMENT_TYPES = new Set(['application/pdf', 'text/plain', 'image/png', 'image/jpeg']);

/** A cross-field problem: where (a path inside the resource) and what. */
export interface RuleIssue {
  path: (string | number)[];
  message: string;
}
type Rule = (r: Record<string, unknown>) => RuleIssue[];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const patientRule: Rule = (p) => {
  const list = Array.isArray(p.identifier) ? p.identifier : [];
  const bsns = list
    .map((x: unknown, i) => [x, i] as const)
    .filter(
      (pair): pair is readonly [Record<string, unknown>, number] => isObject(pair[0]) && pair[0].system === BSN_SYSTEM,
    );
  if (bsns.length === 0) return [{ path: ['identifier'], message: `needs an identifier with system ${BSN_SYSTEM}` }];
  if (new Set(bsns.map(([x]) => x.value)).size > 1) {
    return [{ path: ['identifier'], message: 'has more than one different BSN' }];
  }
  return bsns
    .filter(([x]) => parseBsn(x.value) === null)
    .map(([, i]) => ({ path: ['identifier', i, 'value'], message: 'is not a valid BSN (it fails the 11-test)' }));
};

const appointmentRule: Rule = (a) =>
  typeof a.start === 'string' && typeof a.end === 'string' && Date.parse(a.end) < Date.parse(a.start)
    ? [{ path: ['end'], message: 'must not be before start' }]
    : [];

// A slot is a stretch of time: it ends after it starts (a zero-length slot cannot be booked, and the database's
// range would be empty).
const slotRule: Rule = (s) =>
  typeof s.start === 'string' && typeof s.end === 'string' && !(Date.parse(s.end) > Date.parse(s.start))
    ? [{ path: ['end'], message: 'must be after start' }]
    : [];

/** Koepel's own rules per type, on top of the base definitions. */
export const RESOURCE_RULES: Partial<Record<IngestType, Rule>> = {
  Patient: patientRule,
  Appointment: appointmentRule,
  Slot: slotRule,
};

/**
 * The field that names the patient, per record type (Appointment: a participant's actor, found separately). In FHIR
 * some of these are optional (Device.patient, Consent.patient, Specimen.subject …); Koepel stores a resource only
 * for a citizen, so it needs them.
 */
export const PATIENT_FIELD: Record<
  Exclude<RecordResourceType, 'Patient' | 'Appointment'>,
  'subject' | 'patient' | 'beneficiary'
> = {
  Condition: 'subject',
  AllergyIntolerance: 'patient',
  Observation: 'subject',
  DocumentReference: 'subject',
  MedicationStatement: 'subject',
  MedicationRequest: 'subject',
  MedicationDispense: 'subject',
  MedicationAdministration: 'subject',
  CareTeam: 'subject',
  Encounter: 'subject',
  EpisodeOfCare: 'patient',
  Procedure: 'subject',
  Immunization: 'patient',
  ImmunizationRecommendation: 'patient',
  DiagnosticReport: 'subject',
  Specimen: 'subject',
  Flag: 'subject',
  Device: 'patient',
  DeviceUseStatement: 'subject',
  Consent: 'patient',
  RelatedPerson: 'patient',
  NutritionOrder: 'patient',
  Goal: 'subject',
  CarePlan: 'subject',
  Coverage: 'beneficiary',
  Composition: 'subject',
  Media: 'subject',
};

/** Size limits for one resource (the body limit bounds the whole request). */
export const LIMITS = {
  /** Characters in one string; attachment data and the narrative have their own limits. */
  string: 100_000,
  /** Characters of the narrative (text.div). */
  narrative: 1_000_000,
  /** Items in one array. */
  array: 1_000,
};

/**
 * Strings and arrays over the limits, as paths (iterative, so a hostile document cannot exhaust the stack).
 * `attachment.data` is left to the attachment checks, which know its own limit.
 */
export function sizeProblems(resource: unknown): RuleIssue[] {
  const out: RuleIssue[] = [];
  const stack: [unknown, (string | number)[]][] = [[resource, []]];
  while (stack.length > 0 && out.length < 20) {
    const [v, path] = stack.pop() as [unknown, (string | number)[]];
    const key = path[path.length - 1];
    if (typeof v === 'string') {
      const max = key === 'div' ? LIMITS.narrative : key === 'data' ? Infinity : LIMITS.string;
      if (v.length > max) out.push({ path, message: `is longer than ${max} characters` });
    } else if (Array.isArray(v)) {
      if (v.length > LIMITS.array) out.push({ path, message: `has more than ${LIMITS.array} items` });
      else v.forEach((x, i) => stack.push([x, [...path, i]]));
    } else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) stack.push([x, [...path, k]]);
    }
  }
  return out;
}
