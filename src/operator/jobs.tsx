// Issue 14 (operator): the job queue at a glance (src/platform/jobs, migration 0038). How many jobs of each kind are in
// each state, and the dead ones — kind, attempts, the last error's code, when — each with a button to queue it again.
// Only ids and words: a job's payload is never shown (it holds ids only, but the page has no use for them).
//   GET  /operator/jobs?page=N           counts, and the dead jobs newest first, PAGE_SIZE a page
//   POST /operator/jobs/:id/requeue      a dead job queued again with its retries (attempts 0), audited
// The row-level security policy job_operator_retry allows the operator dead → queued only.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { requireOperator } from '../platform/auth/permissions.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Alert,
  Button,
  DataTable,
  Form,
  Link,
  Page,
  Pagination,
  Paragraph,
  Section,
  Text,
} from '../platform/web/components/index.js';

export const PAGE_SIZE = 50;
const STATES = ['queued', 'running', 'done', 'dead'] as const;

interface CountRow {
  kind: string;
  queued: number;
  running: number;
  done: number;
  dead: number;
}

interface DeadRow {
  id: string;
  kind: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  finished_at: Date | null;
}

function JobsPage(props: {
  ctx: PageContext;
  counts: CountRow[];
  dead: DeadRow[];
  deadTotal: number;
  page: number;
  requeued: boolean;
}): JSX.Element {
  const { ctx, counts, dead, page } = props;
  const { t } = ctx;
  const when = (d: Date | null) => (d ? formatDate(ctx.lang, d, 'shortDateTime') : '–');
  const pages = Math.max(1, Math.ceil(props.deadTotal / PAGE_SIZE));
  return (
    <Page
      ctx={ctx}
      title={t('operator.jobs.title')}
      back={{ href: '/operator/alerts', label: t('operator.alerts.title') }}
    >
      <Text text={t('operator.jobs.intro')} />
      {props.requeued ? <Alert kind="ok" text={t('operator.jobs.requeued')} /> : ''}
      <Section id="jobs-counts" title={t('operator.jobs.countsTitle')}>
        {counts.length === 0 ? (
          <Text text={t('operator.jobs.none')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('operator.jobs.countsTitle')}
            captionHidden
            rows={counts}
            columns={[
              { header: t('operator.jobs.colKind'), rowHeader: true, text: (r) => r.kind },
              ...STATES.map((s) => ({
                header: t(`operator.jobs.state.${s}`),
                numeric: true,
                text: (r: CountRow) => String(r[s]),
              })),
            ]}
          />
        )}
      </Section>
      <Section id="jobs-dead" title={t('operator.jobs.deadTitle', { count: props.deadTotal })}>
        {dead.length === 0 ? (
          <Text style="status" text={t('operator.jobs.noDead')} />
        ) : (
          <>
            <DataTable
              ctx={ctx}
              caption={t('operator.jobs.deadCaption', { page, pages })}
              rows={dead}
              columns={[
                { header: t('operator.jobs.colId'), rowHeader: true, text: (r) => r.id },
                { header: t('operator.jobs.colKind'), text: (r) => r.kind },
                {
                  header: t('operator.jobs.colAttempts'),
                  numeric: true,
                  text: (r) => `${r.attempts} / ${r.max_attempts}`,
                },
                { header: t('operator.jobs.colError'), html: (r) => <code safe>{r.last_error ?? '–'}</code> },
                {
                  header: t('operator.jobs.colWhen'),
                  html: (r) =>
                    r.finished_at ? (
                      <time datetime={r.finished_at.toISOString()} safe>
                        {when(r.finished_at)}
                      </time>
                    ) : (
                      <span>–</span>
                    ),
                },
                {
                  header: t('operator.jobs.colAction'),
                  html: (r) => (
                    <Form ctx={ctx} action={`/operator/jobs/${r.id}/requeue`} class="koepel-inline-form">
                      <Button
                        style="secondary"
                        label={t('operator.jobs.requeueLabel', { id: r.id, kind: r.kind })}
                        text={t('operator.jobs.requeue')}
                      />
                    </Form>
                  ),
                },
              ]}
            />
            <Pagination
              ctx={ctx}
              page={page}
              pages={pages}
              href={(p) => `/operator/jobs?page=${p}`}
              label={t('operator.jobs.pages')}
            />
          </>
        )}
      </Section>
      <Paragraph>
        <Link href="/operator/alerts" text={t('operator.alerts.title')} />
      </Paragraph>
    </Page>
  );
}

const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  requeued: z.literal('1').optional(),
});
const idParams = z.object({ id: z.string().regex(/^[1-9][0-9]{0,17}$/) });

export function registerJobRoutes(app: FastifyInstance): void {
  app.get('/operator/jobs', async (req, reply) => {
    requireOperator(req);
    const query = pageQuery.safeParse(req.query ?? {});
    if (!query.success) throw new HttpError(400, 'badRequest');
    const { page } = query.data;
    const data = await req.withData(async ({ tx }) => {
      const counts = await sql<CountRow>`
        select kind,
               count(*) filter (where state = 'queued')::int as queued,
               count(*) filter (where state = 'running')::int as running,
               count(*) filter (where state = 'done')::int as done,
               count(*) filter (where state = 'dead')::int as dead
        from job group by kind order by kind`.execute(tx);
      const dead = await tx
        .selectFrom('job')
        .select(['id', 'kind', 'attempts', 'max_attempts', 'last_error', 'finished_at'])
        .where('state', '=', 'dead')
        .orderBy('finished_at', 'desc')
        .orderBy('id', 'desc')
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .execute();
      return { counts: counts.rows, dead };
    });
    const deadTotal = data.counts.reduce((n, r) => n + r.dead, 0);
    if (page > 1 && data.dead.length === 0) throw new HttpError(404, 'notFound');
    return sendPage(
      reply,
      <JobsPage
        ctx={pageContext(req)}
        counts={data.counts}
        dead={data.dead.map((r) => ({ ...r, id: String(r.id) }))}
        deadTotal={deadTotal}
        page={page}
        requeued={query.data.requeued === '1'}
      />,
    );
  });

  app.post('/operator/jobs/:id/requeue', async (req, reply) => {
    requireOperator(req);
    const params = idParams.safeParse(req.params);
    if (!params.success) throw new HttpError(400, 'badRequest');
    const id = params.data.id;
    const outcome = await req.withData(async (scope) => {
      // Dead → queued, with its retries again; the policy refuses any other change of state.
      const row = await scope.tx
        .updateTable('job')
        .set({
          state: 'queued',
          attempts: 0,
          run_at: sql<Date>`now()`,
          lease_token: null,
          finished_at: null,
        })
        .where('id', '=', id as never)
        .where('state', '=', 'dead')
        .returning(['id', 'kind'])
        .executeTakeFirst();
      if (!row) {
        const exists = await scope.tx
          .selectFrom('job')
          .select('state')
          .where('id', '=', id as never)
          .executeTakeFirst();
        return exists ? 'not-dead' : 'unknown';
      }
      await sql`select pg_notify('koepel_jobs', ${row.kind})`.execute(scope.tx);
      await scope.audit({
        event: 'operator.job.requeue',
        action: 'U',
        resourceType: 'job',
        resourceId: String(row.id),
      });
      return 'requeued';
    });
    if (outcome === 'unknown') throw new HttpError(404, 'notFound');
    if (outcome === 'not-dead') throw new HttpError(409, 'badRequest');
    return reply.redirect('/operator/jobs?requeued=1', 303);
  });
}
