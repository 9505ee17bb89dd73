// Apps the citizen authorises to read their record (OAuth 2.0 authorization code with PKCE): the operator's app
// register, the authorization and token endpoints, "Gekoppelde apps", SMART discovery, and the check of app tokens.
import { defineCapability } from '../platform/capability.js';
import { appTokenPrincipal } from './bearer.js';
import { citizenAppMessages } from './messages.js';
import { registerCitizenAppOperatorRoutes } from './operator.js';
import { citizenAppOperatorMessages } from './operator-messages.js';
import { registerCitizenApps } from './routes.js';

export { APP_TOKEN_PATH, AUTHORIZE_PATH } from './registry.js';

export const citizenApps = defineCapability({
  name: 'citizen-apps',
  messages: [citizenAppMessages, citizenAppOperatorMessages],
  navigation: [{ area: 'citizen', href: '/apps', label: 'apps.nav', order: 40 }],
  register(app) {
    app.koepel.bearer.register('citizen-app', appTokenPrincipal);
    registerCitizenApps(app);
    registerCitizenAppOperatorRoutes(app);
  },
});
