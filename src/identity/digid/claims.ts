// What Koepel accepts from a DigiD bridge's claims: a level of Substantieel or higher (MG-2), then a BSN that passes
// the 11-test. The level is checked first, so that a refused login never even handles the BSN.
import { parseBsn, type Bsn } from '../bsn.js';
import { isSufficient, levelFromClaims, type DigidLevel } from './levels.js';

export type ClaimsCheck =
  | { ok: true; bsn: Bsn; level: DigidLevel }
  | { ok: false; reason: 'level-too-low'; level: DigidLevel | null }
  /** no-bsn: the bridge sent none at all; invalid-bsn: one that fails the 11-test or is not nine digits. */
  | { ok: false; reason: 'no-bsn' | 'invalid-bsn'; level: DigidLevel };

export function checkDigidClaims(claims: Record<string, unknown>): ClaimsCheck {
  const level = levelFromClaims(claims);
  if (!level || !isSufficient(level)) return { ok: false, reason: 'level-too-low', level };
  if (claims.bsn === undefined || claims.bsn === null || claims.bsn === '') {
    return { ok: false, reason: 'no-bsn', level };
  }
  const bsn = parseBsn(claims.bsn);
  if (!bsn) return { ok: false, reason: 'invalid-bsn', level };
  return { ok: true, bsn, level };
}
