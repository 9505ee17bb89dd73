// What Koepel accepts per FHIR resource type: the fields the citizen's record view relies on are validated here
// (Dutch code systems from NL-STANDARDS.md); everything else passes through unchanged.
import { z } from 'zod';
import { parseBsn } from '../identity/index.js';
import { RECORD_RESOURCE_TYPES } from '../record/index.js';
import type { RecordResourceType } from '../platform/db/schema.js';
import {
  BSN_SYSTEM,
  FHIR_ID,
  codeableConcept,
  codedIn,
  code,
  date,
  dateTime,
  identifier,
  instant,
  meaningfulConcept,
  meta,
  period,
  quantity,
  reference,
  text,
} from './datatypes.js';

export type DirectoryType = 'Practitioner' | 'PractitionerRole';
export type IngestType = RecordResourceType | DirectoryType;

export const DIRECTORY_TYPES: readonly DirectoryType[] = ['Practitioner', 'PractitionerRole'];
export const INGEST_TYPES: readonly IngestType[] = [...RECORD_RESOURCE_TYPES, ...DIRECTORY_TYPES];

export function isIngestType(v: unknown): v is IngestType {
  return typeof v === 'string' && (INGEST_TYPES as readonly string[]).includes(v);
}
export function isDirectoryType(v: unknown): v is DirectoryType {
  return v === 'Practitioner' || v === 'PractitionerRole';
}

export const LAB_SYSTEMS = new Set(['http://loinc.org', 'urn:oid:2.16.840.1.113883.2.4.4.30.45']);
export const MEDICATION_SYSTEMS = new Set([
  'urn:oid:2.16.840.1.113883.2.4.4.1', // G-Standaard GPK
  'urn:oid:2.16.840.1.113883.2.4.4.10', // G-Standaard PRK
  'urn:oid:2.16.840.1.113883.2.4.4.7', // G-Standaard HPK
  'urn:oid:2.16.840.1.113883.2.4.4.8', // G-Standaard ZI-nummer
  'http://www.whocc.no/atc', // ATC
  'urn:oid:2.16.840.1.113883.6.73', // ATC (OID form)
]);
const LAB_WHAT = 'LOINC (http://loinc.org) or the NHG lab table 45 (urn:oid:2.16.840.1.113883.2.4.4.30.45)';
const MEDICATION_WHAT = 'the G-Standaard (GPK, PRK, HPK or ZI-number) or ATC';

/** Attachment types a citizen may safely open in a browser; the bytes are checked against the type. */
export const ATTACHMENT_TYPES = new Set(['application/pdf', 'text/plain', 'image/png', 'image/jpeg']);

const base = <T extends string>(type: T) => ({
  resourceType: z.literal(type),
  id: z.string().regex(FHIR_ID, { error: 'must be a FHIR id (1-64 letters, digits, "-" or ".")' }).optional(),
  meta: meta.optional(),
  identifier: z.array(identifier).max(20).optional(),
});

const dosage = z.looseObject({ text: text(2000).optional(), sequence: z.number().int().optional() });
const withDosageText = (list: z.ZodArray<typeof dosage>) =>
  list.refine((d) => d.some((x) => (x.text ?? '').trim() !== ''), { error: 'needs a dosage with a text' });

