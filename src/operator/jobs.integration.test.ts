// Issue 14 (operator): the job queue page. Only the operator sees it; counts per kind and state; dead jobs with their
// code, never their payload; "queue again" turns a dead job into a queued one with its attempts back, audited; bad
// input is refused and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient, csrfFrom } from '../../test/support/http-client.js';
import { DEMO } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { withPrincipal } from '../platform/db/principal.js';
import { loginStaff, type StaffLogin } from '../staff/login.testkit.js';
import { PAGE_SIZE } from './jobs.js';

describe('operator: background jobs', () => {
  let k: TestKoepel;
  let operator: StaffLogin;
  let deadId = '';
  let doneId = '';

  async function addJob(kind: string, state: string, payload: object = {}): Promise<string> {
    const { rows } = await withPrincipal(k.db, { kind: 'system', purpose: 'jobs' }, async (tx) => {
      const id = await sql<{
        id: string;
      }>`select koepel_enqueue_job(${kind}, ${JSON.stringify(payload)}::jsonb) as id`.execute(tx);
      return sql<{ id: string }>`
        update job set state = ${state}, attempts = case when ${state} = 'dead' then 3 else attempts end,
          max_attempts = 3, last_error = case when ${state} = 'dead' then 'smtp-550' end,
          finished_at = case when ${state} in ('dead', 'done') then now() end
        where id = ${id.rows[0]?.id} returning id::text`.execute(tx);
    });
    const id = rows[0]?.id;
    assert.ok(id);
    return id;
  }

  async function jobRow(id: string) {
    const { rows } = await sql<{ state: string; attempts: number; last_error: string | null }>`
      select state, attempts, last_error from job where id = ${id}::bigint`.execute(k.db);
    const row = rows[0];
    assert.ok(row);
    return row;
  }

  before(async () => {
    k = await startKoepel();
    deadId = await addJob('email.test', 'dead', { citizenId: '11111111-1111-4111-8111-111111111111' });
    doneId = await addJob('email.test', 'done');
    await addJob('delivery.test', 'queued');
    operator = await loginStaff(k.url, 'servicedesk@koepel.example');
  });
  after(() => k.close());

  test('the operator sees counts per kind and state, and the dead jobs without their payload', async () => {
    const menu = await operator.client.get('/operator/alerts');
    assert.match(menu.text, /href="\/operator\/jobs"/, 'the operator menu links the page');
    const page = await operator.client.get('/operator/jobs');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(page.text, /Achtergrondtaken/);
    assert.match(page.text, /email\.test/);
    assert.match(page.text, /delivery\.test/);
    assert.match(page.text, /smtp-550/);
    assert.match(page.text, new RegExp(`action="/operator/jobs/${deadId}/requeue"`));
    assert.doesNotMatch(page.text, new RegExp(`/operator/jobs/${doneId}/requeue`), 'only dead jobs get the button');
    assert.doesNotMatch(page.text, /11111111-1111/, 'no payload');
  });

  test('citizens and staff are refused; visitors must log in', async () => {
    assert.equal((await new HttpClient(k.url).get('/operator/jobs')).status, 401);
    const staff = await loginStaff(k.url, 'fysio@beweegwijs.example');
    const staffPage = await staff.client.get('/operator/jobs');
    assert.equal(staffPage.status, 403);
    assert.doesNotMatch(staffPage.text, /smtp-550/);
    const post = await staff.client.post(`/operator/jobs/${deadId}/requeue`, { _csrf: csrfFrom(staff.page.text) });
    assert.equal(post.status, 403);
    const citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);
    assert.equal((await citizen.get('/operator/jobs')).status, 403);
    const home = await citizen.get('/home');
    assert.equal((await citizen.post(`/operator/jobs/${deadId}/requeue`, { _csrf: csrfFrom(home.text) })).status, 403);
    assert.equal((await jobRow(deadId)).state, 'dead', 'nothing changed');
    // Row-level security agrees: a staff principal sees no job at all.
    const seen = await withPrincipal(
      k.db,
      {
        kind: 'staff',
        staffId: '00000000-0000-4000-8000-000000000001',
        organisationId: '00000000-0000-4000-8000-000000000002',
        roles: [],
      } as never,
      (tx) => tx.selectFrom('job').select('id').execute(),
    ).catch(() => []);
    assert.equal(seen.length, 0);
  });

  test('bad input: no CSRF, a non-numeric id, an unknown job, a job that is not dead, a page past the end', async () => {
    const page = await operator.client.get('/operator/jobs');
    const csrf = csrfFrom(page.text);
    assert.equal((await operator.client.post(`/operator/jobs/${deadId}/requeue`, {})).status, 403);
    assert.equal((await operator.client.post('/operator/jobs/abc/requeue', { _csrf: csrf })).status, 400);
    assert.equal((await operator.client.post('/operator/jobs/1e3/requeue', { _csrf: csrf })).status, 400);
    assert.equal((await operator.client.post('/operator/jobs/-1/requeue', { _csrf: csrf })).status, 400);
    assert.equal((await operator.client.post('/operator/jobs/99999999999/requeue', { _csrf: csrf })).status, 404);
    assert.equal((await operator.client.post(`/operator/jobs/${doneId}/requeue`, { _csrf: csrf })).status, 409);
    assert.equal((await jobRow(doneId)).state, 'done', 'a done job stays done');
    assert.equal((await operator.client.get('/operator/jobs?page=abc')).status, 400);
    assert.equal((await operator.client.get('/operator/jobs?page=0')).status, 400);
    assert.equal((await operator.client.get('/operator/jobs?page=9')).status, 404);
    assert.equal((await jobRow(deadId)).state, 'dead');
    const audits = await sql<{ n: string }>`
      select count(*) as n from audit_log where event_code = 'operator.job.requeue'`.execute(k.db);
    assert.equal(Number(audits.rows[0]?.n), 0, 'nothing refused was audited as done');
  });

  test('queue again: the dead job is queued with its attempts back, audited, and runs', async () => {
    const page = await operator.client.get('/operator/jobs');
    const r = await operator.client.post(`/operator/jobs/${deadId}/requeue`, { _csrf: csrfFrom(page.text) });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/operator/jobs?requeued=1');
    const row = await jobRow(deadId);
    assert.equal(row.state, 'queued');
    assert.equal(row.attempts, 0, 'it gets its retries again');
    const audit = await k.db
      .selectFrom('audit_log')
      .selectAll()
      .where('event_code', '=', 'operator.job.requeue')
      .executeTakeFirstOrThrow();
    assert.equal(audit.actor_type, 'operator');
    assert.equal(audit.resource_id, deadId);
    const after = await operator.client.get('/operator/jobs?requeued=1');
    assert.match(after.text, /De taak staat weer in de wachtrij/);
    assert.doesNotMatch(after.text, new RegExp(`/operator/jobs/${deadId}/requeue`));
    // Twice: it is no longer dead.
    assert.equal(
      (await operator.client.post(`/operator/jobs/${deadId}/requeue`, { _csrf: csrfFrom(after.text) })).status,
      409,
    );
    // The operator cannot make a job anything but queued, nor touch one that is not dead (row-level security).
    const operatorPrincipal = { kind: 'operator', staffId: '00000000-0000-4000-8000-000000000000' } as const;
    const dead = await addJob('email.test', 'dead');
    await assert.rejects(
      withPrincipal(k.db, operatorPrincipal, (tx) =>
        sql`update job set state = 'done' where id = ${dead}::bigint`.execute(tx),
      ),
      /row-level security/,
    );
    const untouched = await withPrincipal(k.db, operatorPrincipal, (tx) =>
      sql`update job set state = 'queued' where id = ${doneId}::bigint`.execute(tx),
    );
    assert.equal(Number(untouched.numAffectedRows), 0, 'a done job is not the operator’s to change');
    assert.equal((await jobRow(dead)).state, 'dead');
  });

  test('the dead jobs come in pages', async () => {
    await withPrincipal(k.db, { kind: 'system', purpose: 'jobs' }, (tx) =>
      sql`select koepel_enqueue_job('bulk.test', '{}'::jsonb) from generate_series(1, ${PAGE_SIZE + 5})`.execute(tx),
    );
    await withPrincipal(k.db, { kind: 'system', purpose: 'jobs' }, (tx) =>
      sql`update job set state = 'dead', finished_at = now(), last_error = 'x' where kind = 'bulk.test'`.execute(tx),
    );
    const first = await operator.client.get('/operator/jobs');
    assert.match(first.text, /pagina 1 van 2/);
    assert.match(first.text, /href="\/operator\/jobs\?page=2"/);
    const second = await operator.client.get('/operator/jobs?page=2');
    assert.equal(second.status, 200);
    assert.match(second.text, /pagina 2 van 2/);
    assert.equal((second.text.match(/\/requeue"/g) ?? []).length, 5 + 1, 'the rest: 5 bulk and 1 earlier one');
  });
});
