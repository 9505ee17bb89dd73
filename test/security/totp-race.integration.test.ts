// The TOTP step under a race: the same code posted from three sessions at once. One wins; the others get the ordinary
// refusal (401, the code page again) and their failures count — never a 500. Before the fix, the winner's reset of
// the account's throttle row could delete it between a loser's insert and its SELECT … FOR UPDATE (a 500).
// Runs on both databases; the race itself needs PostgreSQL's concurrent transactions (PGlite serialises them, so
// there it checks the outcome only).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { HttpClient, csrfFrom } from '../support/http-client.js';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { codeAt } from '../../src/staff/totp.js';
import { enrolledSecret, loginStaff } from '../../src/staff/login.testkit.js';

const EMAIL = 'huisarts@delinde.example';
const TRIALS = 50;
const SESSIONS = 3;

describe('[PR-7] [ZL-3] the TOTP step under concurrent use of one code', () => {
  let k: TestKoepel;
  before(async () => {
    // A high limit: the trials count failures but must not block the account half-way.
    k = await startKoepel({ KOEPEL_LOGIN_MAX_FAILURES: '1000' });
  });
  after(async () => {
    await k.close();
  });

  test(`${TRIALS} trials of ${SESSIONS} sessions posting one code at once: one wins, no 500, failures count`, async () => {
    await loginStaff(k.url, EMAIL); // enrols the authenticator; the test now knows the secret
    const secret = enrolledSecret(k.url, EMAIL);
    assert.ok(secret);
    const failuresBefore = await totpFailures();
    const statuses: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      // Every trial may use the current step again.
      await k.db.updateTable('staff_account').set({ totp_last_step: null }).where('email', '=', EMAIL).execute();
      const sessions = await Promise.all(
        Array.from({ length: SESSIONS }, async () => {
          const c = new HttpClient(k.url);
          const form = await c.get('/staff/login');
          const r = await c.post('/staff/login', { _csrf: csrfFrom(form.text), email: EMAIL, password: DEMO_PASSWORD });
          assert.equal(r.location, '/staff/login/totp');
          return { c, csrf: csrfFrom((await c.get('/staff/login/totp')).text) };
        }),
      );
      const code = codeAt(secret, Date.now());
      const answers = await Promise.all(sessions.map((s) => s.c.post('/staff/login/totp', { _csrf: s.csrf, code })));
      statuses.push(...answers.map((a) => a.status));
      const won = answers.filter((a) => a.status === 303);
      assert.deepEqual(
        answers.map((a) => a.status).filter((s) => s !== 303 && s !== 401),
        [],
        `trial ${trial}: only a login (303) or the ordinary refusal (401)`,
      );
      assert.equal(won.length, 1, `trial ${trial}: exactly one session wins`);
    }
    assert.equal(statuses.filter((s) => s === 401).length, TRIALS * (SESSIONS - 1));
    // Every refusal counted as a failed attempt (audited, and counted against the address).
    assert.equal((await totpFailures()) - failuresBefore, TRIALS * (SESSIONS - 1));
  });

  async function totpFailures(): Promise<number> {
    const row = await k.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('event_code', '=', 'staff.login')
      .where('outcome', '=', 'failure')
      .where('reason', '=', 'totp')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
});
