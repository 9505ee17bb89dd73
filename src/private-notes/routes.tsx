// The citizen's private notes (issue 13, LU-3).
//   GET  /notes                       the list, most recently changed first
//   GET  /notes/new[?appointment=…|?record=…]   the form, optionally about one appointment or record item
//   POST /notes                       write → 303 /notes/:id (a second submit of the same form finds the first note)
//   GET  /notes/:id                   one note
//   GET  /notes/:id/edit              the form, filled in; POST /notes/:id saves it
//   GET  /notes/:id/delete            confirm; POST /notes/:id/delete deletes the row
// Only the citizen in their own session (requireCitizen; an app's token opens no page). URLs carry ids only; the
// text travels in POST bodies. Another citizen's note, appointment or record item, or a malformed id, is a 404;
// an empty or too long note is a 400 with the form again, and nothing is written.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireCitizen } from '../platform/auth/permissions.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage, type DataScope } from '../platform/http/request-context.js';
import type { FieldError } from '../platform/web/components/index.js';
import {
  createNote,
  deleteNote,
  linkTarget,
  linkTargetOrGone,
  listNotes,
  NOTE_MAX,
  noteProblem,
  NoteRefused,
  normalise,
  readNote,
  updateNote,
  type LinkTarget,
  type NoteLink,
  type PrivateNote,
} from './notes.js';
import { DeleteNotePage, NoteFormPage, NotePage, NotesPage, type NoteFormValues, type NoteNotice } from './views.js';

const uuid = z.uuid().transform((v) => v.toLowerCase());
const notFound = () => new HttpError(404, 'notFound');

/** Query or form values; anything malformed is simply not found. */
function parse<S extends z.ZodType>(schema: S, v: unknown): z.infer<S> {
  const parsed = schema.safeParse(v ?? {});
  if (!parsed.success) throw notFound();
  return parsed.data;
}

const linkQuery = z.object({ appointment: uuid.optional(), record: uuid.optional() });
// Longer than a note may be, so that a too long one gets its own message; the body limit ends the rest.
const TEXT_LIMIT = NOTE_MAX * 40;
const newBody = linkQuery.extend({ key: uuid, text: z.string().max(TEXT_LIMIT).optional().default('') });
const editBody = z.object({
  text: z.string().max(TEXT_LIMIT).optional().default(''),
  unlink: z.union([z.literal('yes'), z.array(z.string())]).optional(),
});

function linkOf(q: z.infer<typeof linkQuery>): NoteLink | null {
  if (q.appointment && q.record) throw notFound();
  if (q.appointment) return { kind: 'appointment', id: q.appointment };
  if (q.record) return { kind: 'record', id: q.record };
  return null;
}

const NOTICES: readonly NoteNotice[] = ['saved', 'updated', 'deleted'];
const noticeOf = (req: FastifyRequest) => {
  const n = (req.query as { notice?: unknown } | undefined)?.notice;
  return NOTICES.find((x) => x === n) ?? null;
};

function noteId(req: FastifyRequest): string {
  return parse(uuid, (req.params as { id?: unknown }).id);
}

/** What the citizen's notes are linked to, by link id (one read per distinct link). */
async function targetsOf(scope: DataScope, notes: readonly PrivateNote[]): Promise<Map<string, LinkTarget>> {
  const out = new Map<string, LinkTarget>();
  for (const n of notes) {
    if (n.link && !out.has(n.link.id)) out.set(n.link.id, await linkTargetOrGone(scope, n.link));
  }
  return out;
}

async function ownNote(scope: DataScope, id: string, action: 'read' | 'update' | 'delete' = 'read') {
  const note = await readNote(scope, id, action);
  if (!note) throw notFound();
  return note;
}

function textErrors(req: FastifyRequest, text: string): FieldError[] {
  const problem = noteProblem(text);
  if (!problem) return [];
  const { t } = pageContext(req);
  return [
    {
      field: 'text',
      message:
        problem === 'empty'
          ? t('notes.error.empty')
          : t('notes.error.too-long', { max: NOTE_MAX, count: normalise(text).length }),
    },
  ];
}

/** Runs a note write; a refusal comes back as a value (its transaction has rolled back). */
async function attempt<R>(fn: () => Promise<R>): Promise<{ ok: true; value: R } | { ok: false; reason: string }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof NoteRefused) return { ok: false, reason: err.reason };
    throw err;
  }
}

function send(reply: FastifyReply, page: JSX.Element, status = 200) {
  return sendPage(reply.header('Cache-Control', 'no-store'), page, status);
}

