// The medication overview after the Dutch "actueel medicatieoverzicht" (AMO): what the citizen uses now, and what
// they used in the past six months (stopped or finished), plus what the pharmacy handed out in that period.
// MedicationRequest (medication agreement), MedicationStatement (medication use) and MedicationDispense
// (dispense) all count; older history is left out, as in an AMO.
//
// Medication process 9 (MP9 3.0) as Dutch systems send it (issue 11): the period of use in the extension
// ext-TimeInterval.Period (else the dosage's bounds, else the validity period of the dispense request); the stop type
// (modifier extension ext-StopType: temporarily stopped, stopped, cancelled), which also ends the other agreements of
// the same pharmaceutical treatment (ext-PharmaceuticalTreatment.Identifier); the dosage as text from Dosage.text,
// else the rendered dosage instruction (ext-RenderedDosageInstruction); the medicine from a referenced Medication (in
// the organisation's directory, contained, or stored beside it) with its codes; the prescriber by name.
import type {
  CodeableConcept,
  Dosage,
  MedicationDispense,
  MedicationRequest,
  MedicationStatement,
  Period,
} from 'fhir/r4.js';
import type { StoredResource } from '../record/index.js';
import { codeLabels, conceptText, fhirDate, periodOf } from '../platform/fhir/display.js';
import { conceptWords, extensionValue, type Resolver } from './record-sections.js';

const EXT = 'http://nictiz.nl/fhir/StructureDefinition/';
export const MP9 = {
  periodOfUse: `${EXT}ext-TimeInterval.Period`,
  stopType: `${EXT}ext-StopType`,
  renderedDosage: `${EXT}ext-RenderedDosageInstruction`,
  treatment: `${EXT}ext-PharmaceuticalTreatment.Identifier`,
  usePrescriber: `${EXT}ext-MedicationUse2.Prescriber`,
} as const;

/** The MP9 stop types (SNOMED CT, value set StopTypeCodelijst). */
export type StopType = 'suspended' | 'stopped' | 'cancelled';
const STOP_TYPES: Readonly<Record<string, StopType>> = {
  '113381000146106': 'suspended', // tijdelijk gestopt
  '385655000': 'suspended', // onderbroken
  '113371000146109': 'stopped', // definitief gestopt
  '410546004': 'cancelled', // geannuleerd
  '89925002': 'cancelled', // geannuleerd
};

export const HISTORY_DAYS = 183; // about six months

export interface MedicationLine {
  id: string;
  organisationId: string;
  name: string;
  codes: string[];
  dosage: string | null;
  start: Date | null;
  end: Date | null;
  /** Repeat prescriptions allowed (null: not said). */
  repeats: number | null;
  continuous: boolean;
  prescriber: string | null;
  stopReason: string | null;
  reason: string | null;
  /** The MP9 stop type, and the sender's words for it. */
  stopType: StopType | null;
  stopText: string | null;
}

export interface DispenseLine {
  id: string;
  organisationId: string;
  name: string;
  codes: string[];
  handedOver: Date | null;
  quantity: string | null;
  dosage: string | null;
}

export interface MedicationOverview {
  current: MedicationLine[];
  recent: MedicationLine[];
  dispenses: DispenseLine[];
  /** Stopped longer ago than the overview covers. */
  olderCount: number;
}

const STOPPED = new Set(['completed', 'stopped', 'cancelled', 'not-taken']);
const SKIPPED = new Set(['entered-in-error', 'draft']);

/** The dosage in words: Dosage.text, else the MP9 rendered dosage instruction of the resource. */
const dosageText = (d: Dosage[] | undefined, resource: unknown): string | null => {
  const texts = (d ?? []).map((x) => x.text?.trim()).filter((x): x is string => Boolean(x));
  if (texts.length > 0) return texts.join('; ');
  const rendered = extensionValue(resource, MP9.renderedDosage);
  return typeof rendered === 'string' && rendered.trim() !== '' ? rendered.trim() : null;
};

type MedicationSource = { medicationCodeableConcept?: CodeableConcept; medicationReference?: { display?: string } };

/** Where a line came from, and the medicine it is about: its name and the codes a pharmacist knows it by. */
function medicine(
  s: StoredResource,
  r: MedicationSource,
  resolver: Resolver | undefined,
): Pick<MedicationLine, 'id' | 'organisationId' | 'name' | 'codes'> {
  const referred = r.medicationReference
    ? resolver?.resolve(s.organisationId, r.medicationReference, s.resource)
    : null;
  const code = (referred?.resourceType === 'Medication' ? referred.code : undefined) ?? r.medicationCodeableConcept;
  return {
    id: s.id,
    organisationId: s.organisationId,
    name: conceptText(code) ?? r.medicationReference?.display ?? '—',
    codes: codeLabels(code, ['ATC', 'GPK', 'PRK', 'HPK']),
  };
}

function usePeriod(r: MedicationRequest): Period | undefined {
  const ext = extensionValue(r, MP9.periodOfUse) as Period | undefined;
  return (
    (ext && typeof ext === 'object' && (ext.start || ext.end) ? ext : undefined) ??
    r.dosageInstruction?.find((d) => d.timing?.repeat?.boundsPeriod)?.timing?.repeat?.boundsPeriod ??
    r.dispenseRequest?.validityPeriod
  );
}

function stopOf(resource: unknown): { stopType: StopType | null; stopText: string | null } {
  const v = extensionValue(resource, MP9.stopType) as CodeableConcept | undefined;
  if (!v || typeof v !== 'object') return { stopType: null, stopText: null };
  const type = (v.coding ?? []).map((c) => (c.code ? STOP_TYPES[c.code] : undefined)).find(Boolean) ?? 'stopped';
  return { stopType: type, stopText: conceptWords(v) };
}

