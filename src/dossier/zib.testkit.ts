// For tests: published nl-core zib2020 example instances (Nictiz, CC0) ingested as a provider system sends them — a
// transaction Bundle, the patient named by BSN, references between entries. Not imported by the application.
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { nictizExamples } from '../../test/support/nictiz.js';
import { clientContext, ingestBundle } from '../fhir/ingest.js';
import { createApiClient } from '../fhir/ingest.testkit.js';
import type { KeyStore } from '../platform/crypto/keys.js';
import type { DB } from '../platform/db/schema.js';

export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';
export type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The examples by name ("BloodPressure-01", or a whole file stem), every patient reference made the citizen's BSN. */
export function zibExamples(names: string[], bsn: string): Json[] {
  const all = new Map(nictizExamples().map((e) => [e.file, e.resource]));
  return names.map((f) => {
    const r = all.get(`nl-core-${f}.xml`) ?? all.get(`${f}.xml`);
    assert.ok(r, `example ${f}`);
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!isObject(v)) return;
      for (const [k, x] of Object.entries(v)) {
        if (isObject(x) && typeof x.reference === 'string' && x.reference.startsWith('Patient/')) {
          v[k] = { identifier: { system: BSN_SYSTEM, value: bsn } };
        } else walk(x);
      }
    };
    walk(r);
    // Some examples name no patient (they are parts of another example); Koepel needs one to file them.
    const named = ['subject', 'patient', 'beneficiary'].some((f) => r[f] !== undefined);
    if (!named && !DIRECTORY_TYPES.has(String(r.resourceType))) {
      r[PATIENT_FIELD[String(r.resourceType)] ?? 'subject'] = { identifier: { system: BSN_SYSTEM, value: bsn } };
    }
    return r;
  });
}

const DIRECTORY_TYPES = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Location', 'Medication']);
const PATIENT_FIELD: Record<string, string> = { Device: 'patient', Consent: 'patient', Coverage: 'beneficiary' };

/** The same directory resource (type and identifier) once: examples share practitioners. */
export function withoutDuplicates(resources: Json[]): Json[] {
  const seen = new Set<string>();
  return resources.filter((r) => {
    if (!DIRECTORY_TYPES.has(String(r.resourceType)) || !Array.isArray(r.identifier)) return true;
    const keys = (r.identifier as Json[]).map(
      (i) => `${String(r.resourceType)}|${String(i.system)}|${String(i.value)}`,
    );
    if (keys.some((key) => seen.has(key))) return false;
    for (const key of keys) seen.add(key);
    return true;
  });
}

/** A transaction Bundle that PUTs each resource under its own id. */
export function transaction(resources: Json[]): Json {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => ({
      fullUrl: `https://example.org/fhir/${String(resource.resourceType)}/${String(resource.id)}`,
      resource,
      request: { method: 'PUT', url: `${String(resource.resourceType)}/${String(resource.id)}` },
    })),
  };
}

/** Ingests a Bundle as a new API client of the organisation; fails the test when it is refused. */
export async function ingestAs(
  k: { db: Kysely<DB>; koepel: { keys: KeyStore } },
  organisationId: string,
  resources: Json[],
): Promise<void> {
  const client = await createApiClient(k.db, organisationId);
  const ctx = clientContext({ db: k.db, keys: k.koepel.keys }, client.principal);
  const result = await ingestBundle(ctx, transaction(resources));
  assert.equal(result.status, 200, JSON.stringify(result.body).slice(0, 2000));
}

/** The examples the dossier tests show: vital signs, a finding, an immunisation, a procedure, aids, directives … */
export const ZIB_DISPLAY_EXAMPLES = [
  'BloodPressure-01',
  'BodyWeight-01',
  'BodyHeight-01',
  'BodyTemperature-01',
  'HeartRate-01',
  'HeartRate.HeartbeatRegularity-01',
  'O2Saturation-01',
  'AlcoholUse-01',
  'Vaccination-event-02',
  'Vaccination-02-PractitionerRole-01',
  'Vaccination-02-Organization-01',
  'Vaccination-request-01',
  'Procedure-event-01',
  'Procedure-01-PractitionerRole-01',
  'Procedure-01-Location-01',
  'Procedure-01-Organization-01',
  'MedicalDevice-01',
  'MedicalDevice.Product-01',
  'TreatmentDirective2-01',
  'TreatmentDirective2-01-PractitionerRole-01',
  'TreatmentDirective2-01-Practitioner-01',
  'TreatmentDirective2-01-RelatedPerson-01',
  'AdvanceDirective-01-RelatedPerson-01',
  'AdvanceDirective-01',
  'TreatmentObjective-01',
  'Encounter-01',
  'Encounter-01-Location-01',
  'Encounter-01-PractitionerRole-01',
  'Encounter-01-Practitioner-01',
  'Encounter-01-Organization-01',
  'Payer.InsuranceCompany-02',
];
