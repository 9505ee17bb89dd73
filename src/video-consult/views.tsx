// The video room page: a camera and microphone check with the visitor's own picture, then "Deelnemen"; a waiting
// room until the other side joins; the other side's picture; microphone and camera toggles (aria-pressed) and leave.
// Server-rendered; the one script (static/room.js) does the WebRTC and reads its texts from data attributes, so it
// has no text of its own. Status changes are announced through one live region.
import type { PageContext } from '../platform/web/context.js';
import { Heading, Page, ScriptButton, Text } from '../platform/web/components/index.js';
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { Room } from './access.js';

/** The texts the script shows, by its own short names. */
const SCRIPT_TEXTS = {
  checking: 'video.status.checking',
  ready: 'video.status.ready',
  audioOnly: 'video.status.audioOnly',
  mediaError: 'video.status.mediaError',
  waiting: 'video.status.waiting',
  connecting: 'video.status.connecting',
  connected: 'video.status.connected',
  reconnecting: 'video.status.reconnecting',
  peerLeft: 'video.status.peerLeft',
  left: 'video.status.left',
  ended: 'video.status.ended',
  replaced: 'video.status.replaced',
  sessionEnded: 'video.status.sessionEnded',
  failed: 'video.status.failed',
  muted: 'video.status.muted',
  unmuted: 'video.status.unmuted',
  cameraOff: 'video.status.cameraOff',
  cameraOn: 'video.status.cameraOn',
  peerMuted: 'video.status.peerMuted',
  peerCameraOff: 'video.status.peerCameraOff',
} as const satisfies Record<string, MessageKey>;

const timeFormats = new Map<string, Intl.DateTimeFormat>();
function timeOf(lang: string, d: Date): string {
  let f = timeFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
      timeStyle: 'short',
      timeZone: 'Europe/Amsterdam',
    });
    timeFormats.set(lang, f);
  }
  return f.format(d);
}

export function RoomPage(props: {
  ctx: PageContext;
  room: Room;
  /** The patient's name, for the staff member. */
  patientName: string | null;
  script: string;
  signalPath: string;
}): JSX.Element {
  const { ctx, room } = props;
  const { t } = ctx;
  const when = `${formatDate(ctx.lang, room.start, 'dateTime')}–${timeOf(ctx.lang, room.end)}`;
  const intro =
    room.role === 'staff'
      ? t('video.withPatient', { patient: props.patientName ?? t('video.otherCitizen'), when })
      : room.staffName
        ? t('video.withStaff', { staff: room.staffName, organisation: room.organisationName, when })
        : t('video.withOrganisation', { organisation: room.organisationName, when });
  const texts = Object.fromEntries(Object.entries(SCRIPT_TEXTS).map(([k, key]) => [k, t(key)]));
  const other = room.role === 'staff' ? t('video.otherCitizen') : t('video.otherStaff');
  return (
    <Page ctx={ctx} title={t('video.title')} intro={intro} scripts={[props.script]}>
      <div
        id="video-room"
        class="koepel-video"
        data-signal={props.signalPath}
        data-polite={room.role === 'citizen' ? 'true' : 'false'}
        data-texts={JSON.stringify(texts)}
      >
        <noscript>
          <Text style="notice" text={t('video.noScript')} />
        </noscript>
        <Text id="video-status" style="status" text={t('video.status.checking')} />
        <div class="koepel-video-grid">
          <figure class="koepel-video-figure">
            <video id="video-remote" class="koepel-video-picture" autoplay aria-label={other}></video>
            <figcaption>
              <Text text={other} />
            </figcaption>
          </figure>
          <figure class="koepel-video-figure">
            <video id="video-local" class="koepel-video-picture" autoplay muted aria-label={t('video.you')}></video>
            <figcaption>
              <Text text={t('video.you')} />
            </figcaption>
          </figure>
        </div>
        <div class="koepel-video-controls" role="group" aria-label={t('video.controls')}>
          <ScriptButton id="video-join" style="primary" text={t('video.join')} disabled />
          <ScriptButton id="video-retry" text={t('video.retry')} hidden />
          <ScriptButton id="video-mute" text={t('video.mute')} pressed={false} hidden />
          <ScriptButton id="video-camera" text={t('video.cameraOff')} pressed={false} hidden />
          <ScriptButton id="video-leave" text={t('video.leave')} hidden />
        </div>
        <Heading level={2} text={t('video.check.title')} />
        <Text text={t('video.check.intro')} />
        <Text text={t('video.privacy')} />
      </div>
    </Page>
  );
}
