// The menus: capabilities add their links when they are registered (src/platform/capability.ts); the layout shows
// the links of the menu that belongs to whoever is logged in. The kernel itself names no page of a capability.
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
  /** Shown only to whoever holds this permission (a staff right such as 'audit:read'). */
  permission?: string;
}

export class Navigation {
  private readonly areas = new Map<NavigationArea, NavigationLink[]>();

  add(link: NavigationLink): void {
    const list = this.areas.get(link.area) ?? [];
    if (list.some((l) => l.href === link.href)) throw new Error(`menu link ${link.href} is added twice`);
    list.push(link);
    list.sort((a, b) => a.order - b.order);
    this.areas.set(link.area, list);
  }

  /** The area's links that need no permission or one of `permissions` (a link that needs one is hidden by default). */
  links(area: NavigationArea, permissions: readonly string[] = []): readonly NavigationLink[] {
    return (this.areas.get(area) ?? []).filter((l) => l.permission === undefined || permissions.includes(l.permission));
  }
}
