// FHIR R4 data types as zod schemas, for validating what provider systems send. Objects are "loose": fields Koepel
// does not look at pass through unchanged; the fields it relies on are checked. Error messages are written here and
// never quote the value that was sent (it may be personal data).
import { z } from 'zod';

export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

// http://hl7.org/fhir/R4/datatypes.html — the regular expressions of the specification.
const DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
const INSTANT =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;
const DATE = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/;
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The calendar part exists (no 30 February). */
function realDay(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (!m) return true;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export const dateTime = z
  .string()
  .max(40)
  .regex(DATE_TIME, { error: 'must be a FHIR dateTime (YYYY, YYYY-MM, YYYY-MM-DD or a date and time with zone)' })
  .refine(realDay, { error: 'is not an existing date' });
export const instant = z
  .string()
  .max(40)
  .regex(INSTANT, { error: 'must be a FHIR instant (date and time with zone, e.g. 2026-10-01T09:30:00+02:00)' })
  .refine(realDay, { error: 'is not an existing date' });
export const date = z
  .string()
  .max(10)
  .regex(DATE, { error: 'must be a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)' })
  .refine(realDay, { error: 'is not an existing date' });

export const uri = z.string().min(1).max(500);
export const code = z.string().min(1).max(256);
export const text = (max = 10_000) => z.string().max(max);

export const coding = z.looseObject({
  system: uri.optional(),
  code: code.optional(),
  display: text(1000).optional(),
});
export type Coding = z.infer<typeof coding>;

export const codeableConcept = z.looseObject({
  coding: z.array(coding).max(50).optional(),
  text: text(2000).optional(),
});
export type CodeableConcept = z.infer<typeof codeableConcept>;

export const identifier = z.looseObject({
  system: uri.optional(),
  value: z.string().min(1).max(256).optional(),
});
export type Identifier = z.infer<typeof identifier>;

export const reference = z.looseObject({
  reference: z.string().min(1).max(1000).optional(),
  type: uri.optional(),
  identifier: identifier.optional(),
  display: text(1000).optional(),
});
export type Reference = z.infer<typeof reference>;

export const quantity = z.looseObject({
  value: z.number().optional(),
  comparator: z.enum(['<', '<=', '>=', '>']).optional(),
  unit: text(100).optional(),
  system: uri.optional(),
  code: code.optional(),
});

/**
 * Whether a period's start is not after its end, compared on the calendar date at the precision both have: an end of
 * `2020` (the whole year) is not before a start of `2020-05-01`.
 */
function startNotAfterEnd(start: string, end: string): boolean {
  const common = Math.min(start.slice(0, 10).length, end.slice(0, 10).length);
  return start.slice(0, common) <= end.slice(0, common);
}

export const period = z
  .looseObject({ start: dateTime.optional(), end: dateTime.optional() })
  .refine((p) => !p.start || !p.end || startNotAfterEnd(p.start, p.end), {
    error: 'start must not be after end',
  });

export const meta = z.looseObject({
  profile: z.array(uri).max(20).optional(),
});

/** A CodeableConcept with at least one coding (system and code) from one of the given systems. */
export function codedIn(systems: ReadonlySet<string>, what: string) {
  return codeableConcept.refine(
    (c) => (c.coding ?? []).some((x) => x.system !== undefined && systems.has(x.system) && x.code !== undefined),
    { error: `needs a coding (system and code) from ${what}` },
  );
}

/** A CodeableConcept that says something: a coding with system and code, or a text. */
export const meaningfulConcept = codeableConcept.refine(
  (c) => (c.coding ?? []).some((x) => x.system !== undefined && x.code !== undefined) || (c.text ?? '').trim() !== '',
  { error: 'needs a coding with system and code, or a text' },
);

/** Turns zod issues into words of our own: never the value sent. */
export function describeZodIssue(i: z.core.$ZodIssue): string {
  const custom = !/^(Invalid|Too (small|big))/.test(i.message);
  if (custom) return i.message;
  switch (i.code) {
    case 'invalid_type':
      return /received undefined/.test(i.message) ? 'is required' : `must be ${article(i.expected)}`;
    case 'invalid_value':
      return `must be one of: ${i.values.map((v) => String(v)).join(', ')}`;
    case 'too_small':
      if (i.origin === 'array') return `needs at least ${String(i.minimum)} item${Number(i.minimum) === 1 ? '' : 's'}`;
      if (i.origin === 'string') return Number(i.minimum) <= 1 ? 'must not be empty' : 'is too short';
      return `must be at least ${String(i.minimum)}`;
    case 'too_big':
      if (i.origin === 'array') return `has more than ${String(i.maximum)} items`;
      if (i.origin === 'string') return `is longer than ${String(i.maximum)} characters`;
      return `must be at most ${String(i.maximum)}`;
    case 'invalid_format':
      return 'has an invalid format';
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return 'is invalid';
  }
}

function article(type: string): string {
  if (type === 'array') return 'an array';
  if (type === 'object') return 'an object';
  if (type === 'int') return 'an integer';
  return `a ${type}`;
}

/** FHIRPath for a zod path under a base: ['code','coding',0] → `${base}.code.coding[0]`. */
export function fhirPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}
