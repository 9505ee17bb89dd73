// Pages of the citizen's notification settings (issue 14, MG-10, PZ-3), the address confirmation and the dev outbox.
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Alert,
  Button,
  ButtonGroup,
  Choices,
  EmptyState,
  ErrorSummary,
  Form,
  HiddenField,
  Link,
  Page,
  Paragraph,
  Section,
  SummaryList,
  Text,
  TextField,
  type FieldError,
} from '../platform/web/components/index.js';
import { NOTIFICATION_EVENTS } from './events.js';
import type { OutboxEntry } from './mailer.js';
import type { NotificationSettings } from './settings.js';

export const NOTICES = [
  'email-supplied',
  'email-confirmed',
  'email-removed',
  'phone-saved',
  'phone-removed',
  'switches-saved',
] as const;
export type SettingsNotice = (typeof NOTICES)[number];

export interface SettingsValues {
  email?: string;
  phone?: string;
}

export function SettingsPage(props: {
  ctx: PageContext;
  settings: NotificationSettings;
  notice: SettingsNotice | null;
  values?: SettingsValues;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, settings: s } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const values = props.values ?? {};
  const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
  return (
    <Page
      ctx={ctx}
      title={t('notifications.title')}
      back={{ href: '/home', label: t('notifications.backHome') }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      {props.notice ? (
        <Alert kind="ok" class="koepel-notice" text={t(`notifications.notice.${props.notice}` as MessageKey)} />
      ) : (
        ''
      )}
      <Text style="intro" text={t('notifications.intro')} />

      <Section id="email-title" title={t('notifications.email.title')}>
        <SummaryList
          items={[
            { label: t('notifications.email.current'), text: s.email ?? t('notifications.email.none') },
            ...(s.pendingEmail ? [{ label: t('notifications.email.pending'), text: s.pendingEmail }] : []),
          ]}
        />
        {s.pendingEmail ? (
          <Text style="small" text={t('notifications.email.pendingHint', { email: s.pendingEmail })} />
        ) : (
          ''
        )}
        {s.bouncing ? <Alert kind="warning" text={t('notifications.email.bouncing')} /> : ''}
        <Form ctx={ctx} action="/settings/notifications/email" novalidate>
          <TextField
            id="email"
            type="email"
            label={t('notifications.email.label')}
            hint={t('notifications.email.hint')}
            autocomplete="email"
            inputmode="email"
            spellcheck={false}
            maxlength={254}
            value={values.email ?? ''}
            error={errorOf('email')}
            required
          />
          <Button text={t('notifications.email.save')} />
        </Form>
        {s.email || s.pendingEmail ? (
          <Form ctx={ctx} action="/settings/notifications/email/remove">
            <Button style="secondary" text={t('notifications.email.remove')} />
          </Form>
        ) : (
          ''
        )}
      </Section>

      <Section id="switches-title" title={t('notifications.switches.title')}>
        <Form ctx={ctx} action="/settings/notifications/events">
          <HiddenField name="present" value="1" />
          <Choices
            type="checkbox"
            idPrefix="events"
            name="events"
            legend={t('notifications.switches.legend')}
            hint={t('notifications.switches.hint')}
            options={NOTIFICATION_EVENTS.map((e) => ({
              value: e,
              label: t(`notifications.event.${e}` as MessageKey),
            }))}
            checked={s.events}
          />
          <Choices
            type="radio"
            idPrefix="language"
            name="language"
            legend={t('notifications.language.legend')}
            options={[
              { value: 'nl', label: t('notifications.language.nl') },
              { value: 'en', label: t('notifications.language.en') },
            ]}
            checked={[s.language]}
          />
          <Button text={t('notifications.switches.save')} />
        </Form>
      </Section>

      <Section id="phone-title" title={t('notifications.phone.title')}>
        <SummaryList
          items={[{ label: t('notifications.phone.current'), text: s.phone ?? t('notifications.phone.none') }]}
        />
        <Form ctx={ctx} action="/settings/notifications/phone" novalidate>
          <TextField
            id="phone"
            type="tel"
            label={t('notifications.phone.label')}
            hint={t('notifications.phone.hint')}
            autocomplete="tel"
            maxlength={30}
            value={values.phone ?? ''}
            error={errorOf('phone')}
            required
          />
          <Button text={t('notifications.phone.save')} />
        </Form>
        {s.phone ? (
          <Form ctx={ctx} action="/settings/notifications/phone/remove">
            <Button style="secondary" text={t('notifications.phone.remove')} />
          </Form>
        ) : (
          ''
        )}
      </Section>
    </Page>
  );
}

export function ConfirmPage(props: { ctx: PageContext; token: string }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('notifications.confirm.title')}>
      <Text text={t('notifications.confirm.explain')} />
      <Form ctx={ctx} action="/settings/email/confirm">
        <HiddenField name="token" value={props.token} />
        <ButtonGroup>
          <Button text={t('notifications.confirm.submit')} />
        </ButtonGroup>
      </Form>
    </Page>
  );
}

export function ConfirmFailedPage(props: { ctx: PageContext }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('notifications.confirm.title')}>
      <Alert kind="error" text={t('notifications.confirm.failed')} />
      <Paragraph>
        <Link href="/settings/notifications" text={t('notifications.confirm.toSettings')} />
      </Paragraph>
    </Page>
  );
}

export function OutboxPage(props: { ctx: PageContext; entries: readonly OutboxEntry[] }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('notifications.outbox.title')}>
      <Text text={t('notifications.outbox.intro')} />
      {props.entries.length === 0 ? (
        <EmptyState text={t('notifications.outbox.none')} />
      ) : (
        props.entries.map((m, i) => (
          <Section id={`mail-${i}`} title={m.subject}>
            <SummaryList
              items={[
                { label: t('notifications.outbox.to'), text: m.to },
                { label: t('notifications.outbox.at'), text: formatDate(ctx.lang, m.at, 'dateTime') },
              ]}
            />
            <div class="koepel-note-body" safe>
              {m.text}
            </div>
          </Section>
        ))
      )}
    </Page>
  );
}
