// The menus: capabilities add their links when they are registered (src/platform/capability.ts); the layout shows
// the links of the menu that belongs to whoever is logged in. The kernel itself names no page of a capability.
import type { FastifyRequest } from 'fastify';
import type { MessageKey } from '../i18n/i18n.js';

/**
 * Where links go: the citizen's menu, the staff workplace's menu, and the list of example apps on "Gekoppelde apps"
 * (the demo adds its example health app there).
 */
export type NavigationArea = 'citizen' | 'staff' | 'connected-apps';

export interface NavigationLink {
  area: NavigationArea;
  href: string;
  label: MessageKey;
  /** Position in the menu, lowest first (10, 20, … leaves room in between). */
  order: number;
  /** Staff menu: shown only to employees with at least one of these rights (none given: everyone). */
  permissions?: readonly string[];
  /**
   * Staff menu: shown only where the employee's organisation offers at least one of these online functions
   * (organisation.functions, MG-1); none given: everywhere.
   */
  functions?: readonly string[];
  /**
   * A number shown beside the link (e.g. open requests), counted once per page view, only when the page is
   * rendered; null shows nothing. `badgeLabel` is the link's accessible text with the count ({count}).
   */
  badge?: (req: FastifyRequest) => Promise<number | null>;
  badgeLabel?: MessageKey;
}

/** Where a visitor whose session ended is sent to log in again: pages under `prefix` go to `loginPath`. */
export interface LoginPage {
  prefix: string;
  loginPath: string;
}

export class Navigation {
  private readonly areas = new Map<NavigationArea, NavigationLink[]>();
  private readonly logins: LoginPage[] = [];

  add(link: NavigationLink): void {
    const list = this.areas.get(link.area) ?? [];
    if (list.some((l) => l.href === link.href)) throw new Error(`menu link ${link.href} is added twice`);
    list.push(link);
    list.sort((a, b) => a.order - b.order);
    this.areas.set(link.area, list);
  }

  links(area: NavigationArea): readonly NavigationLink[] {
    return this.areas.get(area) ?? [];
  }

  addLoginPage(page: LoginPage): void {
    if (!/^\/[a-z-]+$/.test(page.prefix)) throw new Error(`login prefix ${page.prefix} is not a top-level path`);
    this.logins.push(page);
  }

  /** The login page for a path in an area that has one (the login pages themselves excluded). */
  loginPageFor(path: string): LoginPage | undefined {
    return this.logins.find(
      (l) =>
        (path === l.prefix || path.startsWith(`${l.prefix}/`)) &&
        path !== l.loginPath &&
        !path.startsWith(`${l.loginPath}/`),
    );
  }
}
