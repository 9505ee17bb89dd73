// "Mijn dossier" (issue 3, LU-1, MG-4, MG-7): the combined record of a citizen, each item labelled with the care
// provider it came from and every page filterable by provider.
//
//   GET /dossier                              overview: sections with counts per provider (nothing decrypted)
//   GET /dossier/:section                     appointments | lab | documents | medication | episodes |
//                                             sensitivities | careteam
//   GET /dossier/lab/:id                      one test over time: SVG chart with reference band + table
//   GET /dossier/documents/:id                a document: details, text inline, files to download
//   GET /dossier/documents/:id/:position      download an attachment (audited)
//
// Every request audits first (event citizen.record.view / citizen.record.download, resourceType = the category)
// and only then reads; row-level security limits the reads to organisations of the citizen's portal with an active
// relationship, in the categories each makes available. An id that is not the citizen's, or not visible, is 404.
import Html from '@kitajs/html';
import type { DocumentReference, Observation } from 'fhir/r4.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RecordCategory } from '../platform/db/schema.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage, type DataScope } from '../platform/http/request-context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import { listAttachments, readAttachment, readResources, type StoredResource } from '../record/index.js';
import { LabChart, type ChartPoint } from './chart.js';
import {
  countsByProvider,
  dossierProviders,
  isSection,
  parseOrgFilter,
  parseResourceId,
  providersInScope,
  SECTIONS,
  type DossierProvider,
  type Section,
} from './data.js';
import { codingKeys, conceptText, formatNumber, isAbnormal, rangeBounds, rangeText } from './fhir-text.js';
import { medicationOverview } from './medication.js';
import {
  allergyRow,
  AllergyTable,
  AppointmentCard,
  appointmentView,
  CareTeamCard,
  careTeamView,
  ConditionTable,
  conditionRow,
  DocumentTable,
  documentRow,
  fileKind,
  fileText,
  labRow,
  LabTable,
  MedicationTables,
  PastAppointments,
  rangeWords,
  sortConditions,
  type ConditionRow,
  type DirectoryEntry,
  type LabRow,
} from './section-views.js';
import {
  Breadcrumb,
  countText,
  DateCell,
  dateText,
  dossierHref,
  OrgFilter,
  ProviderNotes,
  providerName,
  SectionPage,
  sectionNoun,
  sectionTitle,
  Source,
} from './views.js';
import { requireCitizen } from '../platform/auth/permissions.js';

/** The lab table shows at most this many results; older ones are reached per test or per provider. */
export const LAB_TABLE_LIMIT = 250;
const PAST_APPOINTMENTS_LIMIT = 25;
/** Text attachments up to this size are shown inline; larger ones are downloaded. */
const INLINE_TEXT_LIMIT = 256 * 1024;

const VIEW_EVENT = 'citizen.record.view';
const DOWNLOAD_EVENT = 'citizen.record.download';

type Citizen = ReturnType<typeof requireCitizen>;

/** Audit the view, then load the citizen's providers and check the organisation filter against them. */
async function begin(
  scope: DataScope,
  citizen: Citizen,
  what: { resourceType: string; resourceId?: string; org?: string; event?: string; reason?: string },
): Promise<{ providers: DossierProvider[]; inScope: DossierProvider[] }> {
  await scope.audit({
    event: what.event ?? VIEW_EVENT,
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: what.resourceType,
    ...(what.resourceId ? { resourceId: what.resourceId } : {}),
    ...(what.reason || what.org ? { reason: what.reason ?? `org:${what.org}` } : {}),
  });
  const providers = await dossierProviders(scope.tx, citizen.citizenId, citizen.portalId);
  return { providers, inScope: providersInScope(providers, what.org) };
}

function countPer(resources: { organisationId: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of resources) m.set(r.organisationId, (m.get(r.organisationId) ?? 0) + 1);
  return m;
}

function orgIds(org: string | undefined): { organisationIds?: string[] } {
  return org ? { organisationIds: [org] } : {};
}

