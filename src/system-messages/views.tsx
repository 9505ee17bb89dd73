// The citizen's system messages tab (the list and one message) and the operator's notices page, from the page
// components. Every text is the catalogue's, with the organisation's and portal's names as parameters.
import type { PageContext } from '../platform/web/context.js';
import { formatDate } from '../platform/i18n/format.js';
import {
  Alert,
  Button,
  Card,
  CardList,
  Choices,
  DataTable,
  EmptyState,
  ErrorSummary,
  Form,
  Link,
  Page,
  Pagination,
  Paragraph,
  Section,
  Select,
  Tabs,
  Text,
  TextField,
  type FieldError,
} from '../platform/web/components/index.js';
import type { PortalNotice, SystemMessage, SystemMessagePage } from './store.js';
import { messageText } from './text.js';

export const CONVERSATIONS_PATH = '/messages';
export const SYSTEM_PATH = '/messages/system';

/**
 * The tab bar of "Berichten": conversations (src/messages) and system messages. `current` is the href of the page
 * that shows it; `unread` the system messages' count.
 */
export function MessageTabs(props: { ctx: PageContext; current: string; unread: number | null }): JSX.Element {
  const { t } = props.ctx;
  return (
    <Tabs
      label={t('systemMessages.tabs')}
      current={props.current}
      tabs={[
        { href: CONVERSATIONS_PATH, label: t('systemMessages.tab.conversations') },
        {
          href: SYSTEM_PATH,
          label: t('systemMessages.tab.system'),
          count: props.unread,
          countLabel: t('systemMessages.tab.systemCount', { count: props.unread ?? 0 }),
        },
      ]}
    />
  );
}

function When(props: { ctx: PageContext; at: Date; text: string }): JSX.Element {
  return (
    <time datetime={props.at.toISOString()} safe>
      {props.text}
    </time>
  );
}

function Received(props: { ctx: PageContext; m: SystemMessage }): JSX.Element {
  const { ctx, m } = props;
  return (
    <When
      ctx={ctx}
      at={m.createdAt}
      text={ctx.t('systemMessages.received', { date: formatDate(ctx.lang, m.createdAt, 'dateTime') })}
    />
  );
}

export function SystemMessagesPage(props: { ctx: PageContext; list: SystemMessagePage }): JSX.Element {
  const { ctx, list } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('systemMessages.title')}>
      <MessageTabs ctx={ctx} current={SYSTEM_PATH} unread={list.unread} />
      <Section id="system-messages" title={t('systemMessages.heading')}>
        <Text text={t('systemMessages.intro')} />
        {list.total === 0 ? (
          <EmptyState text={t('systemMessages.none')} />
        ) : (
          <>
            <Text style="small" text={t('systemMessages.count', { count: list.total, unread: list.unread })} />
            <CardList class="koepel-sysmsg-list">
              {list.messages.map((m) => {
                const text = messageText(ctx, m);
                return (
                  <Card
                    id={`m-${m.id}`}
                    level={3}
                    title={text.title}
                    href={`${SYSTEM_PATH}/${m.id}`}
                    class={m.readAt === null ? 'koepel-sysmsg-unread' : undefined}
                  >
                    <Paragraph>
                      {m.readAt === null ? (
                        <>
                          <strong class="koepel-sysmsg-new" safe>
                            {t('systemMessages.unread')}
                          </strong>{' '}
                        </>
                      ) : (
                        ''
                      )}
                      <Received ctx={ctx} m={m} />
                    </Paragraph>
                  </Card>
                );
              })}
            </CardList>
            <Pagination
              ctx={ctx}
              page={list.page}
              pages={list.pages}
              href={(p) => (p === 1 ? SYSTEM_PATH : `${SYSTEM_PATH}?page=${p}`)}
              label={t('systemMessages.pagination')}
            />
          </>
        )}
      </Section>
    </Page>
  );
}

