// Reading stored FHIR R4 resources for display: the words a citizen should see (the sender's text before a code
// system's display), numbers in the visitor's language, reference ranges, interpretation flags, periods. Stored
// resources passed validation on the way in, but every field here is still treated as optional.
import type { Attachment, CodeableConcept, Coding, Period, Quantity, Range, Reference } from 'fhir/r4.js';
import type { Lang } from '../platform/i18n/i18n.js';
import { codeSystemLabel } from '../platform/fhir/code-systems.js';

/** The citizen-facing text of a concept: its text, else the first display, else the first code. */
export function conceptText(c: CodeableConcept | undefined | null): string | null {
  if (!c) return null;
  if (c.text?.trim()) return c.text.trim();
  const withDisplay = c.coding?.find((x) => x.display?.trim());
  if (withDisplay?.display) return withDisplay.display.trim();
  const withCode = c.coding?.find((x) => x.code);
  return withCode?.code ?? null;
}

export function firstConceptText(list: CodeableConcept[] | undefined): string | null {
  for (const c of list ?? []) {
    const text = conceptText(c);
    if (text) return text;
  }
  return null;
}

/** Codes a citizen or their caregiver may recognise, e.g. "ICPC T90.02" or "ATC A10BA02". */
export function codeLabels(c: CodeableConcept | undefined, systems?: readonly string[]): string[] {
  const out: string[] = [];
  for (const x of c?.coding ?? []) {
    const label = codeSystemLabel(x.system);
    if (!label || !x.code) continue;
    if (systems && !systems.includes(label)) continue;
    out.push(`${label} ${x.code}`);
  }
  return out;
}

/** Identifies "the same test" across results: system|code pairs of the concept. */
export function codingKeys(c: CodeableConcept | undefined): string[] {
  return (c?.coding ?? []).filter((x: Coding) => x.system && x.code).map((x) => `${x.system}|${x.code}`);
}

const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(lang: Lang, n: number): string {
  let f = numberFormats.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { maximumFractionDigits: 3 });
    numberFormats.set(lang, f);
  }
  return f.format(n);
}

export function quantityText(lang: Lang, q: Quantity | undefined): string | null {
  if (!q || typeof q.value !== 'number') return null;
  const comparator = q.comparator ? `${q.comparator} ` : '';
  const unit = q.unit ?? q.code ?? '';
  return `${comparator}${formatNumber(lang, q.value)}${unit ? ` ${unit}` : ''}`;
}

export interface ReferenceRangeLike {
  low?: Quantity;
  high?: Quantity;
  text?: string;
}

/** The numeric bounds of the first reference range (either may be missing). */
export function rangeBounds(ranges: ReferenceRangeLike[] | undefined): { low: number | null; high: number | null } {
  const r = ranges?.[0];
  return {
    low: typeof r?.low?.value === 'number' ? r.low.value : null,
    high: typeof r?.high?.value === 'number' ? r.high.value : null,
  };
}

export type RangeWords = { between: string; atLeast: string; atMost: string };

export function rangeText(lang: Lang, ranges: ReferenceRangeLike[] | undefined, words: RangeWords): string | null {
  const r = ranges?.[0];
  if (!r) return null;
  const unit = r.low?.unit ?? r.high?.unit ?? '';
  const { low, high } = rangeBounds(ranges);
  const u = unit ? ` ${unit}` : '';
  if (low !== null && high !== null)
    return `${words.between.replace('{low}', formatNumber(lang, low)).replace('{high}', formatNumber(lang, high))}${u}`;
  if (low !== null) return `${words.atLeast.replace('{low}', formatNumber(lang, low))}${u}`;
  if (high !== null) return `${words.atMost.replace('{high}', formatNumber(lang, high))}${u}`;
  return r.text?.trim() || null;
}

export type Flag = 'high' | 'low' | 'critical-high' | 'critical-low' | 'abnormal' | 'normal';

const FLAG_CODES: Record<string, Flag> = {
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

/** The interpretation flag: the sender's code when present, else computed from the value and range. */
export function interpretationFlag(
  interpretation: CodeableConcept[] | undefined,
  value: number | null,
  ranges: ReferenceRangeLike[] | undefined,
): Flag | null {
  for (const c of interpretation ?? []) {
    for (const x of c.coding ?? []) {
      const flag = x.code ? FLAG_CODES[x.code.toUpperCase()] : undefined;
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

/** True when the FHIR date carries a time of day (worth showing). */
export function hasTime(v: string | undefined | null): boolean {
  return typeof v === 'string' && v.length > 10;
}

export function periodOf(p: Period | undefined): { start: Date | null; end: Date | null } {
  return { start: fhirDate(p?.start), end: fhirDate(p?.end) };
}

export function referenceId(ref: Reference | undefined, type: string): string | null {
  const r = ref?.reference;
  if (!r) return null;
  const m = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/.*)?$`).exec(r);
  return m?.[1] ?? null;
}

export function attachmentsOf(content: { attachment?: Attachment }[] | undefined): Attachment[] {
  return (content ?? []).map((c) => c.attachment ?? {});
}

export function rangeOf(r: Range | undefined): { low: number | null; high: number | null } {
  return {
    low: typeof r?.low?.value === 'number' ? r.low.value : null,
    high: typeof r?.high?.value === 'number' ? r.high.value : null,
  };
}
