// The staff pages of messages (MG-9, messages:read): the inbox, one conversation, the standard answers, the setting.
import { formatDate } from '../platform/i18n/format.js';
import {
  Alert,
  Button,
  ButtonGroup,
  Choices,
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
  Pagination,
  Paragraph,
  Section,
  Select,
  Text,
  TextArea,
  TextField,
  VisuallyHidden,
  type FieldError,
} from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import { ACCEPT } from './attachments.js';
import {
  BODY_MAX,
  INBOX_STATES,
  INBOX_WHO,
  NOTE_MAX,
  type Colleague,
  type Inbox,
  type InboxState,
  type InboxWho,
  type StaffThread,
  type Template,
} from './conversations.js';
import { MessageItem, subjectLang } from './views.js';

export const INBOX = '/staff/messages';

export interface InboxQuery {
  state: InboxState;
  who: InboxWho;
  page: number;
}

export const inboxHref = (q: InboxQuery) =>
  `${INBOX}?state=${q.state}&who=${q.who}${q.page > 1 ? `&page=${q.page}` : ''}`;

function FilterLinks<T extends string>(props: {
  ctx: PageContext;
  label: string;
  items: readonly T[];
  current: T;
  text: (item: T) => string;
  href: (item: T) => string;
}): JSX.Element {
  return (
    <nav class="koepel-messages-filter" aria-label={props.label}>
      <ul class="koepel-inline-list">
        {props.items.map((i) => (
          <li class={i === props.current ? 'koepel-messages-tab--current' : ''}>
            <Link href={props.href(i)} text={props.text(i)} current={i === props.current ? 'page' : undefined} />
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function InboxPage(props: {
  ctx: PageContext;
  query: InboxQuery;
  inbox: Inbox;
  canManageTemplates: boolean;
}): JSX.Element {
  const { ctx, query, inbox } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('messages.staff.title')} intro={t('messages.staff.intro')}>
      <FilterLinks
        ctx={ctx}
        label={t('messages.staff.state')}
        items={INBOX_STATES}
        current={query.state}
        text={(s) => t(`messages.staff.state.${s}`, { count: inbox.counts[s] })}
        href={(s) => inboxHref({ ...query, state: s, page: 1 })}
      />
      <FilterLinks
        ctx={ctx}
        label={t('messages.staff.who')}
        items={INBOX_WHO}
        current={query.who}
        text={(w) => t(`messages.staff.who.${w}`)}
        href={(w) => inboxHref({ ...query, who: w, page: 1 })}
      />
      {inbox.rows.length === 0 ? (
        <EmptyState text={t('messages.staff.none')} />
      ) : (
        <DataTable
          ctx={ctx}
          caption={t('messages.staff.caption')}
          class="koepel-messages-table"
          rowClass={(r) => (r.unread > 0 ? 'koepel-messages-unread' : undefined)}
          columns={[
            {
              header: t('messages.staff.col.subject'),
              rowHeader: true,
              html: (r) => (
                <>
                  <Link href={`${INBOX}/${r.id}`} text={r.subject} lang={subjectLang(ctx, r)} />
                  {r.unread > 0 ? (
                    <>
                      {' '}
                      <span class="koepel-badge" aria-hidden="true" safe>
                        {t('messages.unread')}
                      </span>
                      <VisuallyHidden text={`(${t('messages.unreadCount', { count: r.unread })})`} />
                    </>
                  ) : (
                    ''
                  )}
                </>
              ),
            },
            { header: t('messages.staff.col.patient'), text: (r) => r.patient ?? t('messages.staff.formerPatient') },
            { header: t('messages.staff.col.last'), text: (r) => formatDate(ctx.lang, r.lastMessageAt, 'dateTime') },
            {
              header: t('messages.staff.col.assigned'),
              text: (r) => r.assignedName ?? t('messages.staff.unassigned'),
            },
          ]}
          rows={inbox.rows}
        />
      )}
      <Pagination
        ctx={ctx}
        page={inbox.page}
        pages={inbox.pages}
        href={(p) => inboxHref({ ...query, page: p })}
        label={t('messages.staff.pages')}
      />
      {props.canManageTemplates ? (
        <Paragraph>
          <Link href={`${INBOX}/templates`} text={t('messages.staff.templatesNav')} />
        </Paragraph>
      ) : (
        ''
      )}
    </Page>
  );
}

export type StaffNotice = 'sent' | 'assigned' | 'note' | 'closed' | 'reopened';
const NOTICE_TEXT = {
  sent: 'messages.staff.sent',
  assigned: 'messages.staff.assigned',
  note: 'messages.staff.noteAdded',
  closed: 'messages.staff.closed',
  reopened: 'messages.staff.reopened',
} as const;

export function StaffThreadPage(props: {
  ctx: PageContext;
  thread: StaffThread;
  me: string;
  colleagues: Colleague[];
  templates: Template[];
  answer: string;
  idempotencyKey: string;
  notice: StaffNotice | null;
  errors?: FieldError[];
  noteValue?: string;
}): JSX.Element {
  const { ctx, thread: c } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const err = (f: string) => errors.find((e) => e.field === f)?.message;
  const base = `${INBOX}/${c.id}`;
  const assignedName = props.colleagues.find((x) => x.id === c.assignedTo)?.name ?? null;
  return (
    <Page
      ctx={ctx}
      title={c.subject}
      titleLang={subjectLang(ctx, c)}
      documentTitle={t('messages.staff.title')}
      back={{ href: INBOX, label: t('messages.staff.back') }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      {props.notice ? <Alert kind="ok" text={t(NOTICE_TEXT[props.notice])} /> : ''}
      <dl class="koepel-messages-meta">
        <dt safe>{t('messages.staff.patient')}</dt>
        <dd safe>{c.patient?.name ?? t('messages.staff.formerPatient')}</dd>
        {c.patient?.patientNumber ? (
          <>
            <dt safe>{t('messages.staff.patientNumber')}</dt>
            <dd safe>{c.patient.patientNumber}</dd>
          </>
        ) : (
          ''
        )}
        {c.addressedToName ? (
          <>
            <dt safe>{t('messages.staff.addressedTo')}</dt>
            <dd safe>{c.addressedToName}</dd>
          </>
        ) : (
          ''
        )}
        <dt safe>{t('messages.staff.col.assigned')}</dt>
        <dd safe>{assignedName ?? t('messages.staff.unassigned')}</dd>
        <dt safe>{t('messages.col.status')}</dt>
        <dd safe>{t(`messages.status.${c.status}`)}</dd>
      </dl>
      {c.about ? <Text text={t(`messages.thread.about.${c.about.kind}`)} /> : ''}
      <ol class="koepel-messages-thread">
        {c.messages.map((m) => (
          <MessageItem
            ctx={ctx}
            message={m}
            own={m.sender !== 'citizen'}
            provider={m.sender !== 'citizen'}
            from={
              m.sender === 'citizen'
                ? (c.patient?.name ?? t('messages.staff.from.patient'))
                : m.sender === 'system'
                  ? t('messages.thread.from.system', { organisation: c.organisationName })
                  : (m.senderName ?? c.organisationName)
            }
            receipt={
              m.sender === 'citizen'
                ? null
                : m.readAt
                  ? t('messages.staff.readByPatient', { at: formatDate(ctx.lang, m.readAt, 'dateTime') })
                  : t('messages.staff.notReadByPatient')
            }
            base={base}
          />
        ))}
      </ol>

      {c.status === 'closed' ? (
        <Alert kind="info" text={t('messages.staff.closedNotice')} />
      ) : (
        <Section id="answer-title" anchor="answer" title={t('messages.staff.answer')}>
          {props.templates.length > 0 ? (
            <Form ctx={ctx} action={`${base}#answer`} method="get" class="koepel-form koepel-messages-template">
              <Select
                id="template"
                label={t('messages.staff.template')}
                hint={t('messages.staff.templateHint')}
                options={props.templates.map((x) => ({ value: x.id, label: x.title }))}
              />
              <Button style="secondary" text={t('messages.staff.templateInsert')} />
            </Form>
          ) : (
            ''
          )}
          <Form ctx={ctx} action={`${base}/answer`} enctype="multipart/form-data" novalidate>
            <HiddenField name="key" value={props.idempotencyKey} />
            <TextArea
              id="body"
              name="body"
              label={t('messages.staff.answerField')}
              value={props.answer}
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
            <Button text={t('messages.staff.send')} />
          </Form>
        </Section>
      )}

      <Section id="assign-title" title={t('messages.staff.assign')}>
        <Form ctx={ctx} action={`${base}/assign`} class="koepel-form koepel-messages-assign">
          <Select
            id="assignee"
            name="to"
            label={t('messages.staff.assignTo')}
            options={[
              { value: '', label: t('messages.staff.assignNobody') },
              ...props.colleagues.map((x) => ({ value: x.id, label: x.name })),
            ]}
            selected={c.assignedTo ?? ''}
          />
          <ButtonGroup>
            <Button style="secondary" text={t('messages.staff.assign')} />
            {c.assignedTo !== props.me ? (
              <Button style="secondary" name="me" value="1" text={t('messages.staff.assignMe')} />
            ) : (
              ''
            )}
          </ButtonGroup>
        </Form>
      </Section>

      <Section id="notes-title" anchor="notes" title={t('messages.staff.notes')} class="koepel-messages-notes">
        <Text text={t('messages.staff.notesHint')} />
        {c.notes.length === 0 ? (
          <EmptyState text={t('messages.staff.noNotes')} />
        ) : (
          <List plain>
            {c.notes.map((n) => (
              <li class="koepel-message koepel-message--note">
                <Text
                  style="small"
                  text={t('messages.staff.noteBy', {
                    name: n.authorName ?? '',
                    at: formatDate(ctx.lang, n.at, 'dateTime'),
                  })}
                />
                <div class="koepel-message-body">
                  <Text text={n.body} />
                </div>
              </li>
            ))}
          </List>
        )}
        <Form ctx={ctx} action={`${base}/notes`} novalidate>
          <TextArea
            id="note"
            name="note"
            label={t('messages.staff.noteField')}
            value={props.noteValue ?? ''}
            maxLength={NOTE_MAX}
            rows={3}
            required
            error={err('note')}
          />
          <Button style="secondary" text={t('messages.staff.noteAdd')} />
        </Form>
      </Section>

      <Form ctx={ctx} action={`${base}/${c.status === 'closed' ? 'reopen' : 'close'}`}>
        <Button
          style="secondary"
          text={c.status === 'closed' ? t('messages.staff.reopen') : t('messages.staff.close')}
        />
      </Form>
    </Page>
  );
}

export function TemplatesPage(props: {
  ctx: PageContext;
  templates: Template[];
  editing: Template | null;
  values: { title: string; body: string };
  notice: 'saved' | 'deleted' | null;
  errors?: FieldError[];
  canSettings: boolean;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const err = (f: string) => errors.find((e) => e.field === f)?.message;
  const action = props.editing ? `${INBOX}/templates/${props.editing.id}` : `${INBOX}/templates`;
  return (
    <Page
      ctx={ctx}
      title={t('messages.staff.templates')}
      intro={t('messages.staff.templatesIntro')}
      back={{ href: INBOX, label: t('messages.staff.back') }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      {props.notice ? (
        <Alert
          kind="ok"
          text={t(props.notice === 'saved' ? 'messages.staff.templateSaved' : 'messages.staff.templateDeleted')}
        />
      ) : (
        ''
      )}
      {props.templates.length === 0 ? (
        <EmptyState text={t('messages.staff.noTemplates')} />
      ) : (
        <List plain class="koepel-messages-templates">
          {props.templates.map((x) => (
            <li class="koepel-message">
              <Heading level={2} look={3} class="koepel-message-head" text={x.title} />
              <div class="koepel-message-body">
                <Text text={x.body} />
              </div>
              <ButtonGroup>
                <Link href={`${INBOX}/templates/${x.id}`} text={t('messages.staff.templateChange')} />
                <Form ctx={ctx} action={`${INBOX}/templates/${x.id}/delete`} class="koepel-inline-form">
                  <Button style="subtle" text={t('messages.staff.templateDelete')} />
                </Form>
              </ButtonGroup>
            </li>
          ))}
        </List>
      )}
      <Section
        id="template-form"
        title={
          props.editing
            ? t('messages.staff.templateEdit', { title: props.editing.title })
            : t('messages.staff.templateAdd')
        }
      >
        <Form ctx={ctx} action={action} novalidate>
          <TextField
            id="title"
            label={t('messages.staff.templateTitle')}
            value={props.values.title}
            maxlength={120}
            required
            error={err('title')}
          />
          <TextArea
            id="template-body"
            name="body"
            label={t('messages.staff.templateBody')}
            value={props.values.body}
            maxLength={BODY_MAX}
            rows={6}
            required
            error={err('template-body')}
          />
          <Button text={t('messages.staff.templateSave')} />
        </Form>
      </Section>
      {props.canSettings ? (
        <Paragraph>
          <Link href={`${INBOX}/settings`} text={t('messages.staff.settings')} />
        </Paragraph>
      ) : (
        ''
      )}
    </Page>
  );
}

export function SettingsPage(props: { ctx: PageContext; toStaff: boolean; saved: boolean }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('messages.staff.adminNav')}>
      {props.saved ? <Alert kind="ok" text={t('messages.staff.settingsSaved')} /> : ''}
      <Form ctx={ctx} action={`${INBOX}/settings`}>
        <Choices
          type="checkbox"
          idPrefix="to-staff"
          name="toStaff"
          legend={t('messages.staff.settings')}
          options={[{ value: 'on', label: t('messages.staff.toStaff'), hint: t('messages.staff.toStaffHint') }]}
          checked={props.toStaff ? ['on'] : []}
        />
        <Button text={t('messages.staff.settingsSave')} />
      </Form>
      <Paragraph>
        <Link href={`${INBOX}/templates`} text={t('messages.staff.templatesNav')} />
      </Paragraph>
    </Page>
  );
}
