// Citizen login with DigiD over OpenID Connect.
//   GET /login/digid           starts: state, nonce and PKCE verifier go into the (anonymous) session, then to DigiD.
//   GET /login/digid/callback  finishes: every check of the response, then the level (MG-2), the BSN (11-test), and
//                              the citizen login itself (citizen-login.ts).
// A response that does not check out (forged, replayed, state mismatch, no session, expired) gets a clear page with
// status 400 and ends whatever session the browser brought: nobody ends up logged in by a bad callback.
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clearSessionCookie, ensureSession, pageContext, sendPage } from '../../platform/http/request-context.js';
import type { MessageKey } from '../../platform/i18n/i18n.js';
import type { PageContext } from '../../platform/web/context.js';
import { sendMessage } from '../../platform/http/message-page.js';
import {
  Heading,
  Link,
  List,
  Page,
  Paragraph,
  Text,
  render,
  type Children,
} from '../../platform/web/components/index.js';
import { publicJwks } from '../../platform/crypto/private-jwks.js';
import { localReturnPath } from '../../platform/session/timeout.js';
import type { IdentitySource } from '../brp/brp-client.js';
import { auditLoginAttempt, completeCitizenLogin } from '../citizen-login.js';
import { checkDigidClaims } from './claims.js';
import {
  DIGID_CALLBACK_PATH,
  DIGID_JWKS_PATH,
  DIGID_LOGIN_PATH,
  DigidResponseError,
  DigidUnavailableError,
  parsePendingLogin,
  PENDING_LOGIN_MS,
  type DigidClient,
} from './oidc-client.js';

async function messagePage(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: MessageKey,
  body: MessageKey,
  extra?: MessageKey,
): Promise<FastifyReply> {
  return sendMessage(req, reply, status, (t) => ({
    title: t(title),
    body: t(body),
    extra: extra ? t(extra) : undefined,
    link: { href: '/', label: t('digid.backHome') },
  }));
}

/** Which page explains a refusal: its title, body and next step. */
const REFUSAL_PAGES = {
  response: ['digid.error.title', 'digid.error.body', 'digid.error.retry'],
  bsn: ['digid.noBsn.title', 'digid.noBsn.body', 'digid.noBsn.next'],
  expired: ['digid.expired.title', 'digid.expired.body', 'digid.error.retry'],
} as const satisfies Record<string, readonly [MessageKey, MessageKey, MessageKey]>;

/**
 * A callback that does not check out: audited with its reason, no session survives it, and the page says what
 * went wrong in the citizen's terms (`page`).
 */
async function refuse(
  req: FastifyRequest,
  reply: FastifyReply,
  reason: string,
  page: keyof typeof REFUSAL_PAGES = 'response',
): Promise<FastifyReply> {
  await auditLoginAttempt(req, { event: 'citizen.login', action: 'E', outcome: 'failure', reason });
  if (req.session) await req.server.koepel.sessions.end(req.session);
  req.session = null;
  clearSessionCookie(reply);
  const [title, body, next] = REFUSAL_PAGES[page];
  return messagePage(req, reply, 400, title, body, next);
}

/**
 * Why the DigiD provider could not be used, for the operator: the step (discovery, token, jwks, userinfo), an error
 * code or HTTP status, and the issuer's origin. Nothing about the citizen, no token, no response body.
 */
function logUnavailable(req: FastifyRequest, err: unknown, phase: 'start' | 'callback'): void {
  const issuer = req.server.koepel.config.digid.issuer;
  let origin = '';
  try {
    origin = new URL(issuer).origin;
  } catch {
    origin = 'invalid';
  }
  const digid =
    err instanceof DigidUnavailableError
      ? { phase, step: err.step, detail: err.detail, issuer: origin }
      : { phase, step: 'unknown', detail: err instanceof Error ? err.name : 'error', issuer: origin };
  req.log.warn(
    { digid },
    `DigiD provider unavailable at login ${phase}: ${digid.step} failed (${digid.detail}) for issuer ${origin}`,
  );
}

/** A page that ends the login with an explanation, and the way back to the start. */
function EndPage(props: { ctx: PageContext; title: string; children: Children }): JSX.Element {
  const { ctx } = props;
  return (
    <Page ctx={ctx} title={props.title}>
      {render(props.children)}
      <Paragraph>
        <Link href="/" text={ctx.t('digid.backHome')} />
      </Paragraph>
    </Page>
  );
}

function LevelTooLowPage(props: { req: FastifyRequest; levelName: string }): JSX.Element {
  const ctx = pageContext(props.req);
  const { t } = ctx;
  return (
    <EndPage ctx={ctx} title={t('digid.level.title')}>
      <Text text={t('digid.level.body', { level: props.levelName })} />
      <Text style="notice" text={t('digid.level.howto')} />
      <Text text={t('digid.level.howtoApp')} />
    </EndPage>
  );
}

function NoCareRelationshipPage(props: { req: FastifyRequest }): JSX.Element {
  const ctx = pageContext(props.req);
  const { t } = ctx;
  return (
    <EndPage ctx={ctx} title={t('digid.noRelationship.title')}>
      <Text text={t('digid.noRelationship.body', { portal: ctx.portal.name })} />
      <Text style="notice" text={t('digid.noRelationship.notLoggedIn', { portal: ctx.portal.name })} />
      <Heading level={2} text={t('digid.noRelationship.next')} />
      <List>
        <li safe>{t('digid.noRelationship.next1')}</li>
        <li safe>{t('digid.noRelationship.next2')}</li>
        <li safe>{t('digid.noRelationship.next3')}</li>
      </List>
    </EndPage>
  );
}

