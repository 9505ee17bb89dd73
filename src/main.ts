// The production entry point (`npm run start:production`): Koepel with its capabilities and nothing else — no demo
// data, whatever the environment says. (`npm start` runs the demo: src/demo/main.ts.)
import { start } from './start.js';

await start([], (config) =>
  [
    `Koepel is running at ${config.publicUrl}`,
    config.production ? '' : `Not in production mode (NODE_ENV=${process.env.NODE_ENV ?? 'development'}).`,
    config.digid.simulator ? 'The DigiD simulator is on: for trying Koepel out only.' : '',
  ]
    .filter(Boolean)
    .join('\n'),
);
