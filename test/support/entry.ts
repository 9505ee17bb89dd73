// How a test starts one of Koepel's entry points (src/main.ts, a CLI) in a child process. Under the test runner the
// sources were compiled once (scripts/run-tests.mjs), so the child runs that JavaScript: loading the whole app
// through tsx again costs each child a second or two of CPU. A test file run through tsx runs the TypeScript.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Node's arguments that run `entry` (a path from the repository root, e.g. 'src/main.ts'). */
export function entryArgs(entry: string): string[] {
  if (!import.meta.url.endsWith('.js')) return ['--import', 'tsx', entry];
  const compiled = fileURLToPath(new URL(`../../${entry.replace(/\.tsx?$/, '.js')}`, import.meta.url));
  return existsSync(compiled) ? ['--enable-source-maps', compiled] : ['--import', 'tsx', entry];
}
