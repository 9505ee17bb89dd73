// Private notes (issue 13, LU-3): what a citizen writes for themselves. Each note is sealed under the citizen's own
// notes key (KeyStore owner 'citizen-notes', table citizen_notes_key), which only the citizen principal reads
// (migrations/0031_private_notes.sql): no staff role, operator, privacy officer, provider system or app has a policy
// on the key or on the notes. The ciphertext's AAD names the note and its citizen, so a ciphertext moved to another
// row or citizen does not open.
//
// Every function here runs as the citizen — their own portal session, never an app acting for them — and audits
// before it reads (koepel_audited): one record per request, naming the citizen, the kind of action and nothing of
// the note (no id, no link, no text).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { KeyOwner } from '../platform/crypto/keys.js';
import type { Principal } from '../platform/db/principal.js';
import type { DataScope } from '../platform/http/request-context.js';

/** The longest note, in characters as the browser's maxlength counts them (UTF-16; a line break counts as one). */
export const NOTE_MAX = 5_000;

export type NoteLink = { kind: 'appointment'; id: string } | { kind: 'record'; id: string };

/** What a note is linked to, as the note pages show it. */
export interface LinkTarget {
  kind: 'appointment' | 'record';
  id: string;
  /** Still there and visible to the citizen (an appointment or result may be withdrawn later). */
  available: boolean;
  /** Appointment: its type; record item: its category ('lab', …). */
  label: string | null;
  organisationName: string | null;
  /** When: the appointment's start, the result's date. */
  at: Date | null;
}

export interface PrivateNote {
  id: string;
  text: string;
  createdAt: Date;
  updatedAt: Date;
  link: NoteLink | null;
}

export type NoteProblem = 'empty' | 'too-long';

/** Why a note cannot be written as it is, or null. */
export function noteProblem(text: string): NoteProblem | null {
  const n = normalise(text);
  if (n.trim().length === 0) return 'empty';
  if (n.length > NOTE_MAX) return 'too-long';
  return null;
}

/** A note as stored: CRLF as one line break (the browser's maxlength counts the same). */
export function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

export class NoteRefused extends Error {
  constructor(readonly reason: NoteProblem | 'link') {
    super(`private note refused: ${reason}`);
  }
}

type Citizen = Extract<Principal, { kind: 'citizen' }>;

/** The citizen in their own session; anyone else (an app for them included) has no notes here. */
export function noteOwner(scope: DataScope): Citizen | null {
  const p = scope.principal;
  return p.kind === 'citizen' && !p.app ? p : null;
}

function owner(scope: DataScope): Citizen {
  const c = noteOwner(scope);
  if (!c) throw new Error('private notes are read and written by their citizen only');
  return c;
}

const keyOf = (citizenId: string): KeyOwner => ({ kind: 'citizen-notes', id: citizenId });
/** AAD: the note and its citizen. */
const aad = (noteId: string, citizenId: string) => `private_note.body:${noteId}:${citizenId}`;

type Action = 'list' | 'read' | 'create' | 'update' | 'delete';
const ACTION_CODE: Record<Action, 'R' | 'C' | 'U' | 'D'> = {
  list: 'R',
  read: 'R',
  create: 'C',
  update: 'U',
  delete: 'D',
};

/** The audit record of a request about the citizen's notes: what was done, nothing of the note itself. */
async function audit(scope: DataScope, citizen: Citizen, action: Action): Promise<void> {
  await scope.audit({
    event: `private-note.${action}`,
    action: ACTION_CODE[action],
    citizenId: citizen.citizenId,
    resourceType: 'private-note',
  });
}

