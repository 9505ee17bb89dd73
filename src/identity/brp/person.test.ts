import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FIXTURE_PERSONS, VARIANT_PERSONS, type BrpPerson } from './fixture-persons.js';
import {
  birthDateColumns,
  birthDateIso,
  birthDateOf,
  fullIsoDate,
  greetingName,
  mayDiscloseBrpData,
  residence,
} from './person.js';

const V = VARIANT_PERSONS;

describe('reading a BRP snapshot of any variant', () => {
  test('[PZ-2] the greeting is the BRP adressering, never a bare surname', () => {
    assert.equal(greetingName(FIXTURE_PERSONS[0] as BrpPerson), 'mevrouw De Vries');
    assert.equal(greetingName(V.onlySurname), 'Van Leeuwen');
    assert.equal(greetingName(V.nobleTitle), 'jonkheer Van Amstel');
    // Without adressering (a snapshot from before it was asked for): the full name, prefix included.
    const old = { ...V.onlySurname, adressering: {} } satisfies BrpPerson;
    assert.equal(greetingName(old), 'van Leeuwen');
    const withAanschrijfwijze = { ...V.onlySurname, adressering: { aanschrijfwijze: { naam: 'van Leeuwen' } } };
    assert.equal(greetingName(withAanschrijfwijze), 'van Leeuwen');
    for (const p of FIXTURE_PERSONS) {
      assert.ok(greetingName(p).includes(p.naam.geslachtsnaam), p.burgerservicenummer);
      // The prefix is never dropped ("Welkom, Vries" for Mevrouw de Vries).
      if (p.naam.voorvoegsel)
        assert.ok(
          greetingName(p).toLowerCase().includes(`${p.naam.voorvoegsel.toLowerCase()} `),
          p.burgerservicenummer,
        );
    }
  });

  test('[PZ-2] dates: only a full date is an ISO date; the clear columns never hold a made-up day', () => {
    assert.equal(fullIsoDate({ type: 'Datum', datum: '1982-04-12', langFormaat: '12 april 1982' }), '1982-04-12');
    assert.equal(fullIsoDate(V.unknownAddress.geboorte.datum), null);
    const full = birthDateColumns({ type: 'Datum', datum: '2001-06-15', langFormaat: '15 juni 2001' });
    assert.deepEqual(full, { birth_date: '2001-06-15', birth_date_precision: 'day' });
    const month = birthDateColumns(V.unknownAddress.geboorte.datum);
    assert.deepEqual(month, { birth_date: '1968-05-01', birth_date_precision: 'month' });
    const year = birthDateColumns(V.locatie.geboorte.datum);
    assert.deepEqual(year, { birth_date: '1950-01-01', birth_date_precision: 'year' });
    const unknown = birthDateColumns(V.onlySurname.geboorte.datum);
    assert.deepEqual(unknown, { birth_date: null, birth_date_precision: 'unknown' });
    // What views and FHIR write: only the known part.
    assert.equal(birthDateIso(birthDateOf(full)), '2001-06-15');
    assert.equal(birthDateIso(birthDateOf(month)), '1968-05');
    assert.equal(birthDateIso(birthDateOf(year)), '1950');
    assert.equal(birthDateIso(birthDateOf(unknown)), null);
  });

  test('[PZ-2] residence: in the Netherlands, abroad, a Locatie, or unknown', () => {
    assert.deepEqual(residence(FIXTURE_PERSONS[0] as BrpPerson), {
      kind: 'address',
      lines: ['Lindelaan 14', '3521 AB Utrecht'],
    });
    assert.deepEqual(residence(V.abroad), {
      kind: 'abroad',
      lines: ['Rue de la Loi 42', '1000 Bruxelles'],
      country: 'België',
    });
    assert.deepEqual(residence(V.locatie), { kind: 'location', lines: ['Woonboot bij de Weerdsluis', 'UTRECHT'] });
    assert.deepEqual(residence(V.unknownAddress), { kind: 'unknown' });
    const noResidence: BrpPerson = {
      ...V.unknownAddress,
      adressering: { adresregel1: 'Postbus 1', adresregel2: '3500 AA  UTRECHT' },
    };
    delete noResidence.verblijfplaats;
    assert.deepEqual(residence(noResidence), { kind: 'address', lines: ['Postbus 1', '3500 AA  UTRECHT'] });
  });

  test('[PZ-2] geheimhouding persoonsgegevens blocks disclosure to third parties; its absence does not', () => {
    assert.equal(mayDiscloseBrpData(V.secret), false);
    for (const p of FIXTURE_PERSONS.filter((x) => x !== V.secret)) assert.equal(mayDiscloseBrpData(p), true);
    assert.equal(mayDiscloseBrpData({ geheimhoudingPersoonsgegevens: false }), true);
  });
});
