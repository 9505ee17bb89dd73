// The page shell: skip link, header with the portal's name, language switch and logout, main landmark, footer
// with support and data-protection contacts. Styled with NL Design System (Utrecht) components and tokens.
import Html from '@kitajs/html';
import { render, type Children } from './components/children.js';
import type { PageContext } from './context.js';

export function Layout(props: {
  ctx: PageContext;
  title: string;
  /** External scripts of this page (same origin, deferred): CSP allows no inline script. */
  scripts?: readonly string[];
  /** The page that says the session has ended: the timeout script keeps the typed text for after the new login. */
  sessionEnded?: boolean;
  children?: JSX.Element | JSX.Element[];
}): JSX.Element {
  const { ctx } = props;
  const { t, portal } = ctx;
  const otherLang = ctx.lang === 'nl' ? 'en' : 'nl';
  // Kita prepends <!doctype html> to an <html> element.
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title safe>{`${props.title} · ${portal.name}`}</title>
        <link rel="stylesheet" href="/assets/koepel.css" />
        <link rel="stylesheet" href={`/assets/theme/${portal.slug}.css`} />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        {/* On every page: the session-timeout warning (WCAG 2.2.1) and the typed text kept over a new login. */}
        <script src="/assets/session-timeout.js" defer></script>
        {(props.scripts ?? []).map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body
        class="utrecht-document utrecht-document--surface utrecht-root voorbeeld-theme koepel-theme"
        data-session-ended={props.sessionEnded ? 'true' : undefined}
      >
        <a class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#main" safe>
          {t('layout.skipLink')}
        </a>
        <div class="utrecht-page">
          <header class="utrecht-page-header koepel-header">
            <a class="koepel-brand utrecht-link" href={ctx.user ? ctx.user.homePath : '/'} safe>
              {portal.name}
            </a>
            <nav class="koepel-header-nav" aria-label={t('layout.mainNav')}>
              <ul class="koepel-inline-list">
                {ctx.user ? (
                  <li class="koepel-user" safe>
                    {t('layout.loggedInAs', { name: ctx.user.name })}
                  </li>
                ) : (
                  ''
                )}
                <li>
                  <a
                    class="utrecht-link"
                    href={`/language?lang=${otherLang}&return=${encodeURIComponent(ctx.path)}`}
                    lang={otherLang}
                    hreflang={otherLang}
                    safe
                  >
                    {otherLang === 'en' ? t('layout.switchToEnglish') : t('layout.switchToDutch')}
                  </a>
                </li>
                {ctx.user && ctx.csrf ? (
                  <li>
                    <form method="post" action="/logout" class="koepel-inline-form">
                      <input type="hidden" name="_csrf" value={ctx.csrf} />
                      <button type="submit" class="utrecht-button utrecht-button--subtle" safe>
                        {t('layout.logout')}
                      </button>
                    </form>
                  </li>
                ) : (
                  ''
                )}
              </ul>
            </nav>
          </header>
          {ctx.navigation.length > 0 ? ctx.area === 'staff' ? <StaffNav ctx={ctx} /> : <CitizenNav ctx={ctx} /> : ''}
          <main id="main" class="utrecht-page-content koepel-main" tabindex="-1">
            {/* eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- children are rendered elements, escaped where they were built */}
            {props.children as 'safe'}
          </main>
          {ctx.area === 'staff' ? <StaffFooter ctx={ctx} /> : <CitizenFooter ctx={ctx} />}
        </div>
        {ctx.session && ctx.csrf ? <SessionDialog ctx={ctx} /> : ''}
        <DraftTexts ctx={ctx} />
      </body>
    </html>
  );
}

// The citizen's footer: the portal's helpdesk and data-protection contacts.
function CitizenFooter(props: { ctx: PageContext }): JSX.Element {
  const { ctx } = props;
  const { t, portal } = ctx;
  return (
    <Footer ctx={ctx} staffLogin>
      <FooterSection id="footer-support" title={t('footer.support')}>
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={`mailto:${portal.supportEmail}`} safe>
            {portal.supportEmail}
          </a>
          {portal.supportPhone ? (
            <>
              <br />
              <a class="utrecht-link" href={`tel:${portal.supportPhone.replace(/\s/g, '')}`} safe>
                {portal.supportPhone}
              </a>
            </>
          ) : (
            ''
          )}
        </p>
      </FooterSection>
      <FooterSection id="footer-dpo" title={t('footer.dpo')}>
        <p class="utrecht-paragraph">
          <span safe>{portal.dpoName}</span>
          <br />
          <a class="utrecht-link" href={`mailto:${portal.dpoEmail}`} safe>
            {portal.dpoEmail}
          </a>
        </p>
      </FooterSection>
    </Footer>
  );
}

