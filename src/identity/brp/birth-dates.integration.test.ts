// Partial and unknown birth dates (issue 16, migration 0015), through HTTP: a person the BRP knows as born "mei 1968"
// (JaarMaandDatum), "1950" (JaarDatum) or on an unknown date (DatumOnbekend) logs in with DigiD; the login's fresh BRP
// answer writes the birth date with how much of it is known; then the GP's staff see only what is known — in the
// search results, the record page and the record requests list — and search by birth date finds full dates exactly and
// partial dates only where they agree. The citizen's own FHIR Patient carries the FHIR partial date forms.
// Before: the clear column held a made-up first day (01-05-1968, 01-01-1950) or 01-01-1900, and staff saw it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { csrfFrom, HttpClient, type Response } from '../../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../../test/support/principals.js';
import { loginStaff } from '../../staff/login.testkit.js';
import { loginWithDigid } from '../digid/test-driver.js';
import { VARIANT_PERSONS } from './fixture-persons.js';

const V = VARIANT_PERSONS;
const GP_DOCTOR = 'huisarts@delinde.example';
/** The three persons of the fixture BRP with a birth date that is not whole (all GP patients in the demo seed). */
const MONTH = V.unknownAddress; // Karel Smit, "mei 1968"
const YEAR = V.locatie; // Willem Mulder, "1950"
const UNKNOWN = V.onlySurname; // van Leeuwen, unknown
const FULL = V.abroad; // Anna Jansen, 8 maart 1975

type Json = Record<string, unknown>;

/** The result table's rows as [name, birth date cell]. */
function rowsOf(page: Response): [string, string][] {
  return [
    ...page.text.matchAll(
      /<th scope="row"[^>]*>(?:<a class="utrecht-link" href="[^"]*">|<span>)([^<]+)(?:<\/a>|<\/span>)<\/th>\s*<td[^>]*>(.*?)<\/td>/gs,
    ),
  ].map((m) => [m[1] ?? '', m[2] ?? '']);
}

