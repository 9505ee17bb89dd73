import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jsonDepth, parseRequestUrl, typeWord } from './prepare.js';

describe('parseRequestUrl', () => {
  test('POST names a type, PUT a type and a logical id', () => {
    assert.deepEqual(parseRequestUrl('POST', 'Observation'), {
      method: 'POST',
      type: 'Observation',
      id: null,
      identifier: null,
    });
    assert.deepEqual(parseRequestUrl('PUT', 'Observation/lab-1.2'), {
      method: 'PUT',
      type: 'Observation',
      id: 'lab-1.2',
      identifier: null,
    });
  });

  test('other methods, absolute urls, POST with an id and PUT without one are refused', () => {
    for (const [method, url] of [
      ['DELETE', 'Observation/1'],
      ['GET', 'Observation'],
      ['PATCH', 'Observation/1'],
      ['post', 'Observation'],
      ['POST', 'Observation/1'],
      ['PUT', 'Observation'],
      ['POST', 'https://example.org/fhir/Observation'],
      ['POST', '/Observation'],
      ['POST', 'observation'],
      ['POST', 'O'],
      ['PUT', 'Observation/a_b'],
      ['PUT', `Observation/${'x'.repeat(65)}`],
      ['PUT', 'Observation/1/_history/2'],
      ['POST', 'A'.repeat(1001)],
      ['POST', ''],
    ] as const)
      assert.equal(parseRequestUrl(method, url), null, `${method} ${url}`);
  });

  test('a conditional PUT names the resource by exactly one identifier with a system and a value', () => {
    assert.deepEqual(parseRequestUrl('PUT', 'Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|999993653'), {
      method: 'PUT',
      type: 'Patient',
      id: null,
      identifier: { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999993653' },
    });
    // URL-encoded, and the value may itself hold a bar.
    assert.deepEqual(parseRequestUrl('PUT', 'Patient?identifier=urn%3Aa%7Cb|c')?.identifier, {
      system: 'urn:a',
      value: 'b|c',
    });
    for (const url of [
      'Patient?identifier=999993653',
      'Patient?identifier=|999993653',
      'Patient?identifier=urn:a|',
      'Patient?identifier=urn:a|1&identifier=urn:a|2',
      'Patient?name=Jansen',
      'Patient?',
      'Patient/1?identifier=urn:a|1',
    ])
      assert.equal(parseRequestUrl('PUT', url), null, url);
    assert.equal(parseRequestUrl('POST', 'Patient?identifier=urn:a|1'), null, 'only PUT is conditional');
    assert.equal(parseRequestUrl('PUT', 'Patient?identifier=urn:a|1', false), null, 'not allowed here');
  });
});

test('typeWord lets only a type name into a message', () => {
  assert.equal(typeWord('Observation'), 'Observation');
  for (const v of ['<script>', 'observation', 'O', 'Observation ', `A${'b'.repeat(64)}`, 5, null, {}])
    assert.equal(typeWord(v), 'resource', JSON.stringify(v));
});

test('jsonDepth counts nesting of objects and arrays, without recursion', () => {
  assert.equal(jsonDepth('text'), 0);
  assert.equal(jsonDepth(null), 0);
  assert.equal(jsonDepth({}), 1);
  assert.equal(jsonDepth([]), 1);
  assert.equal(jsonDepth({ a: [{ b: 1 }], c: { d: 2 } }), 3);
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(jsonDepth(deep), 100_000, 'a hostile document does not overflow the stack');
});
