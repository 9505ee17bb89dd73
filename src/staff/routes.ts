// The staff capability's routes: login (with TOTP and throttling), the staff home and the account page.
import type { FastifyInstance } from 'fastify';
import { registerStaffHomeRoutes } from './home.js';
import { registerStaffLoginRoutes } from './login.js';
import { registerSetPasswordRoutes } from './set-password.js';

export function registerStaffRoutes(app: FastifyInstance): void {
  registerStaffLoginRoutes(app);
  registerStaffHomeRoutes(app);
  registerSetPasswordRoutes(app);
}
