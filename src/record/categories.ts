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
  'vitals',
  'findings',
  'immunisations',
  'procedures',
  'visits',
  'aids',
  'directives',
  'careplan',
  'payer',
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
  'MedicationAdministration',
  'CareTeam',
  'Encounter',
  'EpisodeOfCare',
  'Procedure',
  'Immunization',
  'ImmunizationRecommendation',
  'DiagnosticReport',
  'Specimen',
  'Flag',
  'Device',
  'DeviceUseStatement',
  'Consent',
  'RelatedPerson',
  'NutritionOrder',
  'Goal',
  'CarePlan',
  'Coverage',
  'Composition',
  'Media',
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

const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const LOINC = 'http://loinc.org';
const NHG_LAB = new Set([
  'urn:oid:2.16.840.1.113883.2.4.4.30.45',
  'https://referentiemodel.nhg.org/tabellen/nhg-tabel-45-diagnostische-bepalingen',
]);

/** Vital signs by code, for senders that leave out the vital-signs category (LOINC and SNOMED CT as nl-core uses). */
export const VITAL_SIGN_CODES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [
    LOINC,
    new Set([
      '85354-9', // blood pressure panel
      '8480-6', // systolic
      '8462-4', // diastolic
      '29463-7', // body weight
      '8302-2', // body height
      '39156-5', // BMI
      '8310-5', // body temperature
      '8867-4', // heart rate
      '59408-5', // SpO2 by pulse oximetry
      '2708-6', // oxygen saturation in arterial blood
      '20564-1', // oxygen saturation in blood
      '9279-1', // respiratory rate
      '9843-4', // head circumference
      '8287-5', // head circumference (tape)
    ]),
  ],
  [
    'http://snomed.info/sct',
    new Set([
      '75367002', // blood pressure
      '27113001', // body weight
      '50373000', // body height
      '60621009', // BMI
      '386725007', // body temperature
      '78564009', // pulse rate
      '364075005', // heart rate
      '431314004', // SpO2
      '86290005', // respiratory rate
      '363812007', // head circumference
    ]),
  ],
]);

const hasCode = (list: Coding[], table: ReadonlyMap<string, ReadonlySet<string>>) =>
  list.some((c) => c.system !== undefined && c.code !== undefined && table.get(c.system)?.has(c.code) === true);

function observationCategory(r: Record<string, unknown>): RecordCategory {
  const categories = codes(r.category as CodeableConcept[] | undefined).filter(
    (c) => c.system === OBSERVATION_CATEGORY,
  );
  const code = codes(r.code as CodeableConcept | undefined);
  if (categories.some((c) => c.code === 'vital-signs') || hasCode(code, VITAL_SIGN_CODES)) return 'vitals';
  if (categories.some((c) => c.code === 'laboratory')) return 'lab';
  if (categories.length > 0) return 'findings';
  // No category: lab codes (LOINC, NHG table 45) are lab results, as Dutch lab systems send them; the rest are the
  // zib observations (lifestyle, functioning, scores, wounds …), mostly SNOMED CT.
  return code.some((c) => c.system === LOINC || (c.system !== undefined && NHG_LAB.has(c.system))) ? 'lab' : 'findings';
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
    case 'Flag':
      return 'sensitivities';
    case 'Observation':
      return observationCategory(resource);
    case 'DiagnosticReport':
    case 'Specimen':
      return 'lab';
    case 'DocumentReference':
    case 'Composition':
    case 'Media':
      return 'documents';
    case 'MedicationStatement':
    case 'MedicationRequest':
    case 'MedicationDispense':
    case 'MedicationAdministration':
      return 'medication';
    case 'CareTeam':
    case 'RelatedPerson':
      return 'careteam';
    case 'Immunization':
    case 'ImmunizationRecommendation':
      return 'immunisations';
    case 'Procedure':
      return 'procedures';
    case 'Encounter':
    case 'EpisodeOfCare':
      return 'visits';
    case 'Device':
    case 'DeviceUseStatement':
      return 'aids';
    case 'Consent':
      return 'directives';
    case 'Goal':
    case 'CarePlan':
    case 'NutritionOrder':
      return 'careplan';
    case 'Coverage':
      return 'payer';
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

const period = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : {};

/** When the resource happened, for ordering and for "new since your last visit"; null when it does not say. */
export function effectiveAt(resource: { resourceType: RecordResourceType } & Record<string, unknown>): Date | null {
  const r = resource;
  switch (r.resourceType) {
    case 'Patient':
    case 'RelatedPerson':
      return null;
    case 'Appointment':
      return asDate(r.start);
    case 'Condition':
      return asDate(r.onsetDateTime) ?? periodStart(r.onsetPeriod) ?? asDate(r.recordedDate);
    case 'AllergyIntolerance':
      return asDate(r.onsetDateTime) ?? asDate(r.recordedDate);
    case 'Observation':
    case 'DiagnosticReport':
      return (
        asDate(r.effectiveDateTime) ?? periodStart(r.effectivePeriod) ?? asDate(r.effectiveInstant) ?? asDate(r.issued)
      );
    case 'DocumentReference':
      return asDate(r.date) ?? periodStart((r.context as { period?: unknown } | undefined)?.period);
    case 'MedicationStatement':
      return periodStart(r.effectivePeriod) ?? asDate(r.effectiveDateTime) ?? asDate(r.dateAsserted);
    case 'MedicationRequest':
      return asDate(r.authoredOn) ?? periodStart(period(r.dispenseRequest).validityPeriod);
    case 'MedicationDispense':
      return asDate(r.whenHandedOver) ?? asDate(r.whenPrepared);
    case 'MedicationAdministration':
      return asDate(r.effectiveDateTime) ?? periodStart(r.effectivePeriod);
    case 'CareTeam':
    case 'EpisodeOfCare':
    case 'Encounter':
    case 'Coverage':
    case 'CarePlan':
    case 'DeviceUseStatement':
      return periodStart(r.period) ?? periodStart(r.timingPeriod) ?? asDate(r.timingDateTime) ?? asDate(r.recordedOn);
    case 'Procedure':
      return asDate(r.performedDateTime) ?? periodStart(r.performedPeriod);
    case 'Immunization':
      return asDate(r.occurrenceDateTime) ?? asDate(r.recorded);
    case 'ImmunizationRecommendation':
    case 'Composition':
      return asDate(r.date);
    case 'Specimen': {
      const c = (r.collection ?? {}) as { collectedDateTime?: unknown; collectedPeriod?: unknown };
      return asDate(c.collectedDateTime) ?? periodStart(c.collectedPeriod) ?? asDate(r.receivedTime);
    }
    case 'Flag':
      return periodStart(r.period);
    case 'Device':
      return asDate(r.manufactureDate);
    case 'Consent':
      return asDate(r.dateTime);
    case 'NutritionOrder':
      return asDate(r.dateTime);
    case 'Goal':
      return asDate(r.startDate) ?? asDate(r.statusDate);
    case 'Media':
      return asDate(r.createdDateTime) ?? periodStart(r.createdPeriod) ?? asDate(r.issued);
  }
}
