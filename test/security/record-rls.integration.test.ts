// Tenant isolation of the record tables (migration 0003) at the SQL level, below the application: organisation
// A's staff and API client against organisation B's rows, the anonymous principal, and the two functions that
// deliberately reach past row-level security (koepel_match_patient, koepel_audit_actor_names).
// The RLS-enabled-and-forced check for every table (the new ones included) is in rls.integration.test.ts.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { bsnIndex } from '../../src/identity/citizens.js';
import { parseBsn } from '../../src/identity/bsn.js';
import { withPrincipal, type Principal, type Tx } from '../../src/platform/db/principal.js';
import { writeResources, type ResourceWrite } from '../../src/record/store.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import {
  auditRead,
  dayFromToday,
  newCitizen,
  newClient,
  newOrganisation,
  newStaff,
  relate,
  scopeOf,
  type CitizenPrincipal,
  type ClientPrincipal,
  type StaffPrincipal,
} from './record-kit.js';

const ALL_PERMISSIONS = [
  'patients:search',
  'patients:read',
  'record:read',
  'record:requests',
  'audit:read',
  'admin:staff',
  'admin:organisation',
  'admin:api-clients',
];

/** The tables of migration 0003 that belong to an organisation. */
const TENANT_TABLES = [
  'api_client',
  'api_token',
  'record_resource',
  'record_attachment',
  'directory_resource',
  'record_category_grant',
  'record_access_request',
  'record_event',
] as const;
type TenantTable = (typeof TENANT_TABLES)[number];

const RLS = /row-level security/;

