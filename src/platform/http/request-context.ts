// Per-request context: the session (from the one cookie), the principal derived from it, the language, the
// access point for the audit log, and the two ways a handler reaches the database: withData() runs one transaction
// under the request's principal; withSystem() runs one as the system, for a named purpose (a login before there is
// a principal, a token check, a throttle). Both hand out an audit writer bound to the request.
import type { JobRegistry } from '../jobs/worker.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AccessPoint } from '../audit/audit.js';
import type { BearerTokens } from '../auth/bearer.js';
import type { Config } from '../config.js';
import type { KeyStore } from '../crypto/keys.js';
import {
  beginStatement,
  openPinnedTransaction,
  principalKey,
  RequestTransaction,
  runBatch,
  withRequestTransaction,
  type Principal,
  type SystemPurpose,
} from '../db/principal.js';
import type { Notifications } from '../db/database.js';
import { runInScope, runOnPinned, type DataScope } from '../db/scope.js';
import type { DB } from '../db/schema.js';
import { isLang, type Lang, type Messages } from '../i18n/i18n.js';
import type { Navigation, NavigationLink } from '../web/navigation.js';
import { principalOf, SESSION_COOKIE, type Session, type SessionStore } from '../session/sessions.js';
import type { PageContext, PortalView } from '../web/context.js';
import { HttpError } from './errors.js';
import { withoutBidiControls } from '../web/components/escape.js';
import { formDraftKey, loginPathFor, sessionTiming } from '../session/timeout.js';

export interface Services {
  config: Config;
  /** The owner connection: only the kernel uses it, through withPrincipal (src/platform/db/principal.ts). */
  db: Kysely<DB>;
  keys: KeyStore;
  sessions: SessionStore;
  portals: PortalRegistry;
  /** Every registered capability's texts. */
  messages: Messages;
  /** The menus capabilities add links to. */
  navigation: Navigation;
  /** The bearer-token check, with the verifiers capabilities registered. */
  bearer: BearerTokens;
  /** Notifications between the nodes of a deployment (PostgreSQL LISTEN/NOTIFY; send with notify()). */
  notifications: Notifications;
  /** Job handlers by kind (Capability.jobs); the worker (src/platform/jobs/worker.ts) runs them. */
  jobs: JobRegistry;
}

export interface PortalRegistry {
  all(): PortalView[];
  /** The portal this request is for (one per deployment for now; by host name later). */
  current(): PortalView;
}

export type { DataScope };

/** The data scope a request is inside of, if any (withData below). */
const activeScopes = new AsyncLocalStorage<{ req: FastifyRequest; key: string; scope: DataScope }>();

declare module 'fastify' {
  interface FastifyInstance {
    koepel: Services;
  }
  interface FastifyRequest {
    session: Session | null;
    /** A cookie was presented but its session had ended (idle, absolute limit, logout). */
    sessionExpired: boolean;
    /** Whose session ended, when the database still knew it (the page offers that area's login again). */
    endedSessionKind: Session['kind'] | null;
    principal: Principal;
    lang: Lang;
    accessPoint: AccessPoint;
    /** The transaction the session was read in, held for the request's first data scope (principal.ts). */
    requestTransaction: RequestTransaction | null;
    withData<T>(fn: (scope: DataScope) => Promise<T>): Promise<T>;
    /**
     * System work for this request, for one named purpose: the row-level-security policies grant each purpose only
     * what it needs (e.g. 'api-auth' reads token hashes), and the scope's audit records name the purpose and carry
     * this request's address and id. The only way code outside the kernel acts as the system.
     */
    withSystem<T>(purpose: SystemPurpose, fn: (scope: DataScope) => Promise<T>): Promise<T>;
  }
  interface FastifyContextConfig {
    /**
     * false on routes that authenticate otherwise (OIDC endpoints of the simulator, FHIR clients). 'multipart': a
     * file upload whose body the handler streams; it must pass the form's first field to `checkCsrf` before it reads
     * any other part (src/messages/multipart.ts).
     */
    csrf?: boolean | 'multipart';
    /**
     * false on GET routes that call out (another service, or Koepel itself) before their data work: they must not
     * hold the transaction their session was read in (a pooled connection; PGlite's only one) while they wait.
     */
    requestTransaction?: boolean;
    /** false: reading the session does not count as a visit (the session-timeout script asking how long is left). */
    sessionTouch?: boolean;
  }
}

