import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { HttpClient } from '../support/http-client.js';

describe('public pages', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  test('landing page shows the DigiD button and sets no cookie', async () => {
    const res = await new HttpClient(k.url).get('/');
    assert.equal(res.status, 200);
    assert.match(res.text, /utrecht-digid-button/);
    assert.match(res.text, /Inloggen met DigiD/);
    assert.equal(res.headers.getSetCookie().length, 0);
  });

  test('[LU-10] privacy statement shows when it was last updated', async () => {
    const res = await new HttpClient(k.url).get('/privacy');
    assert.equal(res.status, 200);
    assert.match(res.text, /Laatst bijgewerkt op 1 november 2026/);
  });

  test('[LU-11] every page lists technical support and the data protection officer', async () => {
    for (const path of ['/', '/privacy', '/does-not-exist']) {
      const res = await new HttpClient(k.url).get(path);
      assert.match(res.text, /Technische ondersteuning/);
      assert.match(res.text, /support@gezondheidsportaal\.example/);
      assert.match(res.text, /Functionaris gegevensbescherming/);
      assert.match(res.text, /fg@gezondheidsportaal\.example/);
    }
  });

  test('unknown page is a Dutch 404 page', async () => {
    const res = await new HttpClient(k.url).get('/bestaat-niet');
    assert.equal(res.status, 404);
    assert.match(res.text, /Pagina niet gevonden/);
    assert.match(res.text, /<html lang="nl"/);
  });

  test('English can be switched on and stays on for the session', async () => {
    const c = new HttpClient(k.url);
    const r1 = await c.get('/language?lang=en&return=/privacy');
    assert.equal(r1.status, 303);
    assert.equal(r1.location, '/privacy');
    const r2 = await c.get('/privacy');
    assert.match(r2.text, /<html lang="en"/);
    assert.match(r2.text, /Last updated on 1 November 2026/);
  });

  test('the language switch refuses to redirect elsewhere', async () => {
    const res = await new HttpClient(k.url).get('/language?lang=en&return=//evil.example/x');
    assert.equal(res.location, '/');
  });
});