/** medication[x]: a coded concept, or a reference to a contained Medication with a coded `code`. */
const medication = {
  medicationCodeableConcept: codedIn(MEDICATION_SYSTEMS, MEDICATION_WHAT).optional(),
  medicationReference: reference.optional(),
  contained: z
    .array(z.looseObject({ resourceType: z.string(), id: z.string().optional() }))
    .max(20)
    .optional(),
};
/** A cross-field problem: where (a path inside the resource) and what. */
export interface RuleIssue {
  path: (string | number)[];
  message: string;
}
type Rule = (r: Record<string, unknown>) => RuleIssue[];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const medicationRule: Rule = (r) => {
  if (r.medicationCodeableConcept !== undefined) {
    return r.medicationReference !== undefined
      ? [{ path: ['medicationReference'], message: 'give medicationCodeableConcept or medicationReference, not both' }]
      : [];
  }
  const ref = isObject(r.medicationReference) ? r.medicationReference.reference : undefined;
  if (typeof ref !== 'string') {
    return [
      {
        path: ['medicationCodeableConcept'],
        message: 'is required: medicationCodeableConcept, or medicationReference to a contained Medication',
      },
    ];
  }
  const contained = Array.isArray(r.contained) ? r.contained : [];
  const index = ref.startsWith('#')
    ? contained.findIndex((c) => isObject(c) && c.resourceType === 'Medication' && c.id === ref.slice(1))
    : -1;
  const found: unknown = contained[index];
  if (index < 0 || !isObject(found)) {
    return [{ path: ['medicationReference', 'reference'], message: 'must refer to a contained Medication ("#id")' }];
  }
  return codedIn(MEDICATION_SYSTEMS, MEDICATION_WHAT).safeParse(found.code).success
    ? []
    : [{ path: ['contained', index, 'code'], message: `needs a coding (system and code) from ${MEDICATION_WHAT}` }];
};

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

const patient = z.looseObject({
  ...base('Patient'),
  identifier: z.array(identifier).min(1, { error: 'needs the BSN identifier' }).max(20),
  birthDate: date.optional(),
  gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
});

const APPOINTMENT_STATUS = [
  'proposed',
  'pending',
  'booked',
  'arrived',
  'fulfilled',
  'cancelled',
  'noshow',
  'entered-in-error',
  'checked-in',
  'waitlist',
] as const;
const appointment = z.looseObject({
  ...base('Appointment'),
  status: z.enum(APPOINTMENT_STATUS),
  start: instant,
  end: instant.optional(),
  description: text(2000).optional(),
  serviceType: z.array(codeableConcept).max(20).optional(),
  appointmentType: codeableConcept.optional(),
  participant: z
    .array(
      z.looseObject({
        actor: reference.optional(),
        status: z.enum(['accepted', 'declined', 'tentative', 'needs-action']).optional(),
      }),
    )
    .min(1)
    .max(50),
});

const appointmentRule: Rule = (a) =>
  typeof a.start === 'string' && typeof a.end === 'string' && Date.parse(a.end) < Date.parse(a.start)
    ? [{ path: ['end'], message: 'must not be before start' }]
    : [];

const condition = z.looseObject({
  ...base('Condition'),
  code: meaningfulConcept,
  subject: reference,
  clinicalStatus: codeableConcept.optional(),
  verificationStatus: codeableConcept.optional(),
  category: z.array(codeableConcept).max(20).optional(),
  onsetDateTime: dateTime.optional(),
  onsetPeriod: period.optional(),
  abatementDateTime: dateTime.optional(),
  recordedDate: dateTime.optional(),
});

const allergyIntolerance = z.looseObject({
  ...base('AllergyIntolerance'),
  code: meaningfulConcept,
  patient: reference,
  clinicalStatus: codeableConcept.optional(),
  verificationStatus: codeableConcept.optional(),
  type: z.enum(['allergy', 'intolerance']).optional(),
  category: z
    .array(z.enum(['food', 'medication', 'environment', 'biologic']))
    .max(4)
    .optional(),
  criticality: z.enum(['low', 'high', 'unable-to-assess']).optional(),
  onsetDateTime: dateTime.optional(),
  recordedDate: dateTime.optional(),
  reaction: z
    .array(
      z.looseObject({
        manifestation: z.array(codeableConcept).min(1).max(20),
        severity: z.enum(['mild', 'moderate', 'severe']).optional(),
      }),
    )
    .max(20)
    .optional(),
});

