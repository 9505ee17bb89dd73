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
      /set_config|SET\s+(LOCAL\s+)?ROLE|koepel\.audited_citizens|koepel\.patient_search|koepel\.audit_lookup/i.test(
        text,
      ),
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

// The row-level-security principal lives in transaction settings that the application role may set (set_config):
// an injected statement could set another principal. So SQL text is never built from values: Kysely sends every
// value as a parameter, and these are the ways around that — allowed only in the kernel (the principal's BEGIN from
// validated ids, the migration runner's files) and, for identifiers, only with a string literal.
const SQL_FROM_TEXT = [
  /\bsql\s*\.\s*(raw|lit)\s*\(|\bCompiledQuery\s*\.\s*raw\s*\(|\.unsafe\s*\(/g,
  // sql.ref/sql.id/sql.table name identifiers: only a string literal, never a variable.
  /\bsql\s*\.\s*(ref|id|table)\s*\(\s*(?!['"][\w.]+['"]\s*[,)])/g,
  // A pg client's query() with text built by a template literal or concatenation.
  /\.query\s*\(\s*(`[^`]*\$\{|['"][^'"]*['"]\s*\+)/g,
];
const sqlFromText = (text: string) => SQL_FROM_TEXT.flatMap((re) => [...text.matchAll(re)].map((m) => m[0]));

test('outside the kernel, SQL text is never built from values (no sql.raw, sql.lit, CompiledQuery.raw)', () => {
  const offenders = files
    .filter(({ file }) => !file.startsWith(join('src', 'platform')))
    .flatMap(({ file, text }) => sqlFromText(text).map((m) => `${file}: ${m}`));
  assert.deepEqual(offenders, []);
});

test('the SQL-text guard catches what it should, and lets parameters and literal identifiers pass', () => {
  const bad = [
    'sql.raw(userInput)',
    'sql.lit(value)',
    'sql.ref(column)',
    'CompiledQuery.raw(text)',
    'client.query(`select ${x}`)',
    "client.query('select ' + x)",
  ];
  const good = ["sql.ref('l.resource_id')", 'sql`select ${value}`', "sql.id('audit_log')", "client.query('select 1')"];
  assert.deepEqual(
    bad.filter((s) => sqlFromText(s).length === 0),
    [],
  );
  assert.deepEqual(
    good.filter((s) => sqlFromText(s).length > 0),
    [],
  );
});
