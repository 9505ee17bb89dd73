// Test persons for the embedded fixture BRP and the DigiD simulator, in the Haal Centraal "BRP Personen
// bevragen" 2.x response shape. All BSNs are from the RvIG test set (they pass the 11-test); no real people.
// Besides five ordinary persons, one person per response variant of the official OpenAPI that Koepel must accept:
// living abroad, address unknown, a `Locatie`, partial and unknown birth dates, only a surname, a noble title, and
// geheimhouding (secrecy) of personal data.

/** The spec's date variants (AbstractDatum: VolledigeDatum, JaarMaandDatum, JaarDatum, DatumOnbekend). */
export type BrpDatum =
  | { type: 'Datum'; datum: string; langFormaat: string }
  | { type: 'JaarMaandDatum'; jaar: number; maand: number; langFormaat: string }
  | { type: 'JaarDatum'; jaar: number; langFormaat: string }
  | { type: 'DatumOnbekend'; onbekend: boolean; langFormaat: string };

export interface BrpWaarde {
  code: string;
  omschrijving: string;
}

export interface BrpVerblijfadresBinnenland {
  officieleStraatnaam: string;
  korteStraatnaam: string;
  huisnummer: number;
  huisletter?: string;
  huisnummertoevoeging?: string;
  postcode: string;
  woonplaats: string;
}

/** The spec's verblijfplaats variants (AbstractVerblijfplaats). */
export type BrpVerblijfplaats =
  | { type: 'Adres'; verblijfadres: BrpVerblijfadresBinnenland }
  | {
      type: 'VerblijfplaatsBuitenland';
      verblijfadres: { regel1?: string; regel2?: string; regel3?: string; land?: BrpWaarde };
    }
  | { type: 'VerblijfplaatsOnbekend' }
  | { type: 'Locatie'; verblijfadres: { locatiebeschrijving?: string } };

