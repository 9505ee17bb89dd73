// A serving process's life after boot: its requests in flight are counted, and on shutdown (SIGTERM, src/start.ts) it
// drains. Readiness turns 503 at once (health.ts), so the load balancer sends no more; a request that still arrives
// gets a 503 with Retry-After and `Connection: close` — an OperationOutcome under /fhir, an OAuth error under /oauth,
// problem+json under /api, a page elsewhere — so that a client sends it again, to another node; the requests in
// flight finish. Only then (or when the grace time is over) do the listener and the database close (boot.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { issue } from '../fhir/outcome.js';
import { sendOutcome } from '../fhir/scope.js';
import { renderError } from './error-pages.js';
import { RETRY_AFTER_SECONDS } from './errors.js';

/** Paths that keep answering while the process drains: the orchestrator must see liveness, and readiness's 503. */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/health', '/health/live', '/health/ready']);

export class Lifecycle {
  /** Set on shutdown: readiness is 503 and new requests are refused. */
  draining = false;
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  get requestsInFlight(): number {
    return this.inFlight;
  }

  started(): void {
    this.inFlight++;
  }

  finished(): void {
    this.inFlight--;
    if (this.inFlight > 0) return;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves true as soon as no request is in flight, false when `ms` pass first. */
  idle(ms: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve(false);
      }, ms);
      this.waiters.push(wake);
    });
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle;
  }
}

async function refuseWhileDraining(req: FastifyRequest, reply: FastifyReply, path: string): Promise<FastifyReply> {
  reply.header('Connection', 'close');
  if (path === '/fhir' || path.startsWith('/fhir/')) {
    return sendOutcome(reply, 503, [issue('transient', 'This server is shutting down; send the request again.')], {
      'Retry-After': String(RETRY_AFTER_SECONDS),
    });
  }
  if (path.startsWith('/oauth/')) {
    return reply
      .code(503)
      .header('Retry-After', String(RETRY_AFTER_SECONDS))
      .header('Cache-Control', 'no-store')
      .send({ error: 'temporarily_unavailable' });
  }
  return renderError(req, reply, 503, 'unavailable');
}

/** Counts requests in flight and refuses new ones while draining; register before every other request hook. */
export function registerLifecycle(app: FastifyInstance): Lifecycle {
  const lifecycle = new Lifecycle();
  app.decorate('lifecycle', lifecycle);
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (lifecycle.draining && !HEALTH_PATHS.has(path)) return refuseWhileDraining(req, reply, path);
    lifecycle.started();
    // 'close' comes once for every response: sent in full, or cut (the client went away, or the grace time ended).
    reply.raw.once('close', () => lifecycle.finished());
  });
  return lifecycle;
}
