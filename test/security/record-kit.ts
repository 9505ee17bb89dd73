// Arranging record data below HTTP for the security and property tests: fresh organisations (with a data key),
// citizens with valid BSNs, staff, API clients, and a DataScope for a principal (what req.withData hands a route).
// Everything here runs as the database owner except scopeOf, which is used inside withPrincipal.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { writeAudit, NO_ACCESS_POINT } from '../../src/platform/audit/audit.js';
import type { KeyStore } from '../../src/platform/crypto/keys.js';
import type { Principal, Tx } from '../../src/platform/db/principal.js';
import type { DB, RecordCategory, StaffRole } from '../../src/platform/db/schema.js';
import type { DataScope } from '../../src/platform/http/request-context.js';
import type { BrpPerson } from '../../src/identity/brp/fixture-persons.js';
import { insertCitizen } from '../../src/identity/citizens.js';
import { parseBsn } from '../../src/identity/bsn.js';

export type ClientPrincipal = Extract<Principal, { kind: 'client' }>;
export type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;
export type CitizenPrincipal = Extract<Principal, { kind: 'citizen' }>;

/** What a route gets from req.withData: the transaction, the principal, the keys and an audit writer. */
export function scopeOf(tx: Tx, principal: Principal, keys: KeyStore): DataScope {
  return { tx, principal, keys, audit: (...events) => writeAudit(tx, principal, NO_ACCESS_POINT, events) };
}

/** One audit record per citizen, so that this transaction may see their rows (koepel_audited). */
export function auditRead(tx: Tx, principal: Principal, citizenIds: readonly string[]): Promise<void> {
  return writeAudit(
    tx,
    principal,
    NO_ACCESS_POINT,
    citizenIds.map((citizenId) => ({ event: 'test.read', action: 'R' as const, citizenId })),
  );
}

// BSNs: 8 digits from a counter that starts at a random point (unique within a process, and far from the RvIG
// test set 9999xxxxx the demo uses), completed with the digit that makes the 11-test pass.
let bsnCounter = 10_000_000 + randomInt(0, 70_000_000);
export function nextBsn(): string {
  for (;;) {
    const prefix = String(bsnCounter++).padStart(8, '0');
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += (9 - i) * Number(prefix[i]);
    const check = sum % 11; // sum - check ≡ 0 (mod 11)
    if (check > 9) continue;
    const bsn = `${prefix}${check}`;
    if (parseBsn(bsn) !== bsn) throw new Error('BSN generator broken');
    return bsn;
  }
}

export function testPerson(bsn: string, givenName: string, familyName: string): BrpPerson {
  return {
    burgerservicenummer: bsn,
    naam: {
      voornamen: givenName,
      voorletters: `${givenName[0] ?? 'X'}.`,
      geslachtsnaam: familyName,
      volledigeNaam: `${givenName} ${familyName}`,
    },
    geslacht: { code: 'V', omschrijving: 'vrouw' },
    geboorte: { datum: { type: 'Datum', datum: '1980-05-17', langFormaat: '17 mei 1980' } },
    verblijfplaats: {
      type: 'Adres',
      verblijfadres: {
        officieleStraatnaam: 'Proefstraat',
        korteStraatnaam: 'Proefstraat',
        huisnummer: 1,
        postcode: '1234AB',
        woonplaats: 'Utrecht',
      },
    },
    adressering: {
      adresregel1: 'Proefstraat 1',
      adresregel2: '1234 AB  UTRECHT',
      land: { code: '6030', omschrijving: 'Nederland' },
    },
  };
}

export async function newCitizen(
  db: Kysely<DB>,
  keys: KeyStore,
  bsn = nextBsn(),
  name: [string, string] = ['Proef', 'Persoon'],
): Promise<{ id: string; bsn: string }> {
  const id = await db.transaction().execute((tx) => insertCitizen(tx, keys, testPerson(bsn, name[0], name[1])));
  return { id, bsn };
}

export async function newPortal(db: Kysely<DB>, label: string): Promise<string> {
  const row = await db
    .insertInto('portal')
    .values({
      slug: `t-${label}`
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .slice(0, 40),
      name: `Testportaal ${label}`,
      support_email: 'support@test.example',
      dpo_name: 'FG',
      dpo_email: 'fg@test.example',
      privacy_statement_updated_on: '2026-01-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An organisation with its data key, in the given portals, offering the given categories. */
export async function newOrganisation(
  db: Kysely<DB>,
  keys: KeyStore,
  name: string,
  portals: readonly string[],
  categories?: readonly RecordCategory[],
): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('organisation')
      .values({ name, kind: 'gp', ...(categories ? { record_categories: [...categories] } : {}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const key = keys.createKey({ kind: 'organisation', id: row.id });
    await tx
      .insertInto('organisation_key')
      .values({ organisation_id: row.id, version: key.version, wrapped: key.wrapped })
      .execute();
    for (const portalId of portals) {
      await tx.insertInto('portal_organisation').values({ portal_id: portalId, organisation_id: row.id }).execute();
    }
    return row.id;
  });
}

export async function newClient(db: Kysely<DB>, organisationId: string): Promise<ClientPrincipal> {
  const row = await db
    .insertInto('api_client')
    .values({
      organisation_id: organisationId,
      name: 'test system',
      client_id: `kc_${randomBytes(12).toString('hex')}`,
      secret_hash: randomBytes(32),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { kind: 'client', clientId: row.id, organisationId };
}

/** A staff account with a membership; the principal carries exactly `permissions` (what RLS checks). */
export async function newStaff(
  db: Kysely<DB>,
  organisationId: string,
  permissions: readonly string[],
  displayName = `Medewerker ${randomUUID().slice(0, 8)}`,
  role: StaffRole = 'doctor',
): Promise<StaffPrincipal> {
  const account = await db
    .insertInto('staff_account')
    .values({
      email: `${randomUUID()}@test.example`,
      display_name: displayName,
      password_hash: 'not-a-login-account',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('membership')
    .values({ staff_id: account.id, organisation_id: organisationId, role, permissions: [...permissions] })
    .execute();
  return { kind: 'staff', staffId: account.id, organisationId, role, permissions: [...permissions] };
}

export async function relate(
  db: Kysely<DB>,
  organisationId: string,
  citizenId: string,
  dates: { startedOn?: string; endedOn?: string | null } = {},
): Promise<string> {
  const row = await db
    .insertInto('care_relationship')
    .values({
      organisation_id: organisationId,
      citizen_id: citizenId,
      started_on: dates.startedOn ?? '2020-01-01',
      ended_on: dates.endedOn ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A date `days` from today as YYYY-MM-DD (local calendar day, as PostgreSQL's current_date in tests). */
export function dayFromToday(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
