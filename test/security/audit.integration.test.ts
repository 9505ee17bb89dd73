// The NEN 7513 audit log: append-only in the database, hash-chained, verified by a command.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { boot } from '../../src/boot.js';
import { demo } from '../../src/demo/index.js';
import { writeAudit, NO_ACCESS_POINT, type AuditEvent } from '../../src/platform/audit/audit.js';
import { verifyAuditLog } from '../../src/platform/audit/verify.js';
import { loadConfig } from '../../src/platform/config.js';
import { withPrincipal } from '../../src/platform/db/principal.js';
import { createTestDatabase, startKoepel, testDatabaseUrl, type TestKoepel } from '../support/harness.js';
import { citizenId, DEMO, staffPrincipal } from '../support/principals.js';
import { entryArgs } from '../support/entry.js';

const run = promisify(execFile);

describe('audit log', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  async function writeSome(n: number): Promise<void> {
    const p = await staffPrincipal(k.db, 'huisarts@delinde.example');
    const suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const events: AuditEvent[] = Array.from({ length: n }, (_, i) => ({
      event: 'test.read',
      action: 'R',
      citizenId: suzanne,
      resourceType: 'Patient',
      resourceId: String(i),
      reason: 'test',
    }));
    await withPrincipal(k.db, p, (tx) =>
      writeAudit(tx, p, { clientAddress: '127.0.0.1', userAgent: 'test', requestId: 'r' }, events),
    );
  }

  /** Runs fn with triggers off, as a database superuser could: the tampering the chain must reveal. */
  async function tamper(fn: (db: typeof k.db) => Promise<unknown>): Promise<void> {
    await k.db.connection().execute(async (c) => {
      await sql`set session_replication_role = replica`.execute(c);
      try {
        await fn(c);
      } finally {
        await sql`set session_replication_role = origin`.execute(c);
      }
    });
  }

  test('a fresh log verifies, including multi-row inserts and concurrent writers', async () => {
    await writeSome(25);
    await Promise.all([writeSome(5), writeSome(5), writeSome(5), writeSome(5)]);
    const result = await verifyAuditLog(k.db, 7);
    assert.ok(result.ok, JSON.stringify(result));
    assert.ok(result.records >= 45);
  });

  test('a log that is written to while it is verified still verifies (the check of a live log)', async () => {
    await writeSome(10);
    let writing = true;
    const writer = (async () => {
      while (writing) await writeSome(3);
    })();
    try {
      // Small batches: many statements, each in its own snapshot, with writes landing between them.
      for (let round = 0; round < 5; round++) {
        const result = await verifyAuditLog(k.db, 3);
        assert.ok(result.ok, JSON.stringify(result));
      }
    } finally {
      writing = false;
      await writer;
    }
    assert.ok((await verifyAuditLog(k.db)).ok);
  });

  test('UPDATE, DELETE and TRUNCATE are refused, for the app role and for the owner', async () => {
    await writeSome(1);
    const p = await staffPrincipal(k.db, 'huisarts@delinde.example');
    await assert.rejects(
      withPrincipal(k.db, p, (tx) => tx.updateTable('audit_log').set({ reason: 'x' }).execute()),
      /permission denied/,
    );
    await assert.rejects(
      withPrincipal(k.db, p, (tx) => tx.deleteFrom('audit_log').execute()),
      /permission denied/,
    );
    await assert.rejects(k.db.updateTable('audit_log').set({ reason: 'changed' }).execute(), /append-only/);
    await assert.rejects(k.db.deleteFrom('audit_log').execute(), /append-only/);
    await assert.rejects(sql`truncate audit_log`.execute(k.db), /append-only/);
    assert.ok((await verifyAuditLog(k.db)).ok);
  });

  test('a changed record is found by the verifier, which names it', async () => {
    await writeSome(10);
    const victim = await k.db
      .selectFrom('audit_log')
      .select(['id', 'chain_id', 'seq'])
      .orderBy('id', 'desc')
      .offset(4)
      .limit(1)
      .executeTakeFirstOrThrow();
    await tamper((db) =>
      db.updateTable('audit_log').set({ reason: 'nothing to see' }).where('id', '=', victim.id).execute(),
    );
    const result = await verifyAuditLog(k.db);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.brokenId, victim.id);
    assert.match(result.problem, /changed/);
  });

  test('a removed record and a removed tail are found', async () => {
    const k2 = await startKoepel();
    try {
      const p = await staffPrincipal(k2.db, 'huisarts@delinde.example');
      await withPrincipal(k2.db, p, (tx) =>
        writeAudit(
          tx,
          p,
          NO_ACCESS_POINT,
          Array.from({ length: 6 }, () => ({ event: 'test', action: 'R' as const })),
        ),
      );
      const ids = (await k2.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) => r.id);
      const middle = ids[Math.floor(ids.length / 2)] ?? 0;
      const last = ids[ids.length - 1] ?? 0;
      await k2.db.connection().execute(async (c) => {
        await sql`set session_replication_role = replica`.execute(c);
        await c.deleteFrom('audit_log').where('id', '=', last).execute();
        await sql`set session_replication_role = origin`.execute(c);
      });
      const tail = await verifyAuditLog(k2.db);
      assert.equal(tail.ok, false);
      if (!tail.ok) assert.match(tail.problem, /missing/);
      await k2.db.connection().execute(async (c) => {
        await sql`set session_replication_role = replica`.execute(c);
        await c.deleteFrom('audit_log').where('id', '=', middle).execute();
        await sql`set session_replication_role = origin`.execute(c);
      });
      const gap = await verifyAuditLog(k2.db);
      assert.equal(gap.ok, false);
      if (!gap.ok) assert.match(gap.problem, /missing|previous-hash/);
    } finally {
      await k2.close();
    }
  });

  test('records carry the actor, the organisation, the citizen and the access point', async () => {
    await writeSome(1);
    const p = await staffPrincipal(k.db, 'huisarts@delinde.example');
    const row = await k.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.equal(row.actor_type, 'staff');
    assert.equal(row.actor_id, p.staffId);
    assert.equal(row.actor_role, 'doctor');
    assert.equal(row.actor_organisation_id, p.organisationId);
    assert.equal(row.citizen_id, await citizenId(k.db, k.koepel.keys, DEMO.suzanne));
    assert.equal(row.client_address, '127.0.0.1');
    assert.equal(row.action, 'R');
    assert.ok(row.occurred_at instanceof Date);
  });
});

