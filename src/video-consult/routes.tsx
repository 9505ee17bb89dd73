// LU-1 routes.
//   GET /video/{appointment id}          the room page (the citizen or the staff member of that appointment, in its
//                                        window; 404 for everyone else, 401 for nobody logged in)
//   GET /video/{appointment id}/signal   the room's WebSocket: the same check at the upgrade (refused with an HTTP
//                                        403/404 before any socket exists), plus the Origin (cross-site WebSocket
//                                        hijacking); closed when the window ends or the session does.
//   GET /assets/video-consult/room.{hash}.js   the room's one script (the hash busts caches on every change)
// TURN credentials travel in the socket's "welcome" and "peer-joined" messages: made fresh for each negotiation,
// for participants only, with no extra endpoint to protect.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../platform/config.js';
import { principalKey } from '../platform/db/principal.js';
import type { DataScope } from '../platform/db/scope.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { allowCameraAndMicrophone, allowConnect } from '../platform/http/security-headers.js';
import { principalOf, SESSION_COOKIE } from '../platform/session/sessions.js';
import { patientsById } from '../patients/index.js';
import { enterRoom, recordDenied, RoomRefused, type Room } from './access.js';
import { CLOSE, Rooms, type SignalSocket } from './signalling.js';
import { turnCredentials } from './turn.js';
import { RoomPage } from './views.js';
import { videoWindow } from './window.js';

/** Signalling messages are a few KB; the socket refuses a frame above this. */
export const MAX_PAYLOAD = 64 * 1024;
/** How often an open socket is pinged and its session checked (and kept alive: a consult is activity). */
const HEARTBEAT_MS = 30_000;

const VIEW = { event: 'video.room.view', action: 'R' } as const;
const JOIN = { event: 'video.join', action: 'E' } as const;
const LEAVE = { event: 'video.leave', action: 'E' } as const;

const params = z.object({ appointmentId: z.uuid() });

const script = readFileSync(new URL('./static/room.js', import.meta.url), 'utf8');
const SCRIPT_PATH = `/assets/video-consult/room.${createHash('sha256').update(script).digest('hex').slice(0, 12)}.js`;

/** The rooms of this process (one per Koepel node: docs/operations.md, video consult). */
export const rooms = new Rooms();

/** The ICE settings handed to a participant: none without TURN, else fresh TURN REST credentials. */
function iceSettings(config: Config): { iceServers: unknown[]; iceTransportPolicy: 'all' | 'relay' } {
  if (!config.turn) return { iceServers: [], iceTransportPolicy: 'all' };
  return {
    iceServers: turnCredentials(config.turn).iceServers,
    iceTransportPolicy: config.turn.relayOnly ? 'relay' : 'all',
  };
}

/**
 * The room for this request, audited as `event`; a refusal is recorded as denied and answered with a 404 (the same
 * answer as for an appointment that does not exist). `more` reads what the page shows besides, in the same transaction.
 */
async function openRoom<T>(
  req: FastifyRequest,
  event: { event: string; action: 'R' | 'E' },
  more?: (scope: DataScope, room: Room) => Promise<T>,
): Promise<{ room: Room; extra: T | undefined }> {
  const p = req.principal;
  const id = params.safeParse(req.params);
  // Only a citizen themselves (not an app acting for them) and staff have rooms; a bearer token is nobody here.
  if (!id.success || (p.kind !== 'citizen' && p.kind !== 'staff') || (p.kind === 'citizen' && p.app !== undefined)) {
    throw new HttpError(404, 'notFound');
  }
  const appointmentId = id.data.appointmentId;
  try {
    return await req.withData(async (scope) => {
      const room = await enterRoom(scope, p, appointmentId, new Date(), event);
      return { room, extra: more ? await more(scope, room) : undefined };
    });
  } catch (err) {
    if (!(err instanceof RoomRefused)) throw err;
    await req.withData((scope) => recordDenied(scope, appointmentId, err.citizenId, event));
    throw new HttpError(404, 'notFound');
  }
}