// ---------------------------------------------------------------------------------------------------------------
// Overview
// ---------------------------------------------------------------------------------------------------------------
function OverviewPage(props: {
  ctx: PageContext;
  providers: DossierProvider[];
  inScope: DossierProvider[];
  org: string | undefined;
  counts: Map<string, Map<RecordCategory, number>>;
}): JSX.Element {
  const { ctx, org } = props;
  const { t } = ctx;
  const chosen = org ? providerName(props.providers, org) : null;
  return (
    <Layout ctx={ctx} title={chosen ? `${t('dossier.title')} · ${chosen}` : t('dossier.title')}>
      <Breadcrumb ctx={ctx} trail={[{ href: '/home', label: t('layout.home') }, { label: t('dossier.title') }]} />
      <h1 class="utrecht-heading-1" safe>
        {t('dossier.title')}
      </h1>
      <p class="utrecht-paragraph koepel-intro" safe>
        {t('dossier.intro')}
      </p>
      {props.providers.length === 0 ? (
        <p class="utrecht-paragraph koepel-notice" safe>
          {t('dossier.noProviders')}
        </p>
      ) : (
        <>
          <OrgFilter ctx={ctx} action="/dossier" providers={props.providers} selected={org} />
          {chosen ? (
            <p class="utrecht-paragraph koepel-filter-status">
              <span safe>{t('dossier.filter.showing', { org: chosen })}</span>{' '}
              <a class="utrecht-link" href="/dossier" safe>
                {t('dossier.filter.reset')}
              </a>
            </p>
          ) : (
            ''
          )}
          <ul class="koepel-cards koepel-dossier-sections">
            {SECTIONS.map((s) => {
              const per = props.inScope.map((p) => ({ p, n: props.counts.get(p.id)?.get(s) ?? 0 }));
              const total = per.reduce((sum, x) => sum + x.n, 0);
              const headingId = `section-${s}`;
              return (
                <li class="koepel-card koepel-dossier-section">
                  <h2 id={headingId} class="utrecht-heading-2">
                    <a class="utrecht-link" href={dossierHref(`/dossier/${s}`, org)} safe>
                      {sectionTitle(ctx, s)}
                    </a>
                  </h2>
                  <p class="utrecht-paragraph koepel-count" safe>
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
                </li>
              );
            })}
          </ul>
        </>
      )}
      <section class="koepel-section koepel-notice" aria-labelledby="access-log-title">
        <h2 id="access-log-title" class="utrecht-heading-2" safe>
          {t('dossier.overview.accessLogTitle')}
        </h2>
        <p class="utrecht-paragraph" safe>
          {t('dossier.overview.accessLogText')}
        </p>
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href="/access-log" safe>
            {t('dossier.overview.accessLogLink')}
          </a>
        </p>
      </section>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Section pages
// ---------------------------------------------------------------------------------------------------------------
async function renderSection(
  ctx: PageContext,
  scope: DataScope,
  citizen: Citizen,
  section: Section,
  org: string | undefined,
): Promise<JSX.Element> {
  const { t } = ctx;
  const { providers, inScope } = await begin(scope, citizen, { resourceType: section, org });
  const read = (categories: RecordCategory[], limit?: number) =>
    readResources(
      { tx: scope.tx, keys: scope.keys },
      { citizenId: citizen.citizenId, categories, ...orgIds(org), ...(limit ? { limit } : {}) },
    );
  const page = (content: JSX.Element, counts: Map<string, number>) => (
    <SectionPage ctx={ctx} section={section} providers={providers} org={org}>
      {content}
      <ProviderNotes ctx={ctx} section={section} providers={inScope} counts={counts} />
    </SectionPage>
  );

  switch (section) {
    case 'lab': {
      const resources = await read(['lab'], LAB_TABLE_LIMIT + 1);
      const shown = resources.slice(0, LAB_TABLE_LIMIT);
      const rows = shown.filter((r) => r.resourceType === 'Observation').map((r) => labRow(ctx, r));
      // Counting for the empty-state sentences needs every provider's total, not only the rows shown.
      const counts = resources.length > LAB_TABLE_LIMIT ? await labCounts(scope, citizen) : countPer(shown);
      return page(
        rows.length === 0 ? (
          <></>
        ) : (
          <>
            <LabTable ctx={ctx} rows={rows} providers={providers} caption={t('dossier.lab.caption')} link />
            {resources.length > LAB_TABLE_LIMIT ? (
              <p class="utrecht-paragraph" safe>
                {t('dossier.lab.more', { count: LAB_TABLE_LIMIT })}
              </p>
            ) : (
              ''
            )}
            <p class="utrecht-paragraph utrecht-paragraph--small" safe>
              {t('dossier.lab.explain')}
            </p>
          </>
        ),
        counts,
      );
    }
    case 'documents': {
      const resources = (await read(['documents'])).filter((r) => r.resourceType === 'DocumentReference');
      const attachments = await listAttachments(
        scope.tx,
        resources.map((r) => r.id),
      );
      const rows = resources.map((r) => documentRow(ctx, r, attachments));
      return page(
        rows.length === 0 ? <></> : <DocumentTable ctx={ctx} rows={rows} providers={providers} />,
        countPer(resources),
      );
    }
    case 'appointments': {
      // Leaflets are DocumentReferences of the same organisation (shown only where documents are shared).
      const resources = await read(['appointments', 'documents']);
      const documents = resources.filter((r) => r.resourceType === 'DocumentReference');
      const appointments = resources
        .filter((r) => r.resourceType === 'Appointment')
        .map((r) => appointmentView(ctx, r, documents));
      const now = Date.now();
      const upcoming = appointments
        .filter((a) => a.start !== null && (a.end ?? a.start).getTime() >= now && a.status !== 'entered-in-error')
        .sort((a, b) => (a.start?.getTime() ?? 0) - (b.start?.getTime() ?? 0));
      const past = appointments
        .filter((a) => !upcoming.includes(a) && a.status !== 'entered-in-error')
        .slice(0, PAST_APPOINTMENTS_LIMIT);
      return page(
        <>
          <section class="koepel-section" aria-labelledby="appointments-upcoming">
            <h2 id="appointments-upcoming" class="utrecht-heading-2" safe>
              {t('dossier.appointments.upcoming')}
            </h2>
            {upcoming.length === 0 ? (
              <p class="utrecht-paragraph" safe>
                {t('dossier.appointments.noUpcoming')}
              </p>
            ) : (
              <ul class="koepel-cards koepel-appointments">
                {upcoming.map((a) => (
                  <AppointmentCard ctx={ctx} a={a} providers={providers} />
                ))}
              </ul>
            )}
          </section>
          <section class="koepel-section" aria-labelledby="appointments-past">
            <h2 id="appointments-past" class="utrecht-heading-2" safe>
              {t('dossier.appointments.past')}
            </h2>
            {past.length === 0 ? (
              <p class="utrecht-paragraph" safe>
                {t('dossier.appointments.noPast')}
              </p>
            ) : (
              <PastAppointments ctx={ctx} rows={past} providers={providers} />
            )}
          </section>
        </>,
        countPer(appointments),
      );
    }
    case 'medication': {
      const resources = await read(['medication']);
      const overview = medicationOverview(resources);
      return page(
        resources.length === 0 ? <></> : <MedicationTables ctx={ctx} overview={overview} providers={providers} />,
        countPer(resources),
      );
    }
    case 'episodes': {
      const resources = await read(['episodes']);
      const rows = sortConditions(
        resources
          .filter((r) => r.resourceType === 'Condition')
          .map(conditionRow)
          .filter((r): r is ConditionRow => r !== null),
      );
      return page(
        rows.length === 0 ? (
          <></>
        ) : (
          <ConditionTable
            ctx={ctx}
            rows={rows}
            providers={providers}
            caption={t('dossier.episodes.caption')}
            nameHeader="dossier.episodes.episode"
          />
        ),
        countPer(resources),
      );
    }
    case 'sensitivities': {
      const resources = await read(['sensitivities']);
      const allergies = resources
        .filter((r) => r.resourceType === 'AllergyIntolerance')
        .map(allergyRow)
        .filter((r) => r !== null);
      const particulars = sortConditions(
        resources
          .filter((r) => r.resourceType === 'Condition')
          .map(conditionRow)
          .filter((r): r is ConditionRow => r !== null),
      );
      return page(
        resources.length === 0 ? (
          <></>
        ) : (
          <>
            <section class="koepel-section" aria-labelledby="sensitivities-allergies">
              <h2 id="sensitivities-allergies" class="utrecht-heading-2" safe>
                {t('dossier.sensitivities.allergies')}
              </h2>
              {allergies.length === 0 ? (
                <p class="utrecht-paragraph" safe>
                  {t('dossier.sensitivities.noAllergies')}
                </p>
              ) : (
                <AllergyTable ctx={ctx} rows={allergies} providers={providers} />
              )}
            </section>
            <section class="koepel-section" aria-labelledby="sensitivities-particulars">
              <h2 id="sensitivities-particulars" class="utrecht-heading-2" safe>
                {t('dossier.sensitivities.particulars')}
              </h2>
              {particulars.length === 0 ? (
                <p class="utrecht-paragraph" safe>
                  {t('dossier.sensitivities.noParticulars')}
                </p>
              ) : (
                <ConditionTable
                  ctx={ctx}
                  rows={particulars}
                  providers={providers}
                  caption={t('dossier.sensitivities.particularsCaption')}
                  nameHeader="dossier.sensitivities.particular"
                  captionHidden
                />
              )}
            </section>
          </>
        ),
        countPer(resources),
      );
    }
    case 'careteam': {
      const resources = (await read(['careteam'])).filter((r) => r.resourceType === 'CareTeam');
      const orgs = [...new Set(resources.map((r) => r.organisationId))];
      const directory: DirectoryEntry[] =
        orgs.length === 0
          ? []
          : (
              await scope.tx
                .selectFrom('directory_resource')
                .select(['organisation_id', 'resource_type', 'resource'])
                .where('organisation_id', 'in', orgs)
                .execute()
            ).map((d) => ({ organisationId: d.organisation_id, resourceType: d.resource_type, resource: d.resource }));
      const order = (id: string) => providers.findIndex((p) => p.id === id);
      const teams = resources
        .map((r) => careTeamView(ctx, r, directory))
        .sort((a, b) => order(a.organisationId) - order(b.organisationId));
      return page(
        <>
          {teams.map((team) => (
            <CareTeamCard ctx={ctx} team={team} providers={providers} />
          ))}
        </>,
        countPer(resources),
      );
    }
  }
}

async function labCounts(scope: DataScope, citizen: Citizen): Promise<Map<string, number>> {
  const all = await countsByProvider(scope.tx, citizen.citizenId, { categories: ['lab'] });
  return new Map([...all].map(([org, m]) => [org, m.get('lab') ?? 0]));
}

// ---------------------------------------------------------------------------------------------------------------
// One lab test over time
// ---------------------------------------------------------------------------------------------------------------
function sameTest(chosen: Observation, other: Observation): boolean {
  const keys = codingKeys(chosen.code);
  if (keys.length > 0) {
    const otherKeys = new Set(codingKeys(other.code));
    return keys.some((k) => otherKeys.has(k));
  }
  const text = conceptText(chosen.code);
  return text !== null && text === conceptText(other.code);
}

function LabDetailPage(props: {
  ctx: PageContext;
  providers: DossierProvider[];
  chosen: LabRow;
  rows: LabRow[];
  observation: Observation;
}): JSX.Element {
  const { ctx, chosen, rows, observation } = props;
  const { t } = ctx;
  const org = providerName(props.providers, chosen.organisationId);
  const numeric = rows.filter((r) => r.numeric !== null && r.at !== null);
  const unit = observation.valueQuantity?.unit ?? observation.valueQuantity?.code ?? '';
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
    label: t('dossier.lab.chart.point', {
      date: dateText(ctx, r.at),
      value: r.value,
      flag: r.flag ? t(`dossier.flag.${r.flag}` as MessageKey) : '–',
    }),
  }));
  const description =
    first && last
      ? t('dossier.lab.chart.desc', {
          count: numeric.length,
          first: dateText(ctx, first.at),
          last: dateText(ctx, last.at),
          min: `${formatNumber(ctx.lang, Math.min(...values))}${unit ? ` ${unit}` : ''}`,
          max: `${formatNumber(ctx.lang, Math.max(...values))}${unit ? ` ${unit}` : ''}`,
          latest: `${last.value}${last.flag ? ` (${t(`dossier.flag.${last.flag}` as MessageKey).toLowerCase()})` : ''}`,
          range: range ? t('dossier.lab.chart.descRange', { range }) : t('dossier.lab.chart.descNoRange'),
        })
      : '';
  const item = (key: MessageKey, value: JSX.Element) => (
    <div class="koepel-facts-item">
      <dt safe>{t(key)}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <Layout ctx={ctx} title={`${chosen.test} · ${t('dossier.section.lab.title')}`}>
      <Breadcrumb
        ctx={ctx}
        trail={[
          { href: '/home', label: t('layout.home') },
          { href: '/dossier', label: t('dossier.title') },
          { href: '/dossier/lab', label: t('dossier.section.lab.title') },
          { label: chosen.test },
        ]}
      />
      <h1 class="utrecht-heading-1" safe>
        {chosen.test}
      </h1>
      <Source ctx={ctx} name={org} />
      <p class="utrecht-paragraph koepel-intro" safe>
        {t('dossier.lab.detail.intro', { test: chosen.test, org })}
      </p>
      <section class="koepel-section" aria-labelledby="lab-chart-heading">
        <h2 id="lab-chart-heading" class="utrecht-heading-2" safe>
          {t('dossier.lab.chart.heading')}
        </h2>
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
            <figcaption class="koepel-chart-legend">
              <span class="koepel-visually-hidden" safe>
                {`${t('dossier.lab.chart.legend')}: `}
              </span>
              <ul class="koepel-inline-list">
                {low !== null || high !== null ? (
                  <li>
                    <span class="koepel-legend-swatch koepel-legend-swatch--band" aria-hidden="true"></span>
                    <span safe>{t('dossier.lab.chart.legend.band')}</span>
                  </li>
                ) : (
                  ''
                )}
                <li>
                  <span class="koepel-legend-swatch koepel-legend-swatch--normal" aria-hidden="true"></span>
                  <span safe>{t('dossier.lab.chart.legend.normal')}</span>
                </li>
                <li>
                  <span class="koepel-legend-swatch koepel-legend-swatch--abnormal" aria-hidden="true"></span>
                  <span safe>{t('dossier.lab.chart.legend.abnormal')}</span>
                </li>
              </ul>
            </figcaption>
          </figure>
        ) : (
          <p class="utrecht-paragraph" safe>
            {t('dossier.lab.chart.nonNumeric')}
          </p>
        )}
        <LabTable
          ctx={ctx}
          rows={rows}
          providers={props.providers}
          caption={t('dossier.lab.chart.tableCaption', { test: chosen.test, org })}
          link={false}
          showProvider={false}
        />
      </section>
      <section class="koepel-section" aria-labelledby="lab-chosen">
        <h2 id="lab-chosen" class="utrecht-heading-2" safe>
          {t('dossier.lab.detail.chosen')}
        </h2>
        <dl class="koepel-facts">
          {item('dossier.lab.date', <DateCell ctx={ctx} date={chosen.at} withTime />)}
          {item('dossier.lab.result', <span safe>{chosen.value}</span>)}
          {item('dossier.lab.range', <span safe>{chosen.range ?? '–'}</span>)}
          {item('dossier.lab.flag', <span>{chosen.flag ? t(`dossier.flag.${chosen.flag}` as MessageKey) : '–'}</span>)}
          {chosen.performer ? item('dossier.lab.detail.performer', <span safe>{chosen.performer}</span>) : ''}
          {chosen.codes.length > 0 ? item('dossier.lab.detail.code', <span safe>{chosen.codes.join(', ')}</span>) : ''}
          {chosen.note ? item('dossier.lab.detail.note', <span safe>{chosen.note}</span>) : ''}
          {item('dossier.column.provider', <span safe>{org}</span>)}
        </dl>
      </section>
      <p class="utrecht-paragraph utrecht-paragraph--small" safe>
        {t('dossier.lab.explain')}
      </p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/dossier/lab" safe>
          {t('dossier.back', { section: t('dossier.section.lab.title') })}
        </a>
      </p>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// One document
