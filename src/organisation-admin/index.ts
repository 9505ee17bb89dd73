// The organisation's own administration ("Beheer"): its employees and their rights (ZL-10), and which record
// categories its patients see (MG-1).
import { defineCapability } from '../platform/capability.js';
import { PERMISSIONS } from '../platform/auth/permissions.js';
import { registerEmployeeRoutes } from './employee-routes.js';
import { organisationAdminMessages } from './messages.js';
import { registerOrganisationAdminRoutes } from './routes.js';

export const organisationAdmin = defineCapability({
  name: 'organisation-admin',
  messages: [organisationAdminMessages],
  navigation: [
    {
      area: 'staff',
      href: '/staff/admin',
      label: 'orgAdmin.nav',
      order: 30,
      permissions: [PERMISSIONS.adminStaff, PERMISSIONS.adminOrganisation],
    },
  ],
  register(app) {
    registerOrganisationAdminRoutes(app);
    registerEmployeeRoutes(app);
  },
});
