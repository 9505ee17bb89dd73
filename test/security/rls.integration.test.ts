// Tenant isolation at the SQL level, below the application: what each principal can see and write.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { writeAudit, NO_ACCESS_POINT } from '../../src/platform/audit/audit.js';
import { withPrincipal, APP_ROLE, type Principal } from '../../src/platform/db/principal.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../support/principals.js';

/** Tables that hold no organisation or citizen data, and why. Everything else must have RLS enabled and forced. */
const GLOBAL_TABLES: Record<string, string> = {
  portal: 'portal branding and contact details: public directory data',
  audit_chain_head: 'the last hash of each audit chain: no personal data, read-only for the app',
  schema_migration: 'which migrations ran',
};

describe('row-level security', () => {
  let k: TestKoepel;
  let gp: string;
  let pharmacy: string;
  let physio: string;
  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    physio = await orgId(k.db, DEMO.physio);
  });
  after(async () => {
    await k.close();
  });

  const as = <T>(p: Principal, fn: Parameters<typeof withPrincipal<T>>[2]) => withPrincipal(k.db, p, fn);

  test('[ZL-1] every table with organisation or citizen data has RLS enabled and forced', async () => {
    const tables = (
      await sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>`
        select c.relname, c.relrowsecurity, c.relforcerowsecurity
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')`.execute(k.db)
    ).rows;
    assert.ok(tables.length >= 12, 'expected the kernel tables');
    for (const t of tables) {
      if (t.relname in GLOBAL_TABLES) continue;
      assert.ok(t.relrowsecurity, `${t.relname}: row-level security not enabled`);
      assert.ok(t.relforcerowsecurity, `${t.relname}: row-level security not forced`);
    }
  });

  test('[ZL-1] the app role is not superuser, not BYPASSRLS and owns no table', async () => {
    const role = (
      await sql<{
        rolsuper: boolean;
        rolbypassrls: boolean;
      }>`select rolsuper, rolbypassrls from pg_roles where rolname = ${APP_ROLE}`.execute(k.db)
    ).rows[0];
    assert.ok(role);
    assert.equal(role.rolsuper, false);
    assert.equal(role.rolbypassrls, false);
    const owned = (
      await sql<{
        n: number;
      }>`select count(*)::int as n from pg_tables where schemaname = 'public' and tableowner = ${APP_ROLE}`.execute(
        k.db,
      )
    ).rows[0];
    assert.equal(owned?.n, 0);
    // And requests really run as that role.
    const who = await as({ kind: 'anonymous' }, (tx) => sql<{ u: string }>`select current_user as u`.execute(tx));
    assert.equal(who.rows[0]?.u, APP_ROLE);
  });

  test('[ZL-1] with no principal, no organisation or citizen row is visible', async () => {
    await as({ kind: 'anonymous' }, async (tx) => {
      for (const table of [
        'citizen',
        'citizen_key',
        'care_relationship',
        'organisation_key',
        'staff_account',
        'membership',
        'session',
        'login_throttle',
        'security_alert',
        'audit_log',
      ] as const) {
        const rows = await tx
          .selectFrom(table)
          .select(sql`1`.as('x'))
          .execute();
        assert.equal(rows.length, 0, `${table} leaked ${rows.length} rows to an anonymous principal`);
      }
    });
  });

  test("[ZL-1] a staff principal of organisation A sees none of B's rows", async () => {
    const a = await staffPrincipal(k.db, 'huisarts@delinde.example', ['audit:read']);
    assert.equal(a.organisationId, gp);
    await as(a, async (tx) => {
      const rel = await tx.selectFrom('care_relationship').select('organisation_id').execute();
      assert.ok(rel.length > 0);
      assert.ok(
        rel.every((r) => r.organisation_id === gp),
        'care relationships of another organisation visible',
      );
      const keys = await tx.selectFrom('organisation_key').select('organisation_id').execute();
      assert.deepEqual([...new Set(keys.map((r) => r.organisation_id))], [gp]);
      const members = await tx.selectFrom('membership').select('organisation_id').execute();
      assert.ok(members.every((r) => r.organisation_id === gp));
      const staff = await tx.selectFrom('staff_account').select('email').execute();
      assert.ok(staff.length > 0);
      assert.ok(
        staff.every((s) => s.email.endsWith('@delinde.example')),
        'staff of another organisation visible',
      );
      for (const table of ['session', 'login_throttle', 'security_alert'] as const) {
        assert.equal(
          (
            await tx
              .selectFrom(table)
              .select(sql`1`.as('x'))
              .execute()
          ).length,
          0,
          table,
        );
      }
    });
  });

  test('[ZL-1] [PZ-4] staff see a citizen only with an active care relationship, and only after an audit record', async () => {
    const a = await staffPrincipal(k.db, 'huisarts@delinde.example');
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const noor = await citizenId(k.db, k.koepel.keys, DEMO.noor);
    const johannes = await citizenId(k.db, k.koepel.keys, DEMO.johannes);
    await as(a, async (tx) => {
      // Nothing is visible before the access is audited, not even an own patient.
      assert.equal((await tx.selectFrom('citizen').select('id').execute()).length, 0);
      await writeAudit(tx, a, NO_ACCESS_POINT, [
        { event: 'test.read', action: 'R', citizenId: suzanne },
        { event: 'test.read', action: 'R', citizenId: noor },
        { event: 'test.read', action: 'R', citizenId: johannes },
      ]);
      const visible = (await tx.selectFrom('citizen').select('id').execute()).map((r) => r.id);
      assert.deepEqual(visible, [suzanne], 'only the own, active patient is visible');
      assert.equal((await tx.selectFrom('citizen_key').select('citizen_id').execute()).length, 1);
    });
  });

  test('[ZL-1] a staff principal cannot write rows for another organisation', async () => {
    const a = await staffPrincipal(k.db, 'huisarts@delinde.example');
    const noor = await citizenId(k.db, k.koepel.keys, DEMO.noor);
    await assert.rejects(
      as(a, (tx) =>
        tx.insertInto('care_relationship').values({ organisation_id: pharmacy, citizen_id: noor }).execute(),
      ),
      /row-level security/,
    );
    await assert.rejects(
      as(a, (tx) =>
        tx
          .insertInto('organisation_key')
          .values({ organisation_id: physio, version: 9, wrapped: Buffer.alloc(60) })
          .execute(),
      ),
      /row-level security/,
    );
    // Nor write an audit record in someone else's name.
    const other = await staffPrincipal(k.db, 'apotheker@apotheekcentrum.example');
    await assert.rejects(
      as(a, (tx) =>
        tx
          .insertInto('audit_log')
          .values({ event_code: 'x', action: 'R', outcome: 'success', actor_type: 'staff', actor_id: other.staffId })
          .execute(),
      ),
      /row-level security/,
    );
    // Nothing was written.
    const rel = await k.db.selectFrom('care_relationship').select('id').where('citizen_id', '=', noor).execute();
    assert.equal(rel.length, 0);
  });

  test("a citizen principal sees their own rows across organisations and never another citizen's", async () => {
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    const portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    const p: Principal = { kind: 'citizen', citizenId: suzanne, portalId: portal };
    await as(p, async (tx) => {
      const rel = await tx.selectFrom('care_relationship').select(['citizen_id', 'organisation_id']).execute();
      assert.equal(rel.length, 3);
      assert.ok(rel.every((r) => r.citizen_id === suzanne));
      // Even an audit record naming another citizen does not open that citizen's row.
      await writeAudit(tx, p, NO_ACCESS_POINT, [
        { event: 'test.read', action: 'R', citizenId: suzanne },
        { event: 'test.read', action: 'R', citizenId: pieter },
      ]);
      const visible = (await tx.selectFrom('citizen').select('id').execute()).map((r) => r.id);
      assert.deepEqual(visible, [suzanne]);
      const keys = await tx.selectFrom('citizen_key').select('citizen_id').execute();
      assert.deepEqual(
        keys.map((r) => r.citizen_id),
        [suzanne],
      );
      const audit = await tx.selectFrom('audit_log').select('citizen_id').execute();
      assert.ok(
        audit.length > 0 && audit.every((r) => r.citizen_id === suzanne),
        'sees only audit records about themself',
      );
    });
  });

  test('the principal does not outlive its transaction on a pooled connection', async () => {
    const a = await staffPrincipal(k.db, 'huisarts@delinde.example');
    await as(a, (tx) => sql`select 1`.execute(tx));
    // A plain query on the same pool afterwards carries no principal and no role switch.
    const rows = await sql<{ kind: string | null; role: string }>`
      select current_setting('koepel.principal_kind', true) as kind, current_user as role`.execute(k.db);
    assert.ok(!rows.rows[0]?.kind, 'principal leaked out of its transaction');
    assert.notEqual(rows.rows[0]?.role, APP_ROLE);
  });
});
