// Pages of the staff login: e-mail and password, the TOTP code, TOTP enrolment, and the organisation chooser.
// Every form works without JavaScript, carries the CSRF token, and reports errors in a summary at the top that
// links to the field concerned.
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import {
  Alert,
  Button,
  Choices,
  ErrorSummary,
  Form,
  Link,
  List,
  Page,
  Paragraph,
  Section,
  Text,
  TextField,
  titleWithErrors,
  render,
  type Children,
  type FieldError,
} from '../platform/web/components/index.js';

const errorFor = (errors: FieldError[], field: string) => errors.find((e) => e.field === field)?.message;

/** A page of the login: its title, the error summary, an intro, the form, and what comes after it. */
function StepPage(props: {
  ctx: PageContext;
  title: string;
  intro: string;
  errors: FieldError[];
  children: Children;
}): JSX.Element {
  const { ctx, errors } = props;
  return (
    <Page ctx={ctx} title={props.title} errors={errors}>
      <ErrorSummary ctx={ctx} errors={errors} />
      <Text text={props.intro} />
      {render(props.children)}
    </Page>
  );
}

/** A link on a line of its own, under a form. */
export function LinkLine(props: { href: string; text: string }): JSX.Element {
  return (
    <Paragraph>
      <Link href={props.href} text={props.text} />
    </Paragraph>
  );
}

export function LoginPage(props: {
  ctx: PageContext;
  email?: string;
  errors?: FieldError[];
  /** The session ended on a staff page: say so above the form. */
  expired?: boolean;
  /** Just chose a password from an invitation link. */
  passwordSet?: boolean;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  return (
    <StepPage ctx={ctx} title={t('staff.login.title')} intro={t('staff.login.intro')} errors={errors}>
      {props.expired ? <Alert kind="info" class="koepel-notice" text={t('staff.login.expired')} /> : ''}
      {props.passwordSet ? <Alert kind="ok" class="koepel-notice" text={t('staff.login.passwordSet')} /> : ''}
      <Form ctx={ctx} action="/staff/login" novalidate>
        <TextField
          id="email"
          label={t('staff.login.email')}
          type="email"
          autocomplete="username"
          inputmode="email"
          spellcheck={false}
          value={props.email ?? ''}
          error={errorFor(errors, 'email')}
          required
          maxlength={320}
        />
        <TextField
          id="password"
          label={t('staff.login.password')}
          type="password"
          autocomplete="current-password"
          error={errorFor(errors, 'password')}
          required
          maxlength={1024}
        />
        <Button text={t('staff.login.submit')} />
      </Form>
      <Text text={t('staff.login.totpNote')} />
      <LinkLine href="/" text={t('staff.login.citizenHint')} />
    </StepPage>
  );
}

export function TotpPage(props: { ctx: PageContext; errors?: FieldError[] }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  return (
    <StepPage
      ctx={ctx}
      title={t('staff.totp.title')}
      intro={t('staff.totp.intro', { portal: ctx.portal.name })}
      errors={errors}
    >
      <CodeForm ctx={ctx} action="/staff/login/totp" error={errorFor(errors, 'code')} submit={t('staff.totp.submit')} />
      <LinkLine href="/staff/login" text={t('staff.restart')} />
    </StepPage>
  );
}

/** The form with the one field for a six-digit code from the authenticator app. */
function CodeForm(props: { ctx: PageContext; action: string; error: string | undefined; submit: string }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Form ctx={ctx} action={props.action} novalidate>
      <TextField
        id="code"
        label={t('staff.totp.code')}
        hint={t('staff.totp.codeHint')}
        autocomplete="one-time-code"
        inputmode="numeric"
        spellcheck={false}
        error={props.error}
        required
        maxlength={7}
        size="small"
      />
      <Button text={props.submit} />
    </Form>
  );
}

export interface EnrolView {
  qrDataUrl: string;
  manualKey: string;
  required: boolean;
  action: string;
  cancel: { href: string; label: string };
}

export function EnrolPage(props: { ctx: PageContext; view: EnrolView; errors?: FieldError[] }): JSX.Element {
  const { ctx, view } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  return (
    <StepPage
      ctx={ctx}
      title={t('staff.enrol.title')}
      intro={view.required ? t('staff.enrol.requiredIntro') : t('staff.enrol.optionalIntro')}
      errors={errors}
    >
      <List ordered>
        <li safe>{t('staff.enrol.step1')}</li>
        <li safe>{t('staff.enrol.step2')}</li>
        <li safe>{t('staff.enrol.step3')}</li>
      </List>
      <div class="koepel-enrol">
        <img class="koepel-qr" src={view.qrDataUrl} alt={t('staff.enrol.qrAlt')} width="220" height="220" />
        <div class="koepel-enrol-manual">
          <Section id="manual-key-title" title={t('staff.enrol.manualTitle')}>
            <Text text={t('staff.enrol.manualBody')} />
            <Paragraph>
              <span safe>{`${t('staff.enrol.manualKey')}: `}</span>
              <code class="koepel-secret" id="totp-secret" safe>
                {view.manualKey}
              </code>
            </Paragraph>
          </Section>
        </div>
      </div>
      <CodeForm ctx={ctx} action={view.action} error={errorFor(errors, 'code')} submit={t('staff.enrol.submit')} />
      <LinkLine href={view.cancel.href} text={view.cancel.label} />
    </StepPage>
  );
}

export interface OrganisationOption {
  value: string;
  label: string;
}

export function ChooseOrganisationPage(props: {
  ctx: PageContext;
  options: OrganisationOption[];
  errors?: FieldError[];
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const first = props.options[0]?.value ?? '';
  return (
    <Layout ctx={ctx} title={titleWithErrors(ctx, t('staff.choose.title'), errors)}>
      <ErrorSummary ctx={ctx} errors={errors.map((e) => ({ ...e, field: `org-${first}` }))} />
      <Form ctx={ctx} action="/staff/login/organisation" class="koepel-form koepel-choose" novalidate>
        {/* The question is the page's heading, as one question per page. */}
        <Choices
          type="radio"
          idPrefix="org"
          name="organisation"
          legend={t('staff.choose.title')}
          legendIsPageHeading
          hint={t('staff.choose.intro')}
          options={props.options}
          checked={[]}
          error={errors[0]?.message}
        />
        <Button text={t('staff.choose.submit')} />
      </Form>
    </Layout>
  );
}
