// One address (src/platform/http/canonical-host.ts): a browser on another host name of the server is sent to
// PUBLIC_URL before a session or a DigiD login starts (308 for GET/HEAD, 421 with a page for a form), while machine
// clients (FHIR, health probes, token endpoints, anything that does not ask for HTML) are served on any host.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { normalHost } from '../../src/platform/http/canonical-host.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request to the test server's socket with any Host header (fetch does not let a test set Host). */
function send(
  k: TestKoepel,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<Answer> {
  const url = new URL(k.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('one address: PUBLIC_URL', () => {
  let k: TestKoepel;
  let other: string;
  before(async () => {
    k = await startKoepel();
    other = `localhost:${new URL(k.url).port}`; // PUBLIC_URL is http://127.0.0.1:<port>
  });
  after(async () => {
    await k.close();
  });

  test('a page on another host name: 308 to the same path and query on PUBLIC_URL, no session started', async () => {
    for (const path of ['/', '/staff/login?return=%2Fstaff', '/login/digid', '/privacy']) {
      for (const method of ['GET', 'HEAD']) {
        const r = await send(k, method, path, { host: other, accept: HTML });
        assert.equal(r.status, 308, `${method} ${path}`);
        assert.equal(r.headers.location, k.url + path, `${method} ${path}`);
        assert.equal(r.headers['set-cookie'], undefined, `${method} ${path}: no cookie on the wrong host`);
      }
    }
  });

  test('the DigiD login on another host name is redirected before it starts (never the "back button" failure)', async () => {
    const wrong = await send(k, 'GET', '/login/digid', { host: other, accept: HTML });
    assert.equal(wrong.status, 308);
    const right = await send(k, 'GET', '/login/digid', { host: new URL(k.url).host, accept: HTML });
    assert.equal(right.status, 303, 'on PUBLIC_URL the login starts: off to the DigiD bridge');
    assert.match(String(right.headers.location), /\/digid-simulator\//);
    assert.ok(right.headers['set-cookie'], 'with its session cookie');
  });

  test('a form posted on another host name: 421 with a page that links to PUBLIC_URL, nothing done', async () => {
    const r = await send(
      k,
      'POST',
      '/staff/login',
      { host: other, accept: HTML, 'content-type': 'application/x-www-form-urlencoded' },
      'email=a%40b.example&password=x',
    );
    assert.equal(r.status, 421);
    assert.match(String(r.headers['content-type']), /text\/html/);
    assert.ok(r.body.includes(`href="${k.url}/"`), 'links to PUBLIC_URL');
    assert.match(r.body, /Ander adres/);
    assert.equal(r.headers['set-cookie'], undefined);
  });

  test('on PUBLIC_URL itself nothing changes', async () => {
    const r = await send(k, 'GET', '/', { host: new URL(k.url).host, accept: HTML });
    assert.equal(r.status, 200);
  });

  test('machine clients are served on any host name: FHIR, health, JSON and non-HTML requests', async () => {
    const health = await send(k, 'GET', '/health/ready', { host: other, accept: HTML });
    assert.equal(health.status, 200);
    assert.equal((await send(k, 'GET', '/health/live', { host: other })).status, 200);
    const fhir = await send(k, 'GET', '/fhir/metadata', { host: other, accept: 'application/fhir+json' });
    assert.equal(fhir.status, 200);
    const fhirHtml = await send(k, 'GET', '/fhir/metadata', { host: other, accept: HTML });
    assert.equal(fhirHtml.status, 200, '/fhir is never redirected');
    // A script or an in-process call (app.inject sends Host: localhost:80 and no HTML Accept).
    const script = await send(k, 'GET', '/privacy', { host: 'localhost:80', accept: '*/*' });
    assert.equal(script.status, 200);
    const token = await send(
      k,
      'POST',
      '/oauth/token',
      { host: other, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      'grant_type=client_credentials',
    );
    assert.notEqual(token.status, 421);
    assert.notEqual(token.status, 308);
  });

  test('host names compare as URLs do: case and the default port do not matter', () => {
    assert.equal(normalHost('Portaal.Example:443', 'https:'), 'portaal.example');
    assert.equal(normalHost('portaal.example:80', 'http:'), 'portaal.example');
    assert.equal(normalHost('127.0.0.1:3000', 'http:'), '127.0.0.1:3000');
    assert.equal(normalHost('', 'http:'), null);
    assert.equal(normalHost('evil.example/x', 'http:'), null);
  });
});

describe('one address behind a proxy (KOEPEL_TRUST_PROXY): the host is X-Forwarded-Host', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel({ KOEPEL_TRUST_PROXY: 'true' });
  });
  after(async () => {
    await k.close();
  });

  test('X-Forwarded-Host other than PUBLIC_URL is redirected; PUBLIC_URL is served', async () => {
    const self = new URL(k.url).host;
    const wrong = await send(k, 'GET', '/', { host: self, 'x-forwarded-host': 'node-2.internal', accept: HTML });
    assert.equal(wrong.status, 308);
    assert.equal(wrong.headers.location, `${k.url}/`);
    const right = await send(k, 'GET', '/', { host: 'node-2.internal', 'x-forwarded-host': self, accept: HTML });
    assert.equal(right.status, 200);
  });
});
