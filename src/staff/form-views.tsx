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
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`utrecht-form-field utrecht-form-field--text${error ? ' utrecht-form-field--invalid' : ''}`}>
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
      <div class="utrecht-form-field__input">
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
          aria-describedby={describedBy || undefined}
        />
      </div>
    </div>
  );
}

/** The hidden CSRF field every form carries. */
export function Csrf(props: { ctx: PageContext }): JSX.Element {
  return <input type="hidden" name="_csrf" value={props.ctx.csrf ?? ''} />;
}
