import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { nictizExamples } from '../../../test/support/nictiz.js';
import { isValidBsn } from '../../identity/bsn.js';
import { ensureBaseDefinitions, hasProfile, knownProfiles, loadSnapshot, validateAgainstProfile } from './validate.js';

const fixtures = new URL('../../../test/fixtures/', import.meta.url);
const NL = 'http://nictiz.nl/fhir/StructureDefinition/';

/** FHIR JSON as the tests handle it: loosely typed, read through the helpers below. */
type J = Record<string, unknown>;
function must<T>(v: T | null | undefined, what: string): T {
  assert.ok(v !== undefined && v !== null, `missing: ${what}`);
  return v;
}
const obj = (v: unknown): J => {
  assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), 'expected an object');
  return v as J;
};
const arr = (v: unknown): unknown[] => {
  assert.ok(Array.isArray(v), 'expected an array');
  return v as unknown[];
};
const validate = (r: J, url: string, where?: { label: string; base: string }) =>
  validateAgainstProfile(r as unknown as Resource, url, where);

// --- the zib2020 examples as JSON (Koepel's XML wrapper, src/platform/fhir/xml.ts) ------------------------------
const all = nictizExamples();
const example = (id: string): J =>
  structuredClone(
    must(
      all.find((e) => e.resource.id === id),
      id,
    ).resource,
  );
const profileOf = (r: J) => {
  const profiles = (r.meta as { profile?: string[] } | undefined)?.profile;
  return profiles?.[0] ?? '';
};
const errors = <T extends { severity?: string }>(issues: T[] | null) =>
  (issues ?? []).filter((i) => i.severity === 'error');

/** medplum's own profile path (re-parses the snapshot on every call): the reference the cached path must match. */
function uncached(resource: J, url: string): OperationOutcomeIssue[] {
  try {
    return validateResource(resource as unknown as Resource, { profile: must(loadSnapshot(url), url) });
  } catch (e) {
    if (e instanceof OperationOutcomeError) return e.outcome.issue ?? [];
    throw e;
  }
}

// Examples whose own profile Koepel has no snapshot for: Nictiz names the profile nl-core-LivingSituation.HouseAdaption
// in these three, but the package defines nl-core-LivingSituation.HomeAdaption.
const NO_SNAPSHOT = [
  'nl-core-LivingSituation.HouseAdaption-01.xml',
  'nl-core-LivingSituation.HouseAdaption-02.xml',
  'nl-core-LivingSituation.HouseAdaption-03.xml',
];
// Examples still refused by their own profile, with the reason. None since the snapshot fixes of
// scripts/fhir-snapshots.mjs (before them: 128/268, then 255/268 with the first two fixes, docs/interop.md).
const KNOWN_FAILURES: Record<string, string> = {};

describe('profile validation: the nl-core zib2020 examples against their own profile', () => {
  test('all 271 examples are read, 268 name a profile Koepel has a snapshot for', () => {
    assert.equal(all.length, 271);
    const without = all.filter((e) => !hasProfile(profileOf(e.resource))).map((e) => e.file);
    assert.deepEqual(without, NO_SNAPSHOT);
  });

  test('268 of 268 examples validate clean against their own meta.profile', () => {
    const refused: Record<string, string> = {};
    let clean = 0;
    for (const { file, resource } of all) {
      const issues = validate(resource, profileOf(resource));
      if (issues === null) continue;
      const bad = errors(issues);
      if (bad.length === 0) clean++;
      else refused[file] = bad.map((i) => i.diagnostics).join('; ');
    }
    assert.deepEqual(Object.keys(refused), Object.keys(KNOWN_FAILURES), JSON.stringify(refused, null, 1));
    assert.equal(clean, 268);
  });

  test('the HouseAdaption examples validate against the profile Nictiz meant (HomeAdaption)', () => {
    for (const file of NO_SNAPSHOT) {
      const r = must(
        all.find((e) => e.file === file),
        file,
      ).resource;
      assert.equal(validate(r, profileOf(r)), null);
      assert.deepEqual(errors(validate(r, `${NL}nl-core-LivingSituation.HomeAdaption`)), [], file);
    }
  });
});

