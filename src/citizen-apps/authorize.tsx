// The authorization endpoint for apps the citizen authorises (RFC 6749 §4.1 with PKCE):
//   GET  /oauth/authorize   checks the request; asks an unknown visitor to log in with DigiD first; shows the
//                           logged-in citizen the consent page
//   POST /oauth/authorize   the citizen's answer (CSRF-protected): approve gives a code, decline says access_denied;
//                           both go back to the app's registered redirect URI (303)
// The request is checked again on the POST: the hidden fields are the browser's, not ours.
import { randomBytes } from 'node:crypto';
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sha256 } from '../platform/crypto/secrets.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { allowFormAction } from '../platform/http/security-headers.js';
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Button,
  ButtonGroup,
  ButtonLink,
  Form,
  HiddenField,
  Link,
  List,
  Page,
  Paragraph,
  render,
  Section,
  Text,
  type Children,
} from '../platform/web/components/index.js';
import { checkAuthorizationRequest, type AuthorizationRequest, type CheckedRequest } from './authorization-request.js';
import { AUTHORIZE_PATH, formActionSource, redirectBack } from './registry.js';
import { requireCitizen } from '../platform/auth/permissions.js';

/** How long an authorization code can be exchanged (RFC 6749 §4.1.2: short; ten minutes at most). */
export const CODE_TTL_SECONDS = 60;

/** The issuer identifier sent back with every answer (RFC 9207), so an app can tell which server answered. */
export const issuerOf = (publicUrl: string) => publicUrl;

function BadRequestPage(props: { ctx: PageContext; problem: 'client' | 'redirect' }): JSX.Element {
  const { t } = props.ctx;
  return (
    <Page ctx={props.ctx} title={t('apps.authorize.bad.title')}>
      <Text text={t(props.problem === 'client' ? 'apps.authorize.bad.client' : 'apps.authorize.bad.redirect')} />
      <Text text={t('apps.authorize.bad.nothingShared')} />
      <Paragraph>
        <Link href="/" text={t('apps.authorize.toPortal')} />
      </Paragraph>
    </Page>
  );
}

/** The page of an app's request: its title, and who asks what of which portal. */
function AuthorizePage(props: { ctx: PageContext; request: AuthorizationRequest; children: Children }): JSX.Element {
  const { ctx, request } = props;
  const { t } = ctx;
  const { app } = request;
  return (
    <Page
      ctx={ctx}
      title={t('apps.authorize.title', { app: app.name })}
      intro={t('apps.authorize.asks', { app: app.name, vendor: app.vendor, portal: ctx.portal.name })}
    >
      {render(props.children)}
    </Page>
  );
}

function LoginFirstPage(props: {
  ctx: PageContext;
  request: AuthorizationRequest;
  returnTo: string;
  iss: string;
}): JSX.Element {
  const { ctx, request } = props;
  const { t } = ctx;
  const cancel = redirectBack(request.redirectUri, { error: 'access_denied', state: request.state, iss: props.iss });
  return (
    <AuthorizePage ctx={ctx} request={request}>
      <Text text={t('apps.authorize.loginFirst')} />
      <ButtonGroup>
        <ButtonLink
          href={`/login/digid?return=${encodeURIComponent(props.returnTo)}`}
          text={t('apps.authorize.loginWithDigid')}
        />
        <Link href={cancel} text={t('apps.authorize.cancel')} />
      </ButtonGroup>
    </AuthorizePage>
  );
}

function ConsentPage(props: {
  ctx: PageContext;
  request: AuthorizationRequest;
  /** When the citizen gave this app access before (the app asks again once its hour is over). */
  grantedAt: Date | null;
}): JSX.Element {
  const { ctx, request } = props;
  const { t } = ctx;
  const name = request.app.name;
  const points = (id: string, title: string, items: string[]) => (
    <Section id={id} title={title}>
      <List>
        {items.map((item) => (
          <li safe>{item}</li>
        ))}
      </List>
    </Section>
  );
  return (
    <AuthorizePage ctx={ctx} request={request}>
      {props.grantedAt ? (
        <Text
          style="notice"
          text={t('apps.authorize.again', { app: name, date: formatDate(ctx.lang, props.grantedAt, 'dateTime') })}
        />
      ) : (
        ''
      )}
      {points('can-title', t('apps.authorize.can.title'), [
        t('apps.authorize.can.read'),
        t('apps.authorize.can.readOnly'),
        t('apps.authorize.can.until'),
      ])}
      {points('know-title', t('apps.authorize.know.title'), [
        t('apps.authorize.know.log'),
        t('apps.authorize.know.vendor', { vendor: request.app.vendor }),
        t('apps.authorize.know.back', { app: name }),
      ])}
      {/* The hidden fields send the request back exactly as the app sent it (HiddenField keeps `&amp;` as it is). */}
      <Form ctx={ctx} action="/oauth/authorize">
        {Object.entries(request.params).map(([k, v]) => (
          <HiddenField name={k} value={v} />
        ))}
        <ButtonGroup>
          <Button name="decision" value="approve" text={t('apps.authorize.approve')} />
          <Button style="secondary" name="decision" value="decline" text={t('apps.authorize.decline')} />
        </ButtonGroup>
      </Form>
    </AuthorizePage>
  );
}

