// The DigiD simulator: a small OpenID Connect provider with test persons, for the demo and the tests. Only where it
// is switched on, which production refuses (src/platform/config.ts).
import { defineCapability } from '../platform/capability.js';
import { simulatorMessages } from './messages.js';
import { registerDigidSimulator } from './routes.js';

export const digidSimulator = defineCapability({
  name: 'digid-simulator',
  messages: [simulatorMessages],
  enabled: (config) => config.digid.simulator,
  register: registerDigidSimulator,
});
