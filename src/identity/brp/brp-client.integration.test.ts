import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { parseBsn, type Bsn } from '../bsn.js';
import { BRP_FIELDS, BrpError, HttpBrpClient, personFromResponse, type FetchLike } from './brp-client.js';
import { FIXTURE_BRP_API_KEY, FixtureBrpClient, queryFixtureBrp } from './fixture-brp.js';
import { FIXTURE_PERSONS } from './fixture-persons.js';

const bsn = (s: string) => parseBsn(s) as Bsn;
const SUZANNE = bsn('999993653');

async function rejectsWith(
  p: Promise<unknown>,
  kind: string,
  status?: number | null,
  code?: string | null,
): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof BrpError, String(err));
    assert.equal(err.kind, kind);
    if (status !== undefined) assert.equal(err.status, status);
    if (code !== undefined) assert.equal(err.code, code);
    assert.doesNotMatch(err.message, /\d{9}/, 'no BSN in the error message');
    return true;
  });
}

/** A fetch that answers with a fixed response. */
const answering =
  (status: number, body: unknown, type = 'application/json'): FetchLike =>
  async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('BRP client against the fixture BRP endpoint (HTTP)', () => {
  let k: TestKoepel;
  let client: HttpBrpClient;
  before(async () => {
    k = await startKoepel();
    client = new HttpBrpClient({ url: `${k.url}/brp-fixture`, apiKey: FIXTURE_BRP_API_KEY });
  });
  after(async () => {
    await k.close();
  });

  test('[PZ-2] fetches a person by BSN with exactly the PZ-2 fields', async () => {
    const person = await client.fetchPerson(SUZANNE);
    assert.ok(person);
    const fixture = FIXTURE_PERSONS.find((p) => p.burgerservicenummer === SUZANNE);
    assert.deepEqual(person, fixture);
  });

  test('the HTTP client and the in-process fixture client give the same answer', async () => {
    for (const p of FIXTURE_PERSONS) {
      assert.deepEqual(
        await client.fetchPerson(bsn(p.burgerservicenummer)),
        await new FixtureBrpClient().fetchPerson(bsn(p.burgerservicenummer)),
      );
    }
  });

  test('a BSN the BRP does not know gives null', async () => {
    assert.equal(await client.fetchPerson(bsn('999990056')), null);
  });

  test('the request is the Haal Centraal RaadpleegMetBurgerservicenummer query with X-API-KEY', async () => {
    let seen: { url: string; init: RequestInit } | null = null;
    const spy: FetchLike = async (url, init) => {
      seen = { url, init };
      return fetch(url, init);
    };
    await new HttpBrpClient({ url: `${k.url}/brp-fixture/`, apiKey: FIXTURE_BRP_API_KEY, fetch: spy }).fetchPerson(
      SUZANNE,
    );
    assert.ok(seen);
    const { url, init } = seen as { url: string; init: RequestInit };
    assert.equal(url, `${k.url}/brp-fixture/personen`);
    assert.equal(init.method, 'POST');
    assert.equal((init.headers as Record<string, string>)['x-api-key'], FIXTURE_BRP_API_KEY);
    assert.deepEqual(JSON.parse(init.body as string), {
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: ['999993653'],
      fields: BRP_FIELDS,
    });
  });

  test('a wrong API key is refused with the RFC 7807 error code', async () => {
    const wrong = new HttpBrpClient({ url: `${k.url}/brp-fixture`, apiKey: 'wrong' });
    await rejectsWith(wrong.fetchPerson(SUZANNE), 'refused', 401, 'authentication');
    const none = new HttpBrpClient({ url: `${k.url}/brp-fixture`, apiKey: undefined });
    await rejectsWith(none.fetchPerson(SUZANNE), 'refused', 401, 'authentication');
  });

  test('a 400 problem (an unknown field) becomes a clear error', async () => {
    const tamper: FetchLike = (url, init) => {
      const body = JSON.parse(init.body as string) as { fields: string[] };
      body.fields.push('partners.naam');
      return fetch(url, { ...init, body: JSON.stringify(body) });
    };
    const c = new HttpBrpClient({ url: `${k.url}/brp-fixture`, apiKey: FIXTURE_BRP_API_KEY, fetch: tamper });
    await rejectsWith(c.fetchPerson(SUZANNE), 'refused', 400, 'paramsValidation');
  });

  test('the fixture endpoint returns only the fields asked for', async () => {
    const res = await fetch(`${k.url}/brp-fixture/personen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': FIXTURE_BRP_API_KEY },
      body: JSON.stringify({
        type: 'RaadpleegMetBurgerservicenummer',
        burgerservicenummer: [SUZANNE],
        fields: ['naam.geslachtsnaam', 'geboorte.datum'],
      }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      type: 'RaadpleegMetBurgerservicenummer',
      personen: [
        {
          naam: { geslachtsnaam: 'Vries' },
          geboorte: { datum: { type: 'Datum', datum: '1982-04-12', langFormaat: '12 april 1982' } },
        },
      ],
    });
  });

  test('the fixture endpoint answers bad requests with problem+json', async () => {
    const res = await fetch(`${k.url}/brp-fixture/personen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': FIXTURE_BRP_API_KEY },
      body: JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['12345'], fields: [] }),
    });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const body = (await res.json()) as { status: number; code: string; invalidParams: unknown[] };
    assert.equal(body.status, 400);
    assert.equal(body.code, 'paramsValidation');
    assert.ok(body.invalidParams.length >= 2);
    const notJson = await fetch(`${k.url}/brp-fixture/personen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': FIXTURE_BRP_API_KEY },
      body: '{not json',
    });
    assert.equal(notJson.status, 400);
    assert.match(notJson.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  test('an unreachable BRP is an "unreachable" error', async () => {
    const port = await freePort();
    const c = new HttpBrpClient({ url: `http://127.0.0.1:${port}/brp`, apiKey: 'x', timeoutMs: 2000 });
    await rejectsWith(c.fetchPerson(SUZANNE), 'unreachable', null);
  });
});

