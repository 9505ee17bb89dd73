// Encryption at rest: the raw table contents after the demo load hold no BSN and no BRP address in the clear.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { FIXTURE_PERSONS } from '../../src/identity/brp/fixture-persons.js';
import { withPrincipal } from '../../src/platform/db/principal.js';
import { writeResources, type ResourceWrite } from '../../src/record/store.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { DEMO, orgId } from '../support/principals.js';
import { auditRead, newCitizen, newClient, newStaff, relate, scopeOf } from './record-kit.js';

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

  test('[ZL-2] [MG-16] record data is stored encrypted: no BSN, health text or attachment bytes in the clear', async () => {
    const gp = await orgId(k.db, DEMO.gp);
    const client = await newClient(k.db, gp);
    const patient = await newCitizen(k.db, k.koepel.keys);
    await relate(k.db, gp, patient.id);
    const portalId = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    // Distinctive strings in every kind of field a sender fills in, and binary attachment bytes.
    const texts = {
      lab: 'Glucose nuchter ZEBRA-LAB-88412',
      labNote: 'Hypoglykemie bij inspanning ZEBRA-LABNOTE',
      episode: 'Diabetes mellitus type 2 ZEBRA-EPISODE',
      medication: 'Metformine 500 mg ZEBRA-MEDICIJN',
      dosage: '2 maal daags 1 tablet ZEBRA-DOSERING',
      allergy: 'Penicilline ZEBRA-ALLERGIE',
      appointment: 'Controle diabetesverpleegkundige ZEBRA-AFSPRAAK',
      document: 'Verwijsbrief internist ZEBRA-BRIEF',
      attachment: 'Geachte collega, ZEBRA-BIJLAGE-31337',
      careteam: 'Diabetesteam ZEBRA-ZORGTEAM',
      note: 'Ik wil graag mijn brieven zien ZEBRA-VERZOEK',
      answer: 'Uw verzoek is toegekend ZEBRA-ANTWOORD',
    };
    const binary = randomBytes(48);
    const ref = { reference: 'Patient/p1' };
    const writes: ResourceWrite[] = [
      {
        citizenId: patient.id,
        resourceType: 'Patient',
        sourceKey: 'id|p1',
        resource: {
          resourceType: 'Patient',
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: patient.bsn }],
          birthDate: '1980-05-17',
        },
      },
      {
        citizenId: patient.id,
        resourceType: 'Observation',
        sourceKey: 'urn:lab|enc-1',
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '14771-0', display: texts.lab }], text: texts.lab },
          subject: ref,
          valueQuantity: { value: 3.1, unit: 'mmol/L' },
          interpretation: [{ text: 'laag' }],
          note: [{ text: texts.labNote }],
          effectiveDateTime: '2026-10-01T08:00:00+02:00',
        },
      },
      {
        citizenId: patient.id,
        resourceType: 'Condition',
        sourceKey: 'urn:his|enc-2',
        resource: { resourceType: 'Condition', code: { text: texts.episode }, subject: ref },
      },
      {
        citizenId: patient.id,
        resourceType: 'MedicationStatement',
        sourceKey: 'urn:his|enc-3',
        resource: {
          resourceType: 'MedicationStatement',
          status: 'active',
          medicationCodeableConcept: { text: texts.medication },
          dosage: [{ text: texts.dosage }],
          subject: ref,
        },
      },
      {
        citizenId: patient.id,
        resourceType: 'AllergyIntolerance',
        sourceKey: 'urn:his|enc-4',
        resource: { resourceType: 'AllergyIntolerance', code: { text: texts.allergy }, patient: ref },
      },
      {
        citizenId: patient.id,
        resourceType: 'Appointment',
        sourceKey: 'urn:his|enc-5',
        resource: { resourceType: 'Appointment', status: 'booked', description: texts.appointment },
      },
      {
        citizenId: patient.id,
        resourceType: 'CareTeam',
        sourceKey: 'urn:his|enc-6',
        resource: { resourceType: 'CareTeam', name: texts.careteam, subject: ref },
      },
      {
        citizenId: patient.id,
        resourceType: 'DocumentReference',
        sourceKey: 'urn:his|enc-7',
        resource: {
          resourceType: 'DocumentReference',
          status: 'current',
          description: texts.document,
          content: [
            { attachment: { contentType: 'text/plain', title: texts.document } },
            { attachment: { contentType: 'application/pdf' } },
          ],
        },
        attachments: [
          { position: 0, contentType: 'text/plain', data: Buffer.from(texts.attachment) },
          { position: 1, contentType: 'application/pdf', data: binary },
        ],
      },
    ];
    await withPrincipal(k.db, client, (tx) => writeResources(scopeOf(tx, client, k.koepel.keys), writes));
    // The citizen asks for more, with a note; the GP answers. Both texts under the organisation key.
    await withPrincipal(k.db, { kind: 'citizen', citizenId: patient.id, portalId }, async (tx) => {
      const note = await k.koepel.keys.encrypt(tx, { kind: 'organisation', id: gp }, texts.note, 'note');
      await tx
        .insertInto('record_access_request')
        .values({ organisation_id: gp, citizen_id: patient.id, categories: ['documents'], note_ciphertext: note })
        .execute();
    });
    const staff = await newStaff(k.db, gp, ['record:requests']);
    await withPrincipal(k.db, staff, async (tx) => {
      await auditRead(tx, staff, [patient.id]);
      const answer = await k.koepel.keys.encrypt(tx, { kind: 'organisation', id: gp }, texts.answer, 'answer');
      const n = await tx
        .updateTable('record_access_request')
        .set({ status: 'granted', response_ciphertext: answer, handled_at: new Date(), handled_by: staff.staffId })
        .where('citizen_id', '=', patient.id)
        .executeTakeFirst();
      assert.equal(Number(n.numUpdatedRows), 1);
    });

    const dump = await rawDump();
    assert.ok(dump.includes(patient.id), 'the scan covers the new rows');
    for (const [field, text] of Object.entries(texts)) {
      assert.ok(!dump.includes(text), `${field} text found in the clear`);
      const word = text.split(' ').pop() ?? '';
      assert.ok(!dump.includes(word), `${field} marker found in the clear`);
    }
    for (const form of [patient.bsn, `${patient.bsn.slice(0, 4)}.${patient.bsn.slice(4, 6)}.${patient.bsn.slice(6)}`]) {
      assert.ok(!dump.includes(form), 'BSN of the record found in the clear');
    }
    assert.ok(!dump.includes(binary.toString('latin1')), 'attachment bytes found in the clear');
    assert.ok(!dump.includes(binary.toString('hex')), 'attachment bytes found in the clear (hex)');
    assert.ok(!dump.includes(binary.toString('base64')), 'attachment bytes found in the clear (base64)');
    // The events carry codes: the whole row text of each is ids, a category, a kind and timestamps.
    const events = (
      await sql<{ r: string }>`select t::text as r from record_event t where citizen_id = ${patient.id}`.execute(k.db)
    ).rows;
    assert.ok(events.length >= 6);
    for (const { r } of events) {
      const rest = r
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '')
        .replace(/"[^"]*\d{4}-\d{2}-\d{2}[^"]*"/g, '');
      assert.match(
        rest,
        /^\(\d+,,,(appointments|episodes|sensitivities|lab|documents|medication|careteam),(result|document|record)\.(new|changed),,,?\)$/,
      );
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