export async function registerVideoRoutes(app: FastifyInstance): Promise<void> {
  // Registered here, in this capability's scope: the plugin's routing applies to the routes below.
  await app.register(websocket, { options: { maxPayload: MAX_PAYLOAD } });
  const { config, sessions } = app.koepel;
  const origin = new URL(config.publicUrl).origin;
  const socketOrigin = origin.replace(/^http/, 'ws');
  // The sockets this Koepel holds: ended at shutdown without waiting for the browsers' closing handshake, so that
  // closing the server never waits on a consult (its 'close' handler still audits the leave).
  const open = new Set<SignalSocket>();
  app.addHook('preClose', (done) => {
    for (const socket of open) socket.terminate();
    done();
  });

  app.get(SCRIPT_PATH, async (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .send(script),
  );

  app.get('/video/:appointmentId', async (req, reply) => {
    if (req.principal.kind === 'anonymous') throw new HttpError(401, 'loginRequired');
    const { room, extra } = await openRoom(req, VIEW, async (scope, r) =>
      r.role === 'staff' ? ((await patientsById(scope, [r.citizenId])).get(r.citizenId)?.name ?? null) : null,
    );
    allowCameraAndMicrophone(reply);
    allowConnect(reply, socketOrigin);
    return sendPage(
      reply,
      <RoomPage
        ctx={pageContext(req)}
        room={room}
        patientName={extra ?? null}
        script={SCRIPT_PATH}
        signalPath={`/video/${room.appointmentId}/signal`}
      />,
    );
  });

  const admitted = new WeakMap<FastifyRequest, Room>();
  app.get(
    '/video/:appointmentId/signal',
    {
      websocket: true,
      // The socket lives for the whole consult: it must not hold the transaction its session was read in.
      config: { requestTransaction: false },
      // The whole check happens before the upgrade: a refused visitor never gets a socket.
      preValidation: async (req) => {
        if (!req.ws) throw new HttpError(404, 'notFound');
        if (req.headers.origin !== origin) throw new HttpError(403, 'forbidden');
        if (req.principal.kind !== 'citizen' && req.principal.kind !== 'staff') throw new HttpError(403, 'forbidden');
        admitted.set(req, (await openRoom(req, JOIN)).room);
      },
    },
    (socket: SignalSocket, req) => {
      const room = admitted.get(req);
      if (!room) {
        socket.close(1011, 'no room');
        return;
      }
      open.add(socket);
      const token = req.cookies[SESSION_COOKIE];
      const who = principalKey(req.principal);
      const leave = rooms.join(room.appointmentId, room.participantId, {
        socket,
        role: room.role,
        ice: () => iceSettings(config),
      });
      const windowEnd = setTimeout(
        () => socket.close(CLOSE.windowEnded, 'window ended'),
        Math.max(0, videoWindow(room).closes.getTime() - Date.now()),
      );
      let alive = true;
      const heartbeat = setInterval(() => {
        if (!alive) {
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
        // Logged out, timed out or rights changed since joining: the socket ends with the session.
        void (token ? sessions.load(token) : Promise.resolve(null))
          .then((s) => {
            if (!s || principalKey(principalOf(s)) !== who) socket.close(CLOSE.sessionEnded, 'session ended');
          })
          .catch((err: unknown) => req.log.warn({ err }, 'video: session check failed'));
      }, HEARTBEAT_MS);
      socket.on('pong', () => {
        alive = true;
      });
      socket.on('close', () => {
        open.delete(socket);
        clearTimeout(windowEnd);
        clearInterval(heartbeat);
        leave();
        req
          .withData((scope) =>
            scope.audit({
              ...LEAVE,
              citizenId: room.citizenId,
              resourceType: 'appointment',
              resourceId: room.appointmentId,
            }),
          )
          .catch((err: unknown) => req.log.warn({ err }, 'video: leave not audited'));
      });
    },
  );
}
