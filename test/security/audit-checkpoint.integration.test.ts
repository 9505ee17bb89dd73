// Tamper evidence against the database itself: someone with superuser rights (or the table owner) turns the
// triggers off, changes an audit record, recomputes the rest of its chain and the chain head. The hash chain alone
// then verifies — but not against the checkpoints signed with a key the database never holds.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { writeAudit, NO_ACCESS_POINT } from '../../src/platform/audit/audit.js';
import { checkpointSigner, readCheckpointFile, writeCheckpoint } from '../../src/platform/audit/checkpoint.js';
import { verifyAuditLog } from '../../src/platform/audit/verify.js';
import { loadConfig } from '../../src/platform/config.js';
import { withPrincipal } from '../../src/platform/db/principal.js';
import type { DB } from '../../src/platform/db/schema.js';
import { createTestDatabase, startKoepel, testDatabaseUrl, type TestKoepel } from '../support/harness.js';
import { staffPrincipal } from '../support/principals.js';
import { entryArgs } from '../support/entry.js';

const run = promisify(execFile);

function newKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
}

/** The attack: triggers off, one record changed, every later hash of its chain and the head recomputed. */
async function rewrite(db: Kysely<DB>, id: number, reason: string): Promise<void> {
  await db.connection().execute(async (c) => {
    await sql`set session_replication_role = replica`.execute(c);
    try {
      const victim = await c
        .selectFrom('audit_log')
        .select(['chain_id', 'seq'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await c.updateTable('audit_log').set({ reason }).where('id', '=', id).execute();
      await sql`select set_config('tamper.chain', ${String(victim.chain_id)}, false),
                       set_config('tamper.seq', ${String(victim.seq)}, false)`.execute(c);
      await sql`
        do $$
        declare
          r audit_log;
          prev bytea;
          c text;
        begin
          select prev_hash into prev from audit_log
            where chain_id = current_setting('tamper.chain')::int and seq = current_setting('tamper.seq')::bigint;
          for r in select * from audit_log
                   where chain_id = current_setting('tamper.chain')::int and seq >= current_setting('tamper.seq')::bigint
                   order by seq loop
            c := concat_ws('|',
              koepel_audit_field(r.chain_id::text), koepel_audit_field(r.seq::text),
              koepel_audit_field(((extract(epoch from r.occurred_at) * 1000)::bigint)::text),
              koepel_audit_field(r.event_code), koepel_audit_field(r.action::text), koepel_audit_field(r.outcome),
              koepel_audit_field(r.actor_type), koepel_audit_field(r.actor_id::text), koepel_audit_field(r.actor_role),
              koepel_audit_field(r.actor_organisation_id::text), koepel_audit_field(r.on_behalf_of),
              koepel_audit_field(r.citizen_id::text), koepel_audit_field(r.resource_type),
              koepel_audit_field(r.resource_id), koepel_audit_field(r.client_address),
              koepel_audit_field(r.user_agent), koepel_audit_field(r.request_id), koepel_audit_field(r.reason));
            update audit_log set prev_hash = prev, hash = sha256(prev || convert_to(c, 'UTF8')) where id = r.id;
            prev := sha256(prev || convert_to(c, 'UTF8'));
          end loop;
          update audit_chain_head set last_hash = prev where chain_id = current_setting('tamper.chain')::int;
        end $$`.execute(c);
    } finally {
      await sql`set session_replication_role = origin`.execute(c);
    }
  });
}

describe('signed audit checkpoints', () => {
  let k: TestKoepel;
  let dir: string;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koepel-checkpoint-'));
    file = join(dir, 'audit-checkpoints.jsonl');
    k = await startKoepel({ KOEPEL_AUDIT_CHECKPOINT_KEY: newKey(), KOEPEL_AUDIT_CHECKPOINT_FILE: file });
  });
  after(async () => {
    await k.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function writeSome(n: number): Promise<void> {
    const p = await staffPrincipal(k.db, 'huisarts@delinde.example');
    await withPrincipal(k.db, p, (tx) =>
      writeAudit(
        tx,
        p,
        NO_ACCESS_POINT,
        Array.from({ length: n }, (_, i) => ({ event: 'test.read', action: 'R' as const, reason: `r${i}` })),
      ),
    );
  }

  const checkpoints = () => {
    const read = readCheckpointFile(file, k.config.auditCheckpoint.publicKey ?? assert.fail('no key'));
    assert.ok(read.ok, JSON.stringify(read));
    return read.checkpoints;
  };

  test('an untouched chain verifies against its checkpoints; the table holds a copy; the app cannot change it', async () => {
    await writeSome(10);
    await writeCheckpoint(k.db, checkpointSigner(k.config), file);
    await writeSome(3); // after the checkpoint: still verified as a chain
    const result = await verifyAuditLog(k.db, 5000, checkpoints());
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.checkpoints, 1);
    const rows = await k.db.selectFrom('audit_checkpoint').select(['body', 'key_id']).execute();
    assert.equal(rows.length, 1);
    assert.equal(JSON.stringify(JSON.parse(rows[0]?.body ?? '')), rows[0]?.body);
    await assert.rejects(k.db.deleteFrom('audit_checkpoint').execute(), /append-only/);
    // Staff see none of it; even the purpose that writes checkpoints cannot change one.
    const p = await staffPrincipal(k.db, 'huisarts@delinde.example');
    assert.equal(
      (await withPrincipal(k.db, p, (tx) => tx.selectFrom('audit_checkpoint').select('id').execute())).length,
      0,
    );
    await assert.rejects(
      withPrincipal(k.db, { kind: 'system', purpose: 'audit-checkpoint' }, (tx) =>
        tx.updateTable('audit_checkpoint').set({ body: '{}' }).execute(),
      ),
      /permission denied/,
    );
  });

  test('a rewritten, recomputed chain verifies by itself, but the signed checkpoint reports the rewrite', async () => {
    await writeSome(10);
    const victim = await k.db
      .selectFrom('audit_log')
      .select(['id', 'chain_id'])
      .orderBy('id', 'desc')
      .offset(5)
      .limit(1)
      .executeTakeFirstOrThrow();
    await writeCheckpoint(k.db, checkpointSigner(k.config), file);
    await rewrite(k.db, victim.id, 'nothing to see');

    const alone = await verifyAuditLog(k.db);
    assert.ok(alone.ok, 'the attack works against the hash chain alone (what the checkpoints are for)');
    const result = await verifyAuditLog(k.db, 5000, checkpoints());
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.chainId, victim.chain_id);
    assert.match(result.problem, /signed checkpoint of .* rewritten/);
  });

  test('a checkpoint file that was edited, or signed by another key, is refused', () => {
    const original = readFileSync(file, 'utf8');
    try {
      const edited = original.replace(/"seq\\":(\d+)/, (_m, n: string) => `"seq\\":${Number(n) + 1}`);
      assert.notEqual(edited, original);
      writeFileSync(file, edited);
      const read = readCheckpointFile(file, k.config.auditCheckpoint.publicKey ?? assert.fail('no key'));
      assert.equal(read.ok, false);
      if (!read.ok) assert.match(read.problem, /does not verify/);
      const other = loadConfig({ NODE_ENV: 'test', KOEPEL_AUDIT_CHECKPOINT_KEY: newKey() });
      const foreign = readCheckpointFile(file, other.auditCheckpoint.publicKey ?? assert.fail('no key'));
      assert.equal(foreign.ok, false);
      if (!foreign.ok) assert.match(foreign.problem, /another key/);
    } finally {
      writeFileSync(file, original);
    }
  });
});

