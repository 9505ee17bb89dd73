// Texts of the video consult (LU-1): the room page, the status lines its script shows, and the access log's
// sentences for the room's audit events (the access log looks every event code up in the whole catalogue).
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'video.title': 'Videoconsult',
  'video.withStaff': 'Met {staff} van {organisation}, {when}.',
  'video.withOrganisation': 'Met {organisation}, {when}.',
  'video.withPatient': 'Met {patient}, {when}.',
  'video.privacy':
    'Het beeld en geluid gaan rechtstreeks tussen u en de ander, versleuteld. Er wordt niets opgenomen. Wie deelneemt en weggaat, wordt vastgelegd in het overzicht "Wie heeft mijn gegevens bekeken".',
  'video.noScript': 'Voor een videoconsult is JavaScript nodig. Zet JavaScript aan en laad deze pagina opnieuw.',
  'video.check.title': 'Camera en microfoon',
  'video.check.intro':
    'Hieronder ziet u uw eigen beeld. Geeft de browser een vraag om camera en microfoon te gebruiken? Kies dan "Toestaan". Deelnemen kan vanaf 10 minuten voor de afspraak.',
  'video.you': 'Uw eigen beeld',
  'video.other': 'Beeld van de ander',
  'video.otherCitizen': 'De patiënt',
  'video.otherStaff': 'De zorgverlener',
  'video.controls': 'Bediening van het videoconsult',
  'video.join': 'Deelnemen',
  'video.mute': 'Microfoon uit',
  'video.cameraOff': 'Camera uit',
  'video.leave': 'Verlaten',
  'video.retry': 'Opnieuw proberen',
  'video.back': 'Terug naar de startpagina',
  'video.status.checking': 'Uw camera en microfoon worden gecontroleerd…',
  'video.status.ready': 'Uw camera en microfoon werken. Kies "Deelnemen" als u klaar bent.',
  'video.status.audioOnly': 'Uw microfoon werkt, maar er is geen camera gevonden. U kunt deelnemen met alleen geluid.',
  'video.status.mediaError':
    'Uw camera en microfoon zijn niet beschikbaar. Geef de browser toestemming, of sluit andere programma\'s die ze gebruiken, en kies "Opnieuw proberen".',
  'video.status.waiting': 'U bent in de wachtkamer. Het gesprek begint zodra de ander deelneemt.',
  'video.status.connecting': 'De ander neemt deel. De verbinding wordt gemaakt…',
  'video.status.connected': 'U bent verbonden.',
  'video.status.reconnecting': 'De verbinding is weggevallen. Er wordt opnieuw verbonden…',
  'video.status.peerLeft': 'De ander heeft het gesprek verlaten. U bent weer in de wachtkamer.',
  'video.status.left': 'U heeft het videoconsult verlaten. U kunt opnieuw deelnemen zolang de afspraak duurt.',
  'video.status.ended': 'De tijd voor dit videoconsult is voorbij.',
  'video.status.replaced': 'U neemt in een ander venster deel aan dit videoconsult. Dit venster is gestopt.',
  'video.status.sessionEnded': 'U bent uitgelogd. Log opnieuw in om deel te nemen.',
  'video.status.failed': 'Deelnemen lukt niet. Laad de pagina opnieuw; lukt het dan nog niet, bel dan de zorgverlener.',
  'video.status.muted': 'Uw microfoon staat uit.',
  'video.status.unmuted': 'Uw microfoon staat aan.',
  'video.status.cameraOff': 'Uw camera staat uit.',
  'video.status.cameraOn': 'Uw camera staat aan.',
  'video.status.peerMuted': 'De microfoon van de ander staat uit.',
  'video.status.peerCameraOff': 'De camera van de ander staat uit.',
  // The access log (src/access-log) shows these for the room's audit events.
  'accessLog.event.video.room.view': 'De pagina van het videoconsult geopend',
  'accessLog.event.video.room.view.denied': 'Geweigerd: de pagina van een videoconsult openen',
  'accessLog.event.video.join': 'Deelgenomen aan het videoconsult',
  'accessLog.event.video.join.denied': 'Geweigerd: deelnemen aan een videoconsult',
  'accessLog.event.video.leave': 'Het videoconsult verlaten',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'video.title': 'Video consultation',
  'video.withStaff': 'With {staff} of {organisation}, {when}.',
  'video.withOrganisation': 'With {organisation}, {when}.',
  'video.withPatient': 'With {patient}, {when}.',
  'video.privacy':
    'Picture and sound go directly between you and the other person, encrypted. Nothing is recorded. Who joins and leaves is recorded in the overview "Who has looked at my data".',
  'video.noScript': 'A video consultation needs JavaScript. Turn JavaScript on and reload this page.',
  'video.check.title': 'Camera and microphone',
  'video.check.intro':
    'Below you see your own picture. If the browser asks to use the camera and microphone, choose "Allow". You can join from 10 minutes before the appointment.',
  'video.you': 'Your own picture',
  'video.other': 'Picture of the other person',
  'video.otherCitizen': 'The patient',
  'video.otherStaff': 'The care provider',
  'video.controls': 'Video consultation controls',
  'video.join': 'Join',
  'video.mute': 'Microphone off',
  'video.cameraOff': 'Camera off',
  'video.leave': 'Leave',
  'video.retry': 'Try again',
  'video.back': 'Back to the start page',
  'video.status.checking': 'Checking your camera and microphone…',
  'video.status.ready': 'Your camera and microphone work. Choose "Join" when you are ready.',
  'video.status.audioOnly': 'Your microphone works, but no camera was found. You can join with sound only.',
  'video.status.mediaError':
    'Your camera and microphone are not available. Give the browser permission, or close other programs using them, and choose "Try again".',
  'video.status.waiting': 'You are in the waiting room. The conversation starts as soon as the other person joins.',
  'video.status.connecting': 'The other person is joining. Connecting…',
  'video.status.connected': 'You are connected.',
  'video.status.reconnecting': 'The connection dropped. Reconnecting…',
  'video.status.peerLeft': 'The other person left. You are back in the waiting room.',
  'video.status.left': 'You left the video consultation. You can join again while the appointment lasts.',
  'video.status.ended': 'The time for this video consultation is over.',
  'video.status.replaced': 'You joined this video consultation in another window. This window has stopped.',
  'video.status.sessionEnded': 'You are logged out. Log in again to join.',
  'video.status.failed': 'Joining does not work. Reload the page; if it still fails, call the care provider.',
  'video.status.muted': 'Your microphone is off.',
  'video.status.unmuted': 'Your microphone is on.',
  'video.status.cameraOff': 'Your camera is off.',
  'video.status.cameraOn': 'Your camera is on.',
  'video.status.peerMuted': "The other person's microphone is off.",
  'video.status.peerCameraOff': "The other person's camera is off.",
  'accessLog.event.video.room.view': 'Opened the video consultation page',
  'accessLog.event.video.room.view.denied': 'Refused: opening a video consultation page',
  'accessLog.event.video.join': 'Joined the video consultation',
  'accessLog.event.video.join.denied': 'Refused: joining a video consultation',
  'accessLog.event.video.leave': 'Left the video consultation',
};

export const videoConsultMessages = defineMessages({ nl, en });

type VideoConsultMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends VideoConsultMessages {}
}
