// The appointment as an iCalendar file (RFC 5545, ical-generator): time, place and a link, nothing medical beyond
// what the citizen chose — no type, no reason, no staff member's discipline (issue 12). Times in UTC, so no
// VTIMEZONE is needed. The UID is the appointment's id, so a calendar that imports the file again updates the
// entry; SEQUENCE is raised on every change of time or status (booking.ts), so the newer file wins.
import ical, { ICalAlarmType, ICalEventStatus } from 'ical-generator';
import type { Translate } from '../platform/i18n/i18n.js';
import type { CitizenAppointment } from './queries.js';

export function appointmentIcs(a: CitizenAppointment, t: Translate, publicUrl: string): string {
  const base = publicUrl.replace(/\/$/, '');
  const cal = ical({ prodId: { company: 'Koepel', product: 'appointments', language: 'NL' } });
  const summary = t('appointments.ics.summary', { organisation: a.organisationName });
  cal.createEvent({
    id: `${a.id}@${new URL(base).host}`,
    sequence: a.sequence,
    stamp: a.updatedAt,
    start: a.start,
    end: a.end,
    summary,
    location: a.video ? t('appointments.ics.video') : a.address,
    url: `${base}/appointments/${a.id}`,
    status:
      a.status === 'booked'
        ? ICalEventStatus.CONFIRMED
        : a.status === 'requested'
          ? ICalEventStatus.TENTATIVE
          : ICalEventStatus.CANCELLED,
    alarms:
      a.reminderMinutes !== null && (a.status === 'booked' || a.status === 'requested')
        ? [{ type: ICalAlarmType.display, trigger: a.reminderMinutes * 60, description: summary }]
        : [],
  });
  return cal.toString();
}
