// Staff login (ZL-3, PR-7): e-mail + argon2id password, then a TOTP code (or TOTP enrolment where the organisation
// requires it), then — for employees of several organisations — a choice of organisation.
//
//   POST /staff/login ─ throttle check (before any hashing) ─ argon2 verify (a dummy hash for unknown accounts)
//     ├─ wrong: count a failure per account and per address (block + alert at the limit); same answer either way
//     └─ right: new anonymous session holding only the pending login ─→ /staff/login/totp | /staff/totp/enrol
//   TOTP (failures count toward the same throttle; a time step is used once) ─→ /staff/login/organisation if needed
//   finish: new session id for the staff principal, audit 'staff.login'.
//
// All database work before the staff session exists runs under the system principal {purpose: 'staff-login'}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditEvent } from '../platform/audit/audit.js';
import type { Tx } from '../platform/db/principal.js';
import { HttpError } from '../platform/http/errors.js';
import { ensureSession, pageContext, rotateSession, sendPage } from '../platform/http/request-context.js';
import { sendMessage } from '../platform/http/message-page.js';
import { findAccountByEmail, getAccount, membershipsOf, totpRequired } from './accounts.js';
import type { FieldError } from '../platform/web/components/index.js';
import { ChooseOrganisationPage, EnrolPage, LoginPage, TotpPage } from './login-views.js';
import { dummyHash, verifyPassword } from './passwords.js';
import { safeReturnPath } from './return-path.js';
import { dropPending, newPending, pendingState, readPending, savePending, type PendingLogin } from './pending-login.js';
import {
  accountKey,
  addressKey,
  blockedUntil,
  clearAccount,
  pruneThrottle,
  registerFailure,
  throttlePolicy,
  type ThrottleKeys,
} from '../platform/auth/throttle.js';
import { codeOfForm, consumeStep, enrolmentCodes, enrolmentSecret, enrolTotp, openTotpSecret, stepOf } from './totp.js';

const OPERATOR_CHOICE = 'operator';
/** Session state of the login form: the staff page to return to (src/staff/return-path.ts). */
const RETURN_STATE = 'staffReturn';

const loginBody = z.object({ email: z.string().max(320), password: z.string().max(1024) });
const organisationBody = z.object({ organisation: z.string().max(64).optional() });

type FailureReason = 'credentials' | 'throttled' | 'totp' | 'totp-enrol' | 'no-membership' | 'pending-expired';

/** Login work runs as the system ('staff-login'): nobody is logged in yet. */
function system<T>(
  req: FastifyRequest,
  fn: (tx: Tx, audit: (e: AuditEvent) => Promise<void>) => Promise<T>,
): Promise<T> {
  return req.withSystem('staff-login', ({ tx, audit }) => fn(tx, audit));
}

/** An audit record of a failed attempt: under the system principal, without e-mail address or name. */
function auditFailure(audit: (e: AuditEvent) => Promise<void>, reason: FailureReason, staffId?: string): Promise<void> {
  return audit({
    event: 'staff.login',
    action: 'E',
    outcome: 'failure',
    reason,
    ...(staffId ? { resourceType: 'staff_account', resourceId: staffId } : {}),
  });
}

function throttleKeys(req: FastifyRequest, account: string): ThrottleKeys {
  return { account, address: addressKey(req.server.koepel.keys, req.ip) };
}

async function throttledPage(req: FastifyRequest, reply: FastifyReply, until: Date | null): Promise<FastifyReply> {
  const seconds = until ? Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000)) : 900;
  reply.header('Retry-After', String(seconds));
  return sendMessage(req, reply, 429, (t) => ({
    title: t('staff.throttled.title'),
    body: t('staff.throttled.body'),
    extra: t('staff.throttled.help'),
    link: { href: '/', label: t('error.backHome') },
  }));
}

/**
 * A code step of the login (the authenticator's code, or the first code of a new one): the code as typed, once the
 * throttle allows a try. When there is none to check, the answer has been sent: the form again (400) or the throttle
 * page (the pending login ends).
 */
async function codeToCheck(
  req: FastifyRequest,
  reply: FastifyReply,
  pending: PendingLogin,
  form: (errors: FieldError[]) => JSX.Element,
): Promise<string | FastifyReply> {
  const code = codeOfForm(req.body);
  if (!code) return sendPage(reply, form(codeError(req, 'staff.errors.codeFormat')), 400);
  const blocked = await checkThrottle(req, throttleKeys(req, pending.accountKey), pending.staffId);
  if (!blocked) return code;
  await dropPending(req);
  return throttledPage(req, reply, blocked);
}

