// The demo (`npm start`): the "Gezondheidsportaal Demo" with five organisations, test citizens and staff, their
// records, and an example health app. A boot extension (src/boot.ts) that only the demo entry (src/demo/main.ts) and
// the tests pass in; production code never imports this folder (a lint rule says so), and production refuses to
// start with the demo seed on (src/platform/config.ts).
import type { BootExtension } from '../boot.js';
import { defineCapability } from '../platform/capability.js';
import { DEMO_PGO_PATH, ensureDemoPgo, registerDemoPgo } from './pgo.js';
import { demoPgoMessages } from './pgo-messages.js';
import { seedDemo } from './seed.js';

/** The example health app: only beside the demo seed and the DigiD simulator (it logs in through the simulator). */
const demoPgo = defineCapability({
  name: 'demo',
  messages: [demoPgoMessages],
  navigation: [{ area: 'connected-apps', href: DEMO_PGO_PATH, label: 'demoPgo.link', order: 10 }],
  enabled: (config) => config.demoSeed && config.digid.simulator,
  register: registerDemoPgo,
});

export const demo: BootExtension = {
  name: 'demo',
  async prepare({ config, database, keys }) {
    if (!config.demoSeed) return false;
    const seeded = await seedDemo(database.db, keys);
    if (config.digid.simulator) await ensureDemoPgo(database.db, config.publicUrl);
    return seeded;
  },
  capabilities: [demoPgo],
};
