// Demo record data: what the provider systems of the demo organisations would have pushed in over FHIR. Each
// organisation gets one demo API client (its "system"; nobody can log in with it: the secret hash is random), and
// the data goes in through writeResources under that client, exactly like a real push: encrypted, audited,
// idempotent, with events. Dates are relative to the moment of seeding, so the demo always has recent results and
// upcoming appointments.
//
// The codes are real code systems (ICPC-1-NL, LOINC, SNOMED CT, ATC) with the displays a Dutch system would send.
// G-Standaard PRK numbers are illustrative: the G-Standaard is licensed and its numbers cannot be checked here.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Kysely } from 'kysely';
import { parseBsn } from '../identity/index.js';
import { bsnIndex } from '../identity/index.js';
import type { KeyStore } from '../platform/crypto/keys.js';
import type { Principal } from '../platform/db/principal.js';
import { runInScope } from '../platform/db/scope.js';
import type { DB, RecordCategory } from '../platform/db/schema.js';
import { writeResources, type FhirJson, type ResourceWrite } from '../record/index.js';
import { DEMO_ORGANISATIONS } from './seed.js';

const BSN = {
  suzanne: '999993653',
  pieter: '999990019',
  fatima: '999990020',
  johannes: '999990032',
} as const;
type Person = keyof typeof BSN;

/** The GP makes everything available except its correspondence: a citizen can ask for it (MG-7). */
export const DEMO_GP_RECORD_CATEGORIES: RecordCategory[] = [
  'appointments',
  'episodes',
  'sensitivities',
  'lab',
  'medication',
  'careteam',
];

