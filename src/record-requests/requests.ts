// MG-7: a citizen asks one of their care providers to make more of their record available; the organisation's
// staff grant (some of) the categories asked for, or decline with a reason. A grant is a record_category_grant row
// for this citizen only: from then on row-level security shows the citizen that category of that organisation, and
// of no other (koepel_citizen_sees / koepel_citizen_visible).
//
// The citizen's note and the organisation's answer are encrypted under the organisation's data key: they are
// written to the organisation, and the citizen may read that key while they have a relationship with it.
// Everything runs in the request's transaction; every read of a citizen's data is audited before it happens.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { activeCareProviders } from '../care-providers/index.js';
import { patientsById } from '../patients/index.js';
import type { BirthDate } from '../identity/index.js';
import type { Principal } from '../platform/db/principal.js';
import type { OrganisationKind, RecordCategory } from '../platform/db/schema.js';
import type { DataScope } from '../platform/http/request-context.js';
import { isRecordCategory, RECORD_CATEGORIES } from '../record/index.js';

type Citizen = Extract<Principal, { kind: 'citizen' }>;
type Staff = Extract<Principal, { kind: 'staff' }>;
export type RequestStatus = 'open' | 'granted' | 'declined';

export const NOTE_MAX = 1000;

/**
 * A form sends a textarea's line breaks as CRLF, while its maxlength counts each as one character: counted and
 * stored as LF, a note the browser let through is never refused as too long.
 */
