// What every page needs to render: the translator, the portal, the user shown in the header, the CSRF token.
import type { Lang, Translate } from '../i18n/i18n.js';
import type { NavigationLink } from './navigation.js';
import type { SessionTiming } from '../session/timeout.js';

export interface PortalView {
  id: string;
  slug: string;
  name: string;
  supportEmail: string;
  supportPhone: string | null;
  dpoName: string;
  dpoEmail: string;
  privacyStatementUpdatedOn: string;
  theme: Record<string, string>;
}

export interface PageContext {
  lang: Lang;
  t: Translate;
  portal: PortalView;
  /** The session's CSRF token, for forms; null when the visitor has no session. */
  csrf: string | null;
  user: { name: string; homePath: string } | null;
  /** The links of the logged-in user's menu (empty for visitors). */
  navigation: readonly NavigationLink[];
  /** Whose shell the page wears: the citizen's portal or the staff workplace (its menu and footer). */
  area: 'citizen' | 'staff' | null;
  /** The number beside a menu link (counted once per page view), or null. */
  badge: (link: NavigationLink) => Promise<number | null>;
  path: string;
  /**
   * A logged-in person's session limits, for the timeout warning (src/platform/session/timeout.ts); null for visitors.
   * draftKey: the key the script keeps typed text under when the session ends (timeout.ts, formDraftKey).
   */
  session?: (SessionTiming & { draftKey: string | null; loginPath: string }) | null;
}
