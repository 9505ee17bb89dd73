// The organisation's own settings (MG-1): which record categories its patients see.
import { defineCapability } from '../platform/capability.js';
import { organisationAdminMessages } from './messages.js';
import { registerOrganisationAdminRoutes } from './routes.js';

export const organisationAdmin = defineCapability({
  name: 'organisation-admin',
  messages: [organisationAdminMessages],
  register: registerOrganisationAdminRoutes,
});
