// Reading stored FHIR R4 resources for display: the words a person should see (the sender's text before a code
// system's display), numbers in the visitor's language, reference ranges, interpretation flags, dates and periods,
// references. Generic: the citizen's record, the home page and the staff record all show the same fields the same
// way. Stored resources passed validation on the way in, but every field here is still read defensively: a field
// that is missing or of an unexpected shape gives null rather than breaking the page.
import type { CodeableConcept, Period, Quantity, Reference } from 'fhir/r4.js';
import type { Lang } from '../i18n/i18n.js';
import { codeSystemLabel } from './code-systems.js';
import { joinUnit, unitText } from './units.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonBlank = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const codings = (c: unknown): Json[] => (isObject(c) && Array.isArray(c.coding) ? c.coding.filter(isObject) : []);
const numberOf = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The text of a CodeableConcept (or anything): its text, else the first display, else the first code; else null. */
export function conceptText(c: unknown): string | null {
  if (!isObject(c)) return null;
  const all = codings(c);
  return (
    nonBlank(c.text) ??
    all.map((x) => nonBlank(x.display)).find((x) => x !== null) ??
    all.map((x) => nonBlank(x.code)).find((x) => x !== null) ??
    null
  );
}

/** The first concept of a list that has any text. */
export function firstConceptText(list: unknown): string | null {
  if (!Array.isArray(list)) return null;
  for (const c of list) {
    const text = conceptText(c);
    if (text) return text;
  }
  return null;
}

/**
 * Codes a person may recognise, e.g. "ICPC T90.02" or "ATC A10BA02": the codings of systems Koepel names
 * (platform/fhir/code-systems.ts), optionally only those of the given systems.
 */
export function codeLabels(c: unknown, systems?: readonly string[]): string[] {
  const out: string[] = [];
  for (const x of codings(c)) {
    const label = codeSystemLabel(nonBlank(x.system));
    const code = nonBlank(x.code);
    if (!label || !code) continue;
    if (systems && !systems.includes(label)) continue;
    out.push(`${label} ${code}`);
  }
  return out;
}

/** Identifies "the same test" across results: the system|code pairs of a concept. */
export function codingKeys(c: unknown): string[] {
  return codings(c).flatMap((x) => {
    const system = nonBlank(x.system);
    const code = nonBlank(x.code);
    return system && code ? [`${system}|${code}`] : [];
  });
}

const numberFormats = new Map<Lang, Intl.NumberFormat>();

/** A number in the visitor's language ("7,35" in Dutch), at most three decimals. */
export function formatNumber(lang: Lang, n: number): string {
  let f = numberFormats.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { maximumFractionDigits: 3 });
    numberFormats.set(lang, f);
  }
  return f.format(n);
}

/** A Quantity as "< 7,35 mmol/L", "38,6 °C": comparator, number in the visitor's language, unit (units.ts). */
export function quantityText(lang: Lang, q: unknown): string | null {
  if (!isObject(q)) return null;
  const value = numberOf(q.value);
  if (value === null) return null;
  const comparator = nonBlank(q.comparator);
  return `${comparator ? `${comparator} ` : ''}${joinUnit(formatNumber(lang, value), unitText(lang, q))}`;
}

export interface ReferenceRangeLike {
  low?: Quantity;
  high?: Quantity;
  text?: string;
}

/** The numeric bounds of the first reference range (either may be missing). */
export function rangeBounds(ranges: readonly ReferenceRangeLike[] | undefined): {
  low: number | null;
  high: number | null;
} {
  const r = ranges?.[0];
  return { low: numberOf(r?.low?.value), high: numberOf(r?.high?.value) };
}

/** How a range is said in the visitor's language; the numbers come formatted. */
export interface RangeWords {
  between(low: string, high: string): string;
  atLeast(low: string): string;
  atMost(high: string): string;
}

