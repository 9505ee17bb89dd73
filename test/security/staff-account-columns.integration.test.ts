// What the app's database role may change in a staff account, and through which door (migration 0019), below the
// application: an employee cannot make themselves an operator, re-enable themselves, revive ended sessions, set a
// password or switch two-step verification off on their own row, nor change a colleague's; the flows that do write
// a staff account (authenticator set-up, login, invitation password, ending sessions, the admin's TOTP reset) still
// work. ZL-10: rights are what the organisation's admin set, and an employee's own account cannot widen them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { resetTotp } from '../../src/organisation-admin/employees.js';
import { withPrincipal, type Principal, type Tx } from '../../src/platform/db/principal.js';
import { runInScope } from '../../src/platform/db/scope.js';
import type { Selectable } from 'kysely';
import type { DB } from '../../src/platform/db/schema.js';
import { consumeStep, enrolTotp, newTotpSecret } from '../../src/staff/totp.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { staffPrincipal } from '../support/principals.js';

const DOCTOR = 'huisarts@delinde.example';
const ASSISTANT = 'assistent@delinde.example';
const PHARMACIST = 'apotheker@apotheekcentrum.example';
const PHARMACY_ADMIN = 'beheer@apotheekcentrum.example';
const OPERATOR = 'servicedesk@koepel.example';

/** The error PostgreSQL (and PGlite) gives for a column the role has no UPDATE privilege on. */
const NO_PRIVILEGE = /permission denied for (table|relation) staff_account/;

type Account = Selectable<DB['staff_account']>;

