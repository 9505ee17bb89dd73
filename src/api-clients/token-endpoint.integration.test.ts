// The token endpoint (POST /fhir/token, OAuth2 client credentials) over real HTTP: client authentication both ways,
// RFC 6749 §5.2 errors, hashed storage, revocation, and throttling of failed client authentication.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { DEMO, orgId } from '../../test/support/principals.js';
import { parseAlertDetail } from '../platform/auth/throttle.js';
import { loginStaff } from '../staff/login.testkit.js';
import { TokenCache } from './tokens.js';
import { basic, createApiClient, fhir, tokenFor, tokenRequest, type TestApiClient } from '../fhir/ingest.testkit.js';

const sha256 = (v: string) => createHash('sha256').update(v, 'utf8').digest();
const grant = { grant_type: 'client_credentials' };

describe('TokenCache', () => {
  const owner = { clientId: 'c1', organisationId: 'o1' };
  const token = 'a'.repeat(43);
  test('remembers a checked token for TOKEN_RECHECK_MS at most, and never past its expiry', () => {
    const cache = new TokenCache(15_000);
    const t0 = 1_000_000;
    assert.equal(cache.get(token, t0), null);
    cache.remember(token, owner, new Date(t0 + 3600_000), t0, t0);
    assert.deepEqual(cache.get(token, t0 + 14_999), owner);
    assert.equal(cache.get(token, t0 + 15_000), null, 'rechecked after the window');
    cache.remember(token, owner, new Date(t0 + 5_000), t0, t0);
    assert.equal(cache.get(token, t0 + 5_000), null, 'an expired token is not remembered past its expiry');
    assert.equal(cache.get('b'.repeat(43), t0), null, 'another token is another entry');
  });
  test('forgets every token of a revoked client at once', () => {
    const cache = new TokenCache();
    const t0 = Date.now();
    const checkedAt = performance.now();
    cache.remember(token, owner, new Date(t0 + 3600_000), checkedAt);
    cache.remember('c'.repeat(43), { clientId: 'c2', organisationId: 'o1' }, new Date(t0 + 3600_000), checkedAt);
    cache.forgetClient('c1');
    assert.equal(cache.get(token), null);
    assert.deepEqual(cache.get('c'.repeat(43)), { clientId: 'c2', organisationId: 'o1' });
  });
  test('a check that began before a revocation here is not remembered (it may not have seen the revocation)', () => {
    const cache = new TokenCache();
    const t0 = 2_000_000;
    cache.forgetClient('c1', t0 + 10); // revoked while the check (begun at t0) was under way
    cache.remember(token, owner, new Date(t0 + 3600_000), t0, t0 + 20);
    assert.equal(cache.get(token, t0 + 30), null);
    cache.remember(token, owner, new Date(t0 + 3600_000), t0 + 40, t0 + 50); // a later check: its answer stands
    assert.deepEqual(cache.get(token, t0 + 60), owner);
  });
});

