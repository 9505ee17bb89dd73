// The page as assistive technology gets it: Chromium's accessibility tree through the DevTools protocol. For what axe
// cannot judge by itself: where the focus is after a page loads, what a status message says, which landmarks exist.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

export interface AXNode {
  nodeId: string;
  ignored: boolean;
  role?: { value: string };
  name?: { value: string };
  properties?: { name: string; value: { value: unknown } }[];
  childIds?: string[];
}

export async function accessibilityTree(page: Page): Promise<AXNode[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    return ((await cdp.send('Accessibility.getFullAXTree')) as unknown as { nodes: AXNode[] }).nodes;
  } finally {
    await cdp.detach();
  }
}

/** The landmark roles of the page, with their names (e.g. `navigation "Hoofdmenu"`). */
export async function landmarks(page: Page): Promise<string[]> {
  const roles = ['banner', 'navigation', 'main', 'contentinfo', 'region', 'complementary', 'form', 'search'];
  return (await accessibilityTree(page))
    .filter((n) => !n.ignored && roles.includes(n.role?.value ?? ''))
    .map((n) => `${n.role?.value ?? ''}${n.name?.value ? ` "${n.name.value}"` : ''}`);
}

/** The focused node: its role, its accessible name, and all the text inside it (its name and its descendants'). */
export async function focusedInAccessibilityTree(page: Page): Promise<{ role: string; name: string; text: string }> {
  const nodes = await accessibilityTree(page);
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  // The document itself (RootWebArea) also says it is focused: the focused node is the element inside it.
  const focused = nodes.find(
    (n) => n.role?.value !== 'RootWebArea' && n.properties?.some((p) => p.name === 'focused' && p.value.value === true),
  );
  assert.ok(focused, 'a node of the accessibility tree has the focus');
  const texts: string[] = [];
  const walk = (n: AXNode) => {
    if (n.name?.value) texts.push(n.name.value);
    for (const id of n.childIds ?? []) {
      const child = byId.get(id);
      if (child) walk(child);
    }
  };
  walk(focused);
  return { role: focused.role?.value ?? '', name: focused.name?.value ?? '', text: texts.join(' ') };
}
