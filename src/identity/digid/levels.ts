// DigiD levels of assurance. DigiD states the level as a SAML AuthnContextClassRef; OIDC bridges pass it on as
// the ID token's `acr` claim, and the government's MAX bridge also as `loa_authn` with the eIDAS level (Basis and
// Midden are both eIDAS "low"). Koepel's authoritative values are the four SAML URNs; an eIDAS URI is accepted
// only when no known `acr` is present. Health data needs Substantieel or higher (MG-2).

export type DigidLevelKey = 'basis' | 'midden' | 'substantieel' | 'hoog';

export interface DigidLevel {
  key: DigidLevelKey;
  /** The SAML AuthnContextClassRef DigiD uses for this level. */
  acr: string;
  /** The eIDAS level of assurance this DigiD level is notified at. */
  eidas: string;
  /** DigiD's own numbering (10, 20, 25, 30): higher is stronger. */
  rank: number;
}

export const DIGID_LEVELS: readonly DigidLevel[] = [
  {
    key: 'basis',
    acr: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    eidas: 'http://eidas.europa.eu/LoA/low',
    rank: 10,
  },
  {
    key: 'midden',
    acr: 'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
    eidas: 'http://eidas.europa.eu/LoA/low',
    rank: 20,
  },
  {
    key: 'substantieel',
    acr: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard',
    eidas: 'http://eidas.europa.eu/LoA/substantial',
    rank: 25,
  },
  {
    key: 'hoog',
    acr: 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
    eidas: 'http://eidas.europa.eu/LoA/high',
    rank: 30,
  },
];

/** The lowest level Koepel accepts for a citizen login. */
export const MINIMUM_LEVEL: DigidLevel = DIGID_LEVELS[2] as DigidLevel;

export function levelByKey(key: unknown): DigidLevel | null {
  return DIGID_LEVELS.find((l) => l.key === key) ?? null;
}

/**
 * The level stated by an ID token's (or userinfo's) claims, or null when it states none Koepel knows.
 * `acr` with a DigiD SAML URN wins; otherwise `loa_authn` (or `acr`) with an eIDAS URI, mapped to the lowest
 * DigiD level notified at that eIDAS level (so eIDAS "low" counts as Basis).
 */
export function levelFromClaims(claims: Record<string, unknown>): DigidLevel | null {
  const acr = typeof claims.acr === 'string' ? claims.acr : null;
  const byAcr = DIGID_LEVELS.find((l) => l.acr === acr);
  if (byAcr) return byAcr;
  for (const value of [claims.loa_authn, acr]) {
    if (typeof value !== 'string') continue;
    const byEidas = DIGID_LEVELS.find((l) => l.eidas === value);
    if (byEidas) return byEidas;
  }
  return null;
}

export function isSufficient(level: DigidLevel): boolean {
  return level.rank >= MINIMUM_LEVEL.rank;
}