/** Checks the request as system 'api-auth' (the app register is not the visitor's to read). */
function check(req: FastifyRequest, input: unknown): Promise<CheckedRequest> {
  const { publicUrl } = req.server.koepel.config;
  return req.withSystem('api-auth', ({ tx }) => checkAuthorizationRequest(tx, input, `${publicUrl}/fhir`));
}

/** Answers a request that did not check out: a page, or the error on the app's redirect URI. */
async function refuse(
  req: FastifyRequest,
  reply: FastifyReply,
  checked: Exclude<CheckedRequest, { kind: 'ok' }>,
): Promise<FastifyReply> {
  if (checked.kind === 'page') {
    return sendPage(reply, <BadRequestPage ctx={pageContext(req)} problem={checked.problem} />, 400);
  }
  return reply.redirect(
    redirectBack(checked.redirectUri, {
      error: checked.error,
      error_description: checked.description,
      state: checked.state,
      iss: issuerOf(req.server.koepel.config.publicUrl),
    }),
    303,
  );
}

export function registerAuthorizeRoutes(app: FastifyInstance): void {
  app.get(AUTHORIZE_PATH, async (req, reply) => {
    const checked = await check(req, req.query);
    if (checked.kind !== 'ok') return refuse(req, reply, checked);
    const ctx = pageContext(req);
    // The consent form's answer, and the cancel link, go back to the app.
    allowFormAction(reply, formActionSource(checked.request.redirectUri));
    if (req.principal.kind !== 'citizen') {
      const returnTo = `${AUTHORIZE_PATH}?${new URLSearchParams(checked.request.params).toString()}`;
      return sendPage(
        reply,
        <LoginFirstPage
          ctx={ctx}
          request={checked.request}
          returnTo={returnTo}
          iss={issuerOf(req.server.koepel.config.publicUrl)}
        />,
      );
    }
    const citizen = req.principal;
    // The page shows whether (and since when) the citizen gave this app access: a read of their data, audited.
    const earlier = await req.withData(async (scope) => {
      await scope.audit({
        event: 'citizen-app.consent.view',
        action: 'R',
        citizenId: citizen.citizenId,
        resourceType: 'citizen_app',
        resourceId: checked.request.app.id,
      });
      return scope.tx
        .selectFrom('citizen_app_grant')
        .select('granted_at')
        .where('citizen_id', '=', citizen.citizenId)
        .where('app_id', '=', checked.request.app.id)
        .where('portal_id', '=', citizen.portalId)
        .executeTakeFirst();
    });
    return sendPage(reply, <ConsentPage ctx={ctx} request={checked.request} grantedAt={earlier?.granted_at ?? null} />);
  });

  app.post(AUTHORIZE_PATH, async (req, reply) => {
    const citizen = requireCitizen(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const checked = await check(req, body);
    if (checked.kind !== 'ok') return refuse(req, reply, checked);
    const { request } = checked;
    const iss = issuerOf(req.server.koepel.config.publicUrl);
    const decision = body.decision;
    if (decision !== 'approve') {
      // Declining (or a form without a choice) shares nothing; it is said to the app and written in the log.
      await req.withData((scope) =>
        scope.audit({
          event: 'citizen-app.decline',
          action: 'E',
          outcome: 'denied',
          citizenId: citizen.citizenId,
          resourceType: 'citizen_app',
          resourceId: request.app.id,
        }),
      );
      return reply.redirect(
        redirectBack(request.redirectUri, { error: 'access_denied', state: request.state, iss }),
        303,
      );
    }

    const code = randomBytes(32).toString('base64url');
    await req.withData(async (scope) => {
      // One grant per citizen and app: approving again renews it. Through another portal the app would read another
      // set of organisations: that is a new grant, and the old one's codes and tokens end with it (cascade).
      await scope.tx
        .deleteFrom('citizen_app_grant')
        .where('citizen_id', '=', citizen.citizenId)
        .where('app_id', '=', request.app.id)
        .where('portal_id', '<>', citizen.portalId)
        .execute();
      const grant = await scope.tx
        .insertInto('citizen_app_grant')
        .values({ citizen_id: citizen.citizenId, app_id: request.app.id, portal_id: citizen.portalId })
        .onConflict((oc) => oc.columns(['citizen_id', 'app_id']).doUpdateSet({ granted_at: new Date() }))
        .returning('id')
        .executeTakeFirstOrThrow();
      await scope.tx
        .insertInto('citizen_app_code')
        .values({
          code_hash: sha256(code),
          grant_id: grant.id,
          redirect_uri: request.redirectUri,
          code_challenge: request.codeChallenge,
          scope: request.scope,
          expires_at: new Date(Date.now() + CODE_TTL_SECONDS * 1000),
        })
        .execute();
      await scope.audit({
        event: 'citizen-app.grant',
        action: 'C',
        citizenId: citizen.citizenId,
        resourceType: 'citizen_app',
        resourceId: request.app.id,
        reason: `scope=${request.scope}`,
      });
    });
    return reply.redirect(redirectBack(request.redirectUri, { code, state: request.state, iss }), 303);
  });
}

export { Html };
