// What happens after DigiD has vouched for a BSN at a sufficient level:
//   1. find the citizen by the BSN's blind index (system principal 'citizen-login', which may see only that);
//   2. no citizen, or no active care relationship with an organisation of this portal → no citizen session (PZ-4);
//   3. otherwise ask the BRP for fresh identity data (PZ-2), and in one transaction under the citizen's principal:
//      audit the login (which is what lets the transaction see the citizen's row), seal the BRP snapshot under her
//      key, record the login time;
//   4. write the BRP snapshot as the system principal 'citizen-login' (req.withSystem), after an audit record
//      naming the citizen: the database lets no one else write the BRP columns, the citizen least of all (PZ-2,
//      migration 0013);
//   5. a new session id for the logged-in citizen (rotation).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasActiveCareRelationship } from '../care-providers/index.js';
import type { AuditEvent } from '../platform/audit/audit.js';
import type { Principal } from '../platform/db/principal.js';
import { runInScope } from '../platform/db/scope.js';
import { rotateSession } from '../platform/http/request-context.js';
import { BrpError, brpFailureHint, type BrpPerson, type IdentitySource } from './brp/brp-client.js';
import type { Bsn } from './bsn.js';
import { greetingName } from './brp/person.js';
import { bsnIndex, readBrpSnapshot, sealBrpSnapshot, writeBrpSnapshot } from './citizens.js';
import type { DigidLevel } from './digid/levels.js';

/** Audits a login event before anyone is logged in (whatever session the browser brought along). */
export async function auditLoginAttempt(req: FastifyRequest, event: AuditEvent): Promise<void> {
  await runInScope(req.server.koepel, { kind: 'anonymous' }, ({ audit }) => audit(event), req.accessPoint);
}

export type CitizenLoginResult = { kind: 'logged-in' } | { kind: 'no-care-relationship' };

export async function findCitizenId(req: FastifyRequest, bsn: Bsn): Promise<string | null> {
  const { keys } = req.server.koepel;
  const row = await req.withSystem('citizen-login', ({ tx }) =>
    tx.selectFrom('citizen').select('id').where('bsn_index', '=', bsnIndex(keys, bsn)).executeTakeFirst(),
  );
  return row?.id ?? null;
}

async function freshPerson(req: FastifyRequest, identity: IdentitySource, bsn: Bsn): Promise<BrpPerson | null> {
  try {
    const person = await identity.fetchPerson(bsn);
    if (!person) req.log.warn('BRP does not know the person who logged in; keeping the stored snapshot');
    return person;
  } catch (err) {
    // Never the BSN or the BRP's own words: only what kind of failure it was (and, for the operator, what to check).
    const e =
      err instanceof BrpError
        ? { kind: err.kind, status: err.status, code: err.code, reason: err.reason, hint: brpFailureHint(err) }
        : { kind: 'error' };
    req.log.warn({ brp: e }, 'BRP lookup failed at login; keeping the stored snapshot');
    return null;
  }
}

export async function completeCitizenLogin(
  req: FastifyRequest,
  reply: FastifyReply,
  identity: IdentitySource,
  bsn: Bsn,
  level: DigidLevel,
): Promise<CitizenLoginResult> {
  const { keys, portals } = req.server.koepel;
  const portalId = portals.current().id;
  const reason = `digid-level:${level.key}`;

  const citizenId = await findCitizenId(req, bsn);
  if (!citizenId) {
    await auditLoginAttempt(req, {
      event: 'citizen.login',
      action: 'E',
      outcome: 'denied',
      reason: `${reason};unknown-citizen`,
    });
    return { kind: 'no-care-relationship' };
  }

  // The citizen DigiD vouched for, before their session exists (it is made below, with a new id).
  const principal: Principal = { kind: 'citizen', citizenId, portalId };
  const asCitizen = <T>(fn: Parameters<typeof runInScope<T>>[2]) =>
    runInScope(req.server.koepel, principal, fn, req.accessPoint);
  const active = await asCitizen(async ({ tx, audit }) => {
    const ok = await hasActiveCareRelationship(tx, citizenId, portalId);
    if (!ok) {
      await audit({
        event: 'citizen.login',
        action: 'E',
        outcome: 'denied',
        citizenId,
        reason: `${reason};no-care-relationship`,
      });
    }
    return ok;
  });
  if (!active) return { kind: 'no-care-relationship' };

  const person = await freshPerson(req, identity, bsn);
  const login = await asCitizen(async ({ tx, audit }) => {
    // The audit record comes first: until it exists, row-level security hides the citizen's row.
    await audit({
      event: 'citizen.login',
      action: 'E',
      citizenId,
      resourceType: 'citizen',
      resourceId: citizenId,
      reason,
    });
    // Sealed here, where the citizen's key is readable; written below by the login flow's own principal.
    const sealed = person ? await sealBrpSnapshot(tx, keys, citizenId, person) : null;
    // "New since your last visit" on the home page compares with the login before this one.
    await tx
      .updateTable('citizen')
      .set((eb) => ({ previous_login_at: eb.ref('last_login_at'), last_login_at: new Date() }))
      .where('id', '=', citizenId)
      .execute();
    // Without a fresh answer from the BRP, the name to greet by comes from the snapshot already kept.
    const name = person
      ? greetingName(person)
      : await tx
          .selectFrom('citizen')
          .select(['brp_ciphertext'])
          .where('id', '=', citizenId)
          .executeTakeFirstOrThrow()
          .then(async (row) => greetingName(await readBrpSnapshot(tx, keys, citizenId, row.brp_ciphertext)));
    return { name, sealed };
  });

  const name = login.name;
  if (person && login.sealed) {
    const sealed = login.sealed;
    await req.withSystem('citizen-login', async ({ tx, audit }) => {
      await audit({
        event: 'citizen.brp.refresh',
        action: 'U',
        citizenId,
        resourceType: 'brp-snapshot',
        resourceId: citizenId,
      });
      await writeBrpSnapshot(tx, citizenId, person, sealed);
    });
  }

  await rotateSession(req, reply, { kind: 'citizen', citizenId, portalId, state: { displayName: name } });
  return { kind: 'logged-in' };
}
