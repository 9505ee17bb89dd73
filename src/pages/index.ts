// Public pages: the landing page with the DigiD button, and the privacy statement.
import { defineCapability } from '../platform/capability.js';
import { pageMessages } from './messages.js';
import { registerPageRoutes } from './routes.js';

export const pages = defineCapability({ name: 'pages', messages: [pageMessages], register: registerPageRoutes });
