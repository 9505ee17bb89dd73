// Key sets for tests of Koepel as DigiD relying party: a private JWK Set as Koepel is configured with
// (KOEPEL_DIGID_KEYS), made once per process (RSA 2048: quick enough, and what MAX's RSA-OAEP expects), and client
// assertions as a MAX-like provider expects them.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import {
  generateRpKeySet,
  parseRpKeys,
  publicJwks,
  signingKey,
  type RpKey,
} from '../../src/platform/crypto/private-jwks.js';

const sets = new Map<string, { json: string; keys: RpKey[] }>();

/** A private JWK Set (sig + enc); `name` gives a different set per name, the same one within a process. */
export function testRpKeySet(name = 'koepel'): {
  json: string;
  keys: RpKey[];
  jwks: { keys: Record<string, unknown>[] };
} {
  let set = sets.get(name);
  if (!set) {
    const json = JSON.stringify(generateRpKeySet({ modulusLength: 2048 }));
    set = { json, keys: parseRpKeys(json) };
    sets.set(name, set);
  }
  return { ...set, jwks: publicJwks(set.keys) };
}

/** A private_key_jwt client assertion (RFC 7523) signed with the set's signing key. */
export async function clientAssertion(
  keys: readonly RpKey[],
  opts: { clientId: string; audience: string; jti?: string; expiresIn?: string },
): Promise<string> {
  const key = signingKey(keys);
  if (!key) throw new Error('no signing key');
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setIssuer(opts.clientId)
    .setSubject(opts.clientId)
    .setAudience(opts.audience)
    .setJti(opts.jti ?? randomUUID())
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '60s')
    .sign(key.privateKey);
}
