// Plain display fields from stored FHIR resources, for the staff record view: the text of a code, a value with its
// unit, a reference range, a period. Defensive by design — the resources were validated at ingestion, but a field
// that is missing or of an unexpected shape shows as empty rather than breaking the page.
import { codeSystemLabel } from '../platform/fhir/code-systems.js';
import { unitText } from '../platform/fhir/units.js';
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The text of a CodeableConcept: its text, else the first display, else the first code. */
export function conceptText(cc: unknown): string {
  if (!isObject(cc)) return '';
  const text = str(cc.text);
  if (text) return text;
  for (const c of list(cc.coding)) if (isObject(c) && str(c.display)) return String(c.display);
  for (const c of list(cc.coding)) if (isObject(c) && str(c.code)) return String(c.code);
  return '';
}

/** The first coding as "LOINC 718-7" (system abbreviated where known). */
export function conceptCode(cc: unknown): string {
  if (!isObject(cc)) return '';
  for (const c of list(cc.coding)) {
    if (!isObject(c) || !str(c.code)) continue;
    const system = str(c.system);
    const label = codeSystemLabel(system) ?? '';
    return label ? `${label} ${String(c.code)}` : String(c.code);
  }
  return '';
}

/** The first code of a CodeableConcept (e.g. a status or interpretation code). */
export function firstCode(cc: unknown): string | null {
  if (!isObject(cc)) return null;
  for (const c of list(cc.coding)) if (isObject(c) && str(c.code)) return String(c.code);
  return null;
}

export function quantityText(q: unknown): string {
  if (!isObject(q) || typeof q.value !== 'number') return '';
  const unit = unitText('nl', q) || null; // the Dutch way: °C, jaar, mmHg — never a raw UCUM code
  const comparator = str(q.comparator) ?? '';
  const value = String(q.value).replace('.', ','); // Dutch decimal comma, as on lab forms
  return `${comparator}${value}${unit ? ` ${unit}` : ''}`;
}

/** An Observation's value in words: quantity with unit, text, code, yes/no or number. */
export function observationValue(o: Json): string {
  if (isObject(o.valueQuantity)) return quantityText(o.valueQuantity);
  if (str(o.valueString)) return String(o.valueString);
  if (isObject(o.valueCodeableConcept)) return conceptText(o.valueCodeableConcept);
  if (typeof o.valueBoolean === 'boolean') return o.valueBoolean ? '✓' : '✗';
  if (typeof o.valueInteger === 'number') return String(o.valueInteger);
  return '';
}

/** An Observation's whole outcome: its value, its components ("Systolic blood pressure: 125 mmHg"), panel members. */
export function observationOutcome(o: Json): string {
  const parts = [observationValue(o)];
  for (const c of list(o.component)) {
    if (!isObject(c)) continue;
    const value = observationValue(c);
    const name = conceptText(c.code);
    if (value) parts.push(name ? `${name}: ${value}` : value);
  }
  for (const m of list(o.hasMember)) if (isObject(m) && str(m.display)) parts.push(String(m.display));
  return parts.filter(Boolean).join('; ');
}

export function referenceRangeText(o: Json): string {
  const range = list(o.referenceRange)[0];
  if (!isObject(range)) return '';
  const text = str(range.text);
  if (text) return text;
  const low = isObject(range.low) && typeof range.low.value === 'number' ? String(range.low.value) : null;
  const high = isObject(range.high) && typeof range.high.value === 'number' ? String(range.high.value) : null;
  const unit =
    (isObject(range.high) ? str(range.high.unit) : null) ?? (isObject(range.low) ? str(range.low.unit) : null);
  const dutch = (v: string) => v.replace('.', ',');
  const span =
    low && high ? `${dutch(low)} – ${dutch(high)}` : low ? `≥ ${dutch(low)}` : high ? `≤ ${dutch(high)}` : '';
  return span && unit ? `${span} ${unit}` : span;
}

/** The interpretation code of an Observation (H, L, N, A, HH, LL ...). */
export function interpretationCode(o: Json): string | null {
  return firstCode(list(o.interpretation)[0]);
}

/** The text of the first dosage instruction (MedicationStatement.dosage, MedicationRequest.dosageInstruction). */
export function dosageText(r: Json): string {
  const d = list(r.dosage)[0] ?? list(r.dosageInstruction)[0];
  const own = isObject(d) ? (str(d.text) ?? str(d.patientInstruction)) : null;
  // Medication process 9: the rendered dosage instruction when the Dosage has no text.
  const rendered = list(r.extension).find(
    (e) => isObject(e) && e.url === 'http://nictiz.nl/fhir/StructureDefinition/ext-RenderedDosageInstruction',
  );
  return own ?? (isObject(rendered) ? str(rendered.valueString) : null) ?? '';
}

export function medicationText(r: Json): string {
  if (isObject(r.medicationCodeableConcept)) return conceptText(r.medicationCodeableConcept);
  if (isObject(r.medicationReference)) return str(r.medicationReference.display) ?? '';
  return '';
}

export function periodOf(v: unknown): { start: string | null; end: string | null } {
  if (!isObject(v)) return { start: null, end: null };
  return { start: str(v.start), end: str(v.end) };
}

export interface Participant {
  role: string;
  name: string;
}

export function careTeamParticipants(r: Json): Participant[] {
  return list(r.participant).flatMap((p) => {
    if (!isObject(p)) return [];
    const role = list(p.role).map(conceptText).filter(Boolean).join(', ');
    const name = isObject(p.member) ? (str(p.member.display) ?? '') : '';
    return role || name ? [{ role, name }] : [];
  });
}

export interface AttachmentView {
  position: number;
  title: string;
  contentType: string;
}

export function documentAttachments(r: Json): AttachmentView[] {
  return list(r.content).flatMap((c, position) => {
    if (!isObject(c) || !isObject(c.attachment)) return [];
    const a = c.attachment;
    return [{ position, title: str(a.title) ?? '', contentType: str(a.contentType) ?? '' }];
  });
}

export const text = str;
