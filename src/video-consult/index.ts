// Video consult (LU-1): a room per booked video appointment, in the browser with WebRTC — media peer to peer
// (DTLS-SRTP), signalling over a WebSocket through Koepel bound to the appointment and the session, TURN for
// networks where peer to peer fails. Nothing is recorded; joining and leaving are audited.
// The appointment pages link to /video/{appointment id} and show the button while canJoinNow() says so.
import { defineCapability } from '../platform/capability.js';
import { videoConsultMessages } from './messages.js';
import { registerVideoRoutes } from './routes.js';

export { canJoinNow, JOIN_BEFORE_MS, STAY_AFTER_MS, videoWindow, type VideoAppointment } from './window.js';

/** The room page of an appointment (for the "Deelnemen aan videoconsult" link). */
export const videoRoomPath = (appointmentId: string): string => `/video/${appointmentId}`;

export const videoConsult = defineCapability({
  name: 'video-consult',
  messages: [videoConsultMessages],
  register: registerVideoRoutes,
});
