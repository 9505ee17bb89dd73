// When a video consult's room is open: from JOIN_BEFORE_MS before the appointment starts until STAY_AFTER_MS after it
// ends (issue 12: "from 10 minutes before until its end plus a margin"). Pure functions, for the room itself and for
// the appointment pages that show the "Deelnemen aan videoconsult" button.

/** The room opens this long before the start: the waiting room, the camera and microphone check. */
export const JOIN_BEFORE_MS = 10 * 60_000;
/** …and closes this long after the planned end: consults run over. */
export const STAY_AFTER_MS = 15 * 60_000;

export interface Period {
  start: Date;
  end: Date;
}

/** The room's opening hours for an appointment's time: [opens, closes). */
export function videoWindow(during: Period): { opens: Date; closes: Date } {
  return {
    opens: new Date(during.start.getTime() - JOIN_BEFORE_MS),
    closes: new Date(during.end.getTime() + STAY_AFTER_MS),
  };
}

/** What the room check needs of an appointment (a row of `appointment`, its range as two moments). */
export interface VideoAppointment extends Period {
  status: string;
  video: boolean;
}

/**
 * Whether the participants may join now: a booked video appointment within its window. Who may join (the citizen and
 * the staff member of that appointment, nobody else) is the room's own check (src/video-consult/access.ts).
 */
export function canJoinNow(appointment: VideoAppointment, now: Date = new Date()): boolean {
  if (appointment.status !== 'booked' || !appointment.video) return false;
  const { opens, closes } = videoWindow(appointment);
  const t = now.getTime();
  return t >= opens.getTime() && t < closes.getTime();
}
