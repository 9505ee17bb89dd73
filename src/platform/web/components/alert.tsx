// Alerts: a message that stands out from the page. `error` and `warning` are announced at once (role="alert"); `ok`
// and `info` when they appear (role="status").
import { render, type Children } from './children.js';

export type AlertKind = 'ok' | 'info' | 'warning' | 'error';

export function Alert(props: {
  kind: AlertKind;
  /** The heading's id, when the alert has a title (it labels the alert). */
  id?: string;
  title?: string;
  /** The body as text (escaped), or markup in children. */
  text?: string;
  children?: Children;
  class?: string;
}): JSX.Element {
  const urgent = props.kind === 'error' || props.kind === 'warning';
  const kindClass = props.kind === 'info' ? '' : ` utrecht-alert--${props.kind}`;
  return (
    <div
      class={`utrecht-alert${kindClass}${props.class ? ` ${props.class}` : ''}`}
      role={urgent ? 'alert' : 'status'}
      aria-labelledby={props.title && props.id ? props.id : undefined}
    >
      <div class="utrecht-alert__content">
        <div class="utrecht-alert__message">
          {props.title ? (
            <h2 id={props.id} class="utrecht-heading-2" safe>
              {props.title}
            </h2>
          ) : (
            ''
          )}
          {props.text ? (
            <p class="utrecht-paragraph" safe>
              {props.text}
            </p>
          ) : (
            ''
          )}
          {render(props.children)}
        </div>
      </div>
    </div>
  );
}

/** Nothing to show: says so, in words that tell what would be here. */
export function EmptyState(
  props:
    | {
        /** The sentence (escaped here). */
        text: string;
        children?: never;
      }
    | {
        /** The same sentence as children, also escaped here. */
        children: string;
        text?: never;
      },
): JSX.Element {
  return (
    <p class="utrecht-paragraph koepel-empty" safe>
      {props.text ?? props.children}
    </p>
  );
}
