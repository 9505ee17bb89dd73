// A summary list: terms and their values (a Utrecht data list), e.g. a person's details or what a request asked for.
import { render, type Children } from './children.js';

export interface SummaryItem {
  label: string;
  /** Text (escaped), or markup in `html`. */
  text?: string | null;
  html?: JSX.Element;
}

export function SummaryList(props: { items: SummaryItem[]; class?: string }): JSX.Element {
  return (
    <dl class={`utrecht-data-list utrecht-data-list--rows${props.class ? ` ${props.class}` : ''}`}>
      {props.items.map(({ label, text, html }) => (
        <SummaryRow label={label}>{render(html ?? <span safe>{text ?? '–'}</span>)}</SummaryRow>
      ))}
    </dl>
  );
}

/** One row of a summary list, for lists built by hand. */
export function SummaryRow(props: { label: string; children?: Children }): JSX.Element {
  return (
    <div class="utrecht-data-list__item">
      <dt class="utrecht-data-list__item-key" safe>
        {props.label}
      </dt>
      <dd class="utrecht-data-list__item-value utrecht-data-list__item-value--html-dd">{render(props.children)}</dd>
    </div>
  );
}
