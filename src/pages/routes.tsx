// Public pages: the landing page with the DigiD button and the privacy statement with its versions (issue 14, LU-10).
// (The language switch, /hello and /health belong to the kernel: src/platform/http/kernel-routes.ts.)
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { PageContext } from '../platform/web/context.js';
import { DigidButton, Heading, Link, List, Page, Paragraph, Section, Text } from '../platform/web/components/index.js';
import { formatDate } from '../platform/i18n/format.js';
import { privacyBlocks, privacyVersion, privacyVersions, type PrivacyVersion } from './privacy-versions.js';

/** Koepel's built-in statement: version 1 of every portal. */
function BuiltInStatement(props: { ctx: PageContext }): JSX.Element {
  const { t, portal } = props.ctx;
  const section = (id: string, title: string, body: string) => (
    <Section id={id} title={title}>
      <Text text={body} />
    </Section>
  );
  return (
    <>
      {section('p-controller', t('privacy.controller.title'), t('privacy.controller.body', { portal: portal.name }))}
      {section('p-data', t('privacy.data.title'), t('privacy.data.body'))}
      {section('p-cookies', t('privacy.cookies.title'), t('privacy.cookies.body'))}
      {section('p-security', t('privacy.security.title'), t('privacy.security.body'))}
      {section('p-retention', t('privacy.retention.title'), t('privacy.retention.body'))}
      {section('p-rights', t('privacy.rights.title'), t('privacy.rights.body'))}
    </>
  );
}

function Statement(props: { ctx: PageContext; version: PrivacyVersion }): JSX.Element {
  const { body } = props.version;
  if (body === null) return <BuiltInStatement ctx={props.ctx} />;
  // The operator's text, escaped: headings and paragraphs only.
  return (
    <>
      {privacyBlocks(body).map((b) =>
        b.kind === 'heading' ? <Heading level={2} text={b.text} /> : <Text text={b.text} />,
      )}
    </>
  );
}

function Contact(props: { ctx: PageContext }): JSX.Element {
  const { t, portal } = props.ctx;
  return (
    <Section id="p-contact" title={t('privacy.contact.title')}>
      <Paragraph>
        <span safe>{`${t('footer.dpo')}: ${portal.dpoName}`}</span>
        <br />
        <Link href={`mailto:${portal.dpoEmail}`} text={portal.dpoEmail} />
      </Paragraph>
    </Section>
  );
}

const versionParams = z.object({ n: z.string().regex(/^[1-9][0-9]{0,5}$/) });

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
    const current = await req.withData(({ tx }) => privacyVersion(tx, portal.id));
    // A portal always has version 1 (migration 0039); the portal's own date is the fallback all the same.
    const version: PrivacyVersion = current ?? {
      version: 1,
      publishedOn: portal.privacyStatementUpdatedOn,
      body: null,
    };
    const date = formatDate(ctx.lang, version.publishedOn);
    return sendPage(
      reply,
      <Page ctx={ctx} title={t('privacy.title')}>
        <Paragraph>
          <time datetime={version.publishedOn} safe>
            {t('privacy.updated', { date })}
          </time>
        </Paragraph>
        <Statement ctx={ctx} version={version} />
        <Contact ctx={ctx} />
        {version.version > 1 ? (
          <Paragraph>
            <Link href="/privacy/versions" text={t('privacy.versions.link')} />
          </Paragraph>
        ) : (
          ''
        )}
      </Page>,
    );
  });

  app.get('/privacy/versions', async (req, reply) => {
    const ctx = pageContext(req);
    const { t, portal } = ctx;
    const versions = await req.withData(({ tx }) => privacyVersions(tx, portal.id));
    const latest = versions.at(-1)?.version;
    return sendPage(
      reply,
      <Page ctx={ctx} title={t('privacy.versions.title')} back={{ href: '/privacy', label: t('privacy.title') }}>
        <Text text={t('privacy.versions.intro', { portal: portal.name })} />
        <List>
          {[...versions].reverse().map((v) => (
            <li>
              <Link
                href={v.version === latest ? '/privacy' : `/privacy/versions/${v.version}`}
                text={t('privacy.versions.item', { version: v.version, date: formatDate(ctx.lang, v.publishedOn) })}
              />
              {v.version === latest ? <span safe>{` ${t('privacy.versions.current')}`}</span> : ''}
            </li>
          ))}
        </List>
      </Page>,
    );
  });

  app.get('/privacy/versions/:n', async (req, reply) => {
    const params = versionParams.safeParse(req.params);
    if (!params.success) throw new HttpError(404, 'notFound');
    const ctx = pageContext(req);
    const { t, portal } = ctx;
    const n = Number(params.data.n);
    const [version, latest] = await req.withData(async ({ tx }) => [
      await privacyVersion(tx, portal.id, n),
      await privacyVersion(tx, portal.id),
    ]);
    if (!version || !latest) throw new HttpError(404, 'notFound');
    const date = formatDate(ctx.lang, version.publishedOn);
    const isCurrent = version.version === latest.version;
    return sendPage(
      reply,
      <Page
        ctx={ctx}
        title={`${t('privacy.title')}: ${t('privacy.versionOf', { version: version.version, date })}`}
        back={{ href: '/privacy/versions', label: t('privacy.versions.title') }}
      >
        {isCurrent ? (
          <Paragraph>
            <time datetime={version.publishedOn} safe>
              {t('privacy.updated', { date })}
            </time>
          </Paragraph>
        ) : (
          <>
            <Text style="notice" text={t('privacy.versions.old', { date })} />
            <Paragraph>
              <Link href="/privacy" text={t('privacy.versions.toCurrent')} />
            </Paragraph>
          </>
        )}
        <Statement ctx={ctx} version={version} />
      </Page>,
    );
  });
}
