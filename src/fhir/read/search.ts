// Search parameters of the citizen's FHIR read API: which ones each record type has, how a query string is read
// (comma = OR, a repeated parameter = AND, prefixes on dates, system|code on tokens), and how a stored resource is
// matched. Pure functions: the service (service.ts) applies them to the decrypted resources.
//
// Most of what is searched sits inside the encrypted resource, so the filtering happens here, after decryption.
// Only the page that is returned is presented (references resolved, attachments listed); see searchRecord().
import type { CitizenRecordType, StoredResource } from '../../record/index.js';
import { fhirError } from '../../platform/fhir/outcome.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

// ---------------------------------------------------------------------------------------------------------------
// Dates: every value is a range [lo, hi) in milliseconds. A date or dateTime stands for the whole of its precision
// (2026-09 is all of September); a date without a time zone is a day in the Netherlands (Europe/Amsterdam), for the
// search value and the resource's value alike. A Period is its start to its end; a missing end is open.
// ---------------------------------------------------------------------------------------------------------------

export interface Range {
  lo: number;
  hi: number;
}

const amsterdam = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Amsterdam',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** The Netherlands' offset from UTC at a moment, in milliseconds. */
function offsetAt(utc: number): number {
  const p = Object.fromEntries(amsterdam.formatToParts(new Date(utc)).map((x) => [x.type, x.value]));
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return local - (utc - (((utc % 60_000) + 60_000) % 60_000));
}

/** A wall-clock time in the Netherlands as a UTC moment. */
function dutchTime(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const naive = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const first = naive - offsetAt(naive);
  return naive - offsetAt(first);
}

const DATE_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The range a FHIR date, dateTime or instant stands for; null when it is not one. */
export function dateRange(value: string): Range | null {
  const m = DATE_RE.exec(value);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, frac, tz] = m;
  const y = Number(ys);
  const mo = mos ? Number(mos) : 1;
  const d = ds ? Number(ds) : 1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  if (hs === undefined) {
    const lo = dutchTime(y, mo, d);
    const hi = ds ? dutchTime(y, mo, d + 1) : mos ? dutchTime(y, mo + 1, 1) : dutchTime(y + 1, 1, 1);
    return { lo, hi };
  }
  const h = Number(hs);
  const mi = Number(mis);
  const s = ss ? Number(ss) : 0;
  if (h > 23 || mi > 59 || s > 60) return null;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const unit = frac ? 1 : ss ? 1000 : 60_000;
  let lo: number;
  if (tz) {
    const off = tz === 'Z' ? 0 : (tz.startsWith('-') ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
    lo = Date.UTC(y, mo - 1, d, h, mi, s, ms) - off * 60_000;
  } else {
    lo = dutchTime(y, mo, d, h, mi, s, ms);
  }
  return { lo, hi: lo + unit };
}

/** Durations as MP9's ext-TimeInterval.Duration gives them (UCUM; months and years are not allowed there). */
const DURATION_MS: Record<string, number> = {
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  wk: 7 * 86_400_000,
};

const TIME_INTERVAL_DURATION = 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Duration';

function periodRange(p: Json): Range | null {
  const start = typeof p.start === 'string' ? dateRange(p.start) : null;
  const end = typeof p.end === 'string' ? dateRange(p.end) : null;
  // zib TimeInterval: start or end with a duration gives the other (MP9 period of use).
  const duration = list(p.extension).find((e) => isObject(e) && e.url === TIME_INTERVAL_DURATION) as Json | undefined;
  const dv = isObject(duration?.valueDuration) ? duration.valueDuration : null;
  const unit = typeof dv?.code === 'string' ? DURATION_MS[dv.code] : undefined;
  const span = typeof dv?.value === 'number' && unit !== undefined ? dv.value * unit : null;
  if (!start && !end) return null;
  const lo = start?.lo ?? (end && span !== null ? end.hi - span : -Infinity);
  const hi = end?.hi ?? (start && span !== null ? start.lo + span : Infinity);
  return { lo, hi };
}

