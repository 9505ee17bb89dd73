// A section of a page: a heading that names it (aria-labelledby), then its content.
import { render, type Children } from './children.js';
import { Heading } from './text.js';

export function Section(props: {
  /** The heading's id; also what the section is labelled by. */
  id: string;
  title: string;
  level?: 2 | 3;
  /** A card: a bordered box, e.g. on a dashboard. */
  card?: boolean;
  children?: Children;
}): JSX.Element {
  return (
    <section class={props.card ? 'koepel-section koepel-card' : 'koepel-section'} aria-labelledby={props.id}>
      <Heading level={props.level ?? 2} id={props.id} text={props.title} />
      {render(props.children)}
    </section>
  );
}

/** Cards side by side (one column on a phone). */
export function Cards(props: { children: Children }): JSX.Element {
  return <div class="koepel-cards">{render(props.children)}</div>;
}
