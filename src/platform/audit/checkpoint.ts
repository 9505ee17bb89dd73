// Signed checkpoints of the audit chain heads: tamper evidence against someone who can rewrite the database.
//
// The hash chain (verify.ts) shows a changed record to anyone who trusts the chain heads in the database. A database
// superuser or the table owner can disable the triggers, change a record, recompute every later hash and the head,
// and the chain verifies again. So every few minutes (and on `npm run audit:checkpoint`) the server signs all chain
// heads — (chain, seq, hash) — with an Ed25519 key from its configuration that the database never holds, and appends
// the signed checkpoint to a JSON-lines file outside the database, and to the table audit_checkpoint. The verifier
// checks each chain against the checkpoints in the file: a rewritten record before a checkpoint changes the hash at
// the checkpointed sequence number, which no longer matches what was signed.
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import { withPrincipal } from '../db/principal.js';
import type { DB } from '../db/schema.js';

export interface CheckpointHead {
  chain: number;
  seq: number;
  /** hex of the chain's last hash */
  hash: string;
}

export interface CheckpointBody {
  v: 1;
  /** ISO time of signing */
  at: string;
  heads: CheckpointHead[];
}

/** One line of the checkpoint file. */
export interface SignedCheckpoint {
  keyId: string;
  body: string;
  /** base64 Ed25519 signature over body (UTF-8) */
  signature: string;
}

export interface CheckpointSigner {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
  /** Made at this start (no key configured, outside production): its checkpoints cannot be checked later. */
  ephemeral: boolean;
}

/** The first 16 hex digits of the SHA-256 of the public key (DER): names the key without revealing anything. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .slice(0, 16);
}

/** The configured signer, or an ephemeral one outside production (config.ts refuses production without a key). */
export function checkpointSigner(config: Pick<Config, 'auditCheckpoint' | 'production'>): CheckpointSigner {
  const configured = config.auditCheckpoint.privateKey;
  if (configured) {
    const publicKey = createPublicKey(configured);
    return { privateKey: configured, publicKey, keyId: keyIdOf(publicKey), ephemeral: false };
  }
  if (config.production) throw new Error('production needs KOEPEL_AUDIT_CHECKPOINT_KEY');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), ephemeral: true };
}

export function signCheckpoint(signer: CheckpointSigner, body: CheckpointBody): SignedCheckpoint {
  const text = JSON.stringify(body);
  return {
    keyId: signer.keyId,
    body: text,
    signature: sign(null, Buffer.from(text, 'utf8'), signer.privateKey).toString('base64'),
  };
}

/**
 * Signs the current head of every chain, appends the checkpoint to the file (if configured) and stores it in the
 * table, in one transaction: when the file cannot be written, the table gets nothing either.
 */
export async function writeCheckpoint(
  db: Kysely<DB>,
  signer: CheckpointSigner,
  file: string | null,
  now = new Date(),
): Promise<SignedCheckpoint> {
  return withPrincipal(db, { kind: 'system', purpose: 'audit-checkpoint' }, async (tx) => {
    const heads = (
      await tx
        .selectFrom('audit_chain_head')
        .select(['chain_id', 'last_seq', 'last_hash'])
        .orderBy('chain_id')
        .execute()
    ).map((h) => ({ chain: h.chain_id, seq: h.last_seq, hash: Buffer.from(h.last_hash).toString('hex') }));
    const signed = signCheckpoint(signer, { v: 1, at: now.toISOString(), heads });
    await tx
      .insertInto('audit_checkpoint')
      .values({ key_id: signed.keyId, body: signed.body, signature: Buffer.from(signed.signature, 'base64') })
      .execute();
    if (file) appendLine(file, `${JSON.stringify(signed)}\n`);
    return signed;
  });
}

