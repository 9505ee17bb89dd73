// npm run digid:keys: new, rotate, retire, public — on a real file, through the CLI as an operator runs it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { entryArgs } from '../../../test/support/entry.js';
import { loadConfig } from '../../platform/config.js';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, [...entryArgs('src/identity/digid/keys-cli.ts'), ...args]);
const kids = async (file: string) =>
  (JSON.parse(await readFile(file, 'utf8')) as { keys: { kid: string; use: string }[] }).keys.map(
    (k) => `${k.use}:${k.kid}`,
  );

test("digid:keys makes, rotates and retires Koepel's key pairs; the file is private and Koepel starts with it", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'koepel-digid-keys-'));
  const file = join(dir, 'digid-keys.json');
  try {
    const made = await cli('new', file);
    assert.match(made.stdout, /sig {2}RS256/);
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'readable by the owner only');
    const first = await kids(file);
    assert.equal(first.length, 2);
    await assert.rejects(cli('new', file), /exists; use "rotate"/, 'never overwrites a key set');

    const env = {
      KOEPEL_DIGID_SIMULATOR: 'false',
      KOEPEL_DIGID_ISSUER: 'https://max.example',
      KOEPEL_DIGID_CLIENT_ID: 'koepel',
      KOEPEL_DIGID_KEYS_FILE: file,
    };
    const signingKid = () => loadConfig(env).digid.keys.find((k) => k.use === 'sig')?.kid;
    const before = signingKid();

    await cli('rotate', file);
    const rotated = await kids(file);
    assert.deepEqual(rotated.slice(0, 2), first, 'the new pair comes after the current one');
    assert.equal(rotated.length, 4);
    assert.equal(signingKid(), before, 'the current key keeps signing until "retire"');

    const pub = await cli('public', file);
    assert.match(pub.stdout, /BEGIN PUBLIC KEY/);
    assert.doesNotMatch(pub.stdout, /PRIVATE KEY|"d":/, 'never a private key');
    assert.match(pub.stdout, /signs now/);
    assert.match(pub.stdout, /signs after "retire"/);

    await cli('retire', file);
    assert.deepEqual(await kids(file), rotated.slice(2), 'only the new pair is left');
    assert.notEqual(signingKid(), before, 'the new key signs');

    await assert.rejects(cli('rotate', join(dir, 'missing.json')), /cannot read/);
    await assert.rejects(cli('frobnicate', file), /usage/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
