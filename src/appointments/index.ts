// Appointments (issue 12, MG-6): what can be booked (agenda.ts), free times (slots.ts), booking, moving and
// cancelling (booking.ts) and the citizen's own appointments (queries.ts). The pages of the citizen, the staff
// agenda and the FHIR side build on these.
export * from './agenda.js';
export * from './booking.js';
export * from './queries.js';
export * from './slots.js';
