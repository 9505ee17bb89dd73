// The categories of the combined record. An organisation chooses which of them its citizens see (MG-1); a citizen
// can ask for more (MG-7). Each stored FHIR resource falls in exactly one category, decided here from its type and
// content, so that the database can filter on it without decrypting anything.
import type { RecordCategory, RecordResourceType } from '../platform/db/schema.js';

export const RECORD_CATEGORIES: readonly RecordCategory[] = [
  'appointments',
  'episodes',
  'sensitivities',
  'lab',
  'documents',
  'medication',
  'careteam',
];

export function isRecordCategory(v: unknown): v is RecordCategory {
  return typeof v === 'string' && (RECORD_CATEGORIES as readonly string[]).includes(v);
}

/**
 * The one list of resource types stored per citizen (Practitioner and PractitionerRole belong to the organisation's
 * directory). The compiler checks it against the database's own list (record_resource.resource_type's check).
 */
export const RECORD_RESOURCE_TYPES = [
  'Patient',
  'Appointment',
  'Condition',
  'AllergyIntolerance',
  'Observation',
  'DocumentReference',
  'MedicationStatement',
  'MedicationRequest',
  'MedicationDispense',
  'CareTeam',
] as const satisfies readonly RecordResourceType[];
// Every type the database allows is in the list above (the `satisfies` checks the other direction).
export const everyTypeListed: [Exclude<RecordResourceType, (typeof RECORD_RESOURCE_TYPES)[number]>] extends [never]
  ? true
  : never = true;

export function isRecordResourceType(v: unknown): v is RecordResourceType {
  return typeof v === 'string' && (RECORD_RESOURCE_TYPES as readonly string[]).includes(v);
}

/** The types a citizen reads as record resources (their own Patient is built from Koepel's data instead). */
export type CitizenRecordType = Exclude<RecordResourceType, 'Patient'>;
export const CITIZEN_RECORD_TYPES = RECORD_RESOURCE_TYPES.filter(
  (t): t is CitizenRecordType => t !== 'Patient',
) as readonly CitizenRecordType[];

export function isCitizenRecordType(v: unknown): v is CitizenRecordType {
  return typeof v === 'string' && (CITIZEN_RECORD_TYPES as readonly string[]).includes(v);
}

// zib "Probleem": diagnoses, complaints and symptoms are episodes. Conditions that matter as background for any
// caregiver — pregnancy, diabetes and the like — are "bijzonderheden" (particulars) and are shown with the
// sensitivities (MG-7). They are recognised by their code: SNOMED CT, or ICPC-1 as Dutch GP systems code episodes.
export const PARTICULAR_CODES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [
    'http://snomed.info/sct',
    new Set([
      '77386006', // pregnancy
      '73211009', // diabetes mellitus
      '44054006', // diabetes mellitus type 2
      '46635009', // diabetes mellitus type 1
      '38341003', // hypertension
      '13645005', // COPD
      '195967001', // asthma
      '84114007', // heart failure
      '709044004', // chronic kidney disease
    ]),
  ],
  [
    'http://hl7.org/fhir/sid/icpc-1-nl',
    new Set(['W78', 'T90', 'T90.01', 'T90.02', 'K86', 'K87', 'R95', 'R96', 'K77', 'U99.01']),
  ],
]);

interface Coding {
  system?: string;
  code?: string;
}
interface CodeableConcept {
  coding?: Coding[];
}

function codes(concepts: CodeableConcept[] | CodeableConcept | undefined): Coding[] {
  const list = Array.isArray(concepts) ? concepts : concepts ? [concepts] : [];
  return list.flatMap((c) => c.coding ?? []);
}

/** The category of a resource as stored; 'patient' for the Patient resource itself, which citizens are not shown. */
export function categorise(
  resource: { resourceType: RecordResourceType } & Record<string, unknown>,
): RecordCategory | 'patient' {
  switch (resource.resourceType) {
    case 'Patient':
      return 'patient';
    case 'Appointment':
      return 'appointments';
    case 'AllergyIntolerance':
      return 'sensitivities';
    case 'Observation':
      return 'lab';
    case 'DocumentReference':
      return 'documents';
    case 'MedicationStatement':
    case 'MedicationRequest':
    case 'MedicationDispense':
      return 'medication';
    case 'CareTeam':
      return 'careteam';
    case 'Condition': {
      const particular = codes(resource.code as CodeableConcept | undefined).some(
        (c) => c.system !== undefined && c.code !== undefined && PARTICULAR_CODES.get(c.system)?.has(c.code) === true,
      );
      return particular ? 'sensitivities' : 'episodes';
    }
  }
}

const asDate = (v: unknown): Date | null => {
  if (typeof v !== 'string') return null;
  const d = new Date(v.length === 4 ? `${v}-01-01` : v.length === 7 ? `${v}-01` : v);
  return Number.isNaN(d.getTime()) ? null : d;
};

const periodStart = (v: unknown): Date | null =>
  v && typeof v === 'object' ? asDate((v as { start?: unknown }).start) : null;

/** When the resource happened, for ordering and for "new since your last visit"; null when it does not say. */
export function effectiveAt(resource: { resourceType: RecordResourceType } & Record<string, unknown>): Date | null {
  const r = resource;
  switch (r.resourceType) {
    case 'Patient':
      return null;
    case 'Appointment':
      return asDate(r.start);
    case 'Condition':
      return asDate(r.onsetDateTime) ?? periodStart(r.onsetPeriod) ?? asDate(r.recordedDate);
    case 'AllergyIntolerance':
      return asDate(r.onsetDateTime) ?? asDate(r.recordedDate);
    case 'Observation':
      return asDate(r.effectiveDateTime) ?? periodStart(r.effectivePeriod) ?? asDate(r.issued);
    case 'DocumentReference':
      return asDate(r.date) ?? periodStart((r.context as { period?: unknown } | undefined)?.period);
    case 'MedicationStatement':
      return periodStart(r.effectivePeriod) ?? asDate(r.effectiveDateTime) ?? asDate(r.dateAsserted);
    case 'MedicationRequest':
      return asDate(r.authoredOn);
    case 'MedicationDispense':
      return asDate(r.whenHandedOver) ?? asDate(r.whenPrepared);
    case 'CareTeam':
      return periodStart(r.period);
  }
}
