// Pages of the staff login: e-mail and password, the TOTP code, TOTP enrolment, and the organisation chooser.
// Every form works without JavaScript, carries the CSRF token, and reports errors in a summary at the top that
// links to the field concerned.
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import { Csrf, ErrorSummary, TextField, type FieldError } from '../platform/web/components/index.js';

const errorFor = (errors: FieldError[], field: string) => errors.find((e) => e.field === field)?.message;

/** The page title gets an "error" prefix when the form has errors, so screen reader users hear it first. */
function titleOf(ctx: PageContext, title: string, errors: FieldError[]): string {
  return errors.length > 0 ? `${ctx.t('form.errors.title')}: ${title}` : title;
}

export function LoginPage(props: { ctx: PageContext; email?: string; errors?: FieldError[] }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  return (
    <Layout ctx={ctx} title={titleOf(ctx, t('staff.login.title'), errors)}>
      <h1 class="utrecht-heading-1" safe>
        {t('staff.login.title')}
      </h1>
      <ErrorSummary ctx={ctx} errors={errors} />
      <p class="utrecht-paragraph" safe>
        {t('staff.login.intro')}
      </p>
      <form method="post" action="/staff/login" class="koepel-form" novalidate>
        <Csrf ctx={ctx} />
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
        <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
          {t('staff.login.submit')}
        </button>
      </form>
      <p class="utrecht-paragraph" safe>
        {t('staff.login.totpNote')}
      </p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/" safe>
          {t('staff.login.citizenHint')}
        </a>
      </p>
    </Layout>
  );
}

export function TotpPage(props: { ctx: PageContext; errors?: FieldError[] }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  return (
    <Layout ctx={ctx} title={titleOf(ctx, t('staff.totp.title'), errors)}>
      <h1 class="utrecht-heading-1" safe>
        {t('staff.totp.title')}
      </h1>
      <ErrorSummary ctx={ctx} errors={errors} />
      <p class="utrecht-paragraph" safe>
        {t('staff.totp.intro', { portal: ctx.portal.name })}
      </p>
      <form method="post" action="/staff/login/totp" class="koepel-form" novalidate>
        <Csrf ctx={ctx} />
        <CodeField ctx={ctx} error={errorFor(errors, 'code')} />
        <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
          {t('staff.totp.submit')}
        </button>
      </form>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/staff/login" safe>
          {t('staff.restart')}
        </a>
      </p>
    </Layout>
  );
}

function CodeField(props: { ctx: PageContext; error: string | undefined }): JSX.Element {
  const { t } = props.ctx;
  return (
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
    <Layout ctx={ctx} title={titleOf(ctx, t('staff.enrol.title'), errors)}>
      <h1 class="utrecht-heading-1" safe>
        {t('staff.enrol.title')}
      </h1>
      <ErrorSummary ctx={ctx} errors={errors} />
      <p class="utrecht-paragraph" safe>
        {view.required ? t('staff.enrol.requiredIntro') : t('staff.enrol.optionalIntro')}
      </p>
      <ol class="utrecht-ordered-list">
        <li class="utrecht-ordered-list__item" safe>
          {t('staff.enrol.step1')}
        </li>
        <li class="utrecht-ordered-list__item" safe>
          {t('staff.enrol.step2')}
        </li>
        <li class="utrecht-ordered-list__item" safe>
          {t('staff.enrol.step3')}
        </li>
      </ol>
      <div class="koepel-enrol">
        <img class="koepel-qr" src={view.qrDataUrl} alt={t('staff.enrol.qrAlt')} width="220" height="220" />
        <section aria-labelledby="manual-key-title" class="koepel-enrol-manual">
          <h2 id="manual-key-title" class="utrecht-heading-2" safe>
            {t('staff.enrol.manualTitle')}
          </h2>
          <p class="utrecht-paragraph" safe>
            {t('staff.enrol.manualBody')}
          </p>
          <p class="utrecht-paragraph">
            <span safe>{`${t('staff.enrol.manualKey')}: `}</span>
            <code class="koepel-secret" id="totp-secret" safe>
              {view.manualKey}
            </code>
          </p>
        </section>
      </div>
      <form method="post" action={view.action} class="koepel-form" novalidate>
        <Csrf ctx={ctx} />
        <CodeField ctx={ctx} error={errorFor(errors, 'code')} />
        <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
          {t('staff.enrol.submit')}
        </button>
      </form>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={view.cancel.href} safe>
          {view.cancel.label}
        </a>
      </p>
    </Layout>
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
  const error = errors[0]?.message;
  return (
    <Layout ctx={ctx} title={titleOf(ctx, t('staff.choose.title'), errors)}>
      <ErrorSummary ctx={ctx} errors={errors.map((e) => ({ ...e, field: `org-${first}` }))} />
      <form method="post" action="/staff/login/organisation" class="koepel-form" novalidate>
        <Csrf ctx={ctx} />
        <fieldset
          class={`utrecht-form-fieldset utrecht-form-fieldset--html-fieldset koepel-choose${error ? ' utrecht-form-fieldset--invalid' : ''}`}
          aria-describedby={error ? 'choose-intro choose-error' : 'choose-intro'}
        >
          {/* The question is the page's heading, as one question per page. */}
          <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">
            <h1 class="utrecht-heading-1" safe>
              {t('staff.choose.title')}
            </h1>
          </legend>
          <p class="utrecht-paragraph" id="choose-intro" safe>
            {t('staff.choose.intro')}
          </p>
          {error ? (
            <p class="utrecht-form-field-error-message" id="choose-error" safe>
              {error}
            </p>
          ) : (
            ''
          )}
          {props.options.map((o) => (
            <div class="utrecht-form-field utrecht-form-field--radio">
              <div class="utrecht-form-field__input">
                <input
                  class="utrecht-radio-button utrecht-radio-button--html-input"
                  type="radio"
                  name="organisation"
                  id={`org-${o.value}`}
                  value={o.value}
                />
              </div>
              <div class="utrecht-form-field__label">
                <label class="utrecht-form-label utrecht-form-label--radio" for={`org-${o.value}`} safe>
                  {o.label}
                </label>
              </div>
            </div>
          ))}
        </fieldset>
        <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
          {t('staff.choose.submit')}
        </button>
      </form>
    </Layout>
  );
}
