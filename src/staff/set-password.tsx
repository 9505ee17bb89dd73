// The one-time link an admin gives a new employee (src/organisation-admin): choose a password, then log in.
//   GET/POST /staff/set-password/:token
// The token is 32 random bytes; the database holds its SHA-256 (staff_invitation, migration 0017). It works once,
// until it expires, and only for an account that has no password yet. The work runs as the system principal
// {purpose: 'staff-login'}: nobody is logged in.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { ensureSession, pageContext, sendPage } from '../platform/http/request-context.js';
import type { PageContext } from '../platform/web/context.js';
import { sendMessage } from '../platform/http/message-page.js';
import {
  Button,
  ErrorSummary,
  Form,
  Page,
  Text,
  TextField,
  type FieldError,
} from '../platform/web/components/index.js';
import { hashPassword } from './passwords.js';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const MIN_LENGTH = 12;
const body = z.object({ password: z.string().max(1024), confirm: z.string().max(1024) });

function SetPasswordPage(props: { ctx: PageContext; token: string; errors?: FieldError[] }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const error = (f: string) => errors.find((e) => e.field === f)?.message;
  return (
    <Page ctx={ctx} title={t('staff.setPassword.title')} errors={errors}>
      <ErrorSummary ctx={ctx} errors={errors} />
      <Text text={t('staff.setPassword.intro', { min: MIN_LENGTH })} />
      <Form ctx={ctx} action={`/staff/set-password/${props.token}`} novalidate>
        <TextField
          id="password"
          type="password"
          label={t('staff.setPassword.password')}
          hint={t('staff.setPassword.hint', { min: MIN_LENGTH })}
          autocomplete="new-password"
          maxlength={1024}
          error={error('password')}
          required
        />
        <TextField
          id="confirm"
          type="password"
          label={t('staff.setPassword.confirm')}
          autocomplete="new-password"
          maxlength={1024}
          error={error('confirm')}
          required
        />
        <Button text={t('staff.setPassword.submit')} />
      </Form>
    </Page>
  );
}

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** The invitation's account when the link still works, else null. */
async function openInvitation(req: FastifyRequest, token: string): Promise<string | null> {
  if (!TOKEN.test(token)) return null;
  return req.withSystem('staff-login', async ({ tx }) => {
    const row = await tx
      .selectFrom('staff_invitation')
      .select('staff_id')
      .where('token_hash', '=', hashOf(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
    return row?.staff_id ?? null;
  });
}

function linkInvalid(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return sendMessage(req, reply, 404, (t) => ({
    title: t('staff.setPassword.invalidTitle'),
    body: t('staff.setPassword.invalid'),
    link: { href: '/staff/login', label: t('staff.login.title') },
  }));
}

export function registerSetPasswordRoutes(app: FastifyInstance): void {
  app.get<{ Params: { token: string } }>('/staff/set-password/:token', async (req, reply) => {
    if (!(await openInvitation(req, req.params.token))) return linkInvalid(req, reply);
    await ensureSession(req, reply);
    reply.header('Cache-Control', 'no-store');
    return sendPage(reply, <SetPasswordPage ctx={pageContext(req)} token={req.params.token} />);
  });

  app.post<{ Params: { token: string } }>('/staff/set-password/:token', async (req, reply) => {
    const { token } = req.params;
    const staffId = await openInvitation(req, token);
    if (!staffId) return linkInvalid(req, reply);
    const ctx = pageContext(req);
    const parsed = body.safeParse(req.body);
    const errors: FieldError[] = [];
    if (!parsed.success || parsed.data.password.length < MIN_LENGTH)
      errors.push({ field: 'password', message: ctx.t('staff.setPassword.errors.short', { min: MIN_LENGTH }) });
    else if (parsed.data.password !== parsed.data.confirm)
      errors.push({ field: 'confirm', message: ctx.t('staff.setPassword.errors.mismatch') });
    if (!parsed.success || errors.length > 0)
      return sendPage(reply, <SetPasswordPage ctx={ctx} token={token} errors={errors} />, 400);
    const passwordHash = await hashPassword(parsed.data.password);
    const done = await req.withSystem('staff-login', async ({ tx, audit }) => {
      // Used once: the update that marks it used is the one that counts (two submits at once: one wins).
      const used = await tx
        .updateTable('staff_invitation')
        .set({ used_at: sql<Date>`now()` })
        .where('token_hash', '=', hashOf(token))
        .where('used_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) return false;
      await tx.updateTable('staff_account').set({ password_hash: passwordHash }).where('id', '=', staffId).execute();
      await audit({ event: 'staff.password.set', action: 'U', resourceType: 'staff_account', resourceId: staffId });
      return true;
    });
    if (!done) return linkInvalid(req, reply);
    return reply.redirect('/staff/login?password=set', 303);
  });
}
