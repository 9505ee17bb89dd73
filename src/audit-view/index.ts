// The privacy officer's screen: the organisation's NEN 7513 audit log, searchable, exportable, with the chains'
// verification status (issue 10). Shown in the staff menu only to holders of audit:read.
import { defineCapability } from '../platform/capability.js';
import { PERMISSIONS } from '../platform/auth/permissions.js';
import { auditViewMessages } from './messages.js';
import { registerAuditView } from './routes.js';

export const auditView = defineCapability({
  name: 'audit-view',
  messages: [auditViewMessages],
  navigation: [
    { area: 'staff', href: '/staff/audit', label: 'auditView.nav', order: 40, permissions: [PERMISSIONS.auditRead] },
  ],
  register: registerAuditView,
});
