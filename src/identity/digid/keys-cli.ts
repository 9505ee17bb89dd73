// npm run digid:keys -- <command> <file>: Koepel's own key pairs towards the DigiD bridge (KOEPEL_DIGID_KEYS_FILE).
//   new <file>       writes a new set (a signing and an encryption key, RSA 3072) to a new file, mode 0600
//   rotate <file>    adds a new pair after the current one: published at the JWKS URL and able to decrypt from the
//                    next start, but the current signing key keeps signing — so the bridge never sees an assertion
//                    signed by a key it does not know yet
//   retire <file>    keeps only the newest pair (after the bridge's operator has switched to the new keys): from the
//                    next start the new signing key signs
//   public <file>    prints what the bridge's operator needs: the public JWK Set and the public keys as PEM
// Private keys are never printed. See docs/operations.md, "DigiD through MAX".
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  generateRpKeySet,
  parseRpKeys,
  publicJwks,
  publicPem,
  signingKey,
} from '../../platform/crypto/private-jwks.js';

function fail(message: string): never {
  process.stderr.write(`digid:keys: ${message}\n`);
  process.exit(2);
}

function readSet(file: string): { keys: Record<string, unknown>[] } {
  let json: string;
  try {
    json = readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    parseRpKeys(json); // the same checks as at start
  } catch (err) {
    fail(`${file} is not usable: ${(err as Error).message}`);
  }
  return JSON.parse(json) as { keys: Record<string, unknown>[] };
}

/** Writes through a temporary file and a rename, so a crash never leaves half a key set. */
function writeSet(file: string, set: { keys: Record<string, unknown>[] }): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(set, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function describe(set: { keys: Record<string, unknown>[] }): string {
  return set.keys.map((k) => `  ${String(k.use)}  ${String(k.alg)}  ${String(k.kid)}`).join('\n');
}

const [command, file] = process.argv.slice(2);
if (!command || !file || !['new', 'rotate', 'retire', 'public'].includes(command)) {
  fail('usage: npm run digid:keys -- new|rotate|retire|public <file>');
}

switch (command) {
  case 'new': {
    if (existsSync(file)) fail(`${file} exists; use "rotate" to add a new pair to it`);
    const set = generateRpKeySet();
    writeSet(file, set);
    process.stdout.write(`Wrote a new key set to ${file} (mode 0600):\n${describe(set)}\n`);
    break;
  }
  case 'rotate': {
    const old = readSet(file);
    const set = { keys: [...old.keys, ...generateRpKeySet().keys] };
    writeSet(file, set);
    process.stdout.write(
      `Added a new pair after the current one in ${file}:\n${describe(set)}\n` +
        'Restart Koepel and give the bridge operator the new public keys ("public"); once the bridge uses them, run "retire" and restart.\n',
    );
    break;
  }
  case 'retire': {
    const set = readSet(file);
    const keys = parseRpKeys(JSON.stringify(set));
    const newest = (use: 'sig' | 'enc') => keys.filter((k) => k.use === use).at(-1)?.kid;
    const keep = new Set([newest('sig'), newest('enc')]);
    const kept = { keys: set.keys.filter((k) => keep.has(String(k.kid))) };
    writeSet(file, kept);
    process.stdout.write(`Kept the newest pair in ${file}:\n${describe(kept)}\n`);
    break;
  }
  case 'public': {
    const keys = parseRpKeys(JSON.stringify(readSet(file)));
    process.stdout.write(
      `Public JWK Set (also served at <PUBLIC_URL>/login/digid/jwks):\n${JSON.stringify(publicJwks(keys), null, 2)}\n`,
    );
    const active = signingKey(keys)?.kid;
    for (const key of keys) {
      const role = key.use === 'sig' ? 'signing key (private_key_jwt)' : 'encryption key (userinfo JWE)';
      const state = key.use === 'sig' ? (key.kid === active ? ', signs now' : ', signs after "retire"') : '';
      process.stdout.write(`\n${key.kid}: ${role}${state}, PEM:\n${publicPem(key)}`);
    }
    break;
  }
}
