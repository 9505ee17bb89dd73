// Recomputes every audit chain from the stored fields and reports the first record that does not fit:
// a changed field, a removed or inserted record, or a chain head that does not match its last record.
// The canonical text is rebuilt here independently of the SQL trigger that wrote it. With signed checkpoints
// (checkpoint.ts, read from the file outside the database), every chain must also pass through each signed head:
// a chain recomputed after a rewrite no longer does, even though it is consistent in itself.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { withPrincipal } from '../db/principal.js';
import type { DB } from '../db/schema.js';
import type { CheckpointBody } from './checkpoint.js';

export type VerifyResult =
  | { ok: true; records: number; chains: number; checkpoints: number }
  | { ok: false; records: number; brokenId: number | null; chainId: number; seq: number; problem: string };

interface Row {
  id: number;
  chain_id: number;
  seq: number;
  occurred_ms: string;
  event_code: string;
  action: string;
  outcome: string;
  actor_type: string;
  actor_id: string | null;
  actor_role: string | null;
  actor_organisation_id: string | null;
  on_behalf_of: string | null;
  citizen_id: string | null;
  resource_type: string | null;
  resource_id: string | null;
  client_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  reason: string | null;
  prev_hash: Uint8Array;
  hash: Uint8Array;
}

const field = (v: string | number | null) =>
  v === null ? '-' : `${Buffer.byteLength(String(v), 'utf8')}:${String(v)}`;

export function canonical(r: Row): string {
  return [
    r.chain_id,
    r.seq,
    r.occurred_ms,
    r.event_code,
    r.action,
    r.outcome,
    r.actor_type,
    r.actor_id,
    r.actor_role,
    r.actor_organisation_id,
    r.on_behalf_of,
    r.citizen_id,
    r.resource_type,
    r.resource_id,
    r.client_address,
    r.user_agent,
    r.request_id,
    r.reason,
  ]
    .map(field)
    .join('|');
}

const genesis = (chain: number) => createHash('sha256').update(`koepel-audit-genesis-${chain}`).digest();
const eq = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** What a signed checkpoint says one record's hash must be. */
interface Signed {
  hash: string;
  at: string;
}

export async function verifyAuditLog(
  db: Kysely<DB>,
  batch = 5000,
  checkpoints: readonly CheckpointBody[] = [],
): Promise<VerifyResult> {
  // chain → seq → the hash a checkpoint signed (the earliest checkpoint that names it).
  const signed = new Map<number, Map<number, Signed>>();
  const lastSigned = new Map<number, { seq: number; at: string }>();
  for (const c of checkpoints) {
    for (const h of c.heads) {
      if (h.seq === 0) continue; // the genesis hash: nothing to prove
      const bySeq = signed.get(h.chain) ?? new Map<number, Signed>();
      if (!bySeq.has(h.seq)) bySeq.set(h.seq, { hash: h.hash, at: c.at });
      signed.set(h.chain, bySeq);
      const last = lastSigned.get(h.chain);
      if (!last || last.seq < h.seq) lastSigned.set(h.chain, { seq: h.seq, at: c.at });
    }
  }
  return withPrincipal(db, { kind: 'system', purpose: 'audit-verify' }, async (tx) => {
    // The heads are read FIRST: records written while the check runs come after them, so a live log (the privacy
    // officer's screen checks while Koepel works) never looks broken. Each statement here sees its own snapshot.
    const heads = (
      await sql<{ chain_id: number; last_seq: number; last_hash: Uint8Array }>`
        select chain_id, last_seq, last_hash from audit_chain_head`.execute(tx)
    ).rows;
    const headSeq = new Map(heads.map((h) => [h.chain_id, h.last_seq]));
    /** The hash each chain had at the seq its head named when the check started. */
    const atHead = new Map<number, Buffer>();
    const state = new Map<number, { seq: number; hash: Buffer }>();
    let records = 0;
    let after = { chain: -1, seq: 0 };
    for (;;) {
      const rows = (
        await sql<Row>`
          select id, chain_id, seq, ((extract(epoch from occurred_at) * 1000)::bigint)::text as occurred_ms,
                 event_code, action, outcome, actor_type, actor_id::text, actor_role, actor_organisation_id::text,
                 on_behalf_of, citizen_id::text, resource_type, resource_id, client_address, user_agent, request_id,
                 reason, prev_hash, hash
          from audit_log
          where (chain_id, seq) > (${after.chain}, ${after.seq})
          order by chain_id, seq
          limit ${batch}`.execute(tx)
      ).rows;
      if (rows.length === 0) break;
      for (const r of rows) {
        records++;
        const prev = state.get(r.chain_id) ?? { seq: 0, hash: genesis(r.chain_id) };
        const fail = (problem: string): VerifyResult => ({
          ok: false,
          records,
          brokenId: r.id,
          chainId: r.chain_id,
          seq: r.seq,
          problem,
        });
        if (r.seq !== prev.seq + 1) return fail(`sequence jumps from ${prev.seq} to ${r.seq}: records are missing`);
        if (!eq(r.prev_hash, prev.hash)) return fail('previous-hash link does not match the record before it');
        const hash = createHash('sha256').update(Buffer.from(r.prev_hash)).update(canonical(r), 'utf8').digest();
        if (!eq(hash, r.hash)) return fail('content does not match its hash: the record was changed');
        const expected = signed.get(r.chain_id)?.get(r.seq);
        if (expected && expected.hash !== hash.toString('hex')) {
          return fail(
            `the chain does not match the signed checkpoint of ${expected.at}: this record or one before it was rewritten, and the chain recomputed`,
          );
        }
        state.set(r.chain_id, { seq: r.seq, hash });
        if (headSeq.get(r.chain_id) === r.seq) atHead.set(r.chain_id, hash);
      }
      const last = rows[rows.length - 1];
      if (!last) break;
      after = { chain: last.chain_id, seq: last.seq };
    }
    // The heads say how long each chain was when the check started: a removed tail shows up here.
    for (const h of heads) {
      const s = state.get(h.chain_id) ?? { seq: 0, hash: genesis(h.chain_id) };
      const hashAtHead = h.last_seq === 0 ? genesis(h.chain_id) : atHead.get(h.chain_id);
      if (s.seq < h.last_seq || !hashAtHead || !eq(hashAtHead, h.last_hash)) {
        return {
          ok: false,
          records,
          brokenId: null,
          chainId: h.chain_id,
          seq: s.seq + 1,
          problem: `chain ends at ${s.seq} but its head says ${h.last_seq}: records at the end are missing`,
        };
      }
    }
    // A signed checkpoint names records further than the chain goes: they were removed (and the head reset).
    for (const [chain, last] of lastSigned) {
      const s = state.get(chain)?.seq ?? 0;
      if (s < last.seq) {
        return {
          ok: false,
          records,
          brokenId: null,
          chainId: chain,
          seq: s + 1,
          problem: `chain ends at ${s} but the signed checkpoint of ${last.at} names record ${last.seq}: records were removed`,
        };
      }
    }
    return { ok: true, records, chains: state.size, checkpoints: checkpoints.length };
  });
}
