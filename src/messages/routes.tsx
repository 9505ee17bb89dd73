// The citizen's messages (MG-9; MG-1: only organisations that switched 'messages' on, with an active relationship).
//   GET  /messages                          conversations, unread marked; tabs Gesprekken | Systeemberichten
//   GET  /messages/new[?org][&follows]      choose the organisation, then subject, text, attachments (and a named
//                                           employee where the organisation allows it)
//   POST /messages                          start → 303 /messages/:id (multipart; CSRF first field)
//   GET  /messages/:id                      the thread; marks the organisation's messages read; reply form
//   POST /messages/:id/reply                reply (multipart)
//   GET  /messages/:id/attachments/:aid     download (attachment, nosniff, no-store; audited)
// URLs carry ids only. Anything not the citizen's is a 404. A refused attachment re-shows the form with a clear
// message; nothing of the message is stored (one transaction; the files are checked before anything is written).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireCitizen } from '../platform/auth/permissions.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { FieldError } from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import { AttachmentRefused, contentDisposition } from './attachments.js';
import {
  addressableStaff,
  BODY_MAX,
  citizenAttachment,
  citizenConversations,
  citizenReply,
  citizenThread,
  messageableOrganisations,
  MessageRefused,
  startCitizenConversation,
  SUBJECT_MAX,
  type AttachmentDownload,
} from './conversations.js';
import { readUpload } from './multipart.js';
import { unreadCount } from '../system-messages/index.js';
import { ChooseOrganisationPage, ListPage, NewPage, ThreadPage, type NewValues } from './views.js';

const uuid = z.uuid().transform((v) => v.toLowerCase());
const notFound = () => new HttpError(404, 'notFound');

function id(v: unknown): string {
  const p = uuid.safeParse(v);
  if (!p.success) throw notFound();
  return p.data;
}
const optionalId = (v: unknown) => (v === undefined || v === '' ? null : id(v));

/** Text as the database will count it: CRLF as one character, trimmed. */
export const clean = (s: string | undefined) => (s ?? '').replace(/\r\n?/g, '\n').trim();

export function refusalError(ctx: PageContext, r: AttachmentRefused): FieldError {
  return { field: 'files', message: ctx.t(`messages.errors.file.${r.reason}`, { name: r.fileName }) };
}

/** Validates the text of a message; the errors to show. */
export function textErrors(ctx: PageContext, v: { subject?: string; body: string }): FieldError[] {
  const errors: FieldError[] = [];
  if (v.subject !== undefined && (v.subject === '' || v.subject.length > SUBJECT_MAX)) {
    errors.push({ field: 'subject', message: ctx.t('messages.errors.subject', { max: SUBJECT_MAX }) });
  }
  if (v.body === '' || v.body.length > BODY_MAX) {
    errors.push({ field: 'body', message: ctx.t('messages.errors.body', { max: BODY_MAX }) });
  }
  return errors;
}

/** Sends a decrypted attachment: always a download, of the checked type, never cached or sniffed. */
export function sendAttachment(reply: FastifyReply, a: AttachmentDownload) {
  return reply
    .header('Content-Type', a.contentType)
    .header('Content-Disposition', contentDisposition(a.fileName))
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'no-store')
    .send(a.data);
}