const OBSERVATION_VALUES = [
  'valueQuantity',
  'valueCodeableConcept',
  'valueString',
  'valueBoolean',
  'valueInteger',
  'valueRange',
  'valueRatio',
  'valueSampledData',
  'valueTime',
  'valueDateTime',
  'valuePeriod',
] as const;
const observation = z.looseObject({
  ...base('Observation'),
  status: z.enum([
    'registered',
    'preliminary',
    'final',
    'amended',
    'corrected',
    'cancelled',
    'entered-in-error',
    'unknown',
  ]),
  code: codedIn(LAB_SYSTEMS, LAB_WHAT),
  subject: reference,
  effectiveDateTime: dateTime.optional(),
  effectivePeriod: period.optional(),
  effectiveInstant: instant.optional(),
  issued: instant.optional(),
  valueQuantity: quantity
    .refine((q) => q.value !== undefined, { error: 'needs a value', path: ['value'] })
    .refine((q) => (q.unit ?? '').trim() !== '' || q.code !== undefined, { error: 'needs a unit', path: ['unit'] })
    .optional(),
  valueCodeableConcept: meaningfulConcept.optional(),
  valueString: text(10_000).optional(),
  valueBoolean: z.boolean().optional(),
  valueInteger: z.number().int().optional(),
  dataAbsentReason: codeableConcept.optional(),
  interpretation: z.array(codeableConcept).max(10).optional(),
  referenceRange: z
    .array(
      z.looseObject({
        low: quantity.optional(),
        high: quantity.optional(),
        text: text(1000).optional(),
      }),
    )
    .max(10)
    .optional(),
  component: z
    .array(z.looseObject({ code: codeableConcept }))
    .max(50)
    .optional(),
  hasMember: z.array(reference).max(100).optional(),
});

const observationRule: Rule = (o) => {
  const out: RuleIssue[] = [];
  const values = OBSERVATION_VALUES.filter((k) => o[k] !== undefined);
  const some = (v: unknown) => Array.isArray(v) && v.length > 0;
  if (values.length > 1) out.push({ path: [values[1] ?? 'value[x]'], message: 'has more than one value[x]' });
  if (values.length === 0 && o.dataAbsentReason === undefined && !some(o.component) && !some(o.hasMember))
    out.push({ path: ['value[x]'], message: 'is required (or dataAbsentReason)' });
  const effective = [o.effectiveDateTime, o.effectivePeriod, o.effectiveInstant].filter((v) => v !== undefined);
  if (effective.length === 0) out.push({ path: ['effective[x]'], message: 'is required (when the sample was taken)' });
  if (effective.length > 1) out.push({ path: ['effective[x]'], message: 'has more than one effective[x]' });
  return out;
};

const documentReference = z.looseObject({
  ...base('DocumentReference'),
  status: z.enum(['current', 'superseded', 'entered-in-error']),
  docStatus: z.enum(['preliminary', 'final', 'amended', 'entered-in-error']).optional(),
  type: codeableConcept.optional(),
  category: z.array(codeableConcept).max(10).optional(),
  subject: reference,
  date: instant.optional(),
  description: text(2000).optional(),
  content: z
    .array(
      z.looseObject({
        attachment: z.looseObject({
          contentType: z.string().max(100),
          language: code.optional(),
          data: z.string().optional(),
          url: z.string().min(1).max(2000).optional(),
          size: z.number().int().min(0).optional(),
          hash: z.string().max(100).optional(),
          title: text(500).optional(),
          creation: dateTime.optional(),
        }),
        format: z.looseObject({}).optional(),
      }),
    )
    .min(1)
    .max(20),
  context: z.looseObject({ period: period.optional() }).optional(),
});

const MEDICATION_STATEMENT_STATUS = [
  'active',
  'completed',
  'entered-in-error',
  'intended',
  'stopped',
  'on-hold',
  'unknown',
  'not-taken',
] as const;
const medicationStatement = z.looseObject({
  ...base('MedicationStatement'),
  ...medication,
  status: z.enum(MEDICATION_STATEMENT_STATUS),
  subject: reference,
  effectiveDateTime: dateTime.optional(),
  effectivePeriod: period.optional(),
  dateAsserted: dateTime.optional(),
  dosage: withDosageText(z.array(dosage).min(1).max(20)),
});

