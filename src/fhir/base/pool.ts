// Base validation of large Bundles on worker threads. @medplum/core's validator costs ~150–400 µs per resource, more
// than everything else ingest does on the event loop together; a Bundle of thousands of entries would hold the loop
// for a second. So Bundles of at least POOL_MIN_ENTRIES entries are validated on a worker (the loop stays free for
// other requests, and a second core does the work), smaller ones inline.
//
// The pool starts on first use, in the background: until its worker has loaded the definitions (~0.5 s) Bundles are
// validated inline. A worker that fails is replaced; its requests fall back to inline validation (answer `null`).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BaseIssue } from './validate.js';

/** Bundles with fewer entries are validated on the event loop: a round trip to a worker costs more. */
export const POOL_MIN_ENTRIES = 8;

interface Pending {
  resolve: (issues: (BaseIssue[] | null)[] | null) => void;
  size: number;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  pending: Map<number, Pending>;
  load: number;
}

/** Starts a worker on a module. Compiled JavaScript (tests, production) starts as is; TypeScript under tsx
 * (`npm start`, the bench) needs tsx's loader inside the worker, which a development entry point supplies with
 * `setTypeScriptWorkerStart` (production code does not load tsx). */
type WorkerStart = (module: URL, workerData: unknown) => Worker;
let typeScriptStart: WorkerStart | null = null;

export function setTypeScriptWorkerStart(start: WorkerStart): void {
  typeScriptStart = start;
}

const underTypeScript = () => import.meta.url.endsWith('.ts');

function newWorker(types: readonly string[]): Worker {
  const workerData = { types: [...types] };
  if (!underTypeScript()) return new Worker(new URL('./worker.js', import.meta.url), { workerData });
  if (!typeScriptStart) throw new Error('no TypeScript worker start set');
  return typeScriptStart(new URL('./worker.ts', import.meta.url), workerData);
}

/** A worker that keeps failing is not restarted more often than this. */
const MAX_RESTARTS = 5;

export class ValidationPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;
  private restarts = 0;

  constructor(
    private readonly size: number,
    private readonly types: readonly string[],
  ) {
    for (let i = 0; i < size; i++) this.workers.push(this.start());
  }

  private start(): PoolWorker {
    const worker = newWorker(this.types);
    worker.unref(); // never keeps the process alive
    const w: PoolWorker = { worker, ready: false, pending: new Map(), load: 0 };
    worker.on('message', (m: { ready?: boolean; id?: number; issues?: (BaseIssue[] | null)[] }) => {
      if (m.ready) {
        w.ready = true;
        return;
      }
      const p = m.id === undefined ? undefined : w.pending.get(m.id);
      if (!p || m.id === undefined) return;
      w.pending.delete(m.id);
      w.load -= p.size;
      p.resolve(m.issues ?? null);
    });
    const fail = () => {
      for (const p of w.pending.values()) p.resolve(null);
      w.pending.clear();
      w.load = 0;
      const i = this.workers.indexOf(w);
      if (i < 0 || this.closed) return;
      if (this.restarts++ < MAX_RESTARTS) this.workers[i] = this.start();
      else this.workers.splice(i, 1); // from now on, inline
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    return w;
  }

  /** Issues per resource (null: validate it inline), or null when no worker is ready. */
  async validate(resources: unknown[]): Promise<(BaseIssue[] | null)[] | null> {
    const ready = this.workers.filter((w) => w.ready);
    if (ready.length === 0 || this.closed) return null;
    const w = ready.reduce((a, b) => (b.load < a.load ? b : a));
    const id = this.nextId++;
    w.load += resources.length;
    return new Promise((resolve) => {
      w.pending.set(id, { resolve, size: resources.length });
      w.worker.postMessage({ id, resources });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

let shared: ValidationPool | null = null;

/**
 * The process's pool, started on first call. KOEPEL_VALIDATION_WORKERS sets its size; the default is one worker on
 * a machine with at least two cores, none on one core (then everything is validated inline).
 */
export function validationPool(types: readonly string[]): ValidationPool | null {
  if (shared) return shared;
  const configured = Number(process.env.KOEPEL_VALIDATION_WORKERS);
  const size = Number.isInteger(configured) && configured >= 0 ? configured : availableParallelism() >= 2 ? 1 : 0;
  // Under tsx without a way to start a TypeScript worker: everything inline.
  if (size === 0 || (underTypeScript() && !typeScriptStart)) return null;
  shared = new ValidationPool(Math.min(size, 8), types);
  return shared;
}

/** Stops the process's pool (the server's onClose): its workers end, the next large Bundle starts a new one. */
export async function closeValidationPool(): Promise<void> {
  const pool = shared;
  shared = null;
  await pool?.close();
}