/** A wrong code: counted; the throttle page (the pending login ends) when that blocks, else the form again (401). */
async function wrongCode(
  req: FastifyRequest,
  reply: FastifyReply,
  pending: PendingLogin,
  reason: 'totp' | 'totp-enrol',
  form: (errors: FieldError[]) => JSX.Element,
): Promise<FastifyReply> {
  const until = await failure(req, throttleKeys(req, pending.accountKey), reason, pending.staffId);
  if (!until) return sendPage(reply, form(codeError(req, 'staff.errors.codeWrong')), 401);
  await dropPending(req);
  return throttledPage(req, reply, until);
}

function codeError(req: FastifyRequest, key: 'staff.errors.codeFormat' | 'staff.errors.codeWrong'): FieldError[] {
  return [{ field: 'code', message: pageContext(req).t(key) }];
}

/** Checks the throttle before anything expensive. Returns the time the block ends, or null. */
async function checkThrottle(req: FastifyRequest, keys: ThrottleKeys, staffId?: string): Promise<Date | null> {
  return system(req, async (tx, audit) => {
    const until = await blockedUntil(tx, keys);
    if (until) await auditFailure(audit, 'throttled', staffId);
    return until;
  });
}

/** Counts a failure; returns the block end when this failure (or an earlier one) blocked a key. */
async function failure(
  req: FastifyRequest,
  keys: ThrottleKeys,
  reason: FailureReason,
  staffId?: string,
): Promise<Date | null> {
  const policy = throttlePolicy(req.server.koepel.config);
  const until = await system(req, async (tx, audit) => {
    const result = await registerFailure(tx, keys, policy);
    await auditFailure(audit, reason, staffId);
    return result.blocked ? blockedUntil(tx, keys) : null;
  });
  await system(req, (tx) => pruneThrottle(tx, policy));
  return until;
}

function redirectToLogin(reply: FastifyReply): FastifyReply {
  return reply.redirect('/staff/login', 303);
}

function loginErrors(req: FastifyRequest, email: string, password: string): FieldError[] {
  const t = pageContext(req).t;
  const errors: FieldError[] = [];
  if (email.trim() === '') errors.push({ field: 'email', message: t('staff.errors.emailMissing') });
  else if (!/^[^\s@]+@[^\s@]+$/.test(email.trim()))
    errors.push({ field: 'email', message: t('staff.errors.emailInvalid') });
  if (password === '') errors.push({ field: 'password', message: t('staff.errors.passwordMissing') });
  return errors;
}

