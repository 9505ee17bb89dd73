// Units of measure as a person reads them, the Dutch way: "38,6 °C", "16 jaar", "125 mmHg", "72 /min".
//
// FHIR quantities carry a UCUM code (system http://unitsofmeasure.org) and, optionally, the sender's own unit text.
// Senders often copy the code into the text ("Cel", "a", "mm[Hg]"), so neither can be shown as it is. A full UCUM
// library (@lhncbc/ucum-lhc, the only maintained one on npm) was considered and not taken: it pulls nine old
// dependencies (coffeescript, csv-stringify 1, jsonfile 2, xmldoc 0.4 …) and loads a megabyte of definitions, and its
// print symbols are English ("a" for year, no Dutch names) so a Dutch table would be needed on top anyway. Koepel
// only displays units (it never converts), so this is a small table keyed by UCUM code for the units that zib2020
// and vital signs use (lab units such as mmol/L are shown as sent), with a generic rendering of the rest of the UCUM syntax: annotations
// ({beats}/min → /min), powers of ten (10*9/L → 10^9/L), products (kg.m → kg·m), and square brackets (mm[Hg]).
import type { Lang } from '../i18n/i18n.js';

export const UCUM = 'http://unitsofmeasure.org';

type Words = { one: string; other: string };
/** The display of a UCUM code: one text, or words per language and number (time units: "1 jaar", "3 weken"). */
type Display = string | { nl: Words; en: Words };

const time = (nlOne: string, nlOther: string, enOne: string, enOther: string): Display => ({
  nl: { one: nlOne, other: nlOther },
  en: { one: enOne, other: enOther },
});

const UNITS: ReadonlyMap<string, Display> = new Map<string, Display>([
  // temperature, pressure
  ['Cel', '°C'],
  ['[degF]', '°F'],
  ['mm[Hg]', 'mmHg'],
  ['cm[H2O]', 'cmH₂O'],
  ['kPa', 'kPa'],
  // mass, length, volume
  ['kg', 'kg'],
  ['g', 'g'],
  ['mg', 'mg'],
  ['ug', 'µg'],
  ['cm', 'cm'],
  ['mm', 'mm'],
  ['m', 'm'],
  ['kg/m2', 'kg/m²'],
  ['cm2', 'cm²'],
  ['m2', 'm²'],
  // rates and ratios
  ['/min', '/min'],
  ['{beats}/min', '/min'],
  ['{breaths}/min', '/min'],
  ['{count}/min', '/min'],
  ['%', '%'],
  ['1', ''],
  ['{score}', ''],
  ['mL/h', 'ml/uur'],
  ['mL/d', 'ml/dag'],
  ['L/min', 'l/min'],
  // time
  ['a', time('jaar', 'jaar', 'year', 'years')],
  ['mo', time('maand', 'maanden', 'month', 'months')],
  ['wk', time('week', 'weken', 'week', 'weeks')],
  ['d', time('dag', 'dagen', 'day', 'days')],
  ['h', time('uur', 'uur', 'hour', 'hours')],
  ['min', time('minuut', 'minuten', 'minute', 'minutes')],
  ['s', time('seconde', 'seconden', 'second', 'seconds')],
  // lab
  ['umol/L', 'µmol/L'],
  ['mL/min/{1.73_m2}', 'ml/min/1,73 m²'],
  ['10*9/L', '10⁹/L'],
  ['10*12/L', '10¹²/L'],
  ['[pH]', ''],
  // zib units of amount (medication use, fluid balance, scores)
  ['{tablet}', time('tablet', 'tabletten', 'tablet', 'tablets')],
  ['{capsule}', time('capsule', 'capsules', 'capsule', 'capsules')],
  ['{puff}', time('puff', 'puffs', 'puff', 'puffs')],
  ['{drop}', time('druppel', 'druppels', 'drop', 'drops')],
  ['{glass}', time('glas', 'glazen', 'glass', 'glasses')],
  ['{cigarette}', time('sigaret', 'sigaretten', 'cigarette', 'cigarettes')],
]);

const SUPERSCRIPT: Record<string, string> = {
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
  '-': '⁻',
};
const sup = (digits: string) =>
  Array.from(digits, (c) => c)
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('');

/** A UCUM expression outside the table, written readably: no annotations, brackets, dots or stars. */
function genericUcum(code: string): string {
  return (
    code
      .replace(/\{[^}]*\}/g, '')
      .replace(/\[([^\]]*)\]/g, '$1')
      .replace(/10\*(-?\d+)/g, (_m, e: string) => `10${sup(e)}`)
      .replace(/([A-Za-z])(-?\d+)(?![\d*])/g, (_m, l: string, d: string) => `${l}${sup(d)}`)
      .replace(/\./g, '·')
      .replace(/^\/+$/, '')
      .trim() || ''
  );
}

/** Whether text looks like a UCUM code rather than words (so it must not be shown as it is). */
function isUcumCode(text: string): boolean {
  return UNITS.has(text) || /[[\]{}*]|\.(?=[A-Za-z])/.test(text);
}

/**
 * The unit of a quantity as shown after its number, e.g. "°C", "jaar", "mmHg"; '' for dimensionless ones.
 * The sender's unit text wins when it is words rather than a copied code; otherwise the UCUM code is displayed by
 * the table, or by the generic rules.
 */
export function unitText(lang: Lang, q: { value?: unknown; unit?: unknown; code?: unknown; system?: unknown }): string {
  const unit = typeof q.unit === 'string' ? q.unit.trim() : '';
  const code = typeof q.code === 'string' ? q.code.trim() : '';
  const ucum = code !== '' && (q.system === undefined || q.system === UCUM);
  const value = typeof q.value === 'number' ? q.value : 2;
  const display = (d: Display): string => {
    if (typeof d === 'string') return d;
    const words = d[lang];
    return value === 1 ? words.one : words.other;
  };
  // The sender's words, unless they are the code again (or another UCUM code).
  if (unit !== '' && unit !== code && !isUcumCode(unit)) return unit;
  const key = ucum ? code : unit;
  const known = UNITS.get(key);
  if (known !== undefined) return display(known);
  if (ucum || isUcumCode(unit)) return genericUcum(key);
  return unit || code;
}

/** A number and its unit: "38,6 °C", and "92%" without a space, the Dutch way. */
export function joinUnit(number: string, unit: string): string {
  if (!unit) return number;
  return unit === '%' ? `${number}%` : `${number} ${unit}`;
}
