// Patient search for staff (ZL-1, PZ-4). Three steps in one transaction under the staff principal:
//   1. koepel_search_patients() (migrations/0002_staff.sql) returns only ids, and only of citizens with a current
//      care relationship with the employee's own organisation (row-level security);
//   2. one audit record per patient that will be shown — the audit trigger then makes that citizen readable;
//   3. only then the names and birth dates are read.
// There is no path to a name that skips step 2: without the audit record the citizen row is invisible.
import { sql } from 'kysely';
import { birthDateOf, displayName, normaliseName, type BirthDate } from '../identity/index.js';
import type { DataScope } from '../platform/http/request-context.js';

export const SEARCH_LIMIT = 50;

export interface SearchCriteria {
  /** Normalised (lower case, no accents); null when not searched by name. */
  name: string | null;
  /**
   * yyyy-mm-dd; null when not searched by birth date. Also finds people whose BRP birth date is partial and agrees
   * with it as far as it is known ("maart 1980" for 15-03-1980), never those whose birth date is unknown: see
   * koepel_search_patients in migrations/0015_birth_date_precision.sql for why.
   */
  born: string | null;
}

export interface PatientHit {
  citizenId: string;
  name: string;
  /** Partial or unknown as the BRP gives it: show it with StaffBirthDate (views.tsx), never as a full date. */
  birthDate: BirthDate;
  patientNumber: string | null;
}

export interface SearchResult {
  hits: PatientHit[];
  /** More patients matched than are shown. */
  more: boolean;
}

export type CriteriaError = 'criteria' | 'name' | 'born';

export interface RawCriteria {
  name: string;
  born: string;
}

/** Checks and normalises what the employee typed. Accepts yyyy-mm-dd (date field) and dd-mm-yyyy (typed). */
export function parseCriteria(
  raw: RawCriteria,
  today = new Date(),
): { ok: true; criteria: SearchCriteria } | { ok: false; errors: CriteriaError[] } {
  const errors: CriteriaError[] = [];
  const nameInput = raw.name.trim();
  const name = nameInput === '' ? null : normaliseName(nameInput);
  if (nameInput !== '' && (nameInput.length > 100 || !name || name.replace(/[^a-z0-9]/g, '').length < 2))
    errors.push('name');

  let born: string | null = null;
  const bornInput = raw.born.trim();
  if (bornInput !== '') {
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(bornInput);
    const dutch = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(bornInput);
    const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : dutch ? [dutch[3], dutch[2], dutch[1]] : [];
    const candidate = y && m && d ? `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}` : null;
    const date = candidate ? new Date(`${candidate}T00:00:00Z`) : null;
    const valid =
      candidate !== null &&
      date !== null &&
      !Number.isNaN(date.getTime()) &&
      date.toISOString().slice(0, 10) === candidate &&
      date.getUTCFullYear() >= 1880 &&
      date.getTime() <= today.getTime();
    if (valid) born = candidate;
    else errors.push('born');
  }
  if (errors.length === 0 && name === null && born === null) errors.push('criteria');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, criteria: { name, born } };
}

export async function searchPatients(
  scope: DataScope,
  criteria: SearchCriteria,
  limit = SEARCH_LIMIT,
): Promise<SearchResult> {
  const { tx } = scope;
  const found = await sql<{ id: string }>`
    select f.id from koepel_search_patients(${criteria.name}, ${criteria.born}::date, ${limit + 1}) with ordinality as f(id, n)
    order by f.n`.execute(tx);
  const ids = found.rows.map((r) => r.id);
  const shown = ids.slice(0, limit);
  const more = ids.length > limit;

  // NEN 7513: the search itself (no criteria: they are personal data), then one record per patient shown.
  await scope.audit(
    {
      event: 'patient.search',
      action: 'R',
      resourceType: 'citizen',
      reason: `results=${shown.length}${more ? '+' : ''}`,
    },
    ...shown.map((id) => ({
      event: 'patient.search.result',
      action: 'R' as const,
      citizenId: id,
      resourceType: 'citizen',
      resourceId: id,
    })),
  );
  if (shown.length === 0) return { hits: [], more: false };

  const people = await patientsById(scope, shown);
  const hits = shown.flatMap((id) => {
    const person = people.get(id);
    return person ? [{ citizenId: id, ...person }] : [];
  });
  return { hits, more };
}

/**
 * The name, birth date and patient number of these patients of the organisation, by citizen id. The caller has
 * written the audit record of each (without it the citizen row is not readable, and the patient is left out).
 */
export async function patientsById(
  scope: DataScope,
  ids: readonly string[],
): Promise<Map<string, Omit<PatientHit, 'citizenId'>>> {
  const rows = await scope.tx
    .selectFrom('citizen as c')
    .innerJoin('care_relationship as r', 'r.citizen_id', 'c.id')
    .select([
      'c.id',
      'c.given_names',
      'c.name_prefix',
      'c.family_name',
      'c.birth_date',
      'c.birth_date_precision',
      'r.patient_number',
    ])
    .where('c.id', 'in', ids)
    .execute();
  return new Map(
    rows.map((r) => [r.id, { name: displayName(r), birthDate: birthDateOf(r), patientNumber: r.patient_number }]),
  );
}
