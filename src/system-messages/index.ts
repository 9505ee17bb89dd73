// System messages (issue 13, MG-9): the citizen's tab of messages made by Koepel, not by staff — new data from an
// organisation (made by the database from every FHIR ingest), an order handled, a change to the portal or its
// privacy statement — and the operator's page that posts a notice to every citizen of a portal.
//
// For other capabilities:
//   postSystemMessage(scope, { citizenId, organisationId?, kind, params })   as the system purpose 'system-messages'
//   unreadSystemMessages(req) / unreadCount(scope)                           the count on a menu link or a tab
//   MessageTabs                                                              the "Gesprekken | Systeemberichten" tabs
import { defineCapability } from '../platform/capability.js';
import { systemMessageMessages } from './messages.js';
import { registerSystemMessageRoutes } from './routes.js';

export {
  ORDER_HANDLED_STATUSES,
  PORTAL_CHANGE_TOPICS,
  postSystemMessage,
  SystemMessageRefused,
  unreadCount,
  unreadSystemMessages,
  type OrderHandledStatus,
  type PortalChangeTopic,
  type SystemMessageInput,
  type SystemMessageKind,
} from './store.js';
export { CONVERSATIONS_PATH, MessageTabs, SYSTEM_PATH } from './views.js';

export const systemMessages = defineCapability({
  name: 'system-messages',
  messages: [systemMessageMessages],
  // No menu link of its own: the tab sits beside the conversations, whose menu link counts both (src/messages).
  register: registerSystemMessageRoutes,
});
