// For tests: record data pushed in the way provider systems do it — writeResources under an API client principal of
// the organisation — plus one realistic resource of every record type, each carrying a marker text so that a test
// can see exactly whose data a page or Bundle shows. Not imported by the application.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { NO_ACCESS_POINT, writeAudit } from '../../platform/audit/audit.js';
import type { KeyStore } from '../../platform/crypto/keys.js';
import { withPrincipal, type Principal } from '../../platform/db/principal.js';
import type { DB, RecordResourceType } from '../../platform/db/schema.js';
import { writeResources, type FhirJson, type ResourceWrite, type WriteResult } from '../../record/index.js';

export type ClientPrincipal = Extract<Principal, { kind: 'client' }>;

export async function newApiClient(db: Kysely<DB>, organisationId: string): Promise<ClientPrincipal> {
  const row = await db
    .insertInto('api_client')
    .values({
      organisation_id: organisationId,
      name: 'test system',
      client_id: `kc_${randomBytes(12).toString('hex')}`,
      secret_hash: randomBytes(32),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { kind: 'client', clientId: row.id, organisationId };
}

export async function push(
  db: Kysely<DB>,
  keys: KeyStore,
  client: ClientPrincipal,
  writes: ResourceWrite[],
): Promise<WriteResult[]> {
  return withPrincipal(db, client, (tx) =>
    writeResources(
      { tx, principal: client, keys, audit: (...events) => writeAudit(tx, client, NO_ACCESS_POINT, events) },
      writes,
    ),
  );
}

/** Inserts a Practitioner into an organisation's directory (as the owner; H1's ingestion does this for real). */
export async function addPractitioner(
  db: Kysely<DB>,
  organisationId: string,
  logicalId: string,
  name: string,
): Promise<string> {
  const row = await db
    .insertInto('directory_resource')
    .values({
      organisation_id: organisationId,
      resource_type: 'Practitioner',
      source_key: `id|${logicalId}`,
      resource: JSON.stringify({
        resourceType: 'Practitioner',
        id: logicalId,
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers', value: `9000${logicalId.length}` }],
        name: [{ text: name }],
      }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const patientRef = { reference: 'Patient/p-1', display: 'De patiënt' };

/** One resource of every record type; every text carries `marker` (e.g. the organisation's short name). */
export function everyType(marker: string): { type: RecordResourceType; resource: FhirJson; pdf?: Buffer }[] {
  return [
    {
      type: 'Appointment',
      resource: {
        resourceType: 'Appointment',
        status: 'booked',
        description: `Controle ${marker}`,
        start: '2027-01-10T09:00:00+01:00',
        end: '2027-01-10T09:15:00+01:00',
        participant: [{ actor: patientRef, status: 'accepted' }],
      },
    },
    {
      type: 'Condition',
      resource: {
        resourceType: 'Condition',
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
        },
        code: {
          coding: [{ system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'L03', display: `Lage rugpijn ${marker}` }],
        },
        subject: patientRef,
        onsetDateTime: '2026-09-01',
      },
    },
    {
      type: 'Condition',
      resource: {
        resourceType: 'Condition',
        code: {
          coding: [{ system: 'http://snomed.info/sct', code: '73211009', display: `Diabetes mellitus ${marker}` }],
        },
        subject: patientRef,
        onsetDateTime: '2015-03-01',
      },
    },
    {
      type: 'AllergyIntolerance',
      resource: {
        resourceType: 'AllergyIntolerance',
        code: {
          coding: [{ system: 'http://snomed.info/sct', code: '91936005', display: `Penicilline-allergie ${marker}` }],
        },
        criticality: 'high',
        patient: patientRef,
        recordedDate: '2019-05-01',
      },
    },
    {
      type: 'Observation',
      resource: {
        resourceType: 'Observation',
        status: 'final',
        category: [
          { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
        ],
        code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: `Hemoglobine ${marker}` }] },
        subject: patientRef,
        performer: [{ reference: 'Practitioner/dr-1', display: 'Behandelaar' }],
        effectiveDateTime: '2026-10-01T09:00:00+02:00',
        valueQuantity: { value: 8.4, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
        referenceRange: [{ low: { value: 7.5, unit: 'mmol/L' }, high: { value: 10, unit: 'mmol/L' } }],
        interpretation: [
          { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'N' }] },
        ],
      },
    },
    {
      type: 'DocumentReference',
      resource: {
        resourceType: 'DocumentReference',
        status: 'current',
        type: { text: `Verwijsbrief ${marker}` },
        description: `Brief ${marker}`,
        subject: patientRef,
        date: '2026-10-02T10:00:00+02:00',
        content: [{ attachment: { contentType: 'application/pdf', title: `Brief ${marker}` } }],
      },
      pdf: Buffer.from(`%PDF-1.4 brief ${marker}`),
    },
    {
      type: 'MedicationStatement',
      resource: {
        resourceType: 'MedicationStatement',
        status: 'active',
        medicationCodeableConcept: {
          coding: [{ system: 'http://www.whocc.no/atc', code: 'A10BA02', display: `Metformine ${marker}` }],
        },
        subject: patientRef,
        effectivePeriod: { start: '2025-01-01' },
        dosage: [{ text: '2 maal daags 1 tablet' }],
      },
    },
    {
      type: 'MedicationRequest',
      resource: {
        resourceType: 'MedicationRequest',
        status: 'active',
        intent: 'order',
        medicationCodeableConcept: {
          coding: [{ system: 'http://www.whocc.no/atc', code: 'C09AA02', display: `Enalapril ${marker}` }],
        },
        subject: patientRef,
        authoredOn: '2026-08-01',
        dosageInstruction: [{ text: '1 maal daags 1 tablet' }],
      },
    },
    {
      type: 'MedicationDispense',
      resource: {
        resourceType: 'MedicationDispense',
        status: 'completed',
        medicationCodeableConcept: {
          coding: [{ system: 'http://www.whocc.no/atc', code: 'C09AA02', display: `Enalapril uitgifte ${marker}` }],
        },
        subject: patientRef,
        whenHandedOver: '2026-08-02',
        quantity: { value: 30, unit: 'tablet' },
      },
    },
    {
      type: 'CareTeam',
      resource: {
        resourceType: 'CareTeam',
        status: 'active',
        name: `Zorgteam ${marker}`,
        subject: patientRef,
        period: { start: '2024-01-01' },
        participant: [
          {
            role: [{ text: 'Hoofdbehandelaar' }],
            member: { reference: 'Practitioner/dr-1', display: `Dokter ${marker}` },
          },
        ],
      },
    },
  ];
}

/** Writes everyType(marker) for a citizen; source keys are unique per marker and citizen. */
export async function pushEveryType(
  db: Kysely<DB>,
  keys: KeyStore,
  client: ClientPrincipal,
  citizenId: string,
  marker: string,
): Promise<WriteResult[]> {
  return push(
    db,
    keys,
    client,
    everyType(marker).map((r, i) => ({
      citizenId,
      resourceType: r.type,
      sourceKey: `urn:test:${marker}|${citizenId}-${i}`,
      resource: r.resource,
      ...(r.pdf ? { attachments: [{ position: 0, contentType: 'application/pdf', data: r.pdf }] } : {}),
    })),
  );
}
