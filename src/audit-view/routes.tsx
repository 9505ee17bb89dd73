// GET /staff/audit — the privacy officer's (audit:read) view of their organisation's NEN 7513 audit log: search by
// citizen, employee, period and event, 50 per page newest first, a CSV export of the filter, and whether the chains
// verify. The citizen is searched by BSN or patient number through a POST (the BSN is looked up by its blind index
// and never reaches a URL); the result is a redirect to a GET whose query holds only ids, dates and an event code.
// Every view and every export is itself audited, with one record per citizen shown (the audit of the audit).
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Button,
  DataTable,
  ErrorSummary,
  Form,
  HiddenField,
  Link,
  Page,
  Pagination,
  Paragraph,
  Section,
  SummaryList,
  Text,
  TextField,
  type FieldError,
} from '../platform/web/components/index.js';
import {
  EXPORT_MAX,
  KNOWN_EVENTS,
  VERIFY_EVENT,
  employees,
  filterParams,
  findCitizen,
  parseFilter,
  readAuditPage,
  type AuditEntry,
  type AuditFilter,
  type AuditPage,
  type FilterProblem,
} from './audit-view.js';
import { ChainMonitor, type ChainStatus } from './chain-status.js';
import { outcomeColumn, staffRoleLabel, timeColumn } from '../platform/web/audit-log.js';
import { FilterSelect, LogFilter, PeriodFields, withQuery } from '../platform/web/log-filter.js';
import { sendCsv } from '../platform/web/csv.js';

const PATH = '/staff/audit';
const EXPORT_PATH = '/staff/audit/export.csv';
const VERIFY_PATH = '/staff/audit/verify';

type Problem = FilterProblem | 'citizenFormat' | 'citizenNone';
const FIELD_OF: Record<Problem, string> = {
  page: 'filter-citizen',
  citizen: 'filter-citizen',
  citizenFormat: 'filter-citizen',
  citizenNone: 'filter-citizen',
  staff: 'filter-staff',
  from: 'filter-from',
  to: 'filter-to',
  order: 'filter-from',
  event: 'filter-event',
};

function withoutCitizen(filter: AuditFilter): AuditFilter {
  const rest = { ...filter };
  delete rest.citizen;
  return rest;
}

function eventLabel(ctx: PageContext, code: string): string {
  const key = `auditView.event.${code}`;
  return ctx.t.has(key) ? ctx.t(key) : code;
}

function roleLabel(ctx: PageContext, role: string | null): string {
  return staffRoleLabel(ctx, role) ?? role ?? '–';
}

/** Who acted: an employee by name and role (a former one by role only), or the kind of actor; and for whom. */
function whoText(ctx: PageContext, e: AuditEntry, page: AuditPage): string {
  const { t } = ctx;
  let who: string;
  if (e.actorType === 'staff') {
    const name = e.actorId ? page.staffNames.get(e.actorId) : undefined;
    const role = roleLabel(ctx, e.actorRole);
    who = name ? t('auditView.who.staff', { name, role }) : t('auditView.who.formerStaff', { role });
  } else {
    who = t(`auditView.who.${e.actorType}`);
  }
  return e.onBehalfOf ? t('auditView.who.onBehalf', { who, other: e.onBehalfOf }) : who;
}

function citizenText(ctx: PageContext, citizenId: string | null, page: AuditPage): string | null {
  if (!citizenId) return null;
  const c = page.citizens.get(citizenId);
  if (!c) return ctx.t('auditView.citizen.former');
  return c.patientNumber ? ctx.t('auditView.citizen.patient', { name: c.name, number: c.patientNumber }) : c.name;
}

