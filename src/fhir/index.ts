// The FHIR R4 API under /fhir: provider systems write their patients' record data (bearer tokens of src/api-clients),
// citizens and the apps they authorised read their own (session or src/citizen-apps tokens). One FHIR scope: every
// answer, errors included, is FHIR JSON (or FHIR XML when asked for: src/platform/fhir/scope.ts).
import { defineCapability } from '../platform/capability.js';
import { useFhirScope } from '../platform/fhir/scope.js';
import { closeValidationPool } from './base/pool.js';
import { registerFhirReadRoutes } from './read/routes.js';
import { registerCommunicationRoutes } from './communication-routes.js';
import { MAX_BODY_BYTES, registerFhirWriteRoutes } from './routes.js';
// Issue 14 (FHIR Subscription): the organisation's system subscribes to citizen actions (src/org-delivery).
import { registerSubscriptionRoutes } from '../org-delivery/index.js';

export { clientContext, ingestBundle, ingestResource, type IngestContext } from './ingest.js';
export { setTypeScriptWorkerStart } from './base/pool.js';

export const fhir = defineCapability({
  name: 'fhir',
  async register(app) {
    app.addHook('onClose', closeValidationPool);
    await app.register(
      async (scope) => {
        useFhirScope(scope, { bodyLimit: MAX_BODY_BYTES });
        registerFhirWriteRoutes(scope);
        registerFhirReadRoutes(scope);
        registerCommunicationRoutes(scope);
        registerSubscriptionRoutes(scope); // Issue 14 (FHIR Subscription)
      },
      { prefix: '/fhir' },
    );
  },
});
