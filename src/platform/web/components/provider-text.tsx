// Text that comes from an organisation's system or staff (FHIR displays, appointment reasons, letters, messages,
// organisation descriptions) is Dutch whatever language the page is in. On a page in another language it carries
// lang="nl", so that a screen reader pronounces it as Dutch (WCAG 3.1.2 Language of Parts); on a Dutch page it needs
// nothing.
import type { PageContext } from '../context.js';
import { render, type Children } from './children.js';

/** lang="nl" for provider text on a page that is not Dutch; undefined (no attribute) on a Dutch page. */
export function providerLang(ctx: Pick<PageContext, 'lang'>): 'nl' | undefined {
  return ctx.lang === 'nl' ? undefined : 'nl';
}

/** Provider text: `text` is escaped here; `children` are markup escaped where it was built. */
export function ProviderText(props: {
  ctx: Pick<PageContext, 'lang'>;
  text?: string | null | undefined;
  children?: Children;
  class?: string;
}): JSX.Element {
  const lang = providerLang(props.ctx);
  if (props.children !== undefined) {
    return (
      <span lang={lang} class={props.class}>
        {render(props.children)}
      </span>
    );
  }
  return (
    <span lang={lang} class={props.class} safe>
      {props.text ?? '–'}
    </span>
  );
}
