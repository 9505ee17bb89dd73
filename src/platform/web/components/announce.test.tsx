// Focus and language of parts in the shared components (issue 17): a confirmation and the error summary take the
// focus on load (autofocus on a tabindex="-1" element, no script), other alerts do not; provider text is marked Dutch
// on a page in another language only, and escaped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Alert } from './alert.js';
import { DataTable } from './table.js';
import { ProviderMessage, ProviderText } from './provider-text.js';
import { Section } from './section.js';
import { ErrorSummary } from './forms.js';
import type { PageContext } from '../context.js';

const ctx = (lang: 'nl' | 'en') => ({ lang, t: (key: string) => key }) as unknown as PageContext;

test('an ok alert and the error summary take the focus on load; other alerts only when asked', async () => {
  assert.match(await (<Alert kind="ok" text="Uw verzoek is verstuurd." />), /<div [^>]*tabindex="-1" autofocus/);
  for (const kind of ['info', 'warning', 'error'] as const) {
    assert.doesNotMatch(await (<Alert kind={kind} text="Let op" />), /autofocus|tabindex/);
  }
  assert.match(await (<Alert kind="error" focus text="Fout" />), /tabindex="-1" autofocus/);
  assert.doesNotMatch(await (<Alert kind="ok" focus={false} text="Opgeslagen" />), /autofocus/);
  const summary = await (<ErrorSummary ctx={ctx('nl')} errors={[{ field: 'body', message: 'Schrijf uw bericht' }]} />);
  assert.match(summary, /^<div [^>]*role="alert"[^>]*tabindex="-1" autofocus/);
});

test('provider text carries lang="nl" on an English page, nothing on a Dutch page, and is escaped', async () => {
  assert.equal(
    await (<ProviderText ctx={ctx('en')} text="Hemoglobine <b>" />),
    '<span lang="nl">Hemoglobine &lt;b></span>',
  );
  assert.equal(await (<ProviderText ctx={ctx('nl')} text="Hemoglobine" />), '<span>Hemoglobine</span>');
  const table = (lang: 'nl' | 'en') => (
    <DataTable
      ctx={ctx(lang)}
      caption="Uitslagen"
      rows={[{ test: 'Hemoglobine', value: '8,1' }]}
      columns={[
        { header: 'Test', rowHeader: true, provider: true, text: (r) => r.test },
        { header: 'Result', text: (r) => r.value },
      ]}
    />
  );
  const en = await table('en');
  assert.match(en, /<span lang="nl">Hemoglobine<\/span>/);
  assert.equal([...en.matchAll(/lang="nl"/g)].length, 1, 'only the provider column');
  assert.doesNotMatch(await table('nl'), /lang=/);
});

test('a provider value inside a message of our own: only the value is marked, everything escaped', async () => {
  const message = (lang: 'nl' | 'en') => (
    <ProviderMessage ctx={ctx(lang)} text={(nl) => `For: ${nl('hoge <bloeddruk>')} & ${nl('pijn')}.`} />
  );
  assert.equal(
    await message('en'),
    '<span>For: <span lang="nl">hoge &lt;bloeddruk></span> &amp; <span lang="nl">pijn</span>.</span>',
  );
  assert.doesNotMatch(await message('nl'), /lang=/);
  assert.match(await message('nl'), /For: <span>hoge &lt;bloeddruk><\/span>/);
});

test('a section is not a landmark unless asked: without a name a <section> is no region', async () => {
  assert.equal(
    await (<Section id="s-title" title="Uitslagen" />),
    '<section class="koepel-section"><h2 id="s-title" class="utrecht-heading-2">Uitslagen</h2></section>',
  );
  assert.match(await (<Section id="s-title" title="Uitslagen" landmark />), /^<section [^>]*aria-labelledby="s-title"/);
});
