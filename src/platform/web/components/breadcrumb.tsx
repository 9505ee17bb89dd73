// The breadcrumb trail above a page's heading: where this page sits, each step a link but the current page.
import type { PageContext } from '../context.js';
import { attr } from './escape.js';

export interface Crumb {
  label: string;
  /** Left out for the current page. */
  href?: string;
}

export function Breadcrumb(props: { ctx: PageContext; trail: Crumb[] }): JSX.Element {
  return (
    <nav class="utrecht-breadcrumb-nav koepel-breadcrumb" aria-label={props.ctx.t('layout.breadcrumb')}>
      <ol class="utrecht-breadcrumb-nav__list utrecht-breadcrumb-nav__list--html-ol">
        {props.trail.map((step) => (
          <li class="utrecht-breadcrumb-nav__item">
            {step.href ? (
              <a class="utrecht-link utrecht-breadcrumb-nav__link" href={attr(step.href)} safe>
                {step.label}
              </a>
            ) : (
              <span class="utrecht-breadcrumb-nav__link utrecht-breadcrumb-nav__link--current" aria-current="page" safe>
                {step.label}
              </span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
