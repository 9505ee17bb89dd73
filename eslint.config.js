// Type-aware lint with zero warnings; the rules guard what reviewers care about in this codebase.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The house rule (docs/ARCHITECTURE.md, "Capabilities and the kernel"): src/platform is the kernel and imports no
// capability; a capability (any other folder of src/) imports the kernel, its own folder, and another capability only
// through that capability's one public module, its index.ts; production code never imports the demo (src/demo).
const CAPABILITIES = readdirSync(new URL('./src', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'platform')
  .map((d) => d.name);
const boundaryZones = [
  {
    target: './src/platform',
    from: './src',
    except: ['./platform'],
    message: 'The kernel (src/platform) imports no capability; let the capability register with the kernel instead.',
  },
  ...CAPABILITIES.flatMap((cap) =>
    CAPABILITIES.filter((other) => other !== cap).map((other) => ({
      target: `./src/${cap}`,
      from: `./src/${other}`,
      except: other === 'demo' ? [] : ['./index.ts'],
      message:
        other === 'demo'
          ? 'Production code never imports the demo.'
          : `Import ${other} through its public module, src/${other}/index.ts.`,
    })),
  ),
  // The composition root (src/*.ts: app, boot, the entry points) wires capabilities through their public modules.
  ...CAPABILITIES.map((other) => ({
    target: './src/*.ts',
    from: `./src/${other}`,
    except: other === 'demo' ? [] : ['./index.ts'],
    message:
      other === 'demo'
        ? 'Production code never imports the demo (the demo entry, src/demo/main.ts, imports the rest).'
        : `Import ${other} through its public module, src/${other}/index.ts.`,
  })),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      // Fastify handlers and interface methods are async by contract, with or without an await inside.
      '@typescript-eslint/require-await': 'off',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    // Tests and their kits may reach into what they test.
    ignores: ['**/*.test.ts', '**/*.test.tsx', '**/*.testkit.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: boundaryZones }] },
  },
  {
    // node:test's describe()/test() return promises that the runner itself awaits.
    files: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
  {
    files: ['scripts/**', 'bench/**', 'src/main.ts', 'src/start.ts', 'src/demo/main.ts', 'src/**/*-cli.ts'],
    rules: { 'no-console': 'off' },
  },
);
