// The operator's register of apps for citizens (/operator/apps) over real HTTP: registering a public and a
// confidential app (the secret shown once, stored only as its SHA-256), refusing bad input without storing anything,
// revoking (final, audited, at once for the token endpoint's lookup), and keeping everyone but the operator out.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { escapeHtml } from '@kitajs/html';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient, csrfFrom, type Response } from '../../test/support/http-client.js';
import { DEMO, staffPrincipal } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { withPrincipal } from '../platform/db/principal.js';
import { loginStaff, type StaffLogin } from '../staff/login.testkit.js';
import { activeApp } from './registry.js';

const LIST = '/operator/apps';
const OPERATOR = 'servicedesk@koepel.example';
const ADMIN = 'beheer@apotheekcentrum.example';
const sha256 = (v: string) => createHash('sha256').update(v, 'utf8').digest();

function shown(html: string, id: string): string {
  const m = new RegExp(`id="${id}"[^>]*>([^<]+)<`).exec(html);
  if (!m?.[1]) throw new Error(`no ${id} on the page`);
  return m[1];
}

describe('operator app register', () => {
  let k: TestKoepel;
  let operator: StaffLogin;
  // The test database may be reused between runs: every app this file registers has a name of its own.
  const run = randomBytes(4).toString('hex');
  const unique = (label: string) => `${label} ${run}`;

  before(async () => {
    k = await startKoepel();
    operator = await loginStaff(k.url, OPERATOR);
  });
  after(async () => {
    await k.close();
  });

  async function register(form: Record<string, string>): Promise<Response> {
    const list = await operator.client.get(LIST);
    return operator.client.post(LIST, { _csrf: csrfFrom(list.text), ...form });
  }

  const appRow = (clientId: string) =>
    k.db.selectFrom('citizen_app').selectAll().where('client_id', '=', clientId).executeTakeFirstOrThrow();

  // count(*) is a bigint: a string on PostgreSQL, a number on PGlite.
  const countApps = async () => {
    const { n } = await k.db
      .selectFrom('citizen_app')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  };

  const auditFor = (event: string, resourceId: string) =>
    k.db
      .selectFrom('audit_log')
      .selectAll()
      .where('event_code', '=', event)
      .where('resource_id', '=', resourceId)
      .execute();

  test('the operator finds the register from the alerts page, with an explained form', async () => {
    assert.match(operator.page.text, /<a class="utrecht-link" href="\/operator\/apps">/, 'linked from the alerts page');
    const page = await operator.client.get(LIST);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(page.text, /<h1 class="utrecht-heading-1">Apps voor inwoners<\/h1>/);
    if ((await countApps()) === 0) assert.match(page.text, /Er zijn nog geen apps aangemeld\./);
    else assert.match(page.text, /<caption class="utrecht-table__caption">Aangemelde apps, nieuwste eerst<\/caption>/);
    assert.match(page.text, /<h2 id="register-app-title" class="utrecht-heading-2">App aanmelden<\/h2>/);
    assert.match(page.text, /<label class="utrecht-form-label" for="app-name">Naam van de app<\/label>/);
    assert.match(page.text, /<label class="utrecht-form-label" for="app-vendor">Maker<\/label>/);
    assert.match(page.text, /<textarea[^>]*id="app-redirect-uris"[^>]*name="redirect_uris"/);
    assert.match(page.text, /aria-describedby="app-redirect-uris-hint"/);
    assert.match(page.text, /127\.0\.0\.1 of \[::1\]/, 'the hint explains http on loopback');
    assert.match(page.text, /nl\.voorbeeld\.app:\/callback/, 'the hint explains app schemes');
    assert.match(page.text, /type="radio" name="kind" id="app-kind-public" value="public"/);
    assert.match(page.text, /type="radio" name="kind" id="app-kind-confidential" value="confidential"/);
    assert.doesNotMatch(page.text, /name="kind"[^>]*checked/, 'no kind is chosen for the operator');
    assert.ok(csrfFrom(page.text));
  });

  test('the operator registers a public app: a client id, no secret, the row and an audit record', async () => {
    const name = unique('Mijn <Dossier> "app"');
    const noCsrf = await operator.client.post(LIST, {
      name,
      vendor: 'Zonder token B.V.',
      redirect_uris: 'https://app.voorbeeld.nl/cb',
      kind: 'public',
    });
    assert.equal(noCsrf.status, 403);
    assert.equal(
      await k.db.selectFrom('citizen_app').select('id').where('name', '=', name).executeTakeFirst(),
      undefined,
    );

    const page = await register({
      name: `  ${name}  `,
      vendor: 'Voorbeeld   Zorgapps B.V.',
      redirect_uris:
        'nl.voorbeeld.app:/callback\r\n\r\n  http://127.0.0.1:8080/cb\nhttps://app.voorbeeld.nl/cb?x=1  \n',
      kind: 'public',
    });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(page.text, /<h1 class="utrecht-heading-1">App aangemeld<\/h1>/);
    assert.ok(page.text.includes(escapeHtml(name)) && !page.text.includes('<Dossier>'), 'escaped');
    assert.match(page.text, /hij krijgt geen geheim/);
    assert.doesNotMatch(page.text, /app-client-secret|Kopieer het geheim nu/);
    const clientId = shown(page.text, 'app-client-id');
    assert.match(clientId, /^ka_[A-Za-z0-9_-]{32}$/);

    const row = await appRow(clientId);
    assert.equal(row.name, name, 'trimmed');
    assert.equal(row.vendor, 'Voorbeeld Zorgapps B.V.', 'spaces collapsed');
    assert.equal(row.confidential, false);
    assert.equal(
      (await k.db.selectFrom('citizen_app_secret').select('app_id').where('app_id', '=', row.id).execute()).length,
      0,
    );
    assert.deepEqual(row.redirect_uris, [
      'nl.voorbeeld.app:/callback',
      'http://127.0.0.1:8080/cb',
      'https://app.voorbeeld.nl/cb?x=1',
    ]);
    assert.equal(row.revoked_at, null);
    const creator = await k.db
      .selectFrom('staff_account')
      .select('id')
      .where('email', '=', OPERATOR)
      .executeTakeFirstOrThrow();
    assert.equal(row.created_by, creator.id);

    const [audit, ...more] = await auditFor('citizen-app.register', row.id);
    assert.equal(more.length, 0);
    assert.equal(audit?.actor_type, 'operator');
    assert.equal(audit.actor_id, creator.id);
    assert.equal(audit.action, 'C');
    assert.equal(audit.resource_type, 'citizen_app');

    const list = await operator.client.get(LIST);
    assert.ok(list.text.includes(clientId));
    assert.ok(list.text.includes('<code>http://127.0.0.1:8080/cb</code>'));
    assert.match(list.text, /Openbaar \(PKCE\)/);
    assert.match(list.text, new RegExp(`action="/operator/apps/${row.id}/revoke"`));
    assert.ok(
      list.text.includes(`aria-label="App ${name.replaceAll('"', '&#34;')} intrekken"`),
      'the button names the app',
    );
  });

  test('the operator registers a confidential app: the secret is shown once and stored as its SHA-256', async () => {
    const name = unique('Zorgoverzicht web');
    const page = await register({
      name,
      vendor: 'Webzorg B.V.',
      redirect_uris: 'https://zorgoverzicht.voorbeeld.nl/oauth/callback',
      kind: 'confidential',
    });
    assert.equal(page.status, 200);
    assert.match(page.text, /Kopieer het geheim nu/);
    assert.match(page.text, /Vertrouwelijk \(met geheim\)/);
    const clientId = shown(page.text, 'app-client-id');
    const secret = shown(page.text, 'app-client-secret');
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');

    const row = await appRow(clientId);
    assert.equal(row.confidential, true);
    const stored = await k.db
      .selectFrom('citizen_app_secret')
      .select('secret_hash')
      .where('app_id', '=', row.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(Buffer.from(stored.secret_hash), sha256(secret));
    assert.deepEqual(row.redirect_uris, ['https://zorgoverzicht.voorbeeld.nl/oauth/callback']);
    assert.equal((await auditFor('citizen-app.register', row.id)).length, 1);

    // Shown once: the list names the app but never shows the secret again; the newest app comes first.
    const list = await operator.client.get(LIST);
    assert.ok(list.text.includes(clientId));
    assert.ok(!list.text.includes(secret));
    const newest = list.text.indexOf(name);
    const older = list.text.indexOf(escapeHtml(unique('Mijn <Dossier> "app"')));
    assert.ok(newest > 0 && older > 0 && newest < older, 'newest first');
  });

  test('bad input is refused with a message at the field and in the summary, the values kept, nothing stored', async () => {
    const good = {
      name: unique('Goede naam'),
      vendor: 'Goede maker',
      redirect_uris: 'https://goed.voorbeeld.nl/cb',
      kind: 'public',
    };
    const elevenUris = Array.from({ length: 11 }, (_, i) => `https://app${i}.voorbeeld.nl/cb`).join('\n');
    const cases: { why: string; form: Partial<typeof good>; field: string; message: RegExp }[] = [
      { why: 'empty name', form: { name: '   ' }, field: 'app-name', message: /Vul de naam van de app in/ },
      { why: 'long name', form: { name: 'x'.repeat(101) }, field: 'app-name', message: /van 1 tot 100 tekens/ },
      {
        why: 'bidi override in name',
        form: { name: unique('Bank\u202egnp.exe') },
        field: 'app-name',
        message: /stuurtekens/,
      },
      { why: 'empty vendor', form: { vendor: '' }, field: 'app-vendor', message: /Vul de maker van de app in/ },
      {
        why: 'no redirect URI',
        form: { redirect_uris: ' \n ' },
        field: 'app-redirect-uris',
        message: /Vul ten minste één terugkeeradres in/,
      },
      {
        why: 'http on a public host',
        form: { redirect_uris: 'http://example.com/cb' },
        field: 'app-redirect-uris',
        message: /Regel 1 is geen toegestaan terugkeeradres: http:\/\/example\.com\/cb\./,
      },
      {
        why: 'http on localhost by name',
        form: { redirect_uris: 'http://localhost:8080/cb' },
        field: 'app-redirect-uris',
        message: /Regel 1 is geen toegestaan terugkeeradres/,
      },
      {
        why: 'a fragment',
        form: { redirect_uris: 'https://goed.voorbeeld.nl/cb\nhttps://x/cb#frag' },
        field: 'app-redirect-uris',
        message: /Regel 2 is geen toegestaan terugkeeradres: https:\/\/x\/cb#frag/,
      },
      {
        why: 'javascript:',
        form: { redirect_uris: 'javascript:alert(1)' },
        field: 'app-redirect-uris',
        message: /Regel 1 is geen toegestaan terugkeeradres: javascript:alert\(1\)/,
      },
      {
        why: 'a NUL character',
        form: { redirect_uris: 'https://goed.voorbeeld.nl/c\u0000b' },
        field: 'app-redirect-uris',
        message: /Regel 1 is geen toegestaan terugkeeradres/,
      },
      {
        why: 'eleven URIs',
        form: { redirect_uris: elevenUris },
        field: 'app-redirect-uris',
        message: /Vul hoogstens 10 terugkeeradressen in\. U vulde er 11 in\./,
      },
      {
        why: 'a duplicate',
        form: { redirect_uris: 'https://goed.voorbeeld.nl/cb\n  https://goed.voorbeeld.nl/cb' },
        field: 'app-redirect-uris',
        message: /Regel 2 herhaalt een adres dat er al staat: https:\/\/goed\.voorbeeld\.nl\/cb/,
      },
      { why: 'no kind', form: { kind: '' }, field: 'app-kind-public', message: /Kies of de app openbaar/ },
      { why: 'unknown kind', form: { kind: 'trusted' }, field: 'app-kind-public', message: /Kies of de app openbaar/ },
    ];
    const before = await countApps();
    for (const c of cases) {
      const r = await register({ ...good, ...c.form });
      assert.equal(r.status, 400, c.why);
      assert.match(r.text, /<title>Er is een probleem: /, c.why);
      assert.match(r.text, /class="utrecht-alert utrecht-alert--error koepel-error-summary"/, c.why);
      assert.ok(r.text.includes(`href="#${c.field}"`), `${c.why}: the summary links to the field`);
      const errorId = c.field === 'app-kind-public' ? 'app-kind-error' : `${c.field}-error`;
      const at = new RegExp(`id="${errorId}">([^<]*)<`).exec(r.text)?.[1] ?? '';
      assert.match(at, c.message, `${c.why}: the message is next to the field`);
      assert.match(r.text, new RegExp(`aria-describedby="[^"]*${errorId}"`), `${c.why}: described by the message`);
    }
    assert.equal(await countApps(), before, 'nothing stored');

    // What was typed comes back, to be corrected rather than typed again.
    const kept = await register({ ...good, redirect_uris: 'https://goed.voorbeeld.nl/cb\nhttp://example.com/cb' });
    assert.equal(kept.status, 400);
    assert.ok(kept.text.includes(`value="${good.name}"`));
    assert.ok(kept.text.includes('value="Goede maker"'));
    assert.match(
      kept.text,
      /name="redirect_uris"[^>]*>\nhttps:\/\/goed\.voorbeeld\.nl\/cb\nhttp:\/\/example\.com\/cb<\/textarea>/,
    );
    assert.match(kept.text, /id="app-kind-public" value="public" checked/);
    assert.equal(await countApps(), before, 'nothing stored');
  });

  test('revoking is immediate, audited and final; again is harmless; unknown 404, malformed 400', async () => {
    const created = await register({
      name: unique('In te trekken'),
      vendor: 'Tijdelijk B.V.',
      redirect_uris: 'nl.tijdelijk.app:/cb',
      kind: 'public',
    });
    const clientId = shown(created.text, 'app-client-id');
    const { id } = await appRow(clientId);
    const asTokenEndpoint = () =>
      withPrincipal(k.db, { kind: 'system', purpose: 'api-auth' }, (tx) => activeApp(tx, clientId));
    assert.equal((await asTokenEndpoint())?.id, id);

    const list = await operator.client.get(LIST);
    const csrf = csrfFrom(list.text);
    assert.equal((await operator.client.post(`${LIST}/${id}/revoke`, {})).status, 403, 'no CSRF token');
    assert.equal((await appRow(clientId)).revoked_at, null);

    const ok = await operator.client.post(`${LIST}/${id}/revoke`, { _csrf: csrf });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, LIST);
    const revokedAt = (await appRow(clientId)).revoked_at;
    assert.ok(revokedAt instanceof Date);
    assert.equal(await asTokenEndpoint(), null, 'the token endpoint no longer finds the app');
    const [audit, ...more] = await auditFor('citizen-app.revoke', id);
    assert.equal(more.length, 0);
    assert.equal(audit?.actor_type, 'operator');
    assert.equal(audit.action, 'U');
    assert.equal(audit.resource_type, 'citizen_app');

    const after = await operator.client.get(LIST);
    assert.match(after.text, /Ingetrokken op /);
    assert.ok(!after.text.includes(`action="/operator/apps/${id}/revoke"`), 'no button for a revoked app');

    const again = await operator.client.post(`${LIST}/${id}/revoke`, { _csrf: csrf });
    assert.equal(again.status, 303);
    assert.deepEqual((await appRow(clientId)).revoked_at, revokedAt, 'the first revocation stands');
    assert.equal((await auditFor('citizen-app.revoke', id)).length, 1, 'nothing happened, nothing logged');

    const unknown = await operator.client.post(`${LIST}/00000000-0000-4000-8000-000000000000/revoke`, {
      _csrf: csrf,
    });
    assert.equal(unknown.status, 404);
    const malformed = await operator.client.post(`${LIST}/not-a-uuid/revoke`, { _csrf: csrf });
    assert.equal(malformed.status, 400);
  });

  test('staff, citizens and visitors can neither see nor change the register', async () => {
    const created = await register({
      name: unique('Alleen voor de beheerder'),
      vendor: 'Afgeschermd B.V.',
      redirect_uris: 'https://afgeschermd.voorbeeld.nl/cb',
      kind: 'public',
    });
    const clientId = shown(created.text, 'app-client-id');
    const { id } = await appRow(clientId);
    const attempt = (name: string) => ({
      name,
      vendor: 'Indringer B.V.',
      redirect_uris: 'https://indringer.voorbeeld.nl/cb',
      kind: 'confidential',
    });
    const stored = async (name: string) =>
      (await k.db.selectFrom('citizen_app').select('id').where('name', '=', name).executeTakeFirst()) !== undefined;

    assert.equal((await new HttpClient(k.url).get(LIST)).status, 401, 'a visitor must log in');

    const staff = await loginStaff(k.url, ADMIN);
    const staffPage = await staff.client.get(LIST);
    assert.equal(staffPage.status, 403);
    assert.ok(!staffPage.text.includes(clientId));
    const staffCsrf = csrfFrom(staff.page.text);
    assert.equal(
      (await staff.client.post(LIST, { _csrf: staffCsrf, ...attempt(unique('Van de beheerder')) })).status,
      403,
    );
    assert.equal(await stored(unique('Van de beheerder')), false);
    assert.equal((await staff.client.post(`${LIST}/${id}/revoke`, { _csrf: staffCsrf })).status, 403);

    const citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);
    const citizenPage = await citizen.get(LIST);
    assert.equal(citizenPage.status, 403);
    assert.ok(!citizenPage.text.includes(clientId));
    const citizenCsrf = csrfFrom((await citizen.get('/home')).text);
    assert.equal((await citizen.post(LIST, { _csrf: citizenCsrf, ...attempt(unique('Van de inwoner')) })).status, 403);
    assert.equal(await stored(unique('Van de inwoner')), false);
    assert.equal((await citizen.post(`${LIST}/${id}/revoke`, { _csrf: citizenCsrf })).status, 403);

    assert.equal((await appRow(clientId)).revoked_at, null, 'still active');

    // Row-level security agrees: a staff principal sees no apps at all and cannot add one.
    const admin = await staffPrincipal(k.db, ADMIN);
    assert.equal(
      (await withPrincipal(k.db, admin, (tx) => tx.selectFrom('citizen_app').select('id').execute())).length,
      0,
    );
    await assert.rejects(
      withPrincipal(k.db, admin, (tx) =>
        tx
          .insertInto('citizen_app')
          .values({
            name: unique('Via SQL'),
            vendor: 'Indringer B.V.',
            client_id: `ka_${randomBytes(24).toString('base64url')}`,
            confidential: false,
            redirect_uris: ['https://indringer.voorbeeld.nl/cb'],
          })
          .execute(),
      ),
    );
  });
});