/** Appends and flushes to disk: a checkpoint that is reported written survives a crash. */
function appendLine(file: string, line: string): void {
  appendFileSync(file, line, { encoding: 'utf8', flag: 'a', mode: 0o640 });
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export type CheckpointRead =
  { ok: true; checkpoints: (CheckpointBody & { line: number })[] } | { ok: false; line: number; problem: string };

/**
 * Reads the checkpoint file and checks every line's signature with the trusted public key. A line that does not
 * parse or verify, or that is signed by another key, is a problem: the file was altered (or belongs elsewhere).
 */
export function readCheckpointFile(file: string, publicKey: KeyObject): CheckpointRead {
  if (!existsSync(file)) return { ok: true, checkpoints: [] };
  const keyId = keyIdOf(publicKey);
  const checkpoints: (CheckpointBody & { line: number })[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]?.trim();
    if (!text) continue;
    const line = i + 1;
    let signed: SignedCheckpoint;
    let body: CheckpointBody;
    try {
      signed = JSON.parse(text) as SignedCheckpoint;
      body = JSON.parse(signed.body) as CheckpointBody;
    } catch {
      return { ok: false, line, problem: 'is not a checkpoint (not JSON)' };
    }
    if (signed.keyId !== keyId) {
      return { ok: false, line, problem: `is signed by another key (${signed.keyId}, trusted: ${keyId})` };
    }
    const valid =
      typeof signed.signature === 'string' &&
      verify(null, Buffer.from(signed.body, 'utf8'), publicKey, Buffer.from(signed.signature, 'base64'));
    if (!valid) return { ok: false, line, problem: 'has a signature that does not verify: the file was altered' };
    if (body.v !== 1 || !Array.isArray(body.heads)) return { ok: false, line, problem: 'has an unknown format' };
    checkpoints.push({ ...body, line });
  }
  return { ok: true, checkpoints };
}

/** The periodic job in the server: a checkpoint every interval; failures are logged, never fatal. */
export function startCheckpoints(
  db: Kysely<DB>,
  signer: CheckpointSigner,
  opts: { file: string | null; intervalMs: number; onError: (err: unknown) => void },
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = writeCheckpoint(db, signer, opts.file).catch(opts.onError);
  }, opts.intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * What the server runs at start: the periodic checkpoints with the configured key or — outside production, without
 * one — an ephemeral key, said so in the log (its id only; never key material).
 */
export function startAuditCheckpoints(
  config: Pick<Config, 'auditCheckpoint' | 'production'>,
  db: Kysely<DB>,
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void } | null,
): { stop(): Promise<void> } {
  const signer = checkpointSigner(config);
  if (signer.ephemeral) {
    log?.warn(
      { keyId: signer.keyId },
      'audit checkpoints are signed with an EPHEMERAL key made at this start (no KOEPEL_AUDIT_CHECKPOINT_KEY): they cannot be checked after a restart; production requires a configured key and file',
    );
  }
  return startCheckpoints(db, signer, {
    file: config.auditCheckpoint.file,
    intervalMs: config.auditCheckpoint.intervalMs,
    onError: (err) =>
      log?.error(
        { err: { type: (err as Error).name, code: (err as { code?: string }).code } },
        'audit checkpoint failed',
      ),
  });
}

export interface StoredCheckpoint {
  /** When it was signed (from the signed body). */
  at: string;
  keyId: string;
  /** Whether its signature verifies with the trusted public key; null when no public key is configured. */
  signatureValid: boolean | null;
}

/**
 * The newest checkpoint in the table (the convenience copy; the file is what `npm run audit:verify` trusts), with its
 * signature checked when a public key is configured. For the privacy officer's screen: when the chain heads were
 * last signed.
 */
export async function latestStoredCheckpoint(
  db: Kysely<DB>,
  publicKey: KeyObject | null,
): Promise<StoredCheckpoint | null> {
  const row = await withPrincipal(db, { kind: 'system', purpose: 'audit-verify' }, (tx) =>
    tx
      .selectFrom('audit_checkpoint')
      .select(['key_id', 'body', 'signature'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
  );
  if (!row) return null;
  let at = '';
  try {
    const parsed = JSON.parse(row.body) as { at?: unknown };
    if (typeof parsed.at === 'string') at = parsed.at;
  } catch {
    // an unreadable body shows without a time
  }
  const signatureValid = publicKey
    ? row.key_id === keyIdOf(publicKey) &&
      verify(null, Buffer.from(row.body, 'utf8'), publicKey, Buffer.from(row.signature))
    : null;
  return { at, keyId: row.key_id, signatureValid };
}
