// Apps the citizen authorises to read their record (issue 3): the authorization and token endpoints, the citizen's
// "Gekoppelde apps" page, and the SMART configuration document that tells an app where to find them.
// The operator's app register is in operator.tsx; the bearer check on the read API in bearer.ts.
import type { FastifyInstance } from 'fastify';
import { issuerOf, registerAuthorizeRoutes } from './authorize.js';
import { READ_SCOPES } from './authorization-request.js';
import { registerConnectedApps } from './connected.js';
import { APP_TOKEN_PATH, AUTHORIZE_PATH } from './registry.js';
import { registerAppTokenEndpoint } from './token.js';

/** SMART App Launch 2.x "well-known" discovery (also referred to from /fhir/metadata). */
export function smartConfiguration(publicUrl: string): Record<string, unknown> {
  return {
    issuer: issuerOf(publicUrl),
    authorization_endpoint: `${publicUrl}${AUTHORIZE_PATH}`,
    token_endpoint: `${publicUrl}${APP_TOKEN_PATH}`,
    grant_types_supported: ['authorization_code'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    scopes_supported: [...READ_SCOPES, 'launch/patient'],
    capabilities: [
      'launch-standalone',
      'client-public',
      'client-confidential-symmetric',
      'context-standalone-patient',
      'permission-patient',
      'permission-v1',
      'permission-v2',
    ],
    authorization_response_iss_parameter_supported: true,
  };
}

export function registerCitizenApps(app: FastifyInstance): void {
  registerAuthorizeRoutes(app);
  registerAppTokenEndpoint(app);
  registerConnectedApps(app);
  const config = smartConfiguration(app.koepel.config.publicUrl);
  for (const path of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
    app.get(path, async (_req, reply) => reply.type('application/json; charset=utf-8').send(config));
  }
}