const SYS = {
  icpc: 'http://hl7.org/fhir/sid/icpc-1-nl',
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  atc: 'http://www.whocc.no/atc',
  prk: 'urn:oid:2.16.840.1.113883.2.4.4.10',
  agb: 'http://fhir.nl/fhir/NamingSystem/agb-z',
  big: 'http://fhir.nl/fhir/NamingSystem/big',
  obsCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  courseOfTherapy: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Time: everything relative to "now", appointments at a local (Amsterdam) wall-clock time.
// ---------------------------------------------------------------------------------------------------------------
const DAY = 86_400_000;

function amsterdamOffset(d: Date): string {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Amsterdam', timeZoneName: 'longOffset' })
      .formatToParts(d)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+01:00';
  const m = /GMT([+-]\d{2}:\d{2})/.exec(name);
  return m?.[1] ?? '+01:00';
}

class Clock {
  constructor(readonly now: Date) {}
  /** A moment `days` from now (negative: in the past), at hh:mm Amsterdam time, as FHIR dateTime with offset. */
  at(days: number, hh = 9, mm = 0): string {
    const day = new Date(this.now.getTime() + days * DAY);
    const ymd = day.toISOString().slice(0, 10);
    const offset = amsterdamOffset(new Date(`${ymd}T12:00:00Z`));
    return `${ymd}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00${offset}`;
  }
  date(days: number): string {
    return new Date(this.now.getTime() + days * DAY).toISOString().slice(0, 10);
  }
  plusMinutes(dateTime: string, minutes: number): string {
    const d = new Date(new Date(dateTime).getTime() + minutes * 60_000);
    const offset = amsterdamOffset(d);
    const sign = offset.startsWith('-') ? -1 : 1;
    const [oh, om] = offset.slice(1).split(':').map(Number);
    const local = new Date(d.getTime() + sign * ((oh ?? 0) * 60 + (om ?? 0)) * 60_000);
    return `${local.toISOString().slice(0, 19)}${offset}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small FHIR builders.
// ---------------------------------------------------------------------------------------------------------------
interface Write {
  person: Person;
  resource: FhirJson;
  attachments?: { position: number; contentType: string; data: Buffer }[];
}

const coding = (system: string, code: string, display: string) => ({ system, code, display });
const concept = (system: string, code: string, display: string, text = display) => ({
  coding: [coding(system, code, display)],
  text,
});

function identifierOf(source: string, kind: string, value: string) {
  return { system: `urn:koepel-demo:${source}:${kind}`, value };
}

interface LabTest {
  code: string;
  display: string;
  text: string;
  unit: string;
  ucum: string;
  low?: number;
  high?: number;
}

const LAB = {
  hba1c: {
    code: '59261-8',
    display: 'Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol',
    text: 'HbA1c',
    unit: 'mmol/mol',
    ucum: 'mmol/mol',
    low: 20,
    high: 42,
  },
  glucose: {
    code: '14771-0',
    display: 'Fasting glucose [Moles/volume] in Serum or Plasma',
    text: 'Glucose nuchter',
    unit: 'mmol/L',
    ucum: 'mmol/L',
    low: 4.0,
    high: 6.1,
  },
  egfr: {
    code: '62238-1',
    display:
      'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)',
    text: 'eGFR (CKD-EPI)',
    unit: 'mL/min/1,73m²',
    ucum: 'mL/min/{1.73_m2}',
    low: 60,
  },
  hb: {
    code: '718-7',
    display: 'Hemoglobin [Mass/volume] in Blood',
    text: 'Hemoglobine (Hb)',
    unit: 'mmol/L',
    ucum: 'mmol/L',
    low: 7.5,
    high: 10.0,
  },
  leuko: {
    code: '6690-2',
    display: 'Leukocytes [#/volume] in Blood by Automated count',
    text: 'Leukocyten',
    unit: '10⁹/L',
    ucum: '10*9/L',
    low: 4.0,
    high: 10.0,
  },
  crp: {
    code: '1988-5',
    display: 'C reactive protein [Mass/volume] in Serum or Plasma',
    text: 'CRP',
    unit: 'mg/L',
    ucum: 'mg/L',
    high: 10,
  },
  alat: {
    code: '1742-6',
    display: 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma',
    text: 'ALAT',
    unit: 'U/L',
    ucum: 'U/L',
    high: 35,
  },
  bili: {
    code: '1975-2',
    display: 'Bilirubin.total [Moles/volume] in Serum or Plasma',
    text: 'Bilirubine totaal',
    unit: 'µmol/L',
    ucum: 'umol/L',
    high: 17,
  },
  potassium: {
    code: '2823-3',
    display: 'Potassium [Moles/volume] in Serum or Plasma',
    text: 'Kalium',
    unit: 'mmol/L',
    ucum: 'mmol/L',
    low: 3.5,
    high: 5.0,
  },
  ferritin: {
    code: '2276-4',
    display: 'Ferritin [Mass/volume] in Serum or Plasma',
    text: 'Ferritine',
    unit: 'µg/L',
    ucum: 'ug/L',
    low: 15,
    high: 150,
  },
  ntprobnp: {
    code: '33762-6',
    display: 'Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma',
    text: 'NT-proBNP',
    unit: 'ng/L',
    ucum: 'ng/L',
    high: 125,
  },
} satisfies Record<string, LabTest>;

const INTERPRETATION = {
  H: 'Hoog',
  L: 'Laag',
  N: 'Normaal',
} as const;

function observation(
  source: string,
  id: string,
  test: LabTest,
  value: number,
  effective: string,
  performer: string,
): FhirJson {
  const flag =
    test.high !== undefined && value > test.high ? 'H' : test.low !== undefined && value < test.low ? 'L' : 'N';
  const q = (v: number) => ({ value: v, unit: test.unit, system: SYS.ucum, code: test.ucum });
  return {
    resourceType: 'Observation',
    identifier: [identifierOf(source, 'lab', id)],
    status: 'final',
    category: [{ coding: [coding(SYS.obsCategory, 'laboratory', 'Laboratory')] }],
    code: { coding: [coding(SYS.loinc, test.code, test.display)], text: test.text },
    subject: { reference: `Patient/${source}-patient` },
    effectiveDateTime: effective,
    issued: effective,
    performer: [{ display: performer }],
    valueQuantity: q(value),
    interpretation: [{ coding: [coding(SYS.interpretation, flag, INTERPRETATION[flag])] }],
    referenceRange: [
      {
        ...(test.low !== undefined ? { low: q(test.low) } : {}),
        ...(test.high !== undefined ? { high: q(test.high) } : {}),
      },
    ],
  };
}

function condition(
  source: string,
  id: string,
  code: [string, string],
  onset: string,
  status: 'active' | 'resolved' | 'inactive',
  opts: { abatement?: string; note?: string; system?: string } = {},
): FhirJson {
  return {
    resourceType: 'Condition',
    identifier: [identifierOf(source, 'episode', id)],
    clinicalStatus: { coding: [coding(SYS.conditionClinical, status, status)] },
    verificationStatus: { coding: [coding(SYS.conditionVerification, 'confirmed', 'Confirmed')] },
    code: concept(opts.system ?? SYS.icpc, code[0], code[1]),
    subject: { reference: `Patient/${source}-patient` },
    onsetDateTime: onset,
    ...(opts.abatement ? { abatementDateTime: opts.abatement } : {}),
    recordedDate: onset,
    ...(opts.note ? { note: [{ text: opts.note }] } : {}),
  };
}

function appointment(
  source: string,
  id: string,
  opts: {
    start: string;
    minutes: number;
    status: 'booked' | 'fulfilled' | 'cancelled';
    service: string;
    description: string;
    with: string;
    practitioner?: string;
    location: string;
    instruction?: string;
    leaflet?: { id: string; display: string };
  },
  clock: Clock,
): FhirJson {
  return {
    resourceType: 'Appointment',
    id,
    identifier: [identifierOf(source, 'appointment', id)],
    status: opts.status,
    serviceType: [{ text: opts.service }],
    description: opts.description,
    start: opts.start,
    end: clock.plusMinutes(opts.start, opts.minutes),
    minutesDuration: opts.minutes,
    ...(opts.instruction ? { patientInstruction: opts.instruction } : {}),
    ...(opts.leaflet
      ? {
          supportingInformation: [{ reference: `DocumentReference/${opts.leaflet.id}`, display: opts.leaflet.display }],
        }
      : {}),
    participant: [
      { actor: { reference: `Patient/${source}-patient` }, status: 'accepted' },
      {
        actor: { ...(opts.practitioner ? { reference: `Practitioner/${opts.practitioner}` } : {}), display: opts.with },
        status: 'accepted',
      },
      { actor: { display: opts.location }, status: 'accepted' },
    ],
  };
}

function document(
  source: string,
  id: string,
  opts: {
    type: [string, string, string]; // LOINC code, display, Dutch text
    date: string;
    description: string;
    author: string;
    custodian: string;
    title: string;
    contentType: 'application/pdf' | 'text/plain';
    data: Buffer;
  },
): Write['resource'] & { __attachment: Buffer } {
  return {
    resourceType: 'DocumentReference',
    id,
    identifier: [identifierOf(source, 'document', id)],
    status: 'current',
    type: concept(SYS.loinc, opts.type[0], opts.type[1], opts.type[2]),
    subject: { reference: `Patient/${source}-patient` },
    date: opts.date,
    author: [{ display: opts.author }],
    custodian: { display: opts.custodian },
    description: opts.description,
    content: [
      {
        attachment: {
          contentType: opts.contentType,
          language: 'nl',
          title: opts.title,
          size: opts.data.length,
          creation: opts.date,
        },
      },
    ],
    __attachment: opts.data,
  };
}

interface Medicine {
  prk: string;
  atc: string;
  atcDisplay: string;
  name: string;
}

const MED = {
  metformin: { prk: '6521', atc: 'A10BA02', atcDisplay: 'metformine', name: 'Metformine 500 mg tablet' },
  enalapril: { prk: '20621', atc: 'C09AA02', atcDisplay: 'enalapril', name: 'Enalapril 10 mg tablet' },
  atorvastatin: {
    prk: '55735',
    atc: 'C10AA05',
    atcDisplay: 'atorvastatine',
    name: 'Atorvastatine 20 mg tablet',
  },
  triamcinolone: {
    prk: '18279',
    atc: 'D07AB09',
    atcDisplay: 'triamcinolon',
    name: 'Triamcinolonacetonide 1 mg/g crème',
  },
  azithromycin: {
    prk: '44636',
    atc: 'J01FA10',
    atcDisplay: 'azitromycine',
    name: 'Azitromycine 500 mg tablet',
  },
  ibuprofen: { prk: '17094', atc: 'M01AE01', atcDisplay: 'ibuprofen', name: 'Ibuprofen 400 mg tablet' },
  naproxen: { prk: '9385', atc: 'M01AE02', atcDisplay: 'naproxen', name: 'Naproxen 250 mg tablet' },
  omeprazole: {
    prk: '35270',
    atc: 'A02BC01',
    atcDisplay: 'omeprazol',
    name: 'Omeprazol 20 mg maagsapresistente capsule',
  },
  tiotropium: {
    prk: '57134',
    atc: 'R03BB04',
    atcDisplay: 'tiotropiumbromide',
    name: 'Tiotropium 2,5 microgram/dosis inhalatievloeistof (Respimat)',
  },
  salbutamol: {
    prk: '31143',
    atc: 'R03AC02',
    atcDisplay: 'salbutamol',
    name: 'Salbutamol 100 microgram/dosis aerosol',
  },
  ferrous: {
    prk: '1562',
    atc: 'B03AA07',
    atcDisplay: 'ferrosulfaat',
    name: 'Ferrofumaraat 200 mg tablet',
  },
} satisfies Record<string, Medicine>;

const medConcept = (m: Medicine) => ({
  coding: [coding(SYS.prk, m.prk, m.name), coding(SYS.atc, m.atc, m.atcDisplay)],
  text: m.name,
});

function medicationRequest(
  source: string,
  id: string,
  m: Medicine,
  opts: {
    status: 'active' | 'stopped' | 'completed';
    authoredOn: string;
    start: string;
    end?: string;
    dosage: string;
    prescriber: string;
    course: 'continuous' | 'acute';
    repeats?: number;
    stopReason?: string;
    reason?: string;
  },
): FhirJson {
  return {
    resourceType: 'MedicationRequest',
    identifier: [identifierOf(source, 'medication-agreement', id)],
    status: opts.status,
    ...(opts.stopReason ? { statusReason: { text: opts.stopReason } } : {}),
    intent: 'order',
    courseOfTherapyType: concept(
      SYS.courseOfTherapy,
      opts.course,
      opts.course === 'continuous' ? 'Continuous long term therapy' : 'Short course (acute) therapy',
      opts.course === 'continuous' ? 'Chronisch' : 'Kortdurend',
    ),
    medicationCodeableConcept: medConcept(m),
    subject: { reference: `Patient/${source}-patient` },
    authoredOn: opts.authoredOn,
    requester: { display: opts.prescriber },
    ...(opts.reason ? { reasonCode: [{ text: opts.reason }] } : {}),
    dosageInstruction: [
      {
        text: opts.dosage,
        timing: { repeat: { boundsPeriod: { start: opts.start, ...(opts.end ? { end: opts.end } : {}) } } },
      },
    ],
    dispenseRequest: {
      numberOfRepeatsAllowed: opts.repeats ?? 0,
      validityPeriod: { start: opts.start, ...(opts.end ? { end: opts.end } : {}) },
    },
  };
}

function medicationDispense(
  source: string,
  id: string,
  m: Medicine,
  opts: { handedOver: string; quantity: number; unit: string; days: number; dosage: string },
): FhirJson {
  return {
    resourceType: 'MedicationDispense',
    identifier: [identifierOf(source, 'dispense', id)],
    status: 'completed',
    medicationCodeableConcept: medConcept(m),
    subject: { reference: `Patient/${source}-patient` },
    quantity: { value: opts.quantity, unit: opts.unit },
    daysSupply: { value: opts.days, unit: 'dag', system: SYS.ucum, code: 'd' },
    whenHandedOver: opts.handedOver,
    dosageInstruction: [{ text: opts.dosage }],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Documents: a real PDF discharge letter (pdf-lib, standard Helvetica: opens in any PDF reader) and plain texts.
// ---------------------------------------------------------------------------------------------------------------
async function letterPdf(letter: {
  title: string;
  sender: string[];
  to: string[];
  date: string;
  regarding: string;
  sections: { heading: string; text: string }[];
  signature: string[];
  created: Date;
}): Promise<Buffer> {
  // Loaded only when seeding: the running application never needs a PDF writer. The single-file build loads
  // several times faster than the package's many modules (this runs at every test start).
  const { PDFDocument, StandardFonts, rgb } = createRequire(import.meta.url)(
    'pdf-lib/dist/pdf-lib.min.js',
  ) as typeof import('pdf-lib');
  const pdf = await PDFDocument.create();
  pdf.setTitle(letter.title);
  pdf.setAuthor(letter.sender[0] ?? '');
  pdf.setSubject(letter.regarding);
  pdf.setLanguage('nl-NL');
  pdf.setCreator('Koepel demo');
  pdf.setProducer('Koepel demo (pdf-lib)');
  pdf.setCreationDate(letter.created);
  pdf.setModificationDate(letter.created);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const [width, height] = [595.28, 841.89]; // A4
  const margin = 56;
  let page = pdf.addPage([width, height]);
  let y = height - margin;
  const ink = rgb(0.1, 0.1, 0.1);
  const brand = rgb(0.08, 0.26, 0.45);

  const newPageIfNeeded = (needed: number) => {
    if (y - needed < margin) {
      page = pdf.addPage([width, height]);
      y = height - margin;
    }
  };
  const line = (text: string, font = regular, size = 10.5, color = ink) => {
    newPageIfNeeded(size * 1.45);
    page.drawText(text, { x: margin, y, size, font, color });
    y -= size * 1.45;
  };
  const paragraph = (text: string, font = regular, size = 10.5) => {
    const maxWidth = width - 2 * margin;
    for (const para of text.split('\n')) {
      let current = '';
      for (const word of para.split(' ')) {
        const next = current ? `${current} ${word}` : word;
        if (font.widthOfTextAtSize(next, size) > maxWidth && current) {
          line(current, font, size);
          current = word;
        } else current = next;
      }
      line(current, font, size);
    }
  };

  line(letter.sender[0] ?? '', bold, 15, brand);
  for (const s of letter.sender.slice(1)) line(s, regular, 9.5);
  y -= 18;
  for (const s of letter.to) line(s);
  y -= 14;
  line(`Datum: ${letter.date}`);
  line(`Betreft: ${letter.regarding}`, bold);
  y -= 10;
  line(letter.title, bold, 13, brand);
  y -= 4;
  for (const s of letter.sections) {
    y -= 6;
    line(s.heading, bold, 11);
    paragraph(s.text);
  }
  y -= 14;
  for (const s of letter.signature) line(s);
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

const nlDate = (iso: string) => {
  const d = new Date(iso);
  return new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(d);
};

// ---------------------------------------------------------------------------------------------------------------
// The data per organisation.
// ---------------------------------------------------------------------------------------------------------------
interface DirectoryEntry {
  resourceType: 'Practitioner' | 'PractitionerRole';
  id: string;
  resource: Record<string, unknown>;
}

function practitioner(
  id: string,
  opts: { agb: string; family: string; given: string; prefix?: string; text: string; phone?: string },
): DirectoryEntry {
  return {
    resourceType: 'Practitioner',
    id,
    resource: {
      resourceType: 'Practitioner',
      id,
      identifier: [{ system: SYS.agb, value: opts.agb }],
      active: true,
      name: [
        {
          use: 'official',
          text: opts.text,
          family: opts.family,
          given: [opts.given],
          ...(opts.prefix ? { prefix: [opts.prefix] } : {}),
        },
      ],
      ...(opts.phone ? { telecom: [{ system: 'phone', value: opts.phone, use: 'work' }] } : {}),
    },
  };
}

function practitionerRole(id: string, practitionerId: string, role: string, orgName: string): DirectoryEntry {
  return {
    resourceType: 'PractitionerRole',
    id,
    resource: {
      resourceType: 'PractitionerRole',
      id,
      active: true,
      practitioner: { reference: `Practitioner/${practitionerId}` },
      organization: { display: orgName },
      code: [{ text: role }],
    },
  };
}

interface OrgData {
  writes: Write[];
  directory: DirectoryEntry[];
}

const LAB_GP = 'Huisartsenlaboratorium Utrecht';
const LAB_HOSPITAL = 'Klinisch Chemisch Laboratorium Rivierenland';

function gpData(c: Clock): OrgData {
  const src = 'delinde-his';
  const org = 'Huisartsenpraktijk De Linde';
  const w: Write[] = [];
  const add = (person: Person, resource: FhirJson) => w.push({ person, resource });

  // Suzanne: type 2 diabetes followed in the practice (quarterly controls over two years), hypertension, a
  // penicillin allergy, a few episodes, an upcoming diabetes control and her care team.
  add('suzanne', condition(src, 'sdv-t90', ['T90.02', 'Diabetes mellitus type 2'], c.date(-820), 'active'));
  add('suzanne', condition(src, 'sdv-k86', ['K86', 'Hypertensie zonder orgaanbeschadiging'], c.date(-700), 'active'));
  add(
    'suzanne',
    condition(src, 'sdv-r74', ['R74', 'Acute infectie bovenste luchtwegen'], c.date(-95), 'resolved', {
      abatement: c.date(-80),
    }),
  );
  add(
    'suzanne',
    condition(src, 'sdv-s88', ['S88', 'Contacteczeem/ander eczeem'], c.date(-240), 'active', {
      note: 'Handeczeem, vooral in de winter.',
    }),
  );
  add(
    'suzanne',
    condition(src, 'sdv-l03', ['L03', 'Lage rugpijn zonder uitstraling'], c.date(-430), 'resolved', {
      abatement: c.date(-380),
    }),
  );
  add(
    'suzanne',
    condition(src, 'sdv-d98', ['D98', 'Galsteenlijden/galblaasontsteking'], c.date(-120), 'resolved', {
      abatement: c.date(-38),
      note: 'Verwezen naar chirurg; laparoscopische cholecystectomie in Rivierenland Ziekenhuis.',
    }),
  );
  add('suzanne', {
    resourceType: 'AllergyIntolerance',
    identifier: [identifierOf(src, 'allergy', 'sdv-penicillin')],
    clinicalStatus: { coding: [coding(SYS.allergyClinical, 'active', 'Active')] },
    verificationStatus: { coding: [coding(SYS.allergyVerification, 'confirmed', 'Confirmed')] },
    type: 'allergy',
    category: ['medication'],
    criticality: 'high',
    code: concept(SYS.snomed, '373270004', 'Penicillin -class of antibiotic- (substance)', 'Penicillines'),
    patient: { reference: `Patient/${src}-patient` },
    onsetDateTime: '2009',
    recordedDate: c.date(-2900),
    reaction: [
      {
        manifestation: [concept(SYS.snomed, '271807003', 'Eruption of skin (disorder)', 'Huiduitslag met jeuk')],
        severity: 'moderate',
      },
    ],
    note: [{ text: 'Na amoxicilline in 2009. Geen penicillines voorschrijven.' }],
  });
  const quarters = [-640, -550, -460, -370, -280, -190, -100, -12];
  const series: [LabTest, number[]][] = [
    [LAB.hba1c, [61, 58, 55, 52, 50, 51, 48, 47]],
    [LAB.glucose, [8.4, 7.9, 7.5, 7.1, 6.8, 7.0, 6.5, 6.3]],
    [LAB.egfr, [92, 90, 88, 91, 87, 85, 86, 84]],
    [LAB.hb, [8.1, 7.9, 7.3, 7.6, 8.0, 8.2, 8.3, 8.1]],
  ];
  for (const [test, values] of series) {
    values.forEach((v, i) =>
      add('suzanne', observation(src, `sdv-${test.code}-${i}`, test, v, c.at(quarters[i] ?? 0, 8, 20), LAB_GP)),
    );
  }
  add(
    'suzanne',
    appointment(
      src,
      'sdv-appt-dm',
      {
        start: c.at(9, 10, 15),
        minutes: 20,
        status: 'booked',
        service: 'Diabetescontrole',
        description: 'Diabetescontrole bij de praktijkondersteuner',
        with: 'J. Vermeulen, praktijkondersteuner',
        practitioner: 'vermeulen',
        location: 'Huisartsenpraktijk De Linde, spreekkamer 3',
        instruction: 'Neem uw medicijnen of uw medicatieoverzicht mee. Nuchter zijn is niet nodig.',
      },
      c,
    ),
  );
  add(
    'suzanne',
    appointment(
      src,
      'sdv-appt-past',
      {
        start: c.at(-100, 8, 45),
        minutes: 20,
        status: 'fulfilled',
        service: 'Diabetescontrole',
        description: 'Diabetescontrole bij de praktijkondersteuner',
        with: 'J. Vermeulen, praktijkondersteuner',
        practitioner: 'vermeulen',
        location: 'Huisartsenpraktijk De Linde, spreekkamer 3',
      },
      c,
    ),
  );
  add('suzanne', {
    resourceType: 'CareTeam',
    identifier: [identifierOf(src, 'careteam', 'sdv-dm')],
    status: 'active',
    name: 'Diabetesteam Huisartsenpraktijk De Linde',
    subject: { reference: `Patient/${src}-patient` },
    period: { start: c.date(-820) },
    participant: [
      {
        role: [concept(SYS.snomed, '62247001', 'General practitioner', 'Huisarts (hoofdbehandelaar)')],
        member: { reference: 'Practitioner/huisman', display: 'Dr. A. Huisman' },
      },
      {
        role: [{ text: 'Praktijkondersteuner diabetes' }],
        member: { reference: 'Practitioner/vermeulen', display: 'J. Vermeulen' },
      },
      {
        role: [concept(SYS.snomed, '159033005', 'Dietitian', 'Diëtist')],
        member: { display: 'M. Jansen (Diëtistenpraktijk Oost)' },
      },
    ],
    managingOrganization: [{ display: org }],
  });
  // Correspondence is not offered by this practice (DEMO_GP_RECORD_CATEGORIES): stored, not shown unless granted.
  const consult = Buffer.from(
    [
      `Consultverslag ${nlDate(c.at(-95))}`,
      '',
      'S: Sinds 5 dagen keelpijn, hoesten en verstopte neus. Geen koorts. Geen benauwdheid.',
      'O: Keel licht rood, geen beslag. Longen: vesiculair ademgeruis, geen bijgeluiden. Temp. 37,4 °C.',
      'E: Acute infectie bovenste luchtwegen (R74).',
      'P: Uitleg over het natuurlijk beloop. Paracetamol zo nodig. Terugkomen bij koorts of benauwdheid.',
      '',
      'Dr. A. Huisman, huisarts',
    ].join('\n'),
    'utf8',
  );
  const consultDoc = document(src, 'sdv-consult-r74', {
    type: ['11488-4', 'Consult note', 'Consultverslag'],
    date: c.at(-95, 11, 30),
    description: 'Consultverslag spreekuur',
    author: 'Dr. A. Huisman, huisarts',
    custodian: org,
    title: 'Consultverslag spreekuur',
    contentType: 'text/plain',
    data: consult,
  });
  const { __attachment: consultData, ...consultResource } = consultDoc;
  w.push({
    person: 'suzanne',
    resource: consultResource,
    attachments: [{ position: 0, contentType: 'text/plain', data: consultData }],
  });

  // Pieter: COPD and knee complaints (referred to the physiotherapist), kidney function and potassium.
  add('pieter', condition(src, 'pb-r95', ['R95', 'Emfyseem/COPD'], c.date(-2100), 'active'));
  add(
    'pieter',
    condition(src, 'pb-l15', ['L15', 'Knie symptomen/klachten'], c.date(-60), 'active', {
      note: 'Verwezen naar fysiotherapie.',
    }),
  );
  const pbDates = [-400, -210, -25];
  for (const [test, values] of [
    [LAB.egfr, [71, 66, 63]],
    [LAB.potassium, [4.4, 4.9, 5.3]],
    [LAB.hb, [9.1, 8.9, 9.0]],
  ] as [LabTest, number[]][]) {
    values.forEach((v, i) =>
      add('pieter', observation(src, `pb-${test.code}-${i}`, test, v, c.at(pbDates[i] ?? 0, 8, 40), LAB_GP)),
    );
  }
  add(
    'pieter',
    appointment(
      src,
      'pb-appt-copd',
      {
        start: c.at(30, 11, 0),
        minutes: 30,
        status: 'booked',
        service: 'COPD-controle',
        description: 'Longcontrole (COPD) met blaastest bij de praktijkondersteuner',
        with: 'J. Vermeulen, praktijkondersteuner',
        practitioner: 'vermeulen',
        location: 'Huisartsenpraktijk De Linde, spreekkamer 3',
        instruction: 'Gebruik uw inhalatiemedicijnen vandaag niet vóór de blaastest.',
      },
      c,
    ),
  );

  // Fatima: pregnant; low haemoglobin and ferritin; a call back about the results.
  add(
    'fatima',
    condition(src, 'fea-w78', ['W78', 'Zwangerschap'], c.date(-140), 'active', {
      note: 'Verloskundige zorg bij Verloskundigenpraktijk Oost.',
    }),
  );
  add('fatima', {
    resourceType: 'AllergyIntolerance',
    identifier: [identifierOf(src, 'allergy', 'fea-peanut')],
    clinicalStatus: { coding: [coding(SYS.allergyClinical, 'active', 'Active')] },
    verificationStatus: { coding: [coding(SYS.allergyVerification, 'confirmed', 'Confirmed')] },
    type: 'allergy',
    category: ['food'],
    criticality: 'high',
    code: concept(SYS.snomed, '256349002', 'Peanut - dietary (substance)', 'Pinda'),
    patient: { reference: `Patient/${src}-patient` },
    recordedDate: c.date(-3000),
    reaction: [
      {
        manifestation: [concept(SYS.snomed, '41291007', 'Angioedema (disorder)', 'Zwelling van lippen en keel')],
        severity: 'severe',
      },
    ],
  });
  const feDates = [-120, -40, -6];
  for (const [test, values] of [
    [LAB.hb, [7.4, 6.9, 7.1]],
    [LAB.ferritin, [18, 11, 14]],
  ] as [LabTest, number[]][]) {
    values.forEach((v, i) =>
      add('fatima', observation(src, `fea-${test.code}-${i}`, test, v, c.at(feDates[i] ?? 0, 8, 10), LAB_GP)),
    );
  }
  add(
    'fatima',
    appointment(
      src,
      'fea-appt-call',
      {
        start: c.at(2, 13, 30),
        minutes: 10,
        status: 'booked',
        service: 'Telefonisch consult',
        description: 'Terugbelafspraak over uw bloeduitslagen',
        with: 'Dr. A. Huisman, huisarts',
        practitioner: 'huisman',
        location: 'Telefonisch',
      },
      c,
    ),
  );

  return {
    writes: w,
    directory: [
      practitioner('huisman', {
        agb: '01099901',
        family: 'Huisman',
        given: 'A.',
        prefix: 'Dr.',
        text: 'Dr. A. Huisman',
        phone: '030 123 45 67',
      }),
      practitionerRole('huisman-role', 'huisman', 'Huisarts', org),
      practitioner('vermeulen', {
        agb: '01099902',
        family: 'Vermeulen',
        given: 'J.',
        text: 'J. Vermeulen',
        phone: '030 123 45 68',
      }),
      practitionerRole('vermeulen-role', 'vermeulen', 'Praktijkondersteuner', org),
    ],
  };
}

function pharmacyData(c: Clock): OrgData {
  const src = 'centrum-ais';
  const w: Write[] = [];
  const add = (person: Person, resource: FhirJson) => w.push({ person, resource });
  const gp = 'Dr. A. Huisman, huisarts';

  // Suzanne: chronic diabetes and blood pressure medication (repeat prescriptions), a cream when needed, and what
  // stopped recently: an antibiotic course, ibuprofen (stomach complaints) and, longer ago, naproxen.
  add(
    'suzanne',
    medicationRequest(src, 'sdv-metformin', MED.metformin, {
      status: 'active',
      authoredOn: c.date(-820),
      start: c.date(-820),
      dosage: '2 maal per dag 1 tablet, bij de maaltijd',
      prescriber: gp,
      course: 'continuous',
      repeats: 3,
      reason: 'Diabetes mellitus type 2',
    }),
  );
  add(
    'suzanne',
    medicationRequest(src, 'sdv-enalapril', MED.enalapril, {
      status: 'active',
      authoredOn: c.date(-690),
      start: c.date(-690),
      dosage: '1 maal per dag 1 tablet',
      prescriber: gp,
      course: 'continuous',
      repeats: 3,
      reason: 'Hoge bloeddruk',
    }),
  );
  add(
    'suzanne',
    medicationRequest(src, 'sdv-atorvastatin', MED.atorvastatin, {
      status: 'active',
      authoredOn: c.date(-600),
      start: c.date(-600),
      dosage: '1 maal per dag 1 tablet, ’s avonds',
      prescriber: gp,
      course: 'continuous',
      repeats: 3,
    }),
  );
  add(
    'suzanne',
    medicationRequest(src, 'sdv-triamcinolone', MED.triamcinolone, {
      status: 'active',
      authoredOn: c.date(-240),
      start: c.date(-240),
      dosage: 'Zo nodig 1 à 2 maal per dag dun aanbrengen op de plekken met eczeem',
      prescriber: gp,
      course: 'acute',
      repeats: 0,
    }),
  );
  add(
    'suzanne',
    medicationRequest(src, 'sdv-azithromycin', MED.azithromycin, {
      status: 'completed',
      authoredOn: c.date(-90),
      start: c.date(-90),
      end: c.date(-88),
      dosage: '1 maal per dag 1 tablet, 3 dagen',
      prescriber: gp,
      course: 'acute',
      reason: 'Luchtweginfectie (penicilline-allergie)',
    }),
  );
  add(
    'suzanne',
    medicationRequest(src, 'sdv-ibuprofen', MED.ibuprofen, {
      status: 'stopped',
      authoredOn: c.date(-118),
      start: c.date(-118),
      end: c.date(-62),
      dosage: 'Zo nodig 3 maal per dag 1 tablet',
      prescriber: gp,
      course: 'acute',
      stopReason: 'Gestopt wegens maagklachten',
    }),
  );
  add(
    'suzanne',
    medicationRequest(src, 'sdv-omeprazole', MED.omeprazole, {
      status: 'completed',
      authoredOn: c.date(-62),
      start: c.date(-62),
      end: c.date(-20),
      dosage: '1 maal per dag 1 capsule, een half uur voor het ontbijt',
      prescriber: gp,
      course: 'acute',
    }),
  );
  add(
    'suzanne',
    medicationRequest(src, 'sdv-naproxen', MED.naproxen, {
      status: 'stopped',
      authoredOn: c.date(-430),
      start: c.date(-430),
      end: c.date(-380),
      dosage: '2 maal per dag 1 tablet',
      prescriber: gp,
      course: 'acute',
      stopReason: 'Rugklachten over',
    }),
  );
  for (const [id, m, days, qty, unit, dosage] of [
    ['sdv-d-metformin-1', MED.metformin, -170, 180, 'tabletten', '2 maal per dag 1 tablet'],
    ['sdv-d-metformin-2', MED.metformin, -80, 180, 'tabletten', '2 maal per dag 1 tablet'],
    ['sdv-d-enalapril-1', MED.enalapril, -80, 90, 'tabletten', '1 maal per dag 1 tablet'],
    ['sdv-d-atorvastatin-1', MED.atorvastatin, -80, 90, 'tabletten', '1 maal per dag 1 tablet'],
    ['sdv-d-azithromycin', MED.azithromycin, -90, 3, 'tabletten', '1 maal per dag 1 tablet'],
    ['sdv-d-omeprazole', MED.omeprazole, -62, 42, 'capsules', '1 maal per dag 1 capsule'],
  ] as [string, Medicine, number, number, string, string][]) {
    add(
      'suzanne',
      medicationDispense(src, id, m, {
        handedOver: c.at(days, 16, 10),
        quantity: qty,
        unit,
        days: Math.min(90, qty),
        dosage,
      }),
    );
  }

  // Pieter: COPD inhalers.
  add(
    'pieter',
    medicationRequest(src, 'pb-tiotropium', MED.tiotropium, {
      status: 'active',
      authoredOn: c.date(-2000),
      start: c.date(-2000),
      dosage: '1 maal per dag 2 inhalaties',
      prescriber: gp,
      course: 'continuous',
      repeats: 5,
    }),
  );
  add(
    'pieter',
    medicationRequest(src, 'pb-salbutamol', MED.salbutamol, {
      status: 'active',
      authoredOn: c.date(-2000),
      start: c.date(-2000),
      dosage: 'Zo nodig 1 à 2 inhalaties, maximaal 8 per dag',
      prescriber: gp,
      course: 'continuous',
      repeats: 2,
    }),
  );
  // Johannes: his pharmacy still supplies him (his GP relationship ended, not this one).
  add(
    'johannes',
    medicationRequest(src, 'jvdb-ferrous', MED.ferrous, {
      status: 'active',
      authoredOn: c.date(-50),
      start: c.date(-50),
      dosage: '1 maal per dag 1 tablet',
      prescriber: 'Dr. S. Kaya, internist',
      course: 'acute',
      repeats: 1,
    }),
  );
  return { writes: w, directory: [] };
}

async function hospitalData(c: Clock): Promise<OrgData> {
  const src = 'rivierenland-epd';
  const org = 'Rivierenland Ziekenhuis';
  const w: Write[] = [];
  const add = (person: Person, resource: FhirJson) => w.push({ person, resource });
  const withAttachment = (person: Person, doc: ReturnType<typeof document>) => {
    const { __attachment: data, ...resource } = doc;
    const contentType = (resource.content as { attachment: { contentType: string } }[])[0]?.attachment.contentType;
    w.push({
      person,
      resource: resource,
      attachments: [{ position: 0, contentType: contentType ?? 'application/octet-stream', data }],
    });
  };

  // Suzanne: a laparoscopic cholecystectomy five weeks ago (lab before and after, a discharge letter as PDF), the
  // surgeon's outpatient letter before it, and an upcoming check-up with a leaflet.
  const admission = -38;
  for (const [test, pre, post] of [
    [LAB.hb, 8.0, 7.6],
    [LAB.leuko, 7.2, 11.4],
    [LAB.crp, 3, 38],
    [LAB.alat, 41, 29],
    [LAB.bili, 14, 11],
  ] as [LabTest, number, number][]) {
    add('suzanne', observation(src, `sdv-${test.code}-pre`, test, pre, c.at(admission - 8, 9, 5), LAB_HOSPITAL));
    add('suzanne', observation(src, `sdv-${test.code}-post`, test, post, c.at(admission + 1, 7, 30), LAB_HOSPITAL));
  }
  const leafletText = [
    'Controle na uw galblaasoperatie',
    '',
    'U heeft een afspraak op de polikliniek Chirurgie voor controle na uw operatie.',
    '',
    'Wat neemt u mee?',
    '- uw identiteitsbewijs en zorgpas;',
    '- een actueel medicatieoverzicht (vraag dit aan uw apotheek of bekijk het in dit portaal);',
    '- uw vragen, bijvoorbeeld over werken, sporten en eten.',
    '',
    'Waar meldt u zich?',
    'Polikliniek Chirurgie, route 42, begane grond. Meld u bij de balie of de aanmeldzuil.',
    '',
    'Kunt u niet komen?',
    'Bel dan uiterlijk 24 uur van tevoren de polikliniek Chirurgie: 030 345 67 90.',
    '',
    'Wanneer belt u eerder?',
    'Bij koorts boven 38,5 °C, toenemende buikpijn, gele verkleuring van huid of ogen, of een rode, pijnlijke wond.',
  ].join('\n');
  withAttachment(
    'suzanne',
    document(src, 'sdv-leaflet-controle', {
      type: ['69730-0', 'Instructions', 'Patiëntenfolder'],
      date: c.at(-30, 10, 0),
      description: 'Folder: controle na uw galblaasoperatie',
      author: 'Polikliniek Chirurgie',
      custodian: org,
      title: 'Controle na uw galblaasoperatie',
      contentType: 'text/plain',
      data: Buffer.from(leafletText, 'utf8'),
    }),
  );
  add(
    'suzanne',
    appointment(
      src,
      'sdv-appt-controle',
      {
        start: c.at(16, 14, 20),
        minutes: 15,
        status: 'booked',
        service: 'Polikliniek Chirurgie',
        description: 'Controle na galblaasoperatie',
        with: 'Dr. S. Kaya, chirurg',
        practitioner: 'kaya',
        location: 'Polikliniek Chirurgie, route 42',
        instruction: 'Meld u 10 minuten van tevoren bij de aanmeldzuil.',
        leaflet: { id: 'sdv-leaflet-controle', display: 'Folder: controle na uw galblaasoperatie' },
      },
      c,
    ),
  );
  add(
    'suzanne',
    appointment(
      src,
      'sdv-appt-ok',
      {
        start: c.at(admission, 7, 30),
        minutes: 480,
        status: 'fulfilled',
        service: 'Dagbehandeling Chirurgie',
        description: 'Opname voor laparoscopische galblaasverwijdering',
        with: 'Dr. S. Kaya, chirurg',
        practitioner: 'kaya',
        location: 'Afdeling Dagbehandeling, route 12',
      },
      c,
    ),
  );
  const outpatient = [
    `Polikliniekbrief chirurgie, ${nlDate(c.at(admission - 45))}`,
    '',
    'Geachte collega Huisman,',
    '',
    'Op de polikliniek zag ik uw patiënte mevrouw De Vries in verband met recidiverende pijn rechts boven in de buik.',
    'Echografisch zijn meerdere galstenen zichtbaar bij een niet-verdikte galblaas. Er zijn geen aanwijzingen voor',
    'stenen in de galwegen.',
    '',
    'Conclusie: symptomatisch galsteenlijden.',
    'Beleid: electieve laparoscopische cholecystectomie in dagbehandeling. Patiënte is akkoord. Zij is bekend met',
    'een penicilline-allergie; dit is doorgegeven aan de anesthesioloog.',
    '',
    'Met collegiale groet,',
    'Dr. S. Kaya, chirurg',
  ].join('\n');
  withAttachment(
    'suzanne',
    document(src, 'sdv-letter-poli', {
      type: ['11488-4', 'Consult note', 'Polikliniekbrief'],
      date: c.at(admission - 45, 15, 0),
      description: 'Brief aan de huisarts na het bezoek aan de polikliniek Chirurgie',
      author: 'Dr. S. Kaya, chirurg',
      custodian: org,
      title: 'Polikliniekbrief chirurgie',
      contentType: 'text/plain',
      data: Buffer.from(outpatient, 'utf8'),
    }),
  );
  const dischargeDate = c.at(admission + 1, 11, 0);
  const pdf = await letterPdf({
    title: 'Ontslagbrief',
    sender: ['Rivierenland Ziekenhuis', 'Afdeling Chirurgie · Ziekenhuisweg 10 · 3584 CX Utrecht · 030 345 67 89'],
    to: ['Huisartsenpraktijk De Linde', 't.a.v. Dr. A. Huisman, huisarts', 'Lindeplein 1', '3521 AA Utrecht'],
    date: nlDate(dischargeDate),
    regarding: 'mevrouw S.M. de Vries, geboren 12 april 1982',
    sections: [
      {
        heading: 'Opname',
        text: `Dagbehandeling Chirurgie van ${nlDate(c.at(admission))} tot ${nlDate(dischargeDate)} (één nacht ter observatie).`,
      },
      {
        heading: 'Reden van opname',
        text: 'Electieve laparoscopische cholecystectomie bij symptomatisch galsteenlijden.',
      },
      {
        heading: 'Beloop',
        text: 'Ongecompliceerde laparoscopische cholecystectomie. Postoperatief goed hersteld, pijn goed onder controle met paracetamol. CRP de dag na de operatie 38 mg/L, passend bij de ingreep. Patiënte eet en drinkt goed en is goed mobiel.',
      },
      {
        heading: 'Medicatie bij ontslag',
        text: 'Ongewijzigde thuismedicatie (metformine, enalapril, atorvastatine). Zo nodig paracetamol 1000 mg, maximaal 4 maal per dag. Let op: penicilline-allergie.',
      },
      {
        heading: 'Beleid en afspraken',
        text: 'Hechtingen zijn oplosbaar. Douchen mag, niet in bad tot de wondjes dicht zijn. Twee weken niet zwaar tillen. Controle op de polikliniek Chirurgie over ongeveer zes weken; de afspraak is gemaakt. Bij koorts, toenemende buikpijn of geelzucht graag contact opnemen met de SEH.',
      },
    ],
    signature: ['Met collegiale groet,', '', 'Dr. S. Kaya, chirurg', 'Rivierenland Ziekenhuis'],
    created: new Date(dischargeDate),
  });
  withAttachment(
    'suzanne',
    document(src, 'sdv-discharge', {
      type: ['18842-5', 'Discharge summary', 'Ontslagbrief'],
      date: dischargeDate,
      description: 'Ontslagbrief na dagbehandeling Chirurgie (galblaasoperatie)',
      author: 'Dr. S. Kaya, chirurg',
      custodian: org,
      title: 'Ontslagbrief Chirurgie',
      contentType: 'application/pdf',
      data: pdf,
    }),
  );
  add('suzanne', {
    resourceType: 'CareTeam',
    identifier: [identifierOf(src, 'careteam', 'sdv-chirurgie')],
    status: 'active',
    name: 'Behandelteam Chirurgie',
    subject: { reference: `Patient/${src}-patient` },
    period: { start: c.date(admission - 45) },
    participant: [
      {
        role: [{ text: 'Hoofdbehandelaar, chirurg' }],
        member: { reference: 'Practitioner/kaya', display: 'Dr. S. Kaya' },
      },
      {
        role: [{ text: 'Verpleegkundig specialist' }],
        member: { reference: 'Practitioner/de-wit', display: 'R. de Wit' },
      },
    ],
    managingOrganization: [{ display: org }],
  });

  // Johannes: cardiology follow-up.
  add('johannes', observation(src, 'jvdb-ntprobnp-1', LAB.ntprobnp, 410, c.at(-50, 9, 0), LAB_HOSPITAL));
  add('johannes', observation(src, 'jvdb-ntprobnp-2', LAB.ntprobnp, 260, c.at(-8, 9, 0), LAB_HOSPITAL));
  add(
    'johannes',
    appointment(
      src,
      'jvdb-appt-cardio',
      {
        start: c.at(12, 9, 40),
        minutes: 20,
        status: 'booked',
        service: 'Polikliniek Cardiologie',
        description: 'Controle hartfalen',
        with: 'Dr. P. Smits, cardioloog',
        location: 'Polikliniek Cardiologie, route 30',
      },
      c,
    ),
  );

  return {
    writes: w,
    directory: [
      practitioner('kaya', {
        agb: '01099903',
        family: 'Kaya',
        given: 'S.',
        prefix: 'Dr.',
        text: 'Dr. S. Kaya',
        phone: '030 345 67 90',
      }),
      practitionerRole('kaya-role', 'kaya', 'Chirurg', org),
      practitioner('de-wit', { agb: '01099904', family: 'de Wit', given: 'R.', text: 'R. de Wit' }),
      practitionerRole('de-wit-role', 'de-wit', 'Verpleegkundig specialist chirurgie', org),
    ],
  };
}

function physioData(c: Clock): OrgData {
  const src = 'beweegwijs-epd';
  const w: Write[] = [];
  w.push({
    person: 'pieter',
    resource: appointment(
      src,
      'pb-physio-4',
      {
        start: c.at(3, 16, 30),
        minutes: 30,
        status: 'booked',
        service: 'Fysiotherapie',
        description: 'Behandeling knieklachten (4 van 9)',
        with: 'T. Jacobs, fysiotherapeut',
        location: 'Fysiotherapie Beweegwijs, oefenzaal',
        instruction: 'Neem sportkleding en een handdoek mee.',
      },
      c,
    ),
  });
  return { writes: w, directory: [] };
}

function teamData(c: Clock): OrgData {
  const src = 'buurtteam-oost';
  return {
    writes: [
      {
        person: 'fatima',
        resource: appointment(
          src,
          'fea-team-intake',
          {
            start: c.at(5, 10, 0),
            minutes: 45,
            status: 'booked',
            service: 'Gesprek buurtteam',
            description: 'Kennismakingsgesprek met het buurtteam',
            with: 'Y. Bouzid, buurtteammedewerker',
            location: 'Buurtteam Oost, Wijkplein 3',
          },
          c,
        ),
      },
    ],
    directory: [],
  };
}

/**
 * Writes the demo record data through one demo API client per organisation. Called by seedDemo after the
 * organisations, citizens and relationships exist (as the owner for the clients, then as each client).
 */
export async function loadDemoRecords(
  db: Kysely<DB>,
  keys: KeyStore,
  now = new Date(),
  opts: { onlyMissing?: boolean } = {},
): Promise<void> {
  const clock = new Clock(now);
  const orgs = await db.selectFrom('organisation').select(['id', 'name']).execute();
  const orgId = (key: string) => {
    const name = DEMO_ORGANISATIONS.find((o) => o.key === key)?.name;
    const row = orgs.find((o) => o.name === name);
    if (!row) throw new Error(`demo organisation ${key} is missing`);
    return row.id;
  };
  // Made only when needed (the hospital's letters are PDFs).
  const data: [string, () => OrgData | Promise<OrgData>][] = [
    ['gp', () => gpData(clock)],
    ['pharmacy', () => pharmacyData(clock)],
    ['hospital', () => hospitalData(clock)],
    ['physio', () => physioData(clock)],
    ['team', () => teamData(clock)],
  ];
  // Each organisation's data is one transaction: it is all there, or none of it (then load it now).
  const held = opts.onlyMissing
    ? new Set(
        (
          await db
            .selectFrom('record_resource')
            .select('organisation_id')
            .distinct()
            .where(
              'organisation_id',
              'in',
              data.map(([key]) => orgId(key)),
            )
            .execute()
        ).map((r) => r.organisation_id),
      )
    : new Set<string>();
  const missing = data.filter(([key]) => !held.has(orgId(key)));
  if (missing.length === 0) return;

  const citizens = new Map<Person, string>();
  for (const [person, bsn] of Object.entries(BSN) as [Person, string][]) {
    const valid = parseBsn(bsn);
    if (!valid) throw new Error('demo BSN fails the 11-test');
    const row = await db
      .selectFrom('citizen')
      .select('id')
      .where('bsn_index', '=', bsnIndex(keys, valid))
      .executeTakeFirstOrThrow();
    citizens.set(person, row.id);
  }

  for (const [key, make] of missing) {
    const organisationId = orgId(key);
    // The GP does not share documents (so the demo has something to ask for, MG-7); set with its data only, so a
    // later change by the practice's administrator is kept.
    if (key === 'gp') {
      await db
        .updateTable('organisation')
        .set({ record_categories: DEMO_GP_RECORD_CATEGORIES })
        .where('id', '=', organisationId)
        .execute();
    }
    const d = await make();
    // The organisation's "system": a client nobody holds a secret for (the one from an earlier attempt, if any).
    const client =
      (await db
        .selectFrom('api_client')
        .select('id')
        .where('organisation_id', '=', organisationId)
        .where('name', '=', DEMO_CLIENT_NAME)
        .executeTakeFirst()) ??
      (await db
        .insertInto('api_client')
        .values({
          organisation_id: organisationId,
          name: DEMO_CLIENT_NAME,
          client_id: `kc_demo_${key}_${randomBytes(8).toString('hex')}`,
          secret_hash: randomBytes(32),
        })
        .returning('id')
        .executeTakeFirstOrThrow());
    const principal: Principal = { kind: 'client', clientId: client.id, organisationId };
    const writes: ResourceWrite[] = d.writes.map((x, i) => ({
      citizenId: citizens.get(x.person) ?? '',
      resourceType: x.resource.resourceType,
      sourceKey: sourceKeyOf(x.resource, i),
      resource: x.resource,
      ...(x.attachments ? { attachments: x.attachments } : {}),
    }));
    await runInScope({ db, keys }, principal, async (scope) => {
      const { tx } = scope;
      if (d.directory.length > 0) {
        await tx
          .insertInto('directory_resource')
          .values(
            d.directory.map((e) => ({
              organisation_id: organisationId,
              resource_type: e.resourceType,
              source_key: `id|${e.id}`,
              resource: JSON.stringify(e.resource),
            })),
          )
          .onConflict((oc) =>
            oc
              .columns(['organisation_id', 'resource_type', 'source_key'])
              .doUpdateSet((eb) => ({ resource: eb.ref('excluded.resource') })),
          )
          .execute();
      }
      await writeResources(scope, writes);
    });
  }
}

const DEMO_CLIENT_NAME = 'Demo: bronsysteem';

function sourceKeyOf(resource: FhirJson, i: number): string {
  const id = (resource.identifier as { system?: string; value?: string }[] | undefined)?.[0];
  return id?.system && id.value ? `${id.system}|${id.value}` : `id|demo-${i}`;
}
