// Called by scripts/run-tests.mjs once per run: builds the prepared database (template.ts) and prints, as one JSON
// line, the environment variable that hands it to the test files.
//   node --import tsx test/support/build-template.ts <directory for the PGlite dump>
import { buildPgliteTemplate, buildPostgresTemplate, PGLITE_DUMP_ENV, TEMPLATE_DATABASE_ENV } from './template.js';

const serverUrl = process.env.KOEPEL_TEST_DATABASE_URL;
const dir = process.argv[2];
if (!serverUrl && !dir) throw new Error('usage: build-template.ts <directory>');
const env = serverUrl
  ? { [TEMPLATE_DATABASE_ENV]: await buildPostgresTemplate(serverUrl) }
  : { [PGLITE_DUMP_ENV]: await buildPgliteTemplate(dir ?? '') };
process.stdout.write(JSON.stringify(env) + '\n');
