import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { Fhir } from 'fhir';
import { isValidBsn } from '../../identity/bsn.js';
import { ensureBaseDefinitions, hasProfile, knownProfiles, loadSnapshot, validateAgainstProfile } from './validate.js';

const fixtures = new URL('../../../test/fixtures/', import.meta.url);
const NL = 'http://nictiz.nl/fhir/StructureDefinition/';

// --- the zib2020 examples as JSON (FHIR.js with the workarounds of docs/notes/issue-11-groundwork.md §2) ------------
/** XML comments come out as DSTU2 `fhir_comments`: drop them and the empty `_field` objects they leave. */
function strip(v: unknown): void {
  if (Array.isArray(v)) v.forEach(strip);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    delete o.fhir_comments;
    for (const [k, x] of Object.entries(o)) {
      strip(x);
      const empty = (y: unknown) => y === null || (typeof y === 'object' && Object.keys(y as object).length === 0);
      if (k.startsWith('_') && (Array.isArray(x) ? x.every(empty) : empty(x))) Reflect.deleteProperty(o, k);
    }
  }
}
function examples(): { file: string; resource: Resource }[] {
  const fhir = new Fhir();
  const dir = new URL('nictiz-zib2020/examples/', fixtures);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((file) => {
      const xml = readFileSync(new URL(file, dir), 'utf8').replace(
        /^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*/,
        '',
      );
      const resource = JSON.parse(fhir.xmlToJson(xml)) as Resource;
      strip(resource);
      return { file, resource };
    });
}
const all = examples();
const example = (id: string) => structuredClone(all.find((e) => e.resource.id === id)!.resource);
const profileOf = (r: Resource) => r.meta?.profile?.[0] ?? '';
const errors = (issues: { severity: string }[] | null) => (issues ?? []).filter((i) => i.severity === 'error');

/** medplum's own profile path (re-parses the snapshot on every call): the reference the cached path must match. */
function uncached(resource: Resource, url: string): OperationOutcomeIssue[] {
  try {
    return validateResource(resource, { profile: loadSnapshot(url)! });
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
      const issues = validateAgainstProfile(resource, profileOf(resource));
      if (issues === null) continue;
      const bad = errors(issues);
      if (bad.length === 0) clean++;
      else refused[file] = bad.map((i) => (i as { diagnostics: string }).diagnostics).join('; ');
    }
    assert.deepEqual(Object.keys(refused), Object.keys(KNOWN_FAILURES), JSON.stringify(refused, null, 1));
    assert.equal(clean, 268);
  });

  test('the HouseAdaption examples validate against the profile Nictiz meant (HomeAdaption)', () => {
    for (const file of NO_SNAPSHOT) {
      const r = all.find((e) => e.file === file)!.resource;
      assert.equal(validateAgainstProfile(r, profileOf(r)), null);
      assert.deepEqual(errors(validateAgainstProfile(r, `${NL}nl-core-LivingSituation.HomeAdaption`)), [], file);
    }
  });
});

