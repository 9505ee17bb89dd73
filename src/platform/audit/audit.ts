// Writes NEN 7513 audit records. The actor comes from the principal, the access point from the request,
// so a caller states only what happened. The database chains, timestamps and protects each record, and
// only after a successful record about a citizen does it let this transaction see that citizen's rows.
import type { Principal, Tx } from '../db/principal.js';
import type { ActorType, AuditAction, AuditOutcome } from '../db/schema.js';

export interface AccessPoint {
  clientAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export const NO_ACCESS_POINT: AccessPoint = { clientAddress: null, userAgent: null, requestId: null };

export interface AuditEvent {
  /** What happened, e.g. 'citizen.home.view', 'patient.search', 'staff.login'. */
  event: string;
  action: AuditAction;
  outcome?: AuditOutcome;
  citizenId?: string | null;
  resourceType?: string;
  resourceId?: string;
  reason?: string;
  onBehalfOf?: string;
  /** For events without a principal yet (a failed login): the organisation concerned. */
  organisationId?: string;
}

function actorOf(p: Principal): {
  type: ActorType;
  id: string | null;
  role: string | null;
  organisationId: string | null;
} {
  switch (p.kind) {
    case 'citizen':
      return { type: 'citizen', id: p.citizenId, role: 'citizen', organisationId: null };
    case 'staff':
      return { type: 'staff', id: p.staffId, role: p.role, organisationId: p.organisationId };
    case 'operator':
      return { type: 'operator', id: p.staffId, role: 'operator', organisationId: null };
    case 'client':
      return { type: 'client', id: p.clientId, role: 'api-client', organisationId: p.organisationId };
    case 'system':
      return { type: 'system', id: null, role: p.purpose, organisationId: null };
    case 'anonymous':
      return { type: 'anonymous', id: null, role: null, organisationId: null };
  }
}

const clip = (v: string | null | undefined, n: number) => (v == null ? null : v.slice(0, n));

export async function writeAudit(tx: Tx, principal: Principal, at: AccessPoint, events: AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const actor = actorOf(principal);
  await tx
    .insertInto('audit_log')
    .values(
      events.map((e) => ({
        event_code: e.event,
        action: e.action,
        outcome: e.outcome ?? 'success',
        actor_type: actor.type,
        actor_id: actor.id,
        actor_role: actor.role,
        actor_organisation_id: e.organisationId ?? actor.organisationId,
        on_behalf_of: e.onBehalfOf ?? null,
        citizen_id: e.citizenId ?? null,
        resource_type: e.resourceType ?? null,
        resource_id: e.resourceId ?? null,
        client_address: clip(at.clientAddress, 64),
        user_agent: clip(at.userAgent, 512),
        request_id: clip(at.requestId, 64),
        reason: clip(e.reason, 500),
      })),
    )
    .execute();
}
