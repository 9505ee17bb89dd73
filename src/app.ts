// Builds the Koepel web application: the one place where the pieces are wired together. Read it top to bottom: the
// kernel's plugins first (security headers, body parsing, cookies, sessions and the request context, errors, assets),
// then the capabilities, each an encapsulated plugin (src/platform/capability.ts), in the order of CAPABILITIES.
import { JobRegistry } from './platform/jobs/worker.js';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { accessLog } from './access-log/index.js';
import { agenda } from './agenda/index.js'; // issue 12: the staff agenda
import { apiClients } from './api-clients/index.js';
import { appointments } from './appointments/index.js';
import { auditView } from './audit-view/index.js';
import { careProviders } from './care-providers/index.js';
import { citizenApps } from './citizen-apps/index.js';
import { citizenHome } from './citizen-home/index.js';
import { digidSimulator } from './digid-simulator/index.js';
import { dossier } from './dossier/index.js';
import { fhir } from './fhir/index.js';
import { identity } from './identity/index.js';
import { medicationOrders } from './medication-orders/index.js'; // issue 13: repeat medication
import { medicationPassport } from './medication-passport/index.js'; // issue 13: the medication passport (MG-8)
import { messages } from './messages/index.js'; // issue 13: secure messages
import { notifications } from './notifications/index.js'; // Issue 14 (e-mail notifications)
import { operator } from './operator/index.js';
import { organisationAdmin } from './organisation-admin/index.js';
import { orgDelivery } from './org-delivery/index.js'; // Issue 14 (delivery to organisation systems)
import { pages } from './pages/index.js';
import { patients } from './patients/index.js';
import { privateNotes } from './private-notes/index.js'; // issue 13: private notes (LU-3)
import { BearerTokens } from './platform/auth/bearer.js';
import { registerCapabilities, type Capability } from './platform/capability.js';
import type { Config } from './platform/config.js';
import type { KeyStore } from './platform/crypto/keys.js';
import type { Database } from './platform/db/database.js';
import { registerCanonicalHost } from './platform/http/canonical-host.js';
import { registerErrorHandling } from './platform/http/error-pages.js';
import { registerHealthRoutes } from './platform/http/health.js';
import { registerLifecycle } from './platform/http/lifecycle.js';
import { registerKernelRoutes } from './platform/http/kernel-routes.js';
import { registerSessionTimeout } from './platform/session/timeout.js';
import { registerRequestContext, type PortalRegistry } from './platform/http/request-context.js';
import { registerSecurityHeaders } from './platform/http/security-headers.js';
import { Messages } from './platform/i18n/i18n.js';
import { SessionStore } from './platform/session/sessions.js';
import { registerAssets } from './platform/web/assets.js';
import { platformMessages } from './platform/web/messages.js';
import { Navigation } from './platform/web/navigation.js';
import { record } from './record/index.js';
import { recordRequests } from './record-requests/index.js';
import { staff } from './staff/index.js';
import { systemMessages } from './system-messages/index.js'; // issue 13: system messages (MG-9)
import { videoConsult } from './video-consult/index.js';

/** Every capability of a Koepel deployment, in registration order (which is also the order of menu links' ties). */
export const CAPABILITIES: readonly Capability[] = [
  pages,
  identity,
  digidSimulator,
  staff,
  operator,
  patients,
  careProviders,
  record,
  citizenHome,
  dossier,
  accessLog,
  recordRequests,
  organisationAdmin,
  apiClients,
  fhir,
  citizenApps,
  auditView,
  // Issue 12: the video consult (LU-1).
  videoConsult,
  // Issue 12: the staff agenda and the organisation's agenda settings.
  agenda,
  // Issue 12: the citizen's appointments (MG-6).
  appointments,
  // Issue 13: repeat medication (MG-8).
  medicationOrders,
  // Issue 13: the medication passport and the current medication overview (MG-8).
  medicationPassport,
  // Issue 13: the citizen's private notes (LU-3).
  privateNotes,
  // Issue 13: the citizen's system messages and the operator's portal notices (MG-9).
  systemMessages,
  // Issue 13: secure messages (MG-9).
  messages,
  // Issue 14 (e-mail notifications): the citizen's settings page and the mail jobs (MG-10, PZ-3).
  notifications,
  // Issue 14 (delivery to organisation systems): webhooks for every citizen action (MG-5, MG-13).
  orgDelivery,
];

export interface AppDeps {
  config: Config;
  database: Database;
  keys: KeyStore;
  portals: PortalRegistry;
  logger: Logger | false;
  /** Capabilities beyond CAPABILITIES, e.g. the demo's (src/demo), which production code never imports. */
  extraCapabilities?: readonly Capability[];
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger || undefined,
    // Fastify's own request log prints URLs; ours (below) prints the route pattern only.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    genReqId: () => crypto.randomUUID(),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  // First of the request hooks: while the process shuts down, new requests are refused before any other work.
  const lifecycle = registerLifecycle(app);
  // Then a browser on another host name of this server is sent to PUBLIC_URL, before a session or a login starts.
  registerCanonicalHost(app, config.publicUrl);
  registerSecurityHeaders(app, { formActionOrigins: [new URL(config.digid.issuer).origin] });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: config.bodyLimit });

  const messages = new Messages();
  messages.add(platformMessages);
  registerRequestContext(app, {
    config,
    db: deps.database.db,
    keys: deps.keys,
    sessions: new SessionStore(deps.database.db, config.session),
    portals: deps.portals,
    messages,
    navigation: new Navigation(),
    bearer: new BearerTokens(),
    notifications: deps.database,
    jobs: new JobRegistry(),
  });
  registerErrorHandling(app);

  // Requests are logged by route pattern, status and time: never the URL itself, which could carry input.
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'not-found',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  registerAssets(app, () => deps.portals.all());
  registerKernelRoutes(app);
  registerSessionTimeout(app);
  registerHealthRoutes(app, lifecycle);
  await registerCapabilities(app, [...CAPABILITIES, ...(deps.extraCapabilities ?? [])]);
  return app;
}