function ChainStatusSection(props: { ctx: PageContext; status: ChainStatus; canCheck: boolean }): JSX.Element {
  const { ctx, status } = props;
  const { t } = ctx;
  const last = status.last;
  const verdict = !last
    ? t('auditView.chain.never')
    : last.ok
      ? last.againstCheckpoints > 0
        ? t('auditView.chain.okCheckpoints', { chains: last.chains, checkpoints: last.againstCheckpoints })
        : t('auditView.chain.ok', { chains: last.chains })
      : last.checkpointLine !== null
        ? t('auditView.chain.brokenFile', { line: last.checkpointLine })
        : t('auditView.chain.broken', { chain: last.chainId ?? '–', seq: last.seq ?? '–' });
  const cp = status.checkpoint;
  return (
    <Section id="chain-title" title={t('auditView.chain.title')} class="koepel-notice">
      <SummaryList
        items={[
          {
            label: t('auditView.chain.status'),
            html: (
              <strong class={last && !last.ok ? 'koepel-outcome--refused' : undefined} id="chain-verdict" safe>
                {verdict}
              </strong>
            ),
          },
          {
            label: t('auditView.chain.checkedAt'),
            html: last ? (
              <time datetime={last.checkedAt.toISOString()} safe>
                {formatDate(ctx.lang, last.checkedAt, 'shortDateTime')}
              </time>
            ) : (
              <span safe>{t('auditView.chain.never')}</span>
            ),
          },
          {
            label: t('auditView.chain.checkpoint'),
            text: cp
              ? t('auditView.chain.checkpointAt', {
                  at: cp.at ? formatDate(ctx.lang, new Date(cp.at), 'shortDateTime') : '–',
                  keyId: cp.keyId,
                })
              : t('auditView.chain.checkpointNone'),
          },
          ...(cp
            ? [
                {
                  label: t('auditView.chain.signature'),
                  text:
                    cp.signatureValid === null
                      ? t('auditView.chain.signatureUnknown')
                      : cp.signatureValid
                        ? t('auditView.chain.signatureValid')
                        : t('auditView.chain.signatureInvalid'),
                },
              ]
            : []),
        ]}
      />
      {status.running ? <Text style="notice" text={t('auditView.chain.running')} /> : ''}
      <Text text={t('auditView.chain.how')} />
      {props.canCheck ? (
        <Form ctx={ctx} method="post" action={VERIFY_PATH}>
          <Button style="secondary" text={t('auditView.chain.checkNow')} />
        </Form>
      ) : (
        ''
      )}
    </Section>
  );
}

interface FormValues {
  staff: string;
  from: string;
  to: string;
  event: string;
}

function FilterForm(props: {
  ctx: PageContext;
  filter: AuditFilter;
  values: FormValues;
  errors: FieldError[];
  staff: { id: string; name: string }[];
  chosenCitizen: string | null;
}): JSX.Element {
  const { ctx, filter, values } = props;
  const { t } = ctx;
  const error = (id: string) => props.errors.find((e) => e.field === id)?.message;
  const chosen = filter.citizen ? (
    <>
      <HiddenField name="citizenId" value={filter.citizen} />
      <Paragraph>
        <span
          safe
        >{`${t('auditView.filter.citizenChosen')}: ${props.chosenCitizen ?? t('auditView.filter.citizenUnknown')}`}</span>{' '}
        <Link
          href={withQuery(PATH, filterParams(withoutCitizen(filter), 1))}
          text={t('auditView.filter.citizenRemove')}
        />
      </Paragraph>
    </>
  ) : (
    ''
  );
  return (
    <LogFilter
      ctx={ctx}
      method="post"
      action={PATH}
      novalidate
      legend={t('auditView.filter.title')}
      submit={t('auditView.filter.submit')}
      reset={t('auditView.filter.reset')}
      intro={chosen}
    >
      <TextField
        id="filter-citizen"
        name="citizen"
        label={t('auditView.filter.citizen')}
        hint={t('auditView.filter.citizenHint')}
        autocomplete="off"
        spellcheck={false}
        maxlength={40}
        error={error('filter-citizen')}
      />
      <FilterSelect
        name="staff"
        label={t('auditView.filter.staff')}
        all={t('auditView.filter.allStaff')}
        options={props.staff.map((s) => ({ value: s.id, label: s.name }))}
        selected={values.staff}
        error={error('filter-staff')}
      />
      <PeriodFields
        labels={{ from: t('auditView.filter.from'), to: t('auditView.filter.to') }}
        values={values}
        errors={{ from: error('filter-from'), to: error('filter-to') }}
      />
      <FilterSelect
        name="event"
        label={t('auditView.filter.event')}
        all={t('auditView.filter.allEvents')}
        options={KNOWN_EVENTS.map((code) => ({ value: code, label: `${eventLabel(ctx, code)} (${code})` }))}
        selected={values.event}
        error={error('filter-event')}
      />
    </LogFilter>
  );
}

