// Pages of the API client administration: the list with the form for a new client, the page that shows a new
// secret (once), and the confirmation before revoking.
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import { Csrf, SummaryRow, Alert, ErrorSummary, TextField, type FieldError } from '../platform/web/components/index.js';

export interface ApiClientRow {
  id: string;
  name: string;
  clientId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const LIST = '/staff/admin/api-clients';

function BackLink(props: { ctx: PageContext }): JSX.Element {
  return (
    <p class="utrecht-paragraph">
      <a class="utrecht-link" href="/staff" safe>
        {props.ctx.t('apiClients.back')}
      </a>
    </p>
  );
}

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
  const title = errors.length > 0 ? `${t('form.errors.title')}: ${t('apiClients.title')}` : t('apiClients.title');
  const when = (d: Date) => (
    <time datetime={d.toISOString()} safe>
      {formatDate(lang, d, 'dateTime')}
    </time>
  );
  return (
    <Layout ctx={ctx} title={title}>
      <BackLink ctx={ctx} />
      <h1 class="utrecht-heading-1" safe>
        {t('apiClients.title')}
      </h1>
      {props.revoked ? (
        <p class="utrecht-paragraph koepel-notice" role="status" safe>
          {t('apiClients.revoked')}
        </p>
      ) : (
        ''
      )}
      <p class="utrecht-paragraph" safe>
        {t('apiClients.intro')}
      </p>
      {clients.length === 0 ? (
        <p class="utrecht-paragraph" safe>
          {t('apiClients.none')}
        </p>
      ) : (
        <div class="utrecht-table-container koepel-table-wrapper">
          <table class="utrecht-table utrecht-table--html-table koepel-results koepel-api-clients">
            <caption class="utrecht-table__caption" safe>
              {t('apiClients.caption', { organisation: props.organisation })}
            </caption>
            <thead class="utrecht-table__header">
              <tr class="utrecht-table__row">
                <th class="utrecht-table__header-cell" scope="col" safe>
                  {t('apiClients.col.name')}
                </th>
                <th class="utrecht-table__header-cell" scope="col" safe>
                  {t('apiClients.col.clientId')}
                </th>
                <th class="utrecht-table__header-cell" scope="col" safe>
                  {t('apiClients.col.created')}
                </th>
                <th class="utrecht-table__header-cell" scope="col" safe>
                  {t('apiClients.col.lastUsed')}
                </th>
                <th class="utrecht-table__header-cell" scope="col" safe>
                  {t('apiClients.col.status')}
                </th>
                <th class="utrecht-table__header-cell" scope="col" safe>
                  {t('apiClients.col.action')}
                </th>
              </tr>
            </thead>
            <tbody class="utrecht-table__body">
              {clients.map((c) => (
                <tr class="utrecht-table__row">
                  <th class="utrecht-table__cell koepel-row-header" scope="row" safe>
                    {c.name}
                  </th>
                  <td class="utrecht-table__cell">
                    <code class="koepel-client-id" safe>
                      {c.clientId}
                    </code>
                  </td>
                  <td class="utrecht-table__cell">{when(c.createdAt)}</td>
                  <td class="utrecht-table__cell">
                    {c.lastUsedAt ? when(c.lastUsedAt) : <span safe>{t('apiClients.never')}</span>}
                  </td>
                  <td class="utrecht-table__cell" safe>
                    {c.revokedAt
                      ? t('apiClients.revokedOn', { date: formatDate(lang, c.revokedAt, 'dateTime') })
                      : t('apiClients.active')}
                  </td>
                  <td class="utrecht-table__cell">
                    {c.revokedAt ? (
                      ''
                    ) : (
                      <a
                        class="utrecht-link"
                        href={`${LIST}/${c.id}/revoke`}
                        aria-label={t('apiClients.revokeLabel', { name: c.name })}
                        safe
                      >
                        {t('apiClients.revoke')}
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section aria-labelledby="new-client-title" class="koepel-section">
        <h2 id="new-client-title" class="utrecht-heading-2" safe>
          {t('apiClients.create.title')}
        </h2>
        <ErrorSummary ctx={ctx} errors={errors} />
        <form method="post" action={LIST} class="koepel-form" novalidate>
          <Csrf ctx={ctx} />
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
          <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
            {t('apiClients.create.submit')}
          </button>
        </form>
      </section>
    </Layout>
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
  const row = (label: string, value: JSX.Element) => <SummaryRow label={label}>{value}</SummaryRow>;
  return (
    <Layout ctx={ctx} title={t('apiClients.created.title')}>
      <h1 class="utrecht-heading-1" safe>
        {t('apiClients.created.title')}
      </h1>
      <Alert
        kind="warning"
        class="koepel-secret-warning"
        id="secret-warning"
        title={t('apiClients.created.warningTitle')}
        text={t('apiClients.created.warning')}
      />
      <dl class="utrecht-data-list utrecht-data-list--rows koepel-api-client-created">
        {row(t('apiClients.created.name'), <span safe>{props.name}</span>)}
        {row(
          t('apiClients.created.clientId'),
          <code class="koepel-secret" id="client-id" safe>
            {props.clientId}
          </code>,
        )}
        {row(
          t('apiClients.created.secret'),
          <code class="koepel-secret" id="client-secret" safe>
            {props.secret}
          </code>,
        )}
        {row(t('apiClients.created.tokenUrl'), <code safe>{`${props.publicUrl}/fhir/token`}</code>)}
        {row(t('apiClients.created.fhirUrl'), <code safe>{`${props.publicUrl}/fhir`}</code>)}
      </dl>
      <p class="utrecht-paragraph">
        <a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action" href={LIST} safe>
          {t('apiClients.created.done')}
        </a>
      </p>
    </Layout>
  );
}

export function RevokePage(props: { ctx: PageContext; id: string; name: string }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('apiClients.revoke.title')}>
      <h1 class="utrecht-heading-1" safe>
        {t('apiClients.revoke.title')}
      </h1>
      <p class="utrecht-paragraph" safe>
        {t('apiClients.revoke.body', { name: props.name })}
      </p>
      <form method="post" action={`${LIST}/${props.id}/revoke`} class="koepel-form">
        <Csrf ctx={ctx} />
        <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
          {t('apiClients.revoke.confirm')}
        </button>
      </form>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={LIST} safe>
          {t('apiClients.revoke.cancel')}
        </a>
      </p>
    </Layout>
  );
}
