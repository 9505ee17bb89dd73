// The house rule of docs/ARCHITECTURE.md, enforced by `npm run lint` (eslint.config.js, import-x/no-restricted-paths):
// the kernel imports no capability, a capability reaches another only through its public module (index.ts), and
// production code never imports the demo. Each case lints a fixture as if it were a file of src/, with the project's
// real configuration, and expects the rule to fire — or not.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

describe('capability boundaries (lint)', () => {
  test('a capability importing another capability’s internals is refused', async () => {
    const problems = await boundaryProblems(
      'src/dossier/data.ts',
      "import { writeResources } from '../record/store.js';\nexport const w = writeResources;\n",
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /through its public module, src\/record\/index\.ts/);
  });

  test('the same import through the public module is allowed', async () => {
    const problems = await boundaryProblems(
      'src/dossier/data.ts',
      "import { writeResources } from '../record/index.js';\nexport const w = writeResources;\n",
    );
    assert.deepEqual(problems, []);
  });

  test('production code importing the demo is refused, also through its index', async () => {
    for (const [file, spec] of [
      ['src/citizen-apps/connected.tsx', '../demo/index.js'],
      ['src/citizen-apps/connected.tsx', '../demo/pgo.js'],
      ['src/app.ts', './demo/index.js'],
    ] as const) {
      const problems = await boundaryProblems(file, `import { demo } from '${spec}';\nexport const d = demo;\n`);
      assert.equal(problems.length, 1, `${file} → ${spec}`);
      assert.match(problems[0] ?? '', /never imports the demo/);
    }
  });

  test('the kernel importing a capability is refused, even its public module', async () => {
    const problems = await boundaryProblems(
      'src/platform/web/layout.tsx',
      "import { dossier } from '../../dossier/index.js';\nexport const d = dossier;\n",
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /kernel \(src\/platform\) imports no capability/);
  });

  test('inside its own folder a capability imports freely', async () => {
    const problems = await boundaryProblems(
      'src/dossier/routes.tsx',
      "import { medicationOverview } from './medication.js';\nexport const m = medicationOverview;\n",
    );
    assert.deepEqual(problems, []);
  });
});
