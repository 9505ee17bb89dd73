// The demo seed: its record data is written after the seed's own transaction, one transaction per organisation.
// An organisation whose data did not make it (a crash during the first start) gets it at the next start, once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { DEMO, orgId } from '../../test/support/principals.js';
import { seedDemo } from './seed.js';

describe('demo seed', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  const countsByOrganisation = async () =>
    Object.fromEntries(
      (
        await sql<{ organisation_id: string; n: number }>`
          select organisation_id, count(*)::int as n from record_resource group by organisation_id`.execute(k.db)
      ).rows.map((r) => [r.organisation_id, r.n]),
    );
  const demoClients = async () =>
    (
      await k.db.selectFrom('api_client').select('id').where('name', '=', 'Demo: bronsysteem').orderBy('id').execute()
    ).map((r) => r.id);

  test('an organisation whose demo records are missing gets them at the next start; the others are left alone', async () => {
    const hospital = await orgId(k.db, DEMO.hospital);
    const complete = await countsByOrganisation();
    const clients = await demoClients();
    assert.ok((complete[hospital] ?? 0) > 10, 'the hospital has demo records');

    // As if the hospital's transaction never committed: its rows (and what hangs from them) are gone.
    await k.db.deleteFrom('record_event').where('organisation_id', '=', hospital).execute();
    await k.db.deleteFrom('record_attachment').where('organisation_id', '=', hospital).execute();
    await k.db.deleteFrom('record_resource').where('organisation_id', '=', hospital).execute();
    const auditBefore = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(k.db);

    assert.equal(await seedDemo(k.db, k.koepel.keys), false, 'the database was not empty');
    assert.deepEqual(await countsByOrganisation(), complete, 'the same records again, and nothing twice');
    assert.deepEqual(await demoClients(), clients, 'the existing demo client wrote them');

    // A start with everything present writes nothing at all, and leaves the practices' own settings alone.
    const gp = await orgId(k.db, DEMO.gp);
    await k.db
      .updateTable('organisation')
      .set({ record_categories: ['lab'] })
      .where('id', '=', gp)
      .execute();
    const auditAfter = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(k.db);
    assert.ok((auditAfter.rows[0]?.n ?? 0) > (auditBefore.rows[0]?.n ?? 0));
    await seedDemo(k.db, k.koepel.keys);
    const auditAgain = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(k.db);
    assert.equal(auditAgain.rows[0]?.n, auditAfter.rows[0]?.n, 'a complete demo is not written again');
    assert.deepEqual(await countsByOrganisation(), complete);
    const settings = await k.db
      .selectFrom('organisation')
      .select('record_categories')
      .where('id', '=', gp)
      .executeTakeFirstOrThrow();
    assert.deepEqual(settings.record_categories, ['lab'], "the GP's category choice survives a restart");
  });
});
