// The citizen's system messages (MG-9) and the operator's notices to a portal.
//   GET  /messages/system[?page]     the citizen's messages and their portal's notices, newest first, 20 a page
//   GET  /messages/system/:id        one message; opening it marks it read
//   GET  /operator/notices           the operator: post a notice to every citizen of a portal; the notices posted
//   POST /operator/notices
// URLs carry ids and page numbers only. Every citizen page audits before it reads; a message that is not the
// citizen's (another citizen's, another portal's notice, a malformed id) is a 404 like one that does not exist.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireCitizen, requireOperator } from '../platform/auth/permissions.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { FieldError } from '../platform/web/components/index.js';
import {
  listSystemMessages,
  openSystemMessage,
  portalNotices,
  postPortalNotice,
  unreadCount,
  type PortalNoticeInput,
} from './store.js';
import { messageText } from './text.js';
import {
  NOTICE_CHOICES,
  OperatorNoticesPage,
  SYSTEM_PATH,
  SystemMessagesPage,
  SystemMessageView,
  type NoticeForm,
} from './views.js';

const notFound = () => new HttpError(404, 'notFound');

const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).optional() });
const idParams = z.object({ id: z.uuid().transform((v) => v.toLowerCase()) });
const noticeBody = z.object({
  portal: z.string().max(100).optional().default(''),
  kind: z.string().max(40).optional().default(''),
  date: z.string().max(40).optional().default(''),
});

const DAY = 86_400_000;

/** A calendar date within a year of today, or null. */
function noticeDate(v: string, now: Date): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return null;
  const at = Date.parse(`${v}T00:00:00Z`);
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== v) return null;
  return Math.abs(at - now.getTime()) <= 366 * DAY ? v : null;
}

export function registerSystemMessageRoutes(app: FastifyInstance): void {
  app.get(SYSTEM_PATH, async (req, reply) => {
    const citizen = requireCitizen(req);
    const q = pageQuery.safeParse(req.query ?? {});
    if (!q.success) throw notFound();
    const list = await req.withData((scope) => listSystemMessages(scope, citizen, q.data.page ?? 1));
    if (!list) throw notFound();
    return sendPage(reply, <SystemMessagesPage ctx={pageContext(req)} list={list} />);
  });

  app.get(`${SYSTEM_PATH}/:id`, async (req, reply) => {
    const citizen = requireCitizen(req);
    const params = idParams.safeParse(req.params);
    if (!params.success) throw notFound();
    const { message, unread } = await req.withData(async (scope) => {
      const opened = await openSystemMessage(scope, citizen, params.data.id);
      return { message: opened, unread: opened ? await unreadCount(scope) : null };
    });
    if (!message) throw notFound();
    return sendPage(reply, <SystemMessageView ctx={pageContext(req)} message={message} unread={unread} />);
  });

  const operatorPage = async (req: FastifyRequest, form: NoticeForm, errors: FieldError[], posted: boolean) => {
    const ctx = pageContext(req);
    const portals = app.koepel.portals.all();
    const notices = await req.withData((scope) => portalNotices(scope));
    // The text as citizens of that portal read it (their portal's name), in the operator's language.
    const textOf = (n: (typeof notices)[number]) => {
      const portal = portals.find((p) => p.id === n.portalId) ?? ctx.portal;
      return messageText({ ...ctx, portal }, n.message).title;
    };
    return (
      <OperatorNoticesPage
        ctx={ctx}
        portals={portals}
        notices={notices}
        textOf={textOf}
        form={form}
        errors={errors}
        posted={posted}
      />
    );
  };

  app.get('/operator/notices', async (req, reply) => {
    requireOperator(req);
    const posted = (req.query as { posted?: unknown } | undefined)?.posted === '1';
    const first = app.koepel.portals.all()[0]?.id ?? '';
    return sendPage(reply, await operatorPage(req, { portal: first, kind: '', date: '' }, [], posted));
  });

  app.post('/operator/notices', async (req, reply) => {
    requireOperator(req);
    const body = noticeBody.safeParse(req.body ?? {});
    if (!body.success) throw new HttpError(400, 'badRequest');
    const form = body.data;
    const { t } = pageContext(req);
    const errors: FieldError[] = [];
    const portal = app.koepel.portals.all().find((p) => p.id === form.portal.toLowerCase());
    if (!portal) errors.push({ field: 'portal', message: t('systemMessages.operator.errors.portal') });
    const choice = NOTICE_CHOICES.find((c) => c === form.kind);
    if (!choice) errors.push({ field: 'kind-improvements', message: t('systemMessages.operator.errors.kind') });
    const date = noticeDate(form.date.trim(), new Date());
    if (!date) errors.push({ field: 'date', message: t('systemMessages.operator.errors.date') });
    if (!portal || !choice || !date) return sendPage(reply, await operatorPage(req, form, errors, false), 422);
    const input: PortalNoticeInput =
      choice === 'privacy'
        ? { portalId: portal.id, kind: 'privacy-statement-change', params: { date } }
        : { portalId: portal.id, kind: 'portal-change', params: { date, topic: choice } };
    const id = await req.withData((scope) => postPortalNotice(scope, input));
    if (!id) {
      const duplicate = [{ field: 'date', message: t('systemMessages.operator.errors.duplicate') }];
      return sendPage(reply, await operatorPage(req, form, duplicate, false), 409);
    }
    return reply.redirect('/operator/notices?posted=1', 303);
  });
}
