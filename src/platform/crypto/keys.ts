// Data keys: one per organisation (for its record data), one per citizen (BSN, BRP snapshot, contact details) and
// one per citizen for their private notes (issue 13, LU-3), which only the citizen principal itself reads. Keys are
// stored wrapped by the master key; reading the wrapped key goes through row-level security like any other row.
// Unwrapped keys are cached briefly in memory — except notes keys: their row is read (through its policy) on every
// use, so a key unwrapped for the citizen is never handed to another principal from the cache.
import { createHmac, hkdfSync } from 'node:crypto';
import type { Tx } from '../db/principal.js';
import { CryptoError, keyVersionOf, MasterKeyring, newDataKey, open, seal } from './envelope.js';

const CACHE_MS = 5 * 60_000;
const CACHE_MAX = 10_000;
/** How long a bulk writer's handle (current key version and derived MAC key) is reused before the key row is read again. */
const HANDLE_MS = 60_000;

export type KeyOwner =
  | { kind: 'citizen'; id: string }
  | { kind: 'organisation'; id: string }
  /** A citizen's private-notes key (table citizen_notes_key, migration 0031): never cached, never a handle. */
  | { kind: 'citizen-notes'; id: string };

/** Keys that are read through their row-level policy on every use (no cache of the unwrapped key). */
const uncached = (owner: KeyOwner) => owner.kind === 'citizen-notes';

export interface NewKey {
  version: number;
  wrapped: Buffer;
  key: Buffer;
}

/** An owner's current data key, resolved once for many operations (bulk writes). */
export interface KeyHandle {
  seal(plaintext: Uint8Array, aad: string): Buffer;
  /**
   * A keyed MAC (HMAC-SHA256 under a key derived from the data key): recognises unchanged content without a
   * plain hash, which could be guessed for short health texts.
   */
  mac(data: Uint8Array): Buffer;
}

export class KeyStore {
  private readonly cache = new Map<string, { key: Buffer; at: number }>();
  private readonly handles = new Map<string, { handle: KeyHandle; at: number }>();

  constructor(readonly master: MasterKeyring) {}

  /** A fresh data key for a new citizen or organisation; the caller inserts `wrapped` in the same transaction. */
  createKey(owner: KeyOwner): NewKey {
    const key = newDataKey();
    const version = 1;
    const wrapped = this.master.wrap(key, `${owner.kind}:${owner.id}:${version}`);
    this.remember(owner, version, key);
    return { key, version, wrapped };
  }

  async encrypt(tx: Tx, owner: KeyOwner, plaintext: string, aad: string): Promise<Buffer> {
    const { key, version } = await this.currentKey(tx, owner);
    return seal(key, version, Buffer.from(plaintext, 'utf8'), aad);
  }

  /**
   * The owner's current key for many operations. Reused for HANDLE_MS: a provider system's stream of bundles reads
   * the key row once a minute, not once per bundle. (The handle only encrypts; what may be written where is decided by
   * the row's own policy. A newer key version would be picked up within HANDLE_MS; older versions stay readable.)
   */
  async handle(tx: Tx, owner: KeyOwner): Promise<KeyHandle> {
    if (uncached(owner)) throw new CryptoError('no bulk handle for a notes key');
    const id = `${owner.kind}:${owner.id}`;
    const cached = this.handles.get(id);
    if (cached && Date.now() - cached.at < HANDLE_MS) return cached.handle;
    const { key, version } = await this.currentKey(tx, owner);
    const macKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'koepel content mac v1', 32));
    const handle: KeyHandle = {
      seal: (plaintext, aad) => seal(key, version, plaintext, aad),
      mac: (data) => createHmac('sha256', macKey).update(data).digest(),
    };
    if (this.handles.size >= CACHE_MAX) this.handles.clear();
    this.handles.set(id, { handle, at: Date.now() });
    return handle;
  }

  /** Decrypt to bytes (attachments). */
  async decryptBytes(tx: Tx, owner: KeyOwner, ciphertext: Uint8Array, aad: string): Promise<Buffer> {
    const key = await this.keyVersion(tx, owner, keyVersionOf(ciphertext));
    return open(key, ciphertext, aad);
  }

  /** Encrypt with a key the caller already holds (used while creating the owner row). */
  encryptWith(k: NewKey, plaintext: string, aad: string): Buffer {
    return seal(k.key, k.version, Buffer.from(plaintext, 'utf8'), aad);
  }

  async decrypt(tx: Tx, owner: KeyOwner, ciphertext: Uint8Array, aad: string): Promise<string> {
    const key = await this.keyVersion(tx, owner, keyVersionOf(ciphertext));
    return open(key, ciphertext, aad).toString('utf8');
  }

  blindIndex(domain: string, value: string): Buffer {
    return this.master.blindIndex(domain, value);
  }

  /** Forget cached keys of an owner (after its key is destroyed). */
  forget(owner: KeyOwner): void {
    this.handles.delete(`${owner.kind}:${owner.id}`);
    for (const k of this.cache.keys()) if (k.startsWith(`${owner.kind}:${owner.id}:`)) this.cache.delete(k);
  }

  private remember(owner: KeyOwner, version: number, key: Buffer): void {
    if (uncached(owner)) return;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(`${owner.kind}:${owner.id}:${version}`, { key, at: Date.now() });
  }

  private async currentKey(tx: Tx, owner: KeyOwner): Promise<{ key: Buffer; version: number }> {
    const rows = await this.keyRows(tx, owner, null);
    const newest = rows.sort((a, b) => b.version - a.version)[0];
    if (!newest) throw new CryptoError(`no data key for this ${owner.kind}`);
    return { key: this.unwrapRow(owner, newest), version: newest.version };
  }

  private async keyVersion(tx: Tx, owner: KeyOwner, version: number): Promise<Buffer> {
    const cached = uncached(owner) ? undefined : this.cache.get(`${owner.kind}:${owner.id}:${version}`);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.key;
    const row = (await this.keyRows(tx, owner, version))[0];
    if (!row) throw new CryptoError(`no data key for this ${owner.kind} (destroyed, or not visible to this principal)`);
    return this.unwrapRow(owner, row);
  }

  private unwrapRow(owner: KeyOwner, row: { version: number; wrapped: Uint8Array }): Buffer {
    const key = this.master.unwrap(row.wrapped, `${owner.kind}:${owner.id}:${row.version}`);
    this.remember(owner, row.version, key);
    return key;
  }

  private async keyRows(tx: Tx, owner: KeyOwner, version: number | null) {
    if (owner.kind === 'citizen-notes') {
      let q = tx.selectFrom('citizen_notes_key').select(['version', 'wrapped']).where('citizen_id', '=', owner.id);
      if (version !== null) q = q.where('version', '=', version);
      return q.execute();
    }
    if (owner.kind === 'citizen') {
      let q = tx.selectFrom('citizen_key').select(['version', 'wrapped']).where('citizen_id', '=', owner.id);
      if (version !== null) q = q.where('version', '=', version);
      return q.execute();
    }
    let q = tx.selectFrom('organisation_key').select(['version', 'wrapped']).where('organisation_id', '=', owner.id);
    if (version !== null) q = q.where('version', '=', version);
    return q.execute();
  }
}
