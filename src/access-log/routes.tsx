// GET /access-log — "Wie heeft mijn gegevens bekeken": every audit record about the citizen, newest first, 50 per
// page, filterable by organisation, by who (everyone or only others) and by period (Wabvpz art. 15e). Each line
// says when, who (the staff member's name, "u zelf", an organisation's computer system, or Koepel itself), for
// which organisation, in which role, what happened in plain words, and the outcome. Viewing it is itself audited.
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import {
  Alert,
  DataTable,
  Link,
  List,
  Page,
  Pagination,
  Paragraph,
  Section,
  Select,
  Text,
} from '../platform/web/components/index.js';
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
import { outcomeColumn, staffRoleLabel, timeColumn } from '../platform/web/audit-log.js';
import { FilterSelect, LogFilter, PeriodFields, withQuery } from '../platform/web/log-filter.js';
import { sendCsv } from '../platform/web/csv.js';

export const ACCESS_LOG_EVENT = 'citizen.access-log.view';
export const ACCESS_LOG_EXPORT_EVENT = 'citizen.access-log.export';
const EXPORT_PATH = '/access-log/export.csv';
const AP_COMPLAINT_URL = 'https://autoriteitpersoonsgegevens.nl/een-tip-of-klacht-indienen-bij-de-ap';
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

/** Who acted: the citizen, an employee by name, an organisation's system, Koepel, or nobody logged in. */
function actorText(ctx: PageContext, e: AccessLogEntry, page: AccessLogPage, citizenId: string): string {
  const { t } = ctx;
  switch (e.actorType) {
    case 'citizen':
      return e.actorId === citizenId ? t('accessLog.who.self') : t('accessLog.who.citizen');
    case 'staff':
    case 'operator':
      return (e.actorId ? page.names.get(e.actorId) : undefined) ?? t(`accessLog.who.${e.actorType}`);
    case 'client': {
      const org = e.organisationId ? page.organisations.get(e.organisationId) : undefined;
      return org ? t('accessLog.who.client', { org }) : t('accessLog.who.clientUnknown');
    }
    default:
      return t(`accessLog.who.${e.actorType}`);
  }
}

