// API clients: an organisation's provider systems (HIS, pharmacy system, hospital EHR). Their administration pages
// (Beheer → API-koppelingen), the OAuth 2.0 client-credentials token endpoint, and the check of their bearer tokens.
import { defineCapability } from '../platform/capability.js';
import { apiClientMessages } from './messages.js';
import { registerApiClientRoutes } from './routes.js';
import { registerTokenEndpoint } from './token-endpoint.js';
import { CLIENT_REVOKED_CHANNEL, clientTokenPrincipal, TokenCache } from './tokens.js';

export { TOKEN_PATH } from './token-endpoint.js';

export const apiClients = defineCapability({
  name: 'api-clients',
  messages: [apiClientMessages],
  async register(app) {
    const tokens = new TokenCache();
    // A client revoked on any node is forgotten on every node at once; if notifications may have been missed (the
    // listening connection dropped), everything remembered is dropped and checked against the database again.
    await app.koepel.notifications.listen(CLIENT_REVOKED_CHANNEL, {
      message: (clientId) => tokens.forgetClient(clientId),
      reset: () => tokens.clear(),
    });
    app.koepel.bearer.register('api-client', (req, token) => clientTokenPrincipal(tokens, req, token));
    registerApiClientRoutes(app, tokens);
    registerTokenEndpoint(app);
  },
});
