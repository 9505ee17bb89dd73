// Looks up demo rows by their natural names (as the owner) and builds principals for SQL-level tests.
import type { Kysely } from 'kysely';
import { bsnIndex } from '../../src/identity/citizens.js';
import { parseBsn } from '../../src/identity/bsn.js';
import type { KeyStore } from '../../src/platform/crypto/keys.js';
import type { Principal } from '../../src/platform/db/principal.js';
import type { DB } from '../../src/platform/db/schema.js';
import { ROLE_DEFAULTS } from '../../src/platform/auth/permissions.js';

export async function orgId(db: Kysely<DB>, name: string): Promise<string> {
  return (await db.selectFrom('organisation').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

export async function citizenId(db: Kysely<DB>, keys: KeyStore, bsn: string): Promise<string> {
  const valid = parseBsn(bsn);
  if (!valid) throw new Error('test BSN fails the 11-test');
  return (
    await db.selectFrom('citizen').select('id').where('bsn_index', '=', bsnIndex(keys, valid)).executeTakeFirstOrThrow()
  ).id;
}

export async function staffPrincipal(
  db: Kysely<DB>,
  email: string,
  extra: string[] = [],
): Promise<Extract<Principal, { kind: 'staff' }>> {
  const row = await db
    .selectFrom('staff_account as a')
    .innerJoin('membership as m', 'm.staff_id', 'a.id')
    .select(['a.id', 'm.organisation_id', 'm.role'])
    .where('a.email', '=', email)
    .executeTakeFirstOrThrow();
  return {
    kind: 'staff',
    staffId: row.id,
    organisationId: row.organisation_id,
    role: row.role,
    permissions: [...ROLE_DEFAULTS[row.role], ...extra],
  };
}

export const DEMO = {
  gp: 'Huisartsenpraktijk De Linde',
  pharmacy: 'Apotheek Centrum',
  hospital: 'Rivierenland Ziekenhuis',
  physio: 'Fysiotherapie Beweegwijs',
  team: 'Buurtteam Oost (gemeente Utrecht)',
  suzanne: '999993653', // GP, pharmacy, hospital
  pieter: '999990019', // GP, pharmacy, physio
  fatima: '999990020', // GP, neighbourhood team
  johannes: '999990032', // hospital, pharmacy, physio; GP relationship ended
  noor: '999990044', // no care relationship
} as const;
