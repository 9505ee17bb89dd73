// The organisation's side of messages (MG-9; ZL-10: messages:read, own organisation only — also in the policies).
//   GET  /staff/messages?state=unread|open|answered|closed&who=mine|unassigned|all&page=N   the inbox
//   GET  /staff/messages/:id[?template=<id>]   a conversation (marks the citizen's messages read; a template fills
//                                              the answer without JavaScript)
//   POST /staff/messages/:id/answer            answer, with attachments (multipart; CSRF first field)
//   POST /staff/messages/:id/assign            to a colleague with messages:read, nobody, or me
//   POST /staff/messages/:id/notes             internal note (never shown to the citizen)
//   POST /staff/messages/:id/close | /reopen
//   GET  /staff/messages/:id/attachments/:aid  download (audited)
//   GET|POST /staff/messages/templates[/:id][/delete]   standard answers (messages:read or admin:organisation)
//   GET|POST /staff/messages/settings          may citizens address a named employee (admin:organisation)
// Another organisation's conversation, attachment or template is a 404; an employee without the right a 403.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';
import type { Principal } from '../platform/db/principal.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { FieldError } from '../platform/web/components/index.js';
import { AttachmentRefused } from './attachments.js';
import {
  addNote,
  assignConversation,
  BODY_MAX,
  colleagues,
  inbox,
  INBOX_STATES,
  INBOX_WHO,
  MessageRefused,
  messagesToStaff,
  NOTE_MAX,
  setConversationClosed,
  staffAnswer,
  staffAttachment,
  staffThread,
  templates,
} from './conversations.js';
import { readUpload } from './multipart.js';
import { clean, refusalError, sendAttachment, textErrors } from './routes.js';
import { INBOX, InboxPage, SettingsPage, StaffThreadPage, TemplatesPage, type StaffNotice } from './staff-views.js';

type Staff = Extract<Principal, { kind: 'staff' }>;

const uuid = z.uuid().transform((v) => v.toLowerCase());
const notFound = () => new HttpError(404, 'notFound');
function id(v: unknown): string {
  const p = uuid.safeParse(v);
  if (!p.success) throw notFound();
  return p.data;
}

const NOTICES: readonly StaffNotice[] = ['sent', 'assigned', 'note', 'closed', 'reopened'];

function templateStaff(req: FastifyRequest): Staff {
  const staff = requireStaff(req);
  if (
    !staff.permissions.includes(PERMISSIONS.messagesRead) &&
    !staff.permissions.includes(PERMISSIONS.adminOrganisation)
  ) {
    throw new HttpError(403, 'forbidden');
  }
  return staff;
}

