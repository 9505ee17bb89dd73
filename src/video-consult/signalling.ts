// The signalling relay of the video rooms: at most one socket per participant, so at most two per room (a second
// tab of the same person replaces the first); only JSON messages of known types (sdp, ice, state), checked and
// rebuilt field by field before they go to the other side. Nothing of their content is logged: an SDP names the
// participants' network addresses.
//
// Rooms live in this process's memory: both sockets of a room must reach the same Koepel node (docs/operations.md).
import { z } from 'zod';
import type { Participant } from './access.js';

/** What this module needs of a `ws` socket (the @fastify/websocket handler's socket). */
export interface SignalSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): void;
  on(event: 'close', listener: (code: number) => void): void;
  on(event: 'pong', listener: () => void): void;
}

const OPEN = 1;

/** Close codes the room script understands (4000–4999 are the application's own). */
export const CLOSE = {
  badMessage: 4400,
  sessionEnded: 4401,
  windowEnded: 4408,
  replaced: 4409,
  tooMany: 4429,
} as const;

/** Per socket: at most this many messages per RATE_WINDOW_MS (ICE trickling sends a few dozen at the start). */
export const RATE_LIMIT = 200;
const RATE_WINDOW_MS = 10_000;

// The size limits are far above what Chromium and Firefox send (an SDP of a few KB, a candidate line of ~100 bytes)
// and far below the socket's maxPayload (64 KB).
const description = z.object({ type: z.enum(['offer', 'answer']), sdp: z.string().max(32_000) });
const candidate = z.object({
  candidate: z.string().max(1_000),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
export const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sdp'), description }),
  z.object({ type: z.literal('ice'), candidate }),
  z.object({ type: z.literal('state'), audio: z.boolean(), video: z.boolean() }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

/** A parsed, rebuilt message (unknown fields dropped), or null when it is not one of ours. */
export function parseClientMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): ClientMessage | null {
  if (isBinary) return null;
  const text = Buffer.isBuffer(data)
    ? data.toString('utf8')
    : Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = clientMessage.safeParse(json);
  return parsed.success ? parsed.data : null;
}

interface Member {
  socket: SignalSocket;
  role: Participant;
}

export interface JoinOptions {
  /** Fresh ICE settings (TURN credentials) for this member, each time a negotiation is about to start. */
  ice: () => unknown;
}

/** The open rooms of this process, by appointment id. */
export class Rooms {
  private readonly rooms = new Map<string, Map<string, Member & JoinOptions>>();

  /** How many sockets a room holds (tests, and the two-per-room rule). */
  size(appointmentId: string): number {
    return this.rooms.get(appointmentId)?.size ?? 0;
  }

  /**
   * Puts a socket into the room for this participant, replacing (closing) one the same participant held, and tells
   * both sides whether the other is there. Returns the function that takes it out again (on close).
   */
  join(appointmentId: string, participantId: string, member: Member & JoinOptions): () => void {
    let room = this.rooms.get(appointmentId);
    if (!room) this.rooms.set(appointmentId, (room = new Map<string, Member & JoinOptions>()));
    const previous = room.get(participantId);
    if (previous) {
      room.delete(participantId);
      this.tell(room, null, { type: 'peer-left' });
      previous.socket.close(CLOSE.replaced, 'replaced');
    }
    room.set(participantId, member);
    const others = [...room.entries()].filter(([id]) => id !== participantId).map(([, m]) => m);
    send(member.socket, {
      type: 'welcome',
      polite: member.role === 'citizen',
      peer: others.length > 0,
      ice: member.ice(),
    });
    for (const o of others) send(o.socket, { type: 'peer-joined', ice: o.ice() });

    let messages = 0;
    let windowStart = Date.now();
    member.socket.on('message', (data, isBinary) => {
      const now = Date.now();
      if (now - windowStart > RATE_WINDOW_MS) {
        windowStart = now;
        messages = 0;
      }
      if (++messages > RATE_LIMIT) {
        member.socket.close(CLOSE.tooMany, 'too many messages');
        return;
      }
      const msg = parseClientMessage(data, isBinary);
      if (!msg) {
        member.socket.close(CLOSE.badMessage, 'unknown message');
        return;
      }
      const current = this.rooms.get(appointmentId);
      if (current?.get(participantId)?.socket !== member.socket) return;
      this.tell(current, participantId, msg);
    });

    return () => {
      const current = this.rooms.get(appointmentId);
      if (!current || current.get(participantId)?.socket !== member.socket) return;
      current.delete(participantId);
      if (current.size === 0) this.rooms.delete(appointmentId);
      else this.tell(current, participantId, { type: 'peer-left' });
    };
  }

  /** Closes every socket of a room (its window ended). */
  closeRoom(appointmentId: string, code: number, reason: string): void {
    for (const m of this.rooms.get(appointmentId)?.values() ?? []) m.socket.close(code, reason);
  }

  private tell(room: Map<string, Member>, from: string | null, msg: object): void {
    for (const [id, m] of room) if (id !== from) send(m.socket, msg);
  }
}

function send(socket: SignalSocket, msg: object): void {
  if (socket.readyState === OPEN) socket.send(JSON.stringify(msg));
}
