// The demo entry point (`npm start`): Koepel with the demo portal, its test citizens and staff, and the example
// health app. Refuses to run in production mode: the demo accounts' password is published right below.
import { addressNote } from '../banner.js';
import { FIXTURE_PERSONS } from '../identity/index.js';
import { ConfigError } from '../platform/config.js';
import { start } from '../start.js';
import { demo } from './index.js';
import { DEMO_PASSWORD, DEMO_STAFF } from './seed.js';
import { useTypeScriptWorkers } from './typescript-workers.js';

useTypeScriptWorkers();
await start(
  [demo],
  (config, koepel) => {
    const url = config.publicUrl;
    return `
Koepel (demo) is running at ${url}
${addressNote(config)}
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
`;
  },
  (config) => {
    if (config.production) {
      throw new ConfigError('the demo (npm start) does not run in production mode; use npm run start:production.');
    }
    if (!config.digid.simulator || !config.demoSeed) {
      throw new ConfigError(
        'the demo (npm start) needs the DigiD simulator and the demo seed; without them, use npm run start:production.',
      );
    }
  },
);
