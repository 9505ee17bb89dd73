// Public pages: the landing page with the DigiD button and the privacy statement. (The language switch, /hello and
// /health belong to the kernel: src/platform/http/kernel-routes.ts.)
import type { FastifyInstance } from 'fastify';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { Layout } from '../platform/web/layout.js';
import { formatDate } from '../platform/i18n/format.js';

export function registerPageRoutes(app: FastifyInstance): void {
  app.get('/', async (req, reply) => {
    if (req.principal.kind === 'citizen') return reply.redirect('/home', 303);
    if (req.principal.kind === 'staff' || req.principal.kind === 'operator') return reply.redirect('/staff', 303);
    const ctx = pageContext(req);
    const { t } = ctx;
    return sendPage(
      reply,
      <Layout ctx={ctx} title={t('landing.title', { portal: ctx.portal.name })}>
        <h1 class="utrecht-heading-1" safe>
          {t('landing.title', { portal: ctx.portal.name })}
        </h1>
        <p class="utrecht-paragraph utrecht-paragraph--lead" safe>
          {t('landing.intro')}
        </p>
        <form method="get" action="/login/digid">
          <div class="utrecht-digid-button">
            <img src="/assets/digid-logo.svg" alt="" width="48" height="48" />
            <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
              {t('landing.digid')}
            </button>
          </div>
        </form>
        <p class="utrecht-paragraph" safe>
          {t('landing.digidHelp')}
        </p>
        <p class="utrecht-paragraph koepel-notice" safe>
          {t('landing.emergency')}
        </p>
      </Layout>,
    );
  });

  app.get('/privacy', async (req, reply) => {
    const ctx = pageContext(req);
    const { t, portal } = ctx;
    const date = formatDate(ctx.lang, portal.privacyStatementUpdatedOn);
    const section = (id: string, title: string, body: string) => (
      <section aria-labelledby={id}>
        <h2 id={id} class="utrecht-heading-2" safe>
          {title}
        </h2>
        <p class="utrecht-paragraph" safe>
          {body}
        </p>
      </section>
    );
    return sendPage(
      reply,
      <Layout ctx={ctx} title={t('privacy.title')}>
        <h1 class="utrecht-heading-1" safe>
          {t('privacy.title')}
        </h1>
        <p class="utrecht-paragraph">
          <time datetime={portal.privacyStatementUpdatedOn} safe>
            {t('privacy.updated', { date })}
          </time>
        </p>
        {section('p-controller', t('privacy.controller.title'), t('privacy.controller.body', { portal: portal.name }))}
        {section('p-data', t('privacy.data.title'), t('privacy.data.body'))}
        {section('p-cookies', t('privacy.cookies.title'), t('privacy.cookies.body'))}
        {section('p-security', t('privacy.security.title'), t('privacy.security.body'))}
        {section('p-retention', t('privacy.retention.title'), t('privacy.retention.body'))}
        {section('p-rights', t('privacy.rights.title'), t('privacy.rights.body'))}
        <section aria-labelledby="p-contact">
          <h2 id="p-contact" class="utrecht-heading-2" safe>
            {t('privacy.contact.title')}
          </h2>
          <p class="utrecht-paragraph">
            <span safe>{`${t('footer.dpo')}: ${portal.dpoName}`}</span>
            <br />
            <a class="utrecht-link" href={`mailto:${portal.dpoEmail}`} safe>
              {portal.dpoEmail}
            </a>
          </p>
        </section>
      </Layout>,
    );
  });
}
