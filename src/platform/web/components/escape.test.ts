// Bidirectional controls are dropped from pages; marks that right-to-left names need are kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutBidiControls } from './escape.js';

test('every embedding, override and isolate control is dropped', () => {
  const controls = [
    ...Array.from({ length: 5 }, (_, i) => 0x202a + i), // LRE RLE PDF LRO RLO
    ...Array.from({ length: 4 }, (_, i) => 0x2066 + i), // LRI RLI FSI PDI
    ...Array.from({ length: 6 }, (_, i) => 0x206a + i), // deprecated format controls
  ].map((c) => String.fromCodePoint(c));
  for (const c of controls) {
    assert.equal(withoutBidiControls(`10${c} mg`), '10 mg', `U+${c.codePointAt(0)?.toString(16)}`);
  }
  // "Trojan Source": an override that reverses what follows.
  assert.equal(withoutBidiControls('Metformine 500 mg \u202E2 dd 1\u202C tablet'), 'Metformine 500 mg 2 dd 1 tablet');
});

test('ordinary text and the bare direction marks stay as they are', () => {
  for (const s of ['Huisarts & Co <b>', 'مريم\u200F (Mariam)', 'x\u200Ey', 'a\u061Cb', '', 'é ß 日本']) {
    assert.equal(withoutBidiControls(s), s);
  }
});