// The staff workplace's footer: help comes from the organisation's own administrator, not the citizens' helpdesk.
function StaffFooter(props: { ctx: PageContext }): JSX.Element {
  const { t } = props.ctx;
  return (
    <Footer ctx={props.ctx} staffLogin={false}>
      <FooterSection id="footer-staff-help" title={t('footer.staff.help')}>
        <p class="utrecht-paragraph" safe>
          {t('footer.staff.helpBody')}
        </p>
      </FooterSection>
      <FooterSection id="footer-staff-care" title={t('footer.staff.care')}>
        <p class="utrecht-paragraph" safe>
          {t('footer.staff.careBody')}
        </p>
      </FooterSection>
    </Footer>
  );
}

// Either footer: the area's own sections, then Koepel's (the privacy statement; for citizens also the way to the
// staff login; that Koepel is open source).
function Footer(props: { ctx: PageContext; staffLogin: boolean; children: Children }): JSX.Element {
  const { t } = props.ctx;
  return (
    <footer class="utrecht-page-footer koepel-footer">
      <div class="koepel-footer-grid">
        {render(props.children)}
        <div class="koepel-footer-section">
          <h2 id="footer-more" class="utrecht-heading-2">
            Koepel
          </h2>
          <ul class="utrecht-unordered-list koepel-plain-list">
            <li>
              <a class="utrecht-link" href="/privacy" safe>
                {t('footer.privacy')}
              </a>
            </li>
            {props.staffLogin ? (
              <li>
                <a class="utrecht-link" href="/staff/login" safe>
                  {t('footer.staffLogin')}
                </a>
              </li>
            ) : (
              ''
            )}
            <li safe>{t('footer.openSource')}</li>
          </ul>
        </div>
      </div>
    </footer>
  );
}

// A part of the footer: a heading and its text. Not a <section> with a name: that would make every part a landmark
// region, beside the footer's own (contentinfo) landmark (issue 17).
function FooterSection(props: { id: string; title: string; children: Children }): JSX.Element {
  return (
    <div class="koepel-footer-section">
      <h2 id={props.id} class="utrecht-heading-2" safe>
        {props.title}
      </h2>
      {render(props.children)}
    </div>
  );
}

// The staff workplace's menu: the links the employee's rights allow, each with its count where it has one.
function StaffNav(props: { ctx: PageContext }): JSX.Element {
  const { ctx } = props;
  const current = (href: string) => ctx.path === href || (href !== '/staff' && ctx.path.startsWith(`${href}/`));
  return (
    <nav class="koepel-citizen-nav koepel-staff-nav" aria-label={ctx.t('layout.staffNav')}>
      <ul class="koepel-citizen-nav-list">
        {ctx.navigation.map((l) => (
          <li>
            <StaffNavLink
              ctx={ctx}
              link={l}
              current={current(l.href) ? (ctx.path === l.href ? 'page' : 'true') : undefined}
            />
          </li>
        ))}
      </ul>
    </nav>
  );
}

async function StaffNavLink(props: {
  ctx: PageContext;
  link: PageContext['navigation'][number];
  current: 'page' | 'true' | undefined;
}): Promise<string> {
  const { ctx, link } = props;
  const count = await ctx.badge(link);
  const label = ctx.t(link.label);
  if (count === null || !link.badgeLabel)
    return (
      <a class="koepel-citizen-nav-link" href={link.href} aria-current={props.current} safe>
        {label}
      </a>
    );
  return (
    <a class="koepel-citizen-nav-link" href={link.href} aria-current={props.current}>
      <span aria-hidden="true" safe>
        {label}
      </span>{' '}
      <span class="koepel-badge" aria-hidden="true" safe>
        {String(count)}
      </span>
      <span class="koepel-visually-hidden" safe>
        {ctx.t(link.badgeLabel, { count })}
      </span>
    </a>
  );
}

