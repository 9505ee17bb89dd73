// The token endpoint for apps the citizen authorised: POST /oauth/token, grant_type=authorization_code with PKCE
// (RFC 6749 §4.1.3, RFC 7636 §4.5). A public app (on a phone) names itself with client_id; a confidential app
// authenticates with its secret (HTTP Basic or the form body). Errors are RFC 6749 §5.2 JSON.
//
// A code is used once: the first presentation by an authenticated client marks it, whether or not the exchange then
// succeeds. A second presentation is a replay (someone else may hold the code): it is refused and ends every token
// the code gave (RFC 6749 §4.1.2).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { secretMatches, sha256 } from '../platform/crypto/secrets.js';
import { credentialsOf, registerTokenRoute, sendError } from '../platform/auth/oauth.js';
import type { AuditEvent } from '../platform/audit/audit.js';
import type { Tx } from '../platform/db/principal.js';
import { blockedUntil, clearAccount, clientKeys, pruneThrottle, registerFailure } from '../platform/auth/throttle.js';
import { throttlePolicy } from '../platform/auth/throttle.js';
import { PKCE_VERIFIER, pkceMatches } from './authorization-request.js';
import { activeApp, APP_TOKEN_PATH, MAX_URI_LENGTH, type RegisteredApp } from './registry.js';

/** How long an app's access token is valid. There is no refresh token: after an hour the app asks again. */
export const APP_TOKEN_TTL_SECONDS = 3600;

const DUMMY_HASH = sha256('koepel: no such app');
/** Codes are 43 characters; anything much longer is not one of ours. */
const MAX_CODE_LENGTH = 100;
/** Spent codes are kept while the tokens they gave can live (for replay detection), then removed. */
const KEEP_SPENT_CODES_MS = (APP_TOKEN_TTL_SECONDS + 60) * 1000;

type Outcome =
  | { ok: true; token: string; scope: string; citizenId: string }
  | { ok: false; error: 'invalid_client' | 'invalid_grant'; description: string };

/** The app making the request, if it authenticates: by its secret when it has one, by client id alone when public. */
function authenticateApp(app: RegisteredApp | null, secret: string | null): RegisteredApp | null {
  if (!app) {
    if (secret !== null) secretMatches(secret, DUMMY_HASH); // same work, same time
    return null;
  }
  if (app.secretHash === null) return secret === null ? app : null; // a public app has no secret to send
  return secret !== null && secretMatches(secret, app.secretHash) ? app : null;
}

async function redeem(
  tx: Tx,
  app: RegisteredApp,
  form: { code: string; redirectUri: string; verifier: string },
  audit: (events: AuditEvent[]) => Promise<void>,
): Promise<Outcome> {
  const invalid = (description: string): Outcome => ({ ok: false, error: 'invalid_grant', description });
  const codeHash = sha256(form.code);
  const row = await tx
    .selectFrom('citizen_app_code as c')
    .innerJoin('citizen_app_grant as g', 'g.id', 'c.grant_id')
    .select([
      'c.grant_id',
      'c.redirect_uri',
      'c.code_challenge',
      'c.scope',
      'c.expires_at',
      'c.used_at',
      'g.app_id',
      'g.citizen_id',
    ])
    .where('c.code_hash', '=', codeHash)
    .forUpdate('c')
    .executeTakeFirst();
  if (!row) return invalid('The code is unknown, expired or withdrawn.');
  const base = {
    citizenId: row.citizen_id,
    resourceType: 'citizen_app',
    resourceId: row.app_id,
  };
  if (row.used_at !== null) {
    const ended = await tx.deleteFrom('citizen_app_token').where('code_hash', '=', codeHash).executeTakeFirst();
    await audit([
      {
        event: 'citizen-app.token',
        action: 'E',
        outcome: 'failure',
        ...base,
        reason: `code replayed; tokens ended=${String(ended.numDeletedRows)}`,
      },
    ]);
    return invalid('The code has been used already.');
  }
  await tx.updateTable('citizen_app_code').set({ used_at: new Date() }).where('code_hash', '=', codeHash).execute();

  let problem: string | null = null;
  if (row.app_id !== app.id) problem = 'issued to another client';
  else if (row.expires_at.getTime() <= Date.now()) problem = 'expired';
  else if (row.redirect_uri !== form.redirectUri) problem = 'redirect_uri differs';
  else if (!pkceMatches(form.verifier, row.code_challenge)) problem = 'PKCE verifier does not match';
  if (problem !== null) {
    await audit([{ event: 'citizen-app.token', action: 'E', outcome: 'failure', ...base, reason: problem }]);
    return invalid(
      problem === 'expired'
        ? 'The code has expired.'
        : 'The code does not match this client, redirect_uri or code_verifier.',
    );
  }

  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  // Expired tokens, and codes whose tokens can no longer live, are of no use to anyone: clean them up while here.
  await tx.deleteFrom('citizen_app_token').where('grant_id', '=', row.grant_id).where('expires_at', '<', now).execute();
  await tx
    .deleteFrom('citizen_app_code')
    .where('grant_id', '=', row.grant_id)
    .where('expires_at', '<', new Date(now.getTime() - KEEP_SPENT_CODES_MS))
    .execute();
  await tx
    .insertInto('citizen_app_token')
    .values({
      token_hash: sha256(token),
      grant_id: row.grant_id,
      code_hash: codeHash,
      scope: row.scope,
      expires_at: new Date(now.getTime() + APP_TOKEN_TTL_SECONDS * 1000),
    })
    .execute();
  await audit([{ event: 'citizen-app.token', action: 'E', ...base, reason: `scope=${row.scope}` }]);
  return { ok: true, token, scope: row.scope, citizenId: row.citizen_id };
}

