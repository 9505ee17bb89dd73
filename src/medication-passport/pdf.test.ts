// The text the standard PDF fonts can show (pdfText), and a document that flows over pages (renderPdf).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pdfText, renderPdf, type DocumentSpec } from './pdf.js';

test('Dutch diacritics and Windows-1252 punctuation stay as they are', () => {
  assert.equal(
    pdfText('Zoë Ëlise Ïsmaël Bérg-Müller ’s avonds 1 à 2 – € ß ø'),
    'Zoë Ëlise Ïsmaël Bérg-Müller ’s avonds 1 à 2 – € ß ø',
  );
  // Decomposed input (e + combining diaeresis) is composed first.
  assert.equal(pdfText('Zoe\u0308'), 'Zoë');
});

test('what the font cannot show becomes its base letter or "?", never a wrong glyph', () => {
  assert.equal(pdfText('Łukasz Şahin Đorđević ığ'), 'Lukasz Sahin Dordevic ig');
  assert.equal(pdfText('Анна 李'), '???? ?');
  assert.equal(pdfText('≥ 2 x\u2009per dag'), '>= 2 x per dag');
});

test('control and direction-override characters go; lines only where asked', () => {
  assert.equal(pdfText('a\u202eb\u0000c\td\ne'), 'abc d e');
  assert.equal(pdfText('a\nb', true), 'a\nb');
});

test('a long table flows to more pages, each with header, footer and page number', async () => {
  const spec: DocumentSpec = {
    title: 'T',
    lang: 'nl-NL',
    headerLeft: 'Kop',
    headerRight: 'Rechts',
    footer: ['Voet'],
    pageLabel: (p, n) => `Pagina ${p} van ${n}`,
    continued: ['(vervolg)'],
    blocks: [
      { kind: 'section', title: ['Lijst'] },
      {
        kind: 'table',
        columns: [
          { header: ['A'], width: 1 },
          { header: ['B'], width: 2 },
        ],
        rows: Array.from({ length: 120 }, (_, i) => [`rij ${i}`, 'x'.repeat(i % 50)]),
        empty: ['leeg'],
      },
    ],
  };
  const pdf = await renderPdf(spec, new Date('2026-01-01T12:00:00Z'));
  const text = pdf.toString('latin1');
  assert.ok(text.startsWith('%PDF-1.7'));
  const pages = (text.match(/\/Type \/Page\b/g) ?? []).length;
  assert.ok(pages >= 3, `${pages} pages`);
});