describe('profile validation: refusals', () => {
  test('a broken nl-core resource is refused against its profile, named as prepare.ts names an entry', () => {
    const weight = example('nl-core-BodyWeight-01') as Resource & { code?: unknown; category?: unknown };
    weight.code = { coding: [{ system: 'http://loinc.org', code: '8302-2' }] }; // body height, not weight
    const issues = errors(
      validateAgainstProfile(weight, `${NL}nl-core-BodyWeight`, {
        label: 'Bundle.entry[3] (Observation)',
        base: 'Bundle.entry[3].resource',
      }),
    );
    assert.ok(issues.length > 0);
    const coded = issues.find((i) => i.diagnostics.startsWith('Bundle.entry[3] (Observation): code '));
    assert.ok(coded, JSON.stringify(issues));
    assert.match(coded.diagnostics, /\(profile nl-core-BodyWeight\)$/);
    assert.equal(coded.expression?.[0], 'Bundle.entry[3].resource.code');
    assert.equal(coded.code, 'invalid');
  });

  test('a missing required element and a missing required slice are refused', () => {
    const weight = example('nl-core-BodyWeight-01') as Resource & { category?: unknown };
    delete weight.category;
    const issues = errors(validateAgainstProfile(weight, `${NL}nl-core-BodyWeight`));
    assert.ok(
      issues.some((i) => i.diagnostics.startsWith('Observation: category ') && i.code === 'required'),
      JSON.stringify(issues),
    );
    const alert = example('nl-core-Alert-01') as Resource & { code?: { coding?: unknown[] } };
    alert.code = { coding: [] };
    assert.ok(errors(validateAgainstProfile(alert, `${NL}nl-core-Alert`)).length > 0);
  });

  test('a value of a type the profile does not allow is refused (stricter than medplum’s own profile path)', () => {
    const weight = example('nl-core-BodyWeight-01') as Resource & { valueQuantity?: unknown; valueString?: string };
    delete weight.valueQuantity;
    weight.valueString = '80 kg';
    const issues = errors(validateAgainstProfile(weight, `${NL}nl-core-BodyWeight`));
    assert.ok(issues.some((i) => i.diagnostics.includes('valueString')), JSON.stringify(issues));
    // medplum's validateResource(…, { profile }) reads the properties by the base type and lets it through. If this
    // starts failing, medplum changed: re-read the comment at the top of validate.ts.
    assert.deepEqual(errors(uncached(weight, `${NL}nl-core-BodyWeight`)), []);
  });

  test('a resource of another type than the profile is refused; an unknown profile gives null', () => {
    const weight = example('nl-core-BodyWeight-01');
    const issues = validateAgainstProfile(weight, `${NL}nl-core-Patient`);
    assert.equal(issues?.length, 1);
    assert.match(issues[0]!.diagnostics, /^Observation: is not a Patient, which profile nl-core-Patient is for$/);
    assert.equal(validateAgainstProfile(weight, `${NL}nl-core-NoSuchProfile`), null);
    assert.equal(validateAgainstProfile(weight, 'http://hl7.org/fhir/StructureDefinition/bodyweight'), null);
    assert.equal(hasProfile(`${NL}nl-core-BodyWeight|0.12.1-beta.1`), true);
    assert.deepEqual(errors(validateAgainstProfile(weight, `${NL}nl-core-BodyWeight|0.12.1-beta.1`)), []);
  });

  test('no value from the request is echoed in a message (a property named like a BSN)', () => {
    const weight = example('nl-core-BodyWeight-01') as Resource & Record<string, unknown>;
    weight['999911120'] = 'x';
    weight.subject = { reference: '999911120/x' };
    const issues = validateAgainstProfile(weight, `${NL}nl-core-BodyWeight`) ?? [];
    assert.ok(errors(issues).length > 0);
    for (const i of issues) {
      assert.doesNotMatch(i.diagnostics, /999911120/);
      assert.doesNotMatch(i.expression?.join() ?? '', /999911120/);
    }
  });

  test('garbage is refused, not thrown', () => {
    for (const bad of [{ resourceType: 'Observation', code: 'x', status: 7 }, { resourceType: 'Observation', meta: [] }])
      assert.ok(errors(validateAgainstProfile(bad as unknown as Resource, `${NL}nl-core-BodyWeight`)).length > 0);
  });
});

describe('profile validation: what is accepted', () => {
  test('unknown extensions are accepted (on the resource, a data type and a primitive)', () => {
    const weight = example('nl-core-BodyWeight-01') as Resource & Record<string, unknown>;
    const unknown = { url: 'https://his.example/fhir/StructureDefinition/own-flag', valueString: 'own data' };
    weight.extension = [...((weight.extension as unknown[]) ?? []), unknown];
    (weight.code as { extension?: unknown[] }).extension = [unknown];
    weight._status = { extension: [unknown] };
    assert.deepEqual(errors(validateAgainstProfile(weight, `${NL}nl-core-BodyWeight`)), []);
    const agreement = mp9()[0]!.entries.find((r) => r.id === 'mp9-ma-metoprolol')!;
    agreement.extension = [...(agreement.extension ?? []), unknown];
    assert.deepEqual(errors(validateAgainstProfile(agreement, profileOf(agreement))), []);
  });

  test('the cached path agrees with medplum’s own profile path on every example (guards medplum’s internals)', () => {
    ensureBaseDefinitions();
    const key = (i: { severity?: string; diagnostics?: string; details?: { text?: string } }) =>
      i.severity === 'error' ? 'error' : 'ok';
    for (const { file, resource } of all) {
      const url = profileOf(resource);
      if (!hasProfile(url)) continue;
      const ours = validateAgainstProfile(resource, url)!;
      const theirs = uncached(resource, url);
      assert.equal(errors(ours).length > 0, theirs.some((i) => key(i) === 'error'), file);
      assert.equal(ours.length, theirs.length, file);
    }
    // and it finds the same problems in a broken one
    const weight = example('nl-core-BodyWeight-01') as Resource & { category?: unknown; status?: unknown };
    delete weight.category;
    weight.status = 'done';
    const ours = errors(validateAgainstProfile(weight, `${NL}nl-core-BodyWeight`));
    const theirs = uncached(weight, `${NL}nl-core-BodyWeight`).filter((i) => i.severity === 'error');
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
      assert.ok(validateAgainstProfile({ resourceType: type } as Resource, url) !== null);
    }
  });
});

