// The outbound request and its SSRF guard (MG-5), against real HTTP servers on loopback: a hanging receiver times out,
// a redirect is not followed, a 10 MB answer is cut off; in production mode loopback, private and link-local
// addresses are refused by URL and again after DNS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeliveryError, guardedLookup, isForbiddenAddress, postOnce, urlProblem } from './http.js';
import { Receiver } from './receiver.testkit.js';

const DEV = { allowPrivate: true, timeoutMs: 1000, maxResponseBytes: 65_536 };
const PROD = { ...DEV, allowPrivate: false };

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof DeliveryError, String(err));
    return err.code;
  }
}

describe('outbound delivery HTTP', () => {
  let r: Receiver;
  before(async () => {
    r = await Receiver.start();
  });
  after(async () => {
    await r.close();
  });

  test('[MG-5] a 2xx is delivered; a 5xx fails with its status; nothing else is sent', async () => {
    r.answer = 'ok';
    assert.equal(await postOnce(r.url, { 'webhook-id': 'x' }, '{"a":1}', DEV), 204);
    assert.equal(r.received.at(-1)?.raw, '{"a":1}');
    r.answer = 'fail';
    r.times = 1;
    assert.equal(await code(postOnce(r.url, {}, '{}', DEV)), 'http-500');
  });

  test('[MG-5] a receiver that hangs times out; a redirect is not followed; a 10 MB answer is cut off', async () => {
    r.answer = 'hang';
    r.times = 1;
    const started = Date.now();
    assert.equal(await code(postOnce(r.url, {}, '{}', { ...DEV, timeoutMs: 300 })), 'timeout');
    assert.ok(Date.now() - started < 2000, 'gave up at the timeout');

    r.answer = 'redirect';
    r.times = 1;
    const before = r.hits;
    assert.equal(await code(postOnce(r.url, {}, '{}', DEV)), 'redirect');
    assert.equal(r.hits, before + 1, 'the redirect target was never asked');

    r.answer = 'huge';
    r.times = 1;
    const t0 = Date.now();
    assert.equal(await postOnce(r.url, {}, '{}', { ...DEV, timeoutMs: 5000 }), 200, 'a 2xx, its body not read');
    assert.ok(Date.now() - t0 < 3000, 'hung up after the first 64 KB instead of reading 10 MB');
  });

  test('[MG-5] production mode: loopback, private, link-local, unique-local addresses and plain http are refused', async () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd12:3456::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
    ]) {
      assert.equal(isForbiddenAddress(ip), true, ip);
    }
    for (const ip of ['93.184.216.34', '2606:4700::1111', '8.8.8.8']) assert.equal(isForbiddenAddress(ip), false, ip);

    assert.equal(urlProblem('https://127.0.0.1/hook', false), 'url-private');
    assert.equal(urlProblem('https://[::1]/hook', false), 'url-private');
    assert.equal(urlProblem('https://169.254.169.254/latest/meta-data', false), 'url-private');
    assert.equal(urlProblem('https://[::ffff:10.0.0.1]/', false), 'url-private');
    assert.equal(urlProblem('https://localhost/hook', false), 'url-private');
    assert.equal(urlProblem('https://intranet/hook', false), 'url-private');
    assert.equal(urlProblem('http://his.example.nl/hook', false), 'url-not-https');
    assert.equal(urlProblem('https://user:pw@his.example.nl/hook', false), 'url-userinfo');
    assert.equal(urlProblem('ftp://his.example.nl/hook', true), 'url-not-https');
    assert.equal(urlProblem('not a url', true), 'url-invalid');
    assert.equal(urlProblem('https://his.example.nl/koepel/webhook', false), null);
    assert.equal(urlProblem('http://127.0.0.1:9/hook', true), null, 'outside production loopback is allowed');

    // At delivery: the URL check again, then the addresses the name resolves to (DNS rebinding).
    const before = r.hits;
    assert.equal(await code(postOnce(r.url, {}, '{}', PROD)), 'url-not-https');
    assert.equal(await code(postOnce(r.url.replace('http:', 'https:'), {}, '{}', PROD)), 'url-private');
    const lookedUp = await new Promise<string>((resolve) =>
      guardedLookup(false)('localhost', {}, (err) => resolve(err ? String(err.code) : 'resolved')),
    );
    assert.equal(lookedUp, 'EPRIVATE', 'a name that resolves to loopback is refused after DNS');
    const allowed = await new Promise<string>((resolve) =>
      guardedLookup(true)('localhost', {}, (err) => resolve(err ? String(err.code) : 'resolved')),
    );
    assert.equal(allowed, 'resolved');
    assert.equal(r.hits, before, 'nothing reached the receiver');
  });
});
