// How Koepel reads a BRP snapshot whatever variant the BRP answered with: the name to greet a person by (the BRP's
// own adressering), a birth date that may be partial or unknown, a residence that may be abroad, a `Locatie` or
// unknown, and whether the person's data may be disclosed to third parties (geheimhoudingPersoonsgegevens).
import type { BrpDatum, BrpPerson } from './fixture-persons.js';

/**
 * The name to greet and address a person by in running text ("Welkom, mevrouw De Vries"): the BRP's
 * gebruikInLopendeTekst, else its aanschrijfwijze, else the full name. Never a bare surname without its prefix.
 */
export function greetingName(p: BrpPerson): string {
  const a = p.adressering;
  return a.gebruikInLopendeTekst ?? a.aanschrijfwijze?.naam ?? p.naam.volledigeNaam;
}

/** The ISO date when the whole date is known, else null (JaarMaandDatum, JaarDatum, DatumOnbekend). */
export function fullIsoDate(d: BrpDatum): string | null {
  return d.type === 'Datum' ? d.datum : null;
}

/** How much of a birth date is known (the column citizen.birth_date_precision, migration 0015). */
export type BirthDatePrecision = 'day' | 'month' | 'year' | 'unknown';

/**
 * A birth date as the clear columns keep it: `date` is the whole date ('day'), the first day of the known month
 * ('month') or year ('year'), and null when the date is unknown. Whoever shows it shows only the known part.
 */
export interface BirthDate {
  date: string | null;
  precision: BirthDatePrecision;
}

/**
 * The clear birth date columns (staff search, sorting) for a BRP date: never a made-up day. A partial date keeps its
 * first possible day (so that lists sort it in a sensible place) with the precision saying what is known.
 */
export function birthDateColumns(d: BrpDatum): { birth_date: string | null; birth_date_precision: BirthDatePrecision } {
  const year = (y: number) => String(y).padStart(4, '0');
  switch (d.type) {
    case 'Datum':
      return { birth_date: d.datum, birth_date_precision: 'day' };
    case 'JaarMaandDatum':
      return { birth_date: `${year(d.jaar)}-${String(d.maand).padStart(2, '0')}-01`, birth_date_precision: 'month' };
    case 'JaarDatum':
      return { birth_date: `${year(d.jaar)}-01-01`, birth_date_precision: 'year' };
    case 'DatumOnbekend':
      return { birth_date: null, birth_date_precision: 'unknown' };
  }
}

/** The birth date of a citizen row (its two clear columns) as one value. */
export function birthDateOf(row: { birth_date: string | null; birth_date_precision: BirthDatePrecision }): BirthDate {
  return { date: row.birth_date, precision: row.birth_date_precision };
}

/**
 * The machine-readable form of what is known: yyyy-mm-dd, yyyy-mm or yyyy (as HTML's <time datetime> and FHIR's
 * `date` both write a partial date); null when unknown.
 */
export function birthDateIso(b: BirthDate): string | null {
  if (b.date === null) return null;
  switch (b.precision) {
    case 'day':
      return b.date;
    case 'month':
      return b.date.slice(0, 7);
    case 'year':
      return b.date.slice(0, 4);
    case 'unknown':
      return null;
  }
}

export type Residence =
  | { kind: 'address'; lines: string[] }
  | { kind: 'abroad'; lines: string[]; country: string | null }
  | { kind: 'location'; lines: string[] }
  | { kind: 'unknown' };

/** Where the BRP says the person lives, as lines to show. */
export function residence(p: BrpPerson): Residence {
  const v = p.verblijfplaats;
  switch (v?.type) {
    case 'Adres': {
      const a = v.verblijfadres;
      const addition = [a.huisletter, a.huisnummertoevoeging].filter(Boolean).join(' ');
      const postcode = /^\d{4}[A-Z]{2}$/.test(a.postcode)
        ? `${a.postcode.slice(0, 4)} ${a.postcode.slice(4)}`
        : a.postcode;
      return {
        kind: 'address',
        lines: [`${a.korteStraatnaam} ${a.huisnummer}${addition ? ` ${addition}` : ''}`, `${postcode} ${a.woonplaats}`],
      };
    }
    case 'VerblijfplaatsBuitenland': {
      const a = v.verblijfadres;
      const lines = [a.regel1, a.regel2, a.regel3].filter((l): l is string => Boolean(l));
      return { kind: 'abroad', lines, country: a.land?.omschrijving ?? null };
    }
    case 'Locatie': {
      const lines = [v.verblijfadres.locatiebeschrijving, p.adressering.adresregel2].filter((l): l is string =>
        Boolean(l),
      );
      return { kind: 'location', lines };
    }
    default: {
      // No (usable) residence, but the BRP's own address lines: show those rather than nothing.
      const a = p.adressering;
      const lines = [a.adresregel1, a.adresregel2, a.adresregel3].filter((l): l is string => Boolean(l));
      return lines.length > 0 ? { kind: 'address', lines } : { kind: 'unknown' };
    }
  }
}

/**
 * Whether this person's BRP data may be given to a third party (an app, another organisation, anything outside
 * the person herself and her care providers in Koepel). False when the BRP says geheimhoudingPersoonsgegevens:
 * "persoonsgegevens mogen niet worden verstrekt aan derden". Every path that hands BRP fields (name, address,
 * birth date, gender, BSN from the snapshot) to a third-party service must ask this first.
 */
export function mayDiscloseBrpData(p: Pick<BrpPerson, 'geheimhoudingPersoonsgegevens'>): boolean {
  return p.geheimhoudingPersoonsgegevens !== true;
}
