// Pages of record requests (MG-7): the citizen's overview and request form, the staff's list and decision page.
// Also the category checkboxes shared with the organisation's category settings.
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { RecordCategory } from '../platform/db/schema.js';
import type { PageContext } from '../platform/web/context.js';
import { StaffBirthDate } from '../patients/index.js';
import {
  Alert,
  Button,
  Choices,
  DataTable,
  ErrorSummary,
  Form,
  Heading,
  HiddenField,
  Link,
  Page,
  Paragraph,
  Section,
  SummaryList,
  Text,
  TextArea,
  type FieldError,
  type SummaryItem,
} from '../platform/web/components/index.js';
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
  const { ctx } = props;
  return (
    <Choices
      type="checkbox"
      idPrefix={props.idPrefix}
      name={props.name}
      legend={props.legend}
      hint={props.hint}
      error={props.error}
      checked={props.checked}
      options={props.options.map((c) => ({
        value: c,
        label: categoryLabel(ctx, c),
        ...(props.withHints ? { hint: ctx.t(`recordRequests.categoryHint.${c}` as MessageKey) } : {}),
      }))}
    />
  );
}

/** A date (and time) in a <time> element. */
function When(props: { ctx: PageContext; at: Date; withTime?: boolean }): JSX.Element {
  return (
    <time datetime={props.at.toISOString()} safe>
      {formatDate(props.ctx.lang, props.at, props.withTime ? 'dateTime' : 'date')}
    </time>
  );
}

/** The field error of one field, for a form shown again. */
const errorOf = (errors: readonly FieldError[]) => (field: string) => errors.find((e) => e.field === field)?.message;

// ---------------------------------------------------------------------------------------------------------------
// Citizen
// ---------------------------------------------------------------------------------------------------------------

function OfferCard(props: { ctx: PageContext; offer: ProviderOffer }): JSX.Element {
  const { ctx, offer: o } = props;
  const { t } = ctx;
  return (
    <li class="koepel-card">
      <Heading level={3} id={`offer-${o.organisationId}`} text={o.name} />
      <Text
        text={
          o.shown.length > 0
            ? `${t('recordRequests.shownNow')}: ${categoryList(ctx, o.shown)}.`
            : t('recordRequests.shownNothing')
        }
      />
      {o.hasOpenRequest ? (
        <Text style="notice" text={t('recordRequests.pending', { categories: categoryList(ctx, o.pending) })} />
      ) : o.askable.length === 0 ? (
        <Text text={t('recordRequests.allShown')} />
      ) : (
        <Paragraph>
          <Link
            href={`/record-requests/new/${o.organisationId}`}
            text={t('recordRequests.ask', { organisation: o.name })}
          />
        </Paragraph>
      )}
    </li>
  );
}

function CitizenRequestTable(props: { ctx: PageContext; requests: CitizenRequestView[] }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <DataTable
      ctx={ctx}
      class="koepel-requests"
      caption={t('recordRequests.mineCaption')}
      rows={props.requests}
      columns={[
        { header: t('recordRequests.col.organisation'), rowHeader: true, text: (r) => r.organisationName },
        {
          header: t('recordRequests.col.asked'),
          // One element per cell: on a phone the cell is a grid of its column name and its value.
          html: (r) => (
            <div>
              <span safe>{categoryList(ctx, r.categories)}</span>
              {r.note ? (
                <div class="koepel-user-text">
                  <Text style="small" text={t('recordRequests.yourNote', { note: r.note })} />
                </div>
              ) : (
                ''
              )}
            </div>
          ),
        },
        { header: t('recordRequests.col.sentAt'), html: (r) => <When ctx={ctx} at={r.createdAt} /> },
        {
          header: t('recordRequests.col.status'),
          html: (r) => (
            <div>
              <span class={`koepel-status koepel-status--${r.status}`} safe>
                {t(`recordRequests.status.${r.status}`)}
              </span>
              {r.status === 'granted' && r.granted.length > 0 ? (
                <Text
                  style="small"
                  text={t('recordRequests.grantedOf', { categories: categoryList(ctx, r.granted) })}
                />
              ) : (
                ''
              )}
            </div>
          ),
        },
        { header: t('recordRequests.col.answer'), class: 'koepel-user-text', text: (r) => r.response },
      ]}
    />
  );
}

