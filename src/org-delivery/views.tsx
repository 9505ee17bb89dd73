// Pages of the delivery settings: endpoints with the form for a new one, the secret shown once, and the delivery log
// (time, event type, endpoint, status, attempts, last HTTP status — never content) with "send again".
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Alert,
  Button,
  ButtonLink,
  DataTable,
  ErrorSummary,
  Form,
  Page,
  Paragraph,
  Section,
  SummaryList,
  Text,
  TextField,
  type FieldError,
} from '../platform/web/components/index.js';

export const DELIVERY_ADMIN = '/staff/admin/deliveries';

export interface EndpointView {
  id: string;
  name: string;
  url: string;
  active: boolean;
  /** Issue 14 (FHIR Subscription): 'fhir-subscription' has no secret to rotate. */
  kind?: string;
}

export interface DeliveryView {
  id: string;
  createdAt: Date;
  eventType: string;
  endpoint: string;
  state: 'pending' | 'delivered' | 'failed' | 'dead';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

export function DeliveryAdminPage(props: {
  ctx: PageContext;
  endpoints: EndpointView[];
  deliveries: DeliveryView[];
  name?: string;
  url?: string;
  errors?: FieldError[];
  notice?: string;
}): JSX.Element {
  const { ctx } = props;
  const { t, lang } = ctx;
  const errors = props.errors ?? [];
  return (
    <Page
      ctx={ctx}
      title={t('orgDelivery.title')}
      errors={errors}
      back={{ href: '/staff', label: t('orgDelivery.back') }}
    >
      {props.notice ? <Alert kind="ok" text={props.notice} /> : ''}
      <Text text={t('orgDelivery.intro')} />
      <Section id="endpoints-title" title={t('orgDelivery.endpoints')}>
        {props.endpoints.length === 0 ? (
          <Text text={t('orgDelivery.none')} />
        ) : (
          <DataTable
            ctx={ctx}
            class="koepel-results koepel-org-endpoints"
            caption={t('orgDelivery.endpoints')}
            captionHidden
            rows={props.endpoints}
            columns={[
              { header: t('orgDelivery.col.name'), rowHeader: true, text: (e) => e.name },
              {
                header: t('orgDelivery.col.url'),
                html: (e) => (
                  <code class="koepel-endpoint-url" safe>
                    {e.url}
                  </code>
                ),
              },
              {
                header: t('orgDelivery.col.status'),
                text: (e) => (e.active ? t('orgDelivery.active') : t('orgDelivery.inactive')),
              },
              {
                header: t('orgDelivery.col.action'),
                html: (e) =>
                  e.active ? (
                    <>
                      {e.kind === 'fhir-subscription' ? (
                        ''
                      ) : (
                        <Form ctx={ctx} action={`${DELIVERY_ADMIN}/endpoints/${e.id}/rotate`}>
                          <Button
                            style="secondary"
                            text={t('orgDelivery.rotate')}
                            label={t('orgDelivery.rotateLabel', { name: e.name })}
                          />
                        </Form>
                      )}
                      <Form ctx={ctx} action={`${DELIVERY_ADMIN}/endpoints/${e.id}/deactivate`}>
                        <Button
                          style="secondary"
                          text={t('orgDelivery.deactivate')}
                          label={t('orgDelivery.deactivateLabel', { name: e.name })}
                        />
                      </Form>
                    </>
                  ) : (
                    ''
                  ),
              },
            ]}
          />
        )}
      </Section>
      <Section id="new-endpoint-title" title={t('orgDelivery.create.title')}>
        <ErrorSummary ctx={ctx} errors={errors} />
        <Form ctx={ctx} action={`${DELIVERY_ADMIN}/endpoints`} novalidate>
          <TextField
            id="endpoint-name"
            name="name"
            label={t('orgDelivery.create.name')}
            hint={t('orgDelivery.create.nameHint')}
            value={props.name ?? ''}
            autocomplete="off"
            maxlength={100}
            required
            error={errors.find((e) => e.field === 'endpoint-name')?.message}
          />
          <TextField
            id="endpoint-url"
            name="url"
            label={t('orgDelivery.create.url')}
            hint={t('orgDelivery.create.urlHint')}
            value={props.url ?? ''}
            autocomplete="off"
            maxlength={2000}
            required
            error={errors.find((e) => e.field === 'endpoint-url')?.message}
          />
          <Button text={t('orgDelivery.create.submit')} />
        </Form>
      </Section>
      <Section id="log-title" title={t('orgDelivery.log.title')}>
        {props.deliveries.length === 0 ? (
          <Text text={t('orgDelivery.log.none')} />
        ) : (
          <DataTable
            ctx={ctx}
            class="koepel-results koepel-org-deliveries"
            caption={t('orgDelivery.log.caption')}
            rows={props.deliveries}
            columns={[
              {
                header: t('orgDelivery.log.time'),
                rowHeader: true,
                html: (d) => (
                  <time datetime={d.createdAt.toISOString()} safe>
                    {formatDate(lang, d.createdAt, 'dateTime')}
                  </time>
                ),
              },
              {
                header: t('orgDelivery.log.event'),
                html: (d) => (
                  <code class="koepel-event-type" safe>
                    {d.eventType}
                  </code>
                ),
              },
              { header: t('orgDelivery.log.endpoint'), text: (d) => d.endpoint },
              {
                header: t('orgDelivery.log.status'),
                html: (d) => (
                  <span class={`koepel-delivery-state koepel-delivery-${d.state}`} safe>
                    {t(`orgDelivery.state.${d.state}`)}
                  </span>
                ),
              },
              { header: t('orgDelivery.log.attempts'), text: (d) => String(d.attempts) },
              {
                header: t('orgDelivery.log.http'),
                text: (d) => (d.lastStatus !== null ? String(d.lastStatus) : (d.lastError ?? '')),
              },
              {
                header: t('orgDelivery.log.action'),
                html: (d) =>
                  d.state === 'pending' || d.state === 'failed' ? (
                    ''
                  ) : (
                    <Form ctx={ctx} action={`${DELIVERY_ADMIN}/log/${d.id}/resend`}>
                      <Button
                        style="secondary"
                        text={t('orgDelivery.log.resend')}
                        label={t('orgDelivery.log.resendLabel', {
                          event: d.eventType,
                          time: formatDate(lang, d.createdAt, 'dateTime'),
                        })}
                      />
                    </Form>
                  ),
              },
            ]}
          />
        )}
      </Section>
    </Page>
  );
}

/** Shown once, after creation or rotation: the only time the secret is visible. */
export function SecretPage(props: { ctx: PageContext; name: string; url: string; secret: string }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('orgDelivery.secret.title')}>
      <Alert
        kind="warning"
        class="koepel-secret-warning"
        id="secret-warning"
        title={t('orgDelivery.secret.warningTitle')}
        text={t('orgDelivery.secret.warning')}
      />
      <SummaryList
        items={[
          { label: t('orgDelivery.secret.name'), text: props.name },
          { label: t('orgDelivery.secret.url'), text: props.url },
          {
            label: t('orgDelivery.secret.secret'),
            html: (
              <code class="koepel-secret" id="webhook-secret" safe>
                {props.secret}
              </code>
            ),
          },
        ]}
      />
      <Paragraph>
        <ButtonLink href={DELIVERY_ADMIN} text={t('orgDelivery.secret.done')} />
      </Paragraph>
    </Page>
  );
}
