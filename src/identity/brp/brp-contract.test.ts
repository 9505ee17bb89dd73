// The contract between Koepel and the BRP, checked against the official OpenAPI of "BRP Personen bevragen" 2.7.0
// (RvIG, EUPL-1.2; a verbatim copy in test/fixtures/, from ../shared/reference/): the request Koepel sends, every
// `fields` path it asks for, and the fixture BRP's answer for every person (one per response variant) are validated
// with ajv against the spec itself, and Koepel's own parser must accept every spec-valid variant. A change of the
// spec (replace the copy) or of Koepel (BRP_FIELDS, the fixture, the zod schema) shows here at once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parseBsn, type Bsn } from '../bsn.js';
import { BRP_FIELDS, personFromResponse, personenQuery } from './brp-client.js';
import { FIXTURE_FIELDS, queryFixtureBrp } from './fixture-brp.js';
import { FIXTURE_PERSONS, VARIANT_PERSONS } from './fixture-persons.js';
import { greetingName, mayDiscloseBrpData, residence } from './person.js';

type Schema = Record<string, unknown>;
type Json = Record<string, unknown>;

const SPEC_PATH = new URL('../../../test/fixtures/brp-personen-openapi-2.7.0.json', import.meta.url);
const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as { openapi: string; components: { schemas: Schema } };
const schemas = spec.components.schemas as Record<string, Schema>;
const REF = '#/components/schemas/';
const bsn = (s: string) => parseBsn(s) as Bsn;

// ---- The spec as ajv can validate it --------------------------------------------------------------------------
// OpenAPI 3.1 schemas are JSON Schema 2020-12 plus `discriminator`, which ajv validates only on oneOf. The BRP spec
// puts it on the abstract base (AbstractDatum, AbstractVerblijfplaats, PersonenQuery…), whose variants include the
// base through allOf. So: each base keeps its own rules under `<name>__Base`, the variants refer to that, and the
// base becomes "the base's rules, a known type, and the rules of the variant that type names".

function withDiscriminatorsResolved(all: Record<string, Schema>): Record<string, Schema> {
  const out = structuredClone(all);
  for (const [name, schema] of Object.entries(all)) {
    const d = schema.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
    if (!d?.mapping) continue;
    const base = { ...schema };
    delete base.discriminator;
    out[`${name}__Base`] = base;
    for (const ref of Object.values(d.mapping)) {
      const variant = out[ref.slice(REF.length)];
      const allOf = variant?.allOf as Schema[] | undefined;
      for (const part of allOf ?? []) if (part.$ref === `${REF}${name}`) part.$ref = `${REF}${name}__Base`;
    }
    out[name] = {
      allOf: [
        { $ref: `${REF}${name}__Base` },
        { required: [d.propertyName], properties: { [d.propertyName]: { enum: Object.keys(d.mapping) } } },
        ...Object.entries(d.mapping).map(([value, ref]) => ({
          if: { required: [d.propertyName], properties: { [d.propertyName]: { const: value } } },
          then: { $ref: ref },
        })),
      ],
    };
  }
  return out;
}

// The spec's patterns escape quotes inside classes (\'), which only non-unicode regular expressions allow.
const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
// ajv-formats is CommonJS with a default export; under ESM interop it arrives either way.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (a: Ajv2020) => void;
addFormats(ajv);
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
ajv.addSchema({ $id: 'brp', components: { schemas: withDiscriminatorsResolved(schemas) } });