const medicationRequest = z.looseObject({
  ...base('MedicationRequest'),
  ...medication,
  status: z.enum(['active', 'on-hold', 'cancelled', 'completed', 'entered-in-error', 'stopped', 'draft', 'unknown']),
  intent: z.enum([
    'proposal',
    'plan',
    'order',
    'original-order',
    'reflex-order',
    'filler-order',
    'instance-order',
    'option',
  ]),
  subject: reference,
  authoredOn: dateTime.optional(),
  dosageInstruction: withDosageText(z.array(dosage).min(1).max(20)),
  dispenseRequest: z
    .looseObject({
      validityPeriod: period.optional(),
      numberOfRepeatsAllowed: z.number().int().min(0).max(1000).optional(),
      quantity: quantity.optional(),
    })
    .optional(),
});

const medicationDispense = z.looseObject({
  ...base('MedicationDispense'),
  ...medication,
  status: z.enum([
    'preparation',
    'in-progress',
    'cancelled',
    'on-hold',
    'completed',
    'entered-in-error',
    'stopped',
    'declined',
    'unknown',
  ]),
  subject: reference,
  quantity: quantity.optional(),
  daysSupply: quantity.optional(),
  whenPrepared: dateTime.optional(),
  whenHandedOver: dateTime.optional(),
  dosageInstruction: z.array(dosage).max(20).optional(),
  authorizingPrescription: z.array(reference).max(20).optional(),
});

const careTeam = z.looseObject({
  ...base('CareTeam'),
  status: z.enum(['proposed', 'active', 'suspended', 'inactive', 'entered-in-error']).optional(),
  name: text(500).optional(),
  subject: reference,
  period: period.optional(),
  participant: z
    .array(
      z.looseObject({
        role: z.array(codeableConcept).max(10).optional(),
        member: reference,
        period: period.optional(),
      }),
    )
    .max(100)
    .optional(),
});

const humanName = z.looseObject({
  text: text(500).optional(),
  family: text(200).optional(),
  given: z.array(text(200)).max(10).optional(),
});
const practitioner = z.looseObject({
  ...base('Practitioner'),
  name: z
    .array(humanName)
    .min(1)
    .max(10)
    .refine((ns) => ns.some((n) => (n.family ?? n.text ?? '').trim() !== ''), {
      error: 'needs a family name or a text',
    }),
});

const practitionerRole = z.looseObject({
  ...base('PractitionerRole'),
  practitioner: reference.optional(),
  organization: reference.optional(),
  code: z.array(codeableConcept).max(20).optional(),
  specialty: z.array(codeableConcept).max(20).optional(),
});

export const RESOURCE_SCHEMAS: Record<IngestType, z.ZodType<Record<string, unknown>>> = {
  Patient: patient,
  Appointment: appointment,
  Condition: condition,
  AllergyIntolerance: allergyIntolerance,
  Observation: observation,
  DocumentReference: documentReference,
  MedicationStatement: medicationStatement,
  MedicationRequest: medicationRequest,
  MedicationDispense: medicationDispense,
  CareTeam: careTeam,
  Practitioner: practitioner,
  PractitionerRole: practitionerRole,
};

/**
 * Rules across fields. They run on the resource as sent, also when its shape has problems, so that one answer
 * lists everything that is wrong (zod skips object-level refinements once a field fails).
 */
export const RESOURCE_RULES: Partial<Record<IngestType, Rule>> = {
  Patient: patientRule,
  Appointment: appointmentRule,
  Observation: observationRule,
  MedicationStatement: medicationRule,
  MedicationRequest: medicationRule,
  MedicationDispense: medicationRule,
};

/** The field that names the patient, per record type (Appointment: a participant's actor, found separately). */
export const PATIENT_FIELD: Record<Exclude<RecordResourceType, 'Patient' | 'Appointment'>, 'subject' | 'patient'> = {
  Condition: 'subject',
  AllergyIntolerance: 'patient',
  Observation: 'subject',
  DocumentReference: 'subject',
  MedicationStatement: 'subject',
  MedicationRequest: 'subject',
  MedicationDispense: 'subject',
  CareTeam: 'subject',
};