// --- hand-made MP9 3.0 bundles (test/fixtures/mp9-handmade, README.md there says what each shows) -------------------
function mp9(): { file: string; bundle: Bundle; entries: Resource[] }[] {
  const dir = new URL('mp9-handmade/', fixtures);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const bundle = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Bundle;
      return { file, bundle, entries: (bundle.entry ?? []).map((e) => e.resource!) };
    });
}

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
      assert.deepEqual(validateResource(bundle).filter((i) => i.severity === 'error'), [], file);
    }
    const used = new Set(bundles.flatMap((b) => b.entries.map((r) => profileOf(r).replace(NL, ''))));
    for (const p of MP9_PROFILES) assert.ok(used.has(p), p);
  });

  for (const { file, entries } of bundles) {
    test(`${file}: every resource validates clean against its MP9 or nl-core profile`, () => {
      for (const r of entries) {
        assert.ok(hasProfile(profileOf(r)), `${r.resourceType}/${r.id}: ${profileOf(r)}`);
        assert.deepEqual(validateAgainstProfile(r, profileOf(r)), [], `${r.resourceType}/${r.id}`);
      }
    });

    test(`${file}: one patient (BSN passes the 11-test), references resolve within the bundle`, () => {
      const ids = new Set(entries.map((r) => `${r.resourceType}/${r.id}`));
      const patients = entries.filter((r) => r.resourceType === 'Patient');
      assert.equal(patients.length, 1);
      const bsn = (patients[0] as { identifier?: { system?: string; value?: string }[] }).identifier?.find(
        (i) => i.system === 'http://fhir.nl/fhir/NamingSystem/bsn',
      )?.value;
      assert.equal(bsn, '999911120');
      assert.ok(isValidBsn(bsn));
      const refs = JSON.stringify(entries).match(/"reference":"[^"]*"/g) ?? [];
      assert.ok(refs.length > 0);
      for (const ref of refs) assert.ok(ids.has(ref.slice(13, -1)), ref);
    });
  }

  test('the stop agreement carries a stop type and an ended period; the past agreement ended years ago', () => {
    const all = bundles.flatMap((b) => b.entries) as (Resource & Record<string, any>)[];
    const stop = all.find((r) => r.id === 'mp9-ma-hydrocortison-stop')!;
    assert.equal(stop.modifierExtension[0].url, `${NL}ext-StopType`);
    assert.equal(stop.modifierExtension[0].valueCodeableConcept.coding[0].code, '410546004');
    assert.equal(stop.dosageInstruction, undefined);
    const period = (r: Record<string, any>) =>
      r.extension.find((e: { url: string }) => e.url === `${NL}ext-TimeInterval.Period`).valuePeriod;
    assert.equal(period(stop).end, '2026-12-01');
    assert.equal(period(all.find((r) => r.id === 'mp9-ma-amoxicilline-2019')!).end, '2019-03-10');
    assert.equal(period(all.find((r) => r.id === 'mp9-ma-metoprolol')!).end, undefined);
    const rendered = all.find((r) => r.id === 'mp9-ma-metoprolol')!.extension[1];
    assert.equal(rendered.url, `${NL}ext-RenderedDosageInstruction`);
    assert.equal(all.find((r) => r.id === 'mp9-vv-metoprolol')!.dosageInstruction, undefined);
    const magistral = all.find((r) => r.id === 'mp9-med-hydrocortison-magistraal')!;
    assert.ok(!magistral.code.coding.some((c: { system: string }) => c.system.startsWith('urn:oid:2.16.840.1.113883.2.4.4.')));
  });

  test('MP9 refusals: an agreement without a category, with the product inline, or a dispense request as agreement', () => {
    const agreement = () =>
      structuredClone(bundles[0]!.entries.find((r) => r.id === 'mp9-ma-metoprolol')!) as Resource &
        Record<string, unknown>;
    const url = `${NL}mp-MedicationAgreement`;
    const noCategory = agreement();
    delete noCategory.category;
    assert.ok(errors(validateAgainstProfile(noCategory, url)).length > 0);
    const inline = agreement();
    delete inline.medicationReference;
    inline.medicationCodeableConcept = { text: 'metoprolol' };
    assert.ok(errors(validateAgainstProfile(inline, url)).some((i) => i.diagnostics.includes('medicationReference')));
    const request = structuredClone(bundles[0]!.entries.find((r) => r.id === 'mp9-vv-metoprolol')!);
    assert.ok(errors(validateAgainstProfile(request, url)).some((i) => i.diagnostics.includes('category')));
  });
});
