// Text building blocks on the NL Design System (Utrecht) CSS: headings, paragraphs, links, buttons, lists. Pages use
// these instead of writing `utrecht-*` class names by hand, so that markup and its classes change in one place.
// The rule of the layer: a `text` prop is text, which the component escapes; `children` are markup, escaped where
// it was built. (The XSS scanner in `npm run lint` flags text passed as children.)
import type { Children } from './children.js';
import { render } from './children.js';
import { attr } from './escape.js';

export function Heading(props: {
  level: 1 | 2 | 3 | 4;
  id?: string;
  /** The heading's text (escaped here). */
  text: string;
  /** Looks like a heading of this level (e.g. a card's h2 the size of an h3); the outline keeps `level`. */
  look?: 1 | 2 | 3 | 4;
  /** Extra classes, e.g. 'koepel-…' for a heading's own spacing. */
  class?: string;
  /** The text's language when it is not the page's (provider text: providerLang). */
  lang?: string | undefined;
}): JSX.Element {
  const cls = `utrecht-heading-${props.look ?? props.level}${props.class ? ` ${props.class}` : ''}`;
  switch (props.level) {
    case 1:
      return (
        <h1 id={props.id} class={cls} lang={props.lang} safe>
          {props.text}
        </h1>
      );
    case 2:
      return (
        <h2 id={props.id} class={cls} lang={props.lang} safe>
          {props.text}
        </h2>
      );
    case 3:
      return (
        <h3 id={props.id} class={cls} lang={props.lang} safe>
          {props.text}
        </h3>
      );
    case 4:
      return (
        <h4 id={props.id} class={cls} lang={props.lang} safe>
          {props.text}
        </h4>
      );
  }
}

type ParagraphStyle = 'lead' | 'small' | 'intro' | 'notice' | 'status';

const PARAGRAPH_CLASS: Record<ParagraphStyle, string> = {
  lead: 'utrecht-paragraph utrecht-paragraph--lead',
  small: 'utrecht-paragraph utrecht-paragraph--small',
  intro: 'utrecht-paragraph koepel-intro',
  notice: 'utrecht-paragraph koepel-notice',
  status: 'utrecht-paragraph koepel-notice',
};

/** A paragraph of text (escaped). `status` is announced by screen readers when it appears (role="status"). */
export function Text(props: { style?: ParagraphStyle; id?: string; text: string }): JSX.Element {
  return (
    <p
      id={props.id}
      class={props.style ? PARAGRAPH_CLASS[props.style] : 'utrecht-paragraph'}
      role={props.style === 'status' ? 'status' : undefined}
      safe
    >
      {props.text}
    </p>
  );
}

/** A paragraph of markup (links within text, several parts): its children were escaped where they were built. */
export function Paragraph(props: { style?: ParagraphStyle; id?: string; children: Children }): JSX.Element {
  return (
    <p
      id={props.id}
      class={props.style ? PARAGRAPH_CLASS[props.style] : 'utrecht-paragraph'}
      role={props.style === 'status' ? 'status' : undefined}
    >
      {render(props.children)}
    </p>
  );
}

export function Link(props: {
  href: string;
  /** The link text (escaped here); or markup in `children` (e.g. text with a <wbr> where a line may break). */
  text?: string;
  children?: Children;
  current?: boolean | 'page';
  download?: string;
  rel?: string;
  lang?: string;
  hreflang?: string;
  label?: string;
}): JSX.Element {
  const attributes = {
    class: 'utrecht-link',
    href: attr(props.href),
    'aria-current': props.current === true ? 'true' : props.current === 'page' ? 'page' : undefined,
    'aria-label': props.label,
    download: props.download,
    rel: props.rel,
    lang: props.lang,
    hreflang: props.hreflang,
  };
  return props.text === undefined ? (
    <a {...attributes}>{render(props.children)}</a>
  ) : (
    <a {...attributes} safe>
      {props.text}
    </a>
  );
}

type ButtonStyle = 'primary' | 'secondary' | 'subtle';
const BUTTON_CLASS: Record<ButtonStyle, string> = {
  primary: 'utrecht-button utrecht-button--primary-action',
  secondary: 'utrecht-button utrecht-button--secondary-action',
  subtle: 'utrecht-button utrecht-button--subtle',
};

/** A submit button; `name`/`value` tell the server which of several buttons was pressed. */
export function Button(props: {
  style?: ButtonStyle;
  name?: string;
  value?: string;
  label?: string;
  text: string;
}): JSX.Element {
  return (
    <button
      type="submit"
      class={BUTTON_CLASS[props.style ?? 'primary']}
      name={props.name}
      value={attr(props.value)}
      aria-label={props.label}
      safe
    >
      {props.text}
    </button>
  );
}

/**
 * A button for the page's own script (type="button": it submits nothing), found by its id. `pressed` makes it a
 * toggle (aria-pressed); `hidden` and `disabled` are the states the script starts from.
 */
export function ScriptButton(props: {
  id: string;
  style?: ButtonStyle;
  text: string;
  pressed?: boolean;
  hidden?: boolean;
  disabled?: boolean;
}): JSX.Element {
  return (
    <button
      id={props.id}
      type="button"
      class={BUTTON_CLASS[props.style ?? 'secondary']}
      aria-pressed={props.pressed === undefined ? undefined : String(props.pressed)}
      hidden={props.hidden}
      disabled={props.disabled}
      safe
    >
      {props.text}
    </button>
  );
}

/** A link that looks like a button (to start a task on another page). */
export function ButtonLink(props: {
  href: string;
  style?: 'primary' | 'secondary';
  text: string;
  /** For a script that changes the link (the session-timeout script points "log in again" back at a form's page). */
  id?: string;
}): JSX.Element {
  const kind = props.style === 'secondary' ? 'secondary-action' : 'primary-action';
  return (
    <a
      class={`utrecht-button-link utrecht-button-link--html-a utrecht-button-link--${kind}`}
      href={attr(props.href)}
      id={props.id}
      safe
    >
      {props.text}
    </a>
  );
}

/** Buttons side by side (wrapping on a phone). */
export function ButtonGroup(props: { children: Children }): JSX.Element {
  return <div class="utrecht-button-group koepel-button-group">{render(props.children)}</div>;
}

/** A bulleted list; items are markup escaped where they were built (use <li safe> inside for text). */
export function List(props: {
  plain?: boolean;
  ordered?: boolean;
  /** Extra class names of the page's own (koepel-…), for its layout. */
  class?: string;
  children: Children;
}): JSX.Element {
  const extra = props.class ? ` ${props.class}` : '';
  if (props.ordered) return <ol class={`utrecht-ordered-list${extra}`}>{render(props.children)}</ol>;
  return (
    <ul class={`utrecht-unordered-list${props.plain ? ' koepel-plain-list' : ''}${extra}`}>{render(props.children)}</ul>
  );
}

/** Text for screen readers only. */
export function VisuallyHidden(props: { text: string }): JSX.Element {
  return (
    <span class="koepel-visually-hidden" safe>
      {props.text}
    </span>
  );
}
