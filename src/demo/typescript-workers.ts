// Under tsx (`npm start`, the benches) Koepel's modules are TypeScript, and a worker thread does not inherit tsx's
// loader: this starts a worker through tsx's API instead. Development only (tsx is a devDependency); a production
// build is JavaScript and starts its workers directly (src/fhir/base/pool.ts).
import { Worker } from 'node:worker_threads';
import { setTypeScriptWorkerStart } from '../fhir/index.js';

export function useTypeScriptWorkers(): void {
  setTypeScriptWorkerStart((module, workerData) => {
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); });`;
    return new Worker(boot, { eval: true, workerData });
  });
}
