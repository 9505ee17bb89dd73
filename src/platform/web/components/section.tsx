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
  /** Extra classes, e.g. 'koepel-notice' for a section that stands out. */
  class?: string;
  /** The section's own id, for links within the page (#anchor): it takes the focus when one is followed. */
  anchor?: string;
  children?: Children;
}): JSX.Element {
  const cls = ['koepel-section', props.card ? 'koepel-card' : '', props.class ?? ''].filter(Boolean).join(' ');
  return (
    <section id={props.anchor} class={cls} aria-labelledby={props.id} tabindex={props.anchor ? '-1' : undefined}>
      <Heading level={props.level ?? 2} id={props.id} text={props.title} />
      {render(props.children)}
    </section>
  );
}

/** Cards side by side (one column on a phone). */
export function Cards(props: { children: Children }): JSX.Element {
  return <div class="koepel-cards">{render(props.children)}</div>;
}
