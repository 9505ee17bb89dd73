// FHIR ingestion: provider systems push resources for their own organisation's patients (issue 3, "Data in").
//
//   transaction Bundle — all or nothing: one database transaction; any problem and nothing is stored.
//   batch Bundle       — each entry on its own: its own transaction; a failing entry gets its own OperationOutcome.
//   single resource    — PUT {type}/{id} or POST {type}: a transaction of one.
//
// The organisation is always the API client's own (the principal): nothing in a resource (managingOrganization,
// meta.security, a performer) can make it write as another organisation. A patient is found by BSN only among the
// citizens with an active care relationship with that organisation (koepel_match_patient); a BSN without one is
// refused with the same words whether or not the citizen exists elsewhere (PZ-4).
//
// Usable without HTTP (the bench, imports): ingestBundle(context, bundle) and ingestResource(context, ...).
import { sql } from 'kysely';
import type { KeyStore } from '../platform/crypto/keys.js';
import type { AccessPoint } from '../platform/audit/audit.js';
import type { Principal } from '../platform/db/principal.js';
import { runInScope, type DataScope, type ScopeServices } from '../platform/db/scope.js';
import { bsnIndex } from '../identity/index.js';
import { RecordWriteError, writeResources, type ResourceWrite, type FhirJson } from '../record/index.js';
import { DirectoryIdConflict, writeDirectory } from './directory.js';
import {
  FhirError,
  issue,
  operationOutcome,
  statusFor,
  statusLine,
  type Issue,
  type OperationOutcome,
} from '../platform/fhir/outcome.js';
import {
  jsonDepth,
  parseRequestUrl,
  prepareEntry,
  typeWord,
  type BundleIndex,
  type EntryRequest,
  type PreparedEntry,
  type ReferenceSite,
} from './prepare.js';
import {
  INGEST_TYPES,
  isDirectoryType,
  isIngestType,
  isOrganisationType,
  isSchedulingType,
  type DirectoryType,
  type IngestType,
  type SchedulingType,
} from './resources.js';
import { writeScheduling } from './scheduling.js';
import { POOL_MIN_ENTRIES, validationPool } from './base/pool.js';
import { locate, locateByIdentifier, providerRead } from './provider.js';
// Issue 14 (MG-10 sources): the 'medicines almost finished' reminder of a dispense.
import { scheduleAlmostFinished } from '../notifications/index.js';

/** A relative reference in the sender's id space: `Practitioner/abc`. */
const RELATIVE_REFERENCE = /^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9\-.]{1,64}$/;

/** Runs fn in one transaction as the API client (req.withData, or clientContext() outside HTTP). */
export type DataRunner = <T>(fn: (scope: DataScope) => Promise<T>) => Promise<T>;

export interface IngestContext {
  keys: KeyStore;
  run: DataRunner;
}

/** An ingestion context for code outside an HTTP request (bench, imports): the client acts in its own scope. */
export function clientContext(
  services: ScopeServices,
  principal: Extract<Principal, { kind: 'client' }>,
  at?: AccessPoint,
): IngestContext {
  return { keys: services.keys, run: (fn) => runInScope(services, principal, fn, at) };
}

export interface BundleResponseEntry {
  response: {
    status: string;
    location?: string;
    etag?: string;
    outcome?: OperationOutcome;
  };
}

export interface BundleResponse {
  resourceType: 'Bundle';
  type: 'transaction-response' | 'batch-response';
  timestamp: string;
  entry: BundleResponseEntry[];
}

/** What the HTTP layer sends: a status, a FHIR body, and for a single resource its Location and ETag. */
export interface IngestResult<Body = BundleResponse | OperationOutcome> {
  status: number;
  /** For a single resource also the resource itself, or null: no body (`Prefer: return=minimal`). */
  body: Body;
  location?: string;
  etag?: string;
}

/** The most entries one Bundle may carry. */
export const MAX_ENTRIES = 5000;
/** JSON nested deeper than this is refused before anything walks it. */
export const MAX_DEPTH = 64;
/** An OperationOutcome lists at most this many issues. */
const MAX_ISSUES = 100;

interface Stored {
  type: string;
  /** Koepel's row id. */
  id: string;
  /** The id in the sender's id space: what the Location names and what references between entries become. */
  logicalId: string;
  version: number;
  outcome: 'created' | 'updated' | 'unchanged';
  citizenId: string | null;
}

