import assert from 'node:assert/strict';
import { test } from 'node:test';
import { privacyBlocks } from './privacy-versions.js';

test('[LU-10] a published statement is headings and paragraphs, as text', () => {
  assert.deepEqual(privacyBlocks('## Wie?\r\n\r\nWij <b>zijn</b>\nhet portaal.\n\n\n## Rechten\n\nU heeft rechten.'), [
    { kind: 'heading', text: 'Wie?' },
    { kind: 'paragraph', text: 'Wij <b>zijn</b> het portaal.' },
    { kind: 'heading', text: 'Rechten' },
    { kind: 'paragraph', text: 'U heeft rechten.' },
  ]);
  assert.deepEqual(privacyBlocks('   \n\n  '), []);
});
