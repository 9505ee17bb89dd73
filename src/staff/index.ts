// The staff workplace's entrance: login with password and TOTP (throttled), the staff home and the account page.
import { defineCapability } from '../platform/capability.js';
import { staffMessages } from './messages.js';
import { registerStaffRoutes } from './routes.js';

export { hashPassword } from './passwords.js';

export const staff = defineCapability({ name: 'staff', messages: [staffMessages], register: registerStaffRoutes });
