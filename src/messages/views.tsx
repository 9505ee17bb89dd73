// The citizen's message pages (MG-9): the list with its tabs, a new conversation, one conversation.
import { formatDate } from '../platform/i18n/format.js';
import {
  Alert,
  Button,
  ButtonLink,
  DataTable,
  EmptyState,
  ErrorSummary,
  FileField,
  Form,
  Heading,
  HiddenField,
  Link,
  List,
  Page,
  Paragraph,
  providerLang,
  Section,
  Select,
  Text,
  TextArea,
  TextField,
  VisuallyHidden,
  type FieldError,
} from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import { CONVERSATIONS_PATH, MessageTabs } from '../system-messages/index.js';
import { ACCEPT } from './attachments.js';
import {
  BODY_MAX,
  SUBJECT_MAX,
  type AttachmentInfo,
  type ConversationSummary,
  type MessageableOrganisation,
  type Sender,
  type Thread,
  type ThreadMessage,
} from './conversations.js';

export function sizeText(ctx: PageContext, bytes: number): string {
  if (bytes < 1024 * 1024) return ctx.t('messages.size.kb', { n: Math.max(1, Math.round(bytes / 1024)) });
  return ctx.t('messages.size.mb', { n: (bytes / 1024 / 1024).toFixed(1) });
}

const statusText = (ctx: PageContext, s: ConversationSummary['status']) => ctx.t(`messages.status.${s}`);

export function ListPage(props: {
  ctx: PageContext;
  conversations: ConversationSummary[];
  canStart: boolean;
  /** Unread system messages, for the count on their tab. */
  systemUnread: number;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('messages.title')} intro={t('messages.intro')}>
      <MessageTabs ctx={ctx} current={CONVERSATIONS_PATH} unread={props.systemUnread} />
      {props.canStart ? (
        <Paragraph>
          <ButtonLink href="/messages/new" text={t('messages.new')} />
        </Paragraph>
      ) : (
        <Text text={t('messages.cannotStart')} />
      )}
      <Section id="conversations" title={t('messages.listTitle')}>
        {props.conversations.length === 0 ? (
          <EmptyState text={t('messages.none')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('messages.listTitle')}
            captionHidden
            class="koepel-messages-table"
            rowClass={(c) => (c.unread > 0 ? 'koepel-messages-unread' : undefined)}
            columns={[
              {
                header: t('messages.col.subject'),
                rowHeader: true,
                html: (c) => (
                  <>
                    <Link href={`/messages/${c.id}`} text={c.subject} lang={subjectLang(ctx, c)} />
                    {c.unread > 0 ? (
                      <>
                        {' '}
                        <span class="koepel-badge" aria-hidden="true" safe>
                          {t('messages.unread')}
                        </span>
                        <VisuallyHidden text={`(${t('messages.unreadCount', { count: c.unread })})`} />
                      </>
                    ) : (
                      ''
                    )}
                  </>
                ),
              },
              { header: t('messages.col.organisation'), text: (c) => c.organisationName },
              { header: t('messages.col.last'), text: (c) => formatDate(ctx.lang, c.lastMessageAt, 'dateTime') },
              { header: t('messages.col.status'), text: (c) => statusText(ctx, c.status) },
            ]}
            rows={props.conversations}
          />
        )}
      </Section>
    </Page>
  );
}

export interface NewValues {
  to: string;
  subject: string;
  body: string;
}

export function ChooseOrganisationPage(props: {
  ctx: PageContext;
  organisations: MessageableOrganisation[];
  follows: string | null;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('messages.newTitle')} back={{ href: '/messages', label: t('messages.back') }}>
      <Text text={t('messages.newIntro')} />
      <Form ctx={ctx} action="/messages/new" method="get">
        <Select
          id="org"
          label={t('messages.field.organisation')}
          options={props.organisations.map((o) => ({ value: o.id, label: o.name }))}
        />
        <Button text={t('messages.new')} />
      </Form>
    </Page>
  );
}

