// Form building blocks (NL Design System / Utrecht form field markup): the form with its CSRF token, the error
// summary at the top, and labelled fields with their hint and error message, each tied to its input by id
// (aria-describedby). Every value a field shows goes through attr(): it comes back exactly as it was typed.
import type { PageContext } from '../context.js';
import { focusOnLoad } from './alert.js';
import { render, type Children } from './children.js';
import { attr } from './escape.js';
import { Heading } from './text.js';

export interface FieldError {
  /** The id of the input the message is about; the summary links to it. */
  field: string;
  message: string;
}

/** A form. POST forms carry the session's CSRF token; GET forms (filters, searches) do not need one. */
export function Form(props: {
  ctx: PageContext;
  action: string;
  method?: 'get' | 'post';
  id?: string;
  class?: string;
  /** A search or filter form: role="search" with this name. */
  search?: string;
  label?: string;
  novalidate?: boolean;
  /** A form with a file field (FileField): the CSRF token stays its first field, which a streaming reader checks first. */
  enctype?: 'multipart/form-data';
  children: Children;
}): JSX.Element {
  const method = props.method ?? 'post';
  return (
    <form
      method={method}
      action={attr(props.action)}
      id={props.id}
      class={props.class ?? 'koepel-form'}
      role={props.search ? 'search' : undefined}
      aria-label={props.search ?? props.label}
      novalidate={props.novalidate}
      enctype={props.enctype}
    >
      {method === 'post' ? <Csrf ctx={props.ctx} /> : ''}
      {render(props.children)}
    </form>
  );
}

/** The hidden CSRF field every POST form carries. */
export function Csrf(props: { ctx: PageContext }): JSX.Element {
  return <input type="hidden" name="_csrf" value={attr(props.ctx.csrf ?? '')} />;
}

/** A value the form sends back unchanged (e.g. the parameters of an OAuth request). */
export function HiddenField(props: { name: string; value: string }): JSX.Element {
  return <input type="hidden" name={props.name} value={attr(props.value)} />;
}

/**
 * The list of what to correct, at the top of the form; each message links to its field. It takes the focus when the
 * page loads (it is in the page from the start, so role="alert" alone may not be announced).
 */
