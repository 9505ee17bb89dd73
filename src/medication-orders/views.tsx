// Pages of repeat medication (MG-8): the citizen's overview, order form and order page; the staff inbox and order.
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { StaffBirthDate } from '../patients/index.js';
import {
  Alert,
  Button,
  ButtonGroup,
  Card,
  CardList,
  Choices,
  DataTable,
  ErrorSummary,
  Form,
  HiddenField,
  Link,
  List,
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
  citizenMayCancel,
  nextStatuses,
  NOTE_MAX,
  TEXT_MAX,
  type OrderEvent,
  type OrderOffer,
  type OrderStatus,
  type OrderView,
  type StaffOrderView,
} from './orders.js';

const statusText = (ctx: PageContext, s: OrderStatus) => ctx.t(`medicationOrders.status.${s}` as MessageKey);
const medicines = (o: OrderView) => o.items.map((i) => i.name).join(', ');
const errorOf = (errors: readonly FieldError[]) => (field: string) => errors.find((e) => e.field === field)?.message;

function When(props: { ctx: PageContext; at: Date; withTime?: boolean }): JSX.Element {
  return (
    <time datetime={props.at.toISOString()} safe>
      {formatDate(props.ctx.lang, props.at, props.withTime ? 'dateTime' : 'date')}
    </time>
  );
}

function Status(props: { ctx: PageContext; status: OrderStatus; staff?: boolean }): JSX.Element {
  // Staff see a new order as "Nieuw"; the citizen as "Verstuurd".
  const text =
    props.staff && props.status === 'requested'
      ? props.ctx.t('medicationOrders.staff.new')
      : statusText(props.ctx, props.status);
  return (
    <span class={`koepel-status koepel-order-status koepel-order-status--${props.status}`} safe>
      {text}
    </span>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Citizen
// ---------------------------------------------------------------------------------------------------------------

export function OverviewPage(props: {
  ctx: PageContext;
  offers: OrderOffer[];
  orders: OrderView[];
  notice: 'cancelled' | null;
}): JSX.Element {
  const { ctx, offers, orders } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('medicationOrders.title')} back={{ href: '/home', label: t('medicationOrders.back') }}>
      {props.notice === 'cancelled' ? (
        <Alert kind="ok" class="koepel-notice" text={t('medicationOrders.cancelled')} />
      ) : (
        ''
      )}
      <Text text={t('medicationOrders.intro')} />
      <Text style="notice" text={t('medicationOrders.urgent')} />
      <Section id="order-title" title={t('medicationOrders.order')}>
        {offers.length === 0 ? (
          <Text text={t('medicationOrders.noProviders')} />
        ) : (
          <CardList class="koepel-order-offers">
            {offers.map((o) => (
              <Card id={`offer-${o.organisationId}`} title={o.name} level={3}>
                {o.medicines.length === 0 ? (
                  <Text text={t('medicationOrders.noneAt', { organisation: o.name })} />
                ) : (
                  <>
                    <Text text={t('medicationOrders.countAt', { count: o.medicines.length, organisation: o.name })} />
                    <Paragraph>
                      <Link
                        href={`/repeat-medication/new/${o.organisationId}`}
                        text={t('medicationOrders.orderAt', { organisation: o.name })}
                      />
                    </Paragraph>
                  </>
                )}
              </Card>
            ))}
          </CardList>
        )}
      </Section>
      <Section id="mine-title" title={t('medicationOrders.mine')}>
        {orders.length === 0 ? (
          <Text text={t('medicationOrders.mineNone')} />
        ) : (
          <DataTable
            ctx={ctx}
            class="koepel-orders"
            caption={t('medicationOrders.mineCaption')}
            captionHidden
            rows={orders}
            columns={[
              {
                header: t('medicationOrders.col.sent'),
                rowHeader: true,
                html: (o) => (
                  <Link
                    href={`/repeat-medication/${o.id}`}
                    text={formatDate(ctx.lang, o.createdAt, 'dateTime')}
                    label={t('medicationOrders.view', { date: formatDate(ctx.lang, o.createdAt, 'dateTime') })}
                  />
                ),
              },
              { header: t('medicationOrders.col.organisation'), text: (o) => o.organisationName },
              { header: t('medicationOrders.col.medicines'), class: 'koepel-user-text', text: (o) => medicines(o) },
              { header: t('medicationOrders.col.status'), html: (o) => <Status ctx={ctx} status={o.status} /> },
            ]}
          />
        )}
      </Section>
    </Page>
  );
}