/**
 * Where to go after login, when a page sent the visitor to log in (?return=…): the OAuth consent page, or the citizen
 * page a session ended on (issue 17: "log in again" returns to the same page). A local path in plain characters
 * only, never another area's or a login's, so the login never becomes an open redirect.
 */
export function loginReturnPath(value: unknown): string | null {
  // Printable ASCII without "#" and a backslash: a Location header carries it as it is.
  if (
    typeof value === 'string' &&
    value.length <= 4000 &&
    /^\/oauth\/authorize\?[\x21\x22\x24-\x5b\x5d-\x7e]*$/.test(value)
  )
    return value;
  const page = localReturnPath(value);
  if (!page || page === '/' || /^\/(login|logout|session|staff|operator|api|fhir|oauth|dev|assets)(\/|$)/.test(page))
    return null;
  return page;
}

export function registerDigidLogin(app: FastifyInstance, digid: DigidClient, identity: IdentitySource): void {
  const { config, sessions } = app.koepel;

  app.get(DIGID_LOGIN_PATH, async (req, reply) => {
    const returnTo = loginReturnPath((req.query as Record<string, unknown>).return);
    if (req.principal.kind === 'citizen') return reply.redirect(returnTo ?? '/home', 303);
    let start;
    try {
      start = await digid.startLogin();
    } catch (err) {
      logUnavailable(req, err, 'start');
      return messagePage(req, reply, 503, 'digid.unavailable.title', 'digid.unavailable.body');
    }
    const session = await ensureSession(req, reply);
    const state: Record<string, unknown> = { ...session.state, digid: start.pending };
    delete state.returnTo;
    if (returnTo) state.returnTo = returnTo;
    await sessions.updateState(session, state);
    return reply.redirect(start.url, 303);
  });

  app.get(DIGID_CALLBACK_PATH, async (req, reply) => {
    const session = req.session;
    const pending = parsePendingLogin(session?.state.digid);
    if (!session || !pending) return refuse(req, reply, 'no-pending-login');
    // A pending login is used once, whatever the outcome.
    const rest = { ...session.state };
    const returnTo = loginReturnPath(rest.returnTo);
    delete rest.digid;
    delete rest.returnTo;
    await sessions.updateState(session, rest);
    if (Date.now() - pending.startedAt > PENDING_LOGIN_MS) return refuse(req, reply, 'login-expired', 'expired');

    const query = req.query as Record<string, unknown>;
    if (query.error === 'access_denied' && query.state === pending.state) {
      await auditLoginAttempt(req, { event: 'citizen.login', action: 'E', outcome: 'failure', reason: 'cancelled' });
      return messagePage(req, reply, 200, 'digid.cancelled.title', 'digid.cancelled.body');
    }

    const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    let claims: Record<string, unknown>;
    try {
      claims = await digid.completeLogin(new URL(`${config.publicUrl}${DIGID_CALLBACK_PATH}${search}`), pending);
    } catch (err) {
      if (err instanceof DigidUnavailableError) {
        logUnavailable(req, err, 'callback');
        await auditLoginAttempt(req, {
          event: 'citizen.login',
          action: 'E',
          outcome: 'failure',
          reason: `provider-unavailable:${err.step}`,
        });
        return messagePage(req, reply, 503, 'digid.unavailable.title', 'digid.unavailable.body');
      }
      return refuse(
        req,
        reply,
        err instanceof DigidResponseError ? `invalid-response:${err.reason}` : 'invalid-response',
      );
    }

    const check = checkDigidClaims(claims);
    if (!check.ok && check.reason === 'level-too-low') {
      const key = check.level?.key ?? 'unknown';
      await auditLoginAttempt(req, {
        event: 'citizen.login',
        action: 'E',
        outcome: 'denied',
        reason: `digid-level:${key};below-substantieel`,
      });
      const levelName = pageContext(req).t(`digid.level.name.${key}` as MessageKey);
      return sendPage(reply, <LevelTooLowPage req={req} levelName={levelName} />, 403);
    }
    if (!check.ok) return refuse(req, reply, check.reason, 'bsn');

    const result = await completeCitizenLogin(req, reply, identity, check.bsn, check.level);
    if (result.kind === 'no-care-relationship') return sendPage(reply, <NoCareRelationshipPage req={req} />, 200);
    return reply.redirect(returnTo ?? '/home', 303);
  });
}

/**
 * Koepel's public keys towards the DigiD bridge, as a JWK Set: the bridge's operator registers them (or this URL) for
 * Koepel's client, to check its client assertions (private_key_jwt) and to encrypt userinfo to it. Public halves only.
 */
export function registerDigidJwks(app: FastifyInstance): void {
  const jwks = JSON.stringify(publicJwks(app.koepel.config.digid.keys));
  app.get(DIGID_JWKS_PATH, async (_req, reply) =>
    reply.type('application/jwk-set+json').header('cache-control', 'public, max-age=300').send(jwks),
  );
}

export { Html };
