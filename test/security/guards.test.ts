// Static guards over the source: the switches that open citizen rows are thrown only by the database itself.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (/\.(ts|tsx)$/.test(entry) && !/\.test\.tsx?$|testkit\.ts$/.test(entry)) out.push(full);
  }
  return out;
}

const files = sources('src').map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));

test('only the principal module sets transaction settings (the principal, the audited-citizens list)', () => {
  assert.ok(files.length > 20);
  const offenders = files.filter(
    ({ file, text }) =>
      file !== join('src', 'platform', 'db', 'principal.ts') &&
      /set_config|SET\s+(LOCAL\s+)?ROLE|koepel\.audited_citizens|koepel\.patient_search/i.test(text),
  );
  assert.deepEqual(
    offenders.map((o) => o.file),
    [],
  );
});

test('no application code switches off triggers or row-level security', () => {
  const offenders = files.filter(({ text }) =>
    /session_replication_role|disable\s+trigger|no\s+force\s+row\s+level|bypassrls/i.test(text),
  );
  assert.deepEqual(
    offenders.map((o) => o.file),
    [],
  );
});

test('request code reaches the database only through a principal', () => {
  // The owner connection (koepel.db / database.db) may be used only by start-up code and withPrincipal itself.
  const allowed = new Set(['boot.ts', 'seed.ts', 'migrate.ts', 'database.ts', 'verify-cli.ts', 'app.ts']);
  const offenders = files.filter(({ file, text }) => {
    const name = file.split(/[\\/]/).pop() ?? '';
    if (allowed.has(name)) return false;
    // Any direct query builder call on an owner handle, e.g. `koepel.db.selectFrom(` or `database.db.insertInto(`.
    return /\b(?:koepel|database|services)\.db\s*\.\s*(selectFrom|insertInto|updateTable|deleteFrom|transaction|connection)\b/.test(
      text,
    );
  });
  assert.deepEqual(
    offenders.map((o) => o.file),
    [],
  );
});

test('outside the kernel, nothing opens a transaction by hand or acts as the system without naming a purpose', () => {
  // The ways in are req.withData (the request's principal), req.withSystem(purpose) and, outside a request,
  // runInScope / systemTask (src/platform/db/scope.ts). withPrincipal and system principals belong to src/platform.
  const outside = files.filter(({ file }) => !file.startsWith(join('src', 'platform')));
  assert.ok(outside.length > 50);
  const offenders = outside
    .filter(({ text }) => /\bwithPrincipal\b|kind:\s*'system'/.test(text))
    .map(({ file }) => file);
  assert.deepEqual(offenders, []);
});

test('one code-system label map: no other file names a code system', () => {
  // Labels such as "LOINC" for http://loinc.org live in src/platform/fhir/code-systems.ts only.
  const offenders = files.filter(
    ({ file, text }) =>
      file !== join('src', 'platform', 'fhir', 'code-systems.ts') &&
      /['"](?:http:\/\/loinc\.org|http:\/\/snomed\.info\/sct|http:\/\/hl7\.org\/fhir\/sid\/icpc-1(?:-nl)?)['"]\s*:\s*['"]/.test(
        text,
      ),
  );
  assert.deepEqual(
    offenders.map((o) => o.file),
    [],
  );
});

test('pages use the component layer: no utrecht- class names outside src/platform/web', () => {
  const offenders = files.filter(
    ({ file, text }) => !file.startsWith(join('src', 'platform', 'web')) && /utrecht-/.test(text),
  );
  assert.deepEqual(
    offenders.map((o) => o.file),
    [],
  );
});
