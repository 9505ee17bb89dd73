// The operator's security alerts (PR-7).
import { defineCapability } from '../platform/capability.js';
import { registerOperatorRoutes } from './alerts.js';
import { operatorMessages } from './messages.js';

export const operator = defineCapability({
  name: 'operator',
  messages: [operatorMessages],
  register: registerOperatorRoutes,
});
