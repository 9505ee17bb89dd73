import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, launchBrowser, newContext } from '../support/browser.js';
import { testRpKeySet } from '../support/digid-keys.js';
import { freePort, startKoepel, type TestKoepel } from '../support/harness.js';
import { MaxOidcProvider } from '../support/max-oidc-provider.js';

const SCREENSHOT = '/tmp/koepel-citizen-home.png';

/** From the landing page through the DigiD simulator, as a citizen would; axe-core checks every page on the way. */
async function loginThroughSimulator(page: Page, url: string, person: RegExp, level: RegExp): Promise<void> {
  await page.goto(url);
  await assertAccessible(page);
  await Promise.all([
    page.waitForURL(/\/digid-simulator\/authorize/),
    page.getByRole('button', { name: 'Inloggen met DigiD' }).click(),
  ]);
  await assertAccessible(page);
  await page.screenshot({ path: '/tmp/koepel-digid-simulator.png', fullPage: true });
  await page.getByLabel(person).check();
  await page.getByLabel(level).check();
  await Promise.all([
    page.waitForLoadState('load'),
    page.getByRole('button', { name: 'Inloggen', exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
}

describe('citizen login in a real browser', () => {
  let k: TestKoepel;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  before(async () => {
    k = await startKoepel();
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of contexts) await c.close();
    // k is closed even when the browser never started (else the file hangs until the runner's timeout).
    try {
      await browser.close();
    } finally {
      await k.close();
    }
  });

  async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser);
    contexts.push(context);
    return { context, page: await context.newPage() };
  }

  test('[PZ-11] [LU-8] landing → DigiD → simulator → home with exactly her care providers; one temporary session cookie', async () => {
    const { context, page } = await freshPage();
    await loginThroughSimulator(page, k.url, /Suzanne Maria de Vries/, /^Substantieel/);
    assert.equal(new URL(page.url()).pathname, '/home');
    await assertAccessible(page);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Welkom, mevrouw De Vries');
    const providers = await page.locator('.koepel-provider h3').allTextContents();
    assert.deepEqual(providers, ['Huisartsenpraktijk De Linde', 'Apotheek Centrum', 'Rivierenland Ziekenhuis']);
    await page.getByRole('heading', { name: 'Mijn gegevens' }).waitFor();

    const cookies = await context.cookies();
    assert.equal(cookies.length, 1, JSON.stringify(cookies.map((c) => c.name)));
    const [session] = cookies;
    assert.ok(session);
    assert.equal(session.name, '__Host-koepel-session');
    assert.equal(session.expires, -1, 'a session cookie: gone when the browser closes');
    assert.equal(session.httpOnly, true);
    assert.equal(session.secure, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/');

    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Logging out works without JavaScript, too, and leaves no cookie behind.
    await Promise.all([page.waitForURL(`${k.url}/`), page.getByRole('button', { name: 'Uitloggen' }).click()]);
    await assertAccessible(page);
    assert.deepEqual(await context.cookies(), []);
  });

  test('[MG-2] the level-too-low page, the no-relationship page and the simulator error page are accessible', async () => {
    {
      const { page } = await freshPage();
      await loginThroughSimulator(page, k.url, /Suzanne Maria de Vries/, /^Midden/);
      assert.match((await page.getByRole('heading', { level: 1 }).textContent()) ?? '', /Hoger DigiD-niveau nodig/);
      await assertAccessible(page);
      await page.goto(`${k.url}/home`);
      assert.match((await page.getByRole('heading', { level: 1 }).textContent()) ?? '', /Log eerst in/);
      await assertAccessible(page);
    }
    {
      const { page } = await freshPage();
      await loginThroughSimulator(page, k.url, /Noor Visser/, /^Hoog/);
      assert.match((await page.getByRole('heading', { level: 1 }).textContent()) ?? '', /geen zorgrelatie/);
      await assertAccessible(page);
    }
    {
      const { page } = await freshPage();
      await page.goto(k.url);
      await assertAccessible(page);
      await Promise.all([
        page.waitForURL(/\/digid-simulator\/authorize/),
        page.getByRole('button', { name: 'Inloggen met DigiD' }).click(),
      ]);
      await page.getByLabel(/ander test-BSN/).fill('123456789');
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Inloggen', exact: true }).click(),
      ]);
      await page.getByRole('alert').waitFor();
      assert.match((await page.getByRole('alert').textContent()) ?? '', /Dit is geen geldig BSN/);
      assert.equal(await page.getByLabel(/ander test-BSN/).getAttribute('aria-invalid'), 'true');
      await assertAccessible(page);
    }
  });

  test('the simulator can be used with the keyboard only', async () => {
    const { page } = await freshPage();
    await page.goto(k.url);
    await Promise.all([
      page.waitForURL(/\/digid-simulator\/authorize/),
      page.getByRole('button', { name: 'Inloggen met DigiD' }).click(),
    ]);
    await assertAccessible(page);
    // Tab to the first test person, choose it with Space, the same for the level (none is chosen beforehand), then
    // submit with Enter from the BSN field's form.
    await page.getByLabel(/Suzanne Maria de Vries/).focus();
    await page.keyboard.press('Space');
    await page.getByLabel(/^Substantieel/).focus();
    await page.keyboard.press('Space');
    await page.getByLabel(/ander test-BSN/).focus();
    await Promise.all([page.waitForURL(/\/home$/), page.keyboard.press('Enter')]);
    await assertAccessible(page);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Welkom, mevrouw De Vries');
  });
});

describe('citizen login in a real browser through a MAX-shaped DigiD bridge (oidc-provider)', () => {
  let k: TestKoepel;
  let op: MaxOidcProvider;
  let browser: Browser;
  before(async () => {
    const port = await freePort();
    k = await startKoepel({
      KOEPEL_DIGID_SIMULATOR: 'false',
      KOEPEL_DIGID_ISSUER: `http://127.0.0.1:${port}`,
      KOEPEL_DIGID_CLIENT_ID: 'koepel-e2e',
      KOEPEL_DIGID_KEYS: testRpKeySet('e2e').json,
    });
    op = await new MaxOidcProvider({
      clientId: 'koepel-e2e',
      redirectUri: `${k.config.publicUrl}/login/digid/callback`,
      authMethod: 'private_key_jwt',
      jwksUri: `${k.config.publicUrl}/login/digid/jwks`,
    }).start(port);
    browser = await launchBrowser();
  });
  after(async () => {
    try {
      await browser.close();
    } finally {
      await op.stop();
      await k.close();
    }
  });

  test('[MG-2] landing → DigiD (MAX: private_key_jwt, JWE userinfo) → home', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      op.nextLogin = { bsn: '999993653', loa_authn: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard' };
      await page.goto(k.url);
      await assertAccessible(page);
      await Promise.all([
        page.waitForURL(`${k.url}/home`),
        page.getByRole('button', { name: 'Inloggen met DigiD' }).click(),
      ]);
      await assertAccessible(page);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Welkom, mevrouw De Vries');
      // Cookies are not scoped by port: the provider's own cookies on 127.0.0.1 (_session, _interaction…) show too.
      const names = (await context.cookies(k.url)).map((c) => c.name);
      assert.deepEqual(
        names.filter((n) => n.includes('koepel')),
        ['__Host-koepel-session'],
      );
    } finally {
      await context.close();
    }
  });
});