export function registerStaffRoutes(app: FastifyInstance): void {
  app.get(INBOX, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.messagesRead);
    const q = req.query as { state?: unknown; who?: unknown; page?: unknown };
    const state = INBOX_STATES.find((s) => s === q.state) ?? 'open';
    const who = INBOX_WHO.find((w) => w === q.who) ?? 'all';
    const page = typeof q.page === 'string' && /^\d{1,6}$/.test(q.page) ? Math.max(1, Number(q.page)) : 1;
    const data = await req.withData((scope) => inbox(scope, staff, { state, who, page }));
    return sendPage(
      reply,
      <InboxPage ctx={pageContext(req)} query={{ state, who, page: data.page }} inbox={data} canManageTemplates />,
    );
  });

  async function threadPage(
    req: FastifyRequest,
    staff: Staff,
    conversation: string,
    opts: {
      template?: string | null;
      answer?: string;
      notice?: StaffNotice | null;
      errors?: FieldError[];
      noteValue?: string;
    } = {},
  ) {
    const data = await req.withData(async (scope) => {
      const thread = await staffThread(scope, staff, conversation);
      if (!thread) return null;
      return {
        thread,
        colleagues: await colleagues(scope, staff.organisationId),
        templates: await templates(scope, staff.organisationId),
      };
    });
    if (!data) throw notFound();
    const template = opts.template ? data.templates.find((x) => x.id === opts.template) : undefined;
    if (opts.template && !template) throw notFound();
    return (
      <StaffThreadPage
        ctx={pageContext(req)}
        thread={data.thread}
        me={staff.staffId}
        colleagues={data.colleagues}
        templates={data.templates}
        answer={opts.answer ?? template?.body ?? ''}
        idempotencyKey={randomUUID()}
        notice={opts.notice ?? null}
        {...(opts.errors ? { errors: opts.errors } : {})}
        {...(opts.noteValue !== undefined ? { noteValue: opts.noteValue } : {})}
      />
    );
  }

  // ----- templates and settings (before /:id) ----------------------------------------------------------------------
  async function templatesPage(
    req: FastifyRequest,
    staff: Staff,
    editingId: string | null,
    extra: { values?: { title: string; body: string }; errors?: FieldError[]; notice?: 'saved' | 'deleted' | null },
  ) {
    const list = await req.withData((scope) => templates(scope, staff.organisationId));
    const editing = editingId ? (list.find((x) => x.id === editingId) ?? null) : null;
    if (editingId && !editing) throw notFound();
    return (
      <TemplatesPage
        ctx={pageContext(req)}
        templates={list}
        editing={editing}
        values={extra.values ?? { title: editing?.title ?? '', body: editing?.body ?? '' }}
        notice={extra.notice ?? null}
        canSettings={staff.permissions.includes(PERMISSIONS.adminOrganisation)}
        {...(extra.errors ? { errors: extra.errors } : {})}
      />
    );
  }

  app.get(`${INBOX}/templates`, async (req, reply) => {
    const staff = templateStaff(req);
    const n = (req.query as { notice?: unknown }).notice;
    const notice = n === 'saved' || n === 'deleted' ? n : null;
    return sendPage(reply, await templatesPage(req, staff, null, { notice }));
  });

  app.get<{ Params: { tid: string } }>(`${INBOX}/templates/:tid`, async (req, reply) => {
    const staff = templateStaff(req);
    return sendPage(reply, await templatesPage(req, staff, id(req.params.tid), {}));
  });

  async function saveTemplate(req: FastifyRequest, staff: Staff, editingId: string | null) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = {
      title: clean(typeof body.title === 'string' ? body.title : '').slice(0, 1000),
      body: clean(typeof body.body === 'string' ? body.body : '').slice(0, 20_000),
    };
    const ctx = pageContext(req);
    const errors: FieldError[] = [];
    if (values.title === '' || values.title.length > 120) {
      errors.push({ field: 'title', message: ctx.t('messages.errors.title') });
    }
    if (values.body === '' || values.body.length > BODY_MAX) {
      errors.push({ field: 'template-body', message: ctx.t('messages.errors.body', { max: BODY_MAX }) });
    }
    if (errors.length > 0) return { errors, values };
    try {
      const found = await req.withData(async (scope) => {
        if (editingId) {
          const r = await scope.tx
            .updateTable('message_template')
            .set({ title: values.title, body: values.body })
            .where('id', '=', editingId)
            .where('organisation_id', '=', staff.organisationId)
            .executeTakeFirst();
          return Number(r.numUpdatedRows) === 1;
        }
        await scope.tx
          .insertInto('message_template')
          .values({ organisation_id: staff.organisationId, title: values.title, body: values.body })
          .execute();
        return true;
      });
      if (!found) throw notFound();
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        return { errors: [{ field: 'title', message: ctx.t('messages.staff.templateDuplicate') }], values };
      }
      throw err;
    }
    return null;
  }

  app.post(`${INBOX}/templates`, async (req, reply) => {
    const staff = templateStaff(req);
    const failed = await saveTemplate(req, staff, null);
    if (failed) return sendPage(reply, await templatesPage(req, staff, null, failed), 400);
    return reply.redirect(`${INBOX}/templates?notice=saved`, 303);
  });

  app.post<{ Params: { tid: string } }>(`${INBOX}/templates/:tid`, async (req, reply) => {
    const staff = templateStaff(req);
    const tid = id(req.params.tid);
    const failed = await saveTemplate(req, staff, tid);
    if (failed) return sendPage(reply, await templatesPage(req, staff, tid, failed), 400);
    return reply.redirect(`${INBOX}/templates?notice=saved`, 303);
  });

  app.post<{ Params: { tid: string } }>(`${INBOX}/templates/:tid/delete`, async (req, reply) => {
    const staff = templateStaff(req);
    const tid = id(req.params.tid);
    const deleted = await req.withData(async (scope) => {
      const r = await scope.tx
        .deleteFrom('message_template')
        .where('id', '=', tid)
        .where('organisation_id', '=', staff.organisationId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    });
    if (!deleted) throw notFound();
    return reply.redirect(`${INBOX}/templates?notice=deleted`, 303);
  });

  app.get(`${INBOX}/settings`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.adminOrganisation);
    const toStaff = await req.withData((scope) => messagesToStaff(scope, staff.organisationId));
    const saved = (req.query as { saved?: unknown }).saved === '1';
    return sendPage(reply, <SettingsPage ctx={pageContext(req)} toStaff={toStaff} saved={saved} />);
  });

  app.post(`${INBOX}/settings`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.adminOrganisation);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const on = body.toStaff === 'on';
    await req.withData(async (scope) => {
      await scope.tx
        .updateTable('organisation')
        .set({ messages_to_staff: on })
        .where('id', '=', staff.organisationId)
        .execute();
      await scope.audit({ event: 'organisation.settings.messages', action: 'U', resourceType: 'organisation' });
    });
    return reply.redirect(`${INBOX}/settings?saved=1`, 303);
  });

  // ----- one conversation ------------------------------------------------------------------------------------------
  app.get<{ Params: { id: string } }>(`${INBOX}/:id`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.messagesRead);
    const conversation = id(req.params.id);
    const q = req.query as { template?: unknown; notice?: unknown };
    const template = q.template === undefined ? null : id(q.template);
    const notice = NOTICES.find((n) => n === q.notice) ?? null;
    return sendPage(reply, await threadPage(req, staff, conversation, { template, notice }));
  });

  app.post<{ Params: { id: string } }>(`${INBOX}/:id/answer`, { config: { csrf: 'multipart' } }, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.messagesRead);
    const conversation = id(req.params.id);
    const upload = await readUpload(req, 'files');
    const ctx = pageContext(req);
    const body = clean(upload.fields.body).slice(0, 20_000);
    const key = id(upload.fields.key);
    const again = async (errors: FieldError[], status: number) =>
      sendPage(reply, await threadPage(req, staff, conversation, { answer: body, errors }), status);
    if (upload.refusal) return again([refusalError(ctx, upload.refusal)], 413);
    const errors = textErrors(ctx, { body });
    if (errors.length > 0) return again(errors, 400);
    try {
      const ok = await req.withData((scope) =>
        staffAnswer(scope, staff, conversation, { body, files: upload.files, key }),
      );
      if (!ok) throw notFound();
    } catch (err) {
      if (err instanceof AttachmentRefused) return again([refusalError(ctx, err)], 422);
      if (err instanceof MessageRefused) return reply.redirect(`${INBOX}/${conversation}`, 303);
      throw err;
    }
    return reply.redirect(`${INBOX}/${conversation}?notice=sent`, 303);
  });

  app.post<{ Params: { id: string } }>(`${INBOX}/:id/assign`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.messagesRead);
    const conversation = id(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const to = body.me === '1' ? staff.staffId : body.to === '' || body.to === undefined ? null : id(body.to);
    const ok = await req.withData((scope) => assignConversation(scope, staff, conversation, to));
    if (!ok) throw notFound();
    return reply.redirect(`${INBOX}/${conversation}?notice=assigned`, 303);
  });

  app.post<{ Params: { id: string } }>(`${INBOX}/:id/notes`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.messagesRead);
    const conversation = id(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const note = clean(typeof body.note === 'string' ? body.note : '').slice(0, 20_000);
    if (note === '' || note.length > NOTE_MAX) {
      const ctx = pageContext(req);
      return sendPage(
        reply,
        await threadPage(req, staff, conversation, {
          errors: [{ field: 'note', message: ctx.t('messages.errors.note', { max: NOTE_MAX }) }],
          noteValue: note,
        }),
        400,
      );
    }
    const ok = await req.withData((scope) => addNote(scope, staff, conversation, note));
    if (!ok) throw notFound();
    return reply.redirect(`${INBOX}/${conversation}?notice=note#notes`, 303);
  });

  for (const action of ['close', 'reopen'] as const) {
    app.post<{ Params: { id: string } }>(`${INBOX}/:id/${action}`, async (req, reply) => {
      requireStaff(req, PERMISSIONS.messagesRead);
      const conversation = id(req.params.id);
      const ok = await req.withData((scope) => setConversationClosed(scope, conversation, action === 'close'));
      if (!ok) throw notFound();
      return reply.redirect(`${INBOX}/${conversation}?notice=${action === 'close' ? 'closed' : 'reopened'}`, 303);
    });
  }

  app.get<{ Params: { id: string; aid: string } }>(`${INBOX}/:id/attachments/:aid`, async (req, reply) => {
    requireStaff(req, PERMISSIONS.messagesRead);
    const conversation = id(req.params.id);
    const attachment = id(req.params.aid);
    const a = await req.withData((scope) => staffAttachment(scope, conversation, attachment));
    if (!a) throw notFound();
    return sendAttachment(reply, a);
  });
}