export function registerRequestContext(app: FastifyInstance, services: Services): void {
  app.decorate('koepel', services);
  app.decorateRequest('session', null);
  app.decorateRequest('sessionExpired', false);
  app.decorateRequest('endedSessionKind', null);
  app.decorateRequest('principal', null as never);
  app.decorateRequest('lang', 'nl');
  app.decorateRequest('accessPoint', null as never);
  const run = <T>(principal: Principal, at: AccessPoint, fn: (scope: DataScope) => Promise<T>): Promise<T> =>
    runInScope(services, principal, fn, at);
  app.decorateRequest('requestTransaction', null);
  app.decorateRequest('withData', function <T>(this: FastifyRequest, fn: (scope: DataScope) => Promise<T>): Promise<T> {
    // The request's first data scope continues the transaction its session was read in, when it is for the same
    // principal: one transaction per request, two round trips fewer.
    // (No request transaction when an earlier onRequest hook answered the request itself.)
    // Issue 13: a data scope asked for inside another one of this request and principal (a menu count while a page
    // is rendered inside withData) continues it: a second transaction would wait for PGlite's one connection, which
    // the first holds until the page is done.
    const key = principalKey(this.principal);
    const active = activeScopes.getStore();
    if (active && active.req === this && active.key === key) return fn(active.scope);
    const scoped = (scope: DataScope) =>
      activeScopes.run({ req: this, key, scope }, async () => {
        const result = await fn(scope);
        // The menu's counts in this same transaction: a page rendered after it would open another one for them.
        // (Not when counting has begun already: this scope may be a count's own, or the page was rendered in it.)
        if (this.method === 'GET' && !badgeCache.has(this)) {
          const ctx = pageContext(this);
          await Promise.all(ctx.navigation.filter((l) => l.badge).map((l) => ctx.badge(l)));
        }
        return result;
      });
    const pinned = this.requestTransaction?.take(this.principal);
    if (pinned) return runOnPinned(services, pinned, this.principal, scoped, this.accessPoint);
    return run(this.principal, this.accessPoint, scoped);
  });
  app.decorateRequest('withSystem', function <
    T,
  >(this: FastifyRequest, purpose: SystemPurpose, fn: (scope: DataScope) => Promise<T>): Promise<T> {
    return run({ kind: 'system', purpose }, this.accessPoint, fn);
  });

  // The request's transaction is known to every transaction the request opens (withPrincipal releases it first), also
  // those of code that does not hold the request: AsyncLocalStorage, entered in a callback hook so that it holds for
  // the hooks and the handler that follow.
  app.addHook('onRequest', (req, _reply, done) => {
    req.requestTransaction = new RequestTransaction();
    withRequestTransaction(req.requestTransaction, done);
  });
  // It ends before the response leaves at the latest (commit: its only write is the session's "last seen"), and on
  // every other way out of a request.
  app.addHook('onSend', async (req) => {
    await req.requestTransaction?.release().catch((err: unknown) => req.log.warn({ err }, 'request transaction'));
  });
  const releaseQuietly = async (req: FastifyRequest) => {
    await req.requestTransaction?.release().catch(() => undefined);
  };
  app.addHook('onResponse', releaseQuietly);
  app.addHook('onRequestAbort', releaseQuietly);
  app.addHook('onTimeout', releaseQuietly);

  app.addHook('onRequest', async (req) => {
    req.accessPoint = {
      clientAddress: req.ip,
      userAgent: req.headers['user-agent'] ?? null,
      requestId: req.id,
    };
    req.principal = { kind: 'anonymous' };
    if (req.url.startsWith('/assets/') || req.url.startsWith('/health')) return;
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      // Reads (GET, HEAD) keep the session's transaction for their data work. Forms (POST) do not: they log in and
      // out, rotate sessions and call other services, so theirs commits in the same round trip.
      const keep =
        (req.method === 'GET' || req.method === 'HEAD') && req.routeOptions.config.requestTransaction !== false;
      const touch = req.routeOptions.config.sessionTouch !== false;
      const { session, pinned, endedKind } = await services.sessions.open(token, keep, touch);
      req.session = session;
      req.sessionExpired = session === null;
      req.endedSessionKind = endedKind;
      req.principal = principalOf(session);
      // An anonymous visitor (a login under way, which calls DigiD or the BRP) holds no connection meanwhile.
      if (pinned && req.principal.kind !== 'anonymous' && req.requestTransaction) req.requestTransaction.hold(pinned);
      else await pinned?.finish('commit');
      const lang = req.session?.state.lang;
      if (isLang(lang)) req.lang = lang;
    }
  });

  // CSRF: every state-changing request from a browser form carries the session's token.
  app.addHook('preHandler', async (req) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return;
    if (req.routeOptions.config.csrf === false) return;
    const body = req.body as Record<string, unknown> | undefined;
    const sent = typeof body?._csrf === 'string' ? body._csrf : req.headers['x-csrf-token'];
    // A streamed upload: the handler checks the form's first field (or this header) before it reads anything else.
    if (req.routeOptions.config.csrf === 'multipart' && sent === undefined) return;
    checkCsrf(req, sent);
  });
}