export function ErrorSummary(props: { ctx: PageContext; errors: FieldError[] }): JSX.Element {
  if (props.errors.length === 0) return '';
  return (
    <div
      class="utrecht-alert utrecht-alert--error koepel-error-summary"
      role="alert"
      aria-labelledby="error-summary-title"
      {...focusOnLoad}
    >
      <div class="utrecht-alert__content">
        <div class="utrecht-alert__message">
          <h2 id="error-summary-title" class="utrecht-heading-2" safe>
            {props.ctx.t('form.errors.title')}
          </h2>
          <ul class="utrecht-unordered-list">
            {props.errors.map((e) => (
              <li>
                <a class="utrecht-link" href={`#${attr(e.field)}`} safe>
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

/** A page title that says there are errors, so that it is the first thing a screen reader hears. */
export function titleWithErrors(ctx: PageContext, title: string, errors: readonly FieldError[]): string {
  return errors.length > 0 ? `${ctx.t('form.errors.title')}: ${title}` : title;
}

/** The ids of a field's hint and error message, for aria-describedby. */
const describedBy = (id: string, hint?: string, error?: string) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** A Utrecht form field around one input: the label, the hint and the error message, each with its id. */
function FormField(props: {
  kind: 'text' | 'textarea' | 'select';
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
      <div class="utrecht-form-field__input">{render(props.children)}</div>
    </div>
  );
}

export function TextField(props: {
  id: string;
  name?: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'date' | 'search' | 'time' | 'tel';
  value?: string;
  autocomplete?: string;
  inputmode?: 'numeric' | 'email' | 'text';
  hint?: string;
  error?: string | undefined;
  required?: boolean;
  maxlength?: number;
  spellcheck?: boolean;
  size?: 'small' | 'full';
  pattern?: string;
}): JSX.Element {
  const { id, error, hint } = props;
  return (
    <FormField kind="text" id={id} label={props.label} hint={hint} error={error}>
      <input
        class={`utrecht-textbox utrecht-textbox--html-input${error ? ' utrecht-textbox--invalid' : ''}${props.size === 'small' ? ' koepel-textbox-small' : ''}`}
        id={id}
        name={props.name ?? id}
        type={props.type ?? 'text'}
        value={attr(props.value)}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        maxlength={props.maxlength}
        pattern={props.pattern}
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
  rows?: number;
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
        rows={String(props.rows ?? 4)}
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

/** A labelled file input (a Form with enctype multipart/form-data), with its hint and error message. */
export function FileField(props: {
  id: string;
  name?: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  /** What the browser offers to choose (the server checks the content itself). */
  accept?: string;
  multiple?: boolean;
}): JSX.Element {
  const { id, error, hint } = props;
  return (
    <FormField kind="text" id={id} label={props.label} hint={hint} error={error}>
      <input
        class={`utrecht-textbox utrecht-textbox--html-input koepel-file-input${error ? ' utrecht-textbox--invalid' : ''}`}
        id={id}
        name={props.name ?? id}
        type="file"
        accept={props.accept}
        multiple={props.multiple}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
    </FormField>
  );
}

export interface Option {
  value: string;
  label: string;
  /** A hint under this one option (checkboxes and radio buttons). */
  hint?: string;
}

/** A drop-down list. */
export function Select(props: {
  id: string;
  name?: string;
  label: string;
  options: readonly Option[];
  selected?: string | undefined;
  hint?: string;
  error?: string | undefined;
}): JSX.Element {
  const { id, error, hint } = props;
  return (
    <FormField kind="select" id={id} label={props.label} hint={hint} error={error}>
      <select
        id={id}
        name={props.name ?? id}
        class={`utrecht-select utrecht-select--html-select${error ? ' utrecht-select--invalid' : ''}`}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error)}
      >
        {props.options.map((o) => (
          <option value={attr(o.value)} selected={o.value === props.selected} safe>
            {o.label}
          </option>
        ))}
      </select>
    </FormField>
  );
}

/**
 * A group of checkboxes or radio buttons in a fieldset with its legend, hint and error message. The first input's
 * id is `${idPrefix}-${first value}`: the error summary links there.
 */
export function Choices(props: {
  type: 'checkbox' | 'radio';
  idPrefix: string;
  name: string;
  legend: string;
  options: readonly Option[];
  checked: readonly string[];
  hint?: string | undefined;
  error?: string | undefined;
  /** The question is the page's h1 (one question on the page): the legend holds the heading. */
  legendIsPageHeading?: boolean;
}): JSX.Element {
  const { idPrefix, error, type } = props;
  const label = type === 'checkbox' ? 'checkbox' : 'radio';
  const input =
    type === 'checkbox'
      ? 'utrecht-checkbox utrecht-checkbox--html-input'
      : 'utrecht-radio-button utrecht-radio-button--html-input';
  return (
    <fieldset
      class={`utrecht-form-fieldset utrecht-form-fieldset--html-fieldset koepel-checkboxes${error ? ' utrecht-form-fieldset--invalid' : ''}`}
      aria-describedby={describedBy(idPrefix, props.hint, error)}
    >
      {props.legendIsPageHeading ? (
        <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">
          <Heading level={1} text={props.legend} />
        </legend>
      ) : (
        <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend" safe>
          {props.legend}
        </legend>
      )}
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
      {props.options.map((o) => {
        const id = `${idPrefix}-${o.value}`;
        return (
          <div class={`utrecht-form-field utrecht-form-field--${label}`}>
            <div class="utrecht-form-field__input">
              <input
                class={input}
                type={type}
                name={props.name}
                id={id}
                value={attr(o.value)}
                checked={props.checked.includes(o.value)}
                aria-invalid={error && type === 'radio' ? 'true' : undefined}
                aria-describedby={o.hint ? `${id}-hint` : undefined}
              />
            </div>
            <div class="utrecht-form-field__label">
              <label class={`utrecht-form-label utrecht-form-label--${label}`} for={id} safe>
                {o.label}
              </label>
            </div>
            {o.hint ? (
              <div class="utrecht-form-field__description utrecht-form-field-description" id={`${id}-hint`} safe>
                {o.hint}
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
