// GET /access-log — "Wie heeft mijn gegevens bekeken": every audit record about the citizen, newest first, 50 per
// page, filterable by organisation, by who (everyone or only others) and by period (Wabvpz art. 15e). Each line
// says when, who (the staff member's name, "u zelf", an organisation's computer system, or Koepel itself), for
// which organisation, in which role, what happened in plain words, and the outcome. Viewing it is itself audited.
import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import { Layout } from '../platform/web/layout.js';
import { Breadcrumb } from '../platform/web/components/index.js';
import { stringify } from 'csv-stringify/sync';
import { HttpError } from '../platform/http/errors.js';
import {
  EXPORT_MAX,
  parseFilter,
  readAccessLog,
  type AccessLogEntry,
  type AccessLogFilter,
  type AccessLogPage,
  type FilterProblem,
} from './access-log.js';
import { requireCitizen } from '../platform/auth/permissions.js';

export const ACCESS_LOG_EVENT = 'citizen.access-log.view';
export const ACCESS_LOG_EXPORT_EVENT = 'citizen.access-log.export';
const EXPORT_PATH = '/access-log/export.csv';
const AP_COMPLAINT_URL = 'https://autoriteitpersoonsgegevens.nl/een-tip-of-klacht-indienen-bij-de-ap';

const STAFF_ROLES = ['doctor', 'assistant', 'pharmacist', 'therapist', 'social_worker', 'admin', 'privacy_officer'];
const DIGID_LEVELS: Record<string, string> = {
  basis: 'Basis',
  midden: 'Midden',
  substantieel: 'Substantieel',
  hoog: 'Hoog',
};

export function whatText(ctx: PageContext, e: AccessLogEntry, page?: AccessLogPage): string {
  const { t } = ctx;
  const app =
    (e.resourceType === 'citizen_app' && e.resourceId ? page?.apps.get(e.resourceId) : undefined) ??
    t('accessLog.who.unknownApp');
  const typeKey = `accessLog.type.${e.resourceType ?? 'default'}`;
  const what = t(t.has(typeKey) ? typeKey : 'accessLog.type.default');
  if (e.event === 'citizen.login' && e.outcome === 'success') {
    const level = /^digid-level:(\w+)/.exec(e.reason ?? '')?.[1];
    const label = level ? DIGID_LEVELS[level] : undefined;
    return label ? `${t('accessLog.event.citizen.login')} (${label})` : t('accessLog.event.citizen.login');
  }
  const denied = `accessLog.event.${e.event}.denied`;
  if (e.outcome !== 'success' && t.has(denied)) return t(denied, { app });
  const key = `accessLog.event.${e.event}`;
  if (t.has(key)) return t(key, { what, app });
  return t(`accessLog.event.fallback.${e.action}` as MessageKey, { what });
}

function whoText(ctx: PageContext, e: AccessLogEntry, page: AccessLogPage, citizenId: string): string {
  const { t } = ctx;
  const org = e.organisationId ? page.organisations.get(e.organisationId) : undefined;
  let who: string;
  switch (e.actorType) {
    case 'citizen':
      who = e.actorId === citizenId ? t('accessLog.who.self') : t('accessLog.who.citizen');
      break;
    case 'staff':
      who = (e.actorId ? page.names.get(e.actorId) : undefined) ?? t('accessLog.who.staff');
      break;
    case 'operator':
      who = (e.actorId ? page.names.get(e.actorId) : undefined) ?? t('accessLog.who.operator');
      break;
    case 'client':
      who = org ? t('accessLog.who.client', { org }) : t('accessLog.who.clientUnknown');
      break;
    case 'system':
      who = t('accessLog.who.system');
      break;
    case 'anonymous':
      who = t('accessLog.who.anonymous');
      break;
  }
  if (e.onBehalfOf?.startsWith('app:')) {
    const app = page.apps.get(e.onBehalfOf.slice(4)) ?? t('accessLog.who.unknownApp');
    return t('accessLog.who.viaApp', { who, app });
  }
  return e.onBehalfOf ? `${who} (${t('accessLog.who.onBehalf')})` : who;
}

