// The frame of every "Mijn dossier" page: breadcrumb, heading, the organisation filter (a plain GET form, works
// without JavaScript), the menu of sections, and the sentence per care provider that explains an empty section
// ("shares no ... through this portal" versus "nothing yet").
import Html from '@kitajs/html';
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import { SECTIONS, type DossierProvider, type Section } from './data.js';
import type { DatePrecision } from './fhir-text.js';

export const sectionTitle = (ctx: PageContext, s: Section) => ctx.t(`dossier.section.${s}.title` as MessageKey);
export const sectionNoun = (ctx: PageContext, s: Section) => ctx.t(`dossier.section.${s}.noun` as MessageKey);

export function countText(ctx: PageContext, s: Section, count: number): string {
  return ctx.t(`dossier.section.${s}.count` as MessageKey, { count });
}

/** A link to a dossier page that keeps the organisation filter. */
export function dossierHref(path: string, org: string | undefined): string {
  return org ? `${path}?org=${encodeURIComponent(org)}` : path;
}

const monthFormats = new Map<string, Intl.DateTimeFormat>();

export function dateText(ctx: PageContext, d: Date | null, withTime = false, precision: DatePrecision = 'day'): string {
  if (!d) return ctx.t('dossier.unknownDate');
  if (precision === 'year') return String(d.getUTCFullYear());
  if (precision === 'month') {
    let f = monthFormats.get(ctx.lang);
    if (!f) {
      f = new Intl.DateTimeFormat(ctx.lang === 'nl' ? 'nl-NL' : 'en-GB', {
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      });
      monthFormats.set(ctx.lang, f);
    }
    return f.format(d);
  }
  return formatDate(ctx.lang, d, withTime ? 'dateTime' : 'date');
}

export function DateCell(props: {
  ctx: PageContext;
  date: Date | null;
  withTime?: boolean;
  precision?: DatePrecision;
}): JSX.Element {
  if (!props.date) return <span safe>{props.ctx.t('dossier.unknownDate')}</span>;
  const precision = props.precision ?? 'day';
  const iso = props.date.toISOString();
  return (
    <time datetime={precision === 'year' ? iso.slice(0, 4) : precision === 'month' ? iso.slice(0, 7) : iso} safe>
      {dateText(props.ctx, props.date, props.withTime, precision)}
    </time>
  );
}

export function providerName(providers: DossierProvider[], id: string): string {
  return providers.find((p) => p.id === id)?.name ?? '';
}