describe('BRP client response handling', () => {
  const url = 'https://brp.example/haalcentraal/api/brp';

  test('a 5xx problem is "unreachable", with status and code', async () => {
    const c = new HttpBrpClient({
      url,
      apiKey: 'k',
      fetch: answering(
        503,
        { status: 503, title: 'Bronservice niet beschikbaar.', code: 'sourceUnavailable' },
        'application/problem+json',
      ),
    });
    await rejectsWith(c.fetchPerson(SUZANNE), 'unreachable', 503, 'sourceUnavailable');
  });

  test('a 200 that is not JSON or not the right shape is an "invalid-response"', async () => {
    await rejectsWith(
      new HttpBrpClient({ url, apiKey: 'k', fetch: answering(200, '<html>', 'text/html') }).fetchPerson(SUZANNE),
      'invalid-response',
    );
    await rejectsWith(
      new HttpBrpClient({
        url,
        apiKey: 'k',
        fetch: answering(200, { type: 'ZoekMetPostcodeEnHuisnummer', personen: [] }),
      }).fetchPerson(SUZANNE),
      'invalid-response',
    );
    await rejectsWith(
      new HttpBrpClient({
        url,
        apiKey: 'k',
        fetch: answering(200, { type: 'RaadpleegMetBurgerservicenummer', personen: [{ burgerservicenummer: 42 }] }),
      }).fetchPerson(SUZANNE),
      'invalid-response',
    );
  });

  test('another person than the one asked for is refused', async () => {
    const other = queryFixtureBrp({
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: ['999990019'],
      fields: BRP_FIELDS,
    }).body;
    await rejectsWith(
      new HttpBrpClient({ url, apiKey: 'k', fetch: answering(200, other) }).fetchPerson(SUZANNE),
      'invalid-response',
    );
  });

  test('a person without any name is "unsupported-person" (a person abroad is not)', () => {
    const answer = (persoon: Record<string, unknown>) => ({
      type: 'RaadpleegMetBurgerservicenummer',
      personen: [{ burgerservicenummer: SUZANNE, ...persoon }],
    });
    assert.throws(
      () =>
        personFromResponse(
          answer({ geboorte: { datum: { type: 'JaarDatum', jaar: 1982, langFormaat: '1982' } } }),
          SUZANNE,
        ),
      (err: unknown) => err instanceof BrpError && err.kind === 'unsupported-person',
    );
    const abroad = personFromResponse(
      answer({ naam: { geslachtsnaam: 'Vries' }, verblijfplaats: { type: 'VerblijfplaatsBuitenland' } }),
      SUZANNE,
    );
    assert.equal(abroad?.verblijfplaats?.type, 'VerblijfplaatsBuitenland');
    assert.equal(abroad?.geboorte.datum.type, 'DatumOnbekend');
  });

  test('fields the BRP sends but Koepel did not ask for are dropped before storage', () => {
    const answer = queryFixtureBrp({
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: [SUZANNE],
      fields: BRP_FIELDS,
    }).body as {
      personen: Record<string, unknown>[];
    };
    const first = answer.personen[0] ?? {};
    first.nationaliteiten = [{ type: 'Nationaliteit' }];
    first.naam = { ...(first.naam as object), aanduidingNaamgebruik: { code: 'E' } };
    const person = personFromResponse(answer, SUZANNE) as unknown as Record<string, unknown>;
    assert.equal('nationaliteiten' in person, false);
    assert.equal('aanduidingNaamgebruik' in (person.naam as object), false);
  });
});
