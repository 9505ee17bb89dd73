// The start-up text of the production entry point (src/main.ts): where Koepel runs, and how citizens log in — the
// DigiD simulator only when it is on, otherwise the configured DigiD bridge (its issuer URL: not a secret).
import type { Config } from './platform/config.js';

/** Under the first line of both banners: PUBLIC_URL is the one address; other host names are sent there. */
export function addressNote(config: Config): string {
  return `Use this address (PUBLIC_URL): a browser that opens another host name of this server is sent to ${config.publicUrl}.`;
}

export function startupBanner(config: Config, nodeEnv: string | undefined = process.env.NODE_ENV): string {
  return [
    `Koepel is running at ${config.publicUrl}`,
    addressNote(config),
    config.production ? '' : `Not in production mode (NODE_ENV=${nodeEnv ?? 'development'}).`,
    config.digid.simulator
      ? 'The DigiD simulator is on: for trying Koepel out only.'
      : `Citizens log in with DigiD through the bridge at ${config.digid.issuer}.`,
  ]
    .filter(Boolean)
    .join('\n');
}
