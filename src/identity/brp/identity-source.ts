// Which identity source this deployment uses: a configured BRP API (KOEPEL_BRP_URL, KOEPEL_BRP_API_KEY), or outside
// production the embedded fixture BRP. (Production without KOEPEL_BRP_URL is refused by the configuration already.)
import type { Config } from '../../platform/config.js';
import { HttpBrpClient, type IdentitySource } from './brp-client.js';
import { FixtureBrpClient } from './fixture-brp.js';

export function createIdentitySource(config: Config): IdentitySource {
  if (config.brp.url) return new HttpBrpClient({ url: config.brp.url, apiKey: config.brp.apiKey });
  if (config.production) throw new Error('production without a BRP URL: loadConfig refuses this');
  return new FixtureBrpClient();
}