describe('OAuth2 token endpoint', () => {
  let k: TestKoepel;
  let client: TestApiClient;
  let gpId: string;

  before(async () => {
    k = await startKoepel({ KOEPEL_LOGIN_MAX_FAILURES: '3', KOEPEL_TRUST_PROXY: 'true' });
    gpId = await orgId(k.db, DEMO.gp);
    client = await createApiClient(k.db, gpId, 'HIS');
  });
  after(async () => {
    await k.close();
  });

  test('client credentials with HTTP Basic: a bearer token for an hour, stored only as its hash', async () => {
    const res = await tokenRequest(k.url, grant, { authorization: basic(client.clientId, client.secret) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 3600);
    const token = String(res.body.access_token);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('pragma'), 'no-cache');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);

    const rows = await k.db.selectFrom('api_token').selectAll().where('api_client_id', '=', client.id).execute();
    assert.equal(rows.length, 1);
    const row = rows[0];
    assert.ok(row);
    assert.deepEqual(Buffer.from(row.token_hash), sha256(token));
    assert.equal(row.organisation_id, gpId);
    const ttl = row.expires_at.getTime() - Date.now();
    assert.ok(ttl > 3500_000 && ttl <= 3600_000, `expires in about an hour (${ttl} ms)`);
    const used = await k.db
      .selectFrom('api_client')
      .select('last_used_at')
      .where('id', '=', client.id)
      .executeTakeFirstOrThrow();
    assert.ok(used.last_used_at);

    // The token opens the FHIR API (an empty transaction is a valid request).
    const ok = await fhir(k.url, token, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [] });
    assert.equal(ok.status, 200, ok.text);
  });

  test('the client may authenticate in the form body instead; both ways at once is refused', async () => {
    const body = await tokenRequest(k.url, { ...grant, client_id: client.clientId, client_secret: client.secret });
    assert.equal(body.status, 200);
    const both = await tokenRequest(
      k.url,
      { ...grant, client_id: client.clientId, client_secret: client.secret },
      { authorization: basic(client.clientId, client.secret) },
    );
    assert.equal(both.status, 400);
    assert.equal(both.body.error, 'invalid_request');
  });

  test('errors follow RFC 6749 §5.2 and never repeat the credentials', async () => {
    const cases: [Record<string, string> | string, Record<string, string>, number, string][] = [
      [{}, { authorization: basic(client.clientId, client.secret) }, 400, 'invalid_request'],
      [
        { grant_type: 'password' },
        { authorization: basic(client.clientId, client.secret) },
        400,
        'unsupported_grant_type',
      ],
      [
        { grant_type: 'authorization_code' },
        { authorization: basic(client.clientId, client.secret) },
        400,
        'unsupported_grant_type',
      ],
      [
        'grant_type=client_credentials&grant_type=client_credentials',
        { authorization: basic(client.clientId, client.secret) },
        400,
        'invalid_request',
      ],
      [grant, {}, 401, 'invalid_client'],
      [grant, { authorization: 'Bearer abc' }, 401, 'invalid_client'],
      [grant, { authorization: 'Basic !!!' }, 401, 'invalid_client'],
      [grant, { authorization: basic(client.clientId, 'wrong-secret') }, 401, 'invalid_client'],
      [grant, { authorization: basic('kc_doesnotexist0000000000', 'wrong-secret') }, 401, 'invalid_client'],
      [{ ...grant, client_id: client.clientId }, {}, 401, 'invalid_client'],
    ];
    const bodies = new Map<string, string>();
    for (const [form, headers, status, error] of cases) {
      const res = await tokenRequest(k.url, form, headers);
      assert.equal(
        res.status,
        status,
        `${JSON.stringify(form)} ${JSON.stringify(headers)}: ${JSON.stringify(res.body)}`,
      );
      assert.equal(res.body.error, error);
      assert.equal(typeof res.body.error_description, 'string');
      const text = JSON.stringify(res.body);
      assert.ok(!text.includes(client.clientId) && !text.includes(client.secret) && !text.includes('wrong-secret'));
      if (status === 401) {
        assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="koepel-fhir"/);
        bodies.set(JSON.stringify(headers), text);
      }
    }
    // A wrong secret and an unknown client get the same answer.
    assert.equal(
      bodies.get(JSON.stringify({ authorization: basic(client.clientId, 'wrong-secret') })),
      bodies.get(JSON.stringify({ authorization: basic('kc_doesnotexist0000000000', 'wrong-secret') })),
    );
    const json = await fetch(`${k.url}/fhir/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(client.clientId, client.secret) },
      body: JSON.stringify(grant),
    });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: string }).error, 'invalid_request');
    const failures = await k.db
      .selectFrom('audit_log')
      .select(['outcome', 'resource_id'])
      .where('event_code', '=', 'api-client.token')
      .where('outcome', '=', 'failure')
      .execute();
    assert.ok(
      failures.some((f) => f.resource_id === client.id),
      'a failed attempt on a known client is audited',
    );
    await k.db.deleteFrom('login_throttle').execute();
  });

  test('a client revoked elsewhere gets no token, and its tokens stop working once rechecked', async () => {
    const other = await createApiClient(k.db, gpId, 'to revoke');
    const token = await tokenFor(k.url, other);
    const unused = await tokenFor(k.url, other);
    const empty = { resourceType: 'Bundle', type: 'transaction', entry: [] };
    assert.equal((await fhir(k.url, token, 'POST', '/fhir', empty)).status, 200);
    // Revoked by another process of the deployment (here: straight in the database), so this server's TokenCache
    // is not told. (Revoking through this server's admin page forgets at once: src/api-clients/api-clients.integration.test.ts.)
    await k.db.updateTable('api_client').set({ revoked_at: new Date() }).where('id', '=', other.id).execute();
    const refused = await tokenRequest(k.url, grant, { authorization: basic(other.clientId, other.secret) });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_client');
    const old = await fhir(k.url, unused, 'POST', '/fhir', empty);
    assert.equal(old.status, 401, 'a token not checked a moment ago is checked against the database');
    assert.match(old.headers.get('www-authenticate') ?? '', /invalid_token/);
    await k.db.deleteFrom('login_throttle').execute();
  });

  test('failed client authentication is throttled per client; keys and alerts name no client id', async () => {
    await k.db.deleteFrom('login_throttle').execute();
    const target = await createApiClient(k.db, gpId, 'guessed');
    for (let i = 0; i < 3; i++) {
      const r = await tokenRequest(k.url, grant, { authorization: basic(target.clientId, `guess-${i}`) });
      assert.equal(r.status, 401);
    }
    // Blocked: now even the right secret is refused, with the same answer.
    const blocked = await tokenRequest(k.url, grant, { authorization: basic(target.clientId, target.secret) });
    assert.equal(blocked.status, 401);
    assert.equal(blocked.body.error, 'invalid_client');
    // Another client from the same address is not blocked (the address limit is higher).
    assert.equal(
      (await tokenRequest(k.url, grant, { authorization: basic(client.clientId, client.secret) })).status,
      200,
    );

    const keys = await k.db.selectFrom('login_throttle').select(['key', 'blocked_until']).execute();
    assert.ok(keys.some((r) => r.key.startsWith('api-client:') && r.blocked_until));
    assert.ok(
      keys.every((r) => !r.key.includes(target.clientId) && !r.key.startsWith('address:')),
      'own, pseudonymous keys',
    );
    const alerts = await k.db.selectFrom('security_alert').select(['subject', 'detail']).execute();
    assert.ok(alerts.some((a) => a.subject.startsWith('api-client:')));
    assert.ok(alerts.every((a) => !a.subject.includes(target.clientId) && !a.detail.includes(target.clientId)));

    // When the block has passed, the right secret works again and the count starts over.
    await k.db
      .updateTable('login_throttle')
      .set({ blocked_until: new Date(Date.now() - 1000) })
      .execute();
    assert.equal(
      (await tokenRequest(k.url, grant, { authorization: basic(target.clientId, target.secret) })).status,
      200,
    );
  });

  /** A request from a client address of its own (TEST-NET-3), sent as X-Forwarded-For (the proxy is trusted). */
  const from = (ip: string, authorization: string) =>
    tokenRequest(k.url, grant, { authorization, 'x-forwarded-for': ip });

  test('[PR-7] wrong secrets from one address do not lock the same client out from another address', async () => {
    await k.db.deleteFrom('login_throttle').execute();
    const target = await createApiClient(k.db, gpId, 'known id');
    for (let i = 0; i < 5; i++)
      assert.equal((await from('203.0.113.1', basic(target.clientId, `no-${i}`))).status, 401);
    // That address is blocked for this client, even with the right secret …
    assert.equal((await from('203.0.113.1', basic(target.clientId, target.secret))).status, 401);
    // … the provider system itself, at its own address, is not.
    const own = await from('203.0.113.2', basic(target.clientId, target.secret));
    assert.equal(own.status, 200, JSON.stringify(own.body));
  });

  test('[PR-7] failures for one client from many addresses raise one spread alert for the operator', async () => {
    await k.db.deleteFrom('login_throttle').execute();
    await k.db.deleteFrom('security_alert').execute();
    const target = await createApiClient(k.db, gpId, 'sprayed');
    // loginMaxFailures 3: each address is blocked after 3; 4 addresses × 3 = 12 failures reach the spread limit.
    for (let a = 1; a <= 4; a++)
      for (let i = 0; i < 3; i++)
        assert.equal((await from(`203.0.113.${10 + a}`, basic(target.clientId, `x-${a}-${i}`))).status, 401);
    const spread = await k.db
      .selectFrom('security_alert')
      .select(['subject', 'detail'])
      .where('kind', '=', 'spread-guessing')
      .execute();
    assert.equal(spread.length, 1, 'one alert for the attack');
    const alert = spread[0];
    assert.ok(alert);
    assert.ok(alert.subject.startsWith('api-client-spread:'));
    assert.ok(!alert.subject.includes(target.clientId) && !alert.detail.includes(target.clientId), 'pseudonymous');
    assert.deepEqual(
      { scope: parseAlertDetail(alert.detail)?.scope, failures: parseAlertDetail(alert.detail)?.failures },
      { scope: 'spread', failures: 12 },
    );
    // More failures from more addresses in the same window: counted, no second alert.
    for (let i = 0; i < 3; i++) await from('203.0.113.20', basic(target.clientId, `y-${i}`));
    assert.equal(
      (await k.db.selectFrom('security_alert').select('id').where('kind', '=', 'spread-guessing').execute()).length,
      1,
    );
    // The client is not locked out: its own address still gets a token.
    assert.equal((await from('203.0.113.30', basic(target.clientId, target.secret))).status, 200);
    // The operator sees it, worded.
    const operator = await loginStaff(k.url, 'servicedesk@koepel.example', {
      headers: { 'x-forwarded-for': '192.0.2.99' },
    });
    const page = await operator.client.get('/operator/alerts', { 'x-forwarded-for': '192.0.2.99' });
    assert.match(page.text, /Aanval op een koppeling vanaf veel adressen|Attack on a system link from many addresses/);
    assert.match(
      page.text,
      /12 mislukte aanmeldingen van deze koppeling|12 failed authentications of this system link/,
    );
  });
});
