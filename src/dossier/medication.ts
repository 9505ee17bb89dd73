// The medication overview after the Dutch "actueel medicatieoverzicht" (AMO): what the citizen uses now, and what
// they used in the past six months (stopped or finished), plus what the pharmacy handed out in that period.
// MedicationRequest (medication agreement), MedicationStatement (medication use) and MedicationDispense
// (dispense) all count; older history is left out, as in an AMO.
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

const dosageText = (d: Dosage[] | undefined): string | null => {
  const texts = (d ?? []).map((x) => x.text?.trim()).filter((x): x is string => Boolean(x));
  return texts.length > 0 ? texts.join('; ') : null;
};

/** Where a line came from, and the medicine it is about: its name and the codes a pharmacist knows it by. */
function medicine(
  s: StoredResource,
  r: { medicationCodeableConcept?: CodeableConcept; medicationReference?: { display?: string } },
): Pick<MedicationLine, 'id' | 'organisationId' | 'name' | 'codes'> {
  return {
    id: s.id,
    organisationId: s.organisationId,
    name: conceptText(r.medicationCodeableConcept) ?? r.medicationReference?.display ?? '—',
    codes: codeLabels(r.medicationCodeableConcept, ['ATC', 'GPK', 'PRK', 'HPK']),
  };
}

function usePeriod(r: MedicationRequest): Period | undefined {
  return (
    r.dosageInstruction?.find((d) => d.timing?.repeat?.boundsPeriod)?.timing?.repeat?.boundsPeriod ??
    r.dispenseRequest?.validityPeriod
  );
}

function fromRequest(s: StoredResource, r: MedicationRequest): { line: MedicationLine; stopped: boolean } {
  const { start, end } = periodOf(usePeriod(r));
  const course = r.courseOfTherapyType?.coding?.find((c) => c.code)?.code;
  return {
    stopped: STOPPED.has(r.status),
    line: {
      ...medicine(s, r),
      dosage: dosageText(r.dosageInstruction),
      start: start ?? fhirDate(r.authoredOn),
      end,
      repeats:
        typeof r.dispenseRequest?.numberOfRepeatsAllowed === 'number' ? r.dispenseRequest.numberOfRepeatsAllowed : null,
      continuous: course === 'continuous',
      prescriber: r.requester?.display ?? null,
      stopReason: conceptText(r.statusReason),
      reason: r.reasonCode?.map((c) => conceptText(c)).find(Boolean) ?? null,
    },
  };
}

function fromStatement(s: StoredResource, m: MedicationStatement): { line: MedicationLine; stopped: boolean } {
  const { start, end } = periodOf(m.effectivePeriod);
  return {
    stopped: STOPPED.has(m.status),
    line: {
      ...medicine(s, m),
      dosage: dosageText(m.dosage),
      start: start ?? fhirDate(m.effectiveDateTime) ?? fhirDate(m.dateAsserted),
      end,
      repeats: null,
      continuous: false,
      prescriber: m.informationSource?.display ?? null,
      stopReason: m.statusReason?.map((c) => conceptText(c)).find(Boolean) ?? null,
      reason: m.reasonCode?.map((c) => conceptText(c)).find(Boolean) ?? null,
    },
  };
}

export function medicationOverview(resources: StoredResource[], now = new Date()): MedicationOverview {
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
        ...medicine(s, d),
        handedOver,
        quantity:
          typeof d.quantity?.value === 'number'
            ? `${d.quantity.value}${d.quantity.unit ? ` ${d.quantity.unit}` : ''}`
            : null,
        dosage: dosageText(d.dosageInstruction),
      });
      continue;
    }
    let parsed: { line: MedicationLine; stopped: boolean };
    if (type === 'MedicationRequest') {
      const r = s.resource as unknown as MedicationRequest;
      if (SKIPPED.has(r.status) || (r.intent !== undefined && ['plan', 'proposal'].includes(r.intent))) continue;
      parsed = fromRequest(s, r);
    } else if (type === 'MedicationStatement') {
      const m = s.resource as unknown as MedicationStatement;
      if (SKIPPED.has(m.status)) continue;
      parsed = fromStatement(s, m);
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
