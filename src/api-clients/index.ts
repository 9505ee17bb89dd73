// API clients: an organisation's provider systems (HIS, pharmacy system, hospital EHR). Their administration pages
// (Beheer → API-koppelingen), the OAuth 2.0 client-credentials token endpoint, and the check of their bearer tokens.
import { defineCapability } from '../platform/capability.js';
import { apiClientMessages } from './messages.js';
import { registerApiClientRoutes } from './routes.js';
import { registerTokenEndpoint } from './token-endpoint.js';
import { clientTokenPrincipal, TokenCache } from './tokens.js';

export { TOKEN_PATH } from './token-endpoint.js';

export const apiClients = defineCapability({
  name: 'api-clients',
  messages: [apiClientMessages],
  register(app) {
    const tokens = new TokenCache();
    app.koepel.bearer.register('api-client', (req, token) => clientTokenPrincipal(tokens, req, token));
    registerApiClientRoutes(app, tokens);
    registerTokenEndpoint(app);
  },
});
