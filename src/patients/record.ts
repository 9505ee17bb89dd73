// A patient's record as the employee's own organisation holds it (MG-4). Everything runs under the staff principal:
// row-level security shows only the organisation's own record rows, and only after this transaction wrote an audit
// record about the patient. The first question — is this a patient of ours? — is answered by the care relationship
// alone (the staff policy on care_relationship shows only the organisation's relationships that have not ended,
// PZ-4), before any audit record names the citizen.
import { birthDateOf, displayName, type BirthDate } from '../identity/index.js';
import type { Principal } from '../platform/db/principal.js';
import type { DataScope } from '../platform/http/request-context.js';
import {
  listAttachments,
  readAttachment,
  readResources,
  type AttachmentInfo,
  type StoredResource,
} from '../record/index.js';

type Staff = Extract<Principal, { kind: 'staff' }>;

export interface PatientRecord {
  citizenId: string;
  name: string;
  birthDate: BirthDate;
  patientNumber: string | null;
  organisationName: string;
  resources: StoredResource[];
  attachments: AttachmentInfo[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isCitizenId = (v: string): boolean => UUID.test(v);

/** True when the citizen has a current care relationship with the employee's organisation (no audit needed). */
async function isOurPatient(
  scope: DataScope,
  staff: Staff,
  citizenId: string,
): Promise<{ patientNumber: string | null } | null> {
  if (!isCitizenId(citizenId)) return null;
  const row = await scope.tx
    .selectFrom('care_relationship')
    .select('patient_number')
    .where('citizen_id', '=', citizenId)
    .where('organisation_id', '=', staff.organisationId)
    .executeTakeFirst();
  return row ? { patientNumber: row.patient_number } : null;
}

/**
 * Reading about a patient of ours: the read is audited, naming the citizen. Anything else is refused and logged for
 * the employee without naming a citizen, and gives null.
 */
async function readAsOurPatient(
  scope: DataScope,
  staff: Staff,
  citizenId: string,
  read: { event: string; resourceType: string; resourceId: string },
): Promise<{ patientNumber: string | null } | null> {
  const relation = await isOurPatient(scope, staff, citizenId);
  const { event, resourceType, resourceId } = read;
  if (!relation) {
    await scope.audit({ event, action: 'R', outcome: 'denied', resourceType, reason: 'no current care relationship' });
    return null;
  }
  await scope.audit({ event, action: 'R', citizenId, resourceType, resourceId });
  return relation;
}

/** The whole record the organisation holds about one of its patients, or null when it is not its patient. */
export async function openPatientRecord(
  scope: DataScope,
  staff: Staff,
  citizenId: string,
): Promise<PatientRecord | null> {
  const relation = await readAsOurPatient(scope, staff, citizenId, {
    event: 'patient.record.view',
    resourceType: 'citizen',
    resourceId: citizenId,
  });
  if (!relation) return null;
  const { tx } = scope;
  const person = await tx
    .selectFrom('citizen')
    .select(['given_names', 'name_prefix', 'family_name', 'birth_date', 'birth_date_precision'])
    .where('id', '=', citizenId)
    .executeTakeFirst();
  if (!person) return null;
  const org = await tx
    .selectFrom('organisation')
    .select('name')
    .where('id', '=', staff.organisationId)
    .executeTakeFirstOrThrow();
  const resources = (await readResources(scope, { citizenId, organisationIds: [staff.organisationId] })).filter(
    (r) => r.category !== 'patient',
  );
  const documentIds = resources.filter((r) => r.resourceType === 'DocumentReference').map((r) => r.id);
  return {
    citizenId,
    name: displayName(person),
    birthDate: birthDateOf(person),
    patientNumber: relation.patientNumber,
    organisationName: org.name,
    resources,
    attachments: await listAttachments(tx, documentIds),
  };
}

/** One attachment of a document of the organisation's record about its patient, or null. */
export async function readPatientDocument(
  scope: DataScope,
  staff: Staff,
  citizenId: string,
  resourceId: string,
  position: number,
): Promise<{ contentType: string; data: Buffer } | null> {
  if (!isCitizenId(resourceId)) return null;
  const relation = await readAsOurPatient(scope, staff, citizenId, {
    event: 'patient.record.document',
    resourceType: 'DocumentReference',
    resourceId,
  });
  if (!relation) return null;
  // The audit record names this citizen only: a document of another patient stays invisible (row-level security).
  const doc = await readResources(scope, { citizenId, ids: [resourceId], resourceTypes: ['DocumentReference'] });
  if (doc.length === 0) return null;
  return readAttachment(scope, resourceId, position);
}
