import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createTestDatabase, freePort, testDatabaseUrl } from '../../../test/support/harness.js';
import { HttpClient } from '../../../test/support/http-client.js';
import { citizenId, DEMO } from '../../../test/support/principals.js';
import { boot, type Koepel } from '../../boot.js';
import { demo } from '../../demo/index.js';
import { loadConfig } from '../../platform/config.js';
import { choose, loginWithDigid, openSimulator } from './test-driver.js';

// Boots Koepel like the harness does, but with a logger at trace level writing into memory, and with a BRP that
// cannot be reached (so the login's BRP warning path runs too). The logger has NO redaction: the point is that
// the code itself never hands personal data to it.
describe('citizen login: logs and a BRP outage', () => {
  const lines: string[] = [];
  let koepel: Koepel;
  let url: string;
  let drop: (() => Promise<void>) | null = null;

  before(async () => {
    const port = await freePort();
    const closedPort = await freePort();
    const testDb = testDatabaseUrl ? await createTestDatabase() : null;
    drop = testDb ? () => testDb.drop() : null;
    url = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      PUBLIC_URL: url,
      KOEPEL_BRP_URL: `http://127.0.0.1:${closedPort}/haalcentraal/api/brp`,
      KOEPEL_BRP_API_KEY: 'test',
      ...(testDb ? { DATABASE_URL: testDb.url, DATABASE_POOL_SIZE: '5' } : {}),
    });
    if (config.database.kind === 'pglite') config.database = { kind: 'pglite', dataDir: null };
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    koepel = await boot(config, pino({ level: 'trace' }, sink), [demo]);
    await koepel.app.listen({ port, host: '127.0.0.1' });
  });
  after(async () => {
    await koepel.close();
    await drop?.();
  });

  test('a BRP outage does not stop the login: the stored snapshot is kept, and the log says so without personal data', async () => {
    const id = await citizenId(koepel.database.db, koepel.keys, DEMO.suzanne);
    const before = await koepel.database.db
      .selectFrom('citizen')
      .select('brp_fetched_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const c = new HttpClient(url);
    const res = await loginWithDigid(c, DEMO.suzanne);
    assert.equal(res.status, 303);
    const home = await c.get('/home');
    assert.equal(home.status, 200);
    assert.match(home.text, /Lindelaan 14/, 'the stored BRP snapshot is shown');
    const afterRow = await koepel.database.db
      .selectFrom('citizen')
      .select('brp_fetched_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(afterRow.brp_fetched_at.getTime(), before.brp_fetched_at.getTime(), 'not refreshed');
    assert.ok(
      lines.some((l) => l.includes('BRP lookup failed at login') && l.includes('"kind":"unreachable"')),
      'the outage is logged',
    );
  });

  test('no BSN, name, address or e-mail reaches the log during logins, refusals and the home page', async () => {
    await loginWithDigid(new HttpClient(url), DEMO.suzanne, 'midden');
    await loginWithDigid(new HttpClient(url), DEMO.noor);
    const typed = new HttpClient(url);
    const { form } = await openSimulator(typed);
    await choose(typed, form, { bsn: '123456782' });
    const c = new HttpClient(url);
    await loginWithDigid(c, DEMO.johannes);
    await c.get('/home');

    const log = lines.join('');
    assert.ok(lines.length > 10, 'requests were logged');
    for (const secret of [
      DEMO.suzanne,
      DEMO.noor,
      DEMO.johannes,
      '123456782',
      'Suzanne',
      'Vries',
      'Johannes',
      'Visser',
      'Lindelaan',
      'Molenweg',
      '3521AB',
      'praktijk@delinde.example',
    ]) {
      assert.equal(log.includes(secret), false, `the log contains ${secret}`);
    }
    assert.equal(/[?&](code|state|bsn)=/.test(log), false, 'no query strings in the log');
  });
});
