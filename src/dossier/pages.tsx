// The "Mijn dossier" pages that are not a section: the overview of all sections, one lab test over time, one
// document. (Section pages are SectionPage in views.tsx with their content from section-views.tsx.)
import Html from '@kitajs/html';
import type { DocumentReference, Observation } from 'fhir/r4.js';
import type { RecordCategory } from '../platform/db/schema.js';
import { formatNumber, isAbnormal, rangeBounds, rangeText } from '../platform/fhir/display.js';
import { joinUnit, unitText } from '../platform/fhir/units.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import {
  ButtonLink,
  Card,
  CardList,
  Link,
  render,
  Page,
  Paragraph,
  ProviderMessage,
  ProviderText,
  providerLang,
  Section,
  SummaryList,
  Text,
  type Children,
  type SummaryItem,
} from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import type { StoredResource } from '../record/index.js';
import { LabChart, type ChartPoint } from './chart.js';
import { sectionsFor, type DossierProvider } from './data.js';
import { documentRow, fileText, LabTable, rangeWords, type LabRow } from './section-views.js';
import {
  countText,
  DateCell,
  dateText,
  dossierHref,
  dossierTrail,
  FilteredPage,
  FilterStatus,
  OrgFilter,
  providerName,
  sectionNoun,
  sectionTitle,
  Source,
} from './views.js';

/**
 * A page about one item of a section (a lab test, a document): the trail through its section, the provider it came
 * from at the top, and the way back to the section at the bottom.
 */
