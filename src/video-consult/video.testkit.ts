// Test fixtures for the video consult: a video appointment type and appointments inserted as the owner (the booking
// flow is its own capability's), and a raw WebSocket client (the `ws` package @fastify/websocket brings along).
import { createRequire } from 'node:module';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';

export async function videoType(db: Kysely<DB>, organisationId: string): Promise<string> {
  const existing = await db
    .selectFrom('appointment_type')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('name', '=', 'Videoconsult (test)')
    .executeTakeFirst();
  if (existing) return existing.id;
  return (
    await db
      .insertInto('appointment_type')
      .values({ organisation_id: organisationId, name: 'Videoconsult (test)', duration_minutes: 10, video: true })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

export interface AppointmentFixture {
  organisationId: string;
  citizenId: string;
  staffId: string;
  start: Date;
  end: Date;
  status?: 'requested' | 'booked' | 'cancelled' | 'refused';
  video?: boolean;
}

/** An appointment as the booking flow would leave it; returns its id. */
export async function insertAppointment(db: Kysely<DB>, a: AppointmentFixture): Promise<string> {
  const typeId = await videoType(db, a.organisationId);
  const row = await db
    .insertInto('appointment')
    .values({
      organisation_id: a.organisationId,
      citizen_id: a.citizenId,
      type_id: typeId,
      staff_id: a.staffId,
      staff_name: 'Dr. A. Huisman',
      during: sql<string>`tstzrange(${a.start.toISOString()}::timestamptz, ${a.end.toISOString()}::timestamptz, '[)')`,
      status: a.status ?? 'booked',
      video: a.video ?? true,
      booked_by: 'citizen',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function staffId(db: Kysely<DB>, email: string): Promise<string> {
  return (await db.selectFrom('staff_account').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

/** What the tests use of a `ws` client socket. */
export interface TestSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'open', fn: () => void): TestSocket;
  on(event: 'message', fn: (data: Buffer) => void): TestSocket;
  on(event: 'close', fn: (code: number, reason: Buffer) => void): TestSocket;
  on(event: 'error', fn: (err: Error) => void): TestSocket;
  on(event: 'unexpected-response', fn: (req: unknown, res: { statusCode: number }) => void): TestSocket;
}
type TestSocketClass = new (url: string, opts: { headers: Record<string, string> }) => TestSocket;

const require = createRequire(import.meta.url);
const WebSocketClient = require('ws') as TestSocketClass;

export interface Opened {
  socket: TestSocket;
  messages: Record<string, unknown>[];
  closed: Promise<number>;
  /** The next message of this type (already received or still to come). */
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Opens a socket; resolves with it, or rejects with the HTTP status of a refused upgrade. */
export function openSocket(url: string, headers: Record<string, string>): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocketClient(url, { headers });
    const messages: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    let closedWith: (code: number) => void = () => undefined;
    const closed = new Promise<number>((r) => (closedWith = r));
    socket.on('message', (data) => {
      messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
      for (const w of waiters.splice(0)) w();
    });
    socket.on('close', (code) => closedWith(code));
    socket.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.on('error', (err) => reject(err));
    let seen = 0;
    const next = (type: string, timeoutMs = 5000) =>
      new Promise<Record<string, unknown>>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no ${type} message`)), timeoutMs);
        const look = () => {
          const i = messages.findIndex((m, n) => n >= seen && m.type === type);
          if (i >= 0) {
            seen = i + 1;
            clearTimeout(timer);
            res(messages[i] as Record<string, unknown>);
          } else waiters.push(look);
        };
        look();
      });
    socket.on('open', () => resolve({ socket, messages, closed, next }));
  });
}