describe('profile validation: refusals', () => {
  test('a broken nl-core resource is refused against its profile, named as prepare.ts names an entry', () => {
    const weight = example('nl-core-BodyWeight-01');
    weight.code = { coding: [{ system: 'http://loinc.org', code: '8302-2' }] }; // body height, not weight
    const issues = errors(
      validate(weight, `${NL}nl-core-BodyWeight`, {
        label: 'Bundle.entry[3] (Observation)',
        base: 'Bundle.entry[3].resource',
      }),
    );
    const coded = must(
      issues.find((i) => i.diagnostics.startsWith('Bundle.entry[3] (Observation): code ')),
      JSON.stringify(issues),
    );
    assert.match(coded.diagnostics, /\(profile nl-core-BodyWeight\)$/);
    assert.equal(coded.expression?.[0], 'Bundle.entry[3].resource.code');
    assert.equal(coded.code, 'invalid');
  });

  test('a missing required element and a missing required slice are refused', () => {
    const weight = example('nl-core-BodyWeight-01');
    delete weight.category;
    const issues = errors(validate(weight, `${NL}nl-core-BodyWeight`));
    assert.ok(
      issues.some((i) => i.diagnostics.startsWith('Observation: category ') && i.code === 'required'),
      JSON.stringify(issues),
    );
    const alert = example('nl-core-Alert-01');
    alert.code = { coding: [] };
    assert.ok(errors(validate(alert, `${NL}nl-core-Alert`)).length > 0);
  });

  test('a value of a type the profile does not allow is refused (stricter than medplum’s own profile path)', () => {
    const weight = example('nl-core-BodyWeight-01');
    delete weight.valueQuantity;
    weight.valueString = '80 kg';
    const issues = errors(validate(weight, `${NL}nl-core-BodyWeight`));
    assert.ok(
      issues.some((i) => i.diagnostics.includes('valueString')),
      JSON.stringify(issues),
    );
    // medplum's validateResource(…, { profile }) reads the properties by the base type and lets it through. If this
    // starts failing, medplum changed: re-read the comment at the top of validate.ts.
    assert.deepEqual(errors(uncached(weight, `${NL}nl-core-BodyWeight`)), []);
  });

  test('a resource of another type than the profile is refused; an unknown profile gives null', () => {
    const weight = example('nl-core-BodyWeight-01');
    const issues = must(validate(weight, `${NL}nl-core-Patient`), 'issues');
    assert.equal(issues.length, 1);
    assert.match(
      must(issues[0], 'issue').diagnostics,
      /^Observation: is not a Patient, which profile nl-core-Patient is for$/,
    );
    assert.equal(validate(weight, `${NL}nl-core-NoSuchProfile`), null);
    assert.equal(validate(weight, 'http://hl7.org/fhir/StructureDefinition/bodyweight'), null);
    assert.equal(hasProfile(`${NL}nl-core-BodyWeight|0.12.1-beta.1`), true);
    assert.deepEqual(errors(validate(weight, `${NL}nl-core-BodyWeight|0.12.1-beta.1`)), []);
  });

  test('no value from the request is echoed in a message (a property named like a BSN)', () => {
    const weight = example('nl-core-BodyWeight-01');
    weight['999911120'] = 'x';
    weight.subject = { reference: '999911120/x' };
    const issues = validate(weight, `${NL}nl-core-BodyWeight`) ?? [];
    assert.ok(errors(issues).length > 0);
    for (const i of issues) {
      assert.doesNotMatch(i.diagnostics, /999911120/);
      assert.doesNotMatch(i.expression?.join() ?? '', /999911120/);
    }
  });

  test('garbage is refused, not thrown', () => {
    for (const bad of [
      { resourceType: 'Observation', code: 'x', status: 7 },
      { resourceType: 'Observation', meta: [] },
    ])
      assert.ok(errors(validate(bad, `${NL}nl-core-BodyWeight`)).length > 0);
  });
});

describe('profile validation: what is accepted', () => {
  test('unknown extensions are accepted (on the resource, a data type and a primitive)', () => {
    const weight = example('nl-core-BodyWeight-01');
    const unknown = { url: 'https://his.example/fhir/StructureDefinition/own-flag', valueString: 'own data' };
    weight.extension = [...arr(weight.extension ?? []), unknown];
    obj(weight.code).extension = [unknown];
    weight._status = { extension: [unknown] };
    assert.deepEqual(errors(validate(weight, `${NL}nl-core-BodyWeight`)), []);
    const agreement = entry('mp9-ma-metoprolol');
    agreement.extension = [...arr(agreement.extension), unknown];
    assert.deepEqual(errors(validate(agreement, profileOf(agreement))), []);
  });

  test('the cached path agrees with medplum’s own profile path on every example (guards medplum’s internals)', () => {
    ensureBaseDefinitions();
    for (const { file, resource } of all) {
      const url = profileOf(resource);
      if (!hasProfile(url)) continue;
      const ours = must(validate(resource, url), file);
      const theirs = uncached(resource, url);
      assert.equal(errors(ours).length, errors(theirs).length, file);
      assert.equal(ours.length, theirs.length, file);
    }
    // and it finds the same problems in a broken one
    const weight = example('nl-core-BodyWeight-01');
    delete weight.category;
    weight.status = 'done';
    const ours = errors(validate(weight, `${NL}nl-core-BodyWeight`));
    const theirs = errors(uncached(weight, `${NL}nl-core-BodyWeight`));
    assert.ok(ours.length > 0);
    assert.deepEqual(
      ours.map((i) => i.expression?.[0]),
      theirs.map((i) => i.expression?.[0]),
    );
  });

  test('every committed snapshot is listed and parses (the index names its type)', () => {
    const listed = knownProfiles();
    assert.equal(listed.length, 168);
    for (const { url, type } of listed.filter((p) => /mp-|Patient|BodyWeight/.test(p.url))) {
      assert.equal(loadSnapshot(url)?.type, type);
      assert.notEqual(validate({ resourceType: type }, url), null);
    }
  });
});

