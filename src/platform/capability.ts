// A capability is one folder of src/ (identity, dossier, record-requests, …) and one encapsulated Fastify plugin: it
// registers its own routes, hooks and error handlers in a scope of its own, brings its own message catalogue, and
// adds its links to the menus. The kernel (src/platform) knows no capability; src/app.ts lists them, in order.
// How to add one: docs/ARCHITECTURE.md, "Adding a capability".
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Catalogue } from './i18n/i18n.js';
import type { JobHandler } from './jobs/worker.js';
import type { LoginPage, NavigationLink } from './web/navigation.js';

export interface Capability {
  /** The folder name, e.g. 'record-requests'. */
  readonly name: string;
  /** The capability's texts (Dutch first, English second). */
  readonly messages?: readonly Catalogue[];
  /** Links the capability adds to a menu (the citizen's menu, the staff workplace). */
  readonly navigation?: readonly NavigationLink[];
  /** Areas whose pages send a visitor with an ended session to a login page, with a return to where they were. */
  readonly loginPages?: readonly LoginPage[];
  /** Whether this deployment includes the capability (e.g. the DigiD simulator only where it is switched on). */
  readonly enabled?: (config: Config) => boolean;
  /** Handlers of the background jobs this capability queues (enqueueJob), by job kind (src/platform/jobs). */
  readonly jobs?: Readonly<Record<string, JobHandler>>;
  /** Registers routes and hooks, inside the capability's own plugin scope. */
  register(app: FastifyInstance): void | Promise<void>;
}

/** Declares a capability (an identity function: it gives the object its type where it is written). */
export function defineCapability(capability: Capability): Capability {
  return capability;
}

/** Registers each enabled capability: its messages and links first, then its routes in an encapsulated scope. */
export async function registerCapabilities(app: FastifyInstance, capabilities: readonly Capability[]): Promise<void> {
  const seen = new Set<string>();
  for (const capability of capabilities) {
    if (seen.has(capability.name)) throw new Error(`capability ${capability.name} is registered twice`);
    seen.add(capability.name);
    if (capability.enabled && !capability.enabled(app.koepel.config)) continue;
    for (const catalogue of capability.messages ?? []) app.koepel.messages.add(catalogue);
    for (const link of capability.navigation ?? []) app.koepel.navigation.add(link);
    for (const page of capability.loginPages ?? []) app.koepel.navigation.addLoginPage(page);
    for (const [kind, handler] of Object.entries(capability.jobs ?? {})) app.koepel.jobs.add(kind, handler);
    // Not wrapped in fastify-plugin: decorators, hooks and error handlers the capability adds stay in its scope.
    await app.register(async (scope) => {
      await capability.register(scope);
    });
  }
}
