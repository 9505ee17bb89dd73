// The message layer: ICU MessageFormat in Dutch and English, catalogues that capabilities register, and the checks
// that keep every catalogue of the application complete and consistent.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { CAPABILITIES } from '../../app.js';
import { demo } from '../../demo/index.js';
import { defineMessages, Messages, type MessageKey } from './i18n.js';
import { platformMessages } from '../web/messages.js';

const k = (key: string) => key as MessageKey;

describe('messages (ICU)', () => {
  const m = new Messages();
  m.add(
    defineMessages({
      nl: {
        'test.documents': 'Documenten ({count, plural, one {# document} other {# documenten}})',
        'test.hello': 'Welkom, {name}',
        'test.plain': "Foto's <b>en</b> meer",
        'test.number': '{n, number} mmol/L',
        'test.onlyDutch': 'Alleen Nederlands',
      },
      en: {
        'test.documents': 'Documents ({count, plural, one {# document} other {# documents}})',
        'test.hello': 'Welcome, {name}',
        'test.plain': 'Photos <b>and</b> more',
        'test.number': '{n, number} mmol/L',
      },
    }),
  );
  const nl = m.translator('nl');
  const en = m.translator('en');

  test('plurals agree with the number, in each language', () => {
    assert.equal(nl(k('test.documents'), { count: 1 }), 'Documenten (1 document)');
    assert.equal(nl(k('test.documents'), { count: 0 }), 'Documenten (0 documenten)');
    assert.equal(nl(k('test.documents'), { count: 12 }), 'Documenten (12 documenten)');
    assert.equal(en(k('test.documents'), { count: 1 }), 'Documents (1 document)');
    assert.equal(en(k('test.documents'), { count: 2 }), 'Documents (2 documents)');
  });

  test('numbers in the language’s own notation', () => {
    assert.equal(nl(k('test.number'), { n: 6.5 }), '6,5 mmol/L');
    assert.equal(en(k('test.number'), { n: 6.5 }), '6.5 mmol/L');
    assert.equal(nl(k('test.number'), { n: 1234.5 }), '1.234,5 mmol/L');
  });

  test('apostrophes and angle brackets are text, not syntax', () => {
    assert.equal(nl(k('test.plain')), "Foto's <b>en</b> meer");
    assert.equal(en(k('test.plain')), 'Photos <b>and</b> more');
  });

  test('a missing English text falls back to Dutch; an unknown key shows as itself', () => {
    assert.equal(en(k('test.onlyDutch')), 'Alleen Nederlands');
    assert.equal(nl(k('test.nothing')), 'test.nothing');
    assert.equal(nl.has('test.hello'), true);
    assert.equal(nl.has('test.nothing'), false);
  });

  test('a parameter the caller forgot stays visible as written, and the page does not fail', () => {
    assert.equal(nl(k('test.hello')), 'Welkom, {name}');
    assert.equal(nl(k('test.hello'), { name: 'Suzanne' }), 'Welkom, Suzanne');
  });

  test('a key defined twice, or English without Dutch, is refused when the catalogue is registered', () => {
    const twice = new Messages();
    twice.add(defineMessages({ nl: { 'a.b': 'x' }, en: {} }));
    assert.throws(() => twice.add(defineMessages({ nl: { 'a.b': 'y' }, en: {} })), /defined twice/);
    const orphan = new Messages();
    assert.throws(
      () => orphan.add({ nl: { 'a.b': 'x' }, en: { 'a.c': 'y' } }),
      /English message a\.c has no Dutch original/,
    );
  });
});

/** The names of the arguments a message uses (plural, number, select and simple), sorted. */
function argumentsOf(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.argument || e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time) {
      out.add(e.value);
    }
    if (e.type === TYPE.plural || e.type === TYPE.select) {
      out.add(e.value);
      for (const option of Object.values(e.options)) argumentsOf(option.value, out);
    }
    if (e.type === TYPE.tag) argumentsOf(e.children, out);
  }
  return out;
}

describe('the application’s catalogues', () => {
  const all = new Messages();
  all.add(platformMessages);
  for (const c of [...CAPABILITIES, ...(demo.capabilities ?? [])]) for (const cat of c.messages ?? []) all.add(cat);
  const entries = all.entries();

  test('every capability’s messages register together without a clash', () => {
    assert.ok(entries.length > 500, `only ${entries.length} messages`);
  });

  test('every message parses as ICU, in Dutch and in English', () => {
    const bad: string[] = [];
    for (const e of entries) {
      for (const [lang, text] of [
        ['nl', e.nl],
        ['en', e.en],
      ] as const) {
        if (text === undefined) continue;
        try {
          parse(text, { ignoreTag: true });
        } catch (err) {
          bad.push(`${lang} ${e.key}: ${(err as Error).message}`);
        }
      }
    }
    assert.deepEqual(bad, []);
  });

  test('Dutch and English use the same parameters, so no language shows a {placeholder}', () => {
    const differ = entries
      .filter((e) => e.en !== undefined)
      .filter((e) => {
        const a = [...argumentsOf(parse(e.nl, { ignoreTag: true }))].sort().join(',');
        const b = [...argumentsOf(parse(e.en ?? '', { ignoreTag: true }))].sort().join(',');
        return a !== b;
      })
      .map((e) => e.key);
    assert.deepEqual(differ, []);
  });

  test('counts are ICU plurals, not pairs of keys chosen by the code', () => {
    const keys = new Set(entries.map((e) => e.key));
    const pairs = [...keys].filter((key) => key.endsWith('.one') && keys.has(`${key.slice(0, -4)}.other`));
    assert.deepEqual(pairs, []);
  });
});
