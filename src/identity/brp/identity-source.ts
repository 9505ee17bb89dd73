// Which identity source this deployment uses: a configured BRP API (KOEPEL_BRP_URL, KOEPEL_BRP_API_KEY, and mutual TLS
// with KOEPEL_BRP_CLIENT_CERT_FILE / KOEPEL_BRP_CLIENT_KEY_FILE / KOEPEL_BRP_CA_FILE where the supplier needs it), or outside
// production the embedded fixture BRP. (Production without KOEPEL_BRP_URL is refused by the configuration already.)
import type { Config } from '../../platform/config.js';
import { HttpBrpClient, type IdentitySource } from './brp-client.js';
import { FixtureBrpClient } from './fixture-brp.js';

export function createIdentitySource(config: Config): IdentitySource {
  const { url, apiKey, clientCert, ca } = config.brp;
  if (url) return new HttpBrpClient({ url, apiKey, tls: { clientCert, ca } });
  if (config.production) throw new Error('production without a BRP URL: loadConfig refuses this');
  return new FixtureBrpClient();
}
