// Citizens as Koepel stores them: BSN encrypted under the citizen's own key with a blind index for lookup, the
// BRP snapshot encrypted, and only name and birth date in the clear (so staff can find their own patients).
import { randomUUID } from 'node:crypto';
import type { KeyStore } from '../platform/crypto/keys.js';
import type { Tx } from '../platform/db/principal.js';
import type { BrpPerson } from './brp/fixture-persons.js';
import { birthDateColumns } from './brp/person.js';
import { parseBsn, type Bsn } from './bsn.js';

export const BSN_INDEX_DOMAIN = 'bsn';

/** Lower case, accents removed, single spaces: what staff search compares against. */
export function normaliseName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9' -]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function bsnIndex(keys: KeyStore, bsn: Bsn): Buffer {
  return keys.blindIndex(BSN_INDEX_DOMAIN, bsn);
}

export const aad = {
  bsn: (citizenId: string) => `citizen.bsn:${citizenId}`,
  brp: (citizenId: string) => `citizen.brp:${citizenId}`,
  email: (citizenId: string) => `citizen.email:${citizenId}`,
  phone: (citizenId: string) => `citizen.phone:${citizenId}`,
};

/** The BRP columns kept in the clear: names and birth date with its precision (staff search their own patients by them). */
export function nameColumns(person: BrpPerson) {
  const n = person.naam;
  return {
    family_name: n.geslachtsnaam,
    name_prefix: n.voorvoegsel ?? null,
    // A person without first names has none ('' in the column, never a guess).
    given_names: n.voornamen ?? '',
    search_name: normaliseName([n.voornamen, n.voorvoegsel, n.geslachtsnaam].filter(Boolean).join(' ')),
    // A partial birth date keeps its first possible day with its precision (month, year); an unknown one is null.
    ...birthDateColumns(person.geboorte.datum),
  };
}

/** Inserts a citizen and their data key; the principal must be allowed to (the demo seed runs as owner). */
export async function insertCitizen(tx: Tx, keys: KeyStore, person: BrpPerson): Promise<string> {
  const bsn = parseBsn(person.burgerservicenummer);
  if (!bsn) throw new Error('refusing a BSN that fails the 11-test');
  const id = randomUUID();
  const key = keys.createKey({ kind: 'citizen', id });
  await tx
    .insertInto('citizen')
    .values({
      id,
      bsn_index: bsnIndex(keys, bsn),
      bsn_ciphertext: keys.encryptWith(key, bsn, aad.bsn(id)),
      ...nameColumns(person),
      brp_ciphertext: keys.encryptWith(key, JSON.stringify(person), aad.brp(id)),
      brp_fetched_at: new Date(),
    })
    .execute();
  await tx.insertInto('citizen_key').values({ citizen_id: id, version: key.version, wrapped: key.wrapped }).execute();
  return id;
}

/** The BRP snapshot sealed under the citizen's own key: needs a principal that reads that key (the citizen). */
export async function sealBrpSnapshot(tx: Tx, keys: KeyStore, citizenId: string, person: BrpPerson): Promise<Buffer> {
  return keys.encrypt(tx, { kind: 'citizen', id: citizenId }, JSON.stringify(person), aad.brp(citizenId));
}

/**
 * Replaces the BRP columns after a fresh BRP lookup at login (PZ-2). The database lets only the login flow's system
 * principal ('citizen-login'), after an audit record naming the citizen, write these columns (migration 0013).
 */
export async function writeBrpSnapshot(tx: Tx, citizenId: string, person: BrpPerson, sealed: Buffer): Promise<void> {
  const result = await tx
    .updateTable('citizen')
    .set({ ...nameColumns(person), brp_ciphertext: sealed, brp_fetched_at: new Date() })
    .where('id', '=', citizenId)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) throw new Error('the BRP snapshot was not written');
}

export async function readBrpSnapshot(
  tx: Tx,
  keys: KeyStore,
  citizenId: string,
  ciphertext: Uint8Array,
): Promise<BrpPerson> {
  return JSON.parse(
    await keys.decrypt(tx, { kind: 'citizen', id: citizenId }, ciphertext, aad.brp(citizenId)),
  ) as BrpPerson;
}

export function displayName(c: { given_names: string; name_prefix: string | null; family_name: string }): string {
  return [c.given_names, c.name_prefix, c.family_name].filter(Boolean).join(' ');
}
