// Form building blocks shared by the staff pages: the error summary at the top of a form and a labelled text
// field with its hint and error message (NL Design System / Utrecht form field markup).
import type { PageContext } from '../platform/web/context.js';

export interface FieldError {
  /** The id of the input the message is about; the summary links to it. */
  field: string;
  message: string;
}

export function ErrorSummary(props: { ctx: PageContext; errors: FieldError[] }): JSX.Element {
  if (props.errors.length === 0) return '';
  return (
    <div
      class="utrecht-alert utrecht-alert--error koepel-error-summary"
      role="alert"
      aria-labelledby="error-summary-title"
    >
      <div class="utrecht-alert__content">
        <div class="utrecht-alert__message">
          <h2 id="error-summary-title" class="utrecht-heading-2" safe>
            {props.ctx.t('staff.errors.title')}
          </h2>
          <ul class="utrecht-unordered-list">
            {props.errors.map((e) => (
              <li>
                <a class="utrecht-link" href={`#${e.field}`} safe>
                  {e.message}
                </a>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}

/** The ids of a field's hint and error message, for aria-describedby. */
const describedBy = (id: string, hint?: string, error?: string) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** A Utrecht form field around one input: the label, the hint and the error message, each with its id. */
function FormField(props: {
  kind: 'text' | 'textarea';
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  children: JSX.Element;
}): JSX.Element {
  const { id, error, hint } = props;
  return (
    <div class={`utrecht-form-field utrecht-form-field--${props.kind}${error ? ' utrecht-form-field--invalid' : ''}`}>
      <div class="utrecht-form-field__label">
        <label class="utrecht-form-label" for={id} safe>
          {props.label}
        </label>
      </div>
      {hint ? (
        <div class="utrecht-form-field__description utrecht-form-field-description" id={`${id}-hint`} safe>
          {hint}
        </div>
      ) : (
        ''
      )}
      {error ? (
        <div class="utrecht-form-field__error-message utrecht-form-field-error-message" id={`${id}-error`} safe>
          {error}
        </div>
      ) : (
        ''
      )}
      {/* eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the input, escaped where it was built */}
      <div class="utrecht-form-field__input">{props.children as 'safe'}</div>
    </div>
  );
}

export function TextField(props: {
  id: string;
  name?: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'date';
  value?: string;
  autocomplete?: string;
  inputmode?: 'numeric' | 'email' | 'text';
  hint?: string;
  error?: string | undefined;
  required?: boolean;
  maxlength?: number;
  spellcheck?: boolean;
  size?: 'small' | 'full';
}): JSX.Element {
  const { id, error, hint } = props;
  return (
    <FormField kind="text" id={id} label={props.label} hint={hint} error={error}>
      <input
        class={`utrecht-textbox utrecht-textbox--html-input${error ? ' utrecht-textbox--invalid' : ''}${props.size === 'small' ? ' koepel-textbox-small' : ''}`}
        id={id}
        name={props.name ?? id}
        type={props.type ?? 'text'}
        value={props.value}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        maxlength={props.maxlength}
        spellcheck={props.spellcheck === false ? 'false' : undefined}
        required={props.required}
        aria-required={props.required ? 'true' : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
    </FormField>
  );
}

/** A labelled multi-line field with its hint and error message. */
export function TextArea(props: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  value?: string;
  error?: string | undefined;
  required?: boolean;
  maxLength?: number;
  /** false for fields of addresses or codes, which a spell checker only underlines. */
  spellcheck?: boolean;
}): JSX.Element {
  const { id, error, hint } = props;
  return (
    <FormField kind="textarea" id={id} label={props.label} hint={hint} error={error}>
      <textarea
        class={`utrecht-textarea utrecht-textarea--html-textarea koepel-textarea${error ? ' utrecht-textarea--invalid' : ''}`}
        id={id}
        name={props.name}
        rows="4"
        maxlength={props.maxLength}
        spellcheck={props.spellcheck === false ? 'false' : undefined}
        // aria-required only: the HTML attribute would style the empty field as invalid before any submit.
        aria-required={props.required ? 'true' : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error)}
        safe
      >
        {/* The HTML parser drops one newline right after <textarea>: this one, so that the value keeps its own. */}
        {`\n${props.value ?? ''}`}
      </textarea>
    </FormField>
  );
}

/** One row of a Utrecht data list (a term and its value), e.g. on the pages that show a new client's id once. */
export function DataRow(props: { label: string; children?: JSX.Element | JSX.Element[] }): JSX.Element {
  return (
    <div class="utrecht-data-list__item">
      <dt class="utrecht-data-list__item-key" safe>
        {props.label}
      </dt>
      {/* eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- children are rendered elements, escaped where they were built */}
      <dd class="utrecht-data-list__item-value utrecht-data-list__item-value--html-dd">{props.children as 'safe'}</dd>
    </div>
  );
}

/** A warning that must be read before going on, e.g. that a secret is shown only once. */
export function WarningAlert(props: { id: string; title: string; body: string }): JSX.Element {
  return (
    <div class="utrecht-alert utrecht-alert--warning koepel-secret-warning" role="alert" aria-labelledby={props.id}>
      <div class="utrecht-alert__content">
        <div class="utrecht-alert__message">
          <h2 id={props.id} class="utrecht-heading-2" safe>
            {props.title}
          </h2>
          <p class="utrecht-paragraph" safe>
            {props.body}
          </p>
        </div>
      </div>
    </div>
  );
}

/** The hidden CSRF field every form carries. */
export function Csrf(props: { ctx: PageContext }): JSX.Element {
  return <input type="hidden" name="_csrf" value={props.ctx.csrf ?? ''} />;
}
