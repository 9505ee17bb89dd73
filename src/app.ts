// Builds the Koepel web application. The only place where the pieces are wired together; read it top to bottom:
// platform plugins first (security headers, body parsing, cookies, sessions, CSRF, errors), then capabilities.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './platform/config.js';
import type { KeyStore } from './platform/crypto/keys.js';
import type { Database } from './platform/db/database.js';
import { registerErrorHandling } from './platform/http/error-pages.js';
import { registerRequestContext, type PortalRegistry } from './platform/http/request-context.js';
import { registerSecurityHeaders } from './platform/http/security-headers.js';
import { SessionStore } from './platform/session/sessions.js';
import { registerAssets } from './platform/web/assets.js';
import { registerPageRoutes } from './pages/routes.js';
import { registerStaffRoutes } from './staff/routes.js';
import { registerPatientRoutes } from './patients/routes.js';
import { registerOperatorRoutes } from './operator/alerts.js';
import { registerDigidSimulator } from './digid-simulator/routes.js';
import { registerIdentity } from './identity/routes.js';
import { registerCitizenHome } from './citizen-home/routes.js';
import { registerDossier } from './dossier/routes.js';
import { registerAccessLog } from './access-log/routes.js';
import { registerDataIn } from './fhir/routes.js';
import { registerFhirReadRoutes } from './fhir/read/routes.js';
import { registerRecordRequestRoutes } from './record-requests/routes.js';
import { registerOrganisationAdminRoutes } from './organisation-admin/routes.js';
import { registerCitizenAppOperatorRoutes } from './citizen-apps/operator.js';
import { registerCitizenApps } from './citizen-apps/routes.js';
import { registerDemoPgo } from './demo/pgo.js';

export interface AppDeps {
  config: Config;
  database: Database;
  keys: KeyStore;
  portals: PortalRegistry;
  logger: Logger | false;
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

  registerSecurityHeaders(app, { formActionOrigins: [new URL(config.digid.issuer).origin] });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: config.bodyLimit });

  const sessions = new SessionStore(deps.database.db, config.session);
  registerRequestContext(app, { config, db: deps.database.db, keys: deps.keys, sessions, portals: deps.portals });
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
  registerPageRoutes(app);
  registerStaffRoutes(app);
  registerPatientRoutes(app);
  registerOperatorRoutes(app);
  if (config.digid.simulator) registerDigidSimulator(app);
  registerIdentity(app);
  registerCitizenHome(app);
  registerDossier(app);
  registerAccessLog(app);
  registerDataIn(app);
  registerFhirReadRoutes(app);
  registerRecordRequestRoutes(app);
  registerOrganisationAdminRoutes(app);
  registerCitizenApps(app);
  registerCitizenAppOperatorRoutes(app);
  // The demo's stand-in for an app the citizen authorises: only beside the demo seed and the DigiD simulator.
  if (config.demoSeed && config.digid.simulator) registerDemoPgo(app);

  return app;
}