const outcomeResult = (issues: Issue[], status = statusFor(issues)): IngestResult => ({
  status,
  body: operationOutcome(issues.slice(0, MAX_ISSUES)),
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function structureProblem(body: unknown): Issue | null {
  if (jsonDepth(body) > MAX_DEPTH) return issue('structure', `The JSON is nested deeper than ${MAX_DEPTH} levels`);
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Bundles
// ---------------------------------------------------------------------------------------------------------------

/** POST /fhir: a transaction or batch Bundle. Never throws for bad input; answers an OperationOutcome instead. */
export async function ingestBundle(ctx: IngestContext, body: unknown): Promise<IngestResult> {
  const structure = structureProblem(body);
  if (structure) return outcomeResult([structure], 400);
  if (!isObject(body) || body.resourceType !== 'Bundle') {
    return outcomeResult(
      [
        issue(
          'not-supported',
          'POST to the base URL takes a Bundle of type transaction or batch',
          'Bundle.resourceType',
        ),
      ],
      400,
    );
  }
  if (body.type !== 'transaction' && body.type !== 'batch') {
    return outcomeResult([issue('not-supported', 'Bundle.type must be transaction or batch', 'Bundle.type')], 400);
  }
  const rawEntries = body.entry ?? [];
  if (!Array.isArray(rawEntries))
    return outcomeResult([issue('structure', 'Bundle.entry must be an array', 'Bundle.entry')], 400);
  if (rawEntries.length > MAX_ENTRIES) {
    return outcomeResult(
      [issue('too-long', `Bundle.entry has more than ${MAX_ENTRIES} entries; send several Bundles`, 'Bundle.entry')],
      413,
    );
  }

  // 1. Each entry's request and fullUrl, and the index that resolves references between entries.
  const problems = new Map<number, Issue[]>();
  const addProblem = (i: number, x: Issue) => problems.set(i, [...(problems.get(i) ?? []), x]);
  const requests = new Map<number, EntryRequest>();
  const conditions: Conditions = new Map();
  const bundle: BundleIndex = new Map();
  rawEntries.forEach((raw: unknown, i) => {
    const label = `Bundle.entry[${i}]`;
    if (!isObject(raw)) return addProblem(i, issue('structure', `${label}: must be an object`, label));
    const resource = raw.resource;
    const type = isObject(resource) ? resource.resourceType : undefined;
    const lbl = `${label} (${typeWord(type)})`;
    const req = raw.request;
    if (!isObject(req) || typeof req.method !== 'string' || typeof req.url !== 'string') {
      return addProblem(i, issue('required', `${lbl}: request with method and url is required`, `${label}.request`));
    }
    const parsed = parseRequestUrl(req.method, req.url);
    if (!parsed) {
      return addProblem(
        i,
        issue(
          'not-supported',
          `${lbl}: request must be POST {type}, PUT {type}/{id} or PUT {type}?identifier=system|value (relative urls)`,
          `${label}.request`,
        ),
      );
    }
    requests.set(i, parsed);
    // A conditional create inside the Bundle (request.ifNoneExist), as over HTTP (If-None-Exist).
    if (req.ifNoneExist !== undefined) {
      const named = typeof req.ifNoneExist === 'string' ? parseIfNoneExist(req.ifNoneExist) : null;
      if (!named || parsed.method !== 'POST') {
        return addProblem(
          i,
          issue(
            'not-supported',
            `${lbl}: request.ifNoneExist must be identifier=system|value, on POST only`,
            `${label}.request.ifNoneExist`,
          ),
        );
      }
      conditions.set(i, named);
    }
    const fullUrl = raw.fullUrl;
    if (fullUrl !== undefined) {
      if (typeof fullUrl !== 'string' || fullUrl.length === 0 || fullUrl.length > 1000) {
        return addProblem(i, issue('value', `${lbl}: fullUrl must be a URI`, `${label}.fullUrl`));
      }
      if (bundle.has(fullUrl)) {
        return addProblem(i, issue('duplicate', `${lbl}: fullUrl is used by another entry too`, `${label}.fullUrl`));
      }
      bundle.set(fullUrl, { entry: i, type: parsed.type });
    }
    const id = parsed.id ?? (isObject(resource) && typeof resource.id === 'string' ? resource.id : null);
    if (id !== null && !bundle.has(`${parsed.type}/${id}`))
      bundle.set(`${parsed.type}/${id}`, { entry: i, type: parsed.type });
  });

  // 2. Each entry checked and prepared on its own; a large Bundle's base validation runs on a worker thread.
  const shapes =
    rawEntries.length >= POOL_MIN_ENTRIES
      ? await validationPool(INGEST_TYPES)?.validate(
          rawEntries.map((raw: unknown) => (isObject(raw) ? raw.resource : null)),
        )
      : null;
  const prepared = new Map<number, PreparedEntry>();
  rawEntries.forEach((raw: unknown, i) => {
    const request = requests.get(i);
    if (!request || problems.has(i) || !isObject(raw)) return;
    const type = isObject(raw.resource) ? raw.resource.resourceType : undefined;
    const result = prepareEntry({
      keys: ctx.keys,
      index: i,
      base: `Bundle.entry[${i}].resource`,
      label: `Bundle.entry[${i}] (${typeWord(type)})`,
      fullUrl: typeof raw.fullUrl === 'string' ? raw.fullUrl : null,
      resource: raw.resource,
      request,
      bundle,
      shape: shapes?.[i] ?? undefined,
    });
    if (result.ok) prepared.set(i, result.entry);
    else problems.set(i, result.issues);
  });

  // 3. The same resource twice (type and source key) cannot be stored twice.
  const seen = new Map<string, number>();
  for (const [i, e] of prepared) {
    const key = `${e.type}\u0000${e.sourceKey}`;
    const byId = e.logicalId ? `${e.type}\u0001${e.logicalId}` : null;
    const first = seen.get(key) ?? (byId ? seen.get(byId) : undefined);
    if (first !== undefined) {
      addProblem(
        i,
        issue(
          'duplicate',
          `${e.label}: the same resource (type and identifier) is also in Bundle.entry[${first}]`,
          `${e.base}.identifier`,
        ),
      );
      prepared.delete(i);
    } else {
      seen.set(key, i);
      if (byId) seen.set(byId, i);
    }
  }

  // 4. Write order: an entry after the entries it refers to (so references can name their stored ids).
  const layers = orderByReferences(prepared);
  for (const i of layers.cyclic) {
    const e = prepared.get(i);
    if (!e) continue;
    addProblem(i, issue('invalid', `${e.label}: is part of a cycle of references between entries`, e.base));
    prepared.delete(i);
  }

  return body.type === 'transaction'
    ? transaction(ctx, rawEntries.length, prepared, problems, conditions)
    : batch(ctx, rawEntries.length, prepared, problems, layers.order, conditions);
}

/** The entries with request.ifNoneExist: the identifier each names. */
type Conditions = Map<number, { system: string; value: string }>;

/**
 * Of `entries`, those a conditional create does not find already stored; the ones it finds are noted in `stored`
 * (200, unchanged) so that references to them name the existing resource.
 */
async function unlessExisting(
  scope: DataScope,
  entries: PreparedEntry[],
  conditions: Conditions,
  stored: Map<number, Stored>,
): Promise<PreparedEntry[]> {
  const out: PreparedEntry[] = [];
  for (const e of entries) {
    const named = conditions.get(e.index);
    const found = named ? await locateByIdentifier(scope, e.type, named.system, named.value) : null;
    if (found && !found.deleted) {
      stored.set(e.index, {
        type: e.type,
        id: found.id,
        logicalId: found.logicalId,
        version: found.version,
        outcome: 'unchanged',
        citizenId: found.citizenId,
      });
    } else out.push(e);
  }
  return out;
}

async function transaction(
  ctx: IngestContext,
  count: number,
  prepared: Map<number, PreparedEntry>,
  problems: Map<number, Issue[]>,
  conditions: Conditions,
): Promise<IngestResult> {
  if (problems.size > 0) {
    const issues = [...problems.entries()].sort(([a], [b]) => a - b).flatMap(([, list]) => list);
    return outcomeResult(issues);
  }
  const stored = new Map<number, Stored>();
  try {
    await ctx.run(async (scope) => {
      requireClient(scope);
      await writeGroup(scope, await unlessExisting(scope, [...prepared.values()], conditions, stored), stored);
    });
  } catch (err) {
    return failure(ctx, err);
  }
  return {
    status: 200,
    body: {
      resourceType: 'Bundle',
      type: 'transaction-response',
      timestamp: new Date().toISOString(),
      entry: Array.from({ length: count }, (_, i) => responseEntry(stored.get(i))),
    },
  };
}

async function batch(
  ctx: IngestContext,
  count: number,
  prepared: Map<number, PreparedEntry>,
  problems: Map<number, Issue[]>,
  order: number[][],
  conditions: Conditions,
): Promise<IngestResult> {
  const stored = new Map<number, Stored>();
  const failed = new Map<number, IngestResult>();
  for (const [i, issues] of problems) failed.set(i, outcomeResult(issues));
  for (const layer of order) {
    for (const i of layer) {
      const e = prepared.get(i);
      if (!e) continue;
      // A reference `Type/id` to an entry that failed stays as sent: it names the resource in the sender's id space,
      // and resolves once the sender sends that resource (FHIR batch entries stand on their own). A reference by
      // fullUrl only (urn:uuid) cannot be kept: the entry that refers by it fails with its target.
      e.references = e.references.filter(
        (r) => stored.has(r.target) || !RELATIVE_REFERENCE.test(String(r.object.reference)),
      );
      const missing = [...e.references, ...e.patientReferences].find((r) => !stored.has(r.target));
      if (missing) {
        failed.set(
          i,
          outcomeResult([
            issue(
              'processing',
              `${e.label}: refers to Bundle.entry[${missing.target}], which could not be stored`,
              e.base,
            ),
          ]),
        );
        continue;
      }
      try {
        await ctx.run(async (scope) => {
          requireClient(scope);
          await writeGroup(scope, await unlessExisting(scope, [e], conditions, stored), stored);
        });
      } catch (err) {
        failed.set(i, await failure(ctx, err));
      }
    }
  }
  return {
    status: 200,
    body: {
      resourceType: 'Bundle',
      type: 'batch-response',
      timestamp: new Date().toISOString(),
      entry: Array.from({ length: count }, (_, i) => {
        const f = failed.get(i);
        if (f) return { response: { status: statusLine(f.status), outcome: f.body as OperationOutcome } };
        return responseEntry(stored.get(i));
      }),
    },
  };
}

/**
 * Where a stored resource lives, relative to the FHIR base: `{type}/{logical id}/_history/{version}`. The one form
 * for Bundle responses (relative, as here) and the HTTP Location header (made absolute by the route). A Patient sent
 * without an id has its citizen's id: the id every stored patient reference names.
 */
export const locationOf = (s: { type: string; logicalId: string; version: number }): string =>
  `${s.type}/${s.logicalId}/_history/${s.version}`;

function responseEntry(s: Stored | undefined): BundleResponseEntry {
  if (!s) return { response: { status: statusLine(500) } };
  return {
    response: {
      status: statusLine(s.outcome === 'created' ? 201 : 200),
      location: locationOf(s),
      etag: `W/"${s.version}"`,
    },
  };
}

/**
 * Kahn's algorithm over references between entries: layers of entries whose targets are all in earlier layers.
 * Entries in a cycle are returned apart.
 */
function orderByReferences(
  prepared: Map<number, PreparedEntry>,
  withPatients = true,
): { order: number[][]; cyclic: number[] } {
  const pending = new Map<number, Set<number>>();
  for (const [i, e] of prepared) {
    const sites = withPatients ? [...e.references, ...e.patientReferences] : e.references;
    pending.set(i, new Set(sites.map((r) => r.target).filter((t) => t !== i && prepared.has(t))));
  }
  const order: number[][] = [];
  const done = new Set<number>();
  while (pending.size > 0) {
    const ready = [...pending].filter(([, deps]) => [...deps].every((d) => done.has(d))).map(([i]) => i);
    if (ready.length === 0) break;
    ready.sort((a, b) => a - b);
    for (const i of ready) {
      pending.delete(i);
      done.add(i);
    }
    order.push(ready);
  }
  return { order, cyclic: [...pending.keys()] };
}

// ---------------------------------------------------------------------------------------------------------------
// Single resources: PUT /fhir/{type}/{id}, POST /fhir/{type}
// ---------------------------------------------------------------------------------------------------------------

/** What a single create or update answers with. */
export type SingleBody = BundleResponse | OperationOutcome | Record<string, unknown> | null;

/** How a client wants the answer to a create or update (`Prefer: return=…`, RFC 7240; FHIR R4 §3.1.0.5.2). */
export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

/** The conditional and preference headers of a single create or update. */
export interface SingleOptions {
  /** `If-None-Exist` on POST: `identifier=system|value`. */
  ifNoneExist?: string | undefined;
  /** `If-Match` on PUT: `W/"{version}"`. */
  ifMatch?: string | undefined;
  /** `Prefer: return=…`; the default is an OperationOutcome that says what happened. */
  prefer?: ReturnPreference | undefined;
}

/** The return preference of a `Prefer` header (other preferences in it are ignored). */
export function returnPreference(header: string | undefined): ReturnPreference | undefined {
  const m = /(?:^|[,;\s])return\s*=\s*"?(minimal|representation|OperationOutcome)"?/.exec(header ?? '');
  return m?.[1] as ReturnPreference | undefined;
}

/** `W/"3"` or `"3"` → 3; anything else null. */
export function parseEtag(value: string): number | null {
  const m = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(value);
  return m?.[1] ? Number(m[1]) : null;
}

/** `identifier=system|value` → the pair; anything else (other parameters, more than one) null. */
function parseIfNoneExist(value: string): { system: string; value: string } | null {
  if (value.length > 1000) return null;
  const params = [...new URLSearchParams(value.replace(/^\?/, ''))];
  const [only] = params;
  if (params.length !== 1 || !only || only[0] !== 'identifier') return null;
  const bar = only[1].indexOf('|');
  if (bar <= 0 || bar === only[1].length - 1) return null;
  return { system: only[1].slice(0, bar), value: only[1].slice(bar + 1) };
}

export async function ingestResource(
  ctx: IngestContext,
  method: 'PUT' | 'POST',
  type: string,
  id: string | null,
  body: unknown,
  options: SingleOptions = {},
): Promise<IngestResult<SingleBody>> {
  const structure = structureProblem(body);
  if (structure) return outcomeResult([structure], 400);
  // No conditional form in the url: an identifier (a BSN, even) does not belong in a URL that proxies log. A
  // conditional create names it in the If-None-Exist header instead.
  const request = parseRequestUrl(method, id === null ? type : `${type}/${id}`, false);
  if (!request) {
    return outcomeResult(
      [issue('not-supported', 'The url must be {type} for POST or {type}/{id} for PUT, with a FHIR id')],
      400,
    );
  }
  let ifMatch: number | null = null;
  if (options.ifMatch !== undefined) {
    ifMatch = method === 'PUT' ? parseEtag(options.ifMatch) : null;
    if (ifMatch === null)
      return outcomeResult([issue('invalid', 'If-Match must be a version tag W/"n", on PUT only')], 400);
  }
  let ifNoneExist: { system: string; value: string } | null = null;
  if (options.ifNoneExist !== undefined) {
    ifNoneExist = method === 'POST' ? parseIfNoneExist(options.ifNoneExist) : null;
    if (!ifNoneExist)
      return outcomeResult(
        [issue('not-supported', 'If-None-Exist must be identifier=system|value, on POST only')],
        400,
      );
  }
  const label = typeWord(type);
  const prefer = options.prefer ?? 'OperationOutcome';

  // A conditional create that finds the resource answers with it (200), without looking at the body further.
  if (ifNoneExist && isIngestType(type)) {
    const named = ifNoneExist;
    const existing = await ctx.run(async (scope) => {
      requireClient(scope);
      const found = await locateByIdentifier(scope, type, named.system, named.value);
      return found && !found.deleted ? found : null;
    });
    if (existing) {
      return answer(
        ctx,
        prefer,
        type,
        existing.logicalId,
        existing.version,
        200,
        `${label}: Exists already; nothing was stored`,
      );
    }
  }

  const result = prepareEntry({
    keys: ctx.keys,
    index: 0,
    base: label,
    label,
    fullUrl: null,
    resource: body,
    request,
    bundle: new Map(),
  });
  if (!result.ok) return outcomeResult(result.issues);
  const entry = result.entry;
  const stored = new Map<number, Stored>();
  try {
    await ctx.run(async (scope) => {
      requireClient(scope);
      if (ifMatch !== null && entry.logicalId) {
        // Optimistic locking: the version the client last saw must still be the current one.
        const found = await locate(scope, entry.type, entry.logicalId);
        if (!found || found.version !== ifMatch) {
          throw new FhirError(412, [
            issue(
              'conflict',
              `${entry.label}: If-Match names version ${ifMatch}, ${found ? `the current version is ${found.version}` : 'there is no such resource'}`,
            ),
          ]);
        }
      }
      await writeGroup(scope, [entry], stored);
      // The check above can race with another writer of the same resource; the write itself cannot: an update
      // waits for the other's row lock and then writes the version after it. So a version other than the one
      // If-Match named plus one means someone else wrote in between: 412, and this transaction rolls back.
      const written = stored.get(0);
      if (ifMatch !== null && written) {
        const expected = written.outcome === 'updated' ? ifMatch + 1 : ifMatch;
        if (written.version !== expected) {
          throw new FhirError(412, [
            issue('conflict', `${entry.label}: If-Match names version ${ifMatch}; another request changed it first`),
          ]);
        }
      }
    });
  } catch (err) {
    return failure(ctx, err);
  }
  const s = stored.get(0);
  if (!s) throw new Error('resource not stored');
  const words = {
    created: 'Created',
    updated: 'Updated: a new version',
    unchanged: 'Unchanged: the same as the stored version',
  };
  return answer(
    ctx,
    prefer,
    entry.type,
    s.logicalId,
    s.version,
    s.outcome === 'created' ? 201 : 200,
    `${entry.label}: ${words[s.outcome]}`,
  );
}

/** The answer to a create or update, as `Prefer: return=…` asks: nothing, the resource as stored, or what happened. */
async function answer(
  ctx: IngestContext,
  prefer: ReturnPreference,
  type: IngestType,
  logicalId: string,
  version: number,
  status: number,
  words: string,
): Promise<IngestResult<SingleBody>> {
  const where = { location: locationOf({ type, logicalId, version }), etag: `W/"${version}"` };
  if (prefer === 'minimal') return { status, body: null, ...where };
  if (prefer === 'representation') {
    const read = await ctx.run((scope) => providerRead(scope, type, logicalId, version));
    if (read.status === 200) return { status, body: read.version.resource, ...where };
  }
  return {
    status,
    body: operationOutcome([issue('informational', words, undefined, 'information')]),
    ...where,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------------

function requireClient(scope: DataScope): asserts scope is DataScope & { principal: { kind: 'client' } } {
  if (scope.principal.kind !== 'client') {
    throw new FhirError(403, [issue('forbidden', 'Only an API client of an organisation writes FHIR resources')]);
  }
}

/** A patient could not be matched: the reason FhirError carries so the refusal is audited after the rollback. */
class PatientRefused extends FhirError {}

/** A source key was taken (unique violation); which entry is looked up after the rollback. */
class KeyConflict extends Error {
  constructor(readonly writes: { entry: PreparedEntry; citizenId: string }[]) {
    super('source key conflict');
  }
}

/**
 * Matches the patients of `entries` and writes them (in reference order) in the caller's transaction. `stored`
 * holds what earlier groups wrote (their ids for references, their citizens for Patient entries).
 */
async function writeGroup(scope: DataScope, entries: PreparedEntry[], stored: Map<number, Stored>): Promise<void> {
  const citizens = await matchPatients(scope, entries, stored);
  // Patients are named by their citizen: `Patient/{citizen id}`, the id under which the citizen's own FHIR API
  // serves them. A BSN in a reference is replaced by it (the BSN stays only in the Patient resource).
  const citizenOf = (entry: number) => citizens.get(entry) ?? stored.get(entry)?.citizenId ?? null;
  const note = (
    e: PreparedEntry | undefined,
    r: { resourceType: string; id: string; logicalId: string; version: number; outcome: Stored['outcome'] },
    citizenId: string | null,
  ) => {
    if (e)
      stored.set(e.index, {
        type: r.resourceType,
        id: r.id,
        logicalId: r.logicalId,
        version: r.version,
        outcome: r.outcome,
        citizenId,
      });
  };
  for (const e of entries) {
    const citizenId = citizens.get(e.index);
    if (e.patient && citizenId) namePatient(e.patient.object, citizenId);
    for (const r of e.patientReferences) {
      const id = citizenOf(r.target);
      if (!id) throw new Error('a reference to a Patient entry that is not matched');
      namePatient(r.object, id);
    }
  }
  // Other references to entries of the Bundle (fullUrl, urn:uuid) name their target in the sender's own id space,
  // `{type}/{logical id}`, as FHIR transactions do: those targets are written first. References to resources sent
  // earlier stay as they were sent.
  const byIndex = new Map(entries.map((e) => [e.index, e]));
  for (const layer of orderByReferences(byIndex, false).order) {
    const group = layer.map((i) => byIndex.get(i)).filter((e): e is PreparedEntry => !!e);
    for (const e of group) {
      for (const r of e.references) {
        const target = stored.get(r.target);
        if (!target) throw new Error('a reference to an entry that is not stored yet');
        r.object.reference = `${target.type}/${target.logicalId}`;
      }
    }
    const directory = group.filter((e) => isDirectoryType(e.type));
    if (directory.length > 0) {
      let results;
      try {
        results = await writeDirectory(
          scope,
          directory.map((e) => ({
            resourceType: e.type as DirectoryType,
            sourceKey: e.sourceKey,
            logicalId: e.logicalId,
            resource: e.resource,
          })),
        );
      } catch (err) {
        if (err instanceof DirectoryIdConflict) {
          const e = directory.find((d) => d.sourceKey === err.write.sourceKey);
          throw new FhirError(409, [
            issue('conflict', `${e ? `${e.label}: ` : ''}${err.message}`, e ? `${e.base}.identifier` : undefined),
          ]);
        }
        throw err;
      }
      results.forEach((r, k) => note(directory[k], r, null));
    }
    const scheduling = group.filter((e) => isSchedulingType(e.type));
    if (scheduling.length > 0) {
      const results = await writeScheduling(
        scope,
        scheduling.map((e) => ({
          resourceType: e.type as SchedulingType,
          logicalId: e.logicalId ?? '',
          resource: e.resource,
          label: e.label,
          base: e.base,
        })),
      );
      results.forEach((r, k) => note(scheduling[k], r, null));
    }
    const record = group.filter((e) => !isOrganisationType(e.type));
    if (record.length === 0) continue;
    const writes: ResourceWrite[] = record.map((e) => {
      const citizenId = citizens.get(e.index);
      if (!citizenId) throw new Error('patient not matched');
      return {
        citizenId,
        resourceType: e.type as ResourceWrite['resourceType'],
        sourceKey: e.sourceKey,
        logicalId: e.logicalId,
        resource: e.resource as FhirJson,
        attachments: e.attachments,
      };
    });
    let results;
    try {
      results = await writeResources(scope, writes);
    } catch (err) {
      // A unique source key failed: taken by another patient's resource at this organisation (invisible to this
      // transaction, which audited only its own patients), or inserted a moment ago by another request. Which entry
      // it was is found after the rollback (see failure()).
      if ((err as { code?: unknown } | null)?.code === '23505') {
        throw new KeyConflict(record.map((e, i) => ({ entry: e, citizenId: writes[i]?.citizenId ?? '' })));
      }
      if (err instanceof RecordWriteError && err.reason === 'id-conflict') {
        const e = record[writes.indexOf(err.write)];
        throw new FhirError(409, [
          issue('conflict', `${e ? `${e.label}: ` : ''}${err.message}`, e ? `${e.base}.id` : undefined),
        ]);
      }
      if (err instanceof RecordWriteError) {
        const e = record[writes.indexOf(err.write)];
        const where = e ? `${e.label}: ` : '';
        throw new FhirError(409, [
          issue(
            'conflict',
            `${where}this identifier already belongs to a resource of another patient at your organisation`,
            e ? `${e.base}.identifier` : undefined,
          ),
        ]);
      }
      throw err;
    }
    results.forEach((r, k) => note(record[k], r, r.citizenId));
    // Issue 14 (MG-10 sources): a stored MedicationDispense queues (or moves) its 'medicines almost finished' mail.
    const principal = scope.principal;
    if (principal.kind === 'client') {
      const dispenses = results.flatMap((r, k) =>
        r.resourceType === 'MedicationDispense' && r.outcome !== 'unchanged' && writes[k]
          ? [{ id: r.id, citizenId: r.citizenId, resource: writes[k].resource }]
          : [],
      );
      if (dispenses.length > 0) await scheduleAlmostFinished(scope.tx, principal.organisationId, dispenses);
    }
  }
}

function namePatient(reference: ReferenceSite['object'], citizenId: string): void {
  reference.reference = `Patient/${citizenId}`;
  delete reference.identifier;
}

/** The citizen of every record entry, matched within the client's organisation; refuses the whole group otherwise. */
async function matchPatients(
  scope: DataScope,
  entries: PreparedEntry[],
  stored: Map<number, Stored>,
): Promise<Map<number, string>> {
  const byBsn = new Map<string, string | null>();
  const match = async (bsn: string): Promise<string | null> => {
    if (!byBsn.has(bsn)) {
      const index = bsnIndex(scope.keys, bsn as Parameters<typeof bsnIndex>[1]);
      const { rows } = await sql<{ id: string | null }>`select koepel_match_patient(${index}) as id`.execute(scope.tx);
      byBsn.set(bsn, rows[0]?.id ?? null);
    }
    return byBsn.get(bsn) ?? null;
  };
  const citizens = new Map<number, string>();
  const refused: Issue[] = [];
  const noRelationship = 'no patient with this BSN has an active care relationship with your organisation';

  // Patients first: other entries may name them.
  for (const e of entries) {
    if (e.type !== 'Patient' || !e.bsn) continue;
    const id = await match(e.bsn);
    if (id) citizens.set(e.index, id);
    else refused.push(issue('not-found', `${e.label}: ${noRelationship}`, `${e.base}.identifier`));
  }
  for (const e of entries) {
    if (!e.patient) continue;
    const link = e.patient.link;
    const where = `${e.base}.${e.patient.path}`;
    if (link.kind === 'entry') {
      const id = citizens.get(link.entry) ?? stored.get(link.entry)?.citizenId ?? null;
      if (id) citizens.set(e.index, id);
      else if (!refused.length)
        refused.push(issue('not-found', `${e.label}: the Patient it refers to could not be matched`, where));
    } else if (link.kind === 'bsn') {
      const id = await match(link.bsn);
      if (id) citizens.set(e.index, id);
      else refused.push(issue('not-found', `${e.label}: ${noRelationship}`, where));
    } else {
      // The Patient this organisation sent under that id, or the citizen's own id (what stored references name).
      const { rows } = await sql<{
        citizen_id: string;
        resource_id: string;
      }>`select citizen_id, resource_id from koepel_match_patient_id(${link.id})`.execute(scope.tx);
      const row = rows[0];
      if (row) {
        citizens.set(e.index, row.citizen_id);
      } else {
        refused.push(
          issue(
            'not-found',
            `${e.label}: refers to a Patient id your organisation has not sent, or of a patient without an active care relationship with your organisation`,
            where,
          ),
        );
      }
    }
  }
  if (refused.length > 0) throw new PatientRefused(422, refused);
  return citizens;
}

/** Turns an error from a write into the answer; refusals of a patient are audited (after the rollback). */
async function failure(ctx: IngestContext, err: unknown): Promise<IngestResult> {
  if (err instanceof PatientRefused) {
    await ctx
      .run((scope) =>
        scope.audit({
          event: 'fhir.patient.refused',
          action: 'E',
          outcome: 'denied',
          resourceType: 'Patient',
          reason: 'no active care relationship with the organisation',
        }),
      )
      .catch(() => undefined);
  }
  if (err instanceof FhirError) return outcomeResult(err.issues, err.status);
  if (err instanceof KeyConflict) {
    const { writes } = err;
    const taken = await ctx.run(async (scope) => {
      const { rows } = await sql<{ n: number }>`select koepel_source_keys_taken(
          ${writes.map((w) => w.entry.type)}::text[], ${writes.map((w) => w.entry.sourceKey)}::text[],
          ${writes.map((w) => w.citizenId)}::uuid[]) as n`.execute(scope.tx);
      // Or the logical id is another patient's resource's at this organisation.
      const { rows: ids } = await sql<{ n: number }>`select koepel_logical_ids_taken(
          ${writes.map((w) => w.entry.type)}::text[], ${writes.map((w) => w.entry.logicalId ?? '')}::text[],
          ${writes.map((w) => w.citizenId)}::uuid[]) as n`.execute(scope.tx);
      return [...new Set([...rows, ...ids].map((r) => r.n))]
        .map((n) => writes[n - 1]?.entry)
        .filter((e): e is PreparedEntry => !!e);
    });
    if (taken.length > 0) {
      return outcomeResult(
        taken.map((e) =>
          issue(
            'conflict',
            `${e.label}: a resource with this identifier already exists at your organisation for another patient`,
            `${e.base}.identifier`,
          ),
        ),
        409,
      );
    }
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof KeyConflict || code === '23505' || code === '40001' || code === '40P01') {
    return outcomeResult(
      [
        issue(
          'conflict',
          'Another request wrote the same resource at the same moment; nothing was stored. Send it again.',
        ),
      ],
      409,
    );
  }
  throw err;
}
