// A section of a page: a heading that names it, then its content. A plain <section> without an accessible name, so
// not a landmark: a long page would otherwise list a region for each of its sections (issue 17). A caller that means
// a real landmark (a part a person would jump to from the landmark list) asks for it with `landmark`: then the
// section is labelled by its heading (aria-labelledby) and is a `region`.
import { render, type Children } from './children.js';
import { Heading } from './text.js';

export function Section(props: {
  /** The heading's id (and, for a landmark, what the section is labelled by). */
  id: string;
  title: string;
  level?: 2 | 3;
  /** A card: a bordered box, e.g. on a dashboard. */
  card?: boolean;
  /** Extra classes, e.g. 'koepel-notice' for a section that stands out. */
  class?: string;
  /** The section's own id, for links within the page (#anchor): it takes the focus when one is followed. */
  anchor?: string;
  /** A landmark region named by its heading; by default a section is not a landmark. */
  landmark?: boolean;
  children?: Children;
}): JSX.Element {
  const cls = ['koepel-section', props.card ? 'koepel-card' : '', props.class ?? ''].filter(Boolean).join(' ');
  return (
    <section
      id={props.anchor}
      class={cls}
      aria-labelledby={props.landmark ? props.id : undefined}
      tabindex={props.anchor ? '-1' : undefined}
    >
      <Heading level={props.level ?? 2} id={props.id} text={props.title} />
      {render(props.children)}
    </section>
  );
}

/** Cards side by side (one column on a phone). */
export function Cards(props: { children: Children }): JSX.Element {
  return <div class="koepel-cards">{render(props.children)}</div>;
}
