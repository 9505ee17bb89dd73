#!/usr/bin/env node
// Tells for every test file whether it is a unit or an integration test, and how it should be named.
//   node scripts/classify-tests.mjs            one line per test file: unit|integration, the path, why
//   node scripts/classify-tests.mjs --git-mv   only the `git mv` commands for the files whose name does not say it
//   node scripts/classify-tests.mjs --check    exits 1 when a file's name does not match what it is
// The convention (docs/ARCHITECTURE.md): a test that boots Koepel, a database, a browser or a child process is an
// integration test named `*.integration.test.ts`; every other `*.test.ts` is a unit test. scripts/run-tests.mjs
// selects by that name (npm run test:unit, npm run test:integration).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const INTEGRATION_NAME = /\.integration\.test\.tsx?$/;

/** What, imported by a test file, makes it an integration test. */
const INTEGRATION_IMPORTS = [
  [
    /(^|\/)test\/support\/(harness|browser)(\.js)?$|^\.{1,2}\/(\.\.\/)*support\/(harness|browser)(\.js)?$/,
    'the harness',
  ],
  [/(^|\/)boot(\.js)?$/, 'boot()'],
  [/^pg$/, 'pg'],
  [/^@electric-sql\/pglite/, 'PGlite'],
  [/(^|\/)platform\/db\/database(\.js)?$/, 'openDatabase()'],
  [/^(node:)?child_process$/, 'a child process'],
  [/^playwright/, 'a browser'],
  [
    /(^|\/)support\/max-oidc-provider(\.js)?$|^\.\/max-oidc-provider(\.js)?$/,
    'the MAX-shaped OpenID provider (oidc-provider over HTTP)',
  ],
];

function testFiles(path, out = []) {
  if (statSync(path).isFile()) {
    if (/\.test\.tsx?$/.test(path)) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path)) {
    if (entry !== 'node_modules') testFiles(join(path, entry), out);
  }
  return out;
}

/** The reasons a file is an integration test (empty: a unit test). */
export function integrationReasons(source) {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map(
    (m) => m[1],
  );
  const reasons = new Set();
  for (const specifier of specifiers) {
    for (const [pattern, reason] of INTEGRATION_IMPORTS) if (pattern.test(specifier)) reasons.add(reason);
  }
  return [...reasons];
}

export function classify(file) {
  const reasons = integrationReasons(readFileSync(file, 'utf8'));
  const integration = reasons.length > 0;
  const named = INTEGRATION_NAME.test(file);
  const wanted = integration
    ? named
      ? file
      : file.replace(/\.test\.(tsx?)$/, '.integration.test.$1')
    : file.replace(/\.integration\.test\.(tsx?)$/, '.test.$1');
  return { file, integration, reasons, wanted };
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const mode = process.argv[2];
  const roots = ['src', 'test'];
  const results = roots
    .flatMap((r) => testFiles(r))
    .sort()
    .map(classify);
  let misnamed = 0;
  for (const r of results) {
    const rename = r.wanted !== r.file ? `git mv ${r.file} ${r.wanted}` : '';
    if (rename) misnamed++;
    if (mode === '--git-mv') {
      if (rename) console.log(rename);
    } else if (mode !== '--check' || rename) {
      const kind = r.integration ? 'integration' : 'unit';
      const why = r.integration ? ` (${r.reasons.join(', ')})` : '';
      console.log(`${kind.padEnd(11)} ${r.file}${why}${rename ? `\n            ${rename}` : ''}`);
    }
  }
  if (mode !== '--git-mv') {
    const integration = results.filter((r) => r.integration).length;
    console.log(
      `\n${results.length} test files: ${integration} integration, ${results.length - integration} unit; ${misnamed} to rename`,
    );
  }
  if (mode === '--check' && misnamed > 0) process.exit(1);
}