describe('npm run audit:checkpoint and audit:verify', () => {
  test('sign a checkpoint, verify OK; rewrite the chain, verify reports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koepel-checkpoint-cli-'));
    const env: Record<string, string | undefined> = {
      ...process.env,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      KOEPEL_DATA_DIR: dir,
      KOEPEL_AUDIT_CHECKPOINT_KEY: newKey(),
      KOEPEL_AUDIT_CHECKPOINT_FILE: join(dir, 'checkpoints.jsonl'),
    };
    let created: { url: string; drop(): Promise<void> } | null = null;
    if (testDatabaseUrl) {
      created = await createTestDatabase();
      env.DATABASE_URL = created.url;
    }
    const { boot } = await import('../../src/boot.js');
    const { demo } = await import('../../src/demo/index.js');
    try {
      const config = loadConfig(env);
      const koepel = await boot(config, false, [demo]);
      await koepel.close();
      const sign = await run(process.execPath, entryArgs('src/platform/audit/checkpoint-cli.ts'), { env });
      assert.match(sign.stdout, /audit checkpoint signed \(key [0-9a-f]{16}\): 16 chain head\(s\)/);
      const verifyCli = entryArgs('src/platform/audit/verify-cli.ts');
      const ok = await run(process.execPath, verifyCli, { env });
      assert.match(ok.stdout, /audit log OK: \d+ records in \d+ chain\(s\) verified, against 1 signed checkpoint\(s\)/);

      const koepel2 = await boot(config, false, [demo]);
      const first = await koepel2.database.db
        .selectFrom('audit_log')
        .select('id')
        .orderBy('id')
        .limit(1)
        .executeTakeFirstOrThrow();
      await rewrite(koepel2.database.db, first.id, 'forged');
      await koepel2.close();
      const broken = await run(process.execPath, verifyCli, { env }).then(
        () => assert.fail('verify should exit non-zero'),
        (err: unknown) => err as { code: number; stdout: string },
      );
      assert.equal(broken.code, 1);
      assert.match(
        broken.stdout,
        /audit log BROKEN at record id \d+, chain \d+, sequence \d+: the chain does not match the signed checkpoint/,
      );
    } finally {
      await created?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
