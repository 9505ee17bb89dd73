// The identity capability: citizen login with DigiD (OIDC), the identity source (BRP), logout for everyone, and
// while the DigiD simulator is on, the fixture BRP as an HTTP endpoint. (The simulator itself: src/digid-simulator.)
import type { FastifyInstance } from 'fastify';
import { FIXTURE_BRP_API_KEY, registerFixtureBrpEndpoint } from './brp/fixture-brp.js';
import { createIdentitySource } from './brp/identity-source.js';
import { DIGID_CALLBACK_PATH, DigidClient, inProcessFetch } from './digid/oidc-client.js';
import { registerDigidJwks, registerDigidLogin } from './digid/routes.js';
import { registerLogout } from './logout.js';

export function registerIdentity(app: FastifyInstance): void {
  const { config } = app.koepel;
  const identity = createIdentitySource(config);
  if (config.digid.simulator) registerFixtureBrpEndpoint(app, config.brp.apiKey ?? FIXTURE_BRP_API_KEY);
  const digid = new DigidClient({
    issuer: config.digid.issuer,
    clientId: config.digid.clientId,
    clientSecret: config.digid.clientSecret,
    clientAuth: config.digid.clientAuth,
    keys: config.digid.keys,
    redirectUri: `${config.publicUrl}${DIGID_CALLBACK_PATH}`,
    // The built-in simulator runs in this process: reach it without the network, and over http if need be. Plain
    // http to an external issuer only on loopback outside production (config.ts refuses anything else at start).
    allowInsecure: config.digid.allowHttp,
    ...(config.digid.simulator ? { fetch: inProcessFetch(app, config.publicUrl) } : {}),
  });
  registerDigidLogin(app, digid, identity);
  registerDigidJwks(app);
  registerLogout(app);
}