function AuditTable(props: { ctx: PageContext; filter: AuditFilter; page: AuditPage }): JSX.Element {
  const { ctx, page, filter } = props;
  const { t } = ctx;
  return (
    <DataTable
      ctx={ctx}
      class="koepel-audit-log"
      caption={t(page.more ? 'auditView.captionMore' : 'auditView.caption', {
        page: filter.page,
        pages: page.pages,
        total: page.total,
      })}
      rows={page.entries}
      columns={[
        timeColumn(ctx, t('auditView.col.time')),
        {
          header: t('auditView.col.event'),
          rowHeader: true,
          html: (e) => (
            <>
              <span safe>{eventLabel(ctx, e.event)}</span>
              <br />
              <code safe>{e.event}</code>
            </>
          ),
        },
        { header: t('auditView.col.action'), text: (e) => t(`auditView.action.${e.action}`) },
        outcomeColumn(t('auditView.col.outcome'), (o) => t(`auditView.outcome.${o}`)),
        { header: t('auditView.col.who'), text: (e) => whoText(ctx, e, page) },
        { header: t('auditView.col.citizen'), text: (e) => citizenText(ctx, e.citizenId, page) },
        { header: t('auditView.col.accessPoint'), text: (e) => e.clientAddress },
        { header: t('auditView.col.reason'), text: (e) => e.reason },
      ]}
    />
  );
}

function AuditViewPage(props: {
  ctx: PageContext;
  filter: AuditFilter;
  values: FormValues;
  errors: FieldError[];
  staff: { id: string; name: string }[];
  status: ChainStatus;
  page: AuditPage | null;
}): JSX.Element {
  const { ctx, filter, page } = props;
  const { t } = ctx;
  const chosen = filter.citizen && page ? citizenText(ctx, filter.citizen, page) : null;
  return (
    <Page
      ctx={ctx}
      title={t('auditView.title')}
      back={{ href: '/staff', label: t('patients.search.back') }}
      intro={t('auditView.intro')}
      errors={props.errors}
    >
      <ErrorSummary ctx={ctx} errors={props.errors} />
      <ChainStatusSection ctx={ctx} status={props.status} canCheck />
      <FilterForm
        ctx={ctx}
        filter={filter}
        values={props.values}
        errors={props.errors}
        staff={props.staff}
        chosenCitizen={chosen}
      />
      {!page ? (
        ''
      ) : page.entries.length === 0 ? (
        <Text style="notice" text={t('auditView.none')} />
      ) : (
        <>
          <Paragraph>
            <Link
              href={withQuery(EXPORT_PATH, filterParams(filter, 1))}
              download=""
              text={
                page.more || page.total > EXPORT_MAX
                  ? t('auditView.exportPartial', { count: EXPORT_MAX })
                  : t('auditView.export', { count: page.total })
              }
            />
          </Paragraph>
          <AuditTable ctx={ctx} filter={filter} page={page} />
          <Pagination
            ctx={ctx}
            page={filter.page}
            pages={page.pages}
            href={(p) => withQuery(PATH, filterParams(filter, p))}
            label={t('auditView.pagination')}
          />
        </>
      )}
    </Page>
  );
}

/**
 * The export: every line of the filter (up to EXPORT_MAX), as the rows of a spreadsheet file (platform/web/csv.ts
 * escapes what a spreadsheet would run as a formula).
 */
export function auditCsv(ctx: PageContext, page: AuditPage): string[][] {
  const { t } = ctx;
  return [
    [
      t('auditView.col.time'),
      t('auditView.col.event'),
      t('auditView.col.action'),
      t('auditView.col.outcome'),
      t('auditView.col.who'),
      t('auditView.col.citizen'),
      t('auditView.col.accessPoint'),
      'User agent',
      t('auditView.col.reason'),
      'Event code',
    ],
    ...page.entries.map((e) => [
      e.at.toISOString(),
      eventLabel(ctx, e.event),
      e.action,
      t(`auditView.outcome.${e.outcome}`),
      whoText(ctx, e, page),
      citizenText(ctx, e.citizenId, page) ?? '',
      e.clientAddress ?? '',
      e.userAgent ?? '',
      e.reason ?? '',
      e.event,
    ]),
  ];
}

const searchBody = z.object({
  citizen: z.string().max(200).optional().default(''),
  citizenId: z.string().max(100).optional().default(''),
  staff: z.string().max(100).optional().default(''),
  from: z.string().max(40).optional().default(''),
  to: z.string().max(40).optional().default(''),
  event: z.string().max(100).optional().default(''),
});

