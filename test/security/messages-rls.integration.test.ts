// Secure messages below the application (migration 0029): what each principal may read and write of the message
// tables with plain SQL as koepel_app — no route, no domain code in between. Between citizens, between
// organisations, between an organisation's employees with and without messages:read, and the organisation's system;
// the bookkeeping trigger (status, unread counters) and the guards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withPrincipal, type Principal, type Tx } from '../../src/platform/db/principal.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../support/principals.js';

type Table = 'conversation' | 'conversation_message' | 'message_attachment' | 'conversation_note';

describe('messages: row-level security, bookkeeping and the guard triggers', () => {
  let k: TestKoepel;
  let gp: string;
  let hospital: string;
  let physio: string;
  let suzanne: string;
  let pieter: string;
  let johannes: string;
  let portal: string;
  let doctor: Extract<Principal, { kind: 'staff' }>;
  let assistant: Extract<Principal, { kind: 'staff' }>;
  let hospitalDoctor: Extract<Principal, { kind: 'staff' }>;
  let privacyOfficer: Extract<Principal, { kind: 'staff' }>;
  let gpClient: Principal;
  let hospitalClient: Principal;
  let conversationId: string;
  let messageId: string;

  const citizen = (id: string): Principal => ({ kind: 'citizen', citizenId: id, portalId: portal });
  const as = <T>(p: Principal, fn: (tx: Tx) => Promise<T>) => withPrincipal(k.db, p, fn);
  const audited = (tx: Tx, about: string) =>
    sql`select set_config('koepel.audited_citizens', ${`${about},`}, true)`.execute(tx);
  const seen = (p: Principal, about: string, table: Table) =>
    as(p, async (tx) => {
      await audited(tx, about);
      // Only the rows of this test's conversation (the demo seed has conversations of its own).
      const q =
        table === 'conversation'
          ? tx
              .selectFrom('conversation')
              .select(sql<string>`1`.as('x'))
              .where('id', '=', conversationId)
          : tx
              .selectFrom(table)
              .select(sql<string>`1`.as('x'))
              .where('conversation_id', '=', conversationId);
      return (await q.execute()).length;
    });
  const refused = (p: Principal, fn: (tx: Tx) => Promise<unknown>, about = suzanne) =>
    assert.rejects(
      as(p, async (tx) => {
        await audited(tx, about);
        await fn(tx);
      }),
    );
  const conversationRow = (id: string) =>
    k.db.selectFrom('conversation').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  const startAsCitizen = (who: string, org: string, extra: { addressed_to?: string } = {}) =>
    as(citizen(who), async (tx) => {
      await audited(tx, who);
      const c = await tx
        .insertInto('conversation')
        .values({
          organisation_id: org,
          citizen_id: who,
          subject: Buffer.from('sealed subject'),
          started_by: 'citizen',
          ...extra,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const m = await tx
        .insertInto('conversation_message')
        .values({
          conversation_id: c.id,
          organisation_id: org,
          citizen_id: who,
          sender: 'citizen',
          body: Buffer.from('sealed body'),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('message_attachment')
        .values({
          message_id: m.id,
          conversation_id: c.id,
          organisation_id: org,
          citizen_id: who,
          content_type: 'application/pdf',
          size_bytes: 10,
          file_name: Buffer.from('n'),
          content: Buffer.from('c'),
        })
        .execute();
      return { conversation: c.id, message: m.id };
    });

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    physio = await orgId(k.db, DEMO.physio);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    johannes = await citizenId(k.db, k.koepel.keys, DEMO.johannes);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    doctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    assistant = await staffPrincipal(k.db, 'assistent@delinde.example');
    privacyOfficer = await staffPrincipal(k.db, 'privacy@delinde.example');
    hospitalDoctor = await staffPrincipal(k.db, 'arts@rivierenland.example');
    const client = async (org: string, name: string) =>
      (
        await k.db
          .insertInto('api_client')
          .values({
            organisation_id: org,
            name,
            client_id: `kc_rls_test_client_msg_${name}`,
            secret_hash: Buffer.alloc(32),
          })
          .returning('client_id')
          .executeTakeFirstOrThrow()
      ).client_id;
    gpClient = { kind: 'client', clientId: await client(gp, 'gp'), organisationId: gp };
    hospitalClient = { kind: 'client', clientId: await client(hospital, 'hospital'), organisationId: hospital };
    ({ conversation: conversationId, message: messageId } = await startAsCitizen(suzanne, gp));
    await as(doctor, async (tx) => {
      await audited(tx, suzanne);
      await tx
        .insertInto('conversation_note')
        .values({
          conversation_id: conversationId,
          organisation_id: gp,
          citizen_id: suzanne,
          author: doctor.staffId,
          body: Buffer.from('sealed note'),
        })
        .execute();
    });
  });
  after(async () => {
    await k.close();
  });

  test('[ZL-10] [MG-9] reads: own citizen, own organisation with messages:read, own system — nobody else', async () => {
    for (const table of ['conversation', 'conversation_message', 'message_attachment'] as const) {
      assert.equal(await seen(citizen(suzanne), suzanne, table), 1, `${table}: the citizen`);
      assert.equal(await seen(citizen(pieter), suzanne, table), 0, `${table}: another citizen`);
      assert.equal(await seen(doctor, suzanne, table), 1, `${table}: the GP`);
      assert.equal(
        await seen({ ...doctor, permissions: doctor.permissions.filter((x) => x !== 'messages:read') }, suzanne, table),
        0,
        `${table}: an employee without messages:read`,
      );
      assert.equal(await seen(privacyOfficer, suzanne, table), 0, `${table}: the privacy officer`);
      assert.equal(await seen(hospitalDoctor, suzanne, table), 0, `${table}: another organisation's doctor`);
      assert.equal(await seen(gpClient, suzanne, table), 1, `${table}: the GP's system`);
      assert.equal(await seen(hospitalClient, suzanne, table), 0, `${table}: another organisation's system`);
      assert.equal(await seen({ kind: 'operator', staffId: doctor.staffId }, suzanne, table), 0, `${table}: operator`);
    }
    // Without the audit mark nobody reads it, not even the citizen (ZL-1).
    assert.equal(
      await as(citizen(suzanne), async (tx) => (await tx.selectFrom('conversation').selectAll().execute()).length),
      0,
    );
    assert.equal(
      await as(doctor, async (tx) => (await tx.selectFrom('conversation_message').selectAll().execute()).length),
      0,
    );
  });

  test('[MG-9] internal notes: the organisation’s employees with messages:read only — never the citizen', async () => {
    assert.equal(await seen(doctor, suzanne, 'conversation_note'), 1);
    assert.equal(await seen(assistant, suzanne, 'conversation_note'), 1);
    assert.equal(await seen(citizen(suzanne), suzanne, 'conversation_note'), 0, 'the citizen');
    assert.equal(await seen(gpClient, suzanne, 'conversation_note'), 0, 'the organisation’s system');
    assert.equal(
      await seen(
        { ...doctor, permissions: doctor.permissions.filter((x) => x !== 'messages:read') },
        suzanne,
        'conversation_note',
      ),
      0,
    );
    assert.equal(await seen(hospitalDoctor, suzanne, 'conversation_note'), 0);
    // A note always names its real author.
    await refused(assistant, (tx) =>
      tx
        .insertInto('conversation_note')
        .values({
          conversation_id: conversationId,
          organisation_id: gp,
          citizen_id: suzanne,
          author: doctor.staffId,
          body: Buffer.from('x'),
        })
        .execute(),
    );
  });

  test('[MG-9] bookkeeping: a citizen message opens, an answer answers, reading lowers the counters', async () => {
    let row = await conversationRow(conversationId);
    assert.equal(row.status, 'open');
    assert.equal(row.unread_by_organisation, 1);
    assert.equal(row.message_count, 1);
    // The employee reads it: marked read by them, the counter drops.
    await as(doctor, async (tx) => {
      await audited(tx, suzanne);
      await tx
        .updateTable('conversation_message')
        .set({ read_at: sql`now()`, read_by: doctor.staffId })
        .where('id', '=', messageId)
        .execute();
      await tx
        .insertInto('conversation_message')
        .values({
          conversation_id: conversationId,
          organisation_id: gp,
          citizen_id: suzanne,
          sender: 'staff',
          sender_staff: doctor.staffId,
          sender_name: 'Dr. A. Huisman',
          body: Buffer.from('sealed answer'),
        })
        .execute();
    });
    row = await conversationRow(conversationId);
    assert.equal(row.status, 'answered');
    assert.equal(row.unread_by_organisation, 0);
    assert.equal(row.unread_by_citizen, 1);
    assert.equal(row.last_sender, 'staff');
    // The citizen reads the answer (the trigger updates the conversation for them).
    await as(citizen(suzanne), async (tx) => {
      await audited(tx, suzanne);
      await tx
        .updateTable('conversation_message')
        .set({ read_at: sql`now()` })
        .where('conversation_id', '=', conversationId)
        .where('sender', '<>', 'citizen')
        .execute();
    });
    row = await conversationRow(conversationId);
    assert.equal(row.unread_by_citizen, 0);
    // The organisation's system answers with a plain insert: the trigger keeps the conversation right.
    await as(gpClient, async (tx) => {
      await audited(tx, suzanne);
      await tx
        .insertInto('conversation_message')
        .values({
          conversation_id: conversationId,
          organisation_id: gp,
          citizen_id: suzanne,
          sender: 'system',
          body: Buffer.from('sealed'),
        })
        .execute();
    });
    row = await conversationRow(conversationId);
    assert.equal(row.unread_by_citizen, 1);
    assert.equal(row.message_count, 3);
  });

  test('[MG-9] messages are immutable, read once, by the other side; senders are who they are', async () => {
    // The citizen cannot mark their own message read, nor change a body.
    const { conversation, message } = await startAsCitizen(suzanne, gp);
    await refused(citizen(suzanne), (tx) =>
      tx
        .updateTable('conversation_message')
        .set({ read_at: sql`now()` })
        .where('id', '=', message)
        .execute(),
    );
    await refused(doctor, (tx) =>
      tx
        .updateTable('conversation_message')
        .set({ body: Buffer.from('forged') })
        .where('id', '=', message)
        .execute(),
    );
    // Staff mark read only in their own name.
    await refused(doctor, (tx) =>
      tx
        .updateTable('conversation_message')
        .set({ read_at: sql`now()`, read_by: assistant.staffId })
        .where('id', '=', message)
        .execute(),
    );
    // A citizen cannot write as staff, an employee not as a colleague or as the citizen.
    const values = (sender: 'citizen' | 'staff' | 'system', staff: string | null) => ({
      conversation_id: conversation,
      organisation_id: gp,
      citizen_id: suzanne,
      sender,
      sender_staff: staff,
      body: Buffer.from('x'),
    });
    await refused(citizen(suzanne), (tx) =>
      tx.insertInto('conversation_message').values(values('staff', doctor.staffId)).execute(),
    );
    await refused(doctor, (tx) =>
      tx.insertInto('conversation_message').values(values('staff', assistant.staffId)).execute(),
    );
    await refused(doctor, (tx) => tx.insertInto('conversation_message').values(values('citizen', null)).execute());
    await refused(gpClient, (tx) => tx.insertInto('conversation_message').values(values('citizen', null)).execute());
    // Another citizen cannot write into it, nor another organisation.
    await refused(
      citizen(pieter),
      (tx) =>
        tx
          .insertInto('conversation_message')
          .values({ ...values('citizen', null), citizen_id: pieter })
          .execute(),
      pieter,
    );
    await refused(hospitalDoctor, (tx) =>
      tx
        .insertInto('conversation_message')
        .values({ ...values('staff', hospitalDoctor.staffId), organisation_id: hospital })
        .execute(),
    );
    // An attachment only comes with its own message, in its transaction.
    await refused(citizen(suzanne), (tx) =>
      tx
        .insertInto('message_attachment')
        .values({
          message_id: message,
          conversation_id: conversation,
          organisation_id: gp,
          citizen_id: suzanne,
          content_type: 'image/png',
          size_bytes: 1,
          file_name: Buffer.from('n'),
          content: Buffer.from('c'),
        })
        .execute(),
    );
    // …of an allowed type.
    await refused(citizen(suzanne), async (tx) => {
      const m = await tx
        .insertInto('conversation_message')
        .values(values('citizen', null))
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('message_attachment')
        .values({
          message_id: m.id,
          conversation_id: conversation,
          organisation_id: gp,
          citizen_id: suzanne,
          content_type: 'text/html' as 'image/png',
          size_bytes: 1,
          file_name: Buffer.from('n'),
          content: Buffer.from('c'),
        })
        .execute();
    });
  });

  test('[MG-9] close, reopen, assign: staff only; a closed conversation takes no message', async () => {
    const { conversation } = await startAsCitizen(suzanne, gp);
    // The citizen changes nothing directly.
    await refused(citizen(suzanne), (tx) =>
      tx.updateTable('conversation').set({ status: 'closed' }).where('id', '=', conversation).execute(),
    );
    // Staff cannot fake the bookkeeping.
    await refused(doctor, (tx) =>
      tx.updateTable('conversation').set({ status: 'answered' }).where('id', '=', conversation).execute(),
    );
    // Assign only to an employee of the organisation with messages:read.
    await refused(doctor, (tx) =>
      tx
        .updateTable('conversation')
        .set({ assigned_to: hospitalDoctor.staffId })
        .where('id', '=', conversation)
        .execute(),
    );
    await refused(doctor, (tx) =>
      tx
        .updateTable('conversation')
        .set({ assigned_to: privacyOfficer.staffId })
        .where('id', '=', conversation)
        .execute(),
    );
    await as(doctor, async (tx) => {
      await audited(tx, suzanne);
      await tx
        .updateTable('conversation')
        .set({ assigned_to: assistant.staffId })
        .where('id', '=', conversation)
        .execute();
      await tx.updateTable('conversation').set({ status: 'closed' }).where('id', '=', conversation).execute();
    });
    let row = await conversationRow(conversation);
    assert.equal(row.status, 'closed');
    assert.equal(row.assigned_to, assistant.staffId);
    assert.ok(row.closed_at);
    assert.equal(row.closed_by, doctor.staffId);
    const reply = (tx: Tx) =>
      tx
        .insertInto('conversation_message')
        .values({
          conversation_id: conversation,
          organisation_id: gp,
          citizen_id: suzanne,
          sender: 'citizen',
          body: Buffer.from('x'),
        })
        .execute();
    await assert.rejects(
      as(citizen(suzanne), async (tx) => {
        await audited(tx, suzanne);
        await reply(tx);
      }),
      (e: { code?: string }) => e.code === 'KM001',
    );
    await as(doctor, async (tx) => {
      await audited(tx, suzanne);
      await tx.updateTable('conversation').set({ status: 'open' }).where('id', '=', conversation).execute();
    });
    row = await conversationRow(conversation);
    assert.equal(row.status, 'open');
    assert.equal(row.closed_at, null);
    await as(citizen(suzanne), async (tx) => {
      await audited(tx, suzanne);
      await reply(tx);
    });
  });

  test('[MG-1] a citizen starts only where the organisation offers messages and the relationship is active', async () => {
    // The physio offers no 'messages'? It does in the demo; take it away for this test.
    await k.db
      .updateTable('organisation')
      .set({ functions: ['appointments'] })
      .where('id', '=', physio)
      .execute();
    try {
      await assert.rejects(startAsCitizen(pieter, physio), 'no messages function');
    } finally {
      await k.db
        .updateTable('organisation')
        .set({ functions: ['appointments', 'messages'] })
        .where('id', '=', physio)
        .execute();
    }
    await assert.rejects(startAsCitizen(johannes, gp), 'ended relationship');
    await assert.rejects(startAsCitizen(suzanne, physio), 'no relationship');
    // Not for someone else.
    await refused(
      citizen(pieter),
      (tx) =>
        tx
          .insertInto('conversation')
          .values({ organisation_id: gp, citizen_id: suzanne, subject: Buffer.from('x'), started_by: 'citizen' })
          .execute(),
      pieter,
    );
  });

  test('[MG-9] a named employee only where the organisation allows it, and only one who handles messages', async () => {
    await assert.rejects(startAsCitizen(suzanne, gp, { addressed_to: doctor.staffId }), 'not allowed yet');
    const staffList = () =>
      as(
        citizen(suzanne),
        async (tx) =>
          (await sql<{ id: string; name: string }>`select * from koepel_message_staff(${gp}::uuid)`.execute(tx)).rows,
      );
    assert.deepEqual(await staffList(), []);
    await k.db.updateTable('organisation').set({ messages_to_staff: true }).where('id', '=', gp).execute();
    try {
      const names = (await staffList()).map((r) => r.name).sort();
      assert.deepEqual(names, ['Dr. A. Huisman', 'L. de Boer']);
      const { conversation } = await startAsCitizen(suzanne, gp, { addressed_to: doctor.staffId });
      assert.equal((await conversationRow(conversation)).assigned_to, doctor.staffId);
      await assert.rejects(startAsCitizen(suzanne, gp, { addressed_to: privacyOfficer.staffId }));
      await assert.rejects(startAsCitizen(suzanne, gp, { addressed_to: hospitalDoctor.staffId }));
      // Another citizen without a relationship learns no names.
      const noor = await citizenId(k.db, k.koepel.keys, DEMO.noor);
      const other = await as(
        citizen(noor),
        async (tx) => (await sql`select * from koepel_message_staff(${gp}::uuid)`.execute(tx)).rows,
      );
      assert.deepEqual(other, []);
    } finally {
      await k.db.updateTable('organisation').set({ messages_to_staff: false }).where('id', '=', gp).execute();
    }
  });

  test('[ZL-10] the inbox lookups answer only staff of the organisation with messages:read', async () => {
    const inbox = (p: Principal) =>
      as(
        p,
        async (tx) =>
          (
            await sql<{ conversation_id: string }>`select * from koepel_message_inbox('active', 'all', 50, 0)`.execute(
              tx,
            )
          ).rows.length,
      );
    const badge = (p: Principal) =>
      as(p, async (tx) => (await sql<{ n: number }>`select koepel_message_badge() as n`.execute(tx)).rows[0]?.n);
    assert.ok((await inbox(doctor)) >= 1);
    assert.ok(((await badge(doctor)) ?? 0) >= 1);
    const without = { ...doctor, permissions: doctor.permissions.filter((x) => x !== 'messages:read') };
    assert.equal(await inbox(without), 0);
    assert.equal(await badge(without), 0);
    assert.equal(await inbox(hospitalDoctor), 0);
    assert.equal(await inbox(citizen(suzanne)), 0);
    const who = (p: Principal) =>
      as(
        p,
        async (tx) =>
          (
            await sql<{
              c: string | null;
            }>`select koepel_message_conversation_citizen(${conversationId}::uuid) as c`.execute(tx)
          ).rows[0]?.c ?? null,
      );
    assert.equal(await who(doctor), suzanne);
    assert.equal(await who(hospitalDoctor), null);
    assert.equal(await who(without), null);
    assert.equal(await who(citizen(pieter)), null);
  });

  // 0037: the counts and the badge count without the policies (security definer, numbers only).
  test("[ZL-10] the inbox counts and badge (0037) are the organisation's true numbers, and 0 for anyone else", async () => {
    const counts = (p: Principal, who: string) =>
      as(p, async (tx) => {
        const r = (await sql<Record<string, string>>`select * from koepel_message_inbox_counts(${who})`.execute(tx))
          .rows;
        assert.equal(r.length, 1);
        return Object.fromEntries(Object.entries(r[0] ?? {}).map(([k, v]) => [k, Number(v)]));
      });
    const badge = (p: Principal) =>
      as(p, async (tx) => (await sql<{ n: number }>`select koepel_message_badge() as n`.execute(tx)).rows[0]?.n);
    const org = doctor.kind === 'staff' ? doctor.organisationId : '';
    const me = doctor.kind === 'staff' ? doctor.staffId : '';
    // The same numbers counted by the owner, directly.
    const truth = async (who: 'all' | 'mine' | 'unassigned') => {
      const rows = await k.db
        .selectFrom('conversation')
        .select(['status', 'unread_by_organisation', 'assigned_to'])
        .where('organisation_id', '=', org)
        .execute();
      const mineOk = (a: string | null) => (who === 'all' ? true : who === 'mine' ? a === me : a === null);
      const sel = rows.filter((r) => mineOk(r.assigned_to));
      return {
        unread: sel.filter((r) => r.unread_by_organisation > 0 && r.status !== 'closed').length,
        open: sel.filter((r) => r.status === 'open').length,
        answered: sel.filter((r) => r.status === 'answered').length,
        closed: sel.filter((r) => r.status === 'closed').length,
      };
    };
    const all = await counts(doctor, 'all');
    assert.ok((all.open ?? 0) + (all.answered ?? 0) + (all.closed ?? 0) >= 1);
    for (const who of ['all', 'mine', 'unassigned'] as const) {
      assert.deepEqual(await counts(doctor, who), await truth(who), who);
    }
    const open = await k.db
      .selectFrom('conversation')
      .select(['assigned_to'])
      .where('organisation_id', '=', org)
      .where('status', '=', 'open')
      .execute();
    assert.equal(await badge(doctor), open.filter((r) => r.assigned_to === null || r.assigned_to === me).length);
    const zero = { unread: 0, open: 0, answered: 0, closed: 0 };
    const without = { ...doctor, permissions: doctor.permissions.filter((x) => x !== 'messages:read') };
    for (const p of [without, hospitalDoctor, citizen(suzanne)]) {
      assert.deepEqual(await counts(p, 'all'), zero);
      assert.equal(await badge(p), 0);
    }
    assert.deepEqual(await counts(doctor, 'everyone'), zero);
  });
});
