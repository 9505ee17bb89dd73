// A page: the layout, an optional breadcrumb or back link, the one h1, an optional intro, then the content. The title
// in the browser tab starts with "Er is een probleem" when the page shows form errors (screen readers hear it first).
import type { PageContext } from '../context.js';
import { Layout } from '../layout.js';
import { Breadcrumb, type Crumb } from './breadcrumb.js';
import { render, type Children } from './children.js';
import { titleWithErrors, type FieldError } from './forms.js';
import { Heading, Link, Text } from './text.js';

export function Page(props: {
  ctx: PageContext;
  /** The page's title: the h1, and the browser tab (with the portal's name). */
  title: string;
  /** A different title for the browser tab, e.g. with the organisation a filter chose. */
  documentTitle?: string;
  /** The h1's language when it is provider text, e.g. a lab test's name (providerLang). */
  titleLang?: string | undefined;
  breadcrumb?: Crumb[];
  back?: { href: string; label: string };
  intro?: string;
  errors?: readonly FieldError[];
  /** External scripts of this page (Layout). */
  scripts?: readonly string[];
  /** The page that says the session has ended (Layout). */
  sessionEnded?: boolean;
  children?: Children;
}): JSX.Element {
  const { ctx } = props;
  return (
    <Layout
      ctx={ctx}
      title={titleWithErrors(ctx, props.documentTitle ?? props.title, props.errors ?? [])}
      scripts={props.scripts}
      sessionEnded={props.sessionEnded}
    >
      {props.breadcrumb ? <Breadcrumb ctx={ctx} trail={props.breadcrumb} /> : ''}
      {props.back ? (
        <p class="utrecht-paragraph koepel-back">
          <Link href={props.back.href} text={props.back.label} />
        </p>
      ) : (
        ''
      )}
      <Heading level={1} text={props.title} lang={props.titleLang} />
      {props.intro ? <Text style="intro" text={props.intro} /> : ''}
      {render(props.children)}
    </Layout>
  );
}
