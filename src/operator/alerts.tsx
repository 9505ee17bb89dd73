// The operator's security alerts (PR-7): what the login throttle (and later other monitors) raised, newest first,
// with a button to mark an alert as handled. Only the operator principal may see or change them — enforced by
// the row-level security policy security_alert_operator as well as here.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { Button, DataTable, Form, Link, Page, Paragraph, Text } from '../platform/web/components/index.js';
import { parseAlertDetail } from '../platform/auth/throttle.js';
import { requireOperator } from '../platform/auth/permissions.js';
import { formatDate } from '../platform/i18n/format.js';

const MAX_ROWS = 200;

interface AlertRow {
  id: string;
  occurred_at: Date;
  kind: string;
  subject: string;
  detail: string;
  acknowledged_at: Date | null;
}

function AlertsPage(props: { ctx: PageContext; alerts: AlertRow[] }): JSX.Element {
  const { ctx, alerts } = props;
  const { t } = ctx;
  const fmt = { format: (d: Date) => formatDate(ctx.lang, d, 'shortDateTime') };
  const kindLabel = (kind: string) => {
    const key = `operator.alerts.kind.${kind}` as MessageKey;
    const label = t(key);
    return label === undefined || label === key ? kind : label;
  };
  const subjectScope = (subject: string) =>
    subject.startsWith('account:')
      ? t('operator.alerts.subject.account')
      : subject.startsWith('address:')
        ? t('operator.alerts.subject.address')
        : subject.startsWith('api-client-spread:')
          ? t('operator.alerts.subject.client')
          : '';
  const detailText = (detail: string) => {
    const d = parseAlertDetail(detail);
    if (!d) return detail;
    return t(`operator.alerts.detail.${d.scope}`, {
      failures: d.failures,
      minutes: d.windowMinutes,
      until: d.blockedUntil ? fmt.format(d.blockedUntil) : '-',
    });
  };
  const open = alerts.filter((a) => a.acknowledged_at === null).length;
  return (
    <Page ctx={ctx} title={t('operator.alerts.title')}>
      <Text text={t('operator.alerts.intro')} />
      <Paragraph>
        <Link href="/operator/apps" text={t('operatorApps.link')} />
        {/* Issue 13 (MG-9): notices to every citizen of a portal (src/system-messages). */}
        <br />
        <Link href="/operator/notices" text={t('systemMessages.operator.nav')} />
        {/* Issue 14 (operator): the job queue. */}
        <br />
        <Link href="/operator/jobs" text={t('operator.jobs.nav')} />
        <br />
        <Link href="/operator/privacy" text={t('operator.privacy.nav')} />
      </Paragraph>
      {alerts.length === 0 ? (
        <Text style="status" text={t('operator.alerts.none')} />
      ) : (
        <DataTable
          ctx={ctx}
          class="koepel-alerts"
          caption={t('operator.alerts.caption', { open })}
          rows={alerts}
          columns={[
            {
              header: t('operator.alerts.colTime'),
              html: (a) => (
                <time datetime={a.occurred_at.toISOString()} safe>
                  {fmt.format(a.occurred_at)}
                </time>
              ),
            },
            { header: t('operator.alerts.colKind'), text: (a) => kindLabel(a.kind) },
            {
              header: t('operator.alerts.colSubject'),
              html: (a) => (
                <span>
                  <span safe>{subjectScope(a.subject)}</span>{' '}
                  <code class="koepel-pseudonym" title={a.subject} safe>
                    {`${a.subject.split(':')[1]?.slice(0, 16) ?? a.subject}…`}
                  </code>
                </span>
              ),
            },
            { header: t('operator.alerts.colDetail'), text: (a) => detailText(a.detail) },
            {
              header: t('operator.alerts.colStatus'),
              html: (a) =>
                a.acknowledged_at ? (
                  <span safe>{t('operator.alerts.acknowledgedAt', { time: fmt.format(a.acknowledged_at) })}</span>
                ) : (
                  <Form ctx={ctx} action={`/operator/alerts/${a.id}/acknowledge`} class="koepel-inline-form">
                    <Button
                      style="secondary"
                      label={t('operator.alerts.acknowledgeLabel', { time: fmt.format(a.occurred_at) })}
                      text={t('operator.alerts.acknowledge')}
                    />
                  </Form>
                ),
            },
          ]}
        />
      )}
    </Page>
  );
}

const idParams = z.object({ id: z.uuid() });

export function registerOperatorRoutes(app: FastifyInstance): void {
  app.get('/operator/alerts', async (req, reply) => {
    requireOperator(req);
    const alerts = await req.withData(({ tx }) =>
      tx
        .selectFrom('security_alert')
        .select(['id', 'occurred_at', 'kind', 'subject', 'detail', 'acknowledged_at'])
        .orderBy('occurred_at', 'desc')
        .limit(MAX_ROWS)
        .execute(),
    );
    return sendPage(reply, <AlertsPage ctx={pageContext(req)} alerts={alerts} />);
  });

  app.post('/operator/alerts/:id/acknowledge', async (req, reply) => {
    requireOperator(req);
    const params = idParams.safeParse(req.params);
    if (!params.success) throw new HttpError(400, 'badRequest');
    const done = await req.withData(async (scope) => {
      const row = await scope.tx
        .updateTable('security_alert')
        .set({ acknowledged_at: new Date() })
        .where('id', '=', params.data.id)
        .where('acknowledged_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (row)
        await scope.audit({
          event: 'security.alert.acknowledge',
          action: 'U',
          resourceType: 'security_alert',
          resourceId: row.id,
        });
      return row !== undefined;
    });
    if (!done) {
      // Unknown, or handled already (by a colleague a moment ago): both end on the list, which shows the state.
      const exists = await req.withData(({ tx }) =>
        tx.selectFrom('security_alert').select('id').where('id', '=', params.data.id).executeTakeFirst(),
      );
      if (!exists) throw new HttpError(404, 'notFound');
    }
    return reply.redirect('/operator/alerts', 303);
  });
}
