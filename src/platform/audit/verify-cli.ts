// npm run audit:verify — checks the NEN 7513 audit log's hash chains and prints OK or the first broken record.
// With KOEPEL_AUDIT_CHECKPOINT_FILE and a key (KOEPEL_AUDIT_CHECKPOINT_KEY, or only the public half in
// KOEPEL_AUDIT_CHECKPOINT_PUBLIC_KEY) it also checks every chain against the signed checkpoints in that file, which
// shows a rewrite by someone who could change the database itself (docs/ARCHITECTURE.md, audit log).
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { readCheckpointFile, type CheckpointBody } from './checkpoint.js';
import { verifyAuditLog } from './verify.js';

const config = loadConfig();
const { publicKey, file } = config.auditCheckpoint;
let checkpoints: CheckpointBody[] = [];
if (publicKey && file) {
  const read = readCheckpointFile(file, publicKey);
  if (!read.ok) {
    console.log(`audit log BROKEN: checkpoint file line ${read.line} ${read.problem}`);
    process.exit(1);
  }
  checkpoints = read.checkpoints;
}
const database = await openDatabase(config.database);
try {
  await database.withStartLock(
    (db) => migrate(db),
    (message) => console.error(message),
  );
  const result = await verifyAuditLog(database.db, 5000, checkpoints);
  if (result.ok) {
    console.log(
      `audit log OK: ${result.records} records in ${result.chains} chain(s) verified` +
        (publicKey && file
          ? `, against ${result.checkpoints} signed checkpoint(s)`
          : ' (no signed checkpoints configured: a rewrite by a database superuser would not be seen)'),
    );
  } else {
    console.log(
      `audit log BROKEN at ${result.brokenId === null ? 'the end of' : `record id ${result.brokenId},`} chain ${result.chainId}, ` +
        `sequence ${result.seq}: ${result.problem} (${result.records} records checked)`,
    );
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
