// Pages of the API client administration: the list with the form for a new client, the page that shows a new
// secret (once), and the confirmation before revoking.
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Alert,
  Button,
  ButtonLink,
  DataTable,
  ErrorSummary,
  Form,
  Link,
  Page,
  Paragraph,
  Section,
  SummaryList,
  Text,
  TextField,
  type FieldError,
} from '../platform/web/components/index.js';

export interface ApiClientRow {
  id: string;
  name: string;
  clientId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const LIST = '/staff/admin/api-clients';

export function ApiClientsPage(props: {
  ctx: PageContext;
  organisation: string;
  clients: ApiClientRow[];
  name?: string;
  errors?: FieldError[];
  revoked?: boolean;
}): JSX.Element {
  const { ctx, clients } = props;
  const { t, lang } = ctx;
  const errors = props.errors ?? [];
  const when = (d: Date) => (
    <time datetime={d.toISOString()} safe>
      {formatDate(lang, d, 'dateTime')}
    </time>
  );
  return (
    <Page
      ctx={ctx}
      title={t('apiClients.title')}
      errors={errors}
      back={{ href: '/staff', label: t('apiClients.back') }}
    >
      {props.revoked ? <Alert kind="ok" text={t('apiClients.revoked')} /> : ''}
      <Text text={t('apiClients.intro')} />
      {clients.length === 0 ? (
        <Text text={t('apiClients.none')} />
      ) : (
        <DataTable
          ctx={ctx}
          class="koepel-results koepel-api-clients"
          caption={t('apiClients.caption', { organisation: props.organisation })}
          rows={clients}
          columns={[
            { header: t('apiClients.col.name'), rowHeader: true, text: (c) => c.name },
            {
              header: t('apiClients.col.clientId'),
              html: (c) => (
                <code class="koepel-client-id" safe>
                  {c.clientId}
                </code>
              ),
            },
            { header: t('apiClients.col.created'), html: (c) => when(c.createdAt) },
            {
              header: t('apiClients.col.lastUsed'),
              html: (c) => (c.lastUsedAt ? when(c.lastUsedAt) : <span safe>{t('apiClients.never')}</span>),
            },
            {
              header: t('apiClients.col.status'),
              text: (c) =>
                c.revokedAt
                  ? t('apiClients.revokedOn', { date: formatDate(lang, c.revokedAt, 'dateTime') })
                  : t('apiClients.active'),
            },
            {
              header: t('apiClients.col.action'),
              html: (c) =>
                c.revokedAt ? (
                  ''
                ) : (
                  <Link
                    href={`${LIST}/${c.id}/revoke`}
                    label={t('apiClients.revokeLabel', { name: c.name })}
                    text={t('apiClients.revoke')}
                  />
                ),
            },
          ]}
        />
      )}
      <Section id="new-client-title" title={t('apiClients.create.title')}>
        <ErrorSummary ctx={ctx} errors={errors} />
        <Form ctx={ctx} action={LIST} novalidate>
          <TextField
            id="client-name"
            name="name"
            label={t('apiClients.create.name')}
            hint={t('apiClients.create.nameHint')}
            value={props.name ?? ''}
            autocomplete="off"
            maxlength={100}
            required
            error={errors.find((e) => e.field === 'client-name')?.message}
          />
          <Button text={t('apiClients.create.submit')} />
        </Form>
      </Section>
    </Page>
  );
}

/** Shown once, right after creation: the only time the secret is visible. */
export function CreatedPage(props: {
  ctx: PageContext;
  name: string;
  clientId: string;
  secret: string;
  publicUrl: string;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const code = (value: string, id?: string) => (
    <code class={id ? 'koepel-secret' : undefined} id={id} safe>
      {value}
    </code>
  );
  return (
    <Page ctx={ctx} title={t('apiClients.created.title')}>
      <Alert
        kind="warning"
        class="koepel-secret-warning"
        id="secret-warning"
        title={t('apiClients.created.warningTitle')}
        text={t('apiClients.created.warning')}
      />
      <SummaryList
        class="koepel-api-client-created"
        items={[
          { label: t('apiClients.created.name'), text: props.name },
          { label: t('apiClients.created.clientId'), html: code(props.clientId, 'client-id') },
          { label: t('apiClients.created.secret'), html: code(props.secret, 'client-secret') },
          { label: t('apiClients.created.tokenUrl'), html: code(`${props.publicUrl}/fhir/token`) },
          { label: t('apiClients.created.fhirUrl'), html: code(`${props.publicUrl}/fhir`) },
        ]}
      />
      <Paragraph>
        <ButtonLink href={LIST} text={t('apiClients.created.done')} />
      </Paragraph>
    </Page>
  );
}

export function RevokePage(props: { ctx: PageContext; id: string; name: string }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('apiClients.revoke.title')}>
      <Text text={t('apiClients.revoke.body', { name: props.name })} />
      <Form ctx={ctx} action={`${LIST}/${props.id}/revoke`}>
        <Button text={t('apiClients.revoke.confirm')} />
      </Form>
      <Paragraph>
        <Link href={LIST} text={t('apiClients.revoke.cancel')} />
      </Paragraph>
    </Page>
  );
}