export function registerStaffLoginRoutes(app: FastifyInstance): void {
  // Hash the dummy password now, so the first unknown-account attempt takes no longer than any other.
  void dummyHash();
  app.get('/staff/login', async (req, reply) => {
    if (req.principal.kind === 'staff') return reply.redirect('/staff', 303);
    if (req.principal.kind === 'operator') return reply.redirect('/operator/alerts', 303);
    const session = await ensureSession(req, reply);
    // After a session ended on a staff page: remember where to return to, and say why they are here.
    const returnTo = safeReturnPath((req.query as { return?: unknown }).return);
    if (returnTo && session.state[RETURN_STATE] !== returnTo)
      await req.server.koepel.sessions.updateState(session, { ...session.state, [RETURN_STATE]: returnTo });
    const passwordSet = (req.query as { password?: unknown }).password === 'set';
    return sendPage(reply, <LoginPage ctx={pageContext(req)} expired={returnTo !== null} passwordSet={passwordSet} />);
  });

  app.post('/staff/login', async (req, reply) => {
    const parsed = loginBody.safeParse(req.body);
    if (!parsed.success) {
      const ctx = pageContext(req);
      return sendPage(
        reply,
        <LoginPage ctx={ctx} errors={[{ field: 'email', message: ctx.t('error.badRequest.body') }]} />,
        400,
      );
    }
    const { email, password } = parsed.data;
    const errors = loginErrors(req, email, password);
    if (errors.length > 0)
      return sendPage(reply, <LoginPage ctx={pageContext(req)} email={email} errors={errors} />, 400);

    const { keys } = req.server.koepel;
    const tkeys = throttleKeys(req, accountKey(keys, email));
    // PR-7: the block holds before any hashing — a correct password during a block is refused like any other.
    const blocked = await checkThrottle(req, tkeys);
    if (blocked) return throttledPage(req, reply, blocked);

    const account = await system(req, (tx) => findAccountByEmail(tx, email));
    // Unknown accounts are verified against a real hash too, so the answer takes as long either way.
    const passwordOk = await verifyPassword(account?.passwordHash ?? (await dummyHash()), password);
    if (!account || !account.usable || !passwordOk) {
      const until = await failure(req, tkeys, 'credentials');
      if (until) return throttledPage(req, reply, until);
      // The same page whether the account exists or not; the address typed is not repeated (it would be the one
      // difference between two answers).
      const ctx = pageContext(req);
      return sendPage(
        reply,
        <LoginPage ctx={ctx} errors={[{ field: 'email', message: ctx.t('staff.errors.credentials') }]} />,
        401,
      );
    }

    const { full, memberships } = await system(req, async (tx) => ({
      full: await getAccount(tx, account.id),
      memberships: await membershipsOf(tx, account.id),
    }));
    if (!full) return redirectToLogin(reply);
    const stage = full.totpConfirmedAt ? 'totp' : totpRequired(full, memberships) ? 'enrol' : null;
    // A new session id as soon as the password is right; it holds the pending login and nothing else.
    const returnTo = safeReturnPath(req.session?.state[RETURN_STATE]);
    const pending = { ...newPending(full.id, tkeys.account, stage ?? 'choose'), ...(returnTo ? { returnTo } : {}) };
    await rotateSession(req, reply, { kind: 'anonymous', state: pendingState(pending) });
    if (stage === 'totp') return reply.redirect('/staff/login/totp', 303);
    if (stage === 'enrol') return reply.redirect('/staff/totp/enrol', 303);
    // ZL-3 "can": without a requirement and without enrolment the password suffices; the home page offers TOTP.
    return completeLogin(req, reply, pending);
  });

  app.get('/staff/login/totp', async (req, reply) => {
    if (!readPending(req, 'totp')) return redirectToLogin(reply);
    return sendPage(reply, <TotpPage ctx={pageContext(req)} />);
  });

  app.post('/staff/login/totp', async (req, reply) => {
    const pending = readPending(req, 'totp');
    if (!pending) return redirectToLogin(reply);
    const form = (errors: FieldError[]) => <TotpPage ctx={pageContext(req)} errors={errors} />;
    const code = await codeToCheck(req, reply, pending, form);
    if (typeof code !== 'string') return code;
    const account = await system(req, (tx) => getAccount(tx, pending.staffId));
    if (!account?.totpCiphertext || account.disabled) {
      await dropPending(req);
      return redirectToLogin(reply);
    }
    const secret = openTotpSecret(req.server.koepel.keys, account.id, account.totpCiphertext);
    const step = stepOf(secret, code);
    // A replayed code (its step already used) is refused like a wrong one.
    const ok = step !== null && (await system(req, (tx) => consumeStep(tx, account.id, step)));
    if (!ok) return wrongCode(req, reply, pending, 'totp', form);
    return completeLogin(req, reply, pending);
  });

  app.get('/staff/totp/enrol', async (req, reply) => {
    const pending = readPending(req, 'enrol');
    if (!pending) return redirectToLogin(reply);
    const view = await enrolView(req, pending);
    if (!view) return redirectToLogin(reply);
    return sendPage(reply, <EnrolPage ctx={pageContext(req)} view={view} />);
  });

  app.post('/staff/totp/enrol', async (req, reply) => {
    const pending = readPending(req, 'enrol');
    if (!pending?.enrolSecret) return redirectToLogin(reply);
    const { keys } = req.server.koepel;
    const view = await enrolView(req, pending);
    if (!view) return redirectToLogin(reply);
    const form = (errors: FieldError[]) => <EnrolPage ctx={pageContext(req)} view={view} errors={errors} />;
    const code = await codeToCheck(req, reply, pending, form);
    if (typeof code !== 'string') return code;
    const secret = openTotpSecret(keys, pending.staffId, Buffer.from(pending.enrolSecret, 'base64'), 'pending');
    const step = stepOf(secret, code);
    if (step === null) return wrongCode(req, reply, pending, 'totp-enrol', form);
    await system(req, (tx) => enrolTotp(tx, keys, pending.staffId, secret, step));
    return completeLogin(req, reply, pending);
  });

  app.get('/staff/login/organisation', async (req, reply) => {
    const pending = readPending(req, 'choose');
    if (!pending) return redirectToLogin(reply);
    const options = await organisationOptions(req, pending.staffId);
    return sendPage(reply, <ChooseOrganisationPage ctx={pageContext(req)} options={options} />);
  });

  app.post('/staff/login/organisation', async (req, reply) => {
    const pending = readPending(req, 'choose');
    if (!pending) return redirectToLogin(reply);
    const options = await organisationOptions(req, pending.staffId);
    const parsed = organisationBody.safeParse(req.body);
    const chosen = parsed.success ? options.find((o) => o.value === parsed.data.organisation) : undefined;
    if (!chosen) {
      const ctx = pageContext(req);
      return sendPage(
        reply,
        <ChooseOrganisationPage
          ctx={ctx}
          options={options}
          errors={[{ field: 'organisation', message: ctx.t('staff.errors.organisation') }]}
        />,
        400,
      );
    }
    return finishLogin(req, reply, pending, chosen.value === OPERATOR_CHOICE ? null : chosen.value);
  });
}

