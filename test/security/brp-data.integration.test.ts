// PZ-2: identity data comes from the BRP, and the citizen cannot change it in the portal.
//   - in the database (migration 0013): the BRP columns of `citizen` are written only by the login flow's system
//     principal ('citizen-login'), after an audit record naming the citizen; the citizen writes only what she
//     supplied herself;
//   - over HTTP: every registered route (read from Fastify's route tree, not picked by path name), with every
//     method, called by a logged-in citizen with a body full of BRP field names, changes no one's BRP data.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { readBrpSnapshot, sealBrpSnapshot, writeBrpSnapshot } from '../../src/identity/citizens.js';
import { withPrincipal, type Principal, type Tx } from '../../src/platform/db/principal.js';
import type { DB } from '../../src/platform/db/schema.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { csrfFrom, HttpClient } from '../support/http-client.js';
import { citizenId, DEMO } from '../support/principals.js';
import { allRoutes } from '../support/routes.js';
import { auditRead, newCitizen, testPerson } from './record-kit.js';

type CitizenRow = DB['citizen'];

/** One changed value for every BRP column (what an attacker would write). */
const BRP_UPDATES: { [C in keyof CitizenRow]?: unknown } = {
  bsn_index: randomBytes(32),
  bsn_ciphertext: randomBytes(48),
  family_name: 'Anders',
  name_prefix: 'van',
  given_names: 'Iemand',
  search_name: 'iemand van anders',
  birth_date: '1999-09-09',
  // How much of the birth date is known (migration 0015) is BRP data too.
  birth_date_precision: 'year',
  brp_ciphertext: randomBytes(48),
  brp_fetched_at: new Date('2000-01-01T00:00:00Z'),
};

const REFUSED = /BRP data is written only by the login flow|row-level security|permission denied/;

class Rollback extends Error {}

/** Runs fn as p (after an audit record naming the citizen, unless told not to) and rolls back: what did it do? */
async function tryAs(
  k: TestKoepel,
  p: Principal,
  citizen: string,
  fn: (tx: Tx) => Promise<bigint>,
  audited = true,
): Promise<{ rows: bigint } | { error: string }> {
  let rows = 0n;
  try {
    await withPrincipal(k.db, p, async (tx) => {
      if (audited) await auditRead(tx, p, [citizen]);
      rows = await fn(tx);
      throw new Rollback();
    });
  } catch (err) {
    if (err instanceof Rollback) return { rows };
    return { error: (err as Error).message };
  }
  return { rows };
}

