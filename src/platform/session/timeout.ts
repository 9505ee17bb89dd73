// The session timeout, made adjustable (WCAG 2.2.1 Timing Adjustable, EN 301 549 9.2.2.1). The security limits stay
// (15 minutes idle, DigiD norm T14; the absolute limit): a small script of our own (static/session-timeout.js, loaded
// on every page, allowed by the CSP as a same-origin script) warns two minutes before the idle limit and lets the
// person stay logged in. Everything works without it; it only adds the warning.
//   GET  /session/status   how long the session has left. Reading it is not a visit: it never keeps a session alive.
//   POST /session/extend   "Blijf ingelogd": the idle limit starts again (a visit now). The form's CSRF token, or
//                          the X-CSRF-Token header from the script. Without script: back to the page (?return=).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { KeyStore } from '../crypto/keys.js';
import { HttpError } from '../http/errors.js';
import type { Session } from './sessions.js';

/** The warning comes two minutes before the end, or halfway with a shorter idle limit (a test's one minute). */
export function warnBeforeMs(idleMs: number): number {
  return Math.min(120_000, Math.floor(idleMs / 2));
}

export interface SessionTiming {
  /** Until the idle limit, counted from now (the last visit the database noted). */
  idleRemainingMs: number;
  /** Until the absolute limit: no "stay logged in" moves it. */
  absoluteRemainingMs: number;
  warnMs: number;
}

export function sessionTiming(session: Session, idleMs: number, now = Date.now()): SessionTiming {
  return {
    idleRemainingMs: Math.max(0, session.lastSeenAt.getTime() + idleMs - now),
    absoluteRemainingMs: Math.max(0, session.absoluteExpiresAt.getTime() - now),
    warnMs: warnBeforeMs(idleMs),
  };
}

/**
 * The key the script encrypts a form's typed text with when the session ends (AES-GCM, in the tab's sessionStorage),
 * so that the same person finds it back after logging in again — and nobody else: the key is given only to a page of
 * this person's session (derived from the master key, the person and the day). Never on the server, in a log or a URL.
 */
export function formDraftKey(keys: KeyStore, session: Session, now = new Date()): string | null {
  const who =
    session.kind === 'citizen' && session.citizenId
      ? `citizen:${session.citizenId}`
      : session.kind === 'staff' && session.staffId
        ? `staff:${session.staffId}`
        : null;
  if (!who) return null;
  const day = now.toISOString().slice(0, 10);
  return keys.blindIndex('form-draft v1', `${who}:${day}`).subarray(0, 32).toString('base64url');
}

/** Where the person logs in again: the citizen's DigiD, or the staff login. */
export function loginPathFor(kind: Session['kind'] | null): string | null {
  if (kind === 'citizen') return '/login/digid';
  if (kind === 'staff') return '/staff/login';
  return null;
}

/** A local page to return to: a path of this site, in plain characters (never another host: no open redirect). */
export function localReturnPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 300) return null;
  return /^\/(?!\/)[A-Za-z0-9_\-/.]*$/.test(value) && !value.includes('..') ? value : null;
}

function loggedIn(req: FastifyRequest): Session {
  const s = req.session;
  if (!s || req.principal.kind === 'anonymous' || (s.kind !== 'citizen' && s.kind !== 'staff'))
    throw new HttpError(401, 'loginRequired');
  return s;
}

export function registerSessionTimeout(app: FastifyInstance): void {
  const { sessions } = app.koepel;

  app.get('/session/status', { config: { sessionTouch: false, requestTransaction: false } }, async (req, reply) => {
    const s = req.session;
    const active = s !== null && req.principal.kind !== 'anonymous' && (s.kind === 'citizen' || s.kind === 'staff');
    return reply
      .header('Cache-Control', 'no-store')
      .send(active ? { active: true, ...sessionTiming(s, sessions.idleMs) } : { active: false });
  });

  app.post('/session/extend', async (req, reply) => {
    const s = loggedIn(req);
    await sessions.extend(s);
    const body = (req.body ?? {}) as Record<string, unknown>;
    // The script asks for JSON; a form without script goes back to its page.
    if (req.headers['x-csrf-token'] !== undefined) {
      return reply.header('Cache-Control', 'no-store').send({ active: true, ...sessionTiming(s, sessions.idleMs) });
    }
    const home = s.kind === 'citizen' ? '/home' : '/staff';
    return reply.redirect(localReturnPath(body.return) ?? home, 303);
  });
}
