// Pages of record requests (MG-7): the citizen's overview and request form, the staff's list and decision page.
// Also the category checkboxes and text area shared with the organisation's category settings.
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { RecordCategory } from '../platform/db/schema.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import { formatBirthDate } from '../patients/index.js';
import { Csrf, ErrorSummary, TextArea, type FieldError } from '../platform/web/components/index.js';
import {
  NOTE_MAX,
  type CitizenRequestView,
  type ProviderOffer,
  type StaffRequestDetail,
  type StaffRequestRow,
} from './requests.js';

export const categoryLabel = (ctx: PageContext, c: RecordCategory): string =>
  ctx.t(`recordRequests.category.${c}` as MessageKey);
const categoryList = (ctx: PageContext, list: readonly RecordCategory[]) =>
  list.map((c) => categoryLabel(ctx, c)).join(', ');

const titleWithErrors = (ctx: PageContext, title: string, errors: FieldError[]) =>
  errors.length > 0 ? `${ctx.t('form.errors.title')}: ${title}` : title;

/** A fieldset of category checkboxes; the first checkbox's id is `${idPrefix}-${first}` (error summary target). */
export function CategoryCheckboxes(props: {
  ctx: PageContext;
  idPrefix: string;
  name: string;
  options: readonly RecordCategory[];
  checked: readonly RecordCategory[];
  legend: string;
  hint?: string;
  error?: string | undefined;
  withHints?: boolean;
}): JSX.Element {
  const { ctx, idPrefix, error } = props;
  const describedBy = [props.hint ? `${idPrefix}-hint` : '', error ? `${idPrefix}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <fieldset
      class={`utrecht-form-fieldset utrecht-form-fieldset--html-fieldset koepel-checkboxes${error ? ' utrecht-form-fieldset--invalid' : ''}`}
      aria-describedby={describedBy || undefined}
    >
      <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend" safe>
        {props.legend}
      </legend>
      {props.hint ? (
        <p class="utrecht-form-field-description" id={`${idPrefix}-hint`} safe>
          {props.hint}
        </p>
      ) : (
        ''
      )}
      {error ? (
        <p class="utrecht-form-field-error-message" id={`${idPrefix}-error`} safe>
          {error}
        </p>
      ) : (
        ''
      )}
      {props.options.map((c) => {
        const id = `${idPrefix}-${c}`;
        return (
          <div class="utrecht-form-field utrecht-form-field--checkbox">
            <div class="utrecht-form-field__input">
              <input
                class="utrecht-checkbox utrecht-checkbox--html-input"
                type="checkbox"
                name={props.name}
                id={id}
                value={c}
                checked={props.checked.includes(c)}
                aria-describedby={props.withHints ? `${id}-hint` : undefined}
              />
            </div>
            <div class="utrecht-form-field__label">
              <label class="utrecht-form-label utrecht-form-label--checkbox" for={id} safe>
                {categoryLabel(ctx, c)}
              </label>
            </div>
            {props.withHints ? (
              <div class="utrecht-form-field__description utrecht-form-field-description" id={`${id}-hint`} safe>
                {ctx.t(`recordRequests.categoryHint.${c}` as MessageKey)}
              </div>
            ) : (
              ''
            )}
          </div>
        );
      })}
    </fieldset>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Citizen
// ---------------------------------------------------------------------------------------------------------------

export function CitizenRequestsPage(props: {
  ctx: PageContext;
  offers: ProviderOffer[];
  requests: CitizenRequestView[];
  sent: boolean;
}): JSX.Element {
  const { ctx, offers, requests } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('recordRequests.title')}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/home" safe>
          {t('recordRequests.back')}
        </a>
      </p>
      <h1 class="utrecht-heading-1" safe>
        {t('recordRequests.title')}
      </h1>
      {props.sent ? (
        <div class="utrecht-alert utrecht-alert--ok koepel-notice" role="status">
          <p class="utrecht-paragraph" safe>
            {t('recordRequests.sent')}
          </p>
        </div>
      ) : (
        ''
      )}
      <p class="utrecht-paragraph" safe>
        {t('recordRequests.intro')}
      </p>
      <section aria-labelledby="offers-title" class="koepel-section">
        <h2 id="offers-title" class="utrecht-heading-2" safe>
          {t('recordRequests.providers')}
        </h2>
        {offers.length === 0 ? (
          <p class="utrecht-paragraph" safe>
            {t('recordRequests.providersNone')}
          </p>
        ) : (
          <ul class="koepel-cards">
            {offers.map((o) => (
              <li class="koepel-card">
                <h3 id={`offer-${o.organisationId}`} class="utrecht-heading-3" safe>
                  {o.name}
                </h3>
                {o.shown.length > 0 ? (
                  <p class="utrecht-paragraph" safe>
                    {`${t('recordRequests.shownNow')}: ${categoryList(ctx, o.shown)}.`}
                  </p>
                ) : (
                  <p class="utrecht-paragraph" safe>
                    {t('recordRequests.shownNothing')}
                  </p>
                )}
                {o.hasOpenRequest ? (
                  <p class="utrecht-paragraph koepel-notice" safe>
                    {t('recordRequests.pending', { categories: categoryList(ctx, o.pending) })}
                  </p>
                ) : o.askable.length === 0 ? (
                  <p class="utrecht-paragraph" safe>
                    {t('recordRequests.allShown')}
                  </p>
                ) : (
                  <p class="utrecht-paragraph">
                    <a class="utrecht-link" href={`/record-requests/new/${o.organisationId}`} safe>
                      {t('recordRequests.ask', { organisation: o.name })}
                    </a>
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="mine-title" class="koepel-section">
        <h2 id="mine-title" class="utrecht-heading-2" safe>
          {t('recordRequests.mine')}
        </h2>
        {requests.length === 0 ? (
          <p class="utrecht-paragraph" safe>
            {t('recordRequests.mineNone')}
          </p>
        ) : (
          <div class="utrecht-table-container koepel-table-wrapper">
            <table class="utrecht-table utrecht-table--html-table koepel-requests">
              <caption class="utrecht-table__caption" safe>
                {t('recordRequests.mineCaption')}
              </caption>
              <thead class="utrecht-table__header">
                <tr class="utrecht-table__row">
                  {(
                    [
                      'recordRequests.col.organisation',
                      'recordRequests.col.asked',
                      'recordRequests.col.sentAt',
                      'recordRequests.col.status',
                      'recordRequests.col.answer',
                    ] as const
                  ).map((k) => (
                    <th class="utrecht-table__header-cell" scope="col" safe>
                      {t(k)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody class="utrecht-table__body">
                {requests.map((r) => (
                  <tr class="utrecht-table__row">
                    <th class="utrecht-table__cell koepel-row-header" scope="row" safe>
                      {r.organisationName}
                    </th>
                    <td class="utrecht-table__cell">
                      <span safe>{categoryList(ctx, r.categories)}</span>
                      {r.note ? (
                        <p class="utrecht-paragraph utrecht-paragraph--small" safe>
                          {t('recordRequests.yourNote', { note: r.note })}
                        </p>
                      ) : (
                        ''
                      )}
                    </td>
                    <td class="utrecht-table__cell">
                      <time datetime={r.createdAt.toISOString()} safe>
                        {formatDate(ctx.lang, r.createdAt)}
                      </time>
                    </td>
                    <td class="utrecht-table__cell">
                      <span class={`koepel-status koepel-status--${r.status}`} safe>
                        {t(`recordRequests.status.${r.status}`)}
                      </span>
                      {r.status === 'granted' && r.granted.length > 0 ? (
                        <p class="utrecht-paragraph utrecht-paragraph--small" safe>
                          {t('recordRequests.grantedOf', { categories: categoryList(ctx, r.granted) })}
                        </p>
                      ) : (
                        ''
                      )}
                    </td>
                    <td class="utrecht-table__cell" safe>
                      {r.response ?? '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}

export interface RequestFormValues {
  categories: string[];
  note: string;
}

export function RequestFormPage(props: {
  ctx: PageContext;
  offer: ProviderOffer;
  values?: RequestFormValues;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, offer } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const values = props.values ?? { categories: [], note: '' };
  const title = t('recordRequests.form.title', { organisation: offer.name });
  const error = (field: string) => errors.find((e) => e.field === field)?.message;
  const first = offer.askable[0] ?? 'lab';
  return (
    <Layout ctx={ctx} title={titleWithErrors(ctx, title, errors)}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/record-requests" safe>
          {t('recordRequests.form.cancel')}
        </a>
      </p>
      <h1 class="utrecht-heading-1" safe>
        {title}
      </h1>
      <ErrorSummary ctx={ctx} errors={errors} />
      {offer.askable.length === 0 ? (
        <p class="utrecht-paragraph" safe>
          {t('recordRequests.form.nothing')}
        </p>
      ) : (
        <form method="post" action="/record-requests" class="koepel-form" novalidate>
          <Csrf ctx={ctx} />
          <input type="hidden" name="organisation" value={offer.organisationId} />
          <CategoryCheckboxes
            ctx={ctx}
            idPrefix="category"
            name="categories"
            options={offer.askable}
            checked={offer.askable.filter((c) => values.categories.includes(c))}
            legend={t('recordRequests.form.legend')}
            hint={t('recordRequests.form.legendHint')}
            error={error(`category-${first}`)}
            withHints
          />
          <TextArea
            maxLength={NOTE_MAX}
            id="note"
            name="note"
            label={t('recordRequests.form.note')}
            hint={t('recordRequests.form.noteHint', { organisation: offer.name })}
            value={values.note}
            error={error('note')}
          />
          <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
            {t('recordRequests.form.submit')}
          </button>
        </form>
      )}
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------------------------------------------

export function StaffRequestsPage(props: {
  ctx: PageContext;
  rows: StaffRequestRow[];
  handled: 'granted' | 'declined' | null;
}): JSX.Element {
  const { ctx, rows } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('recordRequests.staff.title')}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/staff" safe>
          {t('patients.search.back')}
        </a>
      </p>
      <h1 class="utrecht-heading-1" safe>
        {t('recordRequests.staff.title')}
      </h1>
      {props.handled ? (
        <div class="utrecht-alert utrecht-alert--ok koepel-notice" role="status">
          <p class="utrecht-paragraph" safe>
            {t(`recordRequests.staff.handled.${props.handled}`)}
          </p>
        </div>
      ) : (
        ''
      )}
      <p class="utrecht-paragraph" safe>
        {t('recordRequests.staff.intro')}
      </p>
      {rows.length === 0 ? (
        <p class="utrecht-paragraph koepel-notice" role="status" safe>
          {t('recordRequests.staff.none')}
        </p>
      ) : (
        <div class="utrecht-table-container koepel-table-wrapper">
          <table class="utrecht-table utrecht-table--html-table koepel-requests">
            <caption class="utrecht-table__caption" safe>
              {t('recordRequests.staff.caption', { count: rows.length })}
            </caption>
            <thead class="utrecht-table__header">
              <tr class="utrecht-table__row">
                {(
                  [
                    'recordRequests.staff.col.patient',
                    'recordRequests.staff.col.born',
                    'recordRequests.staff.col.number',
                    'recordRequests.staff.col.asked',
                    'recordRequests.staff.col.received',
                  ] as const
                ).map((k) => (
                  <th class="utrecht-table__header-cell" scope="col" safe>
                    {t(k)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody class="utrecht-table__body">
              {rows.map((r) => (
                <tr class="utrecht-table__row">
                  <th class="utrecht-table__cell koepel-row-header" scope="row">
                    <a class="utrecht-link" href={`/staff/record-requests/${r.id}`} safe>
                      {r.name}
                    </a>
                  </th>
                  <td class="utrecht-table__cell">
                    <time datetime={r.birthDate} safe>
                      {formatBirthDate(r.birthDate)}
                    </time>
                  </td>
                  <td class="utrecht-table__cell" safe>
                    {r.patientNumber ?? '—'}
                  </td>
                  <td class="utrecht-table__cell" safe>
                    {categoryList(ctx, r.categories)}
                  </td>
                  <td class="utrecht-table__cell">
                    <time datetime={r.createdAt.toISOString()} safe>
                      {formatDate(ctx.lang, r.createdAt, 'dateTime')}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

export interface DecisionValues {
  categories: string[];
  response: string;
  reason: string;
}

export function StaffRequestPage(props: {
  ctx: PageContext;
  request: StaffRequestDetail;
  canOpenRecord: boolean;
  values?: DecisionValues;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, request: r } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const error = (field: string) => errors.find((e) => e.field === field)?.message;
  const values = props.values ?? { categories: r.categories, response: '', reason: '' };
  const title = t('recordRequests.staff.detailTitle', { name: r.name });
  const first = r.categories[0] ?? 'lab';
  const item = (label: MessageKey, value: JSX.Element) => (
    <div class="utrecht-data-list__item">
      <dt class="utrecht-data-list__item-key" safe>
        {t(label)}
      </dt>
      <dd class="utrecht-data-list__item-value utrecht-data-list__item-value--html-dd">{value}</dd>
    </div>
  );
  return (
    <Layout ctx={ctx} title={titleWithErrors(ctx, title, errors)}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/staff/record-requests" safe>
          {t('recordRequests.staff.back')}
        </a>
      </p>
      <h1 class="utrecht-heading-1" safe>
        {title}
      </h1>
      <ErrorSummary ctx={ctx} errors={errors} />
      <dl class="utrecht-data-list utrecht-data-list--rows koepel-request-details">
        {item(
          'recordRequests.staff.born',
          <time datetime={r.birthDate} safe>
            {formatBirthDate(r.birthDate)}
          </time>,
        )}
        {item('recordRequests.staff.number', <span safe>{r.patientNumber ?? '—'}</span>)}
        {item(
          'recordRequests.staff.received',
          <time datetime={r.createdAt.toISOString()} safe>
            {formatDate(ctx.lang, r.createdAt, 'dateTime')}
          </time>,
        )}
        {item('recordRequests.staff.asked', <span safe>{categoryList(ctx, r.categories)}</span>)}
        {item('recordRequests.staff.note', <span safe>{r.note ?? t('recordRequests.staff.noNote')}</span>)}
        {r.status !== 'open'
          ? item(
              'recordRequests.staff.status',
              <span safe>
                {r.status === 'granted' && r.granted.length > 0
                  ? `${t('recordRequests.status.granted')}: ${categoryList(ctx, r.granted)}`
                  : t(`recordRequests.status.${r.status}`)}
              </span>,
            )
          : ''}
        {r.status !== 'open' && r.response ? item('recordRequests.staff.answer', <span safe>{r.response}</span>) : ''}
      </dl>
      {props.canOpenRecord ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={`/staff/patients/${r.citizenId}/record`} safe>
            {t('recordRequests.staff.openRecord')}
          </a>
        </p>
      ) : (
        ''
      )}
      {r.status === 'open' ? (
        <>
          <section aria-labelledby="grant-title" class="koepel-section">
            <h2 id="grant-title" class="utrecht-heading-2" safe>
              {t('recordRequests.staff.grantTitle')}
            </h2>
            <form method="post" action={`/staff/record-requests/${r.id}/grant`} class="koepel-form" novalidate>
              <Csrf ctx={ctx} />
              <CategoryCheckboxes
                ctx={ctx}
                idPrefix="grant"
                name="categories"
                options={r.categories}
                checked={r.categories.filter((c) => values.categories.includes(c))}
                legend={t('recordRequests.staff.grantLegend')}
                hint={t('recordRequests.staff.grantHint')}
                error={error(`grant-${first}`)}
              />
              <TextArea
                maxLength={NOTE_MAX}
                id="response"
                name="response"
                label={t('recordRequests.staff.response')}
                value={values.response}
                error={error('response')}
              />
              <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
                {t('recordRequests.staff.grant')}
              </button>
            </form>
          </section>
          <section aria-labelledby="decline-title" class="koepel-section">
            <h2 id="decline-title" class="utrecht-heading-2" safe>
              {t('recordRequests.staff.declineTitle')}
            </h2>
            <form method="post" action={`/staff/record-requests/${r.id}/decline`} class="koepel-form" novalidate>
              <Csrf ctx={ctx} />
              <TextArea
                maxLength={NOTE_MAX}
                id="reason"
                name="reason"
                label={t('recordRequests.staff.reason')}
                hint={t('recordRequests.staff.reasonHint')}
                value={values.reason}
                error={error('reason')}
                required
              />
              <button type="submit" class="utrecht-button utrecht-button--secondary-action" safe>
                {t('recordRequests.staff.decline')}
              </button>
            </form>
          </section>
        </>
      ) : (
        ''
      )}
    </Layout>
  );
}