export function registerAuditView(app: FastifyInstance): void {
  const monitor = new ChainMonitor(app.koepel.db, app.koepel.config, (err) =>
    app.log.error({ err: { type: (err as Error).name } }, 'audit chain check failed'),
  );
  app.addHook('onClose', async () => {
    await monitor.idle();
  });

  /** The page, for a filter already parsed (problems shown, no records read when there are any). */
  async function render(
    req: FastifyRequest,
    filter: AuditFilter,
    values: FormValues,
    problems: Problem[],
    opts: { checkNow?: boolean } = {},
  ): Promise<{ html: JSX.Element; status: number }> {
    const staff = requireStaff(req, PERMISSIONS.auditRead);
    const ctx = pageContext(req);
    const [{ list, page }, status] = await Promise.all([
      req.withData(async (scope) => ({
        list: await employees(scope, staff.organisationId),
        page: problems.length > 0 ? null : await readAuditPage(scope, staff.organisationId, filter),
      })),
      monitor.status({ now: opts.checkNow ?? false }),
    ]);
    const errors = [...new Set(problems)].map((p) => ({ field: FIELD_OF[p], message: ctx.t(`auditView.error.${p}`) }));
    return {
      html: (
        <AuditViewPage
          ctx={ctx}
          filter={filter}
          values={values}
          errors={errors}
          staff={list}
          status={status}
          page={page}
        />
      ),
      status: problems.length > 0 ? 400 : 200,
    };
  }

  const valuesOf = (raw: Record<string, unknown>): FormValues => {
    const s = (k: string) => (typeof raw[k] === 'string' ? raw[k].slice(0, 40) : '');
    return { staff: s('staff'), from: s('from'), to: s('to'), event: s('event') };
  };

  app.get(PATH, async (req, reply) => {
    requireStaff(req, PERMISSIONS.auditRead);
    const { filter, problems } = parseFilter(req.query);
    const view = await render(req, filter, valuesOf((req.query ?? {}) as Record<string, unknown>), problems);
    return sendPage(reply, view.html, view.status);
  });

  // The search form: resolves the citizen (BSN or patient number) and redirects to the GET with ids only.
  app.post(PATH, async (req, reply) => {
    requireStaff(req, PERMISSIONS.auditRead);
    const body = searchBody.safeParse(req.body);
    const raw = body.success ? body.data : searchBody.parse({});
    const { filter, problems } = parseFilter({ ...raw, citizen: raw.citizenId, page: '' });
    const all: Problem[] = [...problems];
    if (!body.success) all.push('citizenFormat');
    if (raw.citizen.trim() !== '') {
      const found = await req.withData((scope) => findCitizen(scope, raw.citizen));
      if (found.ok) filter.citizen = found.citizenId;
      else all.push(found.problem);
    }
    if (all.length > 0) {
      const view = await render(req, all.includes('citizen') ? withoutCitizen(filter) : filter, valuesOf(raw), all);
      return sendPage(reply, view.html, view.status);
    }
    return reply.redirect(withQuery(PATH, filterParams(filter, 1)), 303);
  });

  // No automatic HEAD route: it would run this handler, audit records included, for nothing.
  app.get(EXPORT_PATH, { exposeHeadRoute: false }, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.auditRead);
    const { filter, problems } = parseFilter(req.query);
    if (problems.length > 0) {
      const view = await render(req, filter, valuesOf((req.query ?? {}) as Record<string, unknown>), problems);
      return sendPage(reply, view.html, view.status);
    }
    const page = await req.withData((scope) => readAuditPage(scope, staff.organisationId, filter, { all: true }));
    const ctx = pageContext(req);
    const day = new Date().toISOString().slice(0, 10);
    return sendCsv(reply, `${ctx.t('auditView.csv.filename')}-${day}.csv`, auditCsv(ctx, page));
  });

  // "Check now": a full run (one at a time per node), recorded, then the page.
  app.post(VERIFY_PATH, async (req, reply) => {
    requireStaff(req, PERMISSIONS.auditRead);
    await req.withData((scope) => scope.audit({ event: VERIFY_EVENT, action: 'E', resourceType: 'audit_log' }));
    await monitor.status({ now: true });
    return reply.redirect(PATH, 303);
  });
}

export { Html };
