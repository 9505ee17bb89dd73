// Record requests (MG-7): a citizen asks an organisation to make more of their record available; staff decide.
import { defineCapability } from '../platform/capability.js';
import { recordRequestMessages } from './messages.js';
import { registerRecordRequestRoutes } from './routes.js';

export { CategoryCheckboxes } from './views.js';

export const recordRequests = defineCapability({
  name: 'record-requests',
  messages: [recordRequestMessages],
  navigation: [{ area: 'citizen', href: '/record-requests', label: 'recordRequests.nav', order: 25 }],
  register: registerRecordRequestRoutes,
});