export function oneLineEnding(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

const noteAad = (id: string, organisationId: string, citizenId: string) =>
  `record_access_request.note:${id}:${organisationId}:${citizenId}`;
const responseAad = (id: string, organisationId: string, citizenId: string) =>
  `record_access_request.response:${id}:${organisationId}:${citizenId}`;

const ordered = (list: readonly string[]): RecordCategory[] => RECORD_CATEGORIES.filter((c) => list.includes(c));

// ---------------------------------------------------------------------------------------------------------------
// The citizen's side
// ---------------------------------------------------------------------------------------------------------------

export interface ProviderOffer {
  organisationId: string;
  name: string;
  kind: OrganisationKind;
  /** What the citizen sees now: the organisation's own choice plus what it granted them. */
  shown: RecordCategory[];
  /** Asked for in the open request, awaiting an answer. */
  pending: RecordCategory[];
  hasOpenRequest: boolean;
  /** What the citizen can still ask for. */
  askable: RecordCategory[];
}

/** The citizen's active care providers of this portal, with what each shows them and what they may ask for. */
export async function providerOffers(scope: DataScope, citizen: Citizen): Promise<ProviderOffer[]> {
  const { tx } = scope;
  const providers = await activeCareProviders(tx, citizen.citizenId, citizen.portalId);
  if (providers.length === 0) return [];
  const ids = providers.map((p) => p.id);
  const orgs = await tx.selectFrom('organisation').select(['id', 'record_categories']).where('id', 'in', ids).execute();
  const grants = await tx
    .selectFrom('record_category_grant')
    .select(['organisation_id', 'category'])
    .where('citizen_id', '=', citizen.citizenId)
    .execute();
  const open = await tx
    .selectFrom('record_access_request')
    .select(['organisation_id', 'categories'])
    .where('citizen_id', '=', citizen.citizenId)
    .where('status', '=', 'open')
    .execute();
  return providers.map((p) => {
    const offered = orgs.find((o) => o.id === p.id)?.record_categories ?? [];
    const granted = grants.filter((g) => g.organisation_id === p.id).map((g) => g.category);
    const shown = ordered([...offered, ...granted]);
    const pending = ordered(open.filter((r) => r.organisation_id === p.id).flatMap((r) => r.categories));
    const hasOpenRequest = open.some((r) => r.organisation_id === p.id);
    return {
      organisationId: p.id,
      name: p.name,
      kind: p.kind,
      shown,
      pending,
      hasOpenRequest,
      askable: hasOpenRequest ? [] : RECORD_CATEGORIES.filter((c) => !shown.includes(c)),
    };
  });
}

export interface NewRequest {
  organisationId: string;
  categories: string[];
  note: string;
}

export type CreateError = 'no-provider' | 'open-exists' | 'categories' | 'note';

/**
 * Stores the citizen's request, or says why not. The audit record comes first (it precedes every read); on a
 * refusal the caller rolls the transaction back, so that a refused request leaves nothing behind.
 */
export async function createRequest(
  scope: DataScope,
  citizen: Citizen,
  input: NewRequest,
): Promise<{ ok: true; id: string } | { ok: false; error: CreateError }> {
  const id = randomUUID();
  await scope.audit({
    event: 'record.request.create',
    action: 'C',
    citizenId: citizen.citizenId,
    resourceType: 'record_access_request',
    resourceId: id,
  });
  const offer = (await providerOffers(scope, citizen)).find((o) => o.organisationId === input.organisationId);
  if (!offer) return { ok: false, error: 'no-provider' };
  if (offer.hasOpenRequest) return { ok: false, error: 'open-exists' };
  const categories = [...new Set(input.categories)];
  if (categories.length === 0 || !categories.every((c) => isRecordCategory(c) && offer.askable.includes(c))) {
    return { ok: false, error: 'categories' };
  }
  const note = oneLineEnding(input.note).trim();
  if (note.length > NOTE_MAX) return { ok: false, error: 'note' };
  const organisation = { kind: 'organisation' as const, id: offer.organisationId };
  const inserted = await scope.tx
    .insertInto('record_access_request')
    .values({
      id,
      organisation_id: offer.organisationId,
      citizen_id: citizen.citizenId,
      categories: ordered(categories),
      note_ciphertext:
        note === ''
          ? null
          : await scope.keys.encrypt(scope.tx, organisation, note, noteAad(id, organisation.id, citizen.citizenId)),
    })
    // One open request per organisation (migration 0005): a double submit finds the first one and stores nothing.
    .onConflict((oc) => oc.columns(['organisation_id', 'citizen_id']).where('status', '=', 'open').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted ? { ok: true, id } : { ok: false, error: 'open-exists' };
}

export interface CitizenRequestView {
  id: string;
  organisationName: string;
  categories: RecordCategory[];
  granted: RecordCategory[];
  status: RequestStatus;
  createdAt: Date;
  handledAt: Date | null;
  note: string | null;
  response: string | null;
}

/** The citizen's own requests, newest first, with the organisation's answers. */
export async function citizenRequests(scope: DataScope, citizen: Citizen): Promise<CitizenRequestView[]> {
  const { tx, keys } = scope;
  const rows = await tx
    .selectFrom('record_access_request as r')
    .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
    .select([
      'r.id',
      'r.organisation_id',
      'o.name',
      'r.categories',
      'r.status',
      'r.created_at',
      'r.handled_at',
      'r.note_ciphertext',
      'r.response_ciphertext',
    ])
    .where('r.citizen_id', '=', citizen.citizenId)
    .orderBy('r.created_at', 'desc')
    .limit(100)
    .execute();
  const grants = await tx
    .selectFrom('record_category_grant')
    .select(['organisation_id', 'category'])
    .where('citizen_id', '=', citizen.citizenId)
    .execute();
  // The key of an organisation the citizen no longer has a relationship with is out of reach (its policy, migration
  // 0011): no text then. Asked of the database here, not left to whether the key happens to be in memory.
  // A text whose key is readable but that does not decrypt (tampered, moved, or stored in the clear) is an error —
  // the page fails (500, logged without the text) — never an empty note that would hide it (ZL-2).
  const readableKeys = new Set(
    (await tx.selectFrom('organisation_key').select('organisation_id').distinct().execute()).map(
      (k) => k.organisation_id,
    ),
  );
  const out: CitizenRequestView[] = [];
  for (const r of rows) {
    const org = { kind: 'organisation' as const, id: r.organisation_id };
    const open = async (c: Uint8Array | null, aad: string) =>
      c && readableKeys.has(r.organisation_id) ? await keys.decrypt(tx, org, c, aad) : null;
    out.push({
      id: r.id,
      organisationName: r.name,
      categories: ordered(r.categories),
      granted:
        r.status === 'granted'
          ? ordered(
              grants
                .filter((g) => g.organisation_id === r.organisation_id && r.categories.includes(g.category))
                .map((g) => g.category),
            )
          : [],
      status: r.status,
      createdAt: r.created_at,
      handledAt: r.handled_at,
      note: await open(r.note_ciphertext, noteAad(r.id, r.organisation_id, citizen.citizenId)),
      response: await open(r.response_ciphertext, responseAad(r.id, r.organisation_id, citizen.citizenId)),
    });
  }
  return out;
}

/** Audit first: the overview shows the citizen's own requests and relationships. */
export async function auditCitizenView(scope: DataScope, citizen: Citizen): Promise<void> {
  await scope.audit({
    event: 'record.request.citizen.view',
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: 'record_access_request',
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The organisation's side
// ---------------------------------------------------------------------------------------------------------------

export interface StaffRequestRow {
  id: string;
  citizenId: string;
  name: string;
  birthDate: BirthDate;
  patientNumber: string | null;
  categories: RecordCategory[];
  createdAt: Date;
}

/**
 * The organisation's open requests, oldest first. Row-level security shows only the own organisation's requests,
 * to employees with record:requests, of citizens with a current care relationship — and only after an audit
 * record about the citizen. So: the ids first (koepel_open_access_requests, migration 0005), one audit record per
 * patient shown, then the requests and names.
 */
export async function openRequests(scope: DataScope): Promise<StaffRequestRow[]> {
  const { tx } = scope;
  const found = (
    await sql<{ id: string; citizen_id: string }>`select id, citizen_id from koepel_open_access_requests(200)`.execute(
      tx,
    )
  ).rows;
  if (found.length === 0) return [];
  const citizens = [...new Set(found.map((r) => r.citizen_id))];
  await scope.audit(
    ...citizens.map((citizenId) => ({
      event: 'record.request.list',
      action: 'R' as const,
      citizenId,
      resourceType: 'citizen',
      resourceId: citizenId,
    })),
  );
  const rows = await tx
    .selectFrom('record_access_request')
    .select(['id', 'citizen_id', 'categories', 'created_at'])
    .where(
      'id',
      'in',
      found.map((r) => r.id),
    )
    .where('status', '=', 'open')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const people = await patientsById(scope, citizens);
  return rows.flatMap((r) => {
    const p = people.get(r.citizen_id);
    return p
      ? [{ id: r.id, citizenId: r.citizen_id, ...p, categories: ordered(r.categories), createdAt: r.created_at }]
      : [];
  });
}

/** The citizen of one of the organisation's requests, or null (migration 0005: ids only, before the audit). */
async function requestCitizen(scope: DataScope, id: string): Promise<string | null> {
  const { rows } = await sql<{ c: string | null }>`select koepel_access_request_citizen(${id}::uuid) as c`.execute(
    scope.tx,
  );
  return rows[0]?.c ?? null;
}

export interface StaffRequestDetail extends StaffRequestRow {
  status: RequestStatus;
  note: string | null;
  response: string | null;
  handledAt: Date | null;
  granted: RecordCategory[];
}

/** One request of the organisation (any status), or null when it is not the organisation's to see. */
export async function requestForStaff(scope: DataScope, staff: Staff, id: string): Promise<StaffRequestDetail | null> {
  const { tx, keys } = scope;
  const citizenId = await requestCitizen(scope, id);
  if (!citizenId) return null;
  await scope.audit({
    event: 'record.request.view',
    action: 'R',
    citizenId,
    resourceType: 'record_access_request',
    resourceId: id,
  });
  const r = await tx
    .selectFrom('record_access_request')
    .select([
      'id',
      'organisation_id',
      'citizen_id',
      'categories',
      'status',
      'created_at',
      'handled_at',
      'note_ciphertext',
      'response_ciphertext',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r || r.organisation_id !== staff.organisationId) return null;
  const person = (await patientsById(scope, [r.citizen_id])).get(r.citizen_id);
  if (!person) return null;
  const org = { kind: 'organisation' as const, id: r.organisation_id };
  const granted =
    r.status === 'granted'
      ? await tx
          .selectFrom('record_category_grant')
          .select('category')
          .where('organisation_id', '=', r.organisation_id)
          .where('citizen_id', '=', r.citizen_id)
          .execute()
      : [];
  return {
    id: r.id,
    citizenId: r.citizen_id,
    ...person,
    categories: ordered(r.categories),
    createdAt: r.created_at,
    status: r.status,
    handledAt: r.handled_at,
    note: r.note_ciphertext
      ? await keys.decrypt(tx, org, r.note_ciphertext, noteAad(r.id, r.organisation_id, r.citizen_id))
      : null,
    response: r.response_ciphertext
      ? await keys.decrypt(tx, org, r.response_ciphertext, responseAad(r.id, r.organisation_id, r.citizen_id))
      : null,
    granted: ordered(granted.map((g) => g.category).filter((c) => r.categories.includes(c))),
  };
}

export type Decision = { kind: 'grant'; categories: string[]; response: string } | { kind: 'decline'; reason: string };
export type DecisionError = 'not-found' | 'handled' | 'categories' | 'reason' | 'response';

/** A decision that cannot be carried out; thrown so that the transaction (and its audit record) rolls back. */
export class DecisionRefused extends Error {
  constructor(readonly reason: DecisionError) {
    super(reason);
  }
}

/**
 * Grants (some of) the requested categories, or declines with a reason. All or nothing: an invalid decision throws
 * DecisionRefused after the audit record was written, and the caller's transaction rolls both back.
 */
export async function decide(scope: DataScope, staff: Staff, id: string, decision: Decision): Promise<void> {
  const { tx, keys } = scope;
  const citizenId = await requestCitizen(scope, id);
  if (!citizenId) throw new DecisionRefused('not-found');
  await scope.audit({
    event: decision.kind === 'grant' ? 'record.request.grant' : 'record.request.decline',
    action: 'U',
    citizenId,
    resourceType: 'record_access_request',
    resourceId: id,
    // Category names only (known values, never free text).
    ...(decision.kind === 'grant' ? { reason: `categories=${ordered(decision.categories).join(',')}` } : {}),
  });
  const r = await tx
    .selectFrom('record_access_request')
    .select(['id', 'organisation_id', 'citizen_id', 'categories', 'status'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!r || r.organisation_id !== staff.organisationId) throw new DecisionRefused('not-found');
  if (r.status !== 'open') throw new DecisionRefused('handled');
  let categories: RecordCategory[] = [];
  let text: string;
  if (decision.kind === 'grant') {
    categories = ordered([...new Set(decision.categories)]);
    if (categories.length === 0 || categories.length !== new Set(decision.categories).size) {
      throw new DecisionRefused('categories');
    }
    if (!categories.every((c) => r.categories.includes(c))) throw new DecisionRefused('categories');
    text = oneLineEnding(decision.response).trim();
    if (text.length > NOTE_MAX) throw new DecisionRefused('response');
  } else {
    text = oneLineEnding(decision.reason).trim();
    if (text === '' || text.length > NOTE_MAX) throw new DecisionRefused('reason');
  }
  if (categories.length > 0) {
    await tx
      .insertInto('record_category_grant')
      .values(
        categories.map((category) => ({
          organisation_id: r.organisation_id,
          citizen_id: r.citizen_id,
          category,
          granted_by: staff.staffId,
        })),
      )
      .onConflict((oc) => oc.columns(['organisation_id', 'citizen_id', 'category']).doNothing())
      .execute();
  }
  const org = { kind: 'organisation' as const, id: r.organisation_id };
  const updated = await tx
    .updateTable('record_access_request')
    .set({
      status: decision.kind === 'grant' ? 'granted' : 'declined',
      handled_at: new Date(),
      handled_by: staff.staffId,
      response_ciphertext:
        text === '' ? null : await keys.encrypt(tx, org, text, responseAad(r.id, r.organisation_id, r.citizen_id)),
    })
    .where('id', '=', r.id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new Error('request changed while it was being handled');
}