export interface OrderFormValues {
  medicines: string[];
  delivery: string;
  note: string;
  key: string;
}

export function OrderFormPage(props: {
  ctx: PageContext;
  offer: OrderOffer;
  values: OrderFormValues;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, offer, values } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const error = errorOf(errors);
  const first = offer.medicines[0]?.resourceId ?? 'none';
  return (
    <Page
      ctx={ctx}
      title={t('medicationOrders.form.title', { organisation: offer.name })}
      back={{ href: '/repeat-medication', label: t('medicationOrders.form.cancel') }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      <Text style="notice" text={t('medicationOrders.urgent')} />
      <Form ctx={ctx} action="/repeat-medication" class="koepel-form" novalidate>
        <HiddenField name="organisation" value={offer.organisationId} />
        <HiddenField name="key" value={values.key} />
        <Choices
          type="checkbox"
          idPrefix="medicine"
          name="medicines"
          legend={t('medicationOrders.form.medicines')}
          hint={t('medicationOrders.form.medicinesHint')}
          error={error(`medicine-${first}`)}
          checked={values.medicines}
          options={offer.medicines.map((m) => ({
            value: m.resourceId,
            label: m.name,
            ...(m.dosage ? { hint: t('medicationOrders.form.medicineHint', { dosage: m.dosage }) } : {}),
          }))}
        />
        {offer.delivery ? (
          <Choices
            type="radio"
            idPrefix="delivery"
            name="delivery"
            legend={t('medicationOrders.form.delivery')}
            error={error('delivery-pickup')}
            checked={[values.delivery]}
            options={[
              { value: 'pickup', label: t('medicationOrders.form.pickup', { organisation: offer.name }) },
              { value: 'delivery', label: t('medicationOrders.form.deliver') },
            ]}
          />
        ) : (
          <HiddenField name="delivery" value="pickup" />
        )}
        <TextArea
          id="note"
          name="note"
          maxLength={NOTE_MAX}
          label={t('medicationOrders.form.note')}
          hint={t('medicationOrders.form.noteHint', { organisation: offer.name })}
          value={values.note}
          error={error('note')}
        />
        <Button text={t('medicationOrders.form.submit')} />
      </Form>
    </Page>
  );
}

/** Who made a change, as the citizen reads it. */
function who(ctx: PageContext, e: OrderEvent, organisation: string, staff: boolean): string {
  const { t } = ctx;
  if (e.actor === 'citizen') return staff ? t('medicationOrders.who.patient') : t('medicationOrders.who.you');
  if (e.actor === 'system') return t('medicationOrders.who.system', { organisation });
  return t('medicationOrders.who.staff', { name: e.actorName ?? '', organisation });
}

function History(props: { ctx: PageContext; order: OrderView; staff?: boolean }): JSX.Element {
  const { ctx, order } = props;
  const { t } = ctx;
  return (
    <DataTable
      ctx={ctx}
      class="koepel-order-history"
      caption={t('medicationOrders.detail.historyCaption')}
      captionHidden
      rows={[...order.events].reverse()}
      columns={[
        {
          header: t('medicationOrders.detail.when'),
          rowHeader: true,
          html: (e) => <When ctx={ctx} at={e.at} withTime />,
        },
        {
          header: t('medicationOrders.detail.what'),
          text: (e) => t(`medicationOrders.event.${e.status}` as MessageKey),
        },
        {
          header: t('medicationOrders.detail.who'),
          text: (e) => who(ctx, e, order.organisationName, props.staff ?? false),
        },
        { header: t('medicationOrders.detail.text'), class: 'koepel-user-text', text: (e) => e.text },
      ]}
    />
  );
}

function orderDetails(ctx: PageContext, o: OrderView, staff = false): SummaryItem[] {
  const { t } = ctx;
  return [
    { label: t('medicationOrders.detail.organisation'), text: o.organisationName },
    { label: t('medicationOrders.detail.status'), html: <Status ctx={ctx} status={o.status} staff={staff} /> },
    {
      label: t('medicationOrders.detail.medicines'),
      html: (
        <List class="koepel-user-text">
          {o.items.map((i) => (
            <li safe>{`${i.name}${i.dosage ? ` — ${i.dosage}` : ''}`}</li>
          ))}
        </List>
      ),
    },
    { label: t('medicationOrders.detail.delivery'), text: t(`medicationOrders.delivery.${o.delivery}`) },
  ];
}

export function OrderPage(props: {
  ctx: PageContext;
  order: OrderView;
  sent: boolean;
  /** The conversation the organisation's question opened, where the citizen answers it. */
  conversationId: string | null;
}): JSX.Element {
  const { ctx, order: o } = props;
  const { t } = ctx;
  const items = orderDetails(ctx, o);
  if (o.note) items.push({ label: t('medicationOrders.detail.note'), text: o.note });
  return (
    <Page
      ctx={ctx}
      title={t('medicationOrders.detail.title', { date: formatDate(ctx.lang, o.createdAt, 'dateTime') })}
      back={{ href: '/repeat-medication', label: t('medicationOrders.form.cancel') }}
    >
      {props.sent ? (
        <Alert
          kind="ok"
          class="koepel-notice"
          text={t('medicationOrders.sent', { organisation: o.organisationName })}
        />
      ) : (
        ''
      )}
      {o.status === 'question' ? (
        <Alert
          kind="info"
          class="koepel-notice"
          text={t('medicationOrders.detail.question', { organisation: o.organisationName })}
        />
      ) : (
        ''
      )}
      {o.status === 'question' && props.conversationId ? (
        <Paragraph>
          <Link href={`/messages/${props.conversationId}`} text={t('medicationOrders.detail.answerQuestion')} />
        </Paragraph>
      ) : (
        ''
      )}
      <SummaryList items={items} class="koepel-request-details koepel-user-text" />
      <Section id="history-title" title={t('medicationOrders.detail.history')}>
        <History ctx={ctx} order={o} />
      </Section>
      {citizenMayCancel(o.status) ? (
        <Section id="cancel-title" title={t('medicationOrders.detail.cancelTitle')}>
          <Text text={t('medicationOrders.detail.cancelHint')} />
          <Form ctx={ctx} action={`/repeat-medication/${o.id}/cancel`}>
            <Button style="secondary" text={t('medicationOrders.detail.cancel')} />
          </Form>
        </Section>
      ) : (
        ''
      )}
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------------------------------------------

export function StaffOrdersPage(props: {
  ctx: PageContext;
  view: 'open' | 'closed';
  rows: StaffOrderView[];
}): JSX.Element {
  const { ctx, rows, view } = props;
  const { t } = ctx;
  return (
    <Page
      ctx={ctx}
      title={t('medicationOrders.staff.title')}
      back={{ href: '/staff', label: t('medicationOrders.staff.back') }}
    >
      <Text text={t('medicationOrders.staff.intro')} />
      <nav aria-label={t('medicationOrders.staff.tabs')} class="koepel-order-tabs">
        <List plain>
          <li>
            <Link
              href="/staff/medication-orders"
              text={t('medicationOrders.staff.open')}
              {...(view === 'open' ? { current: 'page' as const } : {})}
            />
          </li>
          <li>
            <Link
              href="/staff/medication-orders?view=closed"
              text={t('medicationOrders.staff.closed')}
              {...(view === 'closed' ? { current: 'page' as const } : {})}
            />
          </li>
        </List>
      </nav>
      {rows.length === 0 ? (
        <Text style="status" text={t('medicationOrders.staff.none')} />
      ) : (
        <DataTable
          ctx={ctx}
          class="koepel-orders"
          caption={t('medicationOrders.staff.caption', { count: rows.length })}
          rows={rows}
          columns={[
            {
              header: t('medicationOrders.staff.col.patient'),
              rowHeader: true,
              html: (r) => <Link href={`/staff/medication-orders/${r.id}`} text={r.patientName} />,
            },
            {
              header: t('medicationOrders.staff.col.born'),
              html: (r) => <StaffBirthDate ctx={ctx} date={r.birthDate} />,
            },
            { header: t('medicationOrders.staff.col.medicines'), class: 'koepel-user-text', text: (r) => medicines(r) },
            {
              header: t('medicationOrders.staff.col.delivery'),
              text: (r) => t(`medicationOrders.delivery.${r.delivery}`),
            },
            {
              header: t('medicationOrders.staff.col.received'),
              html: (r) => <When ctx={ctx} at={r.createdAt} withTime />,
            },
            {
              header: t('medicationOrders.staff.col.status'),
              html: (r) => <Status ctx={ctx} status={r.status} staff />,
            },
          ]}
        />
      )}
    </Page>
  );
}

export interface StaffFormValues {
  reason: string;
  question: string;
}

export function StaffOrderPage(props: {
  ctx: PageContext;
  order: StaffOrderView;
  values?: StaffFormValues;
  errors?: FieldError[];
  notice?: 'changed' | OrderStatus | null;
}): JSX.Element {
  const { ctx, order: o } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const error = errorOf(errors);
  const values = props.values ?? { reason: '', question: '' };
  const next = nextStatuses(o.status, o.delivery);
  const simple = next.filter((s) => s !== 'refused' && s !== 'question');
  const items: SummaryItem[] = [
    { label: t('medicationOrders.staff.born'), html: <StaffBirthDate ctx={ctx} date={o.birthDate} /> },
    { label: t('medicationOrders.staff.number'), text: o.patientNumber },
    { label: t('medicationOrders.staff.received'), html: <When ctx={ctx} at={o.createdAt} withTime /> },
    ...orderDetails(ctx, o, true).slice(1),
    { label: t('medicationOrders.staff.note'), text: o.note ?? t('medicationOrders.staff.noNote') },
  ];
  return (
    <Page
      ctx={ctx}
      title={t('medicationOrders.staff.detail', { name: o.patientName })}
      back={{ href: '/staff/medication-orders', label: t('medicationOrders.staff.title') }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      {props.notice === 'changed' ? (
        <Alert kind="warning" class="koepel-notice" text={t('medicationOrders.staff.errors.changed')} />
      ) : props.notice ? (
        <Alert
          kind="ok"
          class="koepel-notice"
          text={t('medicationOrders.staff.handled', { status: statusText(ctx, props.notice) })}
        />
      ) : (
        ''
      )}
      <SummaryList items={items} class="koepel-request-details koepel-user-text" />
      <Section id="history-title" title={t('medicationOrders.detail.history')}>
        <History ctx={ctx} order={o} staff />
      </Section>
      {next.length === 0 ? (
        <Text style="status" text={t('medicationOrders.staff.done')} />
      ) : (
        <>
          {simple.length > 0 ? (
            <Section id="actions-title" title={t('medicationOrders.staff.actions')}>
              <ButtonGroup>
                {simple.map((s) => (
                  <Form ctx={ctx} action={`/staff/medication-orders/${o.id}/status`} class="koepel-inline-form">
                    <HiddenField name="version" value={String(o.version)} />
                    <HiddenField name="status" value={s} />
                    <Button
                      style={s === simple[0] ? 'primary' : 'secondary'}
                      text={t(`medicationOrders.staff.to.${s}` as MessageKey)}
                    />
                  </Form>
                ))}
              </ButtonGroup>
            </Section>
          ) : (
            ''
          )}
          {next.includes('question') ? (
            <Section id="question-title" title={t('medicationOrders.staff.questionTitle')}>
              <Form ctx={ctx} action={`/staff/medication-orders/${o.id}/status`} class="koepel-form" novalidate>
                <HiddenField name="version" value={String(o.version)} />
                <HiddenField name="status" value="question" />
                <TextArea
                  id="question"
                  name="text"
                  maxLength={TEXT_MAX}
                  label={t('medicationOrders.staff.question')}
                  hint={t('medicationOrders.staff.questionHint')}
                  value={values.question}
                  error={error('question')}
                  required
                />
                <Button style="secondary" text={t('medicationOrders.staff.ask')} />
              </Form>
            </Section>
          ) : (
            ''
          )}
          {next.includes('refused') ? (
            <Section id="refuse-title" title={t('medicationOrders.staff.refuseTitle')}>
              <Form ctx={ctx} action={`/staff/medication-orders/${o.id}/status`} class="koepel-form" novalidate>
                <HiddenField name="version" value={String(o.version)} />
                <HiddenField name="status" value="refused" />
                <TextArea
                  id="reason"
                  name="text"
                  maxLength={TEXT_MAX}
                  label={t('medicationOrders.staff.reason')}
                  hint={t('medicationOrders.staff.reasonHint')}
                  value={values.reason}
                  error={error('reason')}
                  required
                />
                <Button style="secondary" text={t('medicationOrders.staff.refuse')} />
              </Form>
            </Section>
          ) : (
            ''
          )}
        </>
      )}
    </Page>
  );
}
