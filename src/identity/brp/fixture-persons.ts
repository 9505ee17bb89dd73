// Test persons for the embedded fixture BRP and the DigiD simulator, in the Haal Centraal "BRP Personen
// bevragen" 2.x response shape. All BSNs are from the RvIG test set (they pass the 11-test); no real people.
export interface BrpPerson {
  burgerservicenummer: string;
  naam: {
    voornamen: string;
    voorletters: string;
    voorvoegsel?: string;
    geslachtsnaam: string;
    volledigeNaam: string;
  };
  geslacht: { code: 'M' | 'V' | 'O'; omschrijving: 'man' | 'vrouw' | 'onbekend' };
  geboorte: { datum: { type: 'Datum'; datum: string; langFormaat: string } };
  verblijfplaats: {
    type: 'Adres';
    verblijfadres: {
      officieleStraatnaam: string;
      korteStraatnaam: string;
      huisnummer: number;
      huisletter?: string;
      huisnummertoevoeging?: string;
      postcode: string;
      woonplaats: string;
    };
  };
  adressering: { adresregel1: string; adresregel2: string; land: { code: string; omschrijving: string } };
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
  return {
    burgerservicenummer: bsn,
    naam: {
      voornamen,
      voorletters,
      ...(voorvoegsel ? { voorvoegsel } : {}),
      geslachtsnaam,
      volledigeNaam: `${voornamen} ${achternaam}`,
    },
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
      adresregel1: `${straat} ${huisnummer}${toevoeging ? `-${toevoeging}` : ''}`,
      adresregel2: `${postcode.slice(0, 4)} ${postcode.slice(4)}  ${woonplaats.toUpperCase()}`,
      land: { code: '6030', omschrijving: 'Nederland' },
    },
  };
}

export const FIXTURE_PERSONS: readonly BrpPerson[] = [
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
