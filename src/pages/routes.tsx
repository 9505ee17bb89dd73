// Public pages: the landing page with the DigiD button and the privacy statement. (The language switch, /hello and
// /health belong to the kernel: src/platform/http/kernel-routes.ts.)
import type { FastifyInstance } from 'fastify';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { DigidButton, Link, Page, Paragraph, Section, Text } from '../platform/web/components/index.js';
import { formatDate } from '../platform/i18n/format.js';

export function registerPageRoutes(app: FastifyInstance): void {
  app.get('/', async (req, reply) => {
    if (req.principal.kind === 'citizen') return reply.redirect('/home', 303);
    if (req.principal.kind === 'staff' || req.principal.kind === 'operator') return reply.redirect('/staff', 303);
    const ctx = pageContext(req);
    const { t } = ctx;
    return sendPage(
      reply,
      <Page ctx={ctx} title={t('landing.title', { portal: ctx.portal.name })}>
        <Text style="lead" text={t('landing.intro')} />
        <DigidButton action="/login/digid" text={t('landing.digid')} />
        <Text text={t('landing.digidHelp')} />
        <Text style="notice" text={t('landing.emergency')} />
      </Page>,
    );
  });

  app.get('/privacy', async (req, reply) => {
    const ctx = pageContext(req);
    const { t, portal } = ctx;
    const date = formatDate(ctx.lang, portal.privacyStatementUpdatedOn);
    const section = (id: string, title: string, body: string) => (
      <Section id={id} title={title}>
        <Text text={body} />
      </Section>
    );
    return sendPage(
      reply,
      <Page ctx={ctx} title={t('privacy.title')}>
        <Paragraph>
          <time datetime={portal.privacyStatementUpdatedOn} safe>
            {t('privacy.updated', { date })}
          </time>
        </Paragraph>
        {section('p-controller', t('privacy.controller.title'), t('privacy.controller.body', { portal: portal.name }))}
        {section('p-data', t('privacy.data.title'), t('privacy.data.body'))}
        {section('p-cookies', t('privacy.cookies.title'), t('privacy.cookies.body'))}
        {section('p-security', t('privacy.security.title'), t('privacy.security.body'))}
        {section('p-retention', t('privacy.retention.title'), t('privacy.retention.body'))}
        {section('p-rights', t('privacy.rights.title'), t('privacy.rights.body'))}
        <Section id="p-contact" title={t('privacy.contact.title')}>
          <Paragraph>
            <span safe>{`${t('footer.dpo')}: ${portal.dpoName}`}</span>
            <br />
            <Link href={`mailto:${portal.dpoEmail}`} text={portal.dpoEmail} />
          </Paragraph>
        </Section>
      </Page>,
    );
  });
}
