// For tests: an API client with a known secret, a token from the real token endpoint, FHIR requests over HTTP,
// the fixture Bundles, and row counts to prove that a refused request stored nothing. Not imported by the app.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { NO_ACCESS_POINT, writeAudit } from '../platform/audit/audit.js';
import type { KeyStore } from '../platform/crypto/keys.js';
import { withPrincipal, type Principal } from '../platform/db/principal.js';
import type { DB } from '../platform/db/schema.js';
import { readResources, type StoredResource } from '../record/store.js';

export interface TestApiClient {
  /** api_client.id */
  id: string;
  clientId: string;
  secret: string;
  organisationId: string;
  principal: Extract<Principal, { kind: 'client' }>;
}

export async function createApiClient(
  db: Kysely<DB>,
  organisationId: string,
  name = 'test system',
): Promise<TestApiClient> {
  const secret = randomBytes(32).toString('base64url');
  const clientId = `kc_${randomBytes(18).toString('base64url')}`;
  const row = await db
    .insertInto('api_client')
    .values({
      organisation_id: organisationId,
      name,
      client_id: clientId,
      secret_hash: createHash('sha256').update(secret, 'utf8').digest(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    clientId,
    secret,
    organisationId,
    principal: { kind: 'client', clientId: row.id, organisationId },
  };
}

export interface TokenResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POST /fhir/token with the given form fields and headers. */
export async function tokenRequest(
  base: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<TokenResponse> {
  const res = await fetch(`${base}/fhir/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, headers: res.headers, body };
}

export function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export async function tokenFor(base: string, client: { clientId: string; secret: string }): Promise<string> {
  const r = await tokenRequest(
    base,
    { grant_type: 'client_credentials' },
    { authorization: basic(client.clientId, client.secret) },
  );
  if (r.status !== 200 || typeof r.body.access_token !== 'string') throw new Error(`token request failed: ${r.status}`);
  return r.body.access_token;
}

export interface FhirResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function fhir(
  base: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/fhir+json',
): Promise<FhirResponse> {
  const headers: Record<string, string> = { accept: 'application/fhir+json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const fixtureDir = new URL('../../test/fixtures/fhir/', import.meta.url);

export function fixture(name: 'gp-bundle.json' | 'pharmacy-bundle.json' | 'hospital-bundle.json'): unknown {
  return JSON.parse(readFileSync(new URL(name, fixtureDir), 'utf8')) as unknown;
}

/** The same Bundle with other urn:uuid fullUrls (senders generate new ones for every message). */
export function withFreshUuids<T>(bundle: T, salt: string): T {
  return JSON.parse(
    JSON.stringify(bundle).replace(/urn:uuid:([0-9a-f]{8})-/g, `urn:uuid:${salt.slice(0, 8).padEnd(8, '0')}-`),
  ) as T;
}

export const RECORD_TABLES = ['record_resource', 'record_attachment', 'record_event', 'directory_resource'] as const;

/** Rows per record table (as the owner: all organisations). */
export async function countRows(db: Kysely<DB>): Promise<Record<(typeof RECORD_TABLES)[number], number>> {
  const out = {} as Record<(typeof RECORD_TABLES)[number], number>;
  for (const t of RECORD_TABLES) {
    const row = await db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(row.n);
  }
  return out;
}

/** What a principal (client or staff) sees of one citizen, after auditing like the app does. */
export async function readAs(
  db: Kysely<DB>,
  keys: KeyStore,
  principal: Principal,
  citizenId: string,
): Promise<StoredResource[]> {
  return withPrincipal(db, principal, async (tx) => {
    await writeAudit(tx, principal, NO_ACCESS_POINT, [{ event: 'test.read', action: 'R', citizenId }]);
    return readResources({ tx, keys }, { citizenId });
  });
}
