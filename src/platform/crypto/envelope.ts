// Envelope encryption (AES-256-GCM). A master key (KOEPEL_MASTER_KEY, versioned) wraps data keys; data keys
// encrypt the data. Every ciphertext carries the version of the key that made it, and a fresh random 96-bit
// nonce; the additional authenticated data binds it to its place (table, column, row) so ciphertexts cannot be
// moved between rows. Deleting a data key shreds everything encrypted under it.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + 4 + NONCE_BYTES;

export class CryptoError extends Error {}

/** Layout: [format 1 byte][key version uint32 BE][nonce 12][ciphertext][tag 16] */
export function seal(key: Uint8Array, keyVersion: number, plaintext: Uint8Array, aad: string): Buffer {
  if (key.length !== 32) throw new CryptoError('AES-256 needs a 32-byte key');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(FORMAT, 0);
  header.writeUInt32BE(keyVersion, 1);
  nonce.copy(header, 5);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

export function keyVersionOf(ciphertext: Uint8Array): number {
  const buf = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  if (buf.length < HEADER_BYTES + TAG_BYTES || buf.readUInt8(0) !== FORMAT)
    throw new CryptoError('not a Koepel ciphertext');
  return buf.readUInt32BE(1);
}

export function open(key: Uint8Array, ciphertext: Uint8Array, aad: string): Buffer {
  const buf = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  keyVersionOf(buf);
  const nonce = buf.subarray(5, HEADER_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const body = buf.subarray(HEADER_BYTES, buf.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new CryptoError('ciphertext does not authenticate (wrong key, wrong place or tampered)');
  }
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}

/** The master keyring: versions of the master key, the newest wraps new data keys. */
export class MasterKeyring {
  private readonly keys = new Map<number, Buffer>();
  readonly current: number;
  private readonly blindIndexKey: Buffer;

  /** spec: "<base64>" (version 1) or "1:<base64>,2:<base64>" */
  constructor(spec: string) {
    for (const part of spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const m = /^(?:(\d+):)?([A-Za-z0-9+/=_-]+)$/.exec(part);
      if (!m?.[2])
        throw new CryptoError('KOEPEL_MASTER_KEY must be base64, or "version:base64" pairs separated by commas');
      const key = Buffer.from(m[2], 'base64');
      if (key.length !== 32)
        throw new CryptoError('each KOEPEL_MASTER_KEY version must be 32 bytes (base64 of 32 random bytes)');
      this.keys.set(Number(m[1] ?? '1'), key);
    }
    if (this.keys.size === 0) throw new CryptoError('KOEPEL_MASTER_KEY is empty');
    this.current = Math.max(...this.keys.keys());
    // The blind index must not change when the master key rotates, so it derives from the oldest version.
    const oldest = this.keys.get(Math.min(...this.keys.keys()));
    if (!oldest) throw new CryptoError('KOEPEL_MASTER_KEY is empty');
    this.blindIndexKey = Buffer.from(hkdfSync('sha256', oldest, Buffer.alloc(0), 'koepel blind index v1', 32));
  }

  wrap(dataKey: Uint8Array, aad: string): Buffer {
    const key = this.keys.get(this.current);
    if (!key) throw new CryptoError('no current master key');
    return seal(key, this.current, dataKey, `wrap:${aad}`);
  }

  unwrap(wrapped: Uint8Array, aad: string): Buffer {
    const version = keyVersionOf(wrapped);
    const key = this.keys.get(version);
    if (!key) throw new CryptoError(`master key version ${version} is not configured`);
    return open(key, wrapped, `wrap:${aad}`);
  }

  /** Deterministic keyed hash for equality lookups (BSN, pseudonymous throttle keys). */
  blindIndex(domain: string, value: string): Buffer {
    return createHmac('sha256', this.blindIndexKey).update(`${domain}\u0000${value}`, 'utf8').digest();
  }
}

export function generateMasterKey(): string {
  return randomBytes(32).toString('base64');
}
