#!/usr/bin/env node
// Runs the test suite with Node's own test runner (through tsx for TypeScript).
//   node scripts/run-tests.mjs            unit, integration and security tests (not the browser journeys)
//   node scripts/run-tests.mjs test/e2e   the browser journeys (needs /usr/bin/chromium)
//   node scripts/run-tests.mjs <files or folders>
// Tests run on in-memory PGlite unless KOEPEL_TEST_DATABASE_URL points at a PostgreSQL server, where every test
// file gets a database of its own.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const roots = args.length > 0 ? args : ['src', 'test'];
const includeE2e = args.some((a) => a.includes('e2e'));

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

const files = roots.flatMap((r) => collect(r, [])).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
