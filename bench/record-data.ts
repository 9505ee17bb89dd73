// Synthetic but realistic FHIR data for the record benchmark: valid BSNs, and transaction bundles of the kind a
// Dutch GP, pharmacy or hospital system sends (lab results with LOINC codes, ICPC episodes, G-Standaard medication,
// appointments, a letter). Deterministic for a given seed, so that runs are comparable.

/** A valid BSN (11-test) made from a number: 8 digits from n, the 9th chosen so the weighted sum is 0 mod 11. */
export function bsnFromNumber(n: number): string | null {
  const head = String(n).padStart(8, '0').slice(-8);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(head[i]) * (9 - i);
  // sum - last ≡ 0 (mod 11)  →  last ≡ sum (mod 11)
  const last = sum % 11;
  if (last > 9) return null;
  return `${head}${last}`;
}

/** count valid BSNs starting from a base far from the demo's 9999… test numbers. */
export function benchBsns(count: number, base = 70_000_000): string[] {
  const out: string[] = [];
  for (let n = base; out.length < count; n++) {
    const bsn = bsnFromNumber(n);
    if (bsn && bsn[0] !== '0') out.push(bsn);
  }
  return out;
}

// A small deterministic PRNG (mulberry32): the same seed gives the same data.
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LAB = [
  { code: '4548-4', display: 'HbA1c', unit: 'mmol/mol', low: 20, high: 42, mean: 48, spread: 10 },
  { code: '14749-6', display: 'Glucose', unit: 'mmol/L', low: 4, high: 7.8, mean: 7, spread: 2 },
  { code: '718-7', display: 'Hemoglobine', unit: 'mmol/L', low: 7.5, high: 10, mean: 8.6, spread: 0.8 },
  { code: '62238-1', display: 'eGFR (CKD-EPI)', unit: 'mL/min/1.73m2', low: 60, high: 200, mean: 75, spread: 15 },
  { code: '2093-3', display: 'Cholesterol totaal', unit: 'mmol/L', low: 0, high: 5, mean: 5.2, spread: 1 },
];
const EPISODES = [
  { system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'R74', display: 'Acute infectie bovenste luchtwegen' },
  { system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'L03', display: 'Lage rugpijn zonder uitstraling' },
  { system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'T90', display: 'Diabetes mellitus' },
  { system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'K86', display: 'Hypertensie zonder orgaanbeschadiging' },
];
const MEDICATION = [
  { gpk: '14249', atc: 'A10BA02', display: 'Metformine 500 mg tablet', dosage: '2 maal per dag 1 tablet' },
  { gpk: '46280', atc: 'C09AA02', display: 'Enalapril 10 mg tablet', dosage: '1 maal per dag 1 tablet' },
  { gpk: '80845', atc: 'C10AA05', display: 'Atorvastatine 20 mg tablet', dosage: '1 maal per dag 1 tablet, s avonds' },
  { gpk: '3352', atc: 'N02BE01', display: 'Paracetamol 500 mg tablet', dosage: 'zo nodig 3 maal per dag 2 tabletten' },
];

const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

type Resource = Record<string, unknown> & { resourceType: string };

/** The nl-core profile a resource claims: ingest then checks it against that profile too (issue 11). The lab
 * results, problems, allergies and the Patient claim one (about 75 % of the resources); medication and appointments do
 * not (MP9 wants another shape, and nl-core has no Appointment profile). */
const nlCore = (name: string) => ({ profile: [`http://nictiz.nl/fhir/StructureDefinition/nl-core-${name}`] });

const day = (base: number, offsetDays: number) => new Date(base + offsetDays * 86_400_000).toISOString();

/**
 * A transaction bundle of `resources` resources (plus the Patient) for one citizen from one organisation.
 * `source` makes identifiers unique per organisation system; `salt` per citizen.
 */