describe('[PZ-2] partial and unknown birth dates', () => {
  let k: TestKoepel;
  let staff: { client: HttpClient; csrf: string };
  const ids = new Map<string, string>();

  before(async () => {
    k = await startKoepel();
    for (const p of [MONTH, YEAR, UNKNOWN, FULL])
      ids.set(p.burgerservicenummer, await citizenId(k.db, k.koepel.keys, p.burgerservicenummer));
    const { client, page } = await loginStaff(k.url, GP_DOCTOR);
    staff = { client, csrf: csrfFrom(page.text) };
  });
  after(async () => {
    await k.close();
  });

  const idOf = (bsn: string) => ids.get(bsn) ?? '';
  const search = (form: { name?: string; born?: string }) =>
    staff.client.post('/staff/patients/search', { _csrf: staff.csrf, name: form.name ?? '', born: form.born ?? '' });

  async function logIn(bsn: string): Promise<HttpClient> {
    const c = new HttpClient(k.url);
    const login = await loginWithDigid(c, bsn);
    assert.equal(login.status, 303);
    assert.equal(login.location, '/home');
    return c;
  }

  test('[PZ-2] the login writes a partial or unknown BRP birth date with its precision, never a made-up day', async () => {
    // As the owner: the row as the code before migration 0015 left it (a made-up day, believed to be whole).
    for (const [p, stale] of [
      [MONTH, '1968-05-01'],
      [YEAR, '1950-01-01'],
      [UNKNOWN, '1950-06-01'],
    ] as const) {
      await k.db
        .updateTable('citizen')
        .set({ birth_date: stale, birth_date_precision: 'day' })
        .where('id', '=', idOf(p.burgerservicenummer))
        .execute();
      await logIn(p.burgerservicenummer);
    }
    const columns = async (bsn: string) =>
      k.db
        .selectFrom('citizen')
        .select(['birth_date', 'birth_date_precision'])
        .where('id', '=', idOf(bsn))
        .executeTakeFirstOrThrow();
    assert.deepEqual(await columns(MONTH.burgerservicenummer), {
      birth_date: '1968-05-01',
      birth_date_precision: 'month',
    });
    assert.deepEqual(await columns(YEAR.burgerservicenummer), {
      birth_date: '1950-01-01',
      birth_date_precision: 'year',
    });
    assert.deepEqual(await columns(UNKNOWN.burgerservicenummer), { birth_date: null, birth_date_precision: 'unknown' });
    await logIn(FULL.burgerservicenummer);
    assert.deepEqual(await columns(FULL.burgerservicenummer), {
      birth_date: '1975-03-08',
      birth_date_precision: 'day',
    });
    // The database itself refuses a precision that disagrees with the date.
    await assert.rejects(
      k.db
        .updateTable('citizen')
        .set({ birth_date: '1968-05-17', birth_date_precision: 'month' })
        .where('id', '=', idOf(MONTH.burgerservicenummer))
        .execute(),
      /citizen_birth_date_precision_agrees/,
    );
  });

  test('[PZ-2] staff see "mei 1968", "1950" and "onbekend" in the search results and on the record page', async () => {
    const expected: [typeof MONTH | typeof YEAR | typeof UNKNOWN | typeof FULL, string, string, RegExp][] = [
      [MONTH, 'smit', 'Karel Smit', /^<time datetime="1968-05">mei 1968<\/time>$/],
      [YEAR, 'mulder', 'Willem Mulder', /^<time datetime="1950">1950<\/time>$/],
      [UNKNOWN, 'leeuwen', 'van Leeuwen', /^<span>onbekend<\/span>$/],
      [FULL, 'anna jansen', 'Anna Jansen', /^<time datetime="1975-03-08">08-03-1975<\/time>$/],
    ];
    for (const [p, query, name, cell] of expected) {
      const page = await search({ name: query });
      assert.equal(page.status, 200);
      const row = rowsOf(page).find(([n]) => n === name);
      assert.ok(row, `${name} in ${JSON.stringify(rowsOf(page))}`);
      assert.match(row[1], cell, name);
      const record = await staff.client.get(`/staff/patients/${idOf(p.burgerservicenummer)}/record`);
      assert.equal(record.status, 200);
      const born = /Geboortedatum<\/dt>\s*<dd[^>]*>(.*?)<\/dd>/s.exec(record.text)?.[1] ?? '';
      assert.match(born, cell, `record page of ${name}`);
    }
    const all = (await search({ name: 'smit' })).text + (await search({ name: 'mulder' })).text;
    for (const madeUp of ['01-05-1968', '1968-05-01', '01-01-1950', '1950-01-01', '01-01-1900'])
      assert.ok(!all.includes(madeUp), madeUp);

    // In English, from the message catalogue and the language's month names.
    try {
      await staff.client.get('/language?lang=en&return=/staff');
      const month = rowsOf(await search({ name: 'smit' })).find(([n]) => n === 'Karel Smit');
      assert.match(month?.[1] ?? '', /^<time datetime="1968-05">May 1968<\/time>$/);
      const unknown = rowsOf(await search({ name: 'leeuwen' })).find(([n]) => n === 'van Leeuwen');
      assert.match(unknown?.[1] ?? '', /^<span>unknown<\/span>$/);
    } finally {
      await staff.client.get('/language?lang=nl&return=/staff');
    }
  });

  test('[PZ-2] search by birth date: full dates exactly; a partial date where it agrees, shown as partial; an unknown one never', async () => {
    const names = async (born: string) => rowsOf(await search({ born })).map(([n]) => n);
    // A full date: exactly that day.
    assert.ok((await names('1975-03-08')).includes('Anna Jansen'));
    assert.ok(!(await names('1975-03-09')).includes('Anna Jansen'));
    assert.ok(!(await names('1975-03-01')).includes('Anna Jansen'));
    // "mei 1968": any day in May 1968 may be the day; another month or year is not.
    for (const born of ['1968-05-17', '1968-05-01', '1968-05-31'])
      assert.ok((await names(born)).includes('Karel Smit'), born);
    for (const born of ['1968-06-01', '1968-04-30', '1969-05-17'])
      assert.ok(!(await names(born)).includes('Karel Smit'), born);
    // "1950": any day in 1950.
    for (const born of ['1950-01-01', '1950-07-14', '1950-12-31'])
      assert.ok((await names(born)).includes('Willem Mulder'), born);
    assert.ok(!(await names('1951-01-01')).includes('Willem Mulder'));
    // Unknown: found by name only, not by the old stand-in date or any other.
    for (const born of ['1900-01-01', '1950-06-01']) assert.ok(!(await names(born)).includes('van Leeuwen'), born);
    // The partial match is listed as what is known, never as the day searched for.
    const row = rowsOf(await search({ born: '1968-05-17' })).find(([n]) => n === 'Karel Smit');
    assert.match(row?.[1] ?? '', /^<time datetime="1968-05">mei 1968<\/time>$/);
  });

  test('[PZ-2] staff see a partial birth date in the record requests list and on the request', async () => {
    const gp = await orgId(k.db, DEMO.gp);
    // What the GP does not show citizens by default is what she can ask for.
    await k.db
      .updateTable('organisation')
      .set({ record_categories: ['appointments'] })
      .where('id', '=', gp)
      .execute();
    const c = await logIn(MONTH.burgerservicenummer);
    const form = await c.get(`/record-requests/new/${gp}`);
    assert.equal(form.status, 200);
    assert.match(form.text, /name="categories"[^>]*value="documents"/);
    const sent = await c.post('/record-requests', {
      _csrf: csrfFrom(form.text),
      organisation: gp,
      categories: 'documents',
      note: '',
    });
    assert.equal(sent.status, 303, sent.text.slice(0, 300));
    const list = await staff.client.get('/staff/record-requests');
    assert.equal(list.status, 200);
    const row = rowsOf(list).find(([n]) => n === 'Karel Smit');
    assert.match(row?.[1] ?? '', /^<time datetime="1968-05">mei 1968<\/time>$/);
    const request = await k.db
      .selectFrom('record_access_request')
      .select('id')
      .where('citizen_id', '=', idOf(MONTH.burgerservicenummer))
      .executeTakeFirstOrThrow();
    const detail = await staff.client.get(`/staff/record-requests/${request.id}`);
    assert.equal(detail.status, 200);
    assert.match(detail.text, /Geboortedatum<\/dt>\s*<dd[^>]*><time datetime="1968-05">mei 1968<\/time><\/dd>/);
    assert.ok(!detail.text.includes('01-05-1968'));
  });

  test('[PZ-2] the citizen’s FHIR Patient has birthDate 1968-05, 1950, or none when unknown', async () => {
    for (const [p, birthDate] of [
      [MONTH, '1968-05'],
      [YEAR, '1950'],
      [UNKNOWN, undefined],
      [FULL, '1975-03-08'],
    ] as const) {
      const c = await logIn(p.burgerservicenummer);
      const id = idOf(p.burgerservicenummer);
      const r = await c.get(`/fhir/Patient/${id}`, { accept: 'application/fhir+json' });
      assert.equal(r.status, 200);
      const patient = JSON.parse(r.text) as Json;
      assert.equal(patient.birthDate, birthDate, p.burgerservicenummer);
      if (birthDate === undefined) assert.equal('birthDate' in patient, false);
      assert.doesNotMatch(r.text, /1900-01-01/);
    }
  });
});
