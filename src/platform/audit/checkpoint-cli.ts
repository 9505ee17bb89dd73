// npm run audit:checkpoint — signs the current head of every audit chain now (as the server does every
// KOEPEL_AUDIT_CHECKPOINT_INTERVAL_SECONDS) and appends it to KOEPEL_AUDIT_CHECKPOINT_FILE and the database.
// Needs KOEPEL_AUDIT_CHECKPOINT_KEY: a checkpoint signed with a key made up on the spot proves nothing later.
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { checkpointSigner, writeCheckpoint } from './checkpoint.js';

const config = loadConfig();
if (!config.auditCheckpoint.privateKey) {
  console.error('audit:checkpoint needs KOEPEL_AUDIT_CHECKPOINT_KEY (an Ed25519 private key, PEM or base64 PKCS#8).');
  process.exit(2);
}
const signer = checkpointSigner(config);
const database = await openDatabase(config.database);
try {
  await database.withStartLock(
    (db) => migrate(db),
    (message) => console.error(message),
  );
  const signed = await writeCheckpoint(database.db, signer, config.auditCheckpoint.file);
  const heads = (JSON.parse(signed.body) as { heads: unknown[] }).heads.length;
  console.log(
    `audit checkpoint signed (key ${signer.keyId}): ${heads} chain head(s), written to the database` +
      (config.auditCheckpoint.file ? ` and ${config.auditCheckpoint.file}` : ' only (no KOEPEL_AUDIT_CHECKPOINT_FILE)'),
  );
} finally {
  await database.close();
}
