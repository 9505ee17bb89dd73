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

/**
 * The date for the clear `birth_date` column (a `date not null`, used by staff search and sorting): the full date,
 * else the first day the partial date can mean; 1900-01-01 when it is wholly unknown. Views show the BRP's own
 * langFormaat from the snapshot instead where the date is not complete.
 */
export function birthDateColumn(d: BrpDatum): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  switch (d.type) {
    case 'Datum':
      return d.datum;
    case 'JaarMaandDatum':
      return `${String(d.jaar).padStart(4, '0')}-${pad(d.maand)}-01`;
    case 'JaarDatum':
      return `${String(d.jaar).padStart(4, '0')}-01-01`;
    case 'DatumOnbekend':
      return '1900-01-01';
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
