// A validation worker (see pool.ts): loads the base R4 definitions once, then validates the resources it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { loadBaseDefinitions, type BaseIssue } from './validate.js';
import { validateShape } from './shape.js';

const types = (workerData as { types: string[] }).types;
loadBaseDefinitions(types);
const known = new Set(types);

parentPort?.on('message', (message: { id: number; resources: unknown[] }) => {
  const issues = message.resources.map((r): BaseIssue[] | null => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return null;
    const type = (r as { resourceType?: unknown }).resourceType;
    if (typeof type !== 'string' || !known.has(type)) return null;
    try {
      return validateShape(r as Record<string, unknown> & { resourceType: string });
    } catch {
      return null; // validated again on the main thread, which reports the failure
    }
  });
  parentPort?.postMessage({ id: message.id, issues });
});
parentPort?.postMessage({ ready: true });
