// The organisation's side of appointments (issue 12): the staff agenda — day and week, per employee and for the
// practice, booking, moving and cancelling on a citizen's behalf (agenda:read; reasons with agenda:reasons) — and the
// agenda settings an organisation's admin makes (admin:organisation): appointment types, weekly hours and absences,
// the out-of-hours service. The domain (free times, booking) is src/appointments.
import { defineCapability } from '../platform/capability.js';
import { PERMISSIONS } from '../platform/auth/permissions.js';
import { registerAgendaAdminRoutes } from './admin-routes.js';
import { agendaMessages } from './messages.js';
import { registerAgendaRoutes } from './routes.js';

export const agenda = defineCapability({
  name: 'agenda',
  messages: [agendaMessages],
  navigation: [
    {
      area: 'staff',
      href: '/staff/agenda',
      label: 'agenda.nav',
      order: 15,
      permissions: [PERMISSIONS.agendaRead],
      functions: ['appointments'],
    },
    {
      area: 'staff',
      href: '/staff/admin/agenda',
      label: 'agenda.admin.nav',
      order: 35,
      permissions: [PERMISSIONS.adminOrganisation],
      functions: ['appointments'],
    },
  ],
  register(app) {
    registerAgendaRoutes(app);
    registerAgendaAdminRoutes(app);
  },
});
