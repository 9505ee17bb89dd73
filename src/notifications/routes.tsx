// The citizen's notification settings over HTTP (issue 14, MG-10, PZ-3).
//   GET  /settings/notifications              the page: address, switches and language, phone number
//   POST /settings/notifications/email        a new or changed address → pending, a confirmation link mailed to it
//   POST /settings/notifications/email/remove the address (and any pending one) removed: no more mail
//   POST /settings/notifications/phone        the phone number; POST …/phone/remove removes it
//   POST /settings/notifications/events       the eleven switches and the language of the mails
//   GET  /settings/email/confirm?token=…      a page with a button (a mail scanner's GET changes nothing);
//   POST /settings/email/confirm              confirms, for the citizen in the session only
//   GET  /dev/outbox                          the dev outbox (only without an SMTP server, never in production: 404)
// Only the citizen in their own session (requireCitizen). Bad input is a 400 with the form again and nothing written.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireCitizen } from '../platform/auth/permissions.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { enqueueJob } from '../platform/jobs/queue.js';
import { isNotificationEvent } from './events.js';
import { CONFIRM_ADDRESS_JOB } from './handler.js';
import type { DevOutbox } from './mailer.js';
import {
  confirmEmail,
  parseEmail,
  parsePhone,
  readSettings,
  removeEmail,
  saveSwitches,
  setPhone,
  supplyEmail,
  tokenHash,
} from './settings.js';
import { ConfirmFailedPage, ConfirmPage, NOTICES, OutboxPage, SettingsPage, type SettingsValues } from './views.js';

const badRequest = () => new HttpError(400, 'badRequest');

function send(reply: FastifyReply, page: JSX.Element, status = 200) {
  return sendPage(reply.header('Cache-Control', 'no-store'), page, status);
}

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return '';
  if (typeof v !== 'string' || v.length > 1000) throw badRequest();
  return v;
};

const noticeOf = (req: FastifyRequest) => {
  const n = (req.query as { notice?: unknown } | undefined)?.notice;
  return NOTICES.find((x) => x === n) ?? null;
};

const switchesBody = z.object({
  events: z.union([z.string(), z.array(z.string()).max(32)]).optional(),
  language: z.enum(['nl', 'en']),
});

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

async function settingsWithError(
  req: FastifyRequest,
  reply: FastifyReply,
  values: SettingsValues,
  field: 'email' | 'phone',
  message: string,
) {
  const settings = await req.withData(readSettings);
  return send(
    reply,
    <SettingsPage
      ctx={pageContext(req)}
      settings={settings}
      notice={null}
      values={values}
      errors={[{ field, message }]}
    />,
    400,
  );
}

export function registerSettingsRoutes(app: FastifyInstance, outbox: DevOutbox | null): void {
  app.get('/settings', async (_req, reply) => reply.redirect('/settings/notifications', 303));

  app.get('/settings/notifications', async (req, reply) => {
    requireCitizen(req);
    const settings = await req.withData(readSettings);
    return send(reply, <SettingsPage ctx={pageContext(req)} settings={settings} notice={noticeOf(req)} />);
  });

  app.post('/settings/notifications/email', async (req, reply) => {
    const me = requireCitizen(req);
    const raw = field(req.body, 'email');
    const email = parseEmail(raw);
    if (!email) {
      return settingsWithError(
        req,
        reply,
        { email: raw.slice(0, 254) },
        'email',
        pageContext(req).t('notifications.email.invalid'),
      );
    }
    const language = pageContext(req).lang === 'en' ? 'en' : 'nl';
    await req.withData(async (scope) => {
      const token = await supplyEmail(scope, email, language);
      // The job carries the citizen's id only; it reads the address and the token, sealed, when it sends.
      await enqueueJob(
        scope.tx,
        CONFIRM_ADDRESS_JOB,
        { citizenId: me.citizenId },
        {
          key: `confirm:${tokenHash(token).toString('hex').slice(0, 32)}`,
        },
      );
    });
    return reply.redirect('/settings/notifications?notice=email-supplied', 303);
  });

  app.post('/settings/notifications/email/remove', async (req, reply) => {
    requireCitizen(req);
    await req.withData(removeEmail);
    return reply.redirect('/settings/notifications?notice=email-removed', 303);
  });

  app.post('/settings/notifications/phone', async (req, reply) => {
    requireCitizen(req);
    const raw = field(req.body, 'phone');
    const phone = parsePhone(raw);
    if (!phone) {
      return settingsWithError(
        req,
        reply,
        { phone: raw.slice(0, 30) },
        'phone',
        pageContext(req).t('notifications.phone.invalid'),
      );
    }
    await req.withData((scope) => setPhone(scope, phone));
    return reply.redirect('/settings/notifications?notice=phone-saved', 303);
  });

  app.post('/settings/notifications/phone/remove', async (req, reply) => {
    requireCitizen(req);
    await req.withData((scope) => setPhone(scope, null));
    return reply.redirect('/settings/notifications?notice=phone-removed', 303);
  });

  app.post('/settings/notifications/events', async (req, reply) => {
    requireCitizen(req);
    const parsed = switchesBody.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest();
    const given = parsed.data.events === undefined ? [] : [parsed.data.events].flat();
    if (!given.every(isNotificationEvent)) throw badRequest();
    await req.withData((scope) => saveSwitches(scope, given.filter(isNotificationEvent), parsed.data.language));
    return reply.redirect('/settings/notifications?notice=switches-saved', 303);
  });

  app.get('/settings/email/confirm', async (req, reply) => {
    requireCitizen(req);
    const token = (req.query as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !TOKEN.test(token))
      return send(reply, <ConfirmFailedPage ctx={pageContext(req)} />, 400);
    return send(reply, <ConfirmPage ctx={pageContext(req)} token={token} />);
  });

  app.post('/settings/email/confirm', async (req, reply) => {
    requireCitizen(req);
    const token = field(req.body, 'token');
    const ok = TOKEN.test(token) && (await req.withData((scope) => confirmEmail(scope, token)));
    if (!ok) return send(reply, <ConfirmFailedPage ctx={pageContext(req)} />, 400);
    return reply.redirect('/settings/notifications?notice=email-confirmed', 303);
  });

  app.get('/dev/outbox', async (req, reply) => {
    if (!outbox) throw new HttpError(404, 'notFound');
    return send(reply, <OutboxPage ctx={pageContext(req)} entries={outbox.entries} />);
  });
}