describe('[PZ-2] BRP data', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  test('[PZ-2] the database refuses the citizen every BRP column of her own row; she writes only her own data', async () => {
    const { id } = await newCitizen(k.db, k.koepel.keys);
    const citizen: Principal = { kind: 'citizen', citizenId: id, portalId: (await anyPortal(k)).id };
    for (const [column, value] of Object.entries(BRP_UPDATES)) {
      const res = await tryAs(k, citizen, id, async (tx) => {
        const r = await tx
          .updateTable('citizen')
          .set({ [column]: value })
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return r.numUpdatedRows;
      });
      assert.ok('error' in res && REFUSED.test(res.error), `${column}: ${JSON.stringify(res)}`);
    }
    // What she supplied herself (PZ-3) and her login times: hers to write.
    for (const set of [
      { email_ciphertext: randomBytes(40) },
      { phone_ciphertext: randomBytes(40) },
      { last_login_at: new Date() },
    ]) {
      const res = await tryAs(k, citizen, id, async (tx) => {
        const r = await tx.updateTable('citizen').set(set).where('id', '=', id).executeTakeFirstOrThrow();
        return r.numUpdatedRows;
      });
      assert.deepEqual(res, { rows: 1n }, Object.keys(set).join());
    }
    // Not even unchanged BRP values next to her own column slip through a combined update.
    const sneaky = await tryAs(k, citizen, id, async (tx) => {
      const r = await tx
        .updateTable('citizen')
        .set({ email_ciphertext: randomBytes(40), given_names: 'Iemand' })
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return r.numUpdatedRows;
    });
    assert.ok('error' in sneaky && REFUSED.test(sneaky.error), JSON.stringify(sneaky));
  });

  test("[PZ-2] the login flow's system principal writes the BRP snapshot, after an audit record, and nothing else", async () => {
    const { id } = await newCitizen(k.db, k.koepel.keys);
    const portalId = (await anyPortal(k)).id;
    const person = testPerson('999993653', 'Nieuwe', 'Naam');
    const sealed = await withPrincipal(k.db, { kind: 'citizen', citizenId: id, portalId }, async (tx) =>
      sealBrpSnapshot(tx, k.koepel.keys, id, person),
    );
    const login: Principal = { kind: 'system', purpose: 'citizen-login' };
    const write = (tx: Tx) => writeBrpSnapshot(tx, id, person, sealed).then(() => 1n);

    // Without an audit record naming the citizen, the row is not there to update.
    const unaudited = await tryAs(k, login, id, write, false);
    assert.ok('error' in unaudited && /not written/.test(unaudited.error), JSON.stringify(unaudited));
    // Another system purpose may not either.
    const other = await tryAs(k, { kind: 'system', purpose: 'maintenance' }, id, write);
    assert.ok('error' in other, JSON.stringify(other));
    // The login flow may write BRP columns, but not what the citizen supplied herself.
    const contact = await tryAs(k, login, id, async (tx) => {
      const r = await tx
        .updateTable('citizen')
        .set({ email_ciphertext: randomBytes(40) })
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return r.numUpdatedRows;
    });
    assert.ok('error' in contact && /writes only BRP data/.test(contact.error), JSON.stringify(contact));

    await withPrincipal(k.db, login, async (tx) => {
      await auditRead(tx, login, [id]);
      await writeBrpSnapshot(tx, id, person, sealed);
    });
    const row = await k.db.selectFrom('citizen').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.family_name, 'Naam');
    assert.equal(row.given_names, 'Nieuwe');
    const snapshot = await readBrpSnapshot(k.db, k.koepel.keys, id, row.brp_ciphertext);
    assert.equal(snapshot.naam.geslachtsnaam, 'Naam');
  });

  test('[PZ-2] a DigiD login writes the BRP snapshot as the login flow, audited as the system', async () => {
    const id = await citizenId(k.db, k.koepel.keys, DEMO.fatima);
    await k.db
      .updateTable('citizen')
      .set({ brp_fetched_at: new Date('2020-01-01T00:00:00Z') })
      .where('id', '=', id)
      .execute();
    const since = new Date();
    assert.equal((await loginWithDigid(new HttpClient(k.url), DEMO.fatima)).status, 303);
    const row = await k.db
      .selectFrom('citizen')
      .select(['brp_fetched_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.ok(row.brp_fetched_at >= new Date(since.getTime() - 1000), 'the snapshot was refreshed');
    const refresh = await k.db
      .selectFrom('audit_log')
      .select(['actor_type', 'reason', 'outcome'])
      .where('event_code', '=', 'citizen.brp.refresh')
      .where('citizen_id', '=', id)
      .where('occurred_at', '>=', new Date(since.getTime() - 1000))
      .execute();
    assert.equal(refresh.length, 1);
    assert.equal(refresh[0]?.actor_type, 'system');
    assert.equal(refresh[0]?.outcome, 'success');
  });

  test('[PZ-2] no registered route lets a citizen change BRP data', async () => {
    const routes = allRoutes(k.koepel.app.printRoutes({ commonPrefix: false }));
    // The tree was read completely: a few routes we know of, and as many as Fastify says it has.
    for (const known of ['/home', '/login/digid/callback', '/record-requests', '/fhir/:type/:id'])
      assert.ok(
        routes.some(([path]) => path === known),
        `${known} in ${routes.map(([p]) => p).join(' ')}`,
      );
    assert.ok(routes.length > 40, `only ${routes.length} routes read`);

    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const before = await brpOfEveryone(k);
    const marker = 'Kwaadwillig';
    const fields = [
      'bsn',
      'burgerservicenummer',
      'name',
      'naam',
      'given_names',
      'givenName',
      'voornamen',
      'voorletters',
      'initials',
      'family_name',
      'familyName',
      'geslachtsnaam',
      'name_prefix',
      'voorvoegsel',
      'gender',
      'geslacht',
      'birth_date',
      'birthDate',
      'geboortedatum',
      'street',
      'straat',
      'house_number',
      'huisnummer',
      'huisnummertoevoeging',
      'postal_code',
      'postcode',
      'city',
      'woonplaats',
      'address',
      'adres',
    ];
    const c = new HttpClient(k.url);
    const login = async () => {
      assert.equal((await loginWithDigid(c, DEMO.suzanne)).status, 303);
      return csrfFrom((await c.get('/home')).text);
    };
    let csrf = await login();
    const body = () => ({ _csrf: csrf, ...Object.fromEntries(fields.map((f) => [f, marker])) });
    const json = JSON.stringify({
      resourceType: 'Patient',
      id: suzanne,
      name: [{ family: marker, given: [marker] }],
      gender: 'male',
      birthDate: '1999-09-09',
      address: [{ line: [marker], city: marker, postalCode: '9999ZZ' }],
      ...Object.fromEntries(fields.map((f) => [f, marker])),
    });
    // Logging out (or in as someone else) ends the session: those go last, and the session is renewed after each.
    const ordered = [...routes].sort(([a], [b]) => Number(/log(in|out)/.test(a)) - Number(/log(in|out)/.test(b)));
    let tried = 0;
    for (const [pattern, methods] of ordered) {
      const path = pattern
        .replace(/:[A-Za-z_]+/g, (param) => (/type/.test(param) ? 'Patient' : suzanne))
        .replace(/\*$/, 'x');
      for (const method of methods) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        const query = `?${new URLSearchParams(body()).toString()}`;
        if (method === 'GET') {
          await c.get(`${path}${query}`);
        } else {
          await c.request(method, path, body());
          await c.request(method, path, json, { 'content-type': 'application/json', 'x-csrf-token': csrf });
          await c.request(method, path, json, { 'content-type': 'application/fhir+json' });
        }
        tried++;
      }
      // Checked after each route, before a new login could refresh the snapshot from the BRP and hide a change.
      assert.deepEqual(await brpOfEveryone(k), before, `${pattern} changed BRP data`);
      if ((await c.get('/home')).status !== 200) csrf = await login();
    }
    assert.ok(tried > 40, `${tried} route/method pairs tried`);
    assert.ok(!JSON.stringify(await brpOfEveryone(k)).includes(marker), 'the marker is nowhere in BRP data');
  });
});

async function anyPortal(k: TestKoepel) {
  return k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow();
}

/** Every citizen's BRP data as content (a login may re-seal the same snapshot: the bytes change, the data does not). */
async function brpOfEveryone(k: TestKoepel): Promise<Record<string, unknown>> {
  const rows = await k.db
    .selectFrom('citizen')
    .select([
      'id',
      'bsn_index',
      'family_name',
      'name_prefix',
      'given_names',
      'search_name',
      'birth_date',
      'birth_date_precision',
      'brp_ciphertext',
    ])
    .orderBy('id')
    .execute();
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    out[r.id] = {
      bsn_index: Buffer.from(r.bsn_index).toString('hex'),
      names: [r.family_name, r.name_prefix, r.given_names, r.search_name, r.birth_date, r.birth_date_precision],
      snapshot: await readBrpSnapshot(k.db, k.koepel.keys, r.id, r.brp_ciphertext),
    };
  }
  return out;
}
