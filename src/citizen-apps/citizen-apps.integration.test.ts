// Apps the citizen authorises, against a real Koepel (HTTP → database): the whole authorization code flow with PKCE,
// reading the record with the app's token, and every way it must fail — wrong redirect URI, missing or wrong PKCE,
// a replayed or expired code, a code of another app, a withdrawn grant, a revoked app, another citizen's record,
// provider and staff credentials — plus the audit trail ("via de app …") and row-level security on the new tables.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { csrfFrom, HttpClient, type Response } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { sha256 } from '../platform/crypto/secrets.js';
import { issueToken } from '../api-clients/tokens.js';
import { hiddenFields, loginWithDigid, choose } from '../identity/digid/test-driver.js';
import { withPrincipal, type Principal } from '../platform/db/principal.js';
import { newApiClient, pushEveryType } from '../fhir/read/testkit.js';
import { newAppClientId } from './registry.js';

type Json = Record<string, unknown>;

interface TestApp {
  id: string;
  clientId: string;
  name: string;
  redirectUri: string;
  secret: string | null;
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

const json = (r: Response) => JSON.parse(r.text) as Json;

describe('apps the citizen authorises', () => {
  let k: TestKoepel;
  let suzanne: string;
  let pieter: string;
  let publicApp: TestApp;
  let otherApp: TestApp;
  let serverApp: TestApp;
  let revokedApp: TestApp;
  let fhirBase: string;

  async function registerApp(opts: { confidential?: boolean; revoked?: boolean } = {}): Promise<TestApp> {
    const suffix = randomBytes(4).toString('hex');
    const secret = opts.confidential ? randomBytes(32).toString('base64url') : null;
    const redirectUri = `https://pgo-${suffix}.example/callback`;
    const row = await k.db
      .insertInto('citizen_app')
      .values({
        name: `Mijn Gezondheid ${suffix}`,
        vendor: 'PGO Leverancier B.V.',
        client_id: newAppClientId(),
        confidential: secret !== null,
        redirect_uris: [redirectUri, 'nl.voorbeeld.pgo:/callback', 'http://127.0.0.1:8080/cb'],
        revoked_at: opts.revoked ? new Date() : null,
      })
      .returning(['id', 'client_id', 'name'])
      .executeTakeFirstOrThrow();
    if (secret)
      await k.db
        .insertInto('citizen_app_secret')
        .values({ app_id: row.id, secret_hash: sha256(secret) })
        .execute();
    return { id: row.id, clientId: row.client_id, name: row.name, redirectUri, secret };
  }

  async function citizenClient(bsn: string): Promise<HttpClient> {
    const c = new HttpClient(k.url);
    const r = await loginWithDigid(c, bsn);
    assert.equal(r.status, 303, 'login');
    return c;
  }

  function authorizePath(app: TestApp, challenge: string, extra: Record<string, string | null> = {}): string {
    const q = new URLSearchParams();
    const params: Record<string, string | null> = {
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: app.redirectUri,
      state: 'st-123',
      scope: 'launch/patient patient/*.read openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      aud: fhirBase,
      ...extra,
    };
    for (const [key, v] of Object.entries(params)) if (v !== null) q.set(key, v);
    return `/oauth/authorize?${q.toString()}`;
  }

  /** Consent page → approve; returns the redirect's parameters. */
  async function approve(c: HttpClient, app: TestApp, challenge: string): Promise<URL> {
    const page = await c.get(authorizePath(app, challenge));
    assert.equal(page.status, 200, page.text.slice(0, 300));
    const answer = await c.post('/oauth/authorize', { ...hiddenFields(page.text), decision: 'approve' });
    assert.equal(answer.status, 303);
    return new URL(answer.location ?? '');
  }

  async function exchange(app: TestApp, form: Record<string, string>, headers: Record<string, string> = {}) {
    return new HttpClient(k.url).post('/oauth/token', { grant_type: 'authorization_code', ...form }, headers);
  }

  /** The whole flow for a citizen: returns the token response. */
  async function connect(c: HttpClient, app: TestApp): Promise<{ token: string; body: Json; code: string }> {
    const { verifier, challenge } = pkce();
    const back = await approve(c, app, challenge);
    const code = back.searchParams.get('code') ?? '';
    const r = await exchange(app, {
      code,
      redirect_uri: app.redirectUri,
      code_verifier: verifier,
      client_id: app.clientId,
    });
    assert.equal(r.status, 200, r.text);
    const body = json(r);
    return { token: String(body.access_token), body, code };
  }

  const read = (token: string, path: string) =>
    new HttpClient(k.url).get(`/fhir/${path}`, { authorization: `Bearer ${token}` });

  before(async () => {
    // The proxy is trusted so that a test can speak from client addresses of its own (X-Forwarded-For).
    k = await startKoepel({ KOEPEL_TRUST_PROXY: 'true' });
    fhirBase = `${k.url}/fhir`;
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    const gp = await orgId(k.db, DEMO.gp);
    const gpClient = await newApiClient(k.db, gp);
    await pushEveryType(k.db, k.koepel.keys, gpClient, suzanne, 'APPTEST-SUZANNE');
    await pushEveryType(k.db, k.koepel.keys, gpClient, pieter, 'APPTEST-PIETER');
    publicApp = await registerApp();
    otherApp = await registerApp();
    serverApp = await registerApp({ confidential: true });
    revokedApp = await registerApp({ revoked: true });
  });
  after(async () => {
    await k.close();
  });

  test('[LU-9] [MG-16] the whole flow: consent, code, token; the app reads exactly the citizen’s own record, named in the log', async () => {
    const c = await citizenClient(DEMO.suzanne);
    const { verifier, challenge } = pkce();
    const page = await c.get(authorizePath(publicApp, challenge));
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`${publicApp.name} toegang geven tot uw gegevens\\?`));
    assert.match(page.text, /PGO Leverancier B\.V\./);
    assert.match(page.text, /Alleen lezen/);
    // The consent form may lead back to the app, and nowhere else.
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, new RegExp(`form-action 'self' [^;]*${new URL(publicApp.redirectUri).origin}`));

    const back = await c.post('/oauth/authorize', { ...hiddenFields(page.text), decision: 'approve' });
    assert.equal(back.status, 303);
    const url = new URL(back.location ?? '');
    assert.equal(`${url.origin}${url.pathname}`, publicApp.redirectUri);
    assert.equal(url.searchParams.get('state'), 'st-123');
    assert.equal(url.searchParams.get('iss'), k.url);
    const code = url.searchParams.get('code') ?? '';
    assert.match(code, /^[A-Za-z0-9_-]{43}$/);
    // Only the hash is kept.
    const stored = await k.db.selectFrom('citizen_app_code').select('code_hash').execute();
    assert.ok(stored.some((r) => Buffer.from(r.code_hash).equals(sha256(code))));

    const r = await exchange(publicApp, {
      code,
      redirect_uri: publicApp.redirectUri,
      code_verifier: verifier,
      client_id: publicApp.clientId,
    });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    const body = json(r);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, 'launch/patient patient/*.read');
    assert.equal(body.patient, suzanne);
    assert.equal(body.refresh_token, undefined);
    const token = String(body.access_token);