/** The BRP snapshot Koepel keeps (encrypted, under the citizen's own key). */
export interface BrpPerson {
  burgerservicenummer: string;
  naam: {
    /** Absent for a person without first names (only a surname). */
    voornamen?: string;
    voorletters?: string;
    voorvoegsel?: string;
    adellijkeTitelPredicaat?: BrpWaarde & { soort?: string };
    geslachtsnaam: string;
    volledigeNaam: string;
  };
  geslacht: { code: 'M' | 'V' | 'O'; omschrijving: 'man' | 'vrouw' | 'onbekend' };
  geboorte: { datum: BrpDatum };
  /** Absent when the BRP gave no residence at all (treated as unknown). */
  verblijfplaats?: BrpVerblijfplaats;
  adressering: {
    /** "Geachte mevrouw De Vries": how to address the person at the top of a letter. */
    aanhef?: string;
    /** The name as written on an envelope, with the form of address for nobility on its own line. */
    aanschrijfwijze?: { naam: string; aanspreekvorm?: string };
    /** "mevrouw De Vries": how to refer to the person in running text. */
    gebruikInLopendeTekst?: string;
    adresregel1?: string;
    adresregel2?: string;
    adresregel3?: string;
    land?: BrpWaarde;
  };
  /**
   * The BRP's indication that personal data must not be given to third parties (maatschappelijke instellingen). The
   * API delivers it unasked, only when true. Kept in the snapshot; see mayDiscloseBrpData (brp/disclosure.ts).
   */
  geheimhoudingPersoonsgegevens?: boolean;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The BRP's own adressering for a person without a noble title, by RvIG's rules: "Geachte mevrouw De Vries" (the
 * prefix capitalised when it begins the name), "S.M. de Vries", "mevrouw De Vries"; without a known gender no
 * "heer"/"mevrouw" but the initials.
 */
export function adresseringFor(
  naam: Pick<BrpPerson['naam'], 'voorletters' | 'voorvoegsel' | 'geslachtsnaam'>,
  geslacht: 'M' | 'V' | 'O',
): Pick<BrpPerson['adressering'], 'aanhef' | 'aanschrijfwijze' | 'gebruikInLopendeTekst'> {
  const achternaam = [naam.voorvoegsel, naam.geslachtsnaam].filter(Boolean).join(' ');
  const aanschrijfnaam = [naam.voorletters, achternaam].filter(Boolean).join(' ');
  const vorm = geslacht === 'M' ? 'heer' : geslacht === 'V' ? 'mevrouw' : null;
  if (!vorm) {
    return {
      aanhef: `Geachte ${aanschrijfnaam}`,
      aanschrijfwijze: { naam: aanschrijfnaam },
      gebruikInLopendeTekst: aanschrijfnaam,
    };
  }
  return {
    aanhef: `Geachte ${vorm} ${capitalise(achternaam)}`,
    aanschrijfwijze: { naam: aanschrijfnaam },
    gebruikInLopendeTekst: `${vorm === 'heer' ? 'de heer' : 'mevrouw'} ${capitalise(achternaam)}`,
  };
}

function person(
  bsn: string,
  voornamen: string,
  voorvoegsel: string | undefined,
  geslachtsnaam: string,
  geslacht: 'M' | 'V',
  datum: string,
  langFormaat: string,
  straat: string,
  huisnummer: number,
  toevoeging: string | undefined,
  postcode: string,
  woonplaats: string,
): BrpPerson {
  const voorletters = voornamen
    .split(' ')
    .map((v) => `${v[0] ?? ''}.`)
    .join('');
  const achternaam = [voorvoegsel, geslachtsnaam].filter(Boolean).join(' ');
  const naam = { voornamen, voorletters, ...(voorvoegsel ? { voorvoegsel } : {}), geslachtsnaam };
  return {
    burgerservicenummer: bsn,
    naam: { ...naam, volledigeNaam: `${voornamen} ${achternaam}` },
    geslacht: geslacht === 'M' ? { code: 'M', omschrijving: 'man' } : { code: 'V', omschrijving: 'vrouw' },
    geboorte: { datum: { type: 'Datum', datum, langFormaat } },
    verblijfplaats: {
      type: 'Adres',
      verblijfadres: {
        officieleStraatnaam: straat,
        korteStraatnaam: straat,
        huisnummer,
        ...(toevoeging ? { huisnummertoevoeging: toevoeging } : {}),
        postcode,
        woonplaats,
      },
    },
    adressering: {
      ...adresseringFor(naam, geslacht),
      adresregel1: `${straat} ${huisnummer}${toevoeging ? `-${toevoeging}` : ''}`,
      adresregel2: `${postcode.slice(0, 4)} ${postcode.slice(4)}  ${woonplaats.toUpperCase()}`,
      land: { code: '6030', omschrijving: 'Nederland' },
    },
  };
}

const ORDINARY_PERSONS: readonly BrpPerson[] = [
  person(
    '999993653',
    'Suzanne Maria',
    'de',
    'Vries',
    'V',
    '1982-04-12',
    '12 april 1982',
    'Lindelaan',
    14,
    undefined,
    '3521AB',
    'Utrecht',
  ),
  person(
    '999990019',
    'Pieter',
    undefined,
    'Bakker',
    'M',
    '1957-09-03',
    '3 september 1957',
    'Kerkstraat',
    2,
    'bis',
    '3511LK',
    'Utrecht',
  ),
  person(
    '999990020',
    'Fatima',
    'El',
    'Amrani',
    'V',
    '1991-01-23',
    '23 januari 1991',
    'Oosterkade',
    88,
    undefined,
    '3582AV',
    'Utrecht',
  ),
  person(
    '999990032',
    'Johannes Hendrik',
    'van den',
    'Berg',
    'M',
    '1948-11-30',
    '30 november 1948',
    'Molenweg',
    7,
    undefined,
    '3431HK',
    'Nieuwegein',
  ),
  person(
    '999990044',
    'Noor',
    undefined,
    'Visser',
    'V',
    '2001-06-15',
    '15 juni 2001',
    'Biltstraat',
    201,
    'A',
    '3572BC',
    'Utrecht',
  ),
];

const NL = { code: '6030', omschrijving: 'Nederland' };

/**
 * One person per response variant Koepel must accept (issue 16). They have no care relationship in the demo seed
 * unless the seed gives them one; the DigiD simulator can log them in like anyone else.
 */
export const VARIANT_PERSONS = {
  /** Lives abroad: verblijfplaats VerblijfplaatsBuitenland, adressering with the foreign address lines. */
  abroad: {
    burgerservicenummer: '999991000',
    naam: { voornamen: 'Anna', voorletters: 'A.', geslachtsnaam: 'Jansen', volledigeNaam: 'Anna Jansen' },
    geslacht: { code: 'V', omschrijving: 'vrouw' },
    geboorte: { datum: { type: 'Datum', datum: '1975-03-08', langFormaat: '8 maart 1975' } },
    verblijfplaats: {
      type: 'VerblijfplaatsBuitenland',
      verblijfadres: {
        regel1: 'Rue de la Loi 42',
        regel2: '1000 Bruxelles',
        land: { code: '5010', omschrijving: 'België' },
      },
    },
    adressering: {
      ...adresseringFor({ voorletters: 'A.', geslachtsnaam: 'Jansen' }, 'V'),
      adresregel1: 'Rue de la Loi 42',
      adresregel2: '1000 Bruxelles',
      land: { code: '5010', omschrijving: 'België' },
    },
  },
  /** Address unknown (VerblijfplaatsOnbekend), and a birth date of which only year and month are known. */
  unknownAddress: {
    burgerservicenummer: '999991012',
    naam: { voornamen: 'Karel', voorletters: 'K.', geslachtsnaam: 'Smit', volledigeNaam: 'Karel Smit' },
    geslacht: { code: 'M', omschrijving: 'man' },
    geboorte: { datum: { type: 'JaarMaandDatum', jaar: 1968, maand: 5, langFormaat: 'mei 1968' } },
    verblijfplaats: { type: 'VerblijfplaatsOnbekend' },
    adressering: { ...adresseringFor({ voorletters: 'K.', geslachtsnaam: 'Smit' }, 'M') },
  },
  /** A `Locatie` (a houseboat or caravan without an address), and only the birth year known (JaarDatum). */
  locatie: {
    burgerservicenummer: '999991024',
    naam: { voornamen: 'Willem', voorletters: 'W.', geslachtsnaam: 'Mulder', volledigeNaam: 'Willem Mulder' },
    geslacht: { code: 'M', omschrijving: 'man' },
    geboorte: { datum: { type: 'JaarDatum', jaar: 1950, langFormaat: '1950' } },
    verblijfplaats: { type: 'Locatie', verblijfadres: { locatiebeschrijving: 'Woonboot bij de Weerdsluis' } },
    adressering: {
      ...adresseringFor({ voorletters: 'W.', geslachtsnaam: 'Mulder' }, 'M'),
      adresregel1: 'Woonboot bij de Weerdsluis',
      adresregel2: 'UTRECHT',
      land: NL,
    },
  },
  /** Only a surname: no first names, no initials; a birth date that is wholly unknown (DatumOnbekend). */
  onlySurname: {
    burgerservicenummer: '999991036',
    naam: { voorvoegsel: 'van', geslachtsnaam: 'Leeuwen', volledigeNaam: 'van Leeuwen' },
    geslacht: { code: 'O', omschrijving: 'onbekend' },
    geboorte: { datum: { type: 'DatumOnbekend', onbekend: true, langFormaat: 'onbekend' } },
    verblijfplaats: {
      type: 'Adres',
      verblijfadres: {
        officieleStraatnaam: 'Nachtegaalstraat',
        korteStraatnaam: 'Nachtegaalstraat',
        huisnummer: 3,
        postcode: '3581AA',
        woonplaats: 'Utrecht',
      },
    },
    adressering: {
      aanhef: 'Geachte Van Leeuwen',
      aanschrijfwijze: { naam: 'van Leeuwen' },
      gebruikInLopendeTekst: 'Van Leeuwen',
      adresregel1: 'Nachtegaalstraat 3',
      adresregel2: '3581 AA  UTRECHT',
      land: NL,
    },
  },
  /** A noble title: the BRP's aanschrijfwijze puts the form of address on its own line. */
  nobleTitle: {
    burgerservicenummer: '999991048',
    naam: {
      voornamen: 'Hendrik',
      voorletters: 'H.',
      voorvoegsel: 'van',
      adellijkeTitelPredicaat: { code: 'JH', omschrijving: 'jonkheer', soort: 'predicaat' },
      geslachtsnaam: 'Amstel',
      volledigeNaam: 'Hendrik jonkheer van Amstel',
    },
    geslacht: { code: 'M', omschrijving: 'man' },
    geboorte: { datum: { type: 'Datum', datum: '1939-12-01', langFormaat: '1 december 1939' } },
    verblijfplaats: {
      type: 'Adres',
      verblijfadres: {
        officieleStraatnaam: 'Maliebaan',
        korteStraatnaam: 'Maliebaan',
        huisnummer: 50,
        postcode: '3581CS',
        woonplaats: 'Utrecht',
      },
    },
    adressering: {
      aanhef: 'Hoogwelgeboren heer',
      aanschrijfwijze: { naam: 'H. van Amstel', aanspreekvorm: 'De hoogwelgeboren heer' },
      gebruikInLopendeTekst: 'jonkheer Van Amstel',
      adresregel1: 'Maliebaan 50',
      adresregel2: '3581 CS  UTRECHT',
      land: NL,
    },
  },
  /** Geheimhouding persoonsgegevens: her data may not be given to third parties. */
  secret: {
    burgerservicenummer: '999991061',
    naam: { voornamen: 'Eva', voorletters: 'E.', geslachtsnaam: 'Bos', volledigeNaam: 'Eva Bos' },
    geslacht: { code: 'V', omschrijving: 'vrouw' },
    geboorte: { datum: { type: 'Datum', datum: '1988-07-19', langFormaat: '19 juli 1988' } },
    verblijfplaats: {
      type: 'Adres',
      verblijfadres: {
        officieleStraatnaam: 'Voorstraat',
        korteStraatnaam: 'Voorstraat',
        huisnummer: 12,
        postcode: '3512AP',
        woonplaats: 'Utrecht',
      },
    },
    adressering: {
      ...adresseringFor({ voorletters: 'E.', geslachtsnaam: 'Bos' }, 'V'),
      adresregel1: 'Voorstraat 12',
      adresregel2: '3512 AP  UTRECHT',
      land: NL,
    },
    geheimhoudingPersoonsgegevens: true,
  },
} satisfies Record<string, BrpPerson>;

/** Every person the fixture BRP holds: the ordinary five first, then one per response variant. */
export const FIXTURE_PERSONS: readonly BrpPerson[] = [...ORDINARY_PERSONS, ...Object.values(VARIANT_PERSONS)];
