// Where the master key comes from: KOEPEL_MASTER_KEY, or (embedded demo only) a key generated into ./data/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { generateMasterKey, MasterKeyring } from './envelope.js';

export function loadMasterKeyring(config: Config, warn: (msg: string) => void): MasterKeyring {
  if (config.masterKey) return new MasterKeyring(config.masterKey);
  if (config.production) throw new Error('KOEPEL_MASTER_KEY is required in production');
  if (config.database.kind === 'pglite' && config.database.dataDir === null) {
    // An in-memory database (tests): an in-memory key is enough.
    return new MasterKeyring(generateMasterKey());
  }
  const file = join(config.dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, generateMasterKey() + '\n', { mode: 0o600 });
  }
  warn(
    `WARNING: using a master key generated into ${file}. Anyone who can read that file can decrypt the data. ` +
      'This is for the embedded demo only: set KOEPEL_MASTER_KEY (kept in a secrets manager) for real use.',
  );
  return new MasterKeyring(readFileSync(file, 'utf8').trim());
}
