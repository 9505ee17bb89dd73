// Which medicines a citizen may order again (MG-8), decided from what the organisation's own system sent:
//
//   1. Only a medicine of the citizen's *current* medication (the dossier's medication overview, the AMO: not
//      stopped, not ended), and only from an MP9 medication agreement or dispense request (a MedicationRequest) —
//      never from the citizen's own medication use (MedicationStatement) or a dispense.
//   2. The organisation's system may say it outright with the Koepel extension REPEAT_ORDERABLE (valueBoolean) on the
//      MedicationRequest: true makes it orderable, false never (e.g. an opioid the GP wants to see the patient for).
//   3. Without the extension: repeatable when the agreement allows repeats (dispenseRequest.numberOfRepeatsAllowed
//      > 0) or is a continuous course (courseOfTherapyType 'continuous', "chronisch").
//
// The order goes to the organisation that sent the medicine, and only if it offers 'repeat-medication' (MG-1).
// Placing an order checks every medicine against this list again, on the server (orders.ts); hiding the checkbox
// is not the check.
import type { CodeableConcept, Identifier, MedicationRequest } from 'fhir/r4.js';
import { medicationOverview, type MedicationLine } from '../dossier/index.js';
import type { StoredResource } from '../record/index.js';

export const REPEAT_ORDERABLE = 'https://koepel.nl/fhir/StructureDefinition/ext-RepeatOrderable';

/** One medicine as the citizen orders it, and as the order keeps it (sealed). */
export interface OrderItem {
  /** The record resource (MedicationRequest) it came from. */
  resourceId: string;
  name: string;
  /** What the pharmacist knows it by, e.g. "PRK 12345", "ATC C09AA02". */
  codes: string[];
  dosage: string | null;
  /** The medicine's coding as the organisation's system sent it (for the FHIR Task's MedicationRequest). */
  medication: CodeableConcept | null;
  /** The sender's identifiers of the agreement (basedOn of the FHIR dispense request). */
  basedOn: Identifier[];
}

export interface RepeatableMedicine extends OrderItem {
  organisationId: string;
  prescriber: string | null;
  repeats: number | null;
  continuous: boolean;
}

function orderableFlag(resource: unknown): boolean | null {
  const ext = (resource as { extension?: { url?: string; valueBoolean?: unknown }[] }).extension;
  const flag = Array.isArray(ext) ? ext.find((e) => e?.url === REPEAT_ORDERABLE) : undefined;
  return typeof flag?.valueBoolean === 'boolean' ? flag.valueBoolean : null;
}

/** Is this line of the current medication repeatable, given the resource it came from? */
export function isRepeatable(line: MedicationLine, resource: StoredResource): boolean {
  if (resource.resource.resourceType !== 'MedicationRequest') return false;
  const flag = orderableFlag(resource.resource);
  if (flag !== null) return flag;
  return (line.repeats ?? 0) > 0 || line.continuous;
}

/**
 * The citizen's repeatable medicines among these medication resources (category 'medication', as the citizen sees
 * them), by name. `resolver` names referenced medicines and prescribers, as in the dossier.
 */
export function repeatableMedicines(
  resources: StoredResource[],
  resolver: Parameters<typeof medicationOverview>[2],
  now = new Date(),
): RepeatableMedicine[] {
  const byId = new Map(resources.map((r) => [r.id, r]));
  const out: RepeatableMedicine[] = [];
  for (const line of medicationOverview(resources, now, resolver).current) {
    const stored = byId.get(line.id);
    if (!stored || !isRepeatable(line, stored)) continue;
    const r = stored.resource as unknown as MedicationRequest;
    out.push({
      resourceId: line.id,
      organisationId: line.organisationId,
      name: line.name,
      codes: line.codes,
      dosage: line.dosage,
      medication: r.medicationCodeableConcept ?? (line.name !== '—' ? { text: line.name } : null),
      basedOn: (r.identifier ?? [])
        .filter((i) => i.system && i.value)
        .map((i) => ({ system: i.system, value: i.value })),
      prescriber: line.prescriber,
      repeats: line.repeats,
      continuous: line.continuous,
    });
  }
  return out;
}
