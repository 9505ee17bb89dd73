// Between a correct password and the finished login, the employee is not logged in: the (rotated, anonymous)
// session only remembers who is half-way, at which step, and since when. Nothing in it grants access.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

const PENDING_MS = 10 * 60_000;
const STATE_KEY = 'staffLogin';

const pendingSchema = z.object({
  staffId: z.uuid(),
  /** The pseudonymous throttle key of the account: TOTP failures count toward the same limit. */
  accountKey: z.string().regex(/^account:[0-9a-f]{64}$/),
  stage: z.enum(['totp', 'enrol', 'choose']),
  startedAt: z.number().int(),
  /** During enrolment: the secret on show, sealed (base64), until the employee confirms it with a code. */
  enrolSecret: z.string().optional(),
  /** The staff page to return to after login (checked by safeReturnPath when it was stored). */
  returnTo: z.string().max(200).optional(),
});

export type PendingLogin = z.infer<typeof pendingSchema>;
export type PendingStage = PendingLogin['stage'];

export function newPending(staffId: string, accountKey: string, stage: PendingStage): PendingLogin {
  return { staffId, accountKey, stage, startedAt: Date.now() };
}

/** The half-finished login of this session, if it is at `stage` and not too old. */
export function readPending(req: FastifyRequest, stage: PendingStage): PendingLogin | null {
  const s = req.session;
  if (!s || s.kind !== 'anonymous') return null;
  const parsed = pendingSchema.safeParse(s.state[STATE_KEY]);
  if (!parsed.success) return null;
  if (parsed.data.stage !== stage || Date.now() - parsed.data.startedAt > PENDING_MS) return null;
  return parsed.data;
}

export function pendingState(p: PendingLogin): Record<string, unknown> {
  return { [STATE_KEY]: p };
}

export async function savePending(req: FastifyRequest, p: PendingLogin): Promise<void> {
  const s = req.session;
  if (!s) throw new Error('no session to keep a pending login in');
  await req.server.koepel.sessions.updateState(s, { ...s.state, [STATE_KEY]: p });
}

export async function dropPending(req: FastifyRequest): Promise<void> {
  const s = req.session;
  if (!s || !(STATE_KEY in s.state)) return;
  await req.server.koepel.sessions.updateState(
    s,
    Object.fromEntries(Object.entries(s.state).filter(([k]) => k !== STATE_KEY)),
  );
}