export function registerCitizenRoutes(app: FastifyInstance): void {
  app.get('/messages', async (req, reply) => {
    const citizen = requireCitizen(req);
    const data = await req.withData(async (scope) => ({
      conversations: await citizenConversations(scope, citizen),
      canStart: (await messageableOrganisations(scope, citizen)).length > 0,
      systemUnread: await unreadCount(scope),
    }));
    return sendPage(reply, <ListPage ctx={pageContext(req)} {...data} />);
  });

  async function newPage(
    req: FastifyRequest,
    q: { org: string | null; follows: string | null; choose: boolean },
    values: NewValues,
    errors: FieldError[] = [],
  ) {
    const citizen = requireCitizen(req);
    const ctx = pageContext(req);
    // The page is built after the transaction: its menu counts (badges) open their own.
    const data = await req.withData(async (scope) => {
      await scope.audit({
        event: 'message.list',
        action: 'R',
        citizenId: citizen.citizenId,
        resourceType: 'conversation',
      });
      const organisations = await messageableOrganisations(scope, citizen);
      if (organisations.length === 0) throw notFound();
      const only = organisations.length === 1 ? organisations[0] : undefined;
      const chosen = q.org ? organisations.find((o) => o.id === q.org) : q.choose ? undefined : only;
      if (q.org && !chosen) throw notFound();
      if (!chosen) return { organisations, chosen: null, staff: [] };
      if (q.follows) {
        const own = await scope.tx
          .selectFrom('conversation')
          .select('id')
          .where('id', '=', q.follows)
          .where('citizen_id', '=', citizen.citizenId)
          .where('organisation_id', '=', chosen.id)
          .executeTakeFirst();
        if (!own) throw notFound();
      }
      return { organisations, chosen, staff: chosen.toStaff ? await addressableStaff(scope, chosen.id) : [] };
    });
    if (!data.chosen) {
      return <ChooseOrganisationPage ctx={ctx} organisations={data.organisations} follows={q.follows} />;
    }
    return (
      <NewPage
        ctx={ctx}
        organisation={data.chosen}
        organisations={data.organisations}
        staff={data.staff}
        follows={q.follows}
        idempotencyKey={randomUUID()}
        values={values}
        errors={errors}
      />
    );
  }

  app.get('/messages/new', async (req, reply) => {
    requireCitizen(req);
    const q = req.query as { org?: unknown; follows?: unknown; choose?: unknown };
    const page = await newPage(
      req,
      { org: optionalId(q.org), follows: optionalId(q.follows), choose: q.choose === '1' },
      { to: '', subject: '', body: '' },
    );
    return sendPage(reply, page);
  });

  app.post('/messages', { config: { csrf: 'multipart' } }, async (req, reply) => {
    const citizen = requireCitizen(req);
    const upload = await readUpload(req, 'files');
    const f = upload.fields;
    const ctx = pageContext(req);
    const org = optionalId(f.org);
    const follows = optionalId(f.follows);
    const key = id(f.key);
    if (!org) throw notFound();
    const values: NewValues = {
      to: f.to ?? '',
      subject: clean(f.subject).slice(0, 1000),
      body: clean(f.body).slice(0, 20_000),
    };
    const again = (errors: FieldError[], status: number) =>
      newPage(req, { org, follows, choose: false }, values, errors).then((page) => sendPage(reply, page, status));
    if (upload.refusal) return again([refusalError(ctx, upload.refusal)], 413);
    const errors = textErrors(ctx, values);
    if (errors.length > 0) {
      if (upload.files.length > 0) errors.push({ field: 'files', message: ctx.t('messages.errors.filesAgain') });
      return again(errors, 400);
    }
    const to = values.to === '' ? null : uuid.safeParse(values.to).data;
    if (to === undefined) return again([{ field: 'to', message: ctx.t('messages.errors.staff') }], 400);
    try {
      const conversation = await req.withData((scope) =>
        startCitizenConversation(scope, citizen, {
          organisationId: org,
          addressedTo: to,
          subject: values.subject,
          body: values.body,
          files: upload.files,
          key,
          followsId: follows,
        }),
      );
      return await reply.redirect(`/messages/${conversation}?notice=sent`, 303);
    } catch (err) {
      if (err instanceof AttachmentRefused) return again([refusalError(ctx, err)], 422);
      if (err instanceof MessageRefused && err.reason === 'staff') {
        return again([{ field: 'to', message: ctx.t('messages.errors.staff') }], 400);
      }
      if (err instanceof MessageRefused) throw notFound();
      throw err;
    }
  });

  async function threadPage(
    req: FastifyRequest,
    conversation: string,
    extra: Partial<Parameters<typeof ThreadPage>[0]>,
  ) {
    const citizen = requireCitizen(req);
    const thread = await req.withData((scope) => citizenThread(scope, citizen, conversation));
    if (!thread) throw notFound();
    return <ThreadPage ctx={pageContext(req)} thread={thread} idempotencyKey={randomUUID()} notice={null} {...extra} />;
  }

  app.get<{ Params: { id: string } }>('/messages/:id', async (req, reply) => {
    const conversation = id(req.params.id);
    const notice = (req.query as { notice?: unknown }).notice === 'sent' ? 'sent' : null;
    return sendPage(reply, await threadPage(req, conversation, { notice }));
  });

  app.post<{ Params: { id: string } }>('/messages/:id/reply', { config: { csrf: 'multipart' } }, async (req, reply) => {
    const citizen = requireCitizen(req);
    const conversation = id(req.params.id);
    const upload = await readUpload(req, 'files');
    const ctx = pageContext(req);
    const body = clean(upload.fields.body).slice(0, 20_000);
    const key = id(upload.fields.key);
    const again = async (errors: FieldError[], status: number) =>
      sendPage(reply, await threadPage(req, conversation, { values: { body }, errors }), status);
    if (upload.refusal) return again([refusalError(ctx, upload.refusal)], 413);
    const errors = textErrors(ctx, { body });
    if (errors.length > 0) return again(errors, 400);
    try {
      const ok = await req.withData((scope) =>
        citizenReply(scope, citizen, conversation, { body, files: upload.files, key }),
      );
      if (!ok) throw notFound();
      return await reply.redirect(`/messages/${conversation}?notice=sent#reply`, 303);
    } catch (err) {
      if (err instanceof AttachmentRefused) return again([refusalError(ctx, err)], 422);
      if (err instanceof MessageRefused && err.reason === 'closed')
        return reply.redirect(`/messages/${conversation}`, 303);
      if (err instanceof MessageRefused) {
        return again([{ field: 'body', message: ctx.t('messages.thread.notAllowed') }], 403);
      }
      throw err;
    }
  });

  app.get<{ Params: { id: string; aid: string } }>('/messages/:id/attachments/:aid', async (req, reply) => {
    const citizen = requireCitizen(req);
    const conversation = id(req.params.id);
    const attachment = id(req.params.aid);
    const a = await req.withData((scope) => citizenAttachment(scope, citizen, conversation, attachment));
    if (!a) throw notFound();
    return sendAttachment(reply, a);
  });
}
