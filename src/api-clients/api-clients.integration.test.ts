// The API client administration over real HTTP: an organisation's admin creates a client (the secret shown once,
// stored only as a hash) and revokes it (its tokens stop working); other staff and other organisations cannot.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { csrfFrom } from '../../test/support/http-client.js';
import { DEMO, orgId } from '../../test/support/principals.js';
import { DEMO_PASSWORD } from '../demo/seed.js';
import { basic, createApiClient, fhir, tokenFor, tokenRequest } from '../fhir/ingest.testkit.js';
import { hashPassword } from '../staff/passwords.js';
import { loginStaff, type StaffLogin } from '../staff/login.testkit.js';
import { ROLE_DEFAULTS } from '../platform/auth/permissions.js';

const LIST = '/staff/admin/api-clients';
const ADMIN = 'beheer@apotheekcentrum.example';
const sha256 = (v: string) => createHash('sha256').update(v, 'utf8').digest();
const empty = { resourceType: 'Bundle', type: 'transaction', entry: [] };

function shown(html: string, id: string): string {
  const m = new RegExp(`id="${id}"[^>]*>([^<]+)<`).exec(html);
  if (!m?.[1]) throw new Error(`no ${id} on the page`);
  return m[1];
}

describe('API client administration', () => {
  let k: TestKoepel;
  let admin: StaffLogin;
  let created: { id: string; clientId: string; secret: string };

  before(async () => {
    k = await startKoepel();
    admin = await loginStaff(k.url, ADMIN);
  });
  after(async () => {
    await k.close();
  });

  test('the admin creates a client: the secret is shown once, works at the token endpoint, and is stored only as a hash', async () => {
    assert.match(admin.page.text, /href="\/staff\/admin\/api-clients"/, 'linked from the staff home');
    const list = await admin.client.get(LIST);
    assert.equal(list.status, 200);
    assert.match(list.text, /<h1 class="utrecht-heading-1">Koppelingen \(API-clients\)<\/h1>/);

    const noCsrf = await admin.client.post(LIST, { name: 'Zonder token' });
    assert.equal(noCsrf.status, 403);
    const emptyName = await admin.client.post(LIST, { _csrf: csrfFrom(list.text), name: '   ' });
    assert.equal(emptyName.status, 400);
    assert.match(emptyName.text, /Vul een naam in van 1 tot 100 tekens/);
    const tooLong = await admin.client.post(LIST, { _csrf: csrfFrom(list.text), name: 'x'.repeat(101) });
    assert.equal(tooLong.status, 400);

    const name = 'Apotheeksysteem <productie>';
    const page = await admin.client.post(LIST, { _csrf: csrfFrom(list.text), name });
    assert.equal(page.status, 200);
    assert.match(page.text, /Kopieer het geheim nu/);
    assert.ok(page.text.includes('Apotheeksysteem &lt;productie') && !page.text.includes('<productie>'), 'escaped');
    const clientId = shown(page.text, 'client-id');
    const secret = shown(page.text, 'client-secret');
    assert.match(clientId, /^kc_[A-Za-z0-9_-]{32}$/);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    assert.equal(page.headers.get('cache-control'), 'no-store');

    const row = await k.db
      .selectFrom('api_client as c')
      .innerJoin('staff_account as s', 's.id', 'c.created_by')
      .select(['c.id', 'c.name', 'c.secret_hash', 'c.organisation_id', 's.email'])
      .where('c.client_id', '=', clientId)
      .executeTakeFirstOrThrow();
    assert.equal(row.name, name);
    assert.equal(row.email, ADMIN);
    assert.equal(row.organisation_id, await orgId(k.db, DEMO.pharmacy));
    assert.deepEqual(Buffer.from(row.secret_hash), sha256(secret));
    created = { id: row.id, clientId, secret };

    // Shown once: the overview names the client but never shows the secret again.
    const again = await admin.client.get(LIST);
    assert.ok(again.text.includes(clientId));
    assert.ok(!again.text.includes(secret));
    assert.match(again.text, /Nog niet gebruikt/);

    const token = await tokenFor(k.url, created);
    assert.equal((await fhir(k.url, token, 'POST', '/fhir', empty)).status, 200);
    assert.match((await admin.client.get(LIST)).text, /<time datetime=/, 'last used is shown');
    const audit = await k.db
      .selectFrom('audit_log')
      .select(['actor_type', 'action'])
      .where('event_code', '=', 'api-client.create')
      .where('resource_id', '=', row.id)
      .execute();
    assert.deepEqual(audit, [{ actor_type: 'staff', action: 'C' }]);
  });

  test('revoking asks for confirmation; then the client gets no token and its tokens stop working', async () => {
    const token = await tokenFor(k.url, created);
    // In use before the revocation: the server has checked it and remembers that for a while (TokenCache).
    assert.equal((await fhir(k.url, token, 'POST', '/fhir', empty)).status, 200);
    const path = `${LIST}/${created.id}/revoke`;
    const confirm = await admin.client.get(path);
    assert.equal(confirm.status, 200);
    assert.match(
      confirm.text,
      /Weet u zeker dat u de API-client &#34;Apotheeksysteem &lt;productie>&#34; wilt intrekken/,
    );
    assert.equal((await admin.client.post(path, {})).status, 403, 'CSRF');
    const done = await admin.client.post(path, { _csrf: csrfFrom(confirm.text) });
    assert.equal(done.status, 303);
    assert.equal(done.location, `${LIST}?revoked=1`);
    const list = await admin.client.follow(done);
    assert.match(list.text, /De API-client is ingetrokken/);
    assert.match(list.text, /Ingetrokken op/);

    const row = await k.db
      .selectFrom('api_client')
      .select('revoked_at')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.ok(row.revoked_at);
    const tokens = await k.db
      .selectFrom('api_token')
      .select('token_hash')
      .where('api_client_id', '=', created.id)
      .execute();
    assert.equal(tokens.length, 0, 'its tokens are deleted');
    assert.equal((await fhir(k.url, token, 'POST', '/fhir', empty)).status, 401);
    const refused = await tokenRequest(
      k.url,
      { grant_type: 'client_credentials' },
      { authorization: basic(created.clientId, created.secret) },
    );
    assert.equal(refused.status, 401);
    // Once revoked, there is nothing left to revoke.
    assert.equal((await admin.client.get(path)).status, 404);
    assert.equal((await admin.client.post(path, { _csrf: csrfFrom(list.text) })).status, 404);
    const audit = await k.db
      .selectFrom('audit_log')
      .select(['action'])
      .where('event_code', '=', 'api-client.revoke')
      .where('resource_id', '=', created.id)
      .execute();
    assert.equal(audit.length, 1);
  });

  test('staff without admin:api-clients get 403 and no link', async () => {
    const pharmacist = await loginStaff(k.url, 'apotheker@apotheekcentrum.example');
    assert.doesNotMatch(pharmacist.page.text, /\/staff\/admin\/api-clients/);
    assert.equal((await pharmacist.client.get(LIST)).status, 403);
    const csrf = csrfFrom(pharmacist.page.text);
    assert.equal((await pharmacist.client.post(LIST, { _csrf: csrf, name: 'Mag niet' })).status, 403);
    const target = await createApiClient(k.db, await orgId(k.db, DEMO.pharmacy), 'blijft staan');
    assert.equal((await pharmacist.client.get(`${LIST}/${target.id}/revoke`)).status, 403);
    assert.equal((await pharmacist.client.post(`${LIST}/${target.id}/revoke`, { _csrf: csrf })).status, 403);
    const row = await k.db
      .selectFrom('api_client')
      .select('revoked_at')
      .where('id', '=', target.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.revoked_at, null);
    const count = await k.db.selectFrom('api_client').select('id').where('name', '=', 'Mag niet').execute();
    assert.equal(count.length, 0);
    // Not logged in at all: sent to the staff login (and back here afterwards), not the list.
    const anonymous = await fetch(`${k.url}${LIST}`, { redirect: 'manual' });
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get('location'), `/staff/login?return=${encodeURIComponent(LIST)}`);
  });

  test("another organisation's clients are invisible to an admin and cannot be revoked by them", async () => {
    // An admin of the GP practice, made for this test.
    const gp = await orgId(k.db, DEMO.gp);
    const account = await k.db
      .insertInto('staff_account')
      .values({
        email: 'beheer@delinde.example',
        display_name: 'B. Heer',
        password_hash: await hashPassword(DEMO_PASSWORD),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await k.db
      .insertInto('membership')
      .values({ staff_id: account.id, organisation_id: gp, role: 'admin', permissions: ROLE_DEFAULTS.admin })
      .execute();
    const pharmacyClient = await createApiClient(k.db, await orgId(k.db, DEMO.pharmacy), 'Apotheek-intern');
    const gpAdmin = await loginStaff(k.url, 'beheer@delinde.example');
    const list = await gpAdmin.client.get(LIST);
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes(pharmacyClient.clientId) && !list.text.includes('Apotheek-intern'));
    const path = `${LIST}/${pharmacyClient.id}/revoke`;
    assert.equal((await gpAdmin.client.get(path)).status, 404);
    assert.equal((await gpAdmin.client.post(path, { _csrf: csrfFrom(list.text) })).status, 404);
    const row = await k.db
      .selectFrom('api_client')
      .select('revoked_at')
      .where('id', '=', pharmacyClient.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.revoked_at, null);
    assert.equal((await gpAdmin.client.get(`${LIST}/not-a-uuid/revoke`)).status, 404);

    // A client the GP admin creates belongs to the GP, whatever the form says.
    const page = await gpAdmin.client.post(LIST, {
      _csrf: csrfFrom(list.text),
      name: 'HIS De Linde',
      organisation_id: await orgId(k.db, DEMO.pharmacy),
    });
    const made = await k.db
      .selectFrom('api_client')
      .select('organisation_id')
      .where('client_id', '=', shown(page.text, 'client-id'))
      .executeTakeFirstOrThrow();
    assert.equal(made.organisation_id, gp);
  });
});
