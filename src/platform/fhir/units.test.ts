// Units the Dutch way: never a raw UCUM code ("Cel", "a", "mm[Hg]") where a person reads it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quantityText, rangeText } from './display.js';
import { UCUM, unitText } from './units.js';

const q = (value: number, code: string, unit?: string) => ({
  value,
  system: UCUM,
  code,
  ...(unit !== undefined ? { unit } : {}),
});

describe('unit display', () => {
  test('zib vital-sign units as a Dutch reader expects them, decimals with a comma', () => {
    assert.equal(quantityText('nl', q(38.6, 'Cel', 'Cel')), '38,6 °C');
    assert.equal(quantityText('nl', q(16, 'a', 'a')), '16 jaar');
    assert.equal(quantityText('nl', q(1, 'a')), '1 jaar');
    assert.equal(quantityText('en', q(16, 'a')), '16 years');
    assert.equal(quantityText('nl', q(3, 'wk')), '3 weken');
    assert.equal(quantityText('nl', q(125, 'mm[Hg]', 'mmHg')), '125 mmHg');
    assert.equal(quantityText('nl', q(125, 'mm[Hg]')), '125 mmHg');
    assert.equal(quantityText('nl', q(72.5, 'kg')), '72,5 kg');
    assert.equal(quantityText('en', q(72.5, 'kg')), '72.5 kg');
    assert.equal(quantityText('nl', q(153, 'cm', 'cm')), '153 cm');
    assert.equal(quantityText('nl', q(126, '/min', '/min')), '126 /min');
    assert.equal(quantityText('nl', q(60, '{beats}/min')), '60 /min');
    assert.equal(quantityText('nl', q(92, '%', '%')), '92%');
    assert.equal(quantityText('nl', q(23.4, 'kg/m2', 'kg/m2')), '23,4 kg/m²');
    assert.equal(quantityText('nl', q(12, '{score}')), '12');
  });

  test("the sender's words win over the code; a copied or unknown code is rendered, never shown raw", () => {
    assert.equal(unitText('nl', q(2400, 'g', 'gram')), 'gram');
    assert.equal(unitText('nl', { value: 5, unit: 'mmol/L' }), 'mmol/L');
    assert.equal(unitText('nl', q(5, 'umol/L', 'umol/L')), 'µmol/L');
    assert.equal(unitText('nl', q(4.2, '10*9/L')), '10⁹/L');
    assert.equal(unitText('nl', q(1, 'mg.kg-1')), 'mg·kg⁻¹');
    assert.equal(unitText('nl', q(1, '{Ratio}')), '');
    // A non-UCUM unit code is shown as the sender wrote it (it is its own system's word).
    assert.equal(unitText('nl', { value: 1, system: 'urn:oid:1.2.3', code: 'STUK', unit: 'stuk' }), 'stuk');
    assert.equal(unitText('nl', { value: 1 }), '');
    // Bad input: wrong types give no unit rather than an error.
    assert.equal(unitText('nl', { value: 1, unit: 42, code: ['Cel'] }), '');
    for (const raw of ['Cel', 'mm[Hg]', '{beats}/min', 'a']) {
      const shown = quantityText('nl', q(1, raw, raw)) ?? '';
      assert.ok(!shown.includes(raw) || raw === 'a', `${raw} shown raw: ${shown}`);
      assert.doesNotMatch(shown, /[[\]{}]|Cel/);
    }
  });

  test('reference ranges use the same units', () => {
    const words = {
      between: (l: string, h: string) => `${l} – ${h}`,
      atLeast: (l: string) => `vanaf ${l}`,
      atMost: (h: string) => `tot ${h}`,
    };
    assert.equal(
      rangeText('nl', [{ low: q(36.5, 'Cel', 'Cel'), high: q(37.5, 'Cel', 'Cel') }], words),
      '36,5 – 37,5 °C',
    );
  });
});