async function organisationOptions(req: FastifyRequest, staffId: string): Promise<{ value: string; label: string }[]> {
  const t = pageContext(req).t;
  const { account, memberships } = await system(req, async (tx) => ({
    account: await getAccount(tx, staffId),
    memberships: await membershipsOf(tx, staffId),
  }));
  if (!account || account.disabled) return [];
  return [
    ...memberships.map((m) => ({ value: m.organisationId, label: m.organisationName })),
    ...(account.isOperator ? [{ value: OPERATOR_CHOICE, label: t('staff.choose.operator') }] : []),
  ];
}

/** The QR code and manual key for the secret on show; a new secret the first time, the same one on reload. */
async function enrolView(req: FastifyRequest, pending: PendingLogin) {
  const { keys } = req.server.koepel;
  const account = await system(req, (tx) => getAccount(tx, pending.staffId));
  if (!account || account.disabled) return null;
  const secret = await enrolmentSecret(keys, account.id, pending.enrolSecret, (enrolSecret) =>
    savePending(req, { ...pending, enrolSecret }),
  );
  const ctx = pageContext(req);
  return {
    ...(await enrolmentCodes(secret, ctx.portal.name, account.email)),
    required: true,
    action: '/staff/totp/enrol',
    cancel: { href: '/staff/login', label: ctx.t('staff.restart') },
  };
}

/** After the last factor: straight in with one organisation, otherwise the chooser. */
async function completeLogin(req: FastifyRequest, reply: FastifyReply, pending: PendingLogin): Promise<FastifyReply> {
  const options = await organisationOptions(req, pending.staffId);
  const only = options[0];
  if (!only) {
    await system(req, (_tx, audit) => auditFailure(audit, 'no-membership', pending.staffId));
    await dropPending(req);
    return sendMessage(req, reply, 403, (t) => ({
      title: t('staff.noAccess.title'),
      body: t('staff.noAccess.body'),
      link: { href: '/', label: t('error.backHome') },
    }));
  }
  if (options.length > 1) {
    await savePending(req, {
      staffId: pending.staffId,
      accountKey: pending.accountKey,
      stage: 'choose',
      startedAt: pending.startedAt,
      ...(pending.returnTo ? { returnTo: pending.returnTo } : {}),
    });
    return reply.redirect('/staff/login/organisation', 303);
  }
  return finishLogin(req, reply, pending, only.value === OPERATOR_CHOICE ? null : only.value);
}

async function finishLogin(
  req: FastifyRequest,
  reply: FastifyReply,
  pending: PendingLogin,
  organisationId: string | null,
): Promise<FastifyReply> {
  await system(req, (tx) => clearAccount(tx, throttleKeys(req, pending.accountKey)));
  // New session id at login; the organisation is fixed for the session, rights are read per request.
  await rotateSession(req, reply, { kind: 'staff', staffId: pending.staffId, organisationId });
  const principal = req.principal;
  if (principal.kind !== 'staff' && principal.kind !== 'operator') throw new HttpError(403, 'forbidden');
  await req.withData((s) =>
    s.audit({ event: 'staff.login', action: 'E', resourceType: 'staff_account', resourceId: pending.staffId }),
  );
  const back = safeReturnPath(pending.returnTo);
  return reply.redirect(principal.kind === 'operator' ? '/operator/alerts' : (back ?? '/staff'), 303);
}
