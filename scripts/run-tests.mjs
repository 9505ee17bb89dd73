#!/usr/bin/env node
// Runs the test suite with Node's own test runner (through tsx for TypeScript).
//   node scripts/run-tests.mjs                 unit and integration tests (not the browser journeys)
//   node scripts/run-tests.mjs --unit          only the unit tests (*.test.ts that are not *.integration.test.ts)
//   node scripts/run-tests.mjs --integration   only the integration tests (*.integration.test.ts)
//   node scripts/run-tests.mjs test/e2e        the browser journeys (needs /usr/bin/chromium)
//   node scripts/run-tests.mjs <files or folders>
// An integration test boots Koepel, a database, a browser or a child process; scripts/classify-tests.mjs tells which
// test files are and how to name them.
//
// Tests run on in-memory PGlite unless KOEPEL_TEST_DATABASE_URL points at a PostgreSQL server, where every test
// file gets a database of its own. Either way the database is prepared once per run (migrations and the demo seed,
// test/support/build-template.ts) and each Koepel a test starts is a copy of it: a PGlite loaded from a dump, or a
// PostgreSQL `create database … template`. The template is removed again at the end.
//
// The TypeScript is compiled once per run (esbuild, one output file per source file, inline source maps) into
// node_modules/.cache/koepel-tests/<pid>/, and the test processes load plain JavaScript: loading ~400 modules through
// tsx's loader hooks cost each test file about 2.5 s of CPU, most of the suite's time. KOEPEL_TEST_LOADER=tsx runs
// the sources through tsx instead (as before), e.g. to debug a loader question.
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const argv = process.argv.slice(2);
const only = argv.includes('--unit') ? 'unit' : argv.includes('--integration') ? 'integration' : null;
const args = argv.filter((a) => a !== '--unit' && a !== '--integration');
const roots = args.length > 0 ? args : ['src', 'test'];
const includeE2e = args.some((a) => a.includes('e2e'));

const INTEGRATION_NAME = /\.integration\.test\.tsx?$/;

function collect(path, out) {
  const st = statSync(path);
  if (st.isFile()) {
    if (/\.test\.tsx?$/.test(path)) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    const full = join(path, entry);
    if (!includeE2e && full.split(/[\\/]/).includes('e2e')) continue;
    collect(full, out);
  }
  return out;
}

const files = roots
  .flatMap((r) => collect(r, []))
  .filter((f) => only === null || (only === 'integration') === INTEGRATION_NAME.test(f))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' };

function run(command, commandArgs, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, options);
    let stdout = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout }));
  });
}

/** Builds the prepared database when a selected file starts Koepel through the harness; returns its cleanup. */
async function prepareTemplate() {
  const usesHarness = files.some((f) => readFileSync(f, 'utf8').includes('support/harness'));
  if (!usesHarness) return async () => undefined;
  const dir = mkdtempSync(join(tmpdir(), 'koepel-test-'));
  const started = Date.now();
  const built = await run(process.execPath, [...loader, compiled('test/support/build-template.ts'), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  if (built.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('could not prepare the test database (test/support/build-template.ts)');
  }
  const handed = JSON.parse(built.stdout.trim().split('\n').pop());
  Object.assign(env, handed);
  console.error(`# prepared the test database in ${Date.now() - started} ms`);
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    const template = handed.KOEPEL_TEST_TEMPLATE_DATABASE;
    if (template && process.env.KOEPEL_TEST_DATABASE_URL) {
      const { default: pg } = await import('pg');
      const admin = new pg.Client({ connectionString: process.env.KOEPEL_TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${template} with (force)`);
      await admin.end();
    }
  };
}

const useTsx = process.env.KOEPEL_TEST_LOADER === 'tsx';
const outDir = resolve('node_modules', '.cache', 'koepel-tests', String(process.pid));

/** Every TypeScript file of src/ and test/ (the tests import both). */
function typescriptSources(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') typescriptSources(full, out);
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Compiles src/ and test/ next to links to what the code reads from beside itself (migrations, static files). */
async function compileSources() {
  rmSync(outDir, { recursive: true, force: true });
  await build({
    // test/fixtures is linked, not compiled (its script writes the fixtures; no test imports it).
    entryPoints: [...typescriptSources('src'), ...typescriptSources('test')].filter(
      (f) => !f.startsWith(join('test', 'fixtures')),
    ),
    outdir: outDir,
    outbase: '.',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    tsconfig: 'tsconfig.json',
    logLevel: 'warning',
  });
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  // A capability's own static files (src/<capability>/static, e.g. the video consult's script) are linked too.
  const capabilityStatic = readdirSync('src', { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'platform')
    .map((d) => `src/${d.name}/static`)
    .filter((dir) => existsSync(dir));
  for (const linked of [
    'migrations',
    'src/platform/web/static',
    ...capabilityStatic,
    'src/fhir/profiles/snapshots',
    'test/fixtures',
  ]) {
    mkdirSync(dirname(join(outDir, linked)), { recursive: true });
    symlinkSync(resolve(linked), join(outDir, linked), 'dir');
  }
}

// On PGlite, V8's first WebAssembly tier only: recompiling PGlite's large module with the optimising tier costs
// each test process about 1.4 s of CPU, more than the tests it would speed up win back (docs/performance.md).
const wasmFlags = process.env.KOEPEL_TEST_DATABASE_URL ? [] : ['--liftoff-only'];
const loader = [...(useTsx ? ['--import', 'tsx'] : ['--enable-source-maps']), ...wasmFlags];
const compiled = (file) => (useTsx ? file : join(outDir, file.replace(/\.tsx?$/, '.js')));

// The usual spec output, and — when KOEPEL_TEST_FAILURES_FILE names a file — one line per failed test appended to it
// (.ci/run prints that file in its summary, so the end of the log says what failed).
const failuresFile = process.env.KOEPEL_TEST_FAILURES_FILE;
const runFailures = failuresFile ? join(tmpdir(), `koepel-failures-${process.pid}.txt`) : null;
const reporters = runFailures
  ? [
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${pathToFileURL(resolve('scripts/failures-reporter.mjs')).href}`,
      `--test-reporter-destination=${runFailures}`,
    ]
  : [];

let exitCode = 1;
let cleanup = async () => undefined;
try {
  if (!useTsx) {
    const started = Date.now();
    await compileSources();
    console.error(`# compiled the TypeScript in ${Date.now() - started} ms`);
  }
  cleanup = await prepareTemplate();
  const result = await run(
    process.execPath,
    [...loader, '--test', '--test-concurrency=2', '--test-timeout=180000', ...reporters, ...files.map(compiled)],
    { stdio: 'inherit', env },
  );
  exitCode = result.code;
  if (runFailures && failuresFile && existsSync(runFailures)) {
    const lines = readFileSync(runFailures, 'utf8');
    const where = `${process.env.KOEPEL_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, Node ${process.versions.node}`;
    if (lines.trim()) appendFileSync(failuresFile, `# ${args.join(' ') || 'all tests'} (${where})\n${lines}`);
    rmSync(runFailures, { force: true });
  }
} finally {
  await cleanup();
  if (!useTsx) rmSync(outDir, { recursive: true, force: true });
}
process.exit(exitCode);
