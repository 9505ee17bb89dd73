// Repeat-medication orders below the application (migration 0028): what each principal may read and write of
// medication_order and medication_order_event with plain SQL as koepel_app — no route, no domain code in between.
// Between citizens, between organisations, employees with and without medication:orders, the organisation's system,
// and the guard trigger that lets each kind of principal change only what its actions need.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withPrincipal, type Principal, type Tx } from '../../src/platform/db/principal.js';
import { newApiClient } from '../../src/fhir/read/testkit.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../support/principals.js';

type Status = 'requested' | 'question' | 'approved' | 'refused' | 'ready' | 'sent' | 'delivered' | 'cancelled';

describe('medication orders: row-level security and the guard trigger', () => {
  let k: TestKoepel;
  let pharmacy: string;
  let gp: string;
  let hospital: string;
  let suzanne: string;
  let pieter: string;
  let portal: string;
  let pharmacist: Extract<Principal, { kind: 'staff' }>;
  let pharmacyClient: Principal;
  let gpClient: Principal;

  before(async () => {
    k = await startKoepel();
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    pharmacist = await staffPrincipal(k.db, 'apotheker@apotheekcentrum.example');
    pharmacyClient = await newApiClient(k.db, pharmacy);
    gpClient = await newApiClient(k.db, gp);
  });
  after(async () => {
    await k.close();
  });

  /** An order of Suzanne at the pharmacy, made as the owner, with its first event. */
  async function newOrder(status: Status = 'requested', delivery: 'pickup' | 'delivery' = 'pickup'): Promise<string> {
    const id = (
      await k.db
        .insertInto('medication_order')
        .values({
          organisation_id: pharmacy,
          citizen_id: suzanne,
          status,
          delivery,
          items_ciphertext: Buffer.from('sealed items'),
          item_count: 1,
          idempotency_key: crypto.randomUUID(),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await k.db
      .insertInto('medication_order_event')
      .values({ order_id: id, organisation_id: pharmacy, citizen_id: suzanne, status: 'requested', actor: 'citizen' })
      .execute();
    return id;
  }

  const citizen = (id: string): Principal => ({ kind: 'citizen', citizenId: id, portalId: portal });
  /** Runs as the principal after an audit-like mark for Suzanne (koepel_audited), as the code does. */
  const as = <T>(p: Principal, fn: (tx: Tx) => Promise<T>, audited = true) =>
    withPrincipal(k.db, p, async (tx) => {
      if (audited) await sql`select set_config('koepel.audited_citizens', ${`${suzanne},`}, true)`.execute(tx);
      return fn(tx);
    });
  const seen = (p: Principal, table: 'medication_order' | 'medication_order_event', audited = true) =>
    as(
      p,
      async (tx) =>
        (
          await tx
            .selectFrom(table)
            .select(sql<string>`1`.as('x'))
            .execute()
        ).length,
      audited,
    );
  const refused = (p: Principal, fn: (tx: Tx) => Promise<unknown>, message?: string) =>
    assert.rejects(as(p, fn), Error, message);
  /** An update that must change exactly one row. */
  const one = (tx: Tx, id: string, set: Record<string, unknown>) =>
    tx
      .updateTable('medication_order')
      .set(set)
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
      .then((r) => {
        if (Number(r.numUpdatedRows) !== 1) throw new Error('no row');
      });
  const statusOf = async (id: string) =>
    (await k.db.selectFrom('medication_order').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

  test('[MG-8] [ZL-1] reads: the own citizen, the organisation’s staff with medication:orders, its own system — nobody else', async () => {
    await newOrder();
    const total = Number(
      (
        await k.db
          .selectFrom('medication_order')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('citizen_id', '=', suzanne)
          .executeTakeFirstOrThrow()
      ).n,
    );
    for (const table of ['medication_order', 'medication_order_event'] as const) {
      assert.ok((await seen(citizen(suzanne), table)) >= total, table);
      assert.equal(await seen(citizen(pieter), table), 0, `${table}: another citizen`);
      assert.ok((await seen(pharmacist, table)) >= total, `${table}: the pharmacist`);
      const without = { ...pharmacist, permissions: pharmacist.permissions.filter((x) => x !== 'medication:orders') };
      assert.equal(await seen(without, table), 0, `${table}: an employee without medication:orders`);
      assert.equal(await seen(await staffPrincipal(k.db, 'huisarts@delinde.example'), table), 0, `${table}: the GP`);
      assert.equal(
        await seen(await staffPrincipal(k.db, 'beheer@apotheekcentrum.example'), table),
        0,
        `${table}: admin`,
      );
      assert.ok((await seen(pharmacyClient, table)) >= total, `${table}: the pharmacy's system`);
      assert.equal(await seen(gpClient, table), 0, `${table}: another organisation's system`);
      assert.equal(await seen({ kind: 'anonymous' }, table), 0);
      const operator = (await staffPrincipal(k.db, 'servicedesk@koepel.example').catch(() => null)) ?? null;
      if (operator) assert.equal(await seen({ kind: 'operator', staffId: operator.staffId }, table), 0);
      // Without the audit mark nobody reads it, not even the citizen.
      assert.equal(await seen(citizen(suzanne), table, false), 0, `${table}: no audit record, no row`);
      assert.equal(await seen(pharmacist, table, false), 0);
    }
  });

  test('[MG-1] the citizen sees and places orders only where the organisation offers repeat medication', async () => {
    await newOrder();
    await k.db
      .updateTable('organisation')
      .set({ functions: sql<string[]>`array_remove(functions, 'repeat-medication')` })
      .where('id', '=', pharmacy)
      .execute();
    try {
      assert.equal(await seen(citizen(suzanne), 'medication_order'), 0);
      assert.equal(await seen(citizen(suzanne), 'medication_order_event'), 0);
      await refused(citizen(suzanne), (tx) =>
        tx
          .insertInto('medication_order')
          .values({
            organisation_id: pharmacy,
            citizen_id: suzanne,
            items_ciphertext: Buffer.from('x'),
            item_count: 1,
            idempotency_key: crypto.randomUUID(),
          })
          .execute(),
      );
    } finally {
      await k.db
        .updateTable('organisation')
        .set({ functions: sql<string[]>`array_append(functions, 'repeat-medication')` })
        .where('id', '=', pharmacy)
        .execute();
    }
    // The hospital never offered it.
    await refused(citizen(suzanne), (tx) =>
      tx
        .insertInto('medication_order')
        .values({
          organisation_id: hospital,
          citizen_id: suzanne,
          items_ciphertext: Buffer.from('x'),
          item_count: 1,
          idempotency_key: crypto.randomUUID(),
        })
        .execute(),
    );
  });

  test('[MG-8] a citizen places and cancels own orders only: no approving, no other citizen, no rewriting', async () => {
    const id = await newOrder();
    const insert = (values: Record<string, unknown>) => (tx: Tx) =>
      tx
        .insertInto('medication_order')
        .values({
          organisation_id: pharmacy,
          citizen_id: suzanne,
          items_ciphertext: Buffer.from('x'),
          item_count: 1,
          idempotency_key: crypto.randomUUID(),
          ...values,
        })
        .execute();
    await refused(citizen(suzanne), insert({ citizen_id: pieter }));
    await refused(citizen(suzanne), insert({ status: 'approved' }));
    await refused(citizen(suzanne), insert({ changed_by: 'staff', changed_by_staff: pharmacist.staffId }));
    await refused(citizen(suzanne), (tx) => one(tx, id, { status: 'approved', changed_by: 'citizen' }));
    await refused(citizen(suzanne), (tx) => one(tx, id, { items_ciphertext: Buffer.from('other') }));
    await refused(citizen(suzanne), (tx) => one(tx, id, { delivery: 'delivery' }));
    await refused(citizen(suzanne), (tx) => one(tx, id, { citizen_id: pieter }));
    await refused(citizen(suzanne), (tx) => one(tx, id, { organisation_id: gp }));
    await refused(citizen(suzanne), (tx) =>
      tx
        .insertInto('medication_order_event')
        .values({
          order_id: id,
          organisation_id: pharmacy,
          citizen_id: suzanne,
          status: 'requested',
          actor: 'staff',
          actor_staff: pharmacist.staffId,
        })
        .execute(),
    );
    // Another citizen's update finds no row.
    await refused(citizen(pieter), (tx) => one(tx, id, { status: 'cancelled', changed_by: 'citizen' }));
    // Nobody deletes (no grant).
    await refused(citizen(suzanne), (tx) => tx.deleteFrom('medication_order').where('id', '=', id).execute());
    await refused(pharmacist, (tx) => tx.deleteFrom('medication_order_event').where('order_id', '=', id).execute());
    // The citizen's cancel passes; cancelling an approved order does not.
    await as(citizen(suzanne), (tx) => one(tx, id, { status: 'cancelled', changed_by: 'citizen' }));
    assert.equal(await statusOf(id), 'cancelled');
    const approved = await newOrder('approved');
    await refused(citizen(suzanne), (tx) => one(tx, approved, { status: 'cancelled', changed_by: 'citizen' }));
  });

  test('[MG-8] staff answer along the order’s course, as themselves; they cannot cancel, rewrite or skip ahead', async () => {
    const id = await newOrder();
    const mark = { changed_by: 'staff', changed_by_staff: pharmacist.staffId };
    const colleague = (await staffPrincipal(k.db, 'beheer@apotheekcentrum.example')).staffId;
    await refused(pharmacist, (tx) =>
      one(tx, id, { status: 'approved', changed_by: 'staff', changed_by_staff: colleague }),
    );
    await refused(pharmacist, (tx) =>
      one(tx, id, { status: 'approved', changed_by: 'system', changed_by_staff: null }),
    );
    await refused(pharmacist, (tx) => one(tx, id, { status: 'cancelled', ...mark }));
    await refused(pharmacist, (tx) => one(tx, id, { status: 'delivered', ...mark }));
    await refused(pharmacist, (tx) => one(tx, id, { status: 'sent', ...mark }), 'sent is for delivery');
    await refused(pharmacist, (tx) => one(tx, id, { note_ciphertext: Buffer.from('x'), ...mark }));
    await refused(pharmacist, (tx) => one(tx, id, { delivery: 'delivery', ...mark }));
    await as(pharmacist, (tx) => one(tx, id, { status: 'approved', ...mark }));
    await as(pharmacist, (tx) => one(tx, id, { status: 'ready', ...mark }));
    await refused(pharmacist, (tx) => one(tx, id, { status: 'approved', ...mark }));
    // The history: only as themselves, with the status the order has now.
    const event = (values: Record<string, unknown>) => (tx: Tx) =>
      tx
        .insertInto('medication_order_event')
        .values({
          order_id: id,
          organisation_id: pharmacy,
          citizen_id: suzanne,
          status: 'ready',
          actor: 'staff',
          actor_staff: pharmacist.staffId,
          ...values,
        })
        .execute();
    await refused(pharmacist, event({ actor_staff: colleague }));
    await refused(pharmacist, event({ status: 'delivered' }));
    await refused(pharmacist, event({ actor: 'system', actor_staff: null }));
    await as(pharmacist, event({}));
    // An employee without the right changes nothing; another organisation's finds no row.
    const without = { ...pharmacist, permissions: pharmacist.permissions.filter((x) => x !== 'medication:orders') };
    await refused(without, (tx) => one(tx, id, { status: 'delivered', ...mark }));
    const doctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    await refused(doctor, (tx) =>
      one(tx, id, { status: 'delivered', changed_by: 'staff', changed_by_staff: doctor.staffId }),
    );
    assert.equal(await statusOf(id), 'ready');
  });

  test('[MG-5] the organisation’s system answers as the system; other systems change nothing', async () => {
    const id = await newOrder('requested', 'delivery');
    const system = { changed_by: 'system', changed_by_staff: null };
    await refused(pharmacyClient, (tx) =>
      one(tx, id, { status: 'approved', changed_by: 'staff', changed_by_staff: pharmacist.staffId }),
    );
    await refused(pharmacyClient, (tx) => one(tx, id, { status: 'cancelled', ...system }));
    await refused(pharmacyClient, (tx) => one(tx, id, { status: 'ready', ...system }), 'ready is for pickup');
    await refused(gpClient, (tx) => one(tx, id, { status: 'approved', ...system }));
    await refused(pharmacyClient, (tx) =>
      tx
        .insertInto('medication_order')
        .values({
          organisation_id: pharmacy,
          citizen_id: suzanne,
          items_ciphertext: Buffer.from('x'),
          item_count: 1,
          idempotency_key: crypto.randomUUID(),
          changed_by: 'system',
        })
        .execute(),
    );
    await as(pharmacyClient, (tx) => one(tx, id, { status: 'sent', ...system }));
    await as(pharmacyClient, (tx) => one(tx, id, { status: 'delivered', ...system }));
    assert.equal(await statusOf(id), 'delivered');
    const row = await k.db
      .selectFrom('medication_order')
      .select(['version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.version, 3, 'the trigger counts versions');
  });
});
