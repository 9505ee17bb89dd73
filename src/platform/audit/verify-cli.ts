// npm run audit:verify — checks the NEN 7513 audit log's hash chains and prints OK or the first broken record.
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { verifyAuditLog } from './verify.js';

const config = loadConfig();
const database = await openDatabase(config.database);
try {
  await migrate(database.db);
  const result = await verifyAuditLog(database.db);
  if (result.ok) {
    console.log(`audit log OK: ${result.records} records in ${result.chains} chain(s) verified`);
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
