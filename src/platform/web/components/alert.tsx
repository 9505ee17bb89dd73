// Alerts: a message that stands out from the page. `error` and `warning` are announced at once (role="alert"); `ok`
// and `info` when they appear (role="status"). An `ok` alert is the confirmation of a POST-redirect-GET ("verzoek
// verstuurd"): it is in the page on load, which a screen reader does not announce, so it takes the focus (focusOnLoad).
import { render, type Children } from './children.js';

/**
 * Focus on page load without script (CSP allows none inline): the HTML autofocus attribute on an element made
 * focusable by tabindex="-1". The browser focuses the first such element of the page, so a screen reader reads it
 * first. For the error summary and for confirmations only: one per page.
 */
export const focusOnLoad: { tabindex: string; autofocus: boolean } = { tabindex: '-1', autofocus: true };

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
  /** Take the focus when the page loads; by default only a confirmation (`ok`) does. */
  focus?: boolean;
}): JSX.Element {
  const urgent = props.kind === 'error' || props.kind === 'warning';
  const focus = props.focus ?? props.kind === 'ok';
  const kindClass = props.kind === 'info' ? '' : ` utrecht-alert--${props.kind}`;
  return (
    <div
      class={`utrecht-alert${kindClass}${props.class ? ` ${props.class}` : ''}`}
      role={urgent ? 'alert' : 'status'}
      aria-labelledby={props.title && props.id ? props.id : undefined}
      {...(focus ? focusOnLoad : {})}
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
