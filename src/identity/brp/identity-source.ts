// Which identity source this deployment uses: a configured BRP API (KOEPEL_BRP_URL, KOEPEL_BRP_API_KEY), or outside
// production the embedded fixture BRP. Production without an identity source refuses to start.
import { ConfigError, type Config } from '../../platform/config.js';
import { HttpBrpClient, type IdentitySource } from './brp-client.js';
import { FixtureBrpClient } from './fixture-brp.js';

export function createIdentitySource(config: Config): IdentitySource {
  if (config.brp.url) return new HttpBrpClient({ url: config.brp.url, apiKey: config.brp.apiKey });
  if (!config.production) return new FixtureBrpClient();
  throw new ConfigError(
    'Production mode needs KOEPEL_BRP_URL (and KOEPEL_BRP_API_KEY): identity data comes from the BRP.',
  );
}