    const own = await read(token, `Patient/${suzanne}/$everything`);
    assert.equal(own.status, 200, own.text.slice(0, 300));
    assert.match(own.text, /APPTEST-SUZANNE/);
    assert.doesNotMatch(own.text, /APPTEST-PIETER/);
    // Another citizen's record does not exist, as far as the app can tell.
    assert.equal((await read(token, `Patient/${pieter}`)).status, 404);
    assert.equal((await read(token, `Patient/${pieter}/$everything`)).status, 404);
    const search = JSON.parse((await read(token, `Condition?patient=Patient/${pieter}`)).text) as { total: number };
    assert.equal(search.total, 0);

    // Every read names the app; the citizen's access log says so.
    const audited = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'actor_type', 'actor_id', 'on_behalf_of'])
      .where('citizen_id', '=', suzanne)
      .where('event_code', '=', 'fhir.everything')
      .where('on_behalf_of', '=', `app:${publicApp.id}`)
      .execute();
    assert.equal(audited.length, 1);
    assert.equal(audited[0]?.actor_type, 'citizen');
    assert.equal(audited[0]?.actor_id, suzanne);
    const log = await c.get('/access-log?who=others');
    assert.equal(log.status, 200);
    assert.match(log.text, new RegExp(`U zelf, via de app ${publicApp.name}`));
    assert.match(log.text, new RegExp(`De app ${publicApp.name} heeft een toegangssleutel opgehaald`));
    const all = await c.get('/access-log?who=all');
    assert.match(all.text, new RegExp(`Toegang gegeven aan de app ${publicApp.name}`));
    assert.match(all.text, new RegExp(`De toestemmingsvraag van de app ${publicApp.name} bekeken`));
  });

  test('a visitor who is not logged in is asked to log in with DigiD first, and comes back to the consent page', async () => {
    const c = new HttpClient(k.url);
    const { challenge } = pkce();
    const path = authorizePath(publicApp, challenge);
    const page = await c.get(path);
    assert.equal(page.status, 200);
    assert.match(page.text, /Log eerst in met DigiD/);
    assert.doesNotMatch(page.text, /name="decision"/);
    const login = /href="(\/login\/digid\?return=[^"]+)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(login);
    const start = await c.get(login);
    assert.equal(start.status, 303);
    const sim = await c.get(start.location ?? '');
    const chosen = await choose(c, hiddenFields(sim.text), { person: DEMO.suzanne });
    const done = await c.get(chosen.location ?? '');
    assert.equal(done.status, 303);
    assert.equal(done.location, path);
    const consent = await c.get(done.location ?? '');
    assert.match(consent.text, /name="decision" value="approve"/);
    // A return path elsewhere is ignored: the login never becomes an open redirect.
    const other = new HttpClient(k.url);
    const evil = await other.get(`/login/digid?return=${encodeURIComponent('//evil.example/x')}`);
    const sim2 = await other.get(evil.location ?? '');
    const chosen2 = await choose(other, hiddenFields(sim2.text), { person: DEMO.suzanne });
    assert.equal((await other.get(chosen2.location ?? '')).location, '/home');
    // Nor does a return path that a Location header could not carry break the login.
    const odd = await new HttpClient(k.url).get(`/login/digid?return=${encodeURIComponent('/oauth/authorize?x=€')}`);
    assert.equal(odd.status, 303);
  });

  test('an unknown app, a revoked app or a redirect URI that is not registered gets a page, never a redirect', async () => {
    const c = await citizenClient(DEMO.suzanne);
    const { challenge } = pkce();
    const cases = [
      authorizePath({ ...publicApp, clientId: newAppClientId() }, challenge),
      authorizePath(revokedApp, challenge),
      authorizePath(publicApp, challenge, { redirect_uri: 'https://evil.example/callback' }),
      authorizePath(publicApp, challenge, { redirect_uri: `${publicApp.redirectUri}/more` }),
      authorizePath(publicApp, challenge, { redirect_uri: null }),
      authorizePath(publicApp, challenge, { client_id: null }),
    ];
    for (const path of cases) {
      const r = await c.get(path);
      assert.equal(r.status, 400, path);
      assert.equal(r.location, null);
      assert.match(r.text, /Er zijn geen gegevens gedeeld/);
    }
    const twice = await c.get(
      `${authorizePath(publicApp, challenge)}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
    );
    assert.equal(twice.status, 400);
    assert.equal(twice.location, null);
  });

  test('the state comes back to the app exactly as sent, whatever it holds', async () => {
    const c = await citizenClient(DEMO.suzanne);
    const { challenge } = pkce();
    const state = 'a&amp;b "c" <d> &#34; é';
    const page = await c.get(authorizePath(publicApp, challenge, { state }));
    assert.equal(page.status, 200);
    // What a browser would post: the hidden fields as HTML-decoded text.
    const back = await c.post('/oauth/authorize', { ...hiddenFields(page.text), decision: 'decline' });
    assert.equal(new URL(back.location ?? '').searchParams.get('state'), state);
  });

  test('other bad requests go back to the app as errors: no PKCE, plain PKCE, wrong response type, scope, audience', async () => {
    const c = await citizenClient(DEMO.suzanne);
    const { challenge } = pkce();
    const cases: [Record<string, string | null>, string][] = [
      [{ code_challenge: null }, 'invalid_request'],
      [{ code_challenge: 'too-short' }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: null }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ scope: 'user/*.write openid' }, 'invalid_scope'],
      [{ aud: 'https://other.example/fhir' }, 'invalid_request'],
    ];
    for (const [extra, error] of cases) {
      const r = await c.get(authorizePath(publicApp, challenge, extra));
      assert.equal(r.status, 303, JSON.stringify(extra));
      const url = new URL(r.location ?? '');
      assert.equal(`${url.origin}${url.pathname}`, publicApp.redirectUri);
      assert.equal(url.searchParams.get('error'), error, JSON.stringify(extra));
      assert.equal(url.searchParams.get('state'), 'st-123');
      assert.equal(url.searchParams.get('code'), null);
    }
  });

  test('declining tells the app access_denied and gives nothing; the consent form needs its CSRF token', async () => {
    const c = await citizenClient(DEMO.pieter);
    const { challenge } = pkce();
    const page = await c.get(authorizePath(otherApp, challenge));
    const fields = hiddenFields(page.text);
    const noCsrf = { ...fields, decision: 'approve' };
    delete (noCsrf as Record<string, string | undefined>)._csrf;
    assert.equal((await c.post('/oauth/authorize', noCsrf)).status, 403);
    const r = await c.post('/oauth/authorize', { ...fields, decision: 'decline' });
    assert.equal(r.status, 303);
    const url = new URL(r.location ?? '');
    assert.equal(url.searchParams.get('error'), 'access_denied');
    assert.equal(url.searchParams.get('code'), null);
    const grants = await k.db
      .selectFrom('citizen_app_grant')
      .select('id')
      .where('citizen_id', '=', pieter)
      .where('app_id', '=', otherApp.id)
      .execute();
    assert.equal(grants.length, 0);
    // Approving by POST without a login is refused.
    const anonymous = await new HttpClient(k.url).post('/oauth/authorize', { ...fields, decision: 'approve' });
    assert.ok([401, 403].includes(anonymous.status));
  });

  test('the token endpoint: wrong or missing PKCE verifier, wrong redirect URI, another app, expiry — and a code is used once', async () => {
    const c = await citizenClient(DEMO.suzanne);
    const secrets: string[] = [];
    const newCode = async () => {
      const p = pkce();
      const back = await approve(c, publicApp, p.challenge);
      const code = back.searchParams.get('code') ?? '';
      secrets.push(code, p.verifier);
      return { code, verifier: p.verifier };
    };
    const base = (code: string, verifier: string) => ({
      code,
      redirect_uri: publicApp.redirectUri,
      code_verifier: verifier,
      client_id: publicApp.clientId,
    });

    let x = await newCode();
    let r = await exchange(publicApp, { ...base(x.code, x.verifier), code_verifier: pkce().verifier });
    assert.equal(r.status, 400);
    assert.equal(json(r).error, 'invalid_grant');
    // The code was spent by that attempt: the right verifier is too late now.
    r = await exchange(publicApp, base(x.code, x.verifier));
    assert.equal(json(r).error, 'invalid_grant');

    x = await newCode();
    const noVerifier: Record<string, string> = base(x.code, x.verifier);
    delete noVerifier.code_verifier;
    r = await exchange(publicApp, noVerifier);
    assert.equal(json(r).error, 'invalid_request');

    x = await newCode();
    r = await exchange(publicApp, { ...base(x.code, x.verifier), redirect_uri: 'nl.voorbeeld.pgo:/callback' });
    assert.equal(json(r).error, 'invalid_grant');

    x = await newCode();
    r = await exchange(otherApp, { ...base(x.code, x.verifier), client_id: otherApp.clientId });
    assert.equal(json(r).error, 'invalid_grant');

    x = await newCode();
    await k.db
      .updateTable('citizen_app_code')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('code_hash', '=', sha256(x.code))
      .execute();
    r = await exchange(publicApp, base(x.code, x.verifier));
    assert.equal(json(r).error, 'invalid_grant');
    assert.match(String(json(r).error_description), /expired/);

    r = await exchange(publicApp, { ...base('x'.repeat(43), x.verifier) });
    assert.equal(json(r).error, 'invalid_grant');
    r = await exchange(publicApp, { ...base(x.code, x.verifier), grant_type: 'client_credentials' });
    assert.equal(json(r).error, 'unsupported_grant_type');
    r = await new HttpClient(k.url).request('POST', '/oauth/token', JSON.stringify(base(x.code, x.verifier)), {
      'content-type': 'application/json',
    });
    assert.equal(json(r).error, 'invalid_request');
    // The failed attempts are in the citizen's log, without any code or verifier in them.
    const failures = await k.db
      .selectFrom('audit_log')
      .select(['reason'])
      .where('citizen_id', '=', suzanne)
      .where('event_code', '=', 'citizen-app.token')
      .where('outcome', '=', 'failure')
      .execute();
    assert.ok(failures.length >= 4);
    assert.ok(failures.every((f) => secrets.every((v) => !f.reason?.includes(v))));
  });

  test('a replayed code is refused and ends the token it gave (RFC 6749 §4.1.2)', async () => {
    const c = await citizenClient(DEMO.suzanne);
    const p = pkce();
    const back = await approve(c, publicApp, p.challenge);
    const form = {
      code: back.searchParams.get('code') ?? '',
      redirect_uri: publicApp.redirectUri,
      code_verifier: p.verifier,
      client_id: publicApp.clientId,
    };
    const first = await exchange(publicApp, form);
    assert.equal(first.status, 200);
    const token = String(json(first).access_token);
    assert.equal((await read(token, `Patient/${suzanne}`)).status, 200);
    const again = await exchange(publicApp, form);
    assert.equal(json(again).error, 'invalid_grant');
    const after = await read(token, `Patient/${suzanne}`);
    assert.equal(after.status, 401);
    assert.match(after.headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  test('a confidential app must authenticate with its secret', async () => {
    const c = await citizenClient(DEMO.pieter);
    const attempt = async (auth: 'none' | 'wrong' | 'basic' | 'post') => {
      const p = pkce();
      const back = await approve(c, serverApp, p.challenge);
      const form: Record<string, string> = {
        code: back.searchParams.get('code') ?? '',
        redirect_uri: serverApp.redirectUri,
        code_verifier: p.verifier,
      };
      const headers: Record<string, string> = {};
      if (auth === 'none') form.client_id = serverApp.clientId;
      if (auth === 'wrong') form.client_secret = 'wrong';
      if (auth === 'wrong' || auth === 'post') form.client_id = serverApp.clientId;
      if (auth === 'post') form.client_secret = serverApp.secret ?? '';
      if (auth === 'basic') {
        headers.authorization = `Basic ${Buffer.from(`${serverApp.clientId}:${serverApp.secret ?? ''}`).toString('base64')}`;
      }
      return exchange(serverApp, form, headers);
    };
    for (const auth of ['none', 'wrong'] as const) {
      const r = await attempt(auth);
      assert.equal(r.status, 401, auth);
      assert.equal(json(r).error, 'invalid_client');
    }
    for (const auth of ['basic', 'post'] as const) {
      const r = await attempt(auth);
      assert.equal(r.status, 200, `${auth}: ${r.text}`);
      assert.equal(json(r).patient, pieter);
    }
    // A public app that sends a secret is not who it says it is.
    const p = pkce();
    const back = await approve(c, publicApp, p.challenge);
    const r = await exchange(publicApp, {
      code: back.searchParams.get('code') ?? '',
      redirect_uri: publicApp.redirectUri,
      code_verifier: p.verifier,
      client_id: publicApp.clientId,
      client_secret: 'anything',
    });
    assert.equal(json(r).error, 'invalid_client');
  });

  test('[MG-16] withdrawing on "Gekoppelde apps" ends the app’s access at once; one citizen cannot withdraw another’s grant', async () => {
    const c = await citizenClient(DEMO.pieter);
    const { token } = await connect(c, otherApp);
    // Approving again keeps one grant per citizen and app.
    await connect(c, otherApp);
    assert.equal((await read(token, `Patient/${pieter}`)).status, 200);
    const grants = await k.db
      .selectFrom('citizen_app_grant')
      .select('id')
      .where('citizen_id', '=', pieter)
      .where('app_id', '=', otherApp.id)
      .execute();
    assert.equal(grants.length, 1);
    const grantId = grants[0]?.id ?? '';

    const page = await c.get('/apps');
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(otherApp.name));
    assert.match(page.text, new RegExp(`aria-label="Toegang intrekken voor ${otherApp.name}"`));

    // Suzanne does not see Pieter's grant, and posting its id changes nothing (RLS is tested on its own below).
    const s = await citizenClient(DEMO.suzanne);
    const sPage = await s.get('/apps');
    assert.ok(!sPage.text.includes(grantId));
    const foreign = await s.post('/apps/withdraw', { _csrf: csrfFrom(sPage.text), grant: grantId });
    assert.equal(foreign.status, 303);
    assert.equal(foreign.location, '/apps');
    assert.equal((await read(token, `Patient/${pieter}`)).status, 200);
    // Nor can a URL make her page claim that an app was withdrawn.
    const claim = await s.get(`/apps?withdrawn=${otherApp.id}`);
    assert.doesNotMatch(claim.text, /is ingetrokken/);

    assert.equal((await c.post('/apps/withdraw', { grant: grantId })).status, 403, 'no CSRF token');
    assert.equal((await c.post('/apps/withdraw', { _csrf: csrfFrom(page.text), grant: 'nope' })).status, 400);
    const done = await c.post('/apps/withdraw', { _csrf: csrfFrom(page.text), grant: grantId });
    assert.equal(done.status, 303);
    const r = await read(token, `Patient/${pieter}`);
    assert.equal(r.status, 401);
    // Grant, codes and tokens are gone.
    for (const table of ['citizen_app_code', 'citizen_app_token'] as const) {
      const left = await k.db.selectFrom(table).select('grant_id').where('grant_id', '=', grantId).execute();
      assert.equal(left.length, 0, table);
    }
    const after = await c.get(done.location ?? '');
    assert.match(after.text, new RegExp(`De toegang van ${otherApp.name} is ingetrokken`));
    assert.ok(!after.text.includes(grantId), 'the withdrawn grant is no longer listed');
    const audit = await k.db
      .selectFrom('audit_log')
      .select('resource_id')
      .where('citizen_id', '=', pieter)
      .where('event_code', '=', 'citizen-app.withdraw')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.resource_id),
      [otherApp.id],
    );
  });

  test('an app the operator revokes can no longer read, with the tokens it already has', async () => {
    const app = await registerApp();
    const c = await citizenClient(DEMO.suzanne);
    const { token } = await connect(c, app);
    assert.equal((await read(token, `Patient/${suzanne}`)).status, 200);
    await k.db.updateTable('citizen_app').set({ revoked_at: new Date() }).where('id', '=', app.id).execute();
    assert.equal((await read(token, `Patient/${suzanne}`)).status, 401);
    const page = await c.get('/apps');
    assert.match(page.text, /De beheerder van het portaal heeft deze app uitgeschakeld/);
  });

  test('[MG-16] provider system tokens, staff sessions and made-up tokens cannot read as a citizen; an app token cannot write', async () => {
    const gp = await orgId(k.db, DEMO.gp);
    const client = await newApiClient(k.db, gp);
    const providerToken = await withPrincipal(k.db, { kind: 'system', purpose: 'api-auth' }, (tx) =>
      issueToken(tx, { clientId: client.clientId, organisationId: gp }),
    );
    // A provider system's token reads back only what its own organisation sent (issue 11 §4, docs/interop.md), never
    // the citizen's own record: here its organisation sent no Patient, so 404, and nothing of the citizen's.
    const asProvider = await read(providerToken, `Patient/${suzanne}`);
    assert.equal(asProvider.status, 404);
    assert.doesNotMatch(asProvider.text, new RegExp(`${DEMO.suzanne}|${suzanne}`));
    assert.equal((await read(providerToken, `Patient/${suzanne}/$everything`)).status, 403);
    assert.equal((await read(providerToken, `Observation?patient=Patient/${suzanne}`)).status, 403);
    for (const token of [randomBytes(32).toString('base64url'), 'short']) {
      const r = await read(token, `Patient/${suzanne}`);
      assert.equal(r.status, 401);
      assert.match(r.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    }
    const basic = await new HttpClient(k.url).get(`/fhir/Patient/${suzanne}`, { authorization: 'Basic YTpi' });
    assert.equal(basic.status, 401);

    const c = await citizenClient(DEMO.suzanne);
    const { token } = await connect(c, publicApp);
    const write = await new HttpClient(k.url).request(
      'POST',
      '/fhir',
      JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [] }),
      { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
    );
    assert.equal(write.status, 401);
  });

  test('discovery: SMART configuration and the CapabilityStatement name the endpoints', async () => {
    const r = await new HttpClient(k.url).get('/fhir/.well-known/smart-configuration');
    assert.equal(r.status, 200);
    const body = json(r);
    assert.equal(body.authorization_endpoint, `${k.url}/oauth/authorize`);
    assert.equal(body.token_endpoint, `${k.url}/oauth/token`);
    assert.deepEqual(body.code_challenge_methods_supported, ['S256']);
    const meta = await new HttpClient(k.url).get('/fhir/metadata');
    const security = (json(meta).rest as { security: Json }[])[0]?.security ?? {};
    assert.match(JSON.stringify(security), /oauth-uris/);
    assert.match(JSON.stringify(security), /SMART-on-FHIR/);
    assert.doesNotMatch(String(security.description), /not accepted/);
  });

  test('row-level security: a citizen sees only their own grants, cannot issue codes for another’s grant, and never sees tokens', async () => {
    const c = await citizenClient(DEMO.suzanne);
    await connect(c, publicApp);
    const pc = await citizenClient(DEMO.pieter);
    await connect(pc, publicApp);
    const portal = await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow();
    const asSuzanne: Principal = { kind: 'citizen', citizenId: suzanne, portalId: portal.id };
    const pieterGrant = await k.db
      .selectFrom('citizen_app_grant')
      .select('id')
      .where('citizen_id', '=', pieter)
      .executeTakeFirstOrThrow();
    await withPrincipal(k.db, asSuzanne, async (tx) => {
      const grants = await tx.selectFrom('citizen_app_grant').select('citizen_id').execute();
      assert.ok(grants.length > 0);
      assert.ok(grants.every((g) => g.citizen_id === suzanne));
      assert.equal((await tx.selectFrom('citizen_app_token').select('grant_id').execute()).length, 0);
      assert.equal((await tx.selectFrom('citizen_app_code').select('grant_id').execute()).length, 0);
    });
    await assert.rejects(
      withPrincipal(k.db, asSuzanne, (tx) =>
        tx
          .insertInto('citizen_app_code')
          .values({
            code_hash: randomBytes(32),
            grant_id: pieterGrant.id,
            redirect_uri: publicApp.redirectUri,
            code_challenge: pkce().challenge,
            scope: 'patient/*.read',
            expires_at: new Date(Date.now() + 60_000),
          })
          .execute(),
      ),
      /row-level security/,
    );
    await assert.rejects(
      withPrincipal(k.db, asSuzanne, (tx) =>
        tx
          .insertInto('citizen_app_grant')
          .values({ citizen_id: pieter, app_id: otherApp.id, portal_id: portal.id })
          .execute(),
      ),
      /row-level security/,
    );
    // Which citizen and which app a grant is about never changes; a code cannot be made to go elsewhere or to last.
    const ownGrant = await k.db
      .selectFrom('citizen_app_grant')
      .select('id')
      .where('citizen_id', '=', suzanne)
      .where('app_id', '=', publicApp.id)
      .executeTakeFirstOrThrow();
    await assert.rejects(
      withPrincipal(k.db, asSuzanne, (tx) =>
        tx.updateTable('citizen_app_grant').set({ app_id: otherApp.id }).where('id', '=', ownGrant.id).execute(),
      ),
      /permission denied/,
    );
    const code = (redirect: string, expires: Date) =>
      withPrincipal(k.db, asSuzanne, (tx) =>
        tx
          .insertInto('citizen_app_code')
          .values({
            code_hash: randomBytes(32),
            grant_id: ownGrant.id,
            redirect_uri: redirect,
            code_challenge: pkce().challenge,
            scope: 'patient/*.read',
            expires_at: expires,
          })
          .execute(),
      );
    await code(publicApp.redirectUri, new Date(Date.now() + 60_000)); // the real thing works
    await code('http://127.0.0.1:40000/cb', new Date(Date.now() + 60_000)); // loopback, any port
    await assert.rejects(code('https://evil.example/callback', new Date(Date.now() + 60_000)), /row-level security/);
    await assert.rejects(code(publicApp.redirectUri, new Date('2099-01-01')), /row-level security/);
    await assert.rejects(
      withPrincipal(k.db, asSuzanne, (tx) =>
        tx
          .insertInto('citizen_app_grant')
          .values({ citizen_id: suzanne, app_id: revokedApp.id, portal_id: portal.id })
          .execute(),
      ),
      /row-level security/,
    );
    // Citizens read app names, never secrets (the table holds the confidential app's).
    assert.ok((await k.db.selectFrom('citizen_app_secret').select('app_id').execute()).length > 0);
    const secrets = await withPrincipal(k.db, asSuzanne, (tx) =>
      tx.selectFrom('citizen_app_secret').select('app_id').execute(),
    );
    assert.equal(secrets.length, 0);
    // Staff see no grants at all.
    const gp = await orgId(k.db, DEMO.gp);
    const staff: Principal = { kind: 'staff', staffId: suzanne, organisationId: gp, role: 'admin', permissions: [] };
    const seen = await withPrincipal(k.db, staff, (tx) => tx.selectFrom('citizen_app_grant').select('id').execute());
    assert.equal(seen.length, 0);
    const removed = await withPrincipal(k.db, asSuzanne, (tx) =>
      tx.deleteFrom('citizen_app_grant').where('id', '=', pieterGrant.id).executeTakeFirst(),
    );
    assert.equal(Number(removed.numDeletedRows), 0);
  });

  test('an app on the citizen’s own computer may use any port of the loopback address, nothing else changes', async () => {
    const c = await citizenClient(DEMO.fatima);
    const p = pkce();
    const loopback = { ...publicApp, redirectUri: 'http://127.0.0.1:54321/cb' };
    const page = await c.get(authorizePath(loopback, p.challenge));
    assert.equal(page.status, 200);
    assert.match(
      page.headers.get('content-security-policy') ?? '',
      /form-action 'self' [^;]*http:\/\/127\.0\.0\.1:54321/,
    );
    const back = await c.post('/oauth/authorize', { ...hiddenFields(page.text), decision: 'approve' });
    assert.match(back.location ?? '', /^http:\/\/127\.0\.0\.1:54321\/cb\?code=/);
    const code = new URL(back.location ?? '').searchParams.get('code') ?? '';
    const r = await exchange(publicApp, {
      code,
      redirect_uri: loopback.redirectUri,
      code_verifier: p.verifier,
      client_id: publicApp.clientId,
    });
    assert.equal(r.status, 200, r.text);
    for (const other of ['http://127.0.0.1:54321/other', 'http://[::1]:54321/cb', 'http://localhost:8080/cb']) {
      assert.equal((await c.get(authorizePath({ ...publicApp, redirectUri: other }, p.challenge))).status, 400, other);
    }
  });

  test('failed client logins lock out their own address, not the app for every citizen', async () => {
    const attacker = { 'x-forwarded-for': '198.51.100.66' };
    const basic = `Basic ${Buffer.from(`${publicApp.clientId}:guess`).toString('base64')}`;
    for (let i = 0; i < 8; i++) {
      const r = await exchange(
        publicApp,
        { code: 'x'.repeat(43), redirect_uri: publicApp.redirectUri, code_verifier: pkce().verifier },
        { ...attacker, authorization: basic },
      );
      assert.equal(r.status, 401);
    }
    const blocked = await k.db
      .selectFrom('login_throttle')
      .select('key')
      .where('blocked_until', '>', new Date())
      .where('key', 'like', 'app-%')
      .execute();
    assert.ok(blocked.length > 0, 'the attacker is throttled');
    // A citizen elsewhere connects the same app as usual.
    const c = await citizenClient(DEMO.fatima);
    const p = pkce();
    const back = await approve(c, publicApp, p.challenge);
    const r = await exchange(
      publicApp,
      {
        code: back.searchParams.get('code') ?? '',
        redirect_uri: publicApp.redirectUri,
        code_verifier: p.verifier,
        client_id: publicApp.clientId,
      },
      { 'x-forwarded-for': '198.51.100.67' },
    );
    assert.equal(r.status, 200, r.text);
  });
});
