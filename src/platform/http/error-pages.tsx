// Turns every error into the right answer: a page in the visitor's language (HTML), or problem+json (/api).
// The database being unreachable is a 503 with Retry-After, and the server keeps running to recover.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MessagePage } from '../web/layout.js';
import { ButtonLink, Page, Paragraph, Text } from '../web/components/index.js';
import type { PageContext } from '../web/context.js';
import { loginPathFor } from '../session/timeout.js';
import type { MessageKey } from '../i18n/i18n.js';
import { pageContext, sendPage, clearSessionCookie } from './request-context.js';
import { HttpError, isDatabaseUnavailable, RETRY_AFTER_SECONDS, type ErrorKind } from './errors.js';

function classify(err: FastifyError | Error): { status: number; kind: ErrorKind } {
  if (err instanceof HttpError) return { status: err.status, kind: err.kind };
  if (isDatabaseUnavailable(err)) return { status: 503, kind: 'unavailable' };
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) return { status: 413, kind: 'tooLarge' };
  if (
    fe.validation ||
    fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
    fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    (fe.statusCode !== undefined &&
      fe.statusCode >= 400 &&
      fe.statusCode < 500 &&
      fe.statusCode !== 404 &&
      fe.statusCode !== 405)
  ) {
    return { status: fe.statusCode === 415 ? 415 : 400, kind: 'badRequest' };
  }
  if (fe.statusCode === 405) return { status: 405, kind: 'method' };
  return { status: 500, kind: 'server' };
}

export async function renderError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  kind: ErrorKind,
): Promise<FastifyReply> {
  // Every 503 says when to try again: page, problem+json and the bare page alike.
  if (status === 503) reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
  if (req.url.startsWith('/api/')) {
    const t = req.server.koepel.messages.translator(req.lang);
    return reply
      .code(status)
      .type('application/problem+json')
      .send({ type: 'about:blank', title: t(`error.${kind}.title` as MessageKey), status, instance: req.id });
  }
  let ctx;
  try {
    ctx = pageContext(req);
  } catch {
    // Even the portal is unknown (database down at start): a bare page is still a page.
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Koepel</title></head><body><main><h1>${status}</h1><p>Probeer het later opnieuw.</p></main></body></html>`,
      );
  }
  if (kind === 'loginRequired' && req.sessionExpired) clearSessionCookie(reply);
  // A session that ended (idle, its absolute limit): say so, and offer to log in again, back to this page (WCAG
  // 2.2.1). A form sent after the end is not kept on the server; the timeout script keeps what was typed in the
  // browser (static/session-timeout.js) and points the login back at the form's page. A staff page asked for again
  // goes straight to the staff login, which says the same and returns here.
  const endedLogin = kind === 'loginRequired' && req.sessionExpired ? loginPathFor(req.endedSessionKind) : null;
  const staffPageAgain = req.method === 'GET' && req.endedSessionKind === 'staff';
  if (endedLogin && !staffPageAgain) {
    const path = req.url.split('?')[0] ?? '/';
    const back = req.method === 'GET' ? `?return=${encodeURIComponent(path)}` : '';
    return sendPage(reply, SessionEndedPage({ ctx, login: `${endedLogin}${back}`, sent: req.method !== 'GET' }), 401);
  }
  // A page of an area with its own login (the staff workplace): straight to that login, and back here afterwards.
  // (Someone logged in as another kind of user — a citizen — gets the page below instead.)
  if (kind === 'loginRequired' && req.principal.kind === 'anonymous') {
    const path = req.url.split('?')[0] ?? '/';
    const login = req.server.koepel.navigation.loginPageFor(path);
    if (login) {
      const back = req.method === 'GET' ? `?return=${encodeURIComponent(path)}` : '';
      return reply.redirect(`${login.loginPath}${back}`, 303);
    }
  }
  const home = ctx.user?.homePath ?? '/';
  return sendPage(
    reply,
    MessagePage({
      ctx,
      title: ctx.t(`error.${kind}.title` as MessageKey),
      body: ctx.t(`error.${kind}.body` as MessageKey),
      extra: status >= 500 ? ctx.t('error.reference', { id: req.id }) : undefined,
      link: { href: home, label: ctx.t('error.backHome') },
    }),
    status,
  );
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, kind } = classify(err);
    if (status >= 500) {
      // Only the error's type, code and stack: messages from the database can quote values (personal data).
      req.log.error(
        { err: { type: err.name, code: (err as { code?: string }).code, stack: err.stack } },
        `request failed: ${kind}`,
      );
    }
    return renderError(req, reply, status, kind);
  });
  app.setNotFoundHandler((req, reply) => renderError(req, reply, 404, 'notFound'));
}

/** The session has ended: what happened, that nothing sent was kept, and the way back in. */
function SessionEndedPage(props: { ctx: PageContext; login: string; sent: boolean }): JSX.Element {
  const { t } = props.ctx;
  return (
    <Page ctx={props.ctx} title={t('error.sessionEnded.title')} sessionEnded>
      <Text text={t('error.sessionEnded.body')} />
      {props.sent ? <Text id="koepel-session-not-saved" text={t('error.sessionEnded.notSaved')} /> : ''}
      <Paragraph>
        <ButtonLink href={props.login} id="koepel-login-again" text={t('session.loginAgain')} />
      </Paragraph>
    </Page>
  );
}