// The citizen's menu: the links the capabilities added (src/platform/web/navigation.ts).
function CitizenNav(props: { ctx: PageContext }): JSX.Element {
  const { ctx } = props;
  const current = (href: string) => ctx.path === href || ctx.path.startsWith(`${href}/`);
  return (
    <nav class="koepel-citizen-nav" aria-label={ctx.t('layout.citizenNav')}>
      <ul class="koepel-citizen-nav-list">
        {ctx.navigation.map((l) => (
          <li>
            {/* Issue 13: with its count where the link has one (unread system messages), as in the staff menu. */}
            <StaffNavLink
              ctx={ctx}
              link={l}
              current={current(l.href) ? (ctx.path === l.href ? 'page' : 'true') : undefined}
            />
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * The session-timeout dialog (src/platform/session/timeout.ts): closed, and without script never opened. The script
 * (static/session-timeout.js) opens it two minutes before the idle limit with "Blijf ingelogd" (a form that works
 * without script too) and "Uitloggen"; at the end it says so and offers to log in again, back to this page. Texts
 * come from the catalogue; {time} is filled in by the script in the person's clock.
 */
function SessionDialog(props: { ctx: PageContext }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const s = ctx.session;
  if (!s || !ctx.csrf) return '';
  const login = `${s.loginPath}?return=${encodeURIComponent(ctx.path)}`;
  return (
    <dialog
      id="koepel-session-dialog"
      class="koepel-session-dialog"
      aria-labelledby="koepel-session-title"
      aria-describedby="koepel-session-body"
      data-idle-remaining-ms={String(s.idleRemainingMs)}
      data-absolute-remaining-ms={String(s.absoluteRemainingMs)}
      data-warn-ms={String(s.warnMs)}
      data-draft-key={s.draftKey ?? undefined}
      data-login-path={s.loginPath}
      data-title-warn={t('session.warn.title')}
      data-text-warn={t('session.warn.body', { time: '{time}' })}
      data-title-absolute={t('session.absolute.title')}
      data-text-absolute={t('session.absolute.body', { time: '{time}' })}
      data-title-ended={t('session.ended.title')}
      data-text-ended={t('session.ended.body')}
      data-text-kept={t('session.ended.kept')}
    >
      <h2 id="koepel-session-title" class="utrecht-heading-2" safe>
        {t('session.warn.title')}
      </h2>
      <p id="koepel-session-body" class="utrecht-paragraph" safe>
        {t('session.warn.body', { time: '' })}
      </p>
      <div class="koepel-session-actions">
        <form method="post" action="/session/extend" class="koepel-inline-form" data-session-extend>
          <input type="hidden" name="_csrf" value={ctx.csrf} />
          <input type="hidden" name="return" value={ctx.path} />
          <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
            {t('session.extend')}
          </button>
        </form>
        <form method="post" action="/logout" class="koepel-inline-form" data-session-logout>
          <input type="hidden" name="_csrf" value={ctx.csrf} />
          <button type="submit" class="utrecht-button utrecht-button--secondary-action" safe>
            {t('layout.logout')}
          </button>
        </form>
        <button type="button" class="utrecht-button utrecht-button--secondary-action" data-session-close hidden safe>
          {t('session.close')}
        </button>
        <a class="utrecht-button-link utrecht-button-link--primary-action" href={login} data-session-login hidden safe>
          {t('session.loginAgain')}
        </a>
      </div>
    </dialog>
  );
}

/** What the script says when it puts typed text back after a new login (a status message it adds to the page). */
function DraftTexts(props: { ctx: PageContext }): JSX.Element {
  const { t } = props.ctx;
  return (
    <template id="koepel-draft-restored">
      <div class="utrecht-alert" role="status" tabindex="-1" id="koepel-draft-restored-alert">
        <div class="utrecht-alert__content">
          <div class="utrecht-alert__message">
            <p class="utrecht-paragraph" safe>
              {t('session.restored')}
            </p>
          </div>
        </div>
      </div>
    </template>
  );
}

/** A simple page with a heading, paragraphs and an optional link back. */
export function MessagePage(props: {
  ctx: PageContext;
  title: string;
  body: string;
  extra?: string;
  link?: { href: string; label: string };
}): JSX.Element {
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <h1 class="utrecht-heading-1" safe>
        {props.title}
      </h1>
      <p class="utrecht-paragraph" safe>
        {props.body}
      </p>
      {props.extra ? (
        <p class="utrecht-paragraph utrecht-paragraph--small" safe>
          {props.extra}
        </p>
      ) : (
        ''
      )}
      {props.link ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={props.link.href} safe>
            {props.link.label}
          </a>
        </p>
      ) : (
        ''
      )}
    </Layout>
  );
}

export { Html };