/** The citizen's notes key: made on the first note (one version; a concurrent first note finds the same key). */
async function ensureKey(scope: DataScope, citizenId: string): Promise<void> {
  const have = await scope.tx
    .selectFrom('citizen_notes_key')
    .select('version')
    .where('citizen_id', '=', citizenId)
    .executeTakeFirst();
  if (have) return;
  const k = scope.keys.createKey(keyOf(citizenId));
  await scope.tx
    .insertInto('citizen_notes_key')
    .values({ citizen_id: citizenId, version: k.version, wrapped: k.wrapped })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

const noteColumns = [
  'id',
  'body_ciphertext',
  'appointment_id',
  'record_resource_id',
  'created_at',
  'updated_at',
] as const;

interface NoteRow {
  id: string;
  body_ciphertext: Uint8Array;
  appointment_id: string | null;
  record_resource_id: string | null;
  created_at: Date;
  updated_at: Date;
}

async function open(scope: DataScope, citizenId: string, r: NoteRow): Promise<PrivateNote> {
  const text = await scope.keys.decrypt(scope.tx, keyOf(citizenId), r.body_ciphertext, aad(r.id, citizenId));
  return {
    id: r.id,
    text,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    link: r.appointment_id
      ? { kind: 'appointment', id: r.appointment_id }
      : r.record_resource_id
        ? { kind: 'record', id: r.record_resource_id }
        : null,
  };
}

/** All of the citizen's notes, the most recently changed first. */
export async function listNotes(scope: DataScope): Promise<PrivateNote[]> {
  const citizen = owner(scope);
  await audit(scope, citizen, 'list');
  const rows = await scope.tx
    .selectFrom('private_note')
    .select(noteColumns)
    .where('citizen_id', '=', citizen.citizenId)
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(1000)
    .execute();
  return Promise.all(rows.map((r) => open(scope, citizen.citizenId, r)));
}

/** One of the citizen's notes, or null (another citizen's id is simply not there). */
export async function readNote(scope: DataScope, id: string, action: Action = 'read'): Promise<PrivateNote | null> {
  const citizen = owner(scope);
  await audit(scope, citizen, action);
  const row = await scope.tx
    .selectFrom('private_note')
    .select(noteColumns)
    .where('citizen_id', '=', citizen.citizenId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? open(scope, citizen.citizenId, row) : null;
}

/**
 * The notes linked to one appointment or record item, for its page. Empty for anyone but the citizen in their own
 * session (the pages that call this are the citizen's; an app never gets here, and would read nothing anyway).
 */
export async function notesAbout(scope: DataScope, link: NoteLink): Promise<PrivateNote[]> {
  const citizen = noteOwner(scope);
  if (!citizen) return [];
  await audit(scope, citizen, 'list');
  const rows = await scope.tx
    .selectFrom('private_note')
    .select(noteColumns)
    .where('citizen_id', '=', citizen.citizenId)
    .where(link.kind === 'appointment' ? 'appointment_id' : 'record_resource_id', '=', link.id)
    .orderBy('updated_at', 'desc')
    .limit(100)
    .execute();
  return Promise.all(rows.map((r) => open(scope, citizen.citizenId, r)));
}

/**
 * What a link points at, read as the citizen (row-level security shows only their own appointments and the record
 * items they see now), or null. Audits the read of the appointment or item itself.
 */
export async function linkTarget(scope: DataScope, link: NoteLink): Promise<LinkTarget | null> {
  const citizen = owner(scope);
  if (link.kind === 'appointment') {
    await scope.audit({
      event: 'appointment.read',
      action: 'R',
      citizenId: citizen.citizenId,
      resourceType: 'appointment',
      resourceId: link.id,
    });
    const a = await scope.tx
      .selectFrom('appointment as a')
      .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
      .innerJoin('appointment_type as t', 't.id', 'a.type_id')
      .select(['a.id', 'o.name as organisation_name', 't.name as type_name', sql<Date>`lower(a.during)`.as('start')])
      .where('a.citizen_id', '=', citizen.citizenId)
      .where('a.id', '=', link.id)
      .executeTakeFirst();
    if (!a) return null;
    return {
      kind: 'appointment',
      id: a.id,
      available: true,
      label: a.type_name,
      organisationName: a.organisation_name,
      at: a.start,
    };
  }
  await scope.audit({
    event: 'citizen.record.view',
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: 'dossier',
    resourceId: link.id,
  });
  const r = await scope.tx
    .selectFrom('record_resource as r')
    .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
    .select(['r.id', 'r.category', 'r.effective_at', 'o.name as organisation_name'])
    .where('r.citizen_id', '=', citizen.citizenId)
    .where('r.id', '=', link.id)
    .executeTakeFirst();
  if (!r) return null;
  return {
    kind: 'record',
    id: r.id,
    available: true,
    label: r.category,
    organisationName: r.organisation_name,
    at: r.effective_at,
  };
}

/** A link that is no longer visible (withdrawn, relationship ended) is still shown, as no longer available. */
export async function linkTargetOrGone(scope: DataScope, link: NoteLink): Promise<LinkTarget> {
  return (
    (await linkTarget(scope, link)) ?? {
      kind: link.kind,
      id: link.id,
      available: false,
      label: null,
      organisationName: null,
      at: null,
    }
  );
}

export interface NewNote {
  text: string;
  link: NoteLink | null;
  /** The form's key: a second submit of the same form finds the first note. */
  idempotencyKey: string;
}

/**
 * Writes a note; answers its id (the first note's, for a form sent twice). Refuses an empty or too long text and
 * a link that is not the citizen's (NoteRefused; nothing is written).
 */
export async function createNote(scope: DataScope, note: NewNote): Promise<string> {
  const citizen = owner(scope);
  const text = normalise(note.text);
  const problem = noteProblem(text);
  if (problem) throw new NoteRefused(problem);
  await audit(scope, citizen, 'create');
  if (note.link && !(await linkTarget(scope, note.link))) throw new NoteRefused('link');
  const first = await noteByKey(scope, citizen.citizenId, note.idempotencyKey);
  if (first) return first;
  await ensureKey(scope, citizen.citizenId);
  const id = randomUUID();
  const body = await scope.keys.encrypt(scope.tx, keyOf(citizen.citizenId), text, aad(id, citizen.citizenId));
  const inserted = await scope.tx
    .insertInto('private_note')
    .values({
      id,
      citizen_id: citizen.citizenId,
      body_ciphertext: body,
      appointment_id: note.link?.kind === 'appointment' ? note.link.id : null,
      record_resource_id: note.link?.kind === 'record' ? note.link.id : null,
      idempotency_key: note.idempotencyKey,
    })
    .onConflict((oc) => oc.columns(['citizen_id', 'idempotency_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  // A concurrent submit of the same form won: its note.
  const winner = await noteByKey(scope, citizen.citizenId, note.idempotencyKey);
  if (!winner) throw new Error('private note: idempotency conflict without a note');
  return winner;
}

async function noteByKey(scope: DataScope, citizenId: string, key: string): Promise<string | null> {
  const row = await scope.tx
    .selectFrom('private_note')
    .select('id')
    .where('citizen_id', '=', citizenId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Changes a note's text, and removes its link when asked. False when there is no such note of this citizen.
 * The ciphertext is sealed anew (new nonce) under the same AAD.
 */
export async function updateNote(
  scope: DataScope,
  id: string,
  change: { text: string; unlink: boolean },
): Promise<boolean> {
  const citizen = owner(scope);
  const text = normalise(change.text);
  const problem = noteProblem(text);
  if (problem) throw new NoteRefused(problem);
  await audit(scope, citizen, 'update');
  await ensureKey(scope, citizen.citizenId);
  const body = await scope.keys.encrypt(scope.tx, keyOf(citizen.citizenId), text, aad(id, citizen.citizenId));
  const r = await scope.tx
    .updateTable('private_note')
    .set({
      body_ciphertext: body,
      updated_at: new Date(),
      ...(change.unlink ? { appointment_id: null, record_resource_id: null } : {}),
    })
    .where('citizen_id', '=', citizen.citizenId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Deletes a note (the row itself). False when there is no such note of this citizen. */
export async function deleteNote(scope: DataScope, id: string): Promise<boolean> {
  const citizen = owner(scope);
  await audit(scope, citizen, 'delete');
  const r = await scope.tx
    .deleteFrom('private_note')
    .where('citizen_id', '=', citizen.citizenId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/**
 * Deletes all of the citizen's notes and shreds their notes key (what a backup still holds of the notes can no
 * longer be opened once the key is gone from every backup too). For account deletion: call it as the citizen, in
 * the transaction that ends the account. Answers how many notes there were.
 */
export async function shredNotes(scope: DataScope): Promise<number> {
  const citizen = owner(scope);
  await audit(scope, citizen, 'delete');
  const r = await scope.tx.deleteFrom('private_note').where('citizen_id', '=', citizen.citizenId).executeTakeFirst();
  await scope.tx.deleteFrom('citizen_notes_key').where('citizen_id', '=', citizen.citizenId).execute();
  scope.keys.forget(keyOf(citizen.citizenId));
  return Number(r.numDeletedRows);
}