describe('[ZL-10] a staff account: what the app may change, and who', () => {
  let k: TestKoepel;
  let doctor: Extract<Principal, { kind: 'staff' }>;
  let assistantId: string;

  before(async () => {
    k = await startKoepel();
    doctor = await staffPrincipal(k.db, DOCTOR);
    assistantId = (await account(ASSISTANT)).id;
  });
  after(async () => {
    await k.close();
  });

  async function account(email: string): Promise<Account> {
    return k.db.selectFrom('staff_account').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  }

  const as = <T>(p: Principal, fn: (tx: Tx) => Promise<T>) => withPrincipal(k.db, p, fn);

  /** The number of rows an UPDATE of the account by this principal changed. */
  async function updated(p: Principal, id: string, set: Partial<Account>): Promise<number> {
    const r = await as(p, (tx) => tx.updateTable('staff_account').set(set).where('id', '=', id).executeTakeFirst());
    return Number(r.numUpdatedRows);
  }

  /** A secret set up as the employee would under Mijn account (the own row, the staff principal). */
  async function enrolAs(p: Extract<Principal, { kind: 'staff' | 'operator' }>): Promise<void> {
    const step = Math.floor(Date.now() / 30_000);
    await as(p, (tx) => enrolTotp(tx, k.koepel.keys, p.staffId, newTotpSecret(), step));
  }

  test('an employee cannot make themselves an operator, re-enable themselves, or rename themselves', async () => {
    const before = await account(DOCTOR);
    for (const set of [
      { is_operator: true },
      { disabled_at: null },
      { email: 'ander@delinde.example' },
      { display_name: 'Dr. Iemand Anders' },
      { created_at: new Date(0) },
    ])
      await assert.rejects(updated(doctor, doctor.staffId, set), NO_PRIVILEGE, JSON.stringify(set));

    // Disabled by the service desk (the owner) while a request of theirs was under way: no way back from inside.
    await k.db.updateTable('staff_account').set({ disabled_at: new Date() }).where('id', '=', doctor.staffId).execute();
    try {
      await assert.rejects(updated(doctor, doctor.staffId, { disabled_at: null }), NO_PRIVILEGE);
    } finally {
      await k.db.updateTable('staff_account').set({ disabled_at: null }).where('id', '=', doctor.staffId).execute();
    }
    const after = await account(DOCTOR);
    assert.equal(after.is_operator, false);
    assert.equal(after.email, before.email);
    assert.equal(after.display_name, before.display_name);
  });

  test('nor set their password, revive ended sessions or switch two-step verification off', async () => {
    await enrolAs(doctor);
    const before = await account(DOCTOR);
    assert.ok(before.totp_ciphertext && before.totp_confirmed_at);
    const refusals: [Partial<Account>, RegExp][] = [
      [{ password_hash: 'x' }, /password is not changed this way/],
      [{ sessions_valid_after: new Date(before.sessions_valid_after.getTime() - 60_000) }, /cannot be revived/],
      [{ totp_ciphertext: null, totp_confirmed_at: null }, /cannot be switched off/],
      [{ totp_confirmed_at: null }, /cannot be switched off/],
      // An older step would let a used code count again; a confirmation date without a new app proves nothing.
      [{ totp_last_step: 0 }, /only with a new authenticator app/],
      [{ totp_confirmed_at: new Date() }, /only with a new authenticator app/],
    ];
    for (const [set, error] of refusals)
      await assert.rejects(updated(doctor, doctor.staffId, set), error, JSON.stringify(Object.keys(set)));
    // After an admin's reset: only setting up an app clears the request.
    await k.db.updateTable('staff_account').set({ must_enrol_totp: true }).where('id', '=', doctor.staffId).execute();
    await assert.rejects(
      updated(doctor, doctor.staffId, { must_enrol_totp: false }),
      /only with a new authenticator app/,
    );
    const after = await account(DOCTOR);
    assert.equal(after.password_hash, before.password_hash);
    assert.deepEqual(after.totp_ciphertext, before.totp_ciphertext);
    assert.equal(after.sessions_valid_after.getTime(), before.sessions_valid_after.getTime());
    assert.equal(after.must_enrol_totp, true);
    // Setting up a new app is the way, and clears it.
    await enrolAs(doctor);
    assert.equal((await account(DOCTOR)).must_enrol_totp, false);
  });

  test("an employee cannot change a colleague's account; an admin only resets two-step verification", async () => {
    // A colleague's row is visible (same organisation) but no policy lets a non-admin write it: nothing changes.
    await enrolAs(await staffPrincipal(k.db, ASSISTANT));
    const before = await account(ASSISTANT);
    assert.equal(await updated(doctor, assistantId, { totp_ciphertext: null, totp_confirmed_at: null }), 0);
    assert.equal(await updated(doctor, assistantId, { sessions_valid_after: new Date() }), 0);
    await assert.rejects(updated(doctor, assistantId, { is_operator: true }), NO_PRIVILEGE);
    const after = await account(ASSISTANT);
    assert.deepEqual(after.totp_ciphertext, before.totp_ciphertext);
    assert.equal(after.sessions_valid_after.getTime(), before.sessions_valid_after.getTime());

    // Even with admin:staff added to the session's rights, another organisation's account is out of reach.
    const doctorAsAdmin = await staffPrincipal(k.db, DOCTOR, ['admin:staff']);
    const pharmacistId = (await account(PHARMACIST)).id;
    assert.equal(await updated(doctorAsAdmin, pharmacistId, { totp_ciphertext: null, totp_confirmed_at: null }), 0);

    // The pharmacy's admin: the pharmacist's operator flag, disabled_at and password stay out of reach.
    const admin = await staffPrincipal(k.db, PHARMACY_ADMIN);
    await assert.rejects(updated(admin, pharmacistId, { is_operator: true }), NO_PRIVILEGE);
    await assert.rejects(updated(admin, pharmacistId, { disabled_at: new Date() }), NO_PRIVILEGE);
    await assert.rejects(updated(admin, pharmacistId, { password_hash: 'x' }), /only reset two-step verification/);
    // And may not make themselves an operator either.
    await assert.rejects(updated(admin, admin.staffId, { is_operator: true }), NO_PRIVILEGE);
  });

  test("the operator's own account is held the same way", async () => {
    const operator = await account(OPERATOR);
    const p: Principal = { kind: 'operator', staffId: operator.id };
    await assert.rejects(updated(p, operator.id, { is_operator: false }), NO_PRIVILEGE);
    await assert.rejects(updated(p, operator.id, { password_hash: 'x' }), /password is not changed this way/);
    // An operator's setting up of an app works.
    await as(p, (tx) => enrolTotp(tx, k.koepel.keys, operator.id, newTotpSecret(), Math.floor(Date.now() / 30_000)));
    assert.ok((await account(OPERATOR)).totp_confirmed_at);
    // No other account is the operator's to write (no policy shows it).
    assert.equal(await updated(p, doctor.staffId, { sessions_valid_after: new Date() }), 0);
  });

  test('the system writes a staff account only for login and for ending sessions', async () => {
    const pharmacist = await account(PHARMACIST);
    const login: Principal = { kind: 'system', purpose: 'staff-login' };
    // Login: a used step, an enrolment, a password from an invitation link.
    const step = Math.floor(Date.now() / 30_000);
    await as(login, (tx) => enrolTotp(tx, k.koepel.keys, pharmacist.id, newTotpSecret(), step));
    assert.equal(await as(login, (tx) => consumeStep(tx, pharmacist.id, step + 1)), true);
    assert.equal(await as(login, (tx) => consumeStep(tx, pharmacist.id, step + 1)), false, 'a replay');
    assert.equal(await updated(login, pharmacist.id, { password_hash: pharmacist.password_hash }), 1);
    // Ending every session of the account.
    const before = (await account(PHARMACIST)).sessions_valid_after;
    await k.koepel.app.koepel.sessions.endAllForStaff(pharmacist.id);
    assert.ok((await account(PHARMACIST)).sessions_valid_after.getTime() >= before.getTime());
    // Not for another purpose, and not the columns that are nobody's in the app.
    await assert.rejects(
      updated({ kind: 'system', purpose: 'session' }, pharmacist.id, { password_hash: 'x' }),
      /not changed for purpose session/,
    );
    await assert.rejects(
      updated({ kind: 'system', purpose: 'maintenance' }, pharmacist.id, { sessions_valid_after: new Date() }),
      /not changed for purpose maintenance/,
    );
    await assert.rejects(updated(login, pharmacist.id, { is_operator: true }), NO_PRIVILEGE);
    await assert.rejects(updated(login, pharmacist.id, { disabled_at: null }), NO_PRIVILEGE);
    // Citizens and API clients see no staff account at all.
    const nobody = await as({ kind: 'citizen', citizenId: pharmacist.id, portalId: pharmacist.id }, (tx) =>
      sql<{ n: number }>`select count(*)::int as n from staff_account`.execute(tx),
    );
    assert.equal(nobody.rows[0]?.n, 0);
  });

  test("the admin's reset of another employee's two-step verification still works", async () => {
    const pharmacistId = (await account(PHARMACIST)).id;
    const admin = await staffPrincipal(k.db, PHARMACY_ADMIN);
    const result = await runInScope({ db: k.koepel.database.db, keys: k.koepel.keys }, admin, (scope) =>
      resetTotp(scope, pharmacistId),
    );
    assert.equal(result, 'ok');
    const after = await account(PHARMACIST);
    assert.equal(after.totp_ciphertext, null);
    assert.equal(after.totp_confirmed_at, null);
    assert.equal(after.must_enrol_totp, true);
  });
});
