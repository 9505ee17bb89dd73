// HTTP hygiene: security headers, caching, body limits, CSRF, and a database outage answered with 503.
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { freePort, startKoepel, testDatabaseUrl, type TestKoepel } from '../support/harness.js';
import { HttpClient } from '../support/http-client.js';

describe('HTTP hygiene', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel({ KOEPEL_BODY_LIMIT_BYTES: '4096' });
  });
  after(async () => {
    await k.close();
  });

  test('[PZ-12] [PR-6] [ZL-4] strict security headers and HSTS on every page', async () => {
    for (const path of ['/', '/privacy', '/nope']) {
      const res = await new HttpClient(k.url).get(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=(\d{8,})/);
      const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('strict-transport-security') ?? '')?.[1]);
      assert.ok(maxAge >= 31_536_000, 'HSTS at least one year');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('x-powered-by'), null);
    }
  });

  test('pages contain no inline script or style', async () => {
    for (const path of ['/', '/privacy']) {
      const html = (await new HttpClient(k.url).get(path)).text;
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/i);
      assert.doesNotMatch(html, /\sstyle=|<style/i);
      assert.doesNotMatch(html, /\son[a-z]+=/i);
    }
  });

  test('static assets may be cached, pages may not', async () => {
    const res = await new HttpClient(k.url).get('/assets/koepel.css');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control') ?? '', /max-age/);
    assert.match(res.text, /utrecht-button/);
  });

  test('a body over the limit is refused with 413 and a Dutch page', async () => {
    const c = new HttpClient(k.url);
    const res = await c.post('/logout', { _csrf: 'x', filler: 'a'.repeat(10_000) });
    assert.equal(res.status, 413);
    assert.match(res.text, /Te veel gegevens/);
  });

  test('a form post without a valid CSRF token is refused', async () => {
    const c = new HttpClient(k.url);
    await c.get('/language?lang=nl'); // gets a session
    const res = await c.post('/logout', { _csrf: 'forged' });
    assert.equal(res.status, 403);
    assert.match(res.text, /Formulier verlopen/);
    const none = await new HttpClient(k.url).post('/logout', {});
    assert.equal(none.status, 403);
  });

  test('malformed JSON is a 400, not a 500', async () => {
    const res = await new HttpClient(k.url).request('POST', '/logout', '{"a":', { 'content-type': 'application/json' });
    assert.equal(res.status, 400);
  });

  test('a theme token cannot inject CSS', async () => {
    const { themeStylesheet } = await import('../../src/platform/web/assets.js');
    const css = themeStylesheet({ '--ok-color': '#123456', '--bad': 'red; } body { display: none', color: 'red' });
    assert.match(css, /--ok-color: #123456;/);
    assert.doesNotMatch(css, /display: none|\bcolor: red/);
  });
});

/** A TCP proxy in front of PostgreSQL that a test can cut and restore. */
async function startProxy(target: {
  host: string;
  port: number;
}): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (server) server.close(() => resolve());
      else resolve();
      server = null;
    });
  await listen();
  return { port, cut, restore: listen, close: cut };
}

describe(
  'database outage',
  { skip: testDatabaseUrl ? false : 'needs PostgreSQL (PGlite runs in-process and cannot be unreachable)' },
  () => {
    test('the server answers 503 with a Dutch page while the database is unreachable, and recovers', async () => {
      const upstream = new URL(testDatabaseUrl ?? 'postgres://127.0.0.1:5432');
      const proxy = await startProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) });
      const k = await startKoepel(
        {},
        {
          viaDatabaseUrl: (url) => {
            const u = new URL(url);
            u.port = String(proxy.port);
            return u.toString();
          },
        },
      );
      try {
        const c = new HttpClient(k.url);
        assert.equal((await c.get('/health')).status, 200);
        assert.equal((await c.get('/language?lang=en')).status, 303); // a session: every request now reads the database

        await proxy.cut();
        const down = await c.get('/privacy');
        assert.equal(down.status, 503);
        assert.match(down.text, /Temporarily unavailable|Tijdelijk niet beschikbaar/);
        assert.ok(down.headers.get('retry-after'));
        assert.equal((await c.get('/health')).status, 503);

        await proxy.restore();
        let up = await c.get('/health');
        for (let i = 0; i < 20 && up.status !== 200; i++) {
          await new Promise((r) => setTimeout(r, 250));
          up = await c.get('/health');
        }
        assert.equal(up.status, 200, 'the server recovered by itself');
        assert.equal((await c.get('/privacy')).status, 200);
      } finally {
        await k.close();
        await proxy.close();
      }
    });
  },
);
