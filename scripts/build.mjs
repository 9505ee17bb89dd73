#!/usr/bin/env node
// `npm run build`: compiles src/ into dist/ for production (`npm run start:production` runs `node dist/main.js`).
//
// esbuild, one JavaScript file per TypeScript file (not a bundle), the way scripts/run-tests.mjs compiles for the tests:
// the code finds what it reads from beside itself by its own location (import.meta.url), and that keeps working when
// the layout stays the same — src/platform/web/static is copied to dist/platform/web/static, and the migrations are
// read from the repository's migrations/ (dist/platform/db/../../../migrations), and the FHIR profile snapshots
// (src/fhir/profiles/snapshots) are copied too. The packages stay in node_modules
// (the stylesheet reads the NL Design System CSS from there at start). Type checking is `npm run typecheck` (tsc);
// esbuild only strips the types, in about a second. Source maps sit next to each file (node --enable-source-maps).
// Test files and test kits are not compiled: production never imports them.
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const outdir = 'dist';

/** The TypeScript files of src/ that production can load (no tests, no test kits). */
function sources(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) sources(full, out);
    else if (/\.tsx?$/.test(entry.name) && !/\.(test|testkit)\.tsx?$|\.d\.ts$/.test(entry.name)) out.push(full);
  }
  return out;
}

const started = Date.now();
rmSync(outdir, { recursive: true, force: true });
const entryPoints = sources('src');
await build({
  entryPoints,
  outdir,
  outbase: 'src',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  tsconfig: 'tsconfig.json',
  logLevel: 'warning',
});
cpSync('src/platform/web/static', join(outdir, 'platform/web/static'), { recursive: true });
// A capability's own static files (src/<capability>/static, e.g. the video consult's script).
for (const d of readdirSync('src', { withFileTypes: true })) {
  const dir = join('src', d.name, 'static');
  if (d.isDirectory() && d.name !== 'platform' && existsSync(dir))
    cpSync(dir, join(outdir, d.name, 'static'), { recursive: true });
}
cpSync('src/fhir/profiles/snapshots', join(outdir, 'fhir/profiles/snapshots'), { recursive: true });
console.log(`compiled ${entryPoints.length} files into ${outdir}/ in ${Date.now() - started} ms`);
