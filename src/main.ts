// The one entry point: `npm start`.
import { boot, createLogger } from './boot.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { DEMO_PASSWORD, DEMO_STAFF } from './demo/seed.js';
import { FIXTURE_PERSONS } from './identity/brp/fixture-persons.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Koepel cannot start: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger(config);
if (config.database.kind === 'pglite') {
  logger.warn(
    `Using the embedded PGlite database in ${config.dataDir}: fine for a demo, a trial or tests, NOT for production ` +
      '(it runs as superuser and does not fsync). Set DATABASE_URL to use PostgreSQL.',
  );
}
const koepel = await boot(config, logger);
await koepel.app.listen({ port: config.port, host: config.host });

const url = config.publicUrl;
console.log(`
Koepel is running at ${url}
${koepel.seeded ? 'The demo was loaded into the empty database.' : ''}
Citizens: open ${url}, choose "Inloggen met DigiD"; the DigiD simulator lets you pick a test person:
${FIXTURE_PERSONS.map((p) => `  - ${p.naam.volledigeNaam} (BSN ${p.burgerservicenummer})`).join('\n')}
  (Noor Visser has no care relationship in this portal.)
Staff: open ${url}/staff/login, password "${DEMO_PASSWORD}" for every demo account, for example:
${DEMO_STAFF.filter((s) => s.role)
  .slice(0, 6)
  .map((s) => `  - ${s.email} (${s.role ?? ''})`)
  .join('\n')}
  Operator (security alerts): ${DEMO_STAFF.find((s) => s.operator)?.email ?? ''}
  On first login you enrol an authenticator app (TOTP) where the organisation requires it.
`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void koepel.close().then(() => process.exit(0));
  });
}