export function NewPage(props: {
  ctx: PageContext;
  organisation: MessageableOrganisation;
  organisations: MessageableOrganisation[];
  staff: { id: string; name: string }[];
  follows: string | null;
  idempotencyKey: string;
  values: NewValues;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, values } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const err = (f: string) => errors.find((e) => e.field === f)?.message;
  return (
    <Page
      ctx={ctx}
      title={t('messages.newTitle')}
      back={{ href: '/messages', label: t('messages.back') }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      <Text text={t('messages.newIntro')} />
      <Form ctx={ctx} action="/messages" enctype="multipart/form-data" novalidate>
        <HiddenField name="key" value={props.idempotencyKey} />
        <HiddenField name="org" value={props.organisation.id} />
        {props.follows ? <HiddenField name="follows" value={props.follows} /> : ''}
        <dl class="koepel-messages-meta">
          <dt safe>{t('messages.field.organisation')}</dt>
          <dd>
            <span safe>{props.organisation.name}</span>
            {props.organisations.length > 1 && !props.follows ? (
              <>
                {' '}
                (<Link href="/messages/new?choose=1" text={t('messages.field.organisation').toLowerCase()} />)
              </>
            ) : (
              ''
            )}
          </dd>
        </dl>
        {props.staff.length > 0 ? (
          <Select
            id="to"
            label={t('messages.field.staff')}
            hint={t('messages.field.staffHint')}
            options={[
              { value: '', label: t('messages.field.staffAnyone') },
              ...props.staff.map((s) => ({ value: s.id, label: s.name })),
            ]}
            selected={values.to}
            error={err('to')}
          />
        ) : (
          ''
        )}
        <TextField
          id="subject"
          label={t('messages.field.subject')}
          value={values.subject}
          maxlength={SUBJECT_MAX}
          required
          error={err('subject')}
        />
        <TextArea
          id="body"
          name="body"
          label={t('messages.field.body')}
          value={values.body}
          maxLength={BODY_MAX}
          rows={8}
          required
          error={err('body')}
        />
        <FileField
          id="files"
          label={t('messages.field.files')}
          hint={t('messages.field.filesHint')}
          accept={ACCEPT}
          multiple
          error={err('files')}
        />
        <Button text={t('messages.send')} />
      </Form>
    </Page>
  );
}

function Attachments(props: { ctx: PageContext; files: AttachmentInfo[]; base: string }): JSX.Element {
  const { ctx } = props;
  if (props.files.length === 0) return <></>;
  return (
    <div class="koepel-messages-attachments">
      <Text style="small" text={ctx.t('messages.thread.attachments')} />
      <List plain>
        {props.files.map((f) => (
          <li>
            <Link
              href={`${props.base}/attachments/${f.id}`}
              text={ctx.t('messages.thread.download', { name: f.fileName, size: sizeText(ctx, f.size) })}
            />
          </li>
        ))}
      </List>
    </div>
  );
}

/** A conversation's subject is provider text when the organisation (its staff or its system) started it; a subject the
 * citizen wrote is in their own words, in whatever language. */
export function subjectLang(ctx: PageContext, c: { startedBy: Sender | null }): 'nl' | undefined {
  return c.startedBy === 'staff' || c.startedBy === 'system' ? providerLang(ctx) : undefined;
}

/** One message of a thread, as an article headed by who wrote it and when. */
export function MessageItem(props: {
  ctx: PageContext;
  message: ThreadMessage;
  from: string;
  own: boolean;
  receipt: string | null;
  base: string;
  /** Written by the organisation (its staff or its system): Dutch, lang="nl" on an English page (ProviderText). */
  provider?: boolean;
}): JSX.Element {
  const { ctx, message: m } = props;
  const id = `m-${m.id}`;
  return (
    <li>
      <article class={`koepel-message${props.own ? ' koepel-message--own' : ''}`} aria-labelledby={id}>
        <Heading level={2} look={3} id={id} class="koepel-message-head" text={props.from} />
        <Text style="small" text={formatDate(ctx.lang, m.at, 'dateTime')} />
        <div class="koepel-message-body" lang={props.provider ? providerLang(ctx) : undefined}>
          <Text text={m.body} />
        </div>
        <Attachments ctx={ctx} files={m.attachments} base={props.base} />
        {props.receipt ? (
          <div class="koepel-message-receipt">
            <Text style="small" text={props.receipt} />
          </div>
        ) : (
          ''
        )}
      </article>
    </li>
  );
}

export function ThreadPage(props: {
  ctx: PageContext;
  thread: Thread;
  idempotencyKey: string;
  notice: 'sent' | null;
  values?: { body: string };
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, thread: c } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const base = `/messages/${c.id}`;
  return (
    <Page
      ctx={ctx}
      title={c.subject}
      titleLang={subjectLang(ctx, c)}
      documentTitle={t('messages.title')}
      back={{ href: '/messages', label: t('messages.back') }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      {props.notice === 'sent' ? <Alert kind="ok" text={t('messages.thread.sent')} /> : ''}
      <dl class="koepel-messages-meta">
        <dt safe>{t('messages.col.organisation')}</dt>
        <dd safe>{c.organisationName}</dd>
        {c.addressedToName ? (
          <>
            <dt safe>{t('messages.field.staff')}</dt>
            <dd safe>{c.addressedToName}</dd>
          </>
        ) : (
          ''
        )}
        <dt safe>{t('messages.col.status')}</dt>
        <dd safe>{statusText(ctx, c.status)}</dd>
      </dl>
      {c.about ? <Text text={t(`messages.thread.about.${c.about.kind}`)} /> : ''}
      {c.followsId ? (
        <Paragraph>
          <span safe>{t('messages.thread.follows')}</span>:{' '}
          <Link href={`/messages/${c.followsId}`} text={t('messages.thread.followsLink')} />
        </Paragraph>
      ) : (
        ''
      )}
      <ol class="koepel-messages-thread">
        {c.messages.map((m) => (
          <MessageItem
            ctx={ctx}
            message={m}
            own={m.sender === 'citizen'}
            provider={m.sender !== 'citizen'}
            from={
              m.sender === 'citizen'
                ? t('messages.thread.from.you')
                : m.sender === 'system'
                  ? t('messages.thread.from.system', { organisation: c.organisationName })
                  : (m.senderName ?? c.organisationName)
            }
            receipt={
              m.sender === 'citizen'
                ? m.readAt
                  ? t('messages.thread.readAt', { at: formatDate(ctx.lang, m.readAt, 'dateTime') })
                  : t('messages.thread.notRead')
                : null
            }
            base={base}
          />
        ))}
      </ol>
      {c.status === 'closed' ? (
        <Alert kind="info" text={t('messages.thread.closed', { organisation: c.organisationName })}>
          <Paragraph>
            <ButtonLink
              href={`/messages/new?org=${c.organisationId}&follows=${c.id}`}
              text={t('messages.thread.newFromClosed')}
            />
          </Paragraph>
        </Alert>
      ) : (
        <Section id="reply" title={t('messages.thread.reply')}>
          <Form ctx={ctx} action={`${base}/reply`} enctype="multipart/form-data" novalidate>
            <HiddenField name="key" value={props.idempotencyKey} />
            <TextArea
              id="body"
              name="body"
              label={t('messages.thread.replyField')}
              value={props.values?.body ?? ''}
              maxLength={BODY_MAX}
              rows={6}
              required
              error={errors.find((e) => e.field === 'body')?.message}
            />
            <FileField
              id="files"
              label={t('messages.field.files')}
              hint={t('messages.field.filesHint')}
              accept={ACCEPT}
              multiple
              error={errors.find((e) => e.field === 'files')?.message}
            />
            <Button text={t('messages.send')} />
          </Form>
        </Section>
      )}
    </Page>
  );
}