function fromRequest(
  s: StoredResource,
  r: MedicationRequest,
  resolver: Resolver | undefined,
): { line: MedicationLine; stopped: boolean } {
  const { start, end } = periodOf(usePeriod(r));
  const course = r.courseOfTherapyType?.coding?.find((c) => c.code)?.code;
  const stop = stopOf(r);
  return {
    stopped: STOPPED.has(r.status) || stop.stopType !== null,
    line: {
      ...medicine(s, r, resolver),
      dosage: dosageText(r.dosageInstruction, r),
      start: start ?? fhirDate(r.authoredOn),
      end,
      repeats:
        typeof r.dispenseRequest?.numberOfRepeatsAllowed === 'number' ? r.dispenseRequest.numberOfRepeatsAllowed : null,
      continuous: course === 'continuous',
      prescriber: resolver?.name(s.organisationId, r.requester, s.resource) ?? r.requester?.display ?? null,
      stopReason: conceptText(r.statusReason),
      reason: r.reasonCode?.map((c) => conceptText(c)).find(Boolean) ?? null,
      ...stop,
    },
  };
}

function fromStatement(
  s: StoredResource,
  m: MedicationStatement,
  resolver: Resolver | undefined,
): { line: MedicationLine; stopped: boolean } {
  const { start, end } = periodOf(m.effectivePeriod);
  const stop = stopOf(m);
  const prescriber = extensionValue(m, MP9.usePrescriber) ?? m.informationSource;
  return {
    stopped: STOPPED.has(m.status) || stop.stopType !== null,
    line: {
      ...medicine(s, m, resolver),
      dosage: dosageText(m.dosage, m),
      start: start ?? fhirDate(m.effectiveDateTime) ?? fhirDate(m.dateAsserted),
      end,
      repeats: null,
      continuous: false,
      prescriber: resolver?.name(s.organisationId, prescriber, s.resource) ?? m.informationSource?.display ?? null,
      stopReason: m.statusReason?.map((c) => conceptText(c)).find(Boolean) ?? null,
      reason: m.reasonCode?.map((c) => conceptText(c)).find(Boolean) ?? null,
      ...stop,
    },
  };
}

/** The MP9 pharmaceutical treatment a resource belongs to ("system|value"), within its organisation. */
function treatmentKey(s: StoredResource): string | null {
  const id = extensionValue(s.resource, MP9.treatment) as { system?: string; value?: string } | undefined;
  return id && typeof id === 'object' && id.value ? `${s.organisationId}|${id.system ?? ''}|${id.value}` : null;
}

export function medicationOverview(
  resources: StoredResource[],
  now = new Date(),
  resolver?: Resolver,
): MedicationOverview {
  // A stop agreement ends its whole pharmaceutical treatment: the agreements before it are shown through it.
  const stoppedTreatments = new Set(
    resources
      .filter((s) => s.resource.resourceType === 'MedicationRequest' && stopOf(s.resource).stopType !== null)
      .map(treatmentKey)
      .filter((k): k is string => k !== null),
  );
  const since = now.getTime() - HISTORY_DAYS * 86_400_000;
  const out: MedicationOverview = { current: [], recent: [], dispenses: [], olderCount: 0 };
  for (const s of resources) {
    const type = s.resource.resourceType;
    if (type === 'MedicationDispense') {
      const d = s.resource as unknown as MedicationDispense;
      if (SKIPPED.has(d.status) || d.status === 'cancelled' || d.status === 'declined') continue;
      const handedOver = fhirDate(d.whenHandedOver) ?? fhirDate(d.whenPrepared) ?? s.effectiveAt;
      if (!handedOver || handedOver.getTime() < since) continue;
      out.dispenses.push({
        ...medicine(s, d, resolver),
        handedOver,
        quantity:
          typeof d.quantity?.value === 'number'
            ? `${d.quantity.value}${d.quantity.unit ? ` ${d.quantity.unit}` : ''}`
            : null,
        dosage: dosageText(d.dosageInstruction, d),
      });
      continue;
    }
    let parsed: { line: MedicationLine; stopped: boolean };
    if (type === 'MedicationRequest') {
      const r = s.resource as unknown as MedicationRequest;
      if (SKIPPED.has(r.status) || (r.intent !== undefined && ['plan', 'proposal'].includes(r.intent))) continue;
      const key = treatmentKey(s);
      if (key !== null && stoppedTreatments.has(key) && stopOf(r).stopType === null) continue;
      parsed = fromRequest(s, r, resolver);
    } else if (type === 'MedicationStatement') {
      const m = s.resource as unknown as MedicationStatement;
      if (SKIPPED.has(m.status)) continue;
      parsed = fromStatement(s, m, resolver);
    } else continue;
    const { line } = parsed;
    const ended = parsed.stopped || (line.end !== null && line.end.getTime() < now.getTime());
    if (!ended) {
      out.current.push(line);
      continue;
    }
    const endedAt = line.end ?? line.start ?? s.effectiveAt;
    if (endedAt && endedAt.getTime() >= since) out.recent.push(line);
    else out.olderCount++;
  }
  const byName = (a: MedicationLine, b: MedicationLine) => a.name.localeCompare(b.name, 'nl');
  out.current.sort(byName);
  out.recent.sort((a, b) => (b.end?.getTime() ?? 0) - (a.end?.getTime() ?? 0) || byName(a, b));
  out.dispenses.sort((a, b) => (b.handedOver?.getTime() ?? 0) - (a.handedOver?.getTime() ?? 0));
  return out;
}
