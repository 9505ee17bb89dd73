// Delivery to the organisation's own system (issue 14, MG-5, MG-13): every citizen action is queued by a trigger in
// its own transaction (migration 0041) and delivered as a signed Standard Webhooks POST to each active endpoint the
// organisation's admin registered (/staff/admin/deliveries), with retries, a delivery log and "send again".
import { PERMISSIONS } from '../platform/auth/permissions.js';
import { defineCapability } from '../platform/capability.js';
import { deliverHandler, ORG_DELIVER_JOB, ORG_EVENT_JOB, orgEventHandler } from './deliveries.js';
import { orgDeliveryMessages } from './messages.js';
import { registerDeliveryAdminRoutes } from './routes.js';

export { ORG_EVENT_TYPES, ORG_EVENT_JOB, ORG_DELIVER_JOB } from './deliveries.js';
// Issue 14 (FHIR Subscription): registered in the /fhir scope by src/fhir.
export { registerSubscriptionRoutes, SUBSCRIPTION_CAPABILITY } from './subscription-routes.js';

export const orgDelivery = defineCapability({
  name: 'org-delivery',
  messages: [orgDeliveryMessages],
  navigation: [
    {
      area: 'staff',
      href: '/staff/admin/deliveries',
      label: 'orgDelivery.nav',
      order: 32,
      permissions: [PERMISSIONS.adminApiClients],
    },
  ],
  register(app) {
    // Registered here rather than in `jobs`: the handlers need this instance's settings.
    const settings = app.koepel.config.delivery;
    app.koepel.jobs.add(ORG_EVENT_JOB, orgEventHandler(settings));
    // Issue 14 (FHIR Subscription): notifications refer to the FHIR base URL.
    app.koepel.jobs.add(ORG_DELIVER_JOB, deliverHandler(settings, `${app.koepel.config.publicUrl}/fhir`));
    registerDeliveryAdminRoutes(app);
  },
});
