// A JWK Set of private keys, as Koepel holds its own key pairs when it is an OpenID Connect relying party (of a DigiD
// bridge such as MAX: config.digid.keys):
//   - a signing key ("use": "sig") for private_key_jwt client authentication at the token endpoint;
//   - an encryption key ("use": "enc") the provider encrypts userinfo to (a JWE, as MAX always does).
// Configured as JSON (KOEPEL_DIGID_KEYS, or a file: KOEPEL_DIGID_KEYS_FILE), made with `npm run digid:keys`; the public
// halves are published as a JWK Set for the provider's operator (publicJwks).
//
// Rotation (`npm run digid:keys -- rotate|retire`): the new pair is added AFTER the current one, so it is published
// and decrypts while the current signing key (the first "sig" key) still signs; once the provider's operator has the
// new public keys, the old pair is removed and the new signing key signs. RSA keys (at least 2048 bits) and EC keys (P-256, P-384, P-521) are accepted.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

export type RpKeyUse = 'sig' | 'enc';

export interface RpKey {
  kid: string;
  use: RpKeyUse;
  /** The JWS algorithm (sig) or JWE key management algorithm (enc) this key is for. */
  alg: string;
  privateKey: KeyObject;
  /** The public half as a JWK, with kid, use and alg: what the JWKS publishes. */
  publicJwk: Record<string, unknown>;
}

export class RpKeyError extends Error {}

const SIG_ALGS: Record<string, readonly string[]> = {
  RSA: ['RS256', 'PS256', 'RS384', 'PS384', 'RS512', 'PS512'],
  EC: ['ES256', 'ES384', 'ES512'],
};
const ENC_ALGS: Record<string, readonly string[]> = {
  RSA: ['RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512'],
  EC: ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW'],
};
const EC_SIG_ALG: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

/** The public members of an RSA or EC JWK. */
const PUBLIC_MEMBERS = ['kty', 'n', 'e', 'crv', 'x', 'y'] as const;

function oneKey(raw: unknown, index: number): RpKey {
  const where = `key ${index + 1}`;
  if (!raw || typeof raw !== 'object') throw new RpKeyError(`${where} is not a JWK object`);
  const jwk = raw as Record<string, unknown>;
  const kid = jwk.kid;
  if (typeof kid !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(kid)) {
    throw new RpKeyError(`${where} needs a "kid" (1-128 printable characters)`);
  }
  const use = jwk.use;
  if (use !== 'sig' && use !== 'enc') throw new RpKeyError(`key "${kid}" needs "use": "sig" or "enc"`);
  const kty = jwk.kty;
  if (kty !== 'RSA' && kty !== 'EC') throw new RpKeyError(`key "${kid}" must be an RSA or EC key`);
  if (typeof jwk.d !== 'string') throw new RpKeyError(`key "${kid}" must be a private key (it has no "d")`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch {
    throw new RpKeyError(`key "${kid}" is not a usable ${kty} private key`);
  }
  const details = privateKey.asymmetricKeyDetails;
  if (kty === 'RSA' && (details?.modulusLength ?? 0) < 2048) {
    throw new RpKeyError(`key "${kid}" is an RSA key shorter than 2048 bits`);
  }
  const allowed = (use === 'sig' ? SIG_ALGS : ENC_ALGS)[kty] ?? [];
  const defaultAlg =
    use === 'sig'
      ? kty === 'RSA'
        ? 'RS256'
        : (EC_SIG_ALG[details?.namedCurve === 'prime256v1' ? 'P-256' : String(jwk.crv)] ?? 'ES256')
      : kty === 'RSA'
        ? 'RSA-OAEP'
        : 'ECDH-ES';
  const alg = jwk.alg === undefined ? defaultAlg : jwk.alg;
  if (typeof alg !== 'string' || !allowed.includes(alg)) {
    throw new RpKeyError(`key "${kid}" has "alg" ${JSON.stringify(alg)}, not one of ${allowed.join(', ')}`);
  }
  const exported = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  const publicJwk: Record<string, unknown> = {};
  for (const m of PUBLIC_MEMBERS) if (exported[m] !== undefined) publicJwk[m] = exported[m];
  Object.assign(publicJwk, { kid, use, alg });
  return { kid, use, alg, privateKey, publicJwk };
}

/**
 * Reads a JWK Set of private keys (the JSON text). Throws RpKeyError naming the key and the problem, never a key's
 * value.
 */
export function parseRpKeys(json: string): RpKey[] {
  let set: unknown;
  try {
    set = JSON.parse(json);
  } catch {
    throw new RpKeyError('it is not JSON (a JWK Set is expected: {"keys": [...]})');
  }
  const keys = (set as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new RpKeyError('it is not a JWK Set with at least one key');
  const parsed = keys.map((k, i) => oneKey(k, i));
  const seen = new Set<string>();
  for (const k of parsed) {
    if (seen.has(k.kid)) throw new RpKeyError(`the kid "${k.kid}" is used twice`);
    seen.add(k.kid);
  }
  return parsed;
}

/** The key that signs client assertions: the first signing key in the set. */
export function signingKey(keys: readonly RpKey[]): RpKey | undefined {
  return keys.find((k) => k.use === 'sig');
}

/** Every key that may decrypt a userinfo JWE (old ones stay until the bridge has the new one). */
export function encryptionKeys(keys: readonly RpKey[]): RpKey[] {
  return keys.filter((k) => k.use === 'enc');
}

/** The public JWK Set to publish: every key in the set, public members only. */
export function publicJwks(keys: readonly RpKey[]): { keys: Record<string, unknown>[] } {
  return { keys: keys.map((k) => k.publicJwk) };
}

/** A public key as SPKI PEM: what MAX's client configuration takes (client_public_key_path). */
export function publicPem(key: RpKey): string {
  return createPublicKey(key.privateKey).export({ format: 'pem', type: 'spki' }).toString();
}

/**
 * A new pair of keys (RSA 3072: signing RS256, encryption RSA-OAEP) as a JWK Set of private keys, with kids that
 * carry the date so that a rotated set stays readable.
 */
export function generateRpKeySet(opts: { now?: Date; modulusLength?: number } = {}): {
  keys: Record<string, unknown>[];
} {
  const stamp = (opts.now ?? new Date()).toISOString().slice(0, 10);
  const suffix = randomBytes(4).toString('hex');
  const make = (use: RpKeyUse, alg: string) => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: opts.modulusLength ?? 3072 });
    return {
      ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>),
      kid: `koepel-${use}-${stamp}-${suffix}`,
      use,
      alg,
    };
  };
  return { keys: [make('sig', 'RS256'), make('enc', 'RSA-OAEP')] };
}