function validator(name: string) {
  const v = ajv.getSchema(`brp${REF}${name}`);
  assert.ok(v, `the spec has no schema ${name}`);
  return (data: unknown): string[] =>
    v(data) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
const validQuery = validator('PersonenQuery');
const validResponse = validator('PersonenQueryResponse');

// ---- Which properties the spec knows at a path (over allOf, $ref and every discriminator variant) --------------

function resolve(s: Schema): Schema {
  return typeof s.$ref === 'string' ? (schemas[s.$ref.slice(REF.length)] ?? {}) : s;
}

/** The properties a schema may have, with every schema a property may be (variants can define it differently). */
function propertiesOf(s0: Schema, seen = new Set<Schema>()): Map<string, Schema[]> {
  const s = resolve(s0);
  const out = new Map<string, Schema[]>();
  if (seen.has(s)) return out;
  seen.add(s);
  const add = (k: string, v: Schema[]) => out.set(k, [...(out.get(k) ?? []), ...v]);
  for (const [k, v] of Object.entries((s.properties as Record<string, Schema> | undefined) ?? {})) add(k, [v]);
  const parts = [...((s.allOf as Schema[] | undefined) ?? [])];
  const mapping = (s.discriminator as { mapping?: Record<string, string> } | undefined)?.mapping;
  for (const ref of Object.values(mapping ?? {})) parts.push({ $ref: ref });
  for (const part of parts) for (const [k, v] of propertiesOf(part, seen)) add(k, v);
  return out;
}

/** One schema for "any of these": its properties are all of theirs; an array's items likewise. */
function anyOf(alternatives: Schema[]): Schema {
  return {
    allOf: alternatives.map((a) => {
      const r = resolve(a);
      return r.type === 'array' && r.items ? (r.items as Schema) : a;
    }),
  };
}

function schemaAt(path: string[]): Schema | null {
  let s: Schema = { $ref: `${REF}Persoon` };
  for (const step of path) {
    const next = propertiesOf(s).get(step);
    if (!next) return null;
    s = anyOf(next);
  }
  return s;
}

/** Paths in a response object that the spec does not define (the spec allows extra properties; Koepel must not). */
function unknownPaths(value: unknown, s: Schema, at: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownPaths(v, anyOf([s]), `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const known = propertiesOf(s);
  return Object.entries(value as Json).flatMap(([k, v]) => {
    const sub = known.get(k);
    return sub ? unknownPaths(v, anyOf(sub), `${at}.${k}`) : [`${at}.${k}`];
  });
}

const answerFor = (b: string) => queryFixtureBrp(personenQuery(bsn(b)));
const respond = (persoon: Json) => ({
  type: 'RaadpleegMetBurgerservicenummer',
  personen: [{ burgerservicenummer: '999993653', ...persoon }],
});

describe('BRP contract: Koepel against the official OpenAPI 2.7.0', () => {
  test('the spec copy is the 2.7.0 OpenAPI 3.1 document', () => {
    assert.equal(spec.openapi, '3.1.0');
    assert.ok(schemas.Persoon && schemas.AbstractVerblijfplaats && schemas.AbstractDatum);
  });

  test('[PZ-2] the request Koepel sends is a valid RaadpleegMetBurgerservicenummer query', () => {
    const body = personenQuery(bsn('999993653'));
    assert.deepEqual(validQuery(body), []);
    assert.equal(body.type, 'RaadpleegMetBurgerservicenummer');
    // With a municipality, as a deployment may send it, it is still valid; a bad one is not.
    assert.deepEqual(validQuery({ ...body, gemeenteVanInschrijving: '0344' }), []);
    assert.notDeepEqual(validQuery({ ...body, gemeenteVanInschrijving: 'Utrecht' }), []);
  });

  test('the validator can fail: a query the spec refuses is refused', () => {
    const body = personenQuery(bsn('999993653'));
    assert.notDeepEqual(validQuery({ ...body, type: 'RaadpleegMetNaam' }), []);
    assert.notDeepEqual(validQuery({ ...body, fields: [] }), []);
    assert.notDeepEqual(validQuery({ ...body, burgerservicenummer: ['12345'] }), []);
    assert.notDeepEqual(validQuery({ type: body.type, burgerservicenummer: body.burgerservicenummer }), []);
  });

  test('[PZ-2] every field Koepel asks for exists in the spec, and none is one the API delivers unasked', () => {
    for (const f of BRP_FIELDS) assert.ok(schemaAt(f.split('.')), `the spec has no field ${f}`);
    // Delivered unasked; asking for them is a 400 in the real API.
    for (const f of BRP_FIELDS) {
      assert.doesNotMatch(f, /^(geheimhoudingPersoonsgegevens|inOnderzoek|opschortingBijhouding|rni|verificatie)\b/);
    }
    assert.ok(BRP_FIELDS.length <= 130);
    // And the walk can fail: a field that does not exist is found out.
    assert.equal(schemaAt(['naam', 'roepnaam']), null);
    assert.equal(schemaAt(['verblijfplaats', 'verblijfadres', 'gemeente']), null);
  });

  test('every field the fixture BRP knows exists in the spec', () => {
    for (const f of FIXTURE_FIELDS) assert.ok(schemaAt(f.split('.')), `the spec has no field ${f}`);
  });

  test('[PZ-2] Koepel asks for the adressering it greets people by', () => {
    for (const f of ['adressering.aanhef', 'adressering.aanschrijfwijze', 'adressering.gebruikInLopendeTekst']) {
      assert.ok(BRP_FIELDS.includes(f), f);
    }
  });

  for (const p of FIXTURE_PERSONS) {
    const v = p.verblijfplaats?.type ?? 'none';
    test(`the fixture's answer for ${p.burgerservicenummer} (${v}, ${p.geboorte.datum.type}) is spec-valid and accepted`, () => {
      const answer = answerFor(p.burgerservicenummer);
      assert.equal(answer.status, 200);
      assert.deepEqual(validResponse(answer.body), []);
      assert.deepEqual(unknownPaths(answer.body, { $ref: `${REF}RaadpleegMetBurgerservicenummerResponse` }, ''), []);
      assert.deepEqual(personFromResponse(answer.body, bsn(p.burgerservicenummer)), p);
    });
  }

  test('there is a fixture person for every verblijfplaats and date variant of the spec', () => {
    const places = new Set(FIXTURE_PERSONS.map((p) => p.verblijfplaats?.type));
    const mapping = (t: string) =>
      Object.keys((schemas[t]?.discriminator as { mapping: Record<string, string> }).mapping);
    for (const t of mapping('AbstractVerblijfplaats')) assert.ok(places.has(t as never), `no fixture person with ${t}`);
    const dates = new Set(FIXTURE_PERSONS.map((p) => p.geboorte.datum.type));
    for (const t of mapping('AbstractDatum')) assert.ok(dates.has(t as never), `no fixture person with ${t}`);
    assert.ok(FIXTURE_PERSONS.some((p) => !p.naam.voornamen));
    assert.ok(FIXTURE_PERSONS.some((p) => p.naam.adellijkeTitelPredicaat));
    assert.ok(FIXTURE_PERSONS.some((p) => p.geheimhoudingPersoonsgegevens === true));
  });

  test('the validator can fail: answers the spec refuses are refused', () => {
    const ok = answerFor(VARIANT_PERSONS.abroad.burgerservicenummer).body as { personen: Json[] };
    const person = ok.personen[0] ?? {};
    const bad = (persoon: Json) => validResponse({ type: 'RaadpleegMetBurgerservicenummer', personen: [persoon] });
    assert.notDeepEqual(bad({ ...person, verblijfplaats: { type: 'Woonwagen' } }), []);
    assert.notDeepEqual(bad({ ...person, geboorte: { datum: { type: 'JaarDatum', langFormaat: '1950' } } }), []);
    assert.notDeepEqual(
      bad({ ...person, geboorte: { datum: { type: 'Datum', datum: '12-04-1982', langFormaat: 'x' } } }),
      [],
    );
    assert.notDeepEqual(bad({ ...person, geheimhoudingPersoonsgegevens: 'ja' }), []);
    assert.notDeepEqual(bad({ ...person, burgerservicenummer: '12' }), []);
    assert.deepEqual(unknownPaths({ ...person, hobby: 'x' }, { $ref: `${REF}Persoon` }, ''), ['.hobby']);
  });

  // Spec-valid answers that the fixture does not produce: sparse, but the BRP may send them.
  const sparse: [string, Json][] = [
    ['an Adres without verblijfadres', { naam: { geslachtsnaam: 'Vries' }, verblijfplaats: { type: 'Adres' } }],
    [
      'abroad without address lines',
      { naam: { geslachtsnaam: 'Vries' }, verblijfplaats: { type: 'VerblijfplaatsBuitenland' } },
    ],
    [
      'abroad, only a country',
      {
        naam: { geslachtsnaam: 'Vries' },
        verblijfplaats: {
          type: 'VerblijfplaatsBuitenland',
          verblijfadres: { land: { code: '5010', omschrijving: 'België' } },
        },
      },
    ],
    ['a Locatie without description', { naam: { geslachtsnaam: 'Vries' }, verblijfplaats: { type: 'Locatie' } }],
    ['only a full name', { naam: { volledigeNaam: 'Vries' } }],
    ['no birth date at all', { naam: { geslachtsnaam: 'Vries' }, geboorte: {} }],
    [
      'DatumOnbekend',
      {
        naam: { geslachtsnaam: 'Vries' },
        geboorte: { datum: { type: 'DatumOnbekend', onbekend: true, langFormaat: 'onbekend' } },
      },
    ],
    ['geslacht without code', { naam: { geslachtsnaam: 'Vries' }, geslacht: { omschrijving: 'onbekend' } }],
    [
      'a noble title',
      {
        naam: {
          geslachtsnaam: 'Amstel',
          voorvoegsel: 'van',
          adellijkeTitelPredicaat: { code: 'JH', omschrijving: 'jonkheer', soort: 'predicaat' },
        },
        adressering: {
          aanschrijfwijze: { naam: 'H. van Amstel', aanspreekvorm: 'De hoogwelgeboren heer' },
          aanhef: 'Hoogwelgeboren heer',
        },
      },
    ],
  ];
  for (const [what, persoon] of sparse) {
    test(`[PZ-2] a spec-valid answer with ${what} is accepted and kept`, () => {
      const body = respond(persoon);
      assert.deepEqual(validResponse(body), []);
      const kept = personFromResponse(body, bsn('999993653'));
      assert.ok(kept);
      assert.ok(kept.naam.volledigeNaam.length > 0);
      assert.ok(greetingName(kept).length > 0);
      assert.ok(residence(kept));
    });
  }

  test('[PZ-2] geheimhoudingPersoonsgegevens arrives unasked, is kept, and blocks disclosure', () => {
    const secret = VARIANT_PERSONS.secret;
    const body = answerFor(secret.burgerservicenummer).body as { personen: Json[] };
    assert.equal(body.personen[0]?.geheimhoudingPersoonsgegevens, true);
    const kept = personFromResponse(body, bsn(secret.burgerservicenummer));
    assert.ok(kept);
    assert.equal(kept.geheimhoudingPersoonsgegevens, true);
    assert.equal(mayDiscloseBrpData(kept), false);
    // Others: the field is absent, and their data may be disclosed.
    const other = answerFor('999993653').body as { personen: Json[] };
    assert.equal('geheimhoudingPersoonsgegevens' in (other.personen[0] ?? {}), false);
    assert.equal(mayDiscloseBrpData(personFromResponse(other, bsn('999993653')) ?? {}), true);
    // Asking for it in `fields` is refused, as the real API does.
    const asked = queryFixtureBrp({ ...personenQuery(bsn('999993653')), fields: ['geheimhoudingPersoonsgegevens'] });
    assert.equal(asked.status, 400);
  });
});
