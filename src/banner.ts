// The start-up text of the production entry point (src/main.ts): where Koepel runs, and how citizens log in — the
// DigiD simulator only when it is on, otherwise the configured DigiD bridge (its issuer URL: not a secret).
import type { Config } from './platform/config.js';

export function startupBanner(config: Config, nodeEnv: string | undefined = process.env.NODE_ENV): string {
  return [
    `Koepel is running at ${config.publicUrl}`,
    config.production ? '' : `Not in production mode (NODE_ENV=${nodeEnv ?? 'development'}).`,
    config.digid.simulator
      ? 'The DigiD simulator is on: for trying Koepel out only.'
      : `Citizens log in with DigiD through the bridge at ${config.digid.issuer}.`,
  ]
    .filter(Boolean)
    .join('\n');
}
