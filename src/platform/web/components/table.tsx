// The data table: a caption (shown, or hidden when a heading right above already names the table), column headers,
// and rows. On a wide screen it is a table that scrolls sideways inside a labelled, focusable region if it must; on a
// phone (koepel.css, max-width 40em) each row becomes a card with the column name before each value, so no page is
// wider than the screen.
import type { PageContext } from '../context.js';
import { providerLang } from './provider-text.js';

export interface Column<R> {
  /** The column header. */
  header: string;
  /** The cell as text (escaped; null shows as "–"). */
  text?: (row: R) => string | null | undefined;
  /** The cell as markup (escaped where it was built); wins over `text`. */
  html?: (row: R) => JSX.Element;
  /** The row's header cell (th scope="row"): what the row is about. */
  rowHeader?: boolean;
  /** Numbers and amounts: aligned at the end, tabular figures. */
  numeric?: boolean;
  /** An extra class for the cells, e.g. 'koepel-nowrap'. */
  class?: string;
  /** The cell is provider text (a FHIR display, a reason): lang="nl" on a page that is not Dutch (provider-text.tsx). */
  provider?: boolean;
}

const cellClass = (c: Column<never>, base: string) =>
  [base, c.numeric ? 'koepel-numeric' : '', c.rowHeader ? 'koepel-row-header' : '', c.class ?? '']
    .filter(Boolean)
    .join(' ');

export function DataTable<R>(props: {
  ctx: PageContext;
  caption: string;
  /** The caption is read by screen readers only (a heading above already names the table for the eye). */
  captionHidden?: boolean;
  columns: Column<R>[];
  rows: readonly R[];
  /** A class for the table, e.g. to size its columns. */
  class?: string;
  rowClass?: (row: R) => string | undefined;
  id?: string;
}): JSX.Element {
  const { columns } = props;
  const lang = providerLang(props.ctx);
  const cell = (c: Column<R>, row: R): JSX.Element => {
    const cls = cellClass(c, c.rowHeader ? 'utrecht-table__header-cell' : 'utrecht-table__cell');
    const cellLang = c.provider ? lang : undefined;
    const content = c.html ? (
      cellLang ? (
        <span lang={cellLang}>{c.html(row)}</span>
      ) : (
        c.html(row)
      )
    ) : (
      <span lang={cellLang} safe>
        {c.text?.(row) ?? '–'}
      </span>
    );
    return c.rowHeader ? (
      <th scope="row" role="rowheader" class={cls} data-label={c.header}>
        {content}
      </th>
    ) : (
      <td role="cell" class={cls} data-label={c.header}>
        {content}
      </td>
    );
  };
  return (
    <div
      class="utrecht-table-container koepel-table-wrapper"
      role="group"
      tabindex="0"
      aria-label={props.ctx.t('table.region', { caption: props.caption })}
    >
      {/* Explicit table roles: a phone's stacked layout changes the cells' display, which makes some screen readers
          forget that this is a table. */}
      <table
        role="table"
        id={props.id}
        class={`utrecht-table utrecht-table--html-table koepel-data-table koepel-stack-table${props.class ? ` ${props.class}` : ''}`}
      >
        <caption
          class={props.captionHidden ? 'utrecht-table__caption koepel-visually-hidden' : 'utrecht-table__caption'}
          safe
        >
          {props.caption}
        </caption>
        <thead role="rowgroup" class="utrecht-table__header">
          <tr role="row" class="utrecht-table__row">
            {columns.map((c) => (
              <th scope="col" role="columnheader" class={cellClass(c, 'utrecht-table__header-cell')} safe>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup" class="utrecht-table__body">
          {props.rows.map((row) => (
            <tr role="row" class={`utrecht-table__row${props.rowClass?.(row) ? ` ${props.rowClass(row) ?? ''}` : ''}`}>
              {columns.map((c) => cell(c, row))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
