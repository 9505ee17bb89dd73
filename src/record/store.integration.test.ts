// The record store against the real database: who may write, who sees what, idempotent re-sends, encryption.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { writeAudit, NO_ACCESS_POINT } from '../platform/audit/audit.js';
import { withPrincipal, type Principal, type Tx } from '../platform/db/principal.js';
import type { DataScope } from '../platform/http/request-context.js';
import { bsnIndex } from '../identity/citizens.js';
import { parseBsn } from '../identity/bsn.js';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import { readAttachment, readResources, writeResources, type FhirJson } from './store.js';

describe('record store', () => {
  let k: TestKoepel;
  let gp: string;
  let hospital: string;
  let suzanne: string;
  let pieter: string;
  let gpClient: Principal;
  let hospitalClient: Principal;

  async function newClient(organisationId: string): Promise<Principal> {
    const row = await k.db
      .insertInto('api_client')
      .values({
        organisation_id: organisationId,
        name: 'test system',
        client_id: `kc_${randomBytes(12).toString('hex')}`,
        secret_hash: randomBytes(32),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { kind: 'client', clientId: row.id, organisationId };
  }

  const scopeOf = (tx: Tx, principal: Principal): DataScope => ({
    tx,
    principal,
    keys: k.koepel.keys,
    audit: (...events) => writeAudit(tx, principal, NO_ACCESS_POINT, events),
  });

  const observation = (code: string, value: number): FhirJson => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code, display: 'Hemoglobine' }] },
    effectiveDateTime: '2026-10-01T09:00:00+02:00',
    valueQuantity: { value, unit: 'mmol/L' },
  });

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    gpClient = await newClient(gp);
    hospitalClient = await newClient(hospital);
  });
  after(async () => {
    await k.close();
  });

  test('a client writes, re-sends without duplicating, and updates with a new version and an event', async () => {
    const write = (value: number) =>
      withPrincipal(k.db, gpClient, (tx) =>
        writeResources(scopeOf(tx, gpClient), [
          {
            citizenId: suzanne,
            resourceType: 'Observation',
            sourceKey: 'urn:his|obs-1',
            resource: observation('718-7', value),
          },
        ]),
      );
    const [first] = await write(8.1);
    assert.equal(first?.outcome, 'created');
    const [again] = await write(8.1);
    assert.equal(again?.outcome, 'unchanged');
    assert.equal(again?.id, first?.id);
    const [changed] = await write(8.4);
    assert.equal(changed?.outcome, 'updated');
    assert.equal(changed?.version, 2);
    const rows = await k.db
      .selectFrom('record_resource')
      .selectAll()
      .where('source_key', '=', 'urn:his|obs-1')
      .execute();
    assert.equal(rows.length, 1);
    const events = await k.db
      .selectFrom('record_event')
      .select('kind')
      .where('resource_id', '=', first?.id ?? '')
      .execute();
    assert.deepEqual(events.map((e) => e.kind).sort(), ['record.changed', 'result.new']);
    // Encrypted: the raw row does not contain the value or the code.
    const raw = Buffer.from(rows[0]?.ciphertext ?? []).toString('latin1');
    assert.ok(!raw.includes('718-7') && !raw.includes('Hemoglobine'));
    const audit = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'actor_type'])
      .where('resource_id', '=', first?.id ?? '')
      .execute();
    assert.deepEqual(audit.map((a) => a.event_code).sort(), [
      'record.resource.create',
      'record.resource.resend',
      'record.resource.update',
    ]);
    assert.ok(audit.every((a) => a.actor_type === 'client'));
  });

  test('[MG-4] each organisation sees only its own data about a citizen; the citizen sees both', async () => {
    await withPrincipal(k.db, hospitalClient, (tx) =>
      writeResources(scopeOf(tx, hospitalClient), [
        {
          citizenId: suzanne,
          resourceType: 'Observation',
          sourceKey: 'urn:lab|h-1',
          resource: observation('2345-7', 5.2),
        },
      ]),
    );
    const gpDoctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    const hospitalStaff = await staffPrincipal(k.db, 'arts@rivierenland.example');
    const seenBy = (p: Principal, audited: boolean) =>
      withPrincipal(k.db, p, async (tx) => {
        if (audited)
          await writeAudit(tx, p, NO_ACCESS_POINT, [{ event: 'test.read', action: 'R', citizenId: suzanne }]);
        return (await readResources({ tx, keys: k.koepel.keys }, { citizenId: suzanne })).map((r) => r.organisationId);
      });
    // Without an audit record first, nobody sees anything.
    assert.deepEqual(await seenBy(gpDoctor, false), []);
    const gpSees = await seenBy(gpDoctor, true);
    assert.ok(gpSees.length > 0 && gpSees.every((o) => o === gp));
    const hSees = await seenBy(hospitalStaff, true);
    assert.ok(hSees.length > 0 && hSees.every((o) => o === hospital));
    // The API clients too.
    assert.ok((await seenBy(hospitalClient, true)).every((o) => o === hospital));
    const citizen: Principal = { kind: 'citizen', citizenId: suzanne, portalId: await portalId() };
    const citizenSees = new Set(await seenBy(citizen, true));
    // Both organisations' data (the demo adds the pharmacy's), and nothing from outside her care providers.
    assert.ok(citizenSees.has(gp) && citizenSees.has(hospital));
    const pharmacy = await orgId(k.db, DEMO.pharmacy);
    assert.ok([...citizenSees].every((o) => [gp, hospital, pharmacy].includes(o)));
    // Another citizen sees none of it.
    const other: Principal = { kind: 'citizen', citizenId: pieter, portalId: await portalId() };
    const otherSees = await withPrincipal(k.db, other, async (tx) => {
      await writeAudit(tx, other, NO_ACCESS_POINT, [{ event: 'test.read', action: 'R', citizenId: suzanne }]).catch(
        () => undefined,
      );
      return tx.selectFrom('record_resource').select('id').where('citizen_id', '=', suzanne).execute();
    }).catch(() => []);
    assert.equal(otherSees.length, 0);
  });

  test('staff cannot write record resources; a client cannot write for another organisation', async () => {
    const gpDoctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    await assert.rejects(
      withPrincipal(k.db, gpDoctor, async (tx) => {
        await writeAudit(tx, gpDoctor, NO_ACCESS_POINT, [{ event: 'test', action: 'C', citizenId: suzanne }]);
        await tx
          .insertInto('record_resource')
          .values({
            organisation_id: gp,
            citizen_id: suzanne,
            resource_type: 'Observation',
            category: 'lab',
            source_key: 'x|1',
            content_mac: Buffer.alloc(32),
            ciphertext: Buffer.alloc(40),
          })
          .execute();
      }),
      /row-level security/,
    );
    await assert.rejects(
      withPrincipal(k.db, gpClient, async (tx) => {
        await writeAudit(tx, gpClient, NO_ACCESS_POINT, [{ event: 'test', action: 'C', citizenId: suzanne }]);
        await tx
          .insertInto('record_resource')
          .values({
            organisation_id: hospital,
            citizen_id: suzanne,
            resource_type: 'Observation',
            category: 'lab',
            source_key: 'x|2',
            content_mac: Buffer.alloc(32),
            ciphertext: Buffer.alloc(40),
          })
          .execute();
      }),
      /row-level security/,
    );
  });

  test('[PZ-4] a client finds no patient whose relationship with its organisation has ended', async () => {
    const johannes = parseBsn(DEMO.johannes);
    const noor = parseBsn(DEMO.noor);
    assert.ok(johannes && noor);
    const match = (p: Principal, bsn: NonNullable<ReturnType<typeof parseBsn>>) =>
      withPrincipal(k.db, p, async (tx) => {
        const { rows } = await sql<{
          id: string | null;
        }>`select koepel_match_patient(${bsnIndex(k.koepel.keys, bsn)}) as id`.execute(tx);
        return rows[0]?.id ?? null;
      });
    assert.equal(await match(gpClient, johannes), null, 'GP relationship ended');
    assert.ok(await match(hospitalClient, johannes), 'hospital relationship active');
    assert.equal(await match(gpClient, noor), null, 'no relationship at all');
  });

  test('attachments are stored encrypted and read back only by who may see the document', async () => {
    const pdf = Buffer.from('%PDF-1.4 brief van de internist');
    const [doc] = await withPrincipal(k.db, hospitalClient, (tx) =>
      writeResources(scopeOf(tx, hospitalClient), [
        {
          citizenId: suzanne,
          resourceType: 'DocumentReference',
          sourceKey: 'urn:ehr|doc-1',
          resource: {
            resourceType: 'DocumentReference',
            status: 'current',
            date: '2026-10-02T10:00:00+02:00',
            content: [{ attachment: { contentType: 'application/pdf', title: 'Ontslagbrief' } }],
          },
          attachments: [{ position: 0, contentType: 'application/pdf', data: pdf }],
        },
      ]),
    );
    assert.ok(doc);
    const raw = await k.db
      .selectFrom('record_attachment')
      .select('ciphertext')
      .where('resource_id', '=', doc.id)
      .executeTakeFirstOrThrow();
    assert.ok(!Buffer.from(raw.ciphertext).includes(pdf));
    const citizen: Principal = { kind: 'citizen', citizenId: suzanne, portalId: await portalId() };
    const read = (p: Principal) =>
      withPrincipal(k.db, p, async (tx) => {
        await writeAudit(tx, p, NO_ACCESS_POINT, [{ event: 'test.read', action: 'R', citizenId: suzanne }]);
        return readAttachment({ tx, keys: k.koepel.keys }, doc.id, 0);
      });
    assert.deepEqual((await read(citizen))?.data, pdf);
    assert.equal(await read(await staffPrincipal(k.db, 'huisarts@delinde.example')), null);
  });

  test('a DocumentReference re-sent with fewer attachments loses the ones it no longer has', async () => {
    const doc = (n: number) => ({
      citizenId: suzanne,
      resourceType: 'DocumentReference' as const,
      sourceKey: 'urn:ehr|doc-shrink',
      resource: {
        resourceType: 'DocumentReference' as const,
        status: 'current',
        content: Array.from({ length: n }, (_, i) => ({
          attachment: { contentType: 'text/plain', title: `deel ${i}` },
        })),
      },
      attachments: Array.from({ length: n }, (_, i) => ({
        position: i,
        contentType: 'text/plain',
        data: Buffer.from(`deel ${i}`),
      })),
    });
    const write = (n: number) =>
      withPrincipal(k.db, hospitalClient, (tx) => writeResources(scopeOf(tx, hospitalClient), [doc(n)]));
    const [first] = await write(3);
    assert.ok(first);
    const positions = async () =>
      (
        await k.db
          .selectFrom('record_attachment')
          .select('position')
          .where('resource_id', '=', first.id)
          .orderBy('position')
          .execute()
      ).map((r) => r.position);
    assert.deepEqual(await positions(), [0, 1, 2]);
    const [second] = await write(1);
    assert.equal(second?.outcome, 'updated');
    assert.deepEqual(await positions(), [0]);
  });

  async function portalId(): Promise<string> {
    return (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
  }
});