export function registerAppTokenEndpoint(app: FastifyInstance): void {
  registerTokenRoute(app, APP_TOKEN_PATH, 'authorization_code', async (req, reply, body) => {
    // Who is asking: Basic or client_secret in the body (confidential), or client_id alone (public).
    let clientId: string;
    let secret: string | null = null;
    if (req.headers.authorization !== undefined || body.client_secret !== undefined) {
      const creds = credentialsOf(req, body);
      if ('error' in creds) return sendError(reply, creds.error, creds.description);
      clientId = creds.clientId;
      secret = creds.secret;
    } else if (body.client_id !== undefined) {
      clientId = body.client_id;
    } else {
      return sendError(reply, 'invalid_request', 'client_id is required.');
    }
    const { code, redirect_uri: redirectUri, code_verifier: verifier } = body;
    if (!code || !redirectUri) return sendError(reply, 'invalid_request', 'code and redirect_uri are required.');
    if (verifier === undefined || !PKCE_VERIFIER.test(verifier)) {
      return sendError(reply, 'invalid_request', 'code_verifier is required (RFC 7636: 43 to 128 characters).');
    }
    if (code.length > MAX_CODE_LENGTH || redirectUri.length > MAX_URI_LENGTH) {
      return sendError(reply, 'invalid_grant', 'The code is unknown, expired or withdrawn.');
    }

    const policy = throttlePolicy(req.server.koepel.config);
    // Failed client authentication is counted per address, and per client id *from that address*: an app's client
    // id is public (it is in every authorization URL), so a per-client count alone would let anyone lock every
    // citizen out of that app. A secret is 256 bits; guessing it is not the threat, hammering is.
    const keys = clientKeys(req.server.koepel.keys, 'app', clientId.slice(0, 100), req.ip);

    const outcome = await req.withSystem('api-auth', async (scope): Promise<Outcome | 'blocked'> => {
      const { tx } = scope;
      const audit = (events: AuditEvent[]) => scope.audit(...events);
      if (await blockedUntil(tx, keys)) {
        await audit([{ event: 'citizen-app.token', action: 'E', outcome: 'denied', reason: 'throttled' }]);
        return 'blocked';
      }
      const found = await activeApp(tx, clientId);
      const app = authenticateApp(found, secret);
      if (!app) {
        await registerFailure(tx, keys, policy);
        await audit([
          {
            event: 'citizen-app.token',
            action: 'E',
            outcome: 'failure',
            resourceType: found ? 'citizen_app' : undefined,
            resourceId: found?.id,
            reason: found ? 'client authentication failed' : 'unknown or revoked app',
          },
        ]);
        return { ok: false, error: 'invalid_client', description: 'Client authentication failed.' };
      }
      if (app.confidential) await clearAccount(tx, keys);
      return redeem(tx, app, { code, redirectUri, verifier }, audit);
    });

    if (outcome === 'blocked' || (!outcome.ok && outcome.error === 'invalid_client')) {
      await req.withSystem('api-auth', ({ tx }) => pruneThrottle(tx, policy));
      return sendError(reply, 'invalid_client', 'Client authentication failed.');
    }
    if (!outcome.ok) return sendError(reply, outcome.error, outcome.description);
    // SMART App Launch: `patient` tells the app whose record the token reads.
    return reply.code(200).header('Pragma', 'no-cache').type('application/json; charset=utf-8').send({
      access_token: outcome.token,
      token_type: 'Bearer',
      expires_in: APP_TOKEN_TTL_SECONDS,
      scope: outcome.scope,
      patient: outcome.citizenId,
    });
  });
}
