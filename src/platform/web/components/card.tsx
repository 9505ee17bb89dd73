// Cards in a list: boxes side by side (one column on a phone), each a list item named by its heading — the parts of
// an overview, upcoming appointments. The heading may be the link to what the card is about.
import { render, type Children } from './children.js';
import { Link } from './text.js';

export function CardList(props: { class?: string; children: Children }): JSX.Element {
  return <ul class={`koepel-cards${props.class ? ` ${props.class}` : ''}`}>{render(props.children)}</ul>;
}

export function Card(props: {
  /** The heading's id; the card (list item) is labelled by it. */
  id: string;
  title: string;
  /** The title's language when it is not the page's (provider text: providerLang). */
  titleLang?: string | undefined;
  level?: 2 | 3;
  /** The heading is a link to this page. */
  href?: string;
  class?: string;
  children?: Children;
}): JSX.Element {
  const title = props.href ? (
    <Link href={props.href} text={props.title} lang={props.titleLang} />
  ) : (
    <span lang={props.titleLang} safe>
      {props.title}
    </span>
  );
  return (
    <li class={`koepel-card${props.class ? ` ${props.class}` : ''}`} aria-labelledby={props.id}>
      {props.level === 3 ? (
        <h3 id={props.id} class="utrecht-heading-3">
          {title}
        </h3>
      ) : (
        <h2 id={props.id} class="utrecht-heading-2">
          {title}
        </h2>
      )}
      {render(props.children)}
    </li>
  );
}