export function SystemMessageView(props: { ctx: PageContext; message: SystemMessage; unread: number | null }) {
  const { ctx, message: m } = props;
  const { t } = ctx;
  const text = messageText(ctx, m);
  return (
    <Page ctx={ctx} title={text.title} back={{ href: SYSTEM_PATH, label: t('systemMessages.back') }}>
      <MessageTabs ctx={ctx} current={SYSTEM_PATH} unread={props.unread} />
      <Paragraph>
        <span safe>{t('systemMessages.sender', { portal: ctx.portal.name })}</span>
        {m.organisationName ? (
          <>
            <br />
            <span safe>{t('systemMessages.about', { organisation: m.organisationName })}</span>
          </>
        ) : (
          ''
        )}
        <br />
        <Received ctx={ctx} m={m} />
      </Paragraph>
      <Text text={text.body} />
      {text.link ? (
        <Paragraph>
          <Link href={text.link.href} text={text.link.label} />
        </Paragraph>
      ) : (
        ''
      )}
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The operator
// ---------------------------------------------------------------------------------------------------------------

export const NOTICE_CHOICES = ['improvements', 'functions', 'maintenance', 'privacy'] as const;
export type NoticeChoice = (typeof NOTICE_CHOICES)[number];

export interface NoticeForm {
  portal: string;
  kind: string;
  date: string;
}

export function OperatorNoticesPage(props: {
  ctx: PageContext;
  portals: readonly { id: string; name: string }[];
  notices: readonly PortalNotice[];
  /** The notice text in the operator's language, per portal (for the list). */
  textOf: (n: PortalNotice) => string;
  form: NoticeForm;
  errors: FieldError[];
  posted: boolean;
}): JSX.Element {
  const { ctx, portals, notices, form, errors } = props;
  const { t } = ctx;
  const error = (field: string) => errors.find((e) => e.field === field)?.message;
  const portalName = (id: string) => portals.find((p) => p.id === id)?.name ?? '';
  return (
    <Page
      ctx={ctx}
      title={t('systemMessages.operator.title')}
      back={{ href: '/operator/alerts', label: t('operator.alerts.title') }}
      errors={errors}
    >
      <Text style="intro" text={t('systemMessages.operator.intro')} />
      {props.posted ? <Alert kind="ok" text={t('systemMessages.operator.posted')} /> : ''}
      <ErrorSummary ctx={ctx} errors={errors} />
      <Section id="notice-form" title={t('systemMessages.operator.formTitle')}>
        <Form ctx={ctx} action="/operator/notices" novalidate>
          <Select
            id="portal"
            label={t('systemMessages.operator.portal')}
            options={portals.map((p) => ({ value: p.id, label: p.name }))}
            selected={form.portal}
            error={error('portal')}
          />
          <Choices
            type="radio"
            idPrefix="kind"
            name="kind"
            legend={t('systemMessages.operator.kind')}
            options={NOTICE_CHOICES.map((c) => ({ value: c, label: t(`systemMessages.operator.kind.${c}`) }))}
            checked={[form.kind]}
            error={error('kind-improvements')}
          />
          <TextField
            id="date"
            label={t('systemMessages.operator.date')}
            hint={t('systemMessages.operator.dateHint')}
            type="date"
            value={form.date}
            error={error('date')}
            size="small"
          />
          <Button text={t('systemMessages.operator.post')} />
        </Form>
      </Section>
      <Section id="notices" title={t('systemMessages.operator.listTitle')}>
        {notices.length === 0 ? (
          <EmptyState text={t('systemMessages.operator.none')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('systemMessages.operator.caption')}
            captionHidden
            rows={notices}
            columns={[
              {
                header: t('systemMessages.operator.colPosted'),
                html: (n) => (
                  <When ctx={ctx} at={n.createdAt} text={formatDate(ctx.lang, n.createdAt, 'shortDateTime')} />
                ),
              },
              { header: t('systemMessages.operator.colPortal'), text: (n) => portalName(n.portalId) },
              { header: t('systemMessages.operator.colText'), text: (n) => props.textOf(n), rowHeader: true },
              {
                header: t('systemMessages.operator.colBy'),
                text: (n) =>
                  n.byOperator ? t('systemMessages.operator.byOperator') : t('systemMessages.operator.byRelease'),
              },
            ]}
          />
        )}
      </Section>
    </Page>
  );
}
