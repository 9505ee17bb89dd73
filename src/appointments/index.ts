// Appointments (issue 12, MG-6): what can be booked (agenda.ts), free times (slots.ts), booking, moving and
// cancelling (booking.ts) and the citizen's own appointments (queries.ts). The pages of the citizen (routes.tsx,
// views.tsx), the staff agenda and the FHIR side build on these.
import { defineCapability } from '../platform/capability.js';
import { appointmentMessages } from './messages.js';
import { registerAppointmentRoutes } from './routes.js';

export * from './agenda.js';
export * from './booking.js';
export * from './queries.js';
export * from './slots.js';

/** The citizen's appointments: the overview, booking, one appointment with change, cancel, reminder and .ics. */
export const appointments = defineCapability({
  name: 'appointments',
  messages: [appointmentMessages],
  navigation: [{ area: 'citizen', href: '/appointments', label: 'appointments.nav', order: 15 }],
  register: registerAppointmentRoutes,
});
