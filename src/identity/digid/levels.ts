// DigiD levels of assurance, and how Koepel reads them from a DigiD bridge's claims.
//
// DigiD states the level as a SAML AuthnContextClassRef. OIDC bridges pass it on in one of two claims, in one of two
// forms: the government's MAX bridge (minvws/nl-rdo-max) puts the AuthnContextClassRef of DigiD's SAML response as it
// is into `loa_authn` (its DigiD mock sends the eIDAS URI `http://eidas.europa.eu/LoA/substantial` there instead);
// other bridges (and Koepel's simulator) put it in the ID token's `acr`. So both claims are read, each as either form,
// with this one table:
//
// | DigiD level  | SAML AuthnContextClassRef (acr or loa_authn)                        | eIDAS URI (acr or loa_authn)            | rank |
// |--------------|---------------------------------------------------------------------|-----------------------------------------|------|
// | Basis        | urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport   | http://eidas.europa.eu/LoA/low          | 10   |
// | Midden       | urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract      | (eIDAS low: read as Basis)              | 20   |
// | Substantieel | urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard                    | http://eidas.europa.eu/LoA/substantial  | 25   |
// | Hoog         | urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI                 | http://eidas.europa.eu/LoA/high         | 30   |
//
// Rules: values are compared exactly (a string, case as written); anything else in a claim is ignored, as if the claim
// were absent. An eIDAS URI alone means the lowest DigiD level notified at it (eIDAS "low" is Basis). When both claims
// state a known level: a SAML class and the eIDAS URI of that same class (e.g. Midden and eIDAS low) agree, and the
// SAML class counts, being the more precise; otherwise the LOWER level counts (a bridge that contradicts itself does
// not get the benefit of the doubt). No known level at all is "unknown", and refused like a low one.
// Health data needs Substantieel or higher (MG-2).

export type DigidLevelKey = 'basis' | 'midden' | 'substantieel' | 'hoog';

export interface DigidLevel {
  key: DigidLevelKey;
  /** The SAML AuthnContextClassRef DigiD uses for this level (what bridges send as `acr` or `loa_authn`). */
  acr: string;
  /** The eIDAS level of assurance this DigiD level is notified at (Basis and Midden are both "low"). */
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

/** The claims a bridge may state the level in. */
export const LEVEL_CLAIMS = ['acr', 'loa_authn'] as const;

/**
 * Every value Koepel accepts in `acr` or `loa_authn`, and the level it means: the table above, as a map. An eIDAS
 * URI maps to the LOWEST DigiD level notified at it (eIDAS "low" is Basis, never Midden).
 */
export const LEVEL_VALUES: ReadonlyMap<string, DigidLevel> = (() => {
  const map = new Map<string, DigidLevel>();
  for (const level of DIGID_LEVELS) {
    map.set(level.acr, level);
    if (!map.has(level.eidas)) map.set(level.eidas, level);
  }
  return map;
})();

/** The lowest level Koepel accepts for a citizen login. */
export const MINIMUM_LEVEL: DigidLevel = DIGID_LEVELS[2] as DigidLevel;

export function levelByKey(key: unknown): DigidLevel | null {
  return DIGID_LEVELS.find((l) => l.key === key) ?? null;
}

/** One claim value as a level: a SAML class or an eIDAS URI from the table, or null. */
export function levelFromValue(value: unknown): DigidLevel | null {
  return typeof value === 'string' ? (LEVEL_VALUES.get(value) ?? null) : null;
}

/**
 * The level stated by an ID token's (with userinfo's) claims, or null when it states none Koepel knows:
 * `acr` and `loa_authn`, each a SAML class or an eIDAS URI. When both are known: the SAML class if the other is its
 * own eIDAS URI, else the lower of the two.
 */
export function levelFromClaims(claims: Record<string, unknown>): DigidLevel | null {
  const stated = LEVEL_CLAIMS.flatMap((name) => {
    const value = claims[name];
    const level = levelFromValue(value);
    return level ? [{ level, value: value as string, saml: value === level.acr }] : [];
  });
  const [a, b] = stated;
  if (!a) return null;
  if (!b) return a.level;
  if (a.saml && !b.saml && a.level.eidas === b.value) return a.level;
  if (b.saml && !a.saml && b.level.eidas === a.value) return b.level;
  return a.level.rank <= b.level.rank ? a.level : b.level;
}

export function isSufficient(level: DigidLevel): boolean {
  return level.rank >= MINIMUM_LEVEL.rank;
}
