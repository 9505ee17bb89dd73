// Encryption at rest: the raw table contents after the demo load hold no BSN and no BRP address in the clear; what the
// real code paths write (record data from a provider system, a citizen's request note and the organisation's answer
// through HTTP) holds no plaintext either; and a text that does not decrypt is an error, never shown as empty.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { FIXTURE_PERSONS } from '../../src/identity/brp/fixture-persons.js';
import type { Bsn } from '../../src/identity/bsn.js';
import { bsnIndex } from '../../src/identity/citizens.js';
import { choose, openSimulator } from '../../src/identity/digid/test-driver.js';
import { loginStaff } from '../../src/staff/login.testkit.js';
import { withPrincipal } from '../../src/platform/db/principal.js';
import { writeResources, type ResourceWrite } from '../../src/record/store.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { csrfFrom, HttpClient } from '../support/http-client.js';
import { DEMO, orgId } from '../support/principals.js';
import { newCitizen, newClient, relate, scopeOf } from './record-kit.js';

const GP_DOCTOR = 'huisarts@delinde.example';

describe('encryption at rest', () => {
  let k: TestKoepel;
  /** Everything the app logs (trace level, unredacted): what the log would show an operator. */
  const logged: string[] = [];
  before(async () => {
    k = await startKoepel(
      {},
      {
        logStream: new Writable({
          write(chunk: Buffer, _enc, done) {
            logged.push(chunk.toString('utf8'));
            if (logged.length > 5_000) logged.splice(0, 1_000);
            done();
          },
        }),
      },
    );
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
      // Whatever the variant: an address in the Netherlands, abroad, or a `Locatie` description.
      const v = p.verblijfplaats;
      const parts =
        v?.type === 'Adres'
          ? [v.verblijfadres.officieleStraatnaam, v.verblijfadres.postcode]
          : v?.type === 'VerblijfplaatsBuitenland'
            ? [v.verblijfadres.regel1 ?? '']
            : v?.type === 'Locatie'
              ? [v.verblijfadres.locatiebeschrijving ?? '']
              : [];
      for (const part of parts.filter(Boolean)) {
        assert.ok(!dump.includes(part), 'a BRP address part was found in the clear');
      }
    }
  });

  test('[ZL-2] [MG-16] record data is stored encrypted: no BSN, health text or attachment bytes in the clear', async () => {
    const gp = await orgId(k.db, DEMO.gp);
    const client = await newClient(k.db, gp);
    const patient = await newCitizen(k.db, k.koepel.keys);
    await relate(k.db, gp, patient.id);
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
    // The citizen asks for more, with a note; the GP answers. Both through the real HTTP paths; after the scan, both
    // texts are shown again as written (so they were stored, and the scan decides how).
    const request = await askAndAnswer(patient.bsn, gp, texts.note, texts.answer);
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
    await assertShown(request.citizen, texts.note, texts.answer);
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

  /**
   * The citizen (logged in with DigiD by BSN) asks the organisation for one more category with a note; its doctor
   * answers with a text. Returns the request's id.
   */
  async function askAndAnswer(
    bsn: string,
    organisation: string,
    note: string,
    answer: string,
  ): Promise<{ id: string; citizen: HttpClient }> {
    const citizen = await citizenSession(bsn);
    const form = await citizen.get(`/record-requests/new/${organisation}`);
    assert.equal(form.status, 200);
    const category = /<input[^>]*value="(appointments|episodes|sensitivities|lab|documents|medication|careteam)"/.exec(
      form.text,
    )?.[1];
    assert.ok(category, 'a category to ask for');
    const asked = await citizen.post('/record-requests', {
      _csrf: csrfFrom(form.text),
      organisation,
      categories: category,
      note,
    });
    assert.equal(asked.status, 303);
    const citizenId = (
      await k.db
        .selectFrom('citizen')
        .select('id')
        .where('bsn_index', '=', bsnIndex(k.koepel.keys, bsn as Bsn))
        .executeTakeFirstOrThrow()
    ).id;
    const { id } = await k.db
      .selectFrom('record_access_request')
      .select('id')
      .where('citizen_id', '=', citizenId)
      .where('organisation_id', '=', organisation)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    const doctor = await doctorSession();
    const granted = await doctor.client.post(`/staff/record-requests/${id}/grant`, {
      _csrf: doctor.csrf,
      categories: category,
      response: answer,
    });
    assert.equal(granted.status, 303);
    return { id, citizen };
  }

  /** The citizen's overview shows her note and the answer as written: they were stored, and read back. */
  async function assertShown(citizen: HttpClient, ...texts: string[]): Promise<void> {
    const page = await citizen.get('/record-requests');
    assert.equal(page.status, 200);
    for (const text of texts) assert.ok(page.text.includes(text), 'the citizen sees her note and the answer');
  }

  async function citizenSession(bsn: string): Promise<HttpClient> {
    const c = new HttpClient(k.url);
    const { form } = await openSimulator(c);
    const chosen = await choose(c, form, { bsn });
    assert.ok(chosen.location, `simulator answered ${chosen.status}`);
    assert.equal((await c.get(chosen.location)).status, 303);
    return c;
  }

  let doctor: { client: HttpClient; csrf: string } | null = null;
  async function doctorSession(): Promise<{ client: HttpClient; csrf: string }> {
    if (!doctor) {
      const { client, page } = await loginStaff(k.url, GP_DOCTOR);
      doctor = { client, csrf: csrfFrom(page.text) };
    }
    return doctor;
  }

  test('[ZL-2] a request note that does not decrypt is an error (500, logged without the text), never an empty note', async () => {
    const gp = await orgId(k.db, DEMO.gp);
    const patient = await newCitizen(k.db, k.koepel.keys);
    await relate(k.db, gp, patient.id);
    const note = 'Mijn verzoek ZEBRA-KAPOT-NOTE';
    const { id, citizen } = await askAndAnswer(patient.bsn, gp, note, 'Akkoord ZEBRA-KAPOT-ANTWOORD');
    await assertShown(citizen, note);
    const doctor = await doctorSession();
    const original = (
      await k.db
        .selectFrom('record_access_request')
        .select('note_ciphertext')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).note_ciphertext;
    assert.ok(original);
    // Tampered with (one bit of the ciphertext), and stored in the clear: both must fail loudly.
    const tampered = Buffer.from(original);
    tampered[tampered.length - 20] = (tampered[tampered.length - 20] ?? 0) ^ 1;
    for (const [what, stored] of [
      ['tampered', tampered],
      ['in the clear', Buffer.from(note, 'utf8')],
    ] as const) {
      await k.db.updateTable('record_access_request').set({ note_ciphertext: stored }).where('id', '=', id).execute();
      logged.length = 0;
      for (const [who, client, path] of [
        ['citizen', citizen, '/record-requests'],
        ['staff', doctor.client, `/staff/record-requests/${id}`],
      ] as const) {
        const page = await client.get(path);
        assert.equal(page.status, 500, `${what}: ${who} gets an error page`);
        assert.ok(!page.text.includes('ZEBRA-KAPOT'), `${what}: ${who}'s error page shows no text of the request`);
      }
      const log = logged.join('');
      assert.match(log, /request failed/, `${what}: the failure is logged`);
      for (const secret of ['ZEBRA-KAPOT', patient.bsn, 'Proef Persoon'])
        assert.ok(!log.includes(secret), `${what}: the log holds no personal data`);
    }
    // Restored, both pages work again.
    await k.db.updateTable('record_access_request').set({ note_ciphertext: original }).where('id', '=', id).execute();
    assert.equal((await citizen.get('/record-requests')).status, 200);
    assert.equal((await doctor.client.get(`/staff/record-requests/${id}`)).status, 200);
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