// --- hand-made MP9 3.0 bundles (test/fixtures/mp9-handmade, README.md there says what each shows) -------------------
function mp9(): { file: string; bundle: J; entries: J[] }[] {
  const dir = new URL('mp9-handmade/', fixtures);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const bundle = obj(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
      return { file, bundle, entries: arr(bundle.entry).map((e) => obj(obj(e).resource)) };
    });
}
const entry = (id: string): J =>
  structuredClone(
    must(
      mp9()
        .flatMap((b) => b.entries)
        .find((r) => r.id === id),
      id,
    ),
  );
/** The valuePeriod of a resource's period of use (ext-TimeInterval.Period). */
const periodOfUse = (r: J): J =>
  obj(obj(arr(r.extension).find((e) => obj(e).url === `${NL}ext-TimeInterval.Period`)).valuePeriod);

describe('profile validation: hand-made MP9 3.0 bundles', () => {
  const bundles = mp9();
  const MP9_PROFILES = [
    'mp-MedicationAgreement',
    'mp-DispenseRequest',
    'mp-AdministrationAgreement',
    'mp-MedicationDispense',
    'mp-MedicationUse2',
    'mp-PharmaceuticalProduct',
  ];

  test('three transaction bundles, valid against base R4, covering every MP9 building block', () => {
    assert.deepEqual(
      bundles.map((b) => b.file),
      ['mp9-current-metoprolol.json', 'mp9-past-amoxicillin.json', 'mp9-stopped-magistral.json'],
    );
    for (const { file, bundle } of bundles) {
      assert.equal(bundle.type, 'transaction');
      assert.deepEqual(errors(validateResource(bundle as unknown as Bundle)), [], file);
    }
    const used = new Set(bundles.flatMap((b) => b.entries.map((r) => profileOf(r).replace(NL, ''))));
    for (const p of MP9_PROFILES) assert.ok(used.has(p), p);
  });

  for (const { file, entries } of bundles) {
    test(`${file}: every resource validates clean against its MP9 or nl-core profile`, () => {
      for (const r of entries) {
        const name = `${String(r.resourceType)}/${String(r.id)}`;
        assert.ok(hasProfile(profileOf(r)), `${name}: ${profileOf(r)}`);
        assert.deepEqual(validate(r, profileOf(r)), [], name);
      }
    });

    test(`${file}: one patient (BSN passes the 11-test), references resolve within the bundle`, () => {
      const ids = new Set(entries.map((r) => `${String(r.resourceType)}/${String(r.id)}`));
      const patients = entries.filter((r) => r.resourceType === 'Patient');
      assert.equal(patients.length, 1);
      const bsn = arr(must(patients[0], 'patient').identifier)
        .map(obj)
        .find((i) => i.system === 'http://fhir.nl/fhir/NamingSystem/bsn')?.value;
      assert.equal(bsn, '999911120');
      assert.ok(isValidBsn(bsn));
      const refs = JSON.stringify(entries).match(/"reference":"[^"]*"/g) ?? [];
      assert.ok(refs.length > 0);
      for (const ref of refs) assert.ok(ids.has(ref.slice(13, -1)), ref);
    });
  }

  test('the stop agreement carries a stop type and an ended period; the past agreement ended years ago', () => {
    const stop = entry('mp9-ma-hydrocortison-stop');
    const stopType = obj(arr(stop.modifierExtension)[0]);
    assert.equal(stopType.url, `${NL}ext-StopType`);
    assert.equal(obj(arr(obj(stopType.valueCodeableConcept).coding)[0]).code, '410546004');
    assert.equal(stop.dosageInstruction, undefined);
    assert.equal(periodOfUse(stop).end, '2026-12-01');
    assert.equal(periodOfUse(entry('mp9-ma-amoxicilline-2019')).end, '2019-03-10');
    const current = entry('mp9-ma-metoprolol');
    assert.equal(periodOfUse(current).end, undefined);
    assert.ok(arr(current.extension).some((e) => obj(e).url === `${NL}ext-RenderedDosageInstruction`));
    assert.equal(entry('mp9-vv-metoprolol').dosageInstruction, undefined);
    const magistral = obj(entry('mp9-med-hydrocortison-magistraal').code);
    assert.ok(!arr(magistral.coding).some((c) => String(obj(c).system).startsWith('urn:oid:2.16.840.1.113883.2.4.4.')));
  });

  test('MP9 refusals: an agreement without a category, with the product inline, or a dispense request as agreement', () => {
    const url = `${NL}mp-MedicationAgreement`;
    const noCategory = entry('mp9-ma-metoprolol');
    delete noCategory.category;
    assert.ok(errors(validate(noCategory, url)).length > 0);
    const inline = entry('mp9-ma-metoprolol');
    delete inline.medicationReference;
    inline.medicationCodeableConcept = { text: 'metoprolol' };
    assert.ok(errors(validate(inline, url)).some((i) => i.diagnostics.includes('medicationReference')));
    assert.ok(errors(validate(entry('mp9-vv-metoprolol'), url)).some((i) => i.diagnostics.includes('category')));
  });
});
