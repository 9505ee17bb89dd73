// Writes NEN 7513 audit records. The actor comes from the principal, the access point from the request,
// so a caller states only what happened. The database chains, timestamps and protects each record, and
// only after a successful record about a citizen does it let this transaction see that citizen's rows.
import { sql } from 'kysely';
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
  /**
   * Who else took part: for a citizen acting through an app they authorised, `app:{citizen_app.id}` (set from the
   * principal). The access log shows it as "via app …".
   */
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
  const via = principal.kind === 'citizen' && principal.app ? `app:${principal.app}` : null;
  const column = <T>(f: (e: AuditEvent) => T) => events.map(f);
  // One statement text for any number of events (arrays, not a VALUES list): its plan is kept, and a bundle of a few
  // hundred resources does not send thousands of parameters. The chain trigger numbers the rows in this order.
  await sql`
    insert into audit_log (event_code, action, outcome, actor_type, actor_id, actor_role, actor_organisation_id,
                           on_behalf_of, citizen_id, resource_type, resource_id, client_address, user_agent,
                           request_id, reason)
    select e.event_code, e.action, e.outcome, ${actor.type}, ${actor.id}::uuid, ${actor.role}, e.organisation_id,
           e.on_behalf_of, e.citizen_id, e.resource_type, e.resource_id, ${clip(at.clientAddress, 64)},
           ${clip(at.userAgent, 512)}, ${clip(at.requestId, 64)}, e.reason
    from unnest(${column((e) => e.event)}::text[], ${column((e) => e.action)}::text[],
                ${column((e) => e.outcome ?? 'success')}::text[],
                ${column((e) => e.organisationId ?? actor.organisationId)}::uuid[],
                ${column((e) => e.onBehalfOf ?? via)}::text[], ${column((e) => e.citizenId ?? null)}::uuid[],
                ${column((e) => e.resourceType ?? null)}::text[], ${column((e) => e.resourceId ?? null)}::text[],
                ${column((e) => clip(e.reason, 500))}::text[])
      with ordinality as e(event_code, action, outcome, organisation_id, on_behalf_of, citizen_id, resource_type,
                           resource_id, reason, n)
    order by e.n`.execute(tx);
}
