// Page links under a long list: previous, the first and last page, two either side of the current one, next.
import type { PageContext } from '../context.js';
import { attr } from './escape.js';

export function Pagination(props: {
  ctx: PageContext;
  /** The current page (1-based) and how many there are. */
  page: number;
  pages: number;
  href: (page: number) => string;
  label: string;
}): JSX.Element {
  const { t } = props.ctx;
  const { page: current, pages } = props;
  if (pages <= 1 && current <= 1) return <></>;
  const shown = [...new Set([1, current - 2, current - 1, current, current + 1, current + 2, pages])]
    .filter((p) => p >= 1 && p <= Math.max(pages, current))
    .sort((a, b) => a - b);
  return (
    <nav class="utrecht-pagination koepel-pagination" aria-label={props.label}>
      <ul class="koepel-inline-list">
        {current > 1 ? (
          <li>
            <a
              class="utrecht-pagination__relative-link utrecht-pagination__relative-link--prev utrecht-link"
              href={attr(props.href(current - 1))}
              rel="prev"
              safe
            >
              {t('pagination.previous')}
            </a>
          </li>
        ) : (
          ''
        )}
        {shown.map((p, i) => (
          <>
            {i > 0 && p - (shown[i - 1] ?? p) > 1 ? (
              <li aria-hidden="true" class="koepel-pagination-gap">
                …
              </li>
            ) : (
              ''
            )}
            <li>
              {p === current ? (
                <span
                  class="utrecht-pagination__page-link utrecht-pagination__page-link--current"
                  aria-current="page"
                  aria-label={t('pagination.page', { page: p })}
                  safe
                >
                  {String(p)}
                </span>
              ) : (
                <a
                  class="utrecht-pagination__page-link utrecht-link"
                  href={attr(props.href(p))}
                  aria-label={t('pagination.page', { page: p })}
                  safe
                >
                  {String(p)}
                </a>
              )}
            </li>
          </>
        ))}
        {current < pages ? (
          <li>
            <a
              class="utrecht-pagination__relative-link utrecht-pagination__relative-link--next utrecht-link"
              href={attr(props.href(current + 1))}
              rel="next"
              safe
            >
              {t('pagination.next')}
            </a>
          </li>
        ) : (
          ''
        )}
      </ul>
    </nav>
  );
}