/** The first reference range in words ("7,5 – 10 mmol/L", "tot 5 mg/L"), else its text; null when there is none. */
export function rangeText(
  lang: Lang,
  ranges: readonly ReferenceRangeLike[] | undefined,
  words: RangeWords,
): string | null {
  const r = ranges?.[0];
  if (!r) return null;
  const unit = (r.low ? unitText(lang, r.low) : '') || (r.high ? unitText(lang, r.high) : '');
  const { low, high } = rangeBounds(ranges);
  const n = (v: number) => formatNumber(lang, v);
  const span =
    low !== null && high !== null
      ? words.between(n(low), n(high))
      : low !== null
        ? words.atLeast(n(low))
        : high !== null
          ? words.atMost(n(high))
          : null;
  if (span === null) return nonBlank(r.text);
  return unit ? `${span} ${unit}` : span;
}

/** An Observation's interpretation (HL7 v3 ObservationInterpretation), in the words Koepel has a message for. */
export type Flag = 'high' | 'low' | 'critical-high' | 'critical-low' | 'abnormal' | 'normal';

const FLAG_CODES: Readonly<Record<string, Flag>> = {
  H: 'high',
  HH: 'critical-high',
  HU: 'critical-high',
  L: 'low',
  LL: 'critical-low',
  LU: 'critical-low',
  A: 'abnormal',
  AA: 'abnormal',
  N: 'normal',
};

/** The interpretation flag: the sender's code when present, else computed from the value and the range. */
export function interpretationFlag(
  interpretation: readonly CodeableConcept[] | undefined,
  value: number | null,
  ranges: readonly ReferenceRangeLike[] | undefined,
): Flag | null {
  for (const c of interpretation ?? []) {
    for (const x of codings(c)) {
      const code = nonBlank(x.code);
      const flag = code ? FLAG_CODES[code.toUpperCase()] : undefined;
      if (flag) return flag;
    }
  }
  if (value === null) return null;
  const { low, high } = rangeBounds(ranges);
  if (high !== null && value > high) return 'high';
  if (low !== null && value < low) return 'low';
  if (high !== null || low !== null) return 'normal';
  return null;
}

export function isAbnormal(flag: Flag | null): boolean {
  return flag !== null && flag !== 'normal';
}

/** Parses a FHIR date or dateTime (year, year-month, date, instant); null when absent or invalid. */
export function fhirDate(v: string | undefined | null): Date | null {
  if (!v) return null;
  const d = new Date(
    v.length === 4 ? `${v}-07-01` : v.length === 7 ? `${v}-15` : v.length === 10 ? `${v}T12:00:00Z` : v,
  );
  return Number.isNaN(d.getTime()) ? null : d;
}

export type DatePrecision = 'year' | 'month' | 'day';

/** How precise a FHIR date is: "2009" is a year, not the 1st of July 2009. */
export function datePrecision(v: string | undefined | null): DatePrecision {
  return typeof v === 'string' && v.length === 4 ? 'year' : typeof v === 'string' && v.length === 7 ? 'month' : 'day';
}

/** The first present FHIR date of a list, parsed, with its precision. */
export function firstFhirDate(
  ...values: (string | undefined | null)[]
): { date: Date; precision: DatePrecision } | null {
  for (const v of values) {
    const date = fhirDate(v);
    if (date) return { date, precision: datePrecision(v) };
  }
  return null;
}

/** A Period's start and end, parsed. */
export function periodOf(p: Period | undefined): { start: Date | null; end: Date | null } {
  return { start: fhirDate(p?.start), end: fhirDate(p?.end) };
}

/** The logical id in a relative or absolute reference to a resource of this type ("Practitioner/p1" → "p1"). */
export function referenceId(ref: Reference | undefined, type: string): string | null {
  const r = ref?.reference;
  if (!r) return null;
  const m = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/.*)?$`).exec(r);
  return m?.[1] ?? null;
}

/** The texts of a list of Annotations (an Observation's or Condition's notes), joined; null when there are none. */
export function noteText(notes: readonly { text?: string }[] | undefined): string | null {
  return (
    (notes ?? [])
      .map((n) => n.text?.trim())
      .filter(Boolean)
      .join(' ') || null
  );
}
