// The production entry point (`npm run start:production`): Koepel with its capabilities and nothing else — no demo
// data, whatever the environment says. (`npm start` runs the demo: src/demo/main.ts.)
import { startupBanner } from './banner.js';
import { start } from './start.js';

await start([], (config) => startupBanner(config));
