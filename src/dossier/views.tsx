// The frame of every "Mijn dossier" page: breadcrumb, heading, the organisation filter (a plain GET form, works
// without JavaScript), the menu of sections, and the sentence per care provider that explains an empty section
// ("shares no ... through this portal" versus "nothing yet").
import Html from '@kitajs/html';
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Button,
  Form,
  Link,
  Page,
  Paragraph,
  render,
  Select,
  Text,
  type Children,
  type Crumb,
} from '../platform/web/components/index.js';
import { sectionsFor, type DossierProvider, type Section } from './data.js';
import type { DatePrecision } from '../platform/fhir/display.js';

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

/** GET form: choose one care provider or all. The action keeps the visitor on the page they are on. */
export function OrgFilter(props: {
  ctx: PageContext;
  action: string;
  providers: { id: string; name: string }[];
  selected: string | undefined;
  id?: string;
}): JSX.Element {
  const { ctx } = props;
  return (
    <Form ctx={ctx} method="get" action={props.action} class="koepel-filter" search={ctx.t('dossier.filter.form')}>
      <Select
        id={props.id ?? 'org-filter'}
        name="org"
        label={ctx.t('dossier.filter.label')}
        options={[
          { value: '', label: ctx.t('dossier.filter.all') },
          ...props.providers.map((p) => ({ value: p.id, label: p.name })),
        ]}
        selected={props.selected ?? ''}
      />
      <Button style="secondary" text={ctx.t('dossier.filter.submit')} />
    </Form>
  );
}

/** "U ziet alleen gegevens van …" with the way back to all providers, when the filter chose one. */
export function FilterStatus(props: {
  ctx: PageContext;
  providers: DossierProvider[];
  org: string | undefined;
  resetHref: string;
}): JSX.Element {
  if (!props.org) return <></>;
  const { t } = props.ctx;
  return (
    <div class="koepel-filter-status">
      <Paragraph>
        <span safe>{t('dossier.filter.showing', { org: providerName(props.providers, props.org) })}</span>{' '}
        <Link href={props.resetHref} text={t('dossier.filter.reset')} />
      </Paragraph>
    </div>
  );
}

/** The menu of dossier sections, on every section page. */
export function SectionNav(props: {
  ctx: PageContext;
  current: Section | null;
  org: string | undefined;
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx } = props;
  const sections = sectionsFor(props.providers);
  if (props.current && !sections.includes(props.current)) sections.push(props.current);
  return (
    <nav class="koepel-section-nav" aria-label={ctx.t('dossier.sectionsNav')}>
      <ul class="koepel-section-nav-list">
        {sections.map((s) => (
          <li>
            <Link
              href={dossierHref(`/dossier/${s}`, props.org)}
              text={sectionTitle(ctx, s)}
              current={s === props.current ? 'page' : undefined}
            />
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
            <Link href={`/record-requests/new/${p.id}`} text={ctx.t('dossier.askProvider', { org: p.name })} />
          </li>
        ),
      )}
    </ul>
  );
}

/** The trail to a dossier page: home, "Mijn dossier" (keeping the filter), then the steps; the last is this page. */
export function dossierTrail(ctx: PageContext, steps: Crumb[], org?: string): Crumb[] {
  const home = { href: '/home', label: ctx.t('layout.home') };
  return steps.length === 0
    ? [home, { label: ctx.t('dossier.title') }]
    : [home, { href: dossierHref('/dossier', org), label: ctx.t('dossier.title') }, ...steps];
}

/** A dossier page the organisation filter applies to: the browser tab also names the provider it chose. */
export function FilteredPage(props: {
  ctx: PageContext;
  title: string;
  providers: DossierProvider[];
  org: string | undefined;
  breadcrumb: Crumb[];
  intro: string;
  children?: Children;
}): JSX.Element {
  const { title, org } = props;
  const chosen = org ? providerName(props.providers, org) : null;
  return (
    <Page
      ctx={props.ctx}
      title={title}
      documentTitle={chosen ? `${title} · ${chosen}` : title}
      breadcrumb={props.breadcrumb}
      intro={props.intro}
    >
      {render(props.children)}
    </Page>
  );
}

/** A section page: breadcrumb, title, intro, filter, section menu, content. */
export function SectionPage(props: {
  ctx: PageContext;
  section: Section;
  providers: DossierProvider[];
  org: string | undefined;
  children?: Children;
}): JSX.Element {
  const { ctx, section, org, providers } = props;
  const title = sectionTitle(ctx, section);
  return (
    <FilteredPage
      ctx={ctx}
      title={title}
      providers={providers}
      org={org}
      breadcrumb={dossierTrail(ctx, [{ label: title }], org)}
      intro={ctx.t(`dossier.section.${section}.intro` as MessageKey)}
    >
      <div class="koepel-dossier-tools">
        <OrgFilter ctx={ctx} action={`/dossier/${section}`} providers={providers} selected={org} />
        <SectionNav ctx={ctx} current={section} org={org} providers={providers} />
      </div>
      <FilterStatus ctx={ctx} providers={providers} org={org} resetHref={`/dossier/${section}`} />
      <div class="koepel-dossier-content">{render(props.children)}</div>
    </FilteredPage>
  );
}

/** "Van Huisartsenpraktijk De Linde": the source of an item outside a table. */
export function Source(props: { ctx: PageContext; name: string; detail?: string | null }): JSX.Element {
  const source = props.ctx.t('dossier.source', { org: props.name });
  return (
    <div class="koepel-source">
      <Text text={props.detail ? `${source} · ${props.detail}` : source} />
    </div>
  );
}

export { Html };