export function Breadcrumb(props: { ctx: PageContext; trail: { href?: string; label: string }[] }): JSX.Element {
  const { ctx } = props;
  return (
    <nav class="utrecht-breadcrumb-nav koepel-breadcrumb" aria-label={ctx.t('dossier.breadcrumb')}>
      <ol class="utrecht-breadcrumb-nav__list utrecht-breadcrumb-nav__list--html-ol">
        {props.trail.map((step) => (
          <li class="utrecht-breadcrumb-nav__item">
            {step.href ? (
              <a class="utrecht-link utrecht-breadcrumb-nav__link" href={step.href} safe>
                {step.label}
              </a>
            ) : (
              <span class="utrecht-breadcrumb-nav__link utrecht-breadcrumb-nav__link--current" aria-current="page" safe>
                {step.label}
              </span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** GET form: choose one care provider or all. The action keeps the visitor on the page they are on. */
export function OrgFilter(props: {
  ctx: PageContext;
  action: string;
  providers: { id: string; name: string }[];
  selected: string | undefined;
  id?: string;
}): JSX.Element {
  const { ctx } = props;
  const id = props.id ?? 'org-filter';
  return (
    <form
      method="get"
      action={props.action}
      class="koepel-filter"
      role="search"
      aria-label={ctx.t('dossier.filter.form')}
    >
      <div class="utrecht-form-field utrecht-form-field--select">
        <label class="utrecht-form-label" for={id} safe>
          {ctx.t('dossier.filter.label')}
        </label>
        <select id={id} name="org" class="utrecht-select utrecht-select--html-select">
          <option value="" selected={!props.selected} safe>
            {ctx.t('dossier.filter.all')}
          </option>
          {props.providers.map((p) => (
            <option value={p.id} selected={p.id === props.selected} safe>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="utrecht-button utrecht-button--secondary-action" safe>
        {ctx.t('dossier.filter.submit')}
      </button>
    </form>
  );
}

/** The menu of dossier sections, on every section page. */
export function SectionNav(props: { ctx: PageContext; current: Section | null; org: string | undefined }): JSX.Element {
  const { ctx } = props;
  return (
    <nav class="koepel-section-nav" aria-label={ctx.t('dossier.sectionsNav')}>
      <ul class="koepel-section-nav-list">
        {SECTIONS.map((s) => (
          <li>
            <a
              class="utrecht-link"
              href={dossierHref(`/dossier/${s}`, props.org)}
              aria-current={s === props.current ? 'page' : undefined}
              safe
            >
              {sectionTitle(ctx, s)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * Why a section is empty for a care provider: it does not share this category here (the citizen may ask it to,
 * MG-7), or it has nothing yet. Only providers without items are mentioned.
 */
export function ProviderNotes(props: {
  ctx: PageContext;
  section: Section;
  providers: DossierProvider[];
  counts: ReadonlyMap<string, number>;
}): JSX.Element {
  const { ctx, section } = props;
  const empty = props.providers.filter((p) => (props.counts.get(p.id) ?? 0) === 0);
  if (empty.length === 0) return <></>;
  const noun = sectionNoun(ctx, section);
  return (
    <ul class="koepel-provider-notes">
      {empty.map((p) =>
        p.categories.has(section) ? (
          <li safe>{ctx.t('dossier.noData', { org: p.name, noun })}</li>
        ) : (
          <li>
            <span safe>{ctx.t('dossier.notOffered', { org: p.name, noun })}</span>{' '}
            {/* MG-7: the citizen can ask the organisation to make more of their record available. */}
            <a class="utrecht-link" href={`/record-requests/new/${p.id}`} safe>
              {ctx.t('dossier.askProvider', { org: p.name })}
            </a>
          </li>
        ),
      )}
    </ul>
  );
}

/** A section page: breadcrumb, title, intro, filter, section menu, content. */
export function SectionPage(props: {
  ctx: PageContext;
  section: Section;
  providers: DossierProvider[];
  org: string | undefined;
  children?: JSX.Element | JSX.Element[];
}): JSX.Element {
  const { ctx, section, org } = props;
  const title = sectionTitle(ctx, section);
  const chosen = org ? providerName(props.providers, org) : null;
  return (
    <Layout ctx={ctx} title={chosen ? `${title} · ${chosen}` : title}>
      <Breadcrumb
        ctx={ctx}
        trail={[
          { href: '/home', label: ctx.t('layout.home') },
          { href: dossierHref('/dossier', org), label: ctx.t('dossier.title') },
          { label: title },
        ]}
      />
      <h1 class="utrecht-heading-1" safe>
        {title}
      </h1>
      <p class="utrecht-paragraph koepel-intro" safe>
        {ctx.t(`dossier.section.${section}.intro` as MessageKey)}
      </p>
      <div class="koepel-dossier-tools">
        <OrgFilter ctx={ctx} action={`/dossier/${section}`} providers={props.providers} selected={org} />
        <SectionNav ctx={ctx} current={section} org={org} />
      </div>
      {chosen ? (
        <p class="utrecht-paragraph koepel-filter-status">
          <span safe>{ctx.t('dossier.filter.showing', { org: chosen })}</span>{' '}
          <a class="utrecht-link" href={`/dossier/${section}`} safe>
            {ctx.t('dossier.filter.reset')}
          </a>
        </p>
      ) : (
        ''
      )}
      <div class="koepel-dossier-content">
        {/* eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- children are rendered elements, escaped where they were built */}
        {props.children as 'safe'}
      </div>
    </Layout>
  );
}

/** "Van Huisartsenpraktijk De Linde": the source of an item outside a table. */
export function Source(props: { ctx: PageContext; name: string }): JSX.Element {
  return (
    <p class="utrecht-paragraph koepel-source" safe>
      {props.ctx.t('dossier.source', { org: props.name })}
    </p>
  );
}

export { Html };