/** Who acted, and for whom: through an app the citizen authorised, or on behalf of a colleague. */
function whoText(ctx: PageContext, e: AccessLogEntry, page: AccessLogPage, citizenId: string): string {
  const { t } = ctx;
  const who = actorText(ctx, e, page, citizenId);
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
  const staffRole = e.actorType === 'staff' ? staffRoleLabel(ctx, e.actorRole) : undefined;
  if (staffRole) return staffRole;
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
  q.set('who', filter.othersOnly ? 'others' : 'all');
  if (filter.from) q.set('from', filter.from);
  if (filter.to) q.set('to', filter.to);
  return q;
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

/** What the page shows: the filter as read, what the visitor typed in the date fields, and the log's page. */
interface ViewProps {
  ctx: PageContext;
  citizenId: string;
  filter: AccessLogFilter;
  raw: { from: string; to: string };
  problems: FilterProblem[];
  page: AccessLogPage;
}

function FilterForm({ ctx, filter, raw, problems, page }: ViewProps): JSX.Element {
  const { t } = ctx;
  return (
    <LogFilter
      ctx={ctx}
      method="get"
      action="/access-log"
      legend={t('accessLog.filter.title')}
      submit={t('accessLog.filter.submit')}
      reset={t('accessLog.filter.reset')}
    >
      <FilterSelect
        name="org"
        label={t('accessLog.filter.org')}
        all={t('accessLog.filter.allOrgs')}
        options={[...page.organisations].map(([value, label]) => ({ value, label }))}
        selected={filter.org ?? ''}
      />
      <Select
        id="filter-who"
        name="who"
        label={t('accessLog.filter.who')}
        options={[
          { value: 'others', label: t('accessLog.filter.whoOthers') },
          { value: 'all', label: t('accessLog.filter.whoAll') },
        ]}
        selected={filter.othersOnly ? 'others' : 'all'}
      />
      <PeriodFields
        labels={{ from: t('accessLog.filter.from'), to: t('accessLog.filter.to') }}
        values={raw}
        errors={{
          from: problems.includes('from')
            ? t('accessLog.filter.error.from')
            : problems.includes('order')
              ? t('accessLog.filter.error.order')
              : undefined,
          to: problems.includes('to') ? t('accessLog.filter.error.to') : undefined,
        }}
      />
    </LogFilter>
  );
}

/** What is wrong with the filter, each message linking to its field. */
function FilterProblems(props: { ctx: PageContext; problems: FilterProblem[] }): JSX.Element {
  const { t } = props.ctx;
  if (props.problems.length === 0) return '';
  return (
    <Alert kind="error" focus class="koepel-error-summary" id="filter-errors" title={t('accessLog.filter.errorTitle')}>
      <List>
        {props.problems.map((p) => (
          <li>
            <Link href={`#filter-${p === 'order' ? 'from' : p}`} text={t(`accessLog.filter.error.${p}`)} />
          </li>
        ))}
      </List>
    </Alert>
  );
}

function AccessLogTable(props: {
  ctx: PageContext;
  citizenId: string;
  filter: AccessLogFilter;
  page: AccessLogPage;
}): JSX.Element {
  const { ctx, page, citizenId } = props;
  const { t } = ctx;
  const [when, who, organisation, role, what, outcome] = COLUMNS.map((k) => t(k)) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return (
    <DataTable
      ctx={ctx}
      class="koepel-access-log"
      caption={t('accessLog.caption', { page: props.filter.page, pages: page.pages, total: page.total })}
      rows={page.entries}
      rowClass={(e) => (e.actorType === 'citizen' && e.actorId === citizenId ? 'koepel-row--self' : undefined)}
      columns={[
        timeColumn(ctx, when),
        { header: who, rowHeader: true, text: (e) => whoText(ctx, e, page, citizenId) },
        { header: organisation, text: (e) => organisationText(ctx, e, page) },
        { header: role, text: (e) => roleText(ctx, e) },
        { header: what, text: (e) => whatText(ctx, e, page) },
        outcomeColumn(outcome, (o) => t(`accessLog.outcome.${o}`)),
      ]}
    />
  );
}

/** Where to complain: the data protection officer, and the Autoriteit Persoonsgegevens. */
function Complaint(props: { ctx: PageContext }): JSX.Element {
  const { t, portal } = props.ctx;
  return (
    <Section anchor="complaint" id="complaint-title" class="koepel-notice" title={t('accessLog.complaint.title')}>
      <Text text={t('accessLog.complaint.text')} />
      <Paragraph>
        <span safe>{t('accessLog.complaint.dpo')}</span>
        <br />
        <span safe>{portal.dpoName}</span>
        <br />
        <Link href={`mailto:${portal.dpoEmail}`} text={portal.dpoEmail} />
      </Paragraph>
      <Paragraph>
        <span safe>{t('accessLog.complaint.ap')}</span>{' '}
        <Link href={AP_COMPLAINT_URL} rel="noopener noreferrer" text={t('accessLog.complaint.apLink')} />
      </Paragraph>
    </Section>
  );
}

/** Whose actions the list shows, and the one click to the other choice (the other filters kept). */
function WhoShown(props: { ctx: PageContext; filter: AccessLogFilter }): JSX.Element {
  const { ctx, filter } = props;
  const { t } = ctx;
  const other = { ...filter, page: 1, othersOnly: !filter.othersOnly };
  return (
    <Paragraph>
      <span safe>{t(filter.othersOnly ? 'accessLog.shown.others' : 'accessLog.shown.all')}</span>{' '}
      <Link
        href={withQuery('/access-log', filterParams(other))}
        text={t(filter.othersOnly ? 'accessLog.shown.toAll' : 'accessLog.shown.toOthers')}
      />
    </Paragraph>
  );
}

function AccessLogView(props: ViewProps): JSX.Element {
  const { ctx, page, filter } = props;
  const { t } = ctx;
  return (
    <Page
      ctx={ctx}
      title={t('accessLog.title')}
      documentTitle={
        filter.page > 1
          ? t('accessLog.titlePage', { title: t('accessLog.title'), page: filter.page, pages: page.pages })
          : undefined
      }
      breadcrumb={[{ href: '/home', label: t('layout.home') }, { label: t('accessLog.title') }]}
      intro={t('accessLog.intro')}
    >
      <Text style="intro" text={t('accessLog.whatYouSee')} />
      <Paragraph>
        <Link href="#complaint" text={t('accessLog.complaint.title')} />
      </Paragraph>
      <FilterProblems ctx={ctx} problems={props.problems} />
      <WhoShown ctx={ctx} filter={filter} />
      <FilterForm {...props} />
      {page.entries.length === 0 ? (
        <Text style="notice" text={t('accessLog.none')} />
      ) : (
        <>
          <Paragraph>
            <Link
              href={withQuery(EXPORT_PATH, filterParams(filter))}
              download=""
              text={
                page.total > EXPORT_MAX
                  ? t('accessLog.exportPartial', { count: EXPORT_MAX, total: page.total })
                  : t('accessLog.export', { count: page.total })
              }
            />
          </Paragraph>
          <AccessLogTable ctx={ctx} citizenId={props.citizenId} filter={filter} page={page} />
        </>
      )}
      <Pagination
        ctx={ctx}
        page={filter.page}
        pages={page.pages}
        href={(p) => hrefFor(filter, p)}
        label={t('accessLog.pagination')}
      />
      <Complaint ctx={ctx} />
    </Page>
  );
}

/**
 * The same lines as the page, all of them, as the rows of a spreadsheet file (platform/web/csv.ts: what Dutch Excel
 * opens as columns; a name starting with "=" is escaped, never run as a formula).
 */
function accessLogCsv(ctx: PageContext, page: AccessLogPage, citizenId: string): string[][] {
  const { t } = ctx;
  return [
    COLUMNS.map((k) => t(k)),
    ...page.entries.map((e) => [
      formatDate(ctx.lang, e.at, 'shortDateTime'),
      whoText(ctx, e, page, citizenId),
      organisationText(ctx, e, page),
      roleText(ctx, e),
      whatText(ctx, e, page),
      t(`accessLog.outcome.${e.outcome}`),
    ]),
  ];
}

/** The log (a page, or with `all` the export), after the audit record of this very view. */
function readAudited(
  req: FastifyRequest,
  citizenId: string,
  filter: AccessLogFilter,
  all: boolean,
): Promise<AccessLogPage> {
  return req.withData(async (scope) => {
    await scope.audit({
      event: all ? ACCESS_LOG_EXPORT_EVENT : ACCESS_LOG_EVENT,
      action: 'R',
      citizenId,
      resourceType: 'audit_log',
      // An export records which filter was handed out (ids, fixed words and dates only: parseFilter).
      reason: all
        ? ['export', ...[...filterParams(filter)].map(([k, v]) => `${k}=${v}`)].join(';')
        : `page:${filter.page}`,
    });
    return readAccessLog(scope, citizenId, filter, { all });
  });
}

export function registerAccessLog(app: FastifyInstance): void {
  // No automatic HEAD route: it would run this handler, audit record included, for nothing.
  app.get(EXPORT_PATH, { exposeHeadRoute: false }, async (req, reply) => {
    const citizen = requireCitizen(req);
    const { filter, problems } = parseFilter(req.query);
    if (problems.length > 0) throw new HttpError(400, 'badRequest');
    const page = await readAudited(req, citizen.citizenId, filter, true);
    const ctx = pageContext(req);
    return sendCsv(reply, 'wie-heeft-mijn-gegevens-bekeken.csv', accessLogCsv(ctx, page, citizen.citizenId));
  });

  app.get('/access-log', async (req, reply) => {
    const citizen = requireCitizen(req);
    const parsed = parseFilter(req.query);
    const query = req.query as Record<string, unknown>;
    const raw = {
      from: typeof query.from === 'string' ? query.from.slice(0, 20) : '',
      to: typeof query.to === 'string' ? query.to.slice(0, 20) : '',
    };
    const page = await readAudited(req, citizen.citizenId, parsed.filter, false);
    const view = (
      <AccessLogView ctx={pageContext(req)} citizenId={citizen.citizenId} raw={raw} page={page} {...parsed} />
    );
    return sendPage(reply, view, parsed.problems.length > 0 ? 400 : 200);
  });
}

export { Html };
