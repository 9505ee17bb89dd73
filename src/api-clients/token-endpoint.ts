// The OAuth2 token endpoint for provider systems: POST /fhir/token, client credentials grant (RFC 6749 §4.4).
// The client authenticates with HTTP Basic or with client_id/client_secret in the form body (§2.3.1), never both.
// Errors are RFC 6749 §5.2 JSON. Failed client authentication is throttled per client id *from each address* and per
// address, in counters of their own (a provider system's mistakes must not lock staff out of logging in from the same
// address). A client id is no secret: counted across all addresses, five wrong secrets from anywhere would lock the
// provider system out. Across addresses the failures are only counted, and many of them raise a "spread" alert.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { credentialsOf, registerTokenRoute, sendError } from '../platform/auth/oauth.js';
import { blockedUntil, clearAccount, clientKeys, pruneThrottle, registerFailure } from '../platform/auth/throttle.js';
import { throttlePolicy, type ThrottleKeys } from '../platform/auth/throttle.js';
import { secretMatches, sha256 } from '../platform/crypto/secrets.js';
import { issueToken, TOKEN_TTL_SECONDS } from './tokens.js';

export const TOKEN_PATH = '/fhir/token';

const CLIENT_ID = /^kc_[A-Za-z0-9_-]{16,64}$/;
// Compared against when the client id is unknown, so that the answer takes the same time.
const DUMMY_HASH = sha256('koepel: no such client');

function throttleKeys(req: FastifyRequest, clientId: string): ThrottleKeys {
  const { keys } = req.server.koepel;
  return {
    ...clientKeys(keys, 'api', clientId, req.ip),
    spread: `api-client-spread:${keys.blindIndex('throttle-api-client', clientId).toString('hex')}`,
  };
}

export function registerTokenEndpoint(app: FastifyInstance): void {
  registerTokenRoute(app, TOKEN_PATH, 'client_credentials', async (req, reply, body) => {
    const creds = credentialsOf(req, body);
    if ('error' in creds) return sendError(reply, creds.error, creds.description);

    const policy = throttlePolicy(req.server.koepel.config);
    const keys = throttleKeys(req, creds.clientId.slice(0, 100));

    const token = await req.withSystem('api-auth', async ({ tx, audit }) => {
      if (await blockedUntil(tx, keys)) {
        await audit({ event: 'api-client.token', action: 'E', outcome: 'denied', reason: 'throttled' });
        return null;
      }
      const client = CLIENT_ID.test(creds.clientId)
        ? await tx
            .selectFrom('api_client')
            .select(['id', 'organisation_id', 'secret_hash'])
            .where('client_id', '=', creds.clientId)
            .where('revoked_at', 'is', null)
            .executeTakeFirst()
        : undefined;
      const matches = secretMatches(creds.secret, client?.secret_hash ?? DUMMY_HASH);
      if (!client || !matches) {
        await registerFailure(tx, keys, policy);
        await audit({
          event: 'api-client.token',
          action: 'E',
          outcome: 'failure',
          organisationId: client?.organisation_id,
          resourceType: client ? 'api_client' : undefined,
          resourceId: client?.id,
          reason: client ? 'wrong secret' : 'unknown or revoked client',
        });
        return null;
      }
      await clearAccount(tx, keys);
      const issued = await issueToken(tx, { clientId: client.id, organisationId: client.organisation_id });
      await audit({
        event: 'api-client.token',
        action: 'E',
        organisationId: client.organisation_id,
        resourceType: 'api_client',
        resourceId: client.id,
      });
      return issued;
    });
    if (token === null) {
      await req.withSystem('api-auth', ({ tx }) => pruneThrottle(tx, policy));
      return sendError(reply, 'invalid_client', 'Client authentication failed.');
    }
    return reply
      .code(200)
      .header('Pragma', 'no-cache')
      .type('application/json; charset=utf-8')
      .send({ access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS });
  });
}