export function CitizenRequestsPage(props: {
  ctx: PageContext;
  offers: ProviderOffer[];
  requests: CitizenRequestView[];
  sent: boolean;
}): JSX.Element {
  const { ctx, offers, requests } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('recordRequests.title')} back={{ href: '/home', label: t('recordRequests.back') }}>
      {props.sent ? <Alert kind="ok" class="koepel-notice" text={t('recordRequests.sent')} /> : ''}
      <Text text={t('recordRequests.intro')} />
      <Section id="offers-title" title={t('recordRequests.providers')}>
        {offers.length === 0 ? (
          <Text text={t('recordRequests.providersNone')} />
        ) : (
          <ul class="koepel-cards">
            {offers.map((o) => (
              <OfferCard ctx={ctx} offer={o} />
            ))}
          </ul>
        )}
      </Section>
      <Section id="mine-title" title={t('recordRequests.mine')}>
        {requests.length === 0 ? (
          <Text text={t('recordRequests.mineNone')} />
        ) : (
          <CitizenRequestTable ctx={ctx} requests={requests} />
        )}
      </Section>
    </Page>
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
  const error = errorOf(errors);
  const first = offer.askable[0] ?? 'lab';
  return (
    <Page
      ctx={ctx}
      title={t('recordRequests.form.title', { organisation: offer.name })}
      back={{ href: '/record-requests', label: t('recordRequests.form.cancel') }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      {offer.askable.length === 0 ? (
        <Text text={t('recordRequests.form.nothing')} />
      ) : (
        <Form ctx={ctx} action="/record-requests" novalidate>
          <HiddenField name="organisation" value={offer.organisationId} />
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
          <Button text={t('recordRequests.form.submit')} />
        </Form>
      )}
    </Page>
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
    <Page ctx={ctx} title={t('recordRequests.staff.title')} back={{ href: '/staff', label: t('patients.search.back') }}>
      {props.handled ? (
        <Alert kind="ok" class="koepel-notice" text={t(`recordRequests.staff.handled.${props.handled}`)} />
      ) : (
        ''
      )}
      <Text text={t('recordRequests.staff.intro')} />
      {rows.length === 0 ? (
        <Text style="status" text={t('recordRequests.staff.none')} />
      ) : (
        <DataTable
          ctx={ctx}
          class="koepel-requests"
          caption={t('recordRequests.staff.caption', { count: rows.length })}
          rows={rows}
          columns={[
            {
              header: t('recordRequests.staff.col.patient'),
              rowHeader: true,
              html: (r) => <Link href={`/staff/record-requests/${r.id}`} text={r.name} />,
            },
            {
              header: t('recordRequests.staff.col.born'),
              html: (r) => <StaffBirthDate ctx={ctx} date={r.birthDate} />,
            },
            { header: t('recordRequests.staff.col.number'), text: (r) => r.patientNumber },
            { header: t('recordRequests.staff.col.asked'), text: (r) => categoryList(ctx, r.categories) },
            {
              header: t('recordRequests.staff.col.received'),
              html: (r) => <When ctx={ctx} at={r.createdAt} withTime />,
            },
          ]}
        />
      )}
    </Page>
  );
}

export interface DecisionValues {
  categories: string[];
  response: string;
  reason: string;
}

/** What the patient asked, and (once decided) the answer. */
function requestDetails(ctx: PageContext, r: StaffRequestDetail): SummaryItem[] {
  const { t } = ctx;
  const items: SummaryItem[] = [
    { label: t('recordRequests.staff.born'), html: <StaffBirthDate ctx={ctx} date={r.birthDate} /> },
    { label: t('recordRequests.staff.number'), text: r.patientNumber },
    { label: t('recordRequests.staff.received'), html: <When ctx={ctx} at={r.createdAt} withTime /> },
    { label: t('recordRequests.staff.asked'), text: categoryList(ctx, r.categories) },
    { label: t('recordRequests.staff.note'), text: r.note ?? t('recordRequests.staff.noNote') },
  ];
  if (r.status !== 'open') {
    items.push({
      label: t('recordRequests.staff.status'),
      text:
        r.status === 'granted' && r.granted.length > 0
          ? `${t('recordRequests.status.granted')}: ${categoryList(ctx, r.granted)}`
          : t(`recordRequests.status.${r.status}`),
    });
    if (r.response) items.push({ label: t('recordRequests.staff.answer'), text: r.response });
  }
  return items;
}

/** The two answers to an open request: grant some of the asked categories, or decline with a reason. */
function DecisionForms(props: {
  ctx: PageContext;
  request: StaffRequestDetail;
  values: DecisionValues;
  errors: readonly FieldError[];
}): JSX.Element {
  const { ctx, request: r, values } = props;
  const { t } = ctx;
  const error = errorOf(props.errors);
  const first = r.categories[0] ?? 'lab';
  return (
    <>
      <Section id="grant-title" title={t('recordRequests.staff.grantTitle')}>
        <Form ctx={ctx} action={`/staff/record-requests/${r.id}/grant`} novalidate>
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
            hint={t('recordRequests.staff.responseHint')}
            value={values.response}
            error={error('response')}
          />
          <Button text={t('recordRequests.staff.grant')} />
        </Form>
      </Section>
      <Section id="decline-title" title={t('recordRequests.staff.declineTitle')}>
        <Form ctx={ctx} action={`/staff/record-requests/${r.id}/decline`} novalidate>
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
          <Button style="secondary" text={t('recordRequests.staff.decline')} />
        </Form>
      </Section>
    </>
  );
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
  return (
    <Page
      ctx={ctx}
      title={t('recordRequests.staff.detailTitle', { name: r.name })}
      back={{ href: '/staff/record-requests', label: t('recordRequests.staff.back') }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      <SummaryList class="koepel-request-details" items={requestDetails(ctx, r)} />
      {props.canOpenRecord ? (
        <Paragraph>
          <Link href={`/staff/patients/${r.citizenId}/record`} text={t('recordRequests.staff.openRecord')} />
        </Paragraph>
      ) : (
        ''
      )}
      {r.status === 'open' ? (
        <DecisionForms
          ctx={ctx}
          request={r}
          values={props.values ?? { categories: r.categories, response: '', reason: '' }}
          errors={errors}
        />
      ) : (
        ''
      )}
    </Page>
  );
}
