// Tabs between pages of one subject (the citizen's conversations and system messages): a navigation of links, each
// a page of its own, the current one marked with aria-current="page". Not an ARIA tablist: each tab loads a page, so
// links are what they are (and work without JavaScript). A tab may carry a count (unread messages), read out as
// part of the link's name by `countLabel`.
import { attr } from './escape.js';

export interface Tab {
  href: string;
  label: string;
  /** A number shown beside the label (e.g. unread); null or undefined shows nothing. */
  count?: number | null;
  /** The link's accessible text when there is a count, e.g. "Systeemberichten, 2 ongelezen". */
  countLabel?: string;
}

export function Tabs(props: {
  /** The navigation's accessible name (e.g. "Berichten"). */
  label: string;
  tabs: readonly Tab[];
  /** The href of the tab whose page this is. */
  current: string;
}): JSX.Element {
  return (
    <nav class="koepel-tabs" aria-label={attr(props.label)}>
      <ul class="koepel-tabs-list">
        {props.tabs.map((tab) => {
          const counted = tab.count !== null && tab.count !== undefined && tab.count > 0 && tab.countLabel;
          return (
            <li class="koepel-tabs-item">
              <a
                class="koepel-tabs-link"
                href={attr(tab.href)}
                aria-current={tab.href === props.current ? 'page' : undefined}
              >
                {counted ? (
                  <>
                    <span aria-hidden="true" safe>
                      {tab.label}
                    </span>{' '}
                    <span class="koepel-badge" aria-hidden="true" safe>
                      {String(tab.count)}
                    </span>
                    <span class="koepel-visually-hidden" safe>
                      {tab.countLabel}
                    </span>
                  </>
                ) : (
                  <span safe>{tab.label}</span>
                )}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