export function recordBundle(options: {
  bsn: string;
  source: string;
  salt: string;
  resources: number;
  seed: number;
  withDocument?: boolean;
}): Resource {
  const rnd = prng(options.seed);
  const now = Date.UTC(2026, 10, 1);
  const patientUrl = `urn:uuid:00000000-0000-4000-8000-${String(options.seed % 1e12).padStart(12, '0')}`;
  const subject = { reference: patientUrl };
  const entries: { fullUrl: string; resource: Resource }[] = [
    {
      fullUrl: patientUrl,
      resource: {
        resourceType: 'Patient',
        meta: nlCore('Patient'),
        identifier: [{ system: BSN_SYSTEM, value: options.bsn }],
      },
    },
  ];
  const id = (kind: string, i: number) => ({
    system: `urn:koepel-bench:${options.source}:${kind}`,
    value: `${options.salt}-${i}`,
  });
  for (let i = 0; i < options.resources; i++) {
    const pick = rnd();
    let resource: Resource;
    if (options.withDocument && i === 0) {
      resource = {
        resourceType: 'DocumentReference',
        identifier: [id('doc', i)],
        status: 'current',
        type: { coding: [{ system: 'http://loinc.org', code: '11488-4', display: 'Consultverslag' }] },
        subject,
        date: day(now, -Math.floor(rnd() * 700)),
        description: 'Consultverslag',
        content: [
          {
            attachment: {
              contentType: 'text/plain',
              title: 'Consultverslag',
              data: Buffer.from('Patient gezien op het spreekuur. Beleid: controle over drie maanden.').toString(
                'base64',
              ),
            },
          },
        ],
      };
    } else if (pick < 0.55) {
      const t = LAB[Math.floor(rnd() * LAB.length)] ?? LAB[0];
      if (!t) throw new Error('no lab tests');
      const value = Math.round((t.mean + (rnd() - 0.5) * 2 * t.spread) * 10) / 10;
      resource = {
        resourceType: 'Observation',
        meta: nlCore('LaboratoryTestResult'),
        identifier: [id('obs', i)],
        status: 'final',
        category: [
          {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }],
          },
        ],
        code: { coding: [{ system: 'http://loinc.org', code: t.code, display: t.display }], text: t.display },
        subject,
        effectiveDateTime: day(now, -Math.floor(rnd() * 730)),
        valueQuantity: { value, unit: t.unit, system: 'http://unitsofmeasure.org', code: t.unit },
        referenceRange: [{ low: { value: t.low, unit: t.unit }, high: { value: t.high, unit: t.unit } }],
        interpretation: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
                code: value > t.high ? 'H' : value < t.low ? 'L' : 'N',
              },
            ],
          },
        ],
      };
    } else if (pick < 0.7) {
      const e = EPISODES[Math.floor(rnd() * EPISODES.length)] ?? EPISODES[0];
      resource = {
        resourceType: 'Condition',
        meta: nlCore('Problem'),
        identifier: [id('cond', i)],
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
        },
        code: { coding: [e], text: e?.display },
        subject,
        onsetDateTime: day(now, -Math.floor(rnd() * 2000)),
      };
    } else if (pick < 0.85) {
      const m = MEDICATION[Math.floor(rnd() * MEDICATION.length)] ?? MEDICATION[0];
      if (!m) throw new Error('no medication');
      const start = -Math.floor(rnd() * 400);
      resource = {
        resourceType: 'MedicationStatement',
        identifier: [id('med', i)],
        status: rnd() < 0.7 ? 'active' : 'completed',
        medicationCodeableConcept: {
          coding: [
            { system: 'urn:oid:2.16.840.1.113883.2.4.4.1', code: m.gpk, display: m.display },
            { system: 'http://www.whocc.no/atc', code: m.atc },
          ],
          text: m.display,
        },
        subject,
        effectivePeriod: { start: day(now, start) },
        dosage: [{ text: m.dosage }],
      };
    } else if (pick < 0.95) {
      const start = day(now, Math.floor(rnd() * 120) - 60);
      resource = {
        resourceType: 'Appointment',
        identifier: [id('appt', i)],
        status: 'booked',
        description: 'Controle spreekuur',
        start,
        end: new Date(new Date(start).getTime() + 15 * 60_000).toISOString(),
        participant: [{ actor: subject, status: 'accepted' }],
      };
    } else {
      resource = {
        resourceType: 'AllergyIntolerance',
        meta: nlCore('AllergyIntolerance'),
        identifier: [id('allergy', i)],
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
        },
        code: { coding: [{ system: 'http://snomed.info/sct', code: '373270004', display: 'Penicilline' }] },
        patient: subject,
        recordedDate: day(now, -Math.floor(rnd() * 3000)),
      };
    }
    entries.push({ fullUrl: `urn:uuid:${uuidFrom(rnd)}`, resource });
  }
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: entries.map((e) => ({
      fullUrl: e.fullUrl,
      resource: e.resource,
      request: { method: 'POST', url: e.resource.resourceType },
    })),
  };
}

function uuidFrom(rnd: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The patient whose record the FHIR bench reads (bench/fhir.ts), in Koepel and in a Koepel that serves as its peer. */
export const FHIR_BENCH_READ_BSN = benchBsns(1, 60_000_000)[0] ?? '';
/** How many patients the FHIR bench's ingest scenario cycles through (each bundle for the next one). */
export const FHIR_BENCH_INGEST_PATIENTS = 200;
/** The patients the FHIR bench's ingest scenario writes for, one after another. */
export const fhirBenchIngestBsns = (count: number): string[] => benchBsns(count, 61_000_000);

/**
 * A plain FHIR R4 transaction Bundle: a Patient (identified by BSN) and `count` laboratory Observations about it, with
 * LOINC codes and values in UCUM units. Nothing in it is particular to Koepel, so any FHIR server can load it.
 */
export function observationBundle(options: { bsn: string; count: number; seed: number }): Resource {
  const rnd = prng(options.seed);
  const now = Date.UTC(2026, 10, 1);
  const patientUrl = `urn:uuid:${uuidFrom(rnd)}`;
  const entries: { fullUrl: string; resource: Resource }[] = [
    {
      fullUrl: patientUrl,
      resource: {
        resourceType: 'Patient',
        meta: nlCore('Patient'),
        identifier: [{ system: BSN_SYSTEM, value: options.bsn }],
      },
    },
  ];
  for (let i = 0; i < options.count; i++) {
    const t = LAB[i % LAB.length] ?? LAB[0];
    if (!t) throw new Error('no lab tests');
    const value = Math.round((t.mean + (rnd() - 0.5) * 2 * t.spread) * 10) / 10;
    entries.push({
      fullUrl: `urn:uuid:${uuidFrom(rnd)}`,
      resource: {
        resourceType: 'Observation',
        identifier: [{ system: 'urn:koepel-bench:fhir:obs', value: `${options.seed}-${i}` }],
        status: 'final',
        category: [
          {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }],
          },
        ],
        code: { coding: [{ system: 'http://loinc.org', code: t.code, display: t.display }], text: t.display },
        subject: { reference: patientUrl },
        effectiveDateTime: day(now, -i * 7),
        valueQuantity: { value, unit: t.unit, system: 'http://unitsofmeasure.org', code: t.unit },
      },
    });
  }
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: entries.map((e) => ({
      fullUrl: e.fullUrl,
      resource: e.resource,
      request: { method: 'POST', url: e.resource.resourceType },
    })),
  };
}
