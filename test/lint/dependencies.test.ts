// Production (`npm ci --omit=dev`, then `node dist/main.js`) has only package.json's "dependencies": every package the
// production code loads must be one of them, and each of them must be loaded by it (an unused dependency is an
// attack surface and an update chore for nothing). Production code is src/ without tests, test kits and the demo
// (src/demo: only `npm start` loads it, on a development install).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function productionFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== join('src', 'demo')) productionFiles(full, out);
    } else if (/\.tsx?$/.test(entry.name) && !/\.(test|testkit)\.tsx?$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** The npm package a module specifier names, or null for a relative path or a Node built-in. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('/')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? null);
}

/**
 * Module specifiers of static imports and re-exports (not `import type`: erased), dynamic imports, require() and
 * require.resolve(), and the stylesheet's read() of a scoped package's file.
 */
const SPECIFIER =
  /^(?:import|export)(?!\s+type\b)[^;]*?\sfrom\s+'([^']+)'|^import\s+'([^']+)'|(?:\bimport\s*\(\s*|\brequire(?:\.resolve)?\(\s*)'([^']+)'|\bread\(\s*'(@[^']+)'/gm;

function loadedPackages(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of productionFiles('src')) {
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const name = packageOf(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
      if (name && !name.startsWith('node:')) used.set(name, [...(used.get(name) ?? []), file]);
    }
  }
  return used;
}

const BUILTINS = new Set(['fs', 'path', 'crypto', 'url', 'os', 'net', 'http', 'stream', 'util', 'module', 'zlib']);

describe('dependencies of the production build', () => {
  test('every package production code loads is a dependency (not a devDependency)', () => {
    const missing = [...loadedPackages()]
      .filter(([name]) => !BUILTINS.has(name) && !(name in pkg.dependencies))
      .map(([name, files]) => `${name} (${files.join(', ')})`);
    assert.deepEqual(missing, []);
  });

  test('every dependency is loaded by production code', () => {
    const used = loadedPackages();
    assert.deepEqual(
      Object.keys(pkg.dependencies).filter((name) => !used.has(name)),
      [],
    );
  });

  test('tsx and the build tools are development dependencies only', () => {
    for (const name of ['tsx', 'esbuild', 'typescript']) {
      assert.ok(!(name in pkg.dependencies), name);
      assert.ok(name in pkg.devDependencies, name);
    }
    assert.match(
      (pkg as unknown as { scripts: Record<string, string> }).scripts['start:production'] ?? '',
      /dist\/main\.js/,
    );
  });

  test('the specifier parser names packages as npm does', () => {
    assert.equal(packageOf('@utrecht/component-library-css/dist/index.css'), '@utrecht/component-library-css');
    assert.equal(packageOf('csv-stringify/sync'), 'csv-stringify');
    assert.equal(packageOf('../x.js'), null);
    assert.equal(packageOf('node:fs'), null);
  });
});