function organisationText(ctx: PageContext, e: AccessLogEntry, page: AccessLogPage): string {
  if (e.organisationId) return page.organisations.get(e.organisationId) ?? '–';
  if (e.actorType === 'system' || e.actorType === 'operator') return ctx.t('accessLog.koepel');
  return '–';
}

function roleText(ctx: PageContext, e: AccessLogEntry): string {
  const { t } = ctx;
  if (e.actorType === 'staff' && e.actorRole && STAFF_ROLES.includes(e.actorRole))
    return t(`staff.role.${e.actorRole}` as MessageKey);
  if (e.actorType === 'citizen') return t('accessLog.role.citizen');
  if (e.actorType === 'client') return t('accessLog.role.api-client');
  if (e.actorType === 'operator') return t('accessLog.role.operator');
  if (e.actorType === 'system') return t('accessLog.role.system');
  return '–';
}

/** The filter as query parameters: for page links, the export link and the export's audit record. */
function filterParams(filter: AccessLogFilter): URLSearchParams {
  const q = new URLSearchParams();
  if (filter.org) q.set('org', filter.org);
  if (filter.othersOnly) q.set('who', 'others');
  if (filter.from) q.set('from', filter.from);
  if (filter.to) q.set('to', filter.to);
  return q;
}

function withQuery(path: string, q: URLSearchParams): string {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

function hrefFor(filter: AccessLogFilter, page: number): string {
  const q = filterParams(filter);
  if (page > 1) q.set('page', String(page));
  return withQuery('/access-log', q);
}

/** The columns of the table and of the CSV file, in order. */
const COLUMNS = [
  'accessLog.col.when',
  'accessLog.col.who',
  'accessLog.col.organisation',
  'accessLog.col.role',
  'accessLog.col.what',
  'accessLog.col.outcome',
] as const;

function Pagination(props: { ctx: PageContext; filter: AccessLogFilter; pages: number }): JSX.Element {
  const { ctx, filter, pages } = props;
  const { t } = ctx;
  const current = filter.page;
  if (pages <= 1 && current <= 1) return <></>;
  // First, last and two either side of the current page.
  const shown = [...new Set([1, current - 2, current - 1, current, current + 1, current + 2, pages])]
    .filter((p) => p >= 1 && p <= Math.max(pages, current))
    .sort((a, b) => a - b);
  return (
    <nav class="utrecht-pagination koepel-pagination" aria-label={t('accessLog.pagination')}>
      <ul class="koepel-inline-list">
        {current > 1 ? (
          <li>
            <a
              class="utrecht-pagination__relative-link utrecht-pagination__relative-link--prev utrecht-link"
              href={hrefFor(filter, current - 1)}
              rel="prev"
              safe
            >
              {t('accessLog.previous')}
            </a>
          </li>
        ) : (
          ''
        )}
        {shown.map((p, i) => (
          <>
            {i > 0 && p - (shown[i - 1] ?? p) > 1 ? (
              <li aria-hidden="true" class="koepel-pagination-gap">
                …
              </li>
            ) : (
              ''
            )}
            <li>
              {p === current ? (
                <span
                  class="utrecht-pagination__page-link utrecht-pagination__page-link--current"
                  aria-current="page"
                  aria-label={t('accessLog.pageN', { page: p })}
                  safe
                >
                  {String(p)}
                </span>
              ) : (
                <a
                  class="utrecht-pagination__page-link utrecht-link"
                  href={hrefFor(filter, p)}
                  aria-label={t('accessLog.pageN', { page: p })}
                  safe
                >
                  {String(p)}
                </a>
              )}
            </li>
          </>
        ))}
        {current < pages ? (
          <li>
            <a
              class="utrecht-pagination__relative-link utrecht-pagination__relative-link--next utrecht-link"
              href={hrefFor(filter, current + 1)}
              rel="next"
              safe
            >
              {t('accessLog.next')}
            </a>
          </li>
        ) : (
          ''
        )}
      </ul>
    </nav>
  );
}

function FilterForm(props: {
  ctx: PageContext;
  filter: AccessLogFilter;
  raw: { from: string; to: string };
  problems: FilterProblem[];
  organisations: Map<string, string>;
}): JSX.Element {
  const { ctx, filter, problems } = props;
  const { t } = ctx;
  const dateField = (name: 'from' | 'to') => {
    const invalid = problems.includes(name) || (name === 'from' && problems.includes('order'));
    const errorId = `filter-${name}-error`;
    return (
      <div class={`utrecht-form-field utrecht-form-field--text${invalid ? ' utrecht-form-field--invalid' : ''}`}>
        <label class="utrecht-form-label" for={`filter-${name}`} safe>
          {t(name === 'from' ? 'accessLog.filter.from' : 'accessLog.filter.to')}
        </label>
        {invalid ? (
          <p class="utrecht-form-field-error-message" id={errorId} safe>
            {t(problems.includes(name) ? `accessLog.filter.error.${name}` : 'accessLog.filter.error.order')}
          </p>
        ) : (
          ''
        )}
        <input
          id={`filter-${name}`}
          name={name}
          type="date"
          class={`utrecht-textbox utrecht-textbox--html-input${invalid ? ' utrecht-textbox--invalid' : ''}`}
          value={props.raw[name]}
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={invalid ? errorId : undefined}
        />
      </div>
    );
  };
  return (
    <form method="get" action="/access-log" class="koepel-filter koepel-access-filter">
      <fieldset class="utrecht-form-fieldset utrecht-form-fieldset--html-fieldset">
        <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend" safe>
          {t('accessLog.filter.title')}
        </legend>
        <div class="koepel-filter-fields">
          <div class="utrecht-form-field utrecht-form-field--select">
            <label class="utrecht-form-label" for="filter-org" safe>
              {t('accessLog.filter.org')}
            </label>
            <select id="filter-org" name="org" class="utrecht-select utrecht-select--html-select">
              <option value="" selected={!filter.org} safe>
                {t('accessLog.filter.allOrgs')}
              </option>
              {[...props.organisations].map(([id, name]) => (
                <option value={id} selected={id === filter.org} safe>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <div class="utrecht-form-field utrecht-form-field--select">
            <label class="utrecht-form-label" for="filter-who" safe>
              {t('accessLog.filter.who')}
            </label>
            <select id="filter-who" name="who" class="utrecht-select utrecht-select--html-select">
              <option value="all" selected={!filter.othersOnly} safe>
                {t('accessLog.filter.whoAll')}
              </option>
              <option value="others" selected={filter.othersOnly} safe>
                {t('accessLog.filter.whoOthers')}
              </option>
            </select>
          </div>
          {dateField('from')}
          {dateField('to')}
        </div>
        <div class="koepel-filter-actions">
          <button type="submit" class="utrecht-button utrecht-button--secondary-action" safe>
            {t('accessLog.filter.submit')}
          </button>
          <a class="utrecht-link" href="/access-log" safe>
            {t('accessLog.filter.reset')}
          </a>
        </div>
      </fieldset>
    </form>
  );
}

function AccessLogView(props: {
  ctx: PageContext;
  citizenId: string;
  filter: AccessLogFilter;
  raw: { from: string; to: string };
  problems: FilterProblem[];
  page: AccessLogPage;
}): JSX.Element {
  const { ctx, page, filter } = props;
  const { t, portal } = ctx;
  return (
    <Layout ctx={ctx} title={t('accessLog.title')}>
      <Breadcrumb ctx={ctx} trail={[{ href: '/home', label: t('layout.home') }, { label: t('accessLog.title') }]} />
      <h1 class="utrecht-heading-1" safe>
        {t('accessLog.title')}
      </h1>
      <p class="utrecht-paragraph koepel-intro" safe>
        {t('accessLog.intro')}
      </p>
      <p class="utrecht-paragraph koepel-intro" safe>
        {t('accessLog.whatYouSee')}
      </p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="#complaint" safe>
          {t('accessLog.complaint.title')}
        </a>
      </p>
      {props.problems.length > 0 ? (
        <div
          class="utrecht-alert utrecht-alert--error koepel-error-summary"
          role="alert"
          aria-labelledby="filter-errors"
        >
          <div class="utrecht-alert__content">
            <div class="utrecht-alert__message">
              <h2 id="filter-errors" class="utrecht-heading-2" safe>
                {t('accessLog.filter.errorTitle')}
              </h2>
              <ul class="utrecht-unordered-list">
                {props.problems.map((p) => (
                  <li>
                    <a class="utrecht-link" href={`#filter-${p === 'order' ? 'from' : p}`} safe>
                      {t(`accessLog.filter.error.${p}`)}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        </div>
      ) : (
        ''
      )}
      <FilterForm
        ctx={ctx}
        filter={filter}
        raw={props.raw}
        problems={props.problems}
        organisations={page.organisations}
      />
      {page.entries.length > 0 ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={withQuery(EXPORT_PATH, filterParams(filter))} download="" safe>
            {page.total > EXPORT_MAX
              ? t('accessLog.exportPartial', { count: EXPORT_MAX, total: page.total })
              : t('accessLog.export', { count: page.total })}
          </a>
        </p>
      ) : (
        ''
      )}
      {page.entries.length === 0 ? (
        <p class="utrecht-paragraph koepel-notice" safe>
          {t('accessLog.none')}
        </p>
      ) : (
        <div
          class="utrecht-table-container koepel-table-wrapper"
          role="region"
          tabindex="0"
          aria-label={t('dossier.tableLabel', { caption: t('accessLog.title') })}
        >
          <table class="utrecht-table utrecht-table--html-table koepel-data-table koepel-access-log">
            <caption class="utrecht-table__caption" safe>
              {t('accessLog.caption', { page: filter.page, pages: page.pages, total: page.total })}
            </caption>
            <thead class="utrecht-table__header">
              <tr class="utrecht-table__row">
                {COLUMNS.map((k) => (
                  <th class="utrecht-table__header-cell" scope="col" safe>
                    {t(k)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody class="utrecht-table__body">
              {page.entries.map((e) => (
                <tr
                  class={`utrecht-table__row${e.actorType === 'citizen' && e.actorId === props.citizenId ? ' koepel-row--self' : ''}`}
                >
                  <td class="utrecht-table__cell koepel-nowrap">
                    <time datetime={e.at.toISOString()} safe>
                      {formatDate(ctx.lang, e.at, 'shortDateTime')}
                    </time>
                  </td>
                  <th class="utrecht-table__cell koepel-row-header" scope="row" safe>
                    {whoText(ctx, e, page, props.citizenId)}
                  </th>
                  <td class="utrecht-table__cell" safe>
                    {organisationText(ctx, e, page)}
                  </td>
                  <td class="utrecht-table__cell" safe>
                    {roleText(ctx, e)}
                  </td>
                  <td class="utrecht-table__cell" safe>
                    {whatText(ctx, e, page)}
                  </td>
                  <td class={`utrecht-table__cell${e.outcome === 'success' ? '' : ' koepel-outcome--refused'}`} safe>
                    {t(`accessLog.outcome.${e.outcome}`)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination ctx={ctx} filter={filter} pages={page.pages} />
      <section id="complaint" class="koepel-section koepel-notice" aria-labelledby="complaint-title" tabindex="-1">
        <h2 id="complaint-title" class="utrecht-heading-2" safe>
          {t('accessLog.complaint.title')}
        </h2>
        <p class="utrecht-paragraph" safe>
          {t('accessLog.complaint.text')}
        </p>
        <p class="utrecht-paragraph">
          <span safe>{t('accessLog.complaint.dpo')}</span>
          <br />
          <span safe>{portal.dpoName}</span>
          <br />
          <a class="utrecht-link" href={`mailto:${portal.dpoEmail}`} safe>
            {portal.dpoEmail}
          </a>
        </p>
        <p class="utrecht-paragraph">
          <span safe>{t('accessLog.complaint.ap')}</span>{' '}
          <a class="utrecht-link" href={AP_COMPLAINT_URL} rel="noopener noreferrer" safe>
            {t('accessLog.complaint.apLink')}
          </a>
        </p>
      </section>
    </Layout>
  );
}

/**
 * The same lines as the page, all of them, as a spreadsheet file (semicolon-separated, UTF-8 with BOM: what Dutch
 * Excel opens as columns). Cells that a spreadsheet would run as a formula (a name starting with "=") are escaped.
 */
function accessLogCsv(ctx: PageContext, page: AccessLogPage, citizenId: string): string {
  const { t } = ctx;
  return stringify(
    [
      COLUMNS.map((k) => t(k)),
      ...page.entries.map((e) => [
        formatDate(ctx.lang, e.at, 'shortDateTime'),
        whoText(ctx, e, page, citizenId),
        organisationText(ctx, e, page),
        roleText(ctx, e),
        whatText(ctx, e, page),
        t(`accessLog.outcome.${e.outcome}`),
      ]),
    ],
    { delimiter: ';', bom: true, escape_formulas: true, record_delimiter: 'windows' },
  );
}

export function registerAccessLog(app: FastifyInstance): void {
  // No automatic HEAD route: it would run this handler, audit record included, for nothing.
  app.get(EXPORT_PATH, { exposeHeadRoute: false }, async (req, reply) => {
    const citizen = requireCitizen(req);
    const { filter, problems } = parseFilter(req.query);
    if (problems.length > 0) throw new HttpError(400, 'badRequest');
    const page = await req.withData(async (scope) => {
      await scope.audit({
        event: ACCESS_LOG_EXPORT_EVENT,
        action: 'R',
        citizenId: citizen.citizenId,
        resourceType: 'audit_log',
        // Which filter was handed out (ids, fixed words and dates only: parseFilter).
        reason: ['export', ...[...filterParams(filter)].map(([k, v]) => `${k}=${v}`)].join(';'),
      });
      return readAccessLog(scope, citizen.citizenId, filter, { all: true });
    });
    const ctx = pageContext(req);
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="wie-heeft-mijn-gegevens-bekeken.csv"')
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(accessLogCsv(ctx, page, citizen.citizenId));
  });

  app.get('/access-log', async (req, reply) => {
    const citizen = requireCitizen(req);
    const { filter, problems } = parseFilter(req.query);
    const query = req.query as Record<string, unknown>;
    const raw = {
      from: typeof query.from === 'string' ? query.from.slice(0, 20) : '',
      to: typeof query.to === 'string' ? query.to.slice(0, 20) : '',
    };
    const page = await req.withData(async (scope) => {
      await scope.audit({
        event: ACCESS_LOG_EVENT,
        action: 'R',
        citizenId: citizen.citizenId,
        resourceType: 'audit_log',
        reason: `page:${filter.page}`,
      });
      return readAccessLog(scope, citizen.citizenId, filter);
    });
    const ctx = pageContext(req);
    return sendPage(
      reply,
      <AccessLogView
        ctx={ctx}
        citizenId={citizen.citizenId}
        filter={filter}
        raw={raw}
        problems={problems}
        page={page}
      />,
      problems.length > 0 ? 400 : 200,
    );
  });
}

export { Html };