describe('record tables: row-level security between organisations', () => {
  let k: TestKoepel;
  let portal: string;
  let otherPortal: string;
  let orgA: string;
  let orgB: string;
  let staffA: StaffPrincipal;
  let staffB: StaffPrincipal;
  let clientA: ClientPrincipal;
  let clientB: ClientPrincipal;
  /** Patient of A and B. */
  let shared: { id: string; bsn: string };
  /** Patient of B only. */
  let onlyB: { id: string; bsn: string };
  /** Relationship with A ended; active with B. */
  let endedA: { id: string; bsn: string };
  let docOfB: string;
  let docOfA: string;

  const as = <T>(p: Principal, fn: (tx: Tx) => Promise<T>) => withPrincipal(k.db, p, fn);
  const citizenP = (id: string, portalId = portal): CitizenPrincipal => ({ kind: 'citizen', citizenId: id, portalId });
  const lab = (marker: string, citizenId: string, sourceKey: string): ResourceWrite => ({
    citizenId,
    resourceType: 'Observation',
    sourceKey,
    resource: {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }], text: marker },
      valueQuantity: { value: 5.4, unit: 'mmol/L' },
      effectiveDateTime: '2026-09-01T08:00:00Z',
    },
  });
  const doc = (citizenId: string, sourceKey: string): ResourceWrite => ({
    citizenId,
    resourceType: 'DocumentReference',
    sourceKey,
    resource: {
      resourceType: 'DocumentReference',
      status: 'current',
      date: '2026-09-02T08:00:00Z',
      content: [{ attachment: { contentType: 'text/plain' } }],
    },
    attachments: [{ position: 0, contentType: 'text/plain', data: Buffer.from('verwijsbrief') }],
  });

  before(async () => {
    k = await startKoepel();
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    otherPortal = (
      await k.db
        .insertInto('portal')
        .values({
          slug: `rls-${randomBytes(4).toString('hex')}`,
          name: 'Ander portaal',
          support_email: 's@x.example',
          dpo_name: 'FG',
          dpo_email: 'fg@x.example',
          privacy_statement_updated_on: '2026-01-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    orgA = await newOrganisation(k.db, k.koepel.keys, 'Praktijk A', [portal]);
    orgB = await newOrganisation(k.db, k.koepel.keys, 'Ziekenhuis B', [portal], ['appointments', 'documents']);
    staffA = await newStaff(k.db, orgA, ALL_PERMISSIONS, 'Dr. Anna Alfa');
    staffB = await newStaff(k.db, orgB, ALL_PERMISSIONS, 'Dr. Bram Beta');
    clientA = await newClient(k.db, orgA);
    clientB = await newClient(k.db, orgB);
    shared = await newCitizen(k.db, k.koepel.keys);
    onlyB = await newCitizen(k.db, k.koepel.keys);
    endedA = await newCitizen(k.db, k.koepel.keys);
    await relate(k.db, orgA, shared.id);
    await relate(k.db, orgB, shared.id);
    await relate(k.db, orgB, onlyB.id);
    const rel = await relate(k.db, orgA, endedA.id);
    await relate(k.db, orgB, endedA.id);
    for (const c of [clientA, clientB]) {
      await k.db
        .insertInto('api_token')
        .values({
          token_hash: randomBytes(32),
          api_client_id: c.clientId,
          organisation_id: c.organisationId,
          expires_at: new Date(Date.now() + 3600_000),
        })
        .execute();
    }

    // Both organisations hold data about every patient they have; A wrote for endedA while it lasted.
    const write = (c: ClientPrincipal, writes: ResourceWrite[]) =>
      as(c, (tx) => writeResources(scopeOf(tx, c, k.koepel.keys), writes));
    const [a1, a2] = await write(clientA, [
      lab('A-shared', shared.id, 'urn:a|1'),
      doc(shared.id, 'urn:a|doc'),
      lab('A-ended', endedA.id, 'urn:a|2'),
    ]);
    docOfA = a2?.id ?? '';
    assert.ok(a1 && docOfA);
    const results = await write(clientB, [
      lab('B-shared', shared.id, 'urn:b|1'),
      lab('B-only', onlyB.id, 'urn:b|2'),
      doc(onlyB.id, 'urn:b|doc'),
      lab('B-ended', endedA.id, 'urn:b|3'),
    ]);
    docOfB = results[2]?.id ?? '';
    for (const [c, org] of [
      [clientA, orgA],
      [clientB, orgB],
    ] as const) {
      await as(c, (tx) =>
        tx
          .insertInto('directory_resource')
          .values({
            organisation_id: org,
            resource_type: 'Practitioner',
            source_key: 'urn:agb|01000001',
            resource: JSON.stringify({ resourceType: 'Practitioner' }),
          })
          .execute(),
      );
    }
    // Grants and requests at both organisations, made while the relationships are active.
    // B grants lab results to `shared` only: `onlyB` is not shown B's lab results.
    for (const [staff, org, citizens, granted] of [
      [staffA, orgA, [shared.id, endedA.id], [shared.id, endedA.id]],
      [staffB, orgB, [shared.id, onlyB.id], [shared.id]],
    ] as const) {
      await as(staff, async (tx) => {
        await auditRead(tx, staff, granted);
        for (const c of granted) {
          await tx
            .insertInto('record_category_grant')
            .values({ organisation_id: org, citizen_id: c, category: 'lab', granted_by: staff.staffId })
            .execute();
        }
      });
      for (const c of citizens) {
        // The citizen asks, as a citizen principal, with a note encrypted under the organisation key.
        await as(citizenP(c), async (tx) => {
          const note = await k.koepel.keys.encrypt(tx, { kind: 'organisation', id: org }, 'graag inzage', `note:${c}`);
          await tx
            .insertInto('record_access_request')
            .values({ organisation_id: org, citizen_id: c, categories: ['episodes'], note_ciphertext: note })
            .execute();
        });
      }
    }
    await k.db
      .updateTable('care_relationship')
      .set({ ended_on: dayFromToday(-10) })
      .where('id', '=', rel)
      .execute();
  });
  after(async () => {
    await k.close();
  });

  const everyone = () => [shared.id, onlyB.id, endedA.id];

  async function orgIdsIn(tx: Tx, table: TenantTable | 'care_relationship' | 'organisation_key'): Promise<string[]> {
    const rows = await tx.selectFrom(table).select('organisation_id').execute();
    return rows.map((r) => r.organisation_id);
  }

  test("[ZL-1] [MG-4] A's staff and A's client see none of B's rows in any record table, and their own", async () => {
    for (const p of [staffA, clientA]) {
      await as(p, async (tx) => {
        await auditRead(tx, p, everyone());
        for (const table of [...TENANT_TABLES, 'care_relationship', 'organisation_key'] as const) {
          const orgs = await orgIdsIn(tx, table);
          assert.ok(
            orgs.every((o) => o === orgA),
            `${p.kind} of A sees ${orgs.filter((o) => o !== orgA).length} row(s) of another organisation in ${table}`,
          );
        }
        // The citizen rows: only A's active patient, never the one whose relationship ended.
        const citizens = (await tx.selectFrom('citizen').select('id').execute()).map((r) => r.id);
        assert.deepEqual(citizens, [shared.id], `${p.kind}: citizens`);
        // Not vacuous: A's own record is there.
        const own = await tx.selectFrom('record_resource').select(['citizen_id']).execute();
        assert.ok(own.length >= 2 && own.every((r) => r.citizen_id === shared.id), `${p.kind}: own record`);
        assert.equal((await tx.selectFrom('record_attachment').select('resource_id').execute()).length, 1);
        assert.equal((await tx.selectFrom('directory_resource').select('id').execute()).length, 1);
        const log = await tx.selectFrom('audit_log').select('actor_organisation_id').execute();
        assert.ok(log.every((l) => l.actor_organisation_id === orgA));
      });
    }
    // A's admin manages its own API clients only; nobody but the token check reads tokens.
    await as(staffA, async (tx) => {
      const clients = await tx.selectFrom('api_client').select('id').execute();
      assert.deepEqual(
        clients.map((c) => c.id),
        [clientA.clientId],
      );
      assert.equal((await tx.selectFrom('api_token').select('api_client_id').execute()).length, 0);
    });
    // B's view, for symmetry: it does see its own rows (so the filter above is a filter, not an empty table).
    await as(staffB, async (tx) => {
      await auditRead(tx, staffB, everyone());
      assert.ok((await orgIdsIn(tx, 'record_resource')).length >= 4);
      assert.equal((await orgIdsIn(tx, 'record_access_request')).length, 2);
    });
  });

  test("[ZL-1] a citizen reads the data key only of organisations that show them their record, not a former one's", async () => {
    const keysOf = (p: CitizenPrincipal) =>
      as(p, async (tx) =>
        (await tx.selectFrom('organisation_key').select('organisation_id').execute()).map((r) => r.organisation_id),
      );
    assert.deepEqual(await keysOf(citizenP(endedA.id)), [orgB], 'the key of an organisation after the relationship');
    assert.deepEqual((await keysOf(citizenP(shared.id))).sort(), [orgA, orgB].sort());
    assert.deepEqual(await keysOf(citizenP(shared.id, otherPortal)), [], 'keys of organisations of another portal');
  });

  test('[ZL-1] [PZ-4] the record of a citizen whose relationship ended is invisible to that organisation', async () => {
    for (const p of [staffA, clientA]) {
      const seen = await as(p, async (tx) => {
        await auditRead(tx, p, [endedA.id]);
        return {
          citizen: await tx.selectFrom('citizen').select('id').where('id', '=', endedA.id).execute(),
          resources: await tx.selectFrom('record_resource').select('id').where('citizen_id', '=', endedA.id).execute(),
          requests: await tx
            .selectFrom('record_access_request')
            .select('id')
            .where('citizen_id', '=', endedA.id)
            .execute(),
          relationships: await tx
            .selectFrom('care_relationship')
            .select('id')
            .where('citizen_id', '=', endedA.id)
            .execute(),
        };
      });
      assert.deepEqual(seen, { citizen: [], resources: [], requests: [], relationships: [] }, p.kind);
    }
  });

  test("[ZL-1] A's staff and A's client cannot write a row for B", async () => {
    const attempts: [string, Principal, (tx: Tx) => Promise<unknown>][] = [
      [
        'record_resource',
        clientA,
        (tx) =>
          tx
            .insertInto('record_resource')
            .values({
              organisation_id: orgB,
              citizen_id: shared.id,
              resource_type: 'Observation',
              category: 'lab',
              source_key: 'urn:x|1',
              content_mac: Buffer.alloc(32),
              ciphertext: Buffer.alloc(48),
            })
            .execute(),
      ],
      [
        'record_attachment',
        clientA,
        (tx) =>
          tx
            .insertInto('record_attachment')
            .values({
              resource_id: docOfB,
              organisation_id: orgB,
              citizen_id: onlyB.id,
              position: 1,
              content_type: 'text/plain',
              byte_size: 1,
              ciphertext: Buffer.alloc(40),
            })
            .execute(),
      ],
      [
        'directory_resource',
        clientA,
        (tx) =>
          tx
            .insertInto('directory_resource')
            .values({ organisation_id: orgB, resource_type: 'Practitioner', source_key: 'urn:x|2', resource: '{}' })
            .execute(),
      ],
      [
        'record_event',
        clientA,
        (tx) =>
          tx
            .insertInto('record_event')
            .values({ organisation_id: orgB, citizen_id: shared.id, category: 'lab', kind: 'result.new' })
            .execute(),
      ],
      [
        'record_category_grant',
        staffA,
        (tx) =>
          tx
            .insertInto('record_category_grant')
            .values({ organisation_id: orgB, citizen_id: shared.id, category: 'documents' })
            .execute(),
      ],
      [
        'record_access_request (staff)',
        staffA,
        (tx) =>
          tx
            .insertInto('record_access_request')
            .values({ organisation_id: orgB, citizen_id: shared.id, categories: ['lab'] })
            .execute(),
      ],
      [
        'record_access_request (client)',
        clientA,
        (tx) =>
          tx
            .insertInto('record_access_request')
            .values({ organisation_id: orgA, citizen_id: shared.id, categories: ['lab'] })
            .execute(),
      ],
      [
        'api_client',
        staffA,
        (tx) =>
          tx
            .insertInto('api_client')
            .values({
              organisation_id: orgB,
              name: 'x',
              client_id: `kc_${randomBytes(12).toString('hex')}`,
              secret_hash: randomBytes(32),
            })
            .execute(),
      ],
      [
        'api_token',
        staffA,
        (tx) =>
          tx
            .insertInto('api_token')
            .values({
              token_hash: randomBytes(32),
              api_client_id: clientB.clientId,
              organisation_id: orgB,
              expires_at: new Date(Date.now() + 3600_000),
            })
            .execute(),
      ],
      [
        'api_token (client)',
        clientA,
        (tx) =>
          tx
            .insertInto('api_token')
            .values({
              token_hash: randomBytes(32),
              api_client_id: clientA.clientId,
              organisation_id: orgA,
              expires_at: new Date(Date.now() + 3600_000),
            })
            .execute(),
      ],
      [
        'care_relationship',
        clientA,
        (tx) => tx.insertInto('care_relationship').values({ organisation_id: orgA, citizen_id: onlyB.id }).execute(),
      ],
    ];
    const before = await counts();
    for (const [what, p, fn] of attempts) {
      await assert.rejects(
        as(p, async (tx) => {
          await auditRead(tx, p, everyone());
          await fn(tx);
        }),
        RLS,
        `${p.kind} of A: ${what}`,
      );
    }
    // Updates and deletes of B's rows find nothing to change.
    for (const p of [staffA, clientA]) {
      const changed = await as(p, async (tx) => {
        await auditRead(tx, p, everyone());
        const n = [
          await tx
            .updateTable('record_resource')
            .set({ version: 99 })
            .where('organisation_id', '=', orgB)
            .executeTakeFirst(),
          await tx
            .updateTable('record_access_request')
            .set({ status: 'declined' })
            .where('organisation_id', '=', orgB)
            .executeTakeFirst(),
          await tx
            .updateTable('directory_resource')
            .set({ source_key: 'x' })
            .where('organisation_id', '=', orgB)
            .executeTakeFirst(),
          await tx.updateTable('api_client').set({ name: 'x' }).where('organisation_id', '=', orgB).executeTakeFirst(),
          await tx
            .updateTable('organisation')
            .set({ record_categories: ['lab'] })
            .where('id', '=', orgB)
            .executeTakeFirst(),
        ];
        const deleted = await tx.deleteFrom('api_token').where('organisation_id', '=', orgB).executeTakeFirst();
        return [...n.map((r) => Number(r.numUpdatedRows)), Number(deleted.numDeletedRows)];
      });
      assert.deepEqual(changed, [0, 0, 0, 0, 0, 0], p.kind);
    }
    assert.deepEqual(await counts(), before, 'nothing changed');
  });

  async function counts(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const t of [...TENANT_TABLES, 'care_relationship'] as const) {
      out[t] = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(k.db)).rows[0]?.n;
    }
    out.recordB = (
      await k.db.selectFrom('record_resource').select(['version']).where('organisation_id', '=', orgB).execute()
    ).map((r) => r.version);
    out.categoriesB = (
      await k.db.selectFrom('organisation').select('record_categories').where('id', '=', orgB).executeTakeFirst()
    )?.record_categories;
    return out;
  }

  test('[ZL-1] with no principal nothing in the record tables is visible, and nothing can be written', async () => {
    await as({ kind: 'anonymous' }, async (tx) => {
      for (const table of TENANT_TABLES) {
        const rows = await tx
          .selectFrom(table)
          .select(sql`1`.as('x'))
          .execute();
        assert.equal(rows.length, 0, `${table} leaked ${rows.length} rows to an anonymous principal`);
      }
    });
    await assert.rejects(
      as({ kind: 'anonymous' }, (tx) =>
        tx
          .insertInto('record_event')
          .values({ organisation_id: orgA, citizen_id: shared.id, category: 'lab', kind: 'result.new' })
          .execute(),
      ),
      RLS,
    );
    // The operator (service desk) has no business with medical records either.
    const op = (
      await k.db.selectFrom('staff_account').select('id').where('is_operator', '=', true).executeTakeFirstOrThrow()
    ).id;
    await as({ kind: 'operator', staffId: op }, async (tx) => {
      await auditRead(tx, { kind: 'operator', staffId: op }, everyone());
      for (const table of [...TENANT_TABLES, 'citizen', 'care_relationship'] as const) {
        const rows = await tx
          .selectFrom(table)
          .select(sql`1`.as('x'))
          .execute();
        assert.equal(rows.length, 0, `${table} leaked ${rows.length} rows to the operator`);
      }
    });
  });

  test('koepel_match_patient reveals a citizen id only to an organisation with an active relationship', async () => {
    const index = (bsn: string) => {
      const valid = parseBsn(bsn);
      assert.ok(valid);
      return bsnIndex(k.koepel.keys, valid);
    };
    const match = (p: Principal, bsn: string) =>
      as(p, async (tx) => {
        const { rows } = await sql<{ id: string | null }>`select koepel_match_patient(${index(bsn)}) as id`.execute(tx);
        // The function's look-up switch does not outlive the call: no citizen row is readable afterwards
        // (the login look-up principal reads ids and blind indexes by design, so it is left out here).
        if (p.kind !== 'system') {
          const leaked = await tx.selectFrom('citizen').select('id').execute();
          assert.equal(leaked.length, 0, 'citizen rows readable after koepel_match_patient');
        }
        return rows[0]?.id ?? null;
      });
    assert.equal(await match(clientA, shared.bsn), shared.id, 'own active patient');
    assert.equal(await match(staffA, shared.bsn), shared.id, 'own active patient (staff)');
    assert.equal(await match(clientA, onlyB.bsn), null, "another organisation's patient");
    assert.equal(await match(staffA, onlyB.bsn), null, "another organisation's patient (staff)");
    assert.equal(await match(clientA, endedA.bsn), null, 'relationship ended');
    assert.equal(await match(clientB, endedA.bsn), endedA.id, 'still active at B');
    assert.equal(await match(clientA, '111222333'), null, 'unknown BSN');
    assert.equal(await match({ kind: 'anonymous' }, shared.bsn), null, 'anonymous');
    assert.equal(await match(citizenP(shared.id), shared.bsn), null, 'the citizen themself');
    assert.equal(await match(citizenP(shared.id), onlyB.bsn), null, 'another citizen');
    assert.equal(await match({ kind: 'system', purpose: 'citizen-login' }, shared.bsn), null, 'system');
    assert.equal(await match({ kind: 'system', purpose: 'api-auth' }, shared.bsn), null, 'system (api-auth)');
  });

  test("koepel_audit_actor_names names only staff in the calling citizen's own audit log", async () => {
    // Two fresh patients (other tests audit the shared ones): A's doctor looks at x, B's doctor at y.
    const x = await newCitizen(k.db, k.koepel.keys);
    const y = await newCitizen(k.db, k.koepel.keys);
    await relate(k.db, orgA, x.id);
    await relate(k.db, orgB, x.id);
    await relate(k.db, orgB, y.id);
    await as(staffA, (tx) => auditRead(tx, staffA, [x.id]));
    await as(staffB, (tx) => auditRead(tx, staffB, [y.id]));
    await as(clientB, (tx) => auditRead(tx, clientB, [x.id])); // a client in the log has no name to reveal
    const stranger = await newStaff(k.db, orgA, ['patients:search'], 'Dr. Nooit Gezien');
    const askFor = [staffA.staffId, staffB.staffId, stranger.staffId, clientB.clientId, randomUUID()];
    const names = (p: Principal) =>
      as(p, async (tx) => {
        const { rows } = await sql<{ id: string; display_name: string }>`
          select id, display_name from koepel_audit_actor_names(${askFor}::uuid[]) order by display_name`.execute(tx);
        return rows.map((r) => r.display_name);
      });
    assert.deepEqual(await names(citizenP(x.id)), ['Dr. Anna Alfa']);
    assert.deepEqual(await names(citizenP(y.id)), ['Dr. Bram Beta']);
    // A citizen with no audit history learns nobody's name.
    const fresh = await newCitizen(k.db, k.koepel.keys);
    assert.deepEqual(await names(citizenP(fresh.id)), []);
    // Staff, clients, the operator and anonymous get nothing (not even the names of colleagues).
    assert.deepEqual(await names(staffA), []);
    assert.deepEqual(await names(staffB), []);
    assert.deepEqual(await names(clientA), []);
    assert.deepEqual(await names({ kind: 'anonymous' }), []);
    const op = (
      await k.db.selectFrom('staff_account').select('id').where('is_operator', '=', true).executeTakeFirstOrThrow()
    ).id;
    assert.deepEqual(await names({ kind: 'operator', staffId: op }), []);
    assert.deepEqual(await names({ kind: 'system', purpose: 'audit-verify' }), []);
  });

  test('a citizen principal sees the record of organisations in their portal only', async () => {
    const seen = (portalId: string) =>
      as(citizenP(shared.id, portalId), async (tx) => {
        await auditRead(tx, citizenP(shared.id, portalId), [shared.id]);
        return (await tx.selectFrom('record_resource').select('organisation_id').execute()).map(
          (r) => r.organisation_id,
        );
      });
    const here = await seen(portal);
    // B offers no lab results, but granted `shared` the category; A offers everything.
    assert.deepEqual([...new Set(here)].sort(), [orgA, orgB].sort());
    assert.deepEqual(await seen(otherPortal), [], 'neither organisation is in the other portal');
  });

  test('the request queue functions reveal ids of the own organisation, current patients and the right only', async () => {
    const requestOf = async (org: string, citizen: string) =>
      (
        await k.db
          .selectFrom('record_access_request')
          .select('id')
          .where('organisation_id', '=', org)
          .where('citizen_id', '=', citizen)
          .executeTakeFirstOrThrow()
      ).id;
    const queue = (p: Principal) =>
      as(p, async (tx) => {
        const { rows } = await sql<{
          id: string;
          citizen_id: string;
        }>`select id, citizen_id from koepel_open_access_requests(100)`.execute(tx);
        // The ids come without the rows: staff still need an audit record before reading a request.
        if (p.kind === 'staff') {
          assert.equal((await tx.selectFrom('record_access_request').select('id').execute()).length, 0);
        }
        return rows.map((r) => r.citizen_id).sort();
      });
    assert.deepEqual(await queue(staffA), [shared.id], "A's queue: not the former patient, nothing of B");
    assert.deepEqual(await queue(staffB), [shared.id, onlyB.id].sort());
    assert.deepEqual(await queue(await newStaff(k.db, orgA, ['patients:search', 'record:read'])), [], 'no right');
    for (const p of [clientA, citizenP(shared.id), { kind: 'anonymous' } as const]) {
      assert.deepEqual(await queue(p), [], p.kind);
    }
    const citizenOf = (p: Principal, request: string) =>
      as(p, async (tx) => {
        const { rows } = await sql<{ c: string | null }>`select koepel_access_request_citizen(${request}) as c`.execute(
          tx,
        );
        return rows[0]?.c ?? null;
      });
    assert.equal(await citizenOf(staffA, await requestOf(orgA, shared.id)), shared.id);
    assert.equal(await citizenOf(staffA, await requestOf(orgB, onlyB.id)), null, "B's request");
    assert.equal(await citizenOf(staffA, await requestOf(orgA, endedA.id)), null, 'former patient');
    assert.equal(await citizenOf(citizenP(shared.id), await requestOf(orgA, shared.id)), null, 'citizen');
    assert.equal(await citizenOf(clientA, await requestOf(orgA, shared.id)), null, 'client');
  });

  // ------------------------------------------------------------------------------------------------------------
  // Holes found in migration 0003 and reported to the lead. Each test states the rule. Migrations 0005 and 0008
  // fixed them.
  // ------------------------------------------------------------------------------------------------------------
  test('[PZ-4] category grants of a citizen whose relationship ended are hidden from that organisation', async () => {
    for (const p of [staffA, clientA]) {
      const rows = await as(p, async (tx) => {
        await auditRead(tx, p, [endedA.id]);
        return tx.selectFrom('record_category_grant').select('category').where('citizen_id', '=', endedA.id).execute();
      });
      assert.deepEqual(rows, [], `${p.kind} of A still sees the grant of a former patient`);
    }
  });

  test('[ZL-1] staff read access requests only after an audit record about the citizen', async () => {
    const rows = await as(staffA, (tx) => tx.selectFrom('record_access_request').select('citizen_id').execute());
    assert.deepEqual(rows, [], 'request rows (citizen ids, categories) readable without an audit record');
  });

  test('[MG-1] a citizen sees record events only of what they may see, and only after an audit record', async () => {
    // B offers appointments and documents only; its lab results for `onlyB` are not shown to them …
    const p = citizenP(onlyB.id);
    const events = await as(p, async (tx) => {
      const before = await tx.selectFrom('record_event').select('category').execute();
      await auditRead(tx, p, [onlyB.id]);
      const resources = await tx.selectFrom('record_resource').select('category').execute();
      const after = await tx.selectFrom('record_event').select(['category', 'organisation_id']).execute();
      return { before, resources: resources.map((r) => r.category), after };
    });
    assert.deepEqual(events.resources, ['documents'], 'the resource policy hides the lab result');
    assert.deepEqual(events.before, [], 'events readable without an audit record');
    // … so the events must not tell them that a new lab result exists.
    assert.deepEqual(
      events.after.map((e) => e.category),
      ['documents'],
      'an event reveals a lab result the organisation does not make available',
    );
  });

  test("[MG-4] a client cannot attach a file or an event to another organisation's resource", async () => {
    // A's client names B's document (an id it should never know, but ids leak: logs, links, guesses).
    await assert.rejects(
      as(clientA, async (tx) => {
        await auditRead(tx, clientA, [shared.id]);
        await tx
          .insertInto('record_attachment')
          .values({
            resource_id: docOfB,
            organisation_id: orgA,
            citizen_id: shared.id,
            position: 7,
            content_type: 'text/plain',
            byte_size: 1,
            ciphertext: Buffer.alloc(40),
          })
          .execute();
      }),
      RLS,
      "A's client attached a file to B's document",
    );
    await assert.rejects(
      as(clientA, async (tx) => {
        await auditRead(tx, clientA, [shared.id]);
        await tx
          .insertInto('record_event')
          .values({
            organisation_id: orgA,
            citizen_id: shared.id,
            category: 'lab',
            kind: 'result.new',
            resource_id: docOfB,
          })
          .execute();
      }),
      RLS,
      "A's client created an event about B's document",
    );
  });

  test('[MG-16] record events come only from record writes: a client cannot make one up, even about its own data', async () => {
    const eventsOf = (resourceId: string) =>
      k.db
        .selectFrom('record_event')
        .select(['kind', 'organisation_id'])
        .where('resource_id', '=', resourceId)
        .orderBy('id')
        .execute();
    const before = await eventsOf(docOfA);
    assert.deepEqual(before, [{ kind: 'document.new', organisation_id: orgA }], 'the write of the document made one');
    // A's own document, A's own patient, audited: a correct-looking event, but not one a write made.
    await assert.rejects(
      as(clientA, async (tx) => {
        await auditRead(tx, clientA, [shared.id]);
        await tx
          .insertInto('record_event')
          .values({
            organisation_id: orgA,
            citizen_id: shared.id,
            category: 'documents',
            kind: 'record.changed',
            resource_id: docOfA,
          })
          .execute();
      }),
      RLS,
      'a client inserted an event of its own',
    );
    // A re-send with the same content is no news; a changed one is, once.
    const again = (text: string) =>
      as(clientA, (tx) => writeResources(scopeOf(tx, clientA, k.koepel.keys), [lab(text, shared.id, 'urn:a|1')]));
    const [same] = await again('A-shared');
    assert.equal(same?.outcome, 'unchanged');
    const [changed] = await again('A-shared, corrected');
    assert.equal(changed?.outcome, 'updated');
    const labEvents = await eventsOf(changed?.id ?? '');
    assert.deepEqual(
      labEvents.map((e) => e.kind),
      ['result.new', 'record.changed'],
    );
    assert.deepEqual(await eventsOf(docOfA), before, 'the refused insert left nothing behind');
    // An update that leaves the content as it was (here: only the date used for ordering) is no news either.
    await as(clientA, async (tx) => {
      await auditRead(tx, clientA, [shared.id]);
      await tx
        .updateTable('record_resource')
        .set({ effective_at: new Date('2026-01-01T00:00:00Z') })
        .where('id', '=', changed?.id ?? '')
        .execute();
    });
    assert.equal((await eventsOf(changed?.id ?? '')).length, 2, 'an event for an update without new content');
  });

  test('[MG-7] a citizen cannot rewrite the handling of their request', async () => {
    const id = (
      await k.db
        .selectFrom('record_access_request')
        .select('id')
        .where('citizen_id', '=', onlyB.id)
        .executeTakeFirstOrThrow()
    ).id;
    await as(staffB, async (tx) => {
      await auditRead(tx, staffB, [onlyB.id]);
      await tx
        .updateTable('record_access_request')
        .set({ status: 'declined', handled_at: new Date(), handled_by: staffB.staffId })
        .where('id', '=', id)
        .execute();
    });
    const p = citizenP(onlyB.id);
    const changed = await as(p, async (tx) => {
      await auditRead(tx, p, [onlyB.id]);
      const r = await tx
        .updateTable('record_access_request')
        .set({ status: 'open' as never, categories: ['lab', 'documents'], handled_by: null })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    }).catch(() => 0);
    assert.equal(changed, 0, 'the citizen reopened a declined request and erased who handled it');
  });

  test('[PZ-4] staff cannot grant categories to a citizen without an active relationship', async () => {
    await assert.rejects(
      as(staffA, async (tx) => {
        await auditRead(tx, staffA, [onlyB.id]);
        await tx
          .insertInto('record_category_grant')
          .values({ organisation_id: orgA, citizen_id: onlyB.id, category: 'lab' })
          .execute();
      }),
      RLS,
    );
  });
});