// ---------------------------------------------------------------------------------------------------------------
function DocumentPage(props: {
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
  const item = (key: MessageKey, value: JSX.Element) => (
    <div class="koepel-facts-item">
      <dt safe>{t(key)}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <Layout ctx={ctx} title={`${row.title} · ${t('dossier.section.documents.title')}`}>
      <Breadcrumb
        ctx={ctx}
        trail={[
          { href: '/home', label: t('layout.home') },
          { href: '/dossier', label: t('dossier.title') },
          { href: '/dossier/documents', label: t('dossier.section.documents.title') },
          { label: row.title },
        ]}
      />
      <h1 class="utrecht-heading-1" safe>
        {row.title}
      </h1>
      <Source ctx={ctx} name={org} />
      <section class="koepel-section" aria-labelledby="document-details">
        <h2 id="document-details" class="utrecht-heading-2" safe>
          {t('dossier.documents.details')}
        </h2>
        <dl class="koepel-facts">
          {row.type ? item('dossier.documents.type', <span safe>{row.type}</span>) : ''}
          {item('dossier.documents.date', <DateCell ctx={ctx} date={row.at} />)}
          {row.author ? item('dossier.documents.author', <span safe>{row.author}</span>) : ''}
          {item('dossier.column.provider', <span safe>{org}</span>)}
        </dl>
      </section>
      <>
        {[...props.texts].map(([position, text]) => (
          <section class="koepel-section" aria-labelledby={`document-text-${position}`}>
            <h2 id={`document-text-${position}`} class="utrecht-heading-2" safe>
              {d.content?.[position]?.attachment?.title ?? t('dossier.documents.textHeading')}
            </h2>
            <div class="koepel-document-text" lang={d.content?.[position]?.attachment?.language ?? undefined} safe>
              {text}
            </div>
          </section>
        ))}
      </>
      {row.files.length > 0 ? (
        <section class="koepel-section" aria-labelledby="document-files">
          <h2 id="document-files" class="utrecht-heading-2" safe>
            {t('dossier.documents.downloadHeading')}
          </h2>
          <ul class="koepel-plain-list koepel-downloads">
            {row.files.map((f) => (
              <li>
                <a
                  class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--secondary-action"
                  href={`/dossier/documents/${row.id}/${f.position}`}
                  safe
                >
                  {t('dossier.documents.download', { title: f.title ?? row.title, file: fileText(ctx, f) })}
                </a>
              </li>
            ))}
          </ul>
          <p class="utrecht-paragraph utrecht-paragraph--small" safe>
            {t('dossier.documents.downloadHint')}
          </p>
        </section>
      ) : (
        ''
      )}
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/dossier/documents" safe>
          {t('dossier.back', { section: t('dossier.section.documents.title') })}
        </a>
      </p>
    </Layout>
  );
}

// Content types a browser may receive as such; anything else is delivered as an opaque file.
const DOWNLOAD_TYPES: Record<string, string> = {
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** A file name safe in a header on every platform: ASCII letters, digits, dashes; the right extension. */
export function downloadName(title: string | null | undefined, contentType: string, fallback: string): string {
  const ext = DOWNLOAD_TYPES[contentType.split(';')[0]?.trim() ?? ''] ?? 'bin';
  const base = (title ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/[^A-Za-z0-9._ -]+/g, ' ')
    .replace(/[\s.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${base || fallback}.${ext}`;
}

const positionParam = z.coerce.number().int().min(0).max(999);

function sectionParam(req: FastifyRequest): Section {
  const s = (req.params as { section?: unknown }).section;
  if (!isSection(s)) throw new HttpError(404, 'notFound');
  return s;
}

export function registerDossier(app: FastifyInstance): void {
  app.get('/dossier', async (req, reply) => {
    const citizen = requireCitizen(req);
    const org = parseOrgFilter(req.query);
    const data = await req.withData(async (scope) => {
      const { providers, inScope } = await begin(scope, citizen, { resourceType: 'dossier', org });
      const counts = await countsByProvider(scope.tx, citizen.citizenId);
      return { providers, inScope, counts };
    });
    const ctx = pageContext(req);
    return sendPage(reply, <OverviewPage ctx={ctx} org={org} {...data} />);
  });

  app.get('/dossier/:section', async (req, reply) => {
    const citizen = requireCitizen(req);
    const section = sectionParam(req);
    const org = parseOrgFilter(req.query);
    const ctx = pageContext(req);
    const page = await req.withData((scope) => renderSection(ctx, scope, citizen, section, org));
    return sendPage(reply, page);
  });

  app.get('/dossier/lab/:id', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = parseResourceId((req.params as { id?: unknown }).id);
    const ctx = pageContext(req);
    const page = await req.withData(async (scope) => {
      const { providers } = await begin(scope, citizen, { resourceType: 'lab', resourceId: id });
      const keys = { tx: scope.tx, keys: scope.keys };
      const [chosen] = await readResources(keys, { citizenId: citizen.citizenId, ids: [id], categories: ['lab'] });
      if (!chosen || chosen.resourceType !== 'Observation') throw new HttpError(404, 'notFound');
      const observation = chosen.resource as unknown as Observation;
      const sameOrg = await readResources(keys, {
        citizenId: citizen.citizenId,
        categories: ['lab'],
        resourceTypes: ['Observation'],
        organisationIds: [chosen.organisationId],
      });
      const rows = sameOrg
        .filter((r) => r.id === chosen.id || sameTest(observation, r.resource as unknown as Observation))
        .map((r) => labRow(ctx, r));
      return (
        <LabDetailPage
          ctx={ctx}
          providers={providers}
          chosen={labRow(ctx, chosen)}
          rows={rows}
          observation={observation}
        />
      );
    });
    return sendPage(reply, page);
  });

  app.get('/dossier/documents/:id', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = parseResourceId((req.params as { id?: unknown }).id);
    const ctx = pageContext(req);
    const page = await req.withData(async (scope) => {
      const { providers } = await begin(scope, citizen, { resourceType: 'documents', resourceId: id });
      const [stored] = await readResources(
        { tx: scope.tx, keys: scope.keys },
        { citizenId: citizen.citizenId, ids: [id], categories: ['documents'] },
      );
      if (!stored || stored.resourceType !== 'DocumentReference') throw new HttpError(404, 'notFound');
      const attachments = await listAttachments(scope.tx, [id]);
      const texts = new Map<number, string>();
      for (const a of attachments) {
        if (fileKind(a.contentType) !== 'text' || a.byteSize > INLINE_TEXT_LIMIT) continue;
        const file = await readAttachment({ tx: scope.tx, keys: scope.keys }, id, a.position);
        if (file) texts.set(a.position, file.data.toString('utf8'));
      }
      return (
        <DocumentPage
          ctx={ctx}
          providers={providers}
          stored={stored}
          row={documentRow(ctx, stored, attachments)}
          texts={texts}
        />
      );
    });
    return sendPage(reply, page);
  });

  app.get('/dossier/documents/:id/:position', async (req, reply) => {
    const citizen = requireCitizen(req);
    const params = req.params as { id?: unknown; position?: unknown };
    const id = parseResourceId(params.id);
    const position = positionParam.safeParse(params.position);
    if (!position.success || !/^\d{1,3}$/.test(String(params.position))) throw new HttpError(404, 'notFound');
    const file = await req.withData(async (scope) => {
      await begin(scope, citizen, {
        event: DOWNLOAD_EVENT,
        resourceType: 'documents',
        resourceId: id,
        reason: `attachment:${position.data}`,
      });
      const [stored] = await readResources(
        { tx: scope.tx, keys: scope.keys },
        { citizenId: citizen.citizenId, ids: [id], categories: ['documents'] },
      );
      if (!stored || stored.resourceType !== 'DocumentReference') throw new HttpError(404, 'notFound');
      const data = await readAttachment({ tx: scope.tx, keys: scope.keys }, id, position.data);
      if (!data) throw new HttpError(404, 'notFound');
      const d = stored.resource as unknown as DocumentReference;
      const attachment = d.content?.[position.data]?.attachment;
      return { ...data, title: attachment?.title ?? d.description ?? null };
    });
    const baseType = file.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const type = DOWNLOAD_TYPES[baseType]
      ? baseType === 'text/plain'
        ? 'text/plain; charset=utf-8'
        : baseType
      : 'application/octet-stream';
    const name = downloadName(file.title, baseType, 'document');
    return reply
      .code(200)
      .header('Content-Type', type)
      .header('Content-Disposition', `attachment; filename="${name}"`)
      .header('Content-Length', String(file.data.length))
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(file.data);
  });
}

export { Html };
