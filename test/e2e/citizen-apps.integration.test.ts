// An app the citizen authorises, in a real browser: the app sends the citizen to Koepel, who logs in with DigiD,
// reads the consent page, gives access and lands back in the app (whose address the browser intercepts); the app
// exchanges the code and reads the record; then the citizen withdraws access on "Gekoppelde apps" and the app's
// token stops working. axe-core checks every page, on a desktop and on a phone-sized screen.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { newAppClientId } from '../../src/citizen-apps/registry.js';
import { Secret } from 'otpauth';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { codeAt } from '../../src/staff/totp.js';
import { assertAccessible, launchBrowser, newContext } from '../support/browser.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';

const SHOTS = '/tmp/koepel-shots';

describe('apps the citizen authorises, in a real browser', () => {
  let k: TestKoepel;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let app: { name: string; clientId: string };
  // The app's own web server (on the loopback address, as a desktop app would have): where the citizen lands back.
  let appServer: Server;
  let REDIRECT: string;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    appServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        '<!doctype html><html lang="nl"><head><title>PGO</title></head><body><main><h1>Terug in de app</h1></main></body></html>',
      );
    });
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    REDIRECT = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/callback`;
    k = await startKoepel();
    browser = await launchBrowser();
    const name = `Mijn Gezondheidsapp ${randomBytes(3).toString('hex')}`;
    const row = await k.db
      .insertInto('citizen_app')
      .values({
        name,
        vendor: 'Voorbeeld PGO B.V.',
        client_id: newAppClientId(),
        confidential: false,
        redirect_uris: [REDIRECT],
      })
      .returning(['client_id'])
      .executeTakeFirstOrThrow();
    app = { name, clientId: row.client_id };
  });
  after(async () => {
    for (const c of contexts) await c.close();
    // k is closed even when the browser never started (else the file hangs until the runner's timeout).
    try {
      await browser.close();
    } finally {
      await k.close();
    }
    appServer.close();
  });

  for (const screen of ['desktop', 'phone'] as const) {
    test(`${screen}: log in from the app, give access, the app reads; withdraw, the app cannot`, async () => {
      const context =
        screen === 'desktop'
          ? await newContext(browser)
          : await browser.newContext({ locale: 'nl-NL', viewport: { width: 375, height: 740 }, isMobile: true });
      contexts.push(context);
      const page = await context.newPage();
      const verifier = randomBytes(32).toString('base64url');
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: REDIRECT,
        state: `st-${screen}`,
        scope: 'launch/patient patient/*.read',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        aud: `${k.url}/fhir`,
      });

      // Not logged in: the portal says who asks, and offers DigiD.
      await page.goto(`${k.url}/oauth/authorize?${q.toString()}`);
      await page.getByRole('heading', { level: 1, name: `${app.name} toegang geven tot uw gegevens?` }).waitFor();
      await assertAccessible(page);
      await Promise.all([
        page.waitForURL(/\/digid-simulator\/authorize/),
        page.getByRole('link', { name: 'Inloggen met DigiD' }).click(),
      ]);
      await page.getByLabel(/Suzanne Maria de Vries/).check();
      await page.getByLabel(/^Substantieel/).check();
      await Promise.all([
        page.waitForURL(/\/oauth\/authorize\?/),
        page.getByRole('button', { name: 'Inloggen', exact: true }).click(),
      ]);

      // The consent page.
      await page.getByRole('heading', { name: 'Wat de app dan kan' }).waitFor();
      await assertAccessible(page);
      await page.screenshot({ path: `${SHOTS}/app-consent-${screen}.png`, fullPage: true });
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(REDIRECT)),
        page.getByRole('button', { name: 'Toegang geven', exact: true }).click(),
      ]);
      const back = new URL(page.url());
      assert.equal(back.searchParams.get('state'), `st-${screen}`);
      const code = back.searchParams.get('code');
      assert.ok(code);

      // The app, on its server: code → token → record.
      const tokenAnswer = await fetch(`${k.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
          client_id: app.clientId,
        }).toString(),
      });
      assert.equal(tokenAnswer.status, 200);
      const token = ((await tokenAnswer.json()) as { access_token: string; patient: string }).access_token;
      const readRecord = () =>
        fetch(`${k.url}/fhir/Patient?_count=1`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await readRecord()).status, 200);

      // Back in the portal: "Gekoppelde apps" lists the app; withdrawing ends its access.
      await page.goto(`${k.url}/home`);
      const menu = page.getByRole('navigation', { name: 'Mijn portaal' });
      await Promise.all([page.waitForURL(/\/apps$/), menu.getByRole('link', { name: 'Gekoppelde apps' }).click()]);
      await assertAccessible(page);
      await page.getByRole('heading', { name: app.name }).waitFor();
      await page.screenshot({ path: `${SHOTS}/apps-${screen}.png`, fullPage: true });
      await Promise.all([
        page.waitForURL(/\/apps\?withdrawn=/),
        page.getByRole('button', { name: `Toegang intrekken voor ${app.name}` }).click(),
      ]);
      await page
        .getByRole('status')
        .filter({ hasText: `De toegang van ${app.name} is ingetrokken` })
        .waitFor();
      await assertAccessible(page);
      assert.equal((await readRecord()).status, 401);

      // The access log names the app.
      await Promise.all([
        page.waitForURL(/\/access-log$/),
        menu.getByRole('link', { name: 'Wie heeft mijn gegevens bekeken' }).click(),
      ]);
      await page.getByText(`U zelf, via de app ${app.name}`).first().waitFor();
      await assertAccessible(page);
    });
  }

  test('the operator registers an app and revokes it; every page is accessible', async () => {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${k.url}/staff/login`);
    await page.getByLabel('E-mailadres').fill('servicedesk@koepel.example');
    await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.waitForURL(`${k.url}/staff/totp/enrol`);
    const secret = Secret.fromBase32((await page.locator('#totp-secret').innerText()).replace(/\s/g, '')).bytes;
    await page.getByLabel('Verificatiecode').fill(codeAt(secret, Math.floor(Date.now() / 30_000) * 30_000 + 1000));
    await page.getByRole('button', { name: 'Bevestigen' }).click();
    await page.waitForURL(`${k.url}/operator/alerts`);

    await Promise.all([
      page.waitForURL(`${k.url}/operator/apps`),
      page.getByRole('link', { name: 'Apps voor inwoners (register)' }).click(),
    ]);
    await assertAccessible(page);
    // Nothing filled in: the errors are shown at the fields and in the summary.
    await page.getByRole('button', { name: 'App aanmelden' }).click();
    await page.waitForLoadState('domcontentloaded');
    assert.match(await page.locator('.koepel-error-summary').innerText(), /Vul de naam van de app in/);
    await assertAccessible(page);

    const name = `Gezondheidsapp ${randomBytes(3).toString('hex')}`;
    await page.getByLabel('Naam van de app').fill(name);
    await page.getByLabel('Maker', { exact: true }).fill('Voorbeeld PGO B.V.');
    await page.getByLabel(/^Terugkeeradressen/).fill('https://app.voorbeeld.nl/callback');
    await page.getByLabel(/^Vertrouwelijk/).check();
    await page.getByRole('button', { name: 'App aanmelden' }).click();
    await page.getByRole('heading', { level: 1, name: 'App aangemeld' }).waitFor();
    await page.getByText('Kopieer het geheim nu').waitFor();
    await assertAccessible(page);
    await page.screenshot({ path: `${SHOTS}/operator-app-created.png`, fullPage: true });

    await page.goto(`${k.url}/operator/apps`);
    await page.getByRole('button', { name: `App ${name} intrekken` }).click();
    await page.waitForLoadState('domcontentloaded');
    await page
      .getByText(/Ingetrokken op/)
      .first()
      .waitFor();
    await assertAccessible(page);
    await page.screenshot({ path: `${SHOTS}/operator-apps.png`, fullPage: true });
  });

  test('the demo’s example health app: from "Gekoppelde apps" to the app, consent, and the record summary', async () => {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(k.url);
    await Promise.all([
      page.waitForURL(/\/digid-simulator\/authorize/),
      page.getByRole('button', { name: 'Inloggen met DigiD' }).click(),
    ]);
    await page.getByLabel(/Suzanne Maria de Vries/).check();
    await page.getByLabel(/^Substantieel/).check();
    await Promise.all([
      page.waitForURL(/\/home$/),
      page.getByRole('button', { name: 'Inloggen', exact: true }).click(),
    ]);
    await page.goto(`${k.url}/apps`);
    await Promise.all([
      page.waitForURL(/\/demo-pgo$/),
      page.getByRole('link', { name: 'Probeer het in deze demo met de Voorbeeld-PGO' }).click(),
    ]);
    await assertAccessible(page);
    await Promise.all([
      page.waitForURL(/\/oauth\/authorize\?/),
      page.getByRole('link', { name: /^Koppelen met / }).click(),
    ]);
    await page
      .getByRole('heading', { level: 1, name: 'Voorbeeld-PGO (demo) toegang geven tot uw gegevens?' })
      .waitFor();
    await Promise.all([
      page.waitForURL(/\/demo-pgo\/callback\?/),
      page.getByRole('button', { name: 'Toegang geven', exact: true }).click(),
    ]);
    const status = await page.getByRole('status').innerText();
    const read = Number(/heeft (\d+) gegevens/.exec(status)?.[1] ?? 0);
    assert.ok(read > 10, status);
    await assertAccessible(page);
    await page.screenshot({ path: `${SHOTS}/demo-pgo.png`, fullPage: true });
    // Declining says so, and reads nothing.
    await Promise.all([
      page.waitForURL(/\/oauth\/authorize\?/),
      page.getByRole('link', { name: 'Opnieuw ophalen' }).click(),
    ]);
    await page.getByText(/al toegang/).waitFor();
    await Promise.all([
      page.waitForURL(/\/demo-pgo\/callback\?/),
      page.getByRole('button', { name: 'Geen toegang geven', exact: true }).click(),
    ]);
    await page.getByText('U gaf de app geen toegang. Er is niets gelezen.').waitFor();
    await assertAccessible(page);
  });
});
