// Text that comes from an organisation's system or staff (FHIR displays, appointment reasons, letters, messages,
// organisation descriptions) is Dutch whatever language the page is in. On a page in another language it carries
// lang="nl", so that a screen reader pronounces it as Dutch (WCAG 3.1.2 Language of Parts); on a Dutch page it needs
// nothing.
import type { PageContext } from '../context.js';
import { escapeHtml } from '@kitajs/html';
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

// A provider value inside a message of Koepel's own ("For: {reason}"): the message is translated with a mark in place
// of each provider value, then split at the marks, so that each value is its own <span lang="nl"> and the words around
// it stay in the page's language. The marks are private-use characters that no message or value contains.
const MARK = /\uE000(\d+)\uE001/;

/**
 * Koepel's message with provider values in it: `text` builds the message, wrapping each provider value in `nl(…)`,
 * e.g. `(nl) => t('dossier.medication.reasonFor', { reason: nl(l.reason) })`. All text is escaped here.
 */
export function ProviderMessage(props: {
  ctx: Pick<PageContext, 'lang'>;
  text: (nl: (value: string) => string) => string;
  class?: string;
}): JSX.Element {
  const values: string[] = [];
  const message = props.text((value) => `\uE000${values.push(value) - 1}\uE001`);
  // split with a capture group: text, index, text, index … text.
  const parts = message
    .split(new RegExp(MARK.source, 'g'))
    .map((part, i) =>
      i % 2 === 0 ? (escapeHtml(part) as JSX.Element) : <ProviderText ctx={props.ctx} text={values[Number(part)]} />,
    );
  return <span class={props.class}>{render(parts)}</span>;
}
