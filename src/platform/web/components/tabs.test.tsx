// The tab bar: links, the current tab marked for assistive technology, a count read out as part of the link's name,
// and text escaped where it enters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tabs } from './tabs.js';

const tabs = (count: number | null) => [
  { href: '/messages', label: 'Gesprekken' },
  {
    href: '/messages/system',
    label: 'Systeemberichten',
    count,
    countLabel: `Systeemberichten, ${count ?? 0} ongelezen`,
  },
];

const links = (html: string) => [...html.matchAll(/<a\b[^>]*>/g)].map((m) => m[0]);

test('each tab is a link; only the current one has aria-current="page"', async () => {
  const html = await (<Tabs label="Berichten" tabs={tabs(null)} current="/messages/system" />);
  assert.match(html, /^<nav class="koepel-tabs" aria-label="Berichten">/);
  const [first, second] = links(html);
  assert.equal(links(html).length, 2);
  assert.match(first ?? '', /href="\/messages"/);
  assert.doesNotMatch(first ?? '', /aria-current/);
  assert.match(second ?? '', /href="\/messages\/system"/);
  assert.match(second ?? '', /aria-current="page"/);
  const other = await (<Tabs label="Berichten" tabs={tabs(null)} current="/messages" />);
  assert.match(links(other)[0] ?? '', /aria-current="page"/);
  assert.doesNotMatch(links(other)[1] ?? '', /aria-current/);
});

test('a count shows as a badge and is part of the link text for screen readers; zero shows nothing', async () => {
  const html = await (<Tabs label="Berichten" tabs={tabs(3)} current="/messages" />);
  assert.match(html, /<span class="koepel-badge" aria-hidden="true">3<\/span>/);
  assert.match(html, /<span class="koepel-visually-hidden">Systeemberichten, 3 ongelezen<\/span>/);
  const none = await (<Tabs label="Berichten" tabs={tabs(0)} current="/messages" />);
  assert.doesNotMatch(none, /koepel-badge|ongelezen/);
});

test('labels and hrefs are escaped', async () => {
  const html = await (
    <Tabs label={'A & "B"'} tabs={[{ href: '/x?a=1&b="2"', label: '<script>alert(1)</script>' }]} current="/y" />
  );
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /<span>&lt;script>alert\(1\)&lt;\/script><\/span>/);
  assert.match(html, /aria-label="A &amp; &#34;B&#34;"/);
  assert.match(html, /href="\/x\?a=1&amp;b=&#34;2&#34;"/);
});
