// The staff workplace's entrance: login with password and TOTP (throttled), the staff home and the account page.
import { defineCapability } from '../platform/capability.js';
import { staffMessages } from './messages.js';
import { registerStaffRoutes } from './routes.js';

export { hashPassword } from './passwords.js';

export const staff = defineCapability({
  name: 'staff',
  messages: [staffMessages],
  navigation: [{ area: 'staff', href: '/staff/account', label: 'staff.nav.account', order: 90 }],
  // A session that ended on a staff page goes back to the staff login, and from there back to that page.
  loginPages: [{ prefix: '/staff', loginPath: '/staff/login' }],
  register: registerStaffRoutes,
});
