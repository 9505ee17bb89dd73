// The operator's security alerts (PR-7).
import { defineCapability } from '../platform/capability.js';
import { registerOperatorRoutes } from './alerts.js';
import { registerJobRoutes } from './jobs.js';
import { operatorMessages } from './messages.js';
import { registerPrivacyRoutes } from './privacy.js';

export const operator = defineCapability({
  name: 'operator',
  messages: [operatorMessages],
  register: (app) => {
    registerOperatorRoutes(app);
    // Issue 14 (operator): the job queue.
    registerJobRoutes(app);
    // Issue 14 (LU-10): the privacy statement's versions.
    registerPrivacyRoutes(app);
  },
});