describe('npm run audit:verify', () => {
  test('reports OK, then the first broken record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koepel-audit-'));
    const env: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'silent', KOEPEL_DATA_DIR: dir };
    let created: { url: string; drop(): Promise<void> } | null = null;
    if (testDatabaseUrl) {
      created = await createTestDatabase();
      env.DATABASE_URL = created.url;
    }
    try {
      // Boot once so the demo and some audit records exist, then close (PGlite is single-process).
      const config = loadConfig(env);
      const koepel = await boot(config, false, [demo]);
      const p = await staffPrincipal(koepel.database.db, 'huisarts@delinde.example');
      await withPrincipal(koepel.database.db, p, (tx) =>
        writeAudit(
          tx,
          p,
          NO_ACCESS_POINT,
          Array.from({ length: 3 }, () => ({ event: 'test', action: 'R' as const })),
        ),
      );
      // The demo load writes records of its own (its record data is audited too): count them all.
      const total = (
        await koepel.database.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
      assert.ok(total >= 3);
      await koepel.close();

      const cli = entryArgs('src/platform/audit/verify-cli.ts');
      const ok = await run(process.execPath, cli, { env });
      assert.match(ok.stdout, new RegExp(`audit log OK: ${total} records`));

      const koepel2 = await boot(config, false, [demo]);
      const id = (
        await koepel2.database.db.selectFrom('audit_log').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow()
      ).id;
      await koepel2.database.db.connection().execute(async (c) => {
        await sql`set session_replication_role = replica`.execute(c);
        await c.updateTable('audit_log').set({ event_code: 'forged' }).where('id', '=', id).execute();
        await sql`set session_replication_role = origin`.execute(c);
      });
      await koepel2.close();
      const broken = await run(process.execPath, cli, { env }).then(
        () => assert.fail('verify should exit non-zero'),
        (err: unknown) => err as { code: number; stdout: string },
      );
      assert.equal(broken.code, 1);
      assert.match(broken.stdout, new RegExp(`audit log BROKEN at record id ${id},`));
    } finally {
      await created?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