export function DetailPage(props: {
  ctx: PageContext;
  section: 'lab' | 'documents' | 'vitals';
  title: string;
  /** The browser tab's title when the h1 alone is not unique (a lab result: the test and its date). */
  documentTitle?: string;
  /** The title is provider text (a lab test, a letter's title): lang="nl" on an English page. */
  providerTitle?: boolean;
  org: string;
  children: Children;
}): JSX.Element {
  const { ctx, section, title } = props;
  const sectionName = sectionTitle(ctx, section);
  return (
    <Page
      ctx={ctx}
      title={title}
      titleLang={props.providerTitle ? providerLang(ctx) : undefined}
      documentTitle={`${props.documentTitle ?? title} · ${sectionName}`}
      breadcrumb={dossierTrail(ctx, [{ href: `/dossier/${section}`, label: sectionName }, { label: title }])}
    >
      <Source ctx={ctx} name={props.org} />
      {render(props.children)}
      <Paragraph>
        <Link href={`/dossier/${section}`} text={ctx.t('dossier.back', { section: sectionName })} />
      </Paragraph>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Overview
// ---------------------------------------------------------------------------------------------------------------
export function OverviewPage(props: {
  ctx: PageContext;
  providers: DossierProvider[];
  inScope: DossierProvider[];
  org: string | undefined;
  counts: Map<string, Map<RecordCategory, number>>;
}): JSX.Element {
  const { ctx, org } = props;
  const { t } = ctx;
  return (
    <FilteredPage
      ctx={ctx}
      title={t('dossier.title')}
      providers={props.providers}
      org={org}
      breadcrumb={dossierTrail(ctx, [])}
      intro={t('dossier.intro')}
    >
      {props.providers.length === 0 ? (
        <Text style="notice" text={t('dossier.noProviders')} />
      ) : (
        <>
          <OrgFilter ctx={ctx} action="/dossier" providers={props.providers} selected={org} />
          <FilterStatus ctx={ctx} providers={props.providers} org={org} resetHref="/dossier" />
          <CardList class="koepel-dossier-sections">
            {sectionsFor(props.providers).map((s) => {
              const per = props.inScope.map((p) => ({ p, n: props.counts.get(p.id)?.get(s) ?? 0 }));
              const total = per.reduce((sum, x) => sum + x.n, 0);
              return (
                <Card
                  id={`section-${s}`}
                  title={sectionTitle(ctx, s)}
                  href={dossierHref(`/dossier/${s}`, org)}
                  class="koepel-dossier-section"
                >
                  <p class="koepel-count" safe>
                    {total > 0 ? countText(ctx, s, total) : t('dossier.overview.none')}
                  </p>
                  {/* Providers with items, and those that do not share this here; "nothing yet" is left to the
                      section page so that the overview stays short. */}
                  <ul class="koepel-plain-list koepel-per-provider">
                    {per.map(({ p, n }) =>
                      n > 0 ? (
                        <li safe>{`${p.name}: ${countText(ctx, s, n)}`}</li>
                      ) : p.categories.has(s) ? (
                        ''
                      ) : (
                        <li class="koepel-muted" safe>
                          {t('dossier.notOffered', { org: p.name, noun: sectionNoun(ctx, s) })}
                        </li>
                      ),
                    )}
                  </ul>
                </Card>
              );
            })}
          </CardList>
        </>
      )}
      <Section id="access-log-title" title={t('dossier.overview.accessLogTitle')} class="koepel-notice">
        <Text text={t('dossier.overview.accessLogText')} />
        <Paragraph>
          <Link href="/access-log" text={t('dossier.overview.accessLogLink')} />
        </Paragraph>
      </Section>
    </FilteredPage>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// One lab test over time
// ---------------------------------------------------------------------------------------------------------------
export function ChartLegend(props: { ctx: PageContext; band: boolean }): JSX.Element {
  const { t } = props.ctx;
  const entries = [
    ...(props.band ? [['band', t('dossier.lab.chart.legend.band')] as const] : []),
    ['normal', t('dossier.lab.chart.legend.normal')] as const,
    ['abnormal', t('dossier.lab.chart.legend.abnormal')] as const,
  ];
  return (
    <figcaption class="koepel-chart-legend">
      <span class="koepel-visually-hidden" safe>
        {`${t('dossier.lab.chart.legend')}: `}
      </span>
      <ul class="koepel-inline-list">
        {entries.map(([kind, label]) => (
          <li>
            <span class={`koepel-legend-swatch koepel-legend-swatch--${kind}`} aria-hidden="true"></span>
            <span safe>{label}</span>
          </li>
        ))}
      </ul>
    </figcaption>
  );
}

export function LabDetailPage(props: {
  ctx: PageContext;
  providers: DossierProvider[];
  chosen: LabRow;
  rows: LabRow[];
  observation: Observation;
  /** The citizen's private notes about this result (issue 13, src/private-notes). */
  notes?: JSX.Element;
}): JSX.Element {
  const { ctx, chosen, rows, observation } = props;
  const { t } = ctx;
  const org = providerName(props.providers, chosen.organisationId);
  const flagText = (r: LabRow) => (r.flag ? t(`dossier.flag.${r.flag}` as MessageKey) : '–');
  const numeric = rows.filter((r) => r.numeric !== null && r.at !== null);
  const unit = observation.valueQuantity ? unitText(ctx.lang, observation.valueQuantity) : '';
  const withUnit = (n: number) => joinUnit(formatNumber(ctx.lang, n), unit);
  const { low, high } = rangeBounds(observation.referenceRange);
  const range = rangeText(ctx.lang, observation.referenceRange, rangeWords(t));
  const sortedAsc = [...numeric].sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
  const first = sortedAsc[0];
  const last = sortedAsc[sortedAsc.length - 1];
  const values = numeric.map((r) => r.numeric ?? 0);
  const points: ChartPoint[] = sortedAsc.map((r) => ({
    at: r.at ?? new Date(0),
    value: r.numeric ?? 0,
    abnormal: isAbnormal(r.flag),
    label: t('dossier.lab.chart.point', { date: dateText(ctx, r.at), value: r.value, flag: flagText(r) }),
  }));
  const description =
    first && last
      ? t('dossier.lab.chart.desc', {
          count: numeric.length,
          first: dateText(ctx, first.at),
          last: dateText(ctx, last.at),
          min: withUnit(Math.min(...values)),
          max: withUnit(Math.max(...values)),
          latest: `${last.value}${last.flag ? ` (${flagText(last).toLowerCase()})` : ''}`,
          range: range ? t('dossier.lab.chart.descRange', { range }) : t('dossier.lab.chart.descNoRange'),
        })
      : '';
  const facts: SummaryItem[] = [
    { label: t('dossier.lab.date'), html: <DateCell ctx={ctx} date={chosen.at} withTime /> },
    { label: t('dossier.lab.result'), text: chosen.value },
    { label: t('dossier.lab.range'), text: chosen.range },
    { label: t('dossier.lab.flag'), text: flagText(chosen) },
    ...(chosen.performer ? [{ label: t('dossier.lab.detail.performer'), text: chosen.performer }] : []),
    ...(chosen.codes.length > 0 ? [{ label: t('dossier.lab.detail.code'), text: chosen.codes.join(', ') }] : []),
    ...(chosen.note ? [{ label: t('dossier.lab.detail.note'), text: chosen.note }] : []),
    { label: t('dossier.column.provider'), text: org },
  ];
  return (
    <DetailPage
      ctx={ctx}
      section="lab"
      title={chosen.test}
      providerTitle
      documentTitle={t('dossier.lab.detail.documentTitle', { test: chosen.test, date: dateText(ctx, chosen.at) })}
      org={org}
    >
      <Paragraph style="intro">
        <ProviderMessage ctx={ctx} text={(nl) => t('dossier.lab.detail.intro', { test: nl(chosen.test), org })} />
      </Paragraph>
      <Section id="lab-chart-heading" title={t('dossier.lab.chart.heading')}>
        {numeric.length > 0 ? (
          <figure class="koepel-chart-figure">
            {(['wide', 'narrow'] as const).map((variant) => (
              <div class={`koepel-chart-${variant}`}>
                <LabChart
                  lang={ctx.lang}
                  id={`lab-chart-${variant}`}
                  width={variant === 'wide' ? 640 : 360}
                  title={t('dossier.lab.chart.title', { test: chosen.test, org })}
                  description={description}
                  unit={unit}
                  axisValue={unit ? t('dossier.lab.chart.axisValue', { unit }) : t('dossier.lab.chart.axisValueNoUnit')}
                  axisTime={t('dossier.lab.chart.axisTime')}
                  bandLabel={range ? t('dossier.lab.chart.band', { range }) : null}
                  low={low}
                  high={high}
                  points={points}
                />
              </div>
            ))}
            <ChartLegend ctx={ctx} band={low !== null || high !== null} />
          </figure>
        ) : (
          <Text text={t('dossier.lab.chart.nonNumeric')} />
        )}
        <LabTable
          ctx={ctx}
          rows={rows}
          providers={props.providers}
          caption={t('dossier.lab.chart.tableCaption', { test: chosen.test, org })}
          link={false}
          showProvider={false}
        />
      </Section>
      <Section id="lab-chosen" title={t('dossier.lab.detail.chosen')}>
        <SummaryList items={facts} class="koepel-facts" />
      </Section>
      {render(props.notes)}
      <Text style="small" text={t('dossier.lab.explain')} />
    </DetailPage>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// One document
// ---------------------------------------------------------------------------------------------------------------
export function DocumentPage(props: {
  ctx: PageContext;
  providers: DossierProvider[];
  stored: StoredResource;
  row: ReturnType<typeof documentRow>;
  texts: Map<number, string>;
}): JSX.Element {
  const { ctx, row } = props;
  const { t } = ctx;
  const org = providerName(props.providers, row.organisationId);
  const d = props.stored.resource as unknown as DocumentReference;
  const facts: SummaryItem[] = [
    ...(row.type ? [{ label: t('dossier.documents.type'), html: <ProviderText ctx={ctx} text={row.type} /> }] : []),
    { label: t('dossier.documents.date'), html: <DateCell ctx={ctx} date={row.at} /> },
    ...(row.author ? [{ label: t('dossier.documents.author'), text: row.author }] : []),
    { label: t('dossier.column.provider'), text: org },
  ];
  return (
    <DetailPage ctx={ctx} section="documents" title={row.title} providerTitle org={org}>
      <Section id="document-details" title={t('dossier.documents.details')}>
        <SummaryList items={facts} class="koepel-facts" />
      </Section>
      {[...props.texts].map(([position, text]) => (
        <Section
          id={`document-text-${position}`}
          title={d.content?.[position]?.attachment?.title ?? t('dossier.documents.textHeading')}
        >
          <div
            class="koepel-document-text"
            lang={d.content?.[position]?.attachment?.language ?? providerLang(ctx)}
            safe
          >
            {text}
          </div>
        </Section>
      ))}
      {row.files.length > 0 ? (
        <Section id="document-files" title={t('dossier.documents.downloadHeading')}>
          <ul class="koepel-plain-list koepel-downloads">
            {row.files.map((f) => (
              <li>
                <ButtonLink
                  style="secondary"
                  href={`/dossier/documents/${row.id}/${f.position}`}
                  text={t('dossier.documents.download', { title: f.title ?? row.title, file: fileText(ctx, f) })}
                />
              </li>
            ))}
          </ul>
          <Text style="small" text={t('dossier.documents.downloadHint')} />
        </Section>
      ) : (
        ''
      )}
    </DetailPage>
  );
}

export { Html };
