// Encryption at rest: the raw table contents after the demo load hold no BSN and no BRP address in the clear.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { FIXTURE_PERSONS } from '../../src/identity/brp/fixture-persons.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';

describe('encryption at rest', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  /** Every row of every table, as PostgreSQL's text form (bytea as hex) and as raw bytes decoded as UTF-8/Latin-1. */
  async function rawDump(): Promise<string> {
    const tables = (
      await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(k.db)
    ).rows.map((r) => r.tablename);
    const parts: string[] = [];
    for (const t of tables) {
      const rows = (await sql<{ r: string }>`select t::text as r from ${sql.table(t)} t`.execute(k.db)).rows;
      for (const { r } of rows) {
        parts.push(r);
        // Decode bytea columns too: plaintext hidden in a bytea would show up here.
        for (const hex of r.match(/\\\\x([0-9a-f]+)/g) ?? []) {
          const buf = Buffer.from(hex.slice(3), 'hex');
          parts.push(buf.toString('utf8'), buf.toString('latin1'));
        }
      }
    }
    return parts.join('\n');
  }

  test('[ZL-2] [PR-8] no BSN and no BRP address is stored in the clear after the demo load', async () => {
    const dump = await rawDump();
    assert.ok(dump.length > 10_000, 'the dump should cover the demo data');
    for (const p of FIXTURE_PERSONS) {
      const bsn = p.burgerservicenummer;
      for (const form of [
        bsn,
        `${bsn.slice(0, 4)}.${bsn.slice(4, 6)}.${bsn.slice(6)}`,
        `${bsn.slice(0, 3)} ${bsn.slice(3, 6)} ${bsn.slice(6)}`,
      ]) {
        assert.ok(!dump.includes(form), `BSN found in the clear (${form.length} chars)`);
      }
      const street = p.verblijfplaats.verblijfadres.officieleStraatnaam;
      assert.ok(!dump.includes(street), 'a BRP street name was found in the clear');
      assert.ok(!dump.includes(p.verblijfplaats.verblijfadres.postcode), 'a postal code was found in the clear');
    }
  });

  test('the scan itself finds plaintext when it is there', async () => {
    // Guard against a scan that cannot fail: plant a BSN in a table and expect the scan to see it.
    const probe = FIXTURE_PERSONS[0]?.burgerservicenummer ?? '';
    await k.db.transaction().execute(async (tx) => {
      await sql`create table scan_probe_t (v bytea)`.execute(tx);
      await sql`insert into scan_probe_t values (convert_to(${'prefix ' + probe}, 'UTF8'))`.execute(tx);
    });
    try {
      assert.ok((await rawDump()).includes(probe));
    } finally {
      await sql`drop table scan_probe_t`.execute(k.db);
    }
  });
});
