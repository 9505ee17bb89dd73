// "Wie heeft mijn gegevens bekeken": the citizen's own audit trail, on screen and as a CSV file.
import { defineCapability } from '../platform/capability.js';
import { accessLogMessages } from './messages.js';
import { registerAccessLog } from './routes.js';

export const accessLog = defineCapability({
  name: 'access-log',
  messages: [accessLogMessages],
  navigation: [{ area: 'citizen', href: '/access-log', label: 'accessLog.nav', order: 30 }],
  register: registerAccessLog,
});
