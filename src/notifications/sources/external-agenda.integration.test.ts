// Issue 14 (MG-10): appointment e-mails where the organisation's own system holds the agenda (FHIR Slot and
// Appointment, MG-5). The citizen's request ("aangevraagd") is not yet made: no appointment-made until the system
// confirms it (then made, and the reminder stays queued); a refusal by the system is appointment-changed and drops
// the reminder. Over real HTTP as the organisation's API client.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../../test/support/harness.js';
import { citizenId, DEMO, orgId } from '../../../test/support/principals.js';
import { atLocal, bookAppointment, isoWeekday, localDate, nextDate } from '../../appointments/index.js';
import { createApiClient, fhir, tokenFor } from '../../fhir/ingest.testkit.js';
import { withPrincipal, type Principal } from '../../platform/db/principal.js';
import { runInScope } from '../../platform/db/scope.js';
import { EMAIL_NOTIFICATION_JOB } from '../events.js';

type Json = Record<string, unknown>;

function nextMonday(): string {
  let d = nextDate(nextDate(nextDate(localDate(new Date()))));
  while (isoWeekday(d) !== 1) d = nextDate(d);
  return d;
}

describe('[MG-10] appointment e-mails with an external agenda', () => {
  let k: TestKoepel;
  let gp: string;
  let suzanne: string;
  let pieter: string;
  let portal: string;
  let consult: string;
  let token: string;
  let mark = '0';
  const monday = nextMonday();
  const at = (time: string) => atLocal(monday, time);

  async function events(): Promise<Json[]> {
    const rows = await withPrincipal(k.db, { kind: 'system', purpose: 'jobs' }, (tx) =>
      tx
        .selectFrom('job')
        .select(['id', 'payload'])
        .where('kind', '=', EMAIL_NOTIFICATION_JOB)
        .where(sql<boolean>`id > ${mark}::bigint`)
        .orderBy('id')
        .execute(),
    );
    if (rows.length > 0) mark = String(rows[rows.length - 1]?.id);
    return rows.map((r) => r.payload as Json);
  }
  const reminder = (id: string, start: Date) =>
    withPrincipal(k.db, { kind: 'system', purpose: 'jobs' }, (tx) =>
      tx
        .selectFrom('job')
        .select(['run_at'])
        .where('kind', '=', EMAIL_NOTIFICATION_JOB)
        .where('idempotency_key', '=', `appointment-soon:${id}:${Math.floor(start.getTime() / 1000)}`)
        .executeTakeFirst(),
    );

  const book = async (who: string, slot: string, start: Date) => {
    const s = await k.db
      .selectFrom('appointment_slot')
      .select('id')
      .where('organisation_id', '=', gp)
      .where('logical_id', '=', slot)
      .executeTakeFirstOrThrow();
    const p: Principal = { kind: 'citizen', citizenId: who, portalId: portal };
    return runInScope({ db: k.db, keys: k.koepel.keys }, p, (scope) =>
      bookAppointment(scope, {
        organisationId: gp,
        citizenId: who,
        typeId: consult,
        staffId: null,
        slotId: s.id,
        start,
        reason: '',
        reminderMinutes: 1440,
        idempotencyKey: null,
      }),
    );
  };
  const answer = async (id: string, status: 'booked' | 'cancelled') => {
    const read = await fhir(k.url, token, 'GET', `/fhir/Appointment/koepel-${id}`);
    assert.equal(read.status, 200, read.text);
    const a = read.json as Json;
    const put = await fhir(k.url, token, 'PUT', `/fhir/Appointment/koepel-${id}`, {
      ...a,
      status,
      participant: (a.participant as Json[]).map((p) =>
        (p.actor as Json).type === 'Patient' ? p : { ...p, status: status === 'booked' ? 'accepted' : 'declined' },
      ),
    });
    assert.equal(put.status, 200, put.text);
  };

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    await k.db.updateTable('organisation').set({ agenda: 'external' }).where('id', '=', gp).execute();
    consult = (
      await k.db
        .updateTable('appointment_type')
        .set({ code: 'CONS10' })
        .where('organisation_id', '=', gp)
        .where('name', '=', 'Consult')
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    token = await tokenFor(k.url, await createApiClient(k.db, gp, 'HIS'));
    const put = async (path: string, body: Json) => {
      const r = await fhir(k.url, token, 'PUT', path, body);
      assert.equal(r.status, 201, r.text);
    };
    await put('/fhir/Schedule/agenda-mg10', {
      resourceType: 'Schedule',
      active: true,
      actor: [{ reference: 'Practitioner/dr-huisman', display: 'Dr. A. Huisman' }],
    });
    for (const [id, start, end] of [
      ['mg10-0900', '09:00', '09:10'],
      ['mg10-0910', '09:10', '09:20'],
    ] as const) {
      await put(`/fhir/Slot/${id}`, {
        resourceType: 'Slot',
        schedule: { reference: 'Schedule/agenda-mg10' },
        status: 'free',
        start: at(start).toISOString(),
        end: at(end).toISOString(),
        appointmentType: { coding: [{ system: 'urn:test:his-afspraaktypen', code: 'CONS10' }] },
      });
    }
    await events();
  });
  after(async () => {
    await k.close();
  });

  test('[MG-10] a request is not yet made; the system confirming it is appointment-made, refusing it appointment-changed', async () => {
    const confirmed = await book(suzanne, 'mg10-0900', at('09:00'));
    const refused = await book(pieter, 'mg10-0910', at('09:10'));
    const queued = await events();
    assert.deepEqual(
      queued.map((p) => p.event),
      ['appointment-soon', 'appointment-soon'],
      'requests: only their reminders, no "made"',
    );
    await answer(confirmed.id, 'booked');
    assert.deepEqual(await events(), [{ citizenId: suzanne, event: 'appointment-made', organisationId: gp }]);
    assert.ok(await reminder(confirmed.id, at('09:00')), 'the reminder stays');
    await answer(refused.id, 'cancelled');
    assert.deepEqual(await events(), [{ citizenId: pieter, event: 'appointment-changed', organisationId: gp }]);
    assert.equal(await reminder(refused.id, at('09:10')), undefined, 'a refused request reminds of nothing');
  });
});