/**
 * The CSRF check of every form: `sent` must be the session's token. Throws 403 (401 when the session has ended).
 * Called by the preHandler above, and by a multipart route (config csrf: 'multipart') with the first field it reads.
 */
export function checkCsrf(req: FastifyRequest, sent: unknown): void {
  const expected = req.session?.csrfToken;
  if (typeof sent !== 'string' || !expected || !safeEqual(sent, expected)) {
    // A form sent after the session ended: the visitor has to log in again, not a forgery.
    if (req.sessionExpired) throw new HttpError(401, 'loginRequired');
    throw new HttpError(403, 'csrf');
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A value for a koepel_open_…() call: a hash (bytea), a moment (timestamptz) or a whole number (bigint). */
export type OpenArgument = Buffer | Date | number;

/** The SQL literal of a generated value: never free text, so nothing from a request is quoted into SQL here. */
function literal(v: OpenArgument): string {
  if (Buffer.isBuffer(v)) return `'\\x${v.toString('hex')}'::bytea`;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new Error('not a moment');
    return `'${v.toISOString()}'::timestamptz`;
  }
  if (!Number.isSafeInteger(v)) throw new Error('not a whole number');
  return String(v);
}

/**
 * Authentication that opens the request's transaction (a bearer token): one round trip runs BEGIN, the system
 * `purpose` and `select * from <fn>(args)` — a database function (koepel_open_…) that checks the credential and
 * switches the transaction to the principal it stands for, returning that principal's settings as principalKey()
 * writes them. The transaction is then held for the request's data work, as a session's is (GET and HEAD; other
 * methods commit at once). Answers the row and the principal, or null when the function found nothing.
 */
export async function openRequestAs<R extends { settings: string }>(
  req: FastifyRequest,
  purpose: SystemPurpose,
  fn: `koepel_open_${string}`,
  args: OpenArgument[],
  principalOfRow: (row: R) => Principal,
): Promise<{ row: R; principal: Principal } | null> {
  if (!/^koepel_open_[a-z_]+$/.test(fn)) throw new Error('not a koepel_open_… function');
  const call = `select * from ${fn}(${args.map(literal).join(', ')})`;
  const { db } = req.server.koepel;
  const held = req.requestTransaction;
  // A request never holds two transactions (PGlite has one connection): a session's, if any, ends first.
  await held?.release();
  const prologue = `${beginStatement({ kind: 'system', purpose })}; ${call}`;
  if (!held || !['GET', 'HEAD'].includes(req.method)) {
    const row = (await runBatch(db, `${prologue}; commit`))[0] as R | undefined;
    return row ? { row, principal: principalOfRow(row) } : null;
  }
  const { rows, pinned } = await openPinnedTransaction(db, prologue, principalKey({ kind: 'system', purpose }));
  const row = rows[0] as R | undefined;
  if (!row) {
    await pinned.finish('commit');
    return null;
  }
  const principal = principalOfRow(row);
  if (row.settings !== principalKey(principal)) {
    // The function and the application disagree about who this is: a bug, and nothing is read with it.
    await pinned.finish('rollback');
    throw new Error(`${purpose}: the database switched to another principal than the application derived`);
  }
  pinned.key = row.settings;
  held.hold(pinned);
  return { row, principal };
}

export function setSessionCookie(reply: FastifyReply, token: string): void {
  // __Host-: Secure, Path=/, no Domain. No Max-Age/Expires: the cookie ends with the browser (LU-8).
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
}

/** Ensures the visitor has a session (an anonymous one if needed) so that a form can carry a CSRF token. */
export async function ensureSession(req: FastifyRequest, reply: FastifyReply): Promise<Session> {
  if (req.session) return req.session;
  await req.requestTransaction?.release();
  const { token, session } = await req.server.koepel.sessions.create({
    kind: 'anonymous',
    state: req.lang !== 'nl' ? { lang: req.lang } : {},
  });
  setSessionCookie(reply, token);
  req.session = session;
  return session;
}

/** Replaces the visitor's session by a new one (new id) — at every login and logout. */
export async function rotateSession(
  req: FastifyRequest,
  reply: FastifyReply,
  next: Parameters<SessionStore['create']>[0],
): Promise<Session> {
  const { sessions } = req.server.koepel;
  const lang = req.session?.state.lang;
  await req.requestTransaction?.release();
  if (req.session) await sessions.end(req.session);
  const { token, session } = await sessions.create({
    ...next,
    state: { ...(isLang(lang) ? { lang } : {}), ...(next.state ?? {}) },
  });
  setSessionCookie(reply, token);
  req.session = session;
  req.principal = principalOf(session);
  return session;
}

export function pageContext(req: FastifyRequest): PageContext {
  const s = req.session;
  let user: PageContext['user'] = null;
  if (s?.kind === 'staff' && s.staff) user = { name: s.staff.displayName, homePath: '/staff' };
  else if (s?.kind === 'citizen') {
    const name = typeof s.state.displayName === 'string' ? s.state.displayName : '';
    user = { name, homePath: '/home' };
  }
  const { messages, navigation, portals } = req.server.koepel;
  // Undefined before the principal is loaded (a page sent from an onRequest hook, e.g. the canonical-host check).
  const p = req.principal as Principal | undefined;
  const area = user?.homePath === '/home' ? 'citizen' : s?.kind === 'staff' ? 'staff' : null;
  const links =
    area === 'citizen'
      ? navigation.links('citizen')
      : p?.kind === 'staff'
        ? navigation
            .links('staff')
            .filter((l) => !l.permissions || l.permissions.some((x) => p.permissions.includes(x)))
            .filter((l) => !l.functions || l.functions.some((f) => s?.staff?.organisationFunctions.includes(f)))
        : [];
  return {
    lang: req.lang,
    t: messages.translator(req.lang),
    portal: portals.current(),
    csrf: s?.csrfToken ?? null,
    user,
    navigation: links,
    area,
    badge: (link) => badgeOf(req, link),
    path: req.url.split('?')[0] ?? '/',
    session: user && s ? timingOf(req, s) : null,
  };
}

/** The session's limits as a page shows them to the timeout script (only to the person logged in). */
function timingOf(req: FastifyRequest, s: Session): PageContext['session'] {
  const loginPath = loginPathFor(s.kind);
  if (!loginPath) return null;
  const { sessions, keys } = req.server.koepel;
  return { ...sessionTiming(s, sessions.idleMs), draftKey: formDraftKey(keys, s), loginPath };
}

const badgeCache = new WeakMap<FastifyRequest, Map<string, Promise<number | null>>>();

/** A menu link's count, once per request; a failure to count shows no number rather than breaking the page. */
function badgeOf(req: FastifyRequest, link: NavigationLink): Promise<number | null> {
  if (!link.badge) return Promise.resolve(null);
  let counts = badgeCache.get(req);
  if (!counts) badgeCache.set(req, (counts = new Map<string, Promise<number | null>>()));
  let count = counts.get(link.href);
  if (!count) {
    count = link.badge(req).catch(() => null);
    counts.set(link.href, count);
  }
  return count;
}

/** Every page leaves here: bidirectional controls from anyone's text are dropped (components/escape.ts). */
export async function sendPage(reply: FastifyReply, html: JSX.Element, status = 200): Promise<FastifyReply> {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html>${withoutBidiControls(await html)}`);
}