function valueRange(v: unknown): Range | null {
  if (typeof v === 'string') return dateRange(v);
  if (isObject(v)) return periodRange(v);
  return null;
}

/** The first of the given elements that has a value (the same fall-back order as categories.ts effectiveAt()). */
const firstOf =
  (...get: ((r: Json) => unknown)[]) =>
  (r: Json): Range[] => {
    for (const g of get) {
      const ranges = list(g(r))
        .map(valueRange)
        .filter((x): x is Range => x !== null);
      if (ranges.length > 0) return ranges;
    }
    return [];
  };
const el = (name: string) => (r: Json) => r[name];
const sub = (a: string, b: string) => (r: Json) => {
  const v = r[a];
  return isObject(v) ? v[b] : undefined;
};

export type DatePrefix = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'sa' | 'eb' | 'ap';
const PREFIXES: readonly DatePrefix[] = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'];

/** FHIR R4 search 3.1.1.4.1 (prefixes on ranges): does the resource's range t satisfy prefix + the value's range p? */
export function compareRange(prefix: DatePrefix, p: Range, t: Range, now = Date.now()): boolean {
  const eq = p.lo <= t.lo && t.hi <= p.hi;
  const gt = t.hi > p.hi;
  const lt = t.lo < p.lo;
  switch (prefix) {
    case 'eq':
      return eq;
    case 'ne':
      return !eq;
    case 'gt':
      return gt;
    case 'lt':
      return lt;
    // ge and le as the range at or above (below) the search value overlapping the target's, the reading most
    // servers use: an agreement that starts on the day asked for is in use "le" that day.
    case 'ge':
      return t.hi > p.lo;
    case 'le':
      return t.lo < p.hi;
    case 'sa':
      return t.lo >= p.hi;
    case 'eb':
      return t.hi <= p.lo;
    case 'ap': {
      // Approximately: within 10% of the distance from now (at least a day), as the specification suggests.
      const w = Math.max(86_400_000, 0.1 * Math.abs(now - p.lo));
      return t.lo < p.hi + w && t.hi > p.lo - w;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens: Codings, Identifiers and plain codes, as (system, code).
// ---------------------------------------------------------------------------------------------------------------

export interface Token {
  system: string | null;
  code: string;
}

function tokensOf(v: unknown): Token[] {
  if (typeof v === 'string') return [{ system: null, code: v }];
  if (typeof v === 'boolean') return [{ system: null, code: String(v) }];
  if (!isObject(v)) return [];
  if (Array.isArray(v.coding)) return v.coding.flatMap(tokensOf);
  if (typeof v.code === 'string') return [{ system: typeof v.system === 'string' ? v.system : null, code: v.code }];
  if (typeof v.value === 'string') return [{ system: typeof v.system === 'string' ? v.system : null, code: v.value }];
  return [];
}

/** A token search value: `code`, `system|code`, `|code` (no system) or `system|` (any code of the system). */
export interface TokenValue {
  system: string | null | undefined; // undefined: any system; null: no system
  code: string | null; // null: any code
}

function matchToken(want: TokenValue, have: Token, plainCode: boolean): boolean {
  if (want.code !== null && want.code !== have.code) return false;
  // A plain code (status, a code element) has no system of its own: a system given with it is not held against it.
  if (plainCode || want.system === undefined) return true;
  return want.system === have.system;
}

const extensionValue = (url: string, key: string) => (r: Json) =>
  list(r.extension)
    .filter((e): e is Json => isObject(e) && e.url === url)
    .map((e) => e[key]);

// ---------------------------------------------------------------------------------------------------------------
// The parameters per type.
// ---------------------------------------------------------------------------------------------------------------

export type ParamDef =
  | { kind: 'date'; doc: string; ranges: (r: Json) => Range[]; definition?: string }
  | { kind: 'token'; doc: string; values: (r: Json) => unknown[]; plainCode?: boolean; definition?: string }
  /** A reference: matched against the resource as presented (references in Koepel's id space), except Medication. */
  | { kind: 'reference'; doc: string; refs: (r: Json) => unknown[]; target: readonly string[]; definition?: string }
  /** medication.code: the code of the Medication the resource refers to (or its own CodeableConcept). */
  | { kind: 'medication-code'; doc: string };

type TokenDef = ParamDef & { kind: 'token' };
const token = (doc: string, ...get: ((r: Json) => unknown)[]): TokenDef => ({
  kind: 'token',
  doc,
  values: (r) => get.flatMap((g) => list(g(r))),
});
const code = (doc: string, name = 'status'): ParamDef => ({
  kind: 'token',
  doc,
  values: (r) => list(r[name]),
  plainCode: true,
});
const date = (doc: string, ...get: ((r: Json) => unknown)[]): ParamDef => ({
  kind: 'date',
  doc,
  ranges: firstOf(...get),
});

const STATUS = code('The resource’s status code.');

const WHO = ['Practitioner', 'PractitionerRole', 'Organization', 'RelatedPerson', 'Patient'];
const reference = (
  doc: string,
  target: readonly string[],
  get: (r: Json) => unknown,
  definition?: string,
): ParamDef => ({
  kind: 'reference',
  doc,
  refs: (r) => list(get(r)),
  target,
  ...(definition ? { definition } : {}),
});
const NICTIZ_SP = 'http://nictiz.nl/fhir/SearchParameter/';
const extensionRef = (url: string) => (r: Json) => extensionValue(url, 'valueReference')(r);

const NICTIZ_EXT = 'http://nictiz.nl/fhir/StructureDefinition/';
const PERIOD_OF_USE = 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Period';
const TREATMENT_ID = 'http://nictiz.nl/fhir/StructureDefinition/ext-PharmaceuticalTreatment.Identifier';

/** The MP9 3.0 search parameters on the medication resources (test/fixtures/nictiz-mp9/SearchParameters). */
function medication(periodOfUse: ((r: Json) => unknown) | null): Record<string, ParamDef> {
  return {
    code: token('The medication, when given as a code in the resource itself.', el('medicationCodeableConcept')),
    'medication.code': {
      kind: 'medication-code',
      doc: 'The medication’s code, in the resource or in the Medication it refers to (chained search).',
    },
    medication: {
      kind: 'reference',
      doc: 'The Medication the resource refers to: Medication/{id}.',
      refs: (r) => list(r.medicationReference),
      target: ['Medication'],
    },
    identifier: token('An identifier of the resource (system|value).', el('identifier')),
    'pharmaceutical-treatment-identifier': {
      ...token('MP9: the pharmaceutical treatment (MBH) identifier.', extensionValue(TREATMENT_ID, 'valueIdentifier')),
      definition: 'http://nictiz.nl/fhir/SearchParameter/pharmaceutical-treatment-identifier',
    },
    ...(periodOfUse
      ? {
          'period-of-use': {
            kind: 'date',
            doc: 'MP9: the period of use (start, end, or start/end with a duration), as a date search.',
            ranges: firstOf(periodOfUse),
            definition: 'http://nictiz.nl/fhir/SearchParameter/period-of-use',
          },
        }
      : {}),
    status: STATUS,
  };
}
const periodOfUseExtension = (r: Json) => extensionValue(PERIOD_OF_USE, 'valuePeriod')(r);

const category = (doc = 'The category (system|code).') => token(doc, el('category'));

/** MP9 3.0 reference parameters (mp-MedicationData.RetrieveServe.Base), matched and included as presented. */
const MP9_REFERENCES: Partial<Record<CitizenRecordType, Record<string, ParamDef>>> = {
  MedicationRequest: {
    requester: reference('The prescriber.', WHO, el('requester')),
    'intended-performer': reference('The intended dispenser.', WHO, el('performer')),
    'next-practitioner': reference(
      'MP9: the next practitioner.',
      WHO,
      extensionRef(`${NICTIZ_EXT}ext-MedicationAgreement.NextPractitioner`),
      `${NICTIZ_SP}MedicationRequest-next-practitioner`,
    ),
    'dispense-location': reference(
      'MP9: the dispense location of a dispense request.',
      ['Location', 'Organization'],
      (r) =>
        extensionRef(`${NICTIZ_EXT}ext-DispenseRequest.DispenseLocation`)(
          isObject(r.dispenseRequest) ? r.dispenseRequest : {},
        ),
      `${NICTIZ_SP}MedicationRequest-dispense-location`,
    ),
    reason: reference(
      'The reason (a Condition or Observation).',
      ['Condition', 'Observation'],
      el('reasonReference'),
      `${NICTIZ_SP}MedicationRequest-reason`,
    ),
  },
  MedicationDispense: {
    performer: reference('Who dispensed.', WHO, (r) =>
      list(r.performer).map((p) => (isObject(p) ? p.actor : undefined)),
    ),
    location: reference(
      'Where it was dispensed.',
      ['Location'],
      el('location'),
      `${NICTIZ_SP}MedicationDispense-location`,
    ),
    destination: reference('Where it was sent.', ['Location'], el('destination')),
  },
  MedicationStatement: {
    source: reference('The source of the information.', WHO, el('informationSource')),
    author: reference(
      'MP9: the author.',
      WHO,
      extensionRef(`${NICTIZ_EXT}ext-MedicationUse2.Author`),
      `${NICTIZ_SP}MedicationStatement-author`,
    ),
    prescriber: reference(
      'MP9: the prescriber.',
      WHO,
      extensionRef(`${NICTIZ_EXT}ext-MedicationUse2.Prescriber`),
      `${NICTIZ_SP}MedicationStatement-prescriber`,
    ),
  },
};
const medCategory = category(
  'The category; MP9 uses SNOMED CT codes for agreements, dispenses, use and administrations.',
);
const mp9Category: TokenDef = { ...medCategory, definition: 'http://nictiz.nl/fhir/SearchParameter/category' };

/**
 * Per record type, the parameters it can be searched by (besides _id, _lastUpdated, patient/subject and the result
 * parameters). `date` is the element FHIR R4's date or clinical-date uses for that type, or, where R4 has none, the
 * element Koepel orders the record by (categories.ts effectiveAt()).
 */
export const TYPE_PARAMS: Record<CitizenRecordType, Record<string, ParamDef>> = {
  Appointment: { date: date('Appointment.start.', el('start')), status: STATUS },
  Condition: {
    date: date('Condition.onset, else recordedDate.', el('onsetDateTime'), el('onsetPeriod'), el('recordedDate')),
    code: token('Condition.code.', el('code')),
    category: category(),
    'clinical-status': token('Condition.clinicalStatus.', el('clinicalStatus')),
  },
  AllergyIntolerance: {
    date: date('AllergyIntolerance.onset, else recordedDate.', el('onsetDateTime'), el('recordedDate')),
    code: token('AllergyIntolerance.code and reaction.substance.', el('code'), (r) =>
      list(r.reaction).map((x) => (isObject(x) ? x.substance : undefined)),
    ),
    category: code('food, medication, environment or biologic.', 'category'),
    'clinical-status': token('AllergyIntolerance.clinicalStatus.', el('clinicalStatus')),
  },
  Observation: {
    date: date(
      'Observation.effective, else issued.',
      el('effectiveDateTime'),
      el('effectivePeriod'),
      el('effectiveInstant'),
      el('issued'),
    ),
    code: token('Observation.code.', el('code')),
    category: category(),
    status: STATUS,
  },
  DocumentReference: {
    date: date('DocumentReference.date, else context.period.', el('date'), (r) => sub('context', 'period')(r)),
    type: token('DocumentReference.type.', el('type')),
    category: category(),
    status: STATUS,
  },
  MedicationStatement: {
    date: date(
      'MedicationStatement.effective, else dateAsserted.',
      el('effectivePeriod'),
      el('effectiveDateTime'),
      el('dateAsserted'),
    ),
    category: medCategory,
    ...medication((r) => r.effectivePeriod),
    ...MP9_REFERENCES.MedicationStatement,
  },
  MedicationRequest: {
    date: date('MedicationRequest.authoredOn, else dispenseRequest.validityPeriod.', el('authoredOn'), (r) =>
      sub('dispenseRequest', 'validityPeriod')(r),
    ),
    authoredon: date('MedicationRequest.authoredOn.', el('authoredOn')),
    category: medCategory,
    ...medication(periodOfUseExtension),
    ...MP9_REFERENCES.MedicationRequest,
  },
  MedicationDispense: {
    date: date('MedicationDispense.whenHandedOver, else whenPrepared.', el('whenHandedOver'), el('whenPrepared')),
    whenhandedover: date('MedicationDispense.whenHandedOver.', el('whenHandedOver')),
    category: mp9Category,
    ...medication(periodOfUseExtension),
    ...MP9_REFERENCES.MedicationDispense,
  },
  MedicationAdministration: {
    date: date('MedicationAdministration.effective.', el('effectiveDateTime'), el('effectivePeriod')),
    category: mp9Category,
    ...medication(null),
  },
  CareTeam: { date: date('CareTeam.period.', el('period')), category: category(), status: STATUS },
  Encounter: {
    date: date('Encounter.period.', el('period')),
    type: token('Encounter.type.', el('type')),
    class: token('Encounter.class.', el('class')),
    status: STATUS,
  },
  EpisodeOfCare: {
    date: date('EpisodeOfCare.period.', el('period')),
    type: token('EpisodeOfCare.type.', el('type')),
    status: STATUS,
  },
  Procedure: {
    date: date('Procedure.performed.', el('performedDateTime'), el('performedPeriod')),
    code: token('Procedure.code.', el('code')),
    category: category(),
    status: STATUS,
  },
  Immunization: {
    date: date('Immunization.occurrence, else recorded.', el('occurrenceDateTime'), el('recorded')),
    'vaccine-code': token('Immunization.vaccineCode.', el('vaccineCode')),
    status: STATUS,
  },
  ImmunizationRecommendation: {
    date: date('ImmunizationRecommendation.date.', el('date')),
    'vaccine-type': token('recommendation.vaccineCode.', (r) =>
      list(r.recommendation).flatMap((x) => (isObject(x) ? list(x.vaccineCode) : [])),
    ),
    status: token('recommendation.forecastStatus.', (r) =>
      list(r.recommendation).map((x) => (isObject(x) ? x.forecastStatus : undefined)),
    ),
  },
  DiagnosticReport: {
    date: date(
      'DiagnosticReport.effective, else issued.',
      el('effectiveDateTime'),
      el('effectivePeriod'),
      el('issued'),
    ),
    code: token('DiagnosticReport.code.', el('code')),
    category: category(),
    status: STATUS,
  },
  Specimen: {
    date: date(
      'Specimen.collection.collected, else receivedTime.',
      (r) => sub('collection', 'collectedDateTime')(r),
      (r) => sub('collection', 'collectedPeriod')(r),
      el('receivedTime'),
    ),
    type: token('Specimen.type.', el('type')),
    status: STATUS,
  },
  Flag: {
    date: date('Flag.period.', el('period')),
    code: token('Flag.code.', el('code')),
    category: category(),
    status: STATUS,
  },
  Device: { type: token('Device.type.', el('type')), status: STATUS },
  DeviceUseStatement: {
    date: date(
      'DeviceUseStatement.timing, else recordedOn.',
      el('timingPeriod'),
      el('timingDateTime'),
      el('recordedOn'),
    ),
    status: STATUS,
  },
  Consent: {
    date: date('Consent.dateTime.', el('dateTime')),
    category: category(),
    status: STATUS,
  },
  RelatedPerson: { relationship: token('RelatedPerson.relationship.', el('relationship')) },
  NutritionOrder: { date: date('NutritionOrder.dateTime.', el('dateTime')), status: STATUS },
  Goal: {
    date: date('Goal.start, else statusDate.', el('startDate'), el('statusDate')),
    category: category(),
    'lifecycle-status': code('Goal.lifecycleStatus.', 'lifecycleStatus'),
  },
  CarePlan: { date: date('CarePlan.period.', el('period')), category: category(), status: STATUS },
  Coverage: { date: date('Coverage.period.', el('period')), type: token('Coverage.type.', el('type')), status: STATUS },
  Composition: {
    date: date('Composition.date.', el('date')),
    type: token('Composition.type.', el('type')),
    category: category(),
    status: STATUS,
  },
  Media: {
    date: date('Media.created, else issued.', el('createdDateTime'), el('createdPeriod'), el('issued')),
    type: token('Media.type.', el('type')),
    status: STATUS,
  },
};

/** The _include values each type supports: the Patient, and what its reference parameters point at. */
export function includesOf(type: CitizenRecordType): string[] {
  return [
    `${type}:patient`,
    ...Object.entries(TYPE_PARAMS[type])
      .filter(([name, def]) => def.kind === 'reference' && name !== 'reason')
      .map(([name]) => `${type}:${name}`),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a query.
// ---------------------------------------------------------------------------------------------------------------

export type Filter =
  | { name: string; kind: 'date'; def: ParamDef & { kind: 'date' }; anyOf: { prefix: DatePrefix; range: Range }[] }
  | { name: string; kind: 'token'; def: ParamDef & { kind: 'token' }; not: boolean; anyOf: TokenValue[] }
  | { name: string; kind: 'reference'; def: ParamDef & { kind: 'reference' }; anyOf: string[] }
  | { name: string; kind: 'medication-code'; anyOf: TokenValue[] }
  | { name: '_lastUpdated'; kind: 'lastUpdated'; anyOf: { prefix: DatePrefix; range: Range }[] };

export type SortKey = 'date' | '-date' | '_lastUpdated' | '-_lastUpdated';

export interface ParsedSearch {
  filters: Filter[];
  sort: SortKey[] | null;
  /** The reference parameters whose targets _include asks for ('patient' for the Patient). */
  include: Set<string>;
  /** The parameters used, as they go into the Bundle's self link (not _count and _offset). */
  used: [string, string][];
}

const safeName = (k: string) => k.replace(/[^\w.:-]/g, '?').slice(0, 40);
const MAX_VALUES = 100;

function parseDateValues(name: string, raw: string): { prefix: DatePrefix; range: Range }[] {
  const values = raw.split(',');
  if (values.length > MAX_VALUES) throw fhirError(400, 'invalid', `Parameter ${safeName(name)} has too many values.`);
  return values.map((v) => {
    // A '+' of a time zone that was not percent-encoded arrives as a space.
    const value = v.replace(/ /g, '+');
    const p = /^[a-z]{2}/.test(value) ? value.slice(0, 2) : 'eq';
    if (!(PREFIXES as readonly string[]).includes(p)) {
      throw fhirError(
        400,
        'invalid',
        `Parameter ${safeName(name)}: unknown prefix (use eq, ne, lt, gt, le, ge, sa, eb or ap).`,
      );
    }
    const range = dateRange(/^[a-z]{2}/.test(value) ? value.slice(2) : value);
    if (!range) throw fhirError(400, 'invalid', `Parameter ${safeName(name)} must be a FHIR date or dateTime.`);
    return { prefix: p as DatePrefix, range };
  });
}

function parseTokenValues(name: string, raw: string): TokenValue[] {
  const values = raw.split(',');
  if (values.length > MAX_VALUES) throw fhirError(400, 'invalid', `Parameter ${safeName(name)} has too many values.`);
  return values.map((v) => {
    if (v.length === 0 || v.length > 500)
      throw fhirError(400, 'invalid', `Parameter ${safeName(name)} has an empty or too long value.`);
    const bar = v.indexOf('|');
    if (bar < 0) return { system: undefined, code: v };
    const system = v.slice(0, bar);
    const c = v.slice(bar + 1);
    if (system === '' && c === '') throw fhirError(400, 'invalid', `Parameter ${safeName(name)} has an empty value.`);
    return { system: system === '' ? null : system, code: c === '' ? null : c };
  });
}

/**
 * Reads the search parameters of a query (everything but patient/subject, _id, _count, _offset and _format, which
 * the route reads). Unknown parameters, modifiers and values of _sort/_include are ignored when lenient and refused
 * (400, naming the parameter, never its value) when strict.
 */
export function parseSearch(
  type: CitizenRecordType | 'Patient',
  entries: [string, string][],
  strict: boolean,
): ParsedSearch {
  const defs: Record<string, ParamDef> = type === 'Patient' ? {} : TYPE_PARAMS[type];
  const out: ParsedSearch = { filters: [], sort: null, include: new Set(), used: [] };
  const unsupported = (name: string) => {
    if (strict) throw fhirError(400, 'not-supported', `Unsupported parameter: ${safeName(name)}.`);
  };
  for (const [key, raw] of entries) {
    // A parameter without a value is ignored (FHIR R4 search 3.1.1.1).
    if (raw === '') continue;
    const [name, modifier] = key.split(':', 2) as [string, string | undefined];
    if (name === '_lastUpdated' && modifier === undefined && type !== 'Patient') {
      out.filters.push({ name, kind: 'lastUpdated', anyOf: parseDateValues(name, raw) });
      out.used.push([key, raw]);
      continue;
    }
    if (name === '_sort' && modifier === undefined) {
      const keys = raw.split(',');
      const known = (k: string): k is SortKey =>
        k.endsWith('_lastUpdated')
          ? type !== 'Patient' && (k === '_lastUpdated' || k === '-_lastUpdated')
          : (k === 'date' || k === '-date') && 'date' in defs;
      if (keys.every(known)) {
        if (out.sort) throw fhirError(400, 'invalid', 'Parameter _sort may be given only once.');
        out.sort = keys;
        out.used.push([key, raw]);
      } else unsupported('_sort');
      continue;
    }
    if (name === '_include') {
      const [source, path = '', target] = raw.split(':');
      const def = defs[path];
      const targets = path === 'patient' ? ['Patient'] : def?.kind === 'reference' ? def.target : [];
      const known =
        type !== 'Patient' &&
        includesOf(type).includes(`${source}:${path}`) &&
        (target === undefined || targets.includes(target));
      if (known && modifier === undefined) {
        out.include.add(path);
        out.used.push([key, raw]);
      } else unsupported('_include');
      continue;
    }
    const def = defs[name];
    if (!def) {
      unsupported(name);
      continue;
    }
    if (def.kind === 'date' && modifier === undefined) {
      out.filters.push({ name, kind: 'date', def, anyOf: parseDateValues(name, raw) });
    } else if (def.kind === 'token' && (modifier === undefined || modifier === 'not')) {
      out.filters.push({ name, kind: 'token', def, not: modifier === 'not', anyOf: parseTokenValues(name, raw) });
    } else if (def.kind === 'medication-code' && modifier === undefined) {
      out.filters.push({ name, kind: 'medication-code', anyOf: parseTokenValues(name, raw) });
    } else if (def.kind === 'reference' && (modifier === undefined || def.target.includes(modifier))) {
      const ids = raw.split(',').map((v) => {
        // Type/id (a full URL ending in it too), or a bare id: then any of the parameter's types, or the modifier's.
        const typed = /^(?:.*\/)?([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})$/.exec(v);
        const bare = typed ? null : /^[A-Za-z0-9\-.]{1,64}$/.exec(v);
        const t = typed?.[1] ?? modifier;
        const id = typed?.[2] ?? bare?.[0];
        if (id === undefined || (t !== undefined && !def.target.includes(t))) {
          throw fhirError(400, 'invalid', `Parameter ${safeName(name)} must be a reference: Type/id.`);
        }
        return t ? `${t}/${id}` : id;
      });
      out.filters.push({ name, kind: 'reference', def, anyOf: ids });
    } else {
      unsupported(key);
      continue;
    }
    out.used.push([key, raw]);
  }
  return out;
}

/** The `Prefer` header's handling: strict only when asked for (lenient is the default, FHIR R4 3.1.1.2). */
export function strictHandling(prefer: string | string[] | undefined): boolean {
  const all = (Array.isArray(prefer) ? prefer.join(',') : (prefer ?? ''))
    .split(/[,;]/)
    .map((s) => s.trim().toLowerCase());
  return all.includes('handling=strict');
}

// ---------------------------------------------------------------------------------------------------------------
// Matching.
// ---------------------------------------------------------------------------------------------------------------

export interface MatchContext {
  /** The Medication a resource refers to, as presented to the citizen (null: none, or not theirs to see). */
  medicationOf: (s: StoredResource) => Json | null;
  /** The resource as the citizen sees it (references in Koepel's id space), for reference parameters. */
  presented?: (s: StoredResource) => Json | undefined;
  now: number;
}

function matchesFilter(s: StoredResource, f: Filter, ctx: MatchContext): boolean {
  const r = s.resource as Json;
  switch (f.kind) {
    case 'lastUpdated': {
      const t = { lo: s.updatedAt.getTime(), hi: s.updatedAt.getTime() + 1 };
      return f.anyOf.some((v) => compareRange(v.prefix, v.range, t, ctx.now));
    }
    case 'date': {
      const ranges = f.def.ranges(r);
      if (ranges.length === 0) return false;
      return f.anyOf.some((v) =>
        v.prefix === 'ne'
          ? ranges.every((t) => compareRange('ne', v.range, t, ctx.now))
          : ranges.some((t) => compareRange(v.prefix, v.range, t, ctx.now)),
      );
    }
    case 'token': {
      const have = f.def.values(r).flatMap(tokensOf);
      const hit = f.anyOf.some((want) => have.some((t) => matchToken(want, t, f.def.plainCode === true)));
      return f.not ? !hit : hit;
    }
    case 'medication-code': {
      const med = ctx.medicationOf(s);
      const have = [...tokensOf(r.medicationCodeableConcept), ...(med ? tokensOf(med.code) : [])];
      return f.anyOf.some((want) => have.some((t) => matchToken(want, t, false)));
    }
    case 'reference': {
      const source = ctx.presented?.(s) ?? r;
      const refs = f.def
        .refs(source)
        .map((x) => (isObject(x) && typeof x.reference === 'string' ? x.reference.toLowerCase() : null));
      const wanted = f.anyOf.map((w) => w.toLowerCase());
      return wanted.some((want) => refs.some((ref) => ref !== null && (ref === want || ref.endsWith(`/${want}`))));
    }
  }
}

/** Whether a stored resource matches every filter (AND), each by any of its values (OR). */
export function matchesAll(s: StoredResource, filters: readonly Filter[], ctx: MatchContext): boolean {
  return filters.every((f) => matchesFilter(s, f, ctx));
}

/** Orders stored resources by the _sort keys; ties: newest change first, then id (a stable page order). */
export function sortResources(items: StoredResource[], keys: readonly SortKey[]): StoredResource[] {
  const value = (s: StoredResource, k: SortKey): number | null =>
    k.endsWith('date') ? (s.effectiveAt?.getTime() ?? null) : s.updatedAt.getTime();
  return [...items].sort((a, b) => {
    for (const k of keys) {
      const va = value(a, k);
      const vb = value(b, k);
      if (va === vb) continue;
      // Resources without a date come last, in either direction.
      if (va === null) return 1;
      if (vb === null) return -1;
      return k.startsWith('-') ? vb - va : va - vb;
    }
    return b.updatedAt.getTime() - a.updatedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}