export function registerNoteRoutes(app: FastifyInstance): void {
  app.get('/notes', async (req, reply) => {
    requireCitizen(req);
    const { notes, targets } = await req.withData(async (scope) => {
      const notes = await listNotes(scope);
      return { notes, targets: await targetsOf(scope, notes) };
    });
    return send(reply, <NotesPage ctx={pageContext(req)} notes={notes} targets={targets} notice={noticeOf(req)} />);
  });

  app.get('/notes/new', async (req, reply) => {
    requireCitizen(req);
    const link = linkOf(parse(linkQuery, req.query));
    const target = link ? await req.withData((scope) => linkTarget(scope, link)) : null;
    if (link && !target) throw notFound();
    return send(
      reply,
      <NoteFormPage
        ctx={pageContext(req)}
        mode={{ kind: 'new', key: randomUUID(), link }}
        target={target}
        values={{ text: '', unlink: false }}
      />,
    );
  });

  app.post('/notes', async (req, reply) => {
    requireCitizen(req);
    const body = parse(newBody, req.body);
    const link = linkOf(body);
    const errors = textErrors(req, body.text);
    if (errors.length > 0) {
      const target = link ? await req.withData((scope) => linkTarget(scope, link)) : null;
      if (link && !target) throw notFound();
      return send(
        reply,
        <NoteFormPage
          ctx={pageContext(req)}
          mode={{ kind: 'new', key: body.key, link }}
          target={target}
          values={{ text: body.text.slice(0, NOTE_MAX * 2), unlink: false }}
          errors={errors}
        />,
        400,
      );
    }
    const made = await attempt(() =>
      req.withData((scope) => createNote(scope, { text: body.text, link, idempotencyKey: body.key })),
    );
    if (!made.ok) throw notFound(); // the link is not the citizen's (the text was checked above)
    return reply.redirect(`/notes/${made.value}?notice=saved`, 303);
  });

  app.get('/notes/:id', async (req, reply) => {
    requireCitizen(req);
    const id = noteId(req);
    const { note, target } = await req.withData(async (scope) => {
      const note = await ownNote(scope, id);
      return { note, target: note.link ? await linkTargetOrGone(scope, note.link) : null };
    });
    return send(reply, <NotePage ctx={pageContext(req)} note={note} target={target} notice={noticeOf(req)} />);
  });

  app.get('/notes/:id/edit', async (req, reply) => {
    requireCitizen(req);
    const id = noteId(req);
    const { note, target } = await req.withData(async (scope) => {
      const note = await ownNote(scope, id);
      return { note, target: note.link ? await linkTargetOrGone(scope, note.link) : null };
    });
    return send(
      reply,
      <NoteFormPage
        ctx={pageContext(req)}
        mode={{ kind: 'edit', note }}
        target={target}
        values={{ text: note.text, unlink: false }}
      />,
    );
  });

  app.post('/notes/:id', async (req, reply) => {
    requireCitizen(req);
    const id = noteId(req);
    const body = parse(editBody, req.body);
    const values: NoteFormValues = {
      text: body.text.slice(0, NOTE_MAX * 2),
      unlink: body.unlink === 'yes' || (Array.isArray(body.unlink) && body.unlink.includes('yes')),
    };
    const errors = textErrors(req, body.text);
    if (errors.length > 0) {
      const { note, target } = await req.withData(async (scope) => {
        const note = await ownNote(scope, id);
        return { note, target: note.link ? await linkTargetOrGone(scope, note.link) : null };
      });
      return send(
        reply,
        <NoteFormPage
          ctx={pageContext(req)}
          mode={{ kind: 'edit', note }}
          target={target}
          values={values}
          errors={errors}
        />,
        400,
      );
    }
    const saved = await attempt(() =>
      req.withData(async (scope) => {
        if (!(await updateNote(scope, id, { text: body.text, unlink: values.unlink }))) throw notFound();
      }),
    );
    if (!saved.ok) throw notFound();
    return reply.redirect(`/notes/${id}?notice=updated`, 303);
  });

  app.get('/notes/:id/delete', async (req, reply) => {
    requireCitizen(req);
    const id = noteId(req);
    const note = await req.withData((scope) => ownNote(scope, id));
    return send(reply, <DeleteNotePage ctx={pageContext(req)} note={note} />);
  });

  app.post('/notes/:id/delete', async (req, reply) => {
    requireCitizen(req);
    const id = noteId(req);
    // Not there (another citizen's, or deleted by a first submit): 404, and the transaction rolls back.
    await req.withData(async (scope) => {
      if (!(await deleteNote(scope, id))) throw notFound();
    });
    return reply.redirect('/notes?notice=deleted', 303);
  });
}
