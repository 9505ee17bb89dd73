// Start-up refuses unsafe production configurations with a clear message.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import pg from 'pg';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/platform/config.js';
import { testRpKeySet } from '../support/digid-keys.js';
import { createTestDatabase, freePort, testDatabaseUrl } from '../support/harness.js';
import { entryArgs } from '../support/entry.js';

const run = promisify(execFile);
const KEY = Buffer.alloc(32, 7).toString('base64');
const PROD = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://koepel@127.0.0.1:1/none',
  KOEPEL_MASTER_KEY: KEY,
  KOEPEL_DIGID_SIMULATOR: 'false',
  KOEPEL_DIGID_ISSUER: 'https://digid-bridge.example/',
  KOEPEL_DIGID_CLIENT_ID: 'koepel',
  KOEPEL_DIGID_KEYS: testRpKeySet().json,
  PUBLIC_URL: 'https://portaal.example',
  KOEPEL_BRP_URL: 'https://brp.example/haalcentraal/api/brp/personen',
  KOEPEL_BRP_API_KEY: 'key',
  SMTP_URL: 'smtp://mail.portaal.example:587', // Issue 14 (e-mail notifications)
  KOEPEL_AUDIT_CHECKPOINT_KEY: generateKeyPairSync('ed25519')
    .privateKey.export({ format: 'der', type: 'pkcs8' })
    .toString('base64'),
  KOEPEL_AUDIT_CHECKPOINT_FILE: join(tmpdir(), `koepel-startup-checkpoints-${process.pid}.jsonl`),
};

function without(env: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));
}

async function start(
  env: Record<string, string>,
  entry = 'src/main.ts',
): Promise<{ code: number; stderr: string; stdout: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('KOEPEL_') && k !== 'DATABASE_URL' && k !== 'NODE_ENV'),
  );
  try {
    const r = await run(process.execPath, entryArgs(entry), {
      env: { ...clean, LOG_LEVEL: 'silent', ...env },
      timeout: 30_000,
    });
    return { code: 0, stderr: r.stderr, stdout: r.stdout };
  } catch (err) {
    const e = err as { code: number; stderr: string; stdout: string };
    return { code: e.code, stderr: e.stderr, stdout: e.stdout };
  }
}

describe('start-up in production mode', () => {
  test('without KOEPEL_MASTER_KEY it exits with a clear message', async () => {
    const r = await start(without(PROD, 'KOEPEL_MASTER_KEY'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refuses to start without KOEPEL_MASTER_KEY/);
  });

  test('with the DigiD simulator on it exits with a clear message', async () => {
    const r = await start({ ...PROD, KOEPEL_DIGID_SIMULATOR: 'true' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refuses to start with the DigiD simulator on/);
  });

  test('the simulator is on by default outside production and off by default in production', () => {
    assert.equal(loadConfig({}).digid.simulator, true);
    assert.equal(loadConfig(without(PROD, 'KOEPEL_DIGID_SIMULATOR')).digid.simulator, false);
  });

  test('without DATABASE_URL (embedded PGlite) it refuses', () => {
    assert.throws(() => loadConfig(without(PROD, 'DATABASE_URL')), /not for production/);
  });

  test('[PR-6] [ZL-4] over plain http it refuses', () => {
    assert.throws(() => loadConfig({ ...PROD, PUBLIC_URL: 'http://portaal.example' }), /https/);
  });

  test('a bad value names the variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
    assert.throws(() => loadConfig({ KOEPEL_SESSION_IDLE_MINUTES: '30' }), /KOEPEL_SESSION_IDLE_MINUTES/);
  });

  test('with the demo seed on it exits with a clear message, before any database is opened', async () => {
    const r = await start({ ...PROD, KOEPEL_DEMO_SEED: 'true' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refuses to start with the demo seed on/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    assert.doesNotMatch(r.stdout + r.stderr, /Koepel-demo-2026!|@delinde\.example/, 'no demo account is named');
  });

  test('the demo entry (npm start) refuses production mode, whatever the demo seed says', async () => {
    for (const env of [PROD, { ...PROD, KOEPEL_DEMO_SEED: 'false' }]) {
      const r = await start(env, 'src/demo/main.ts');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Koepel cannot start/);
      assert.doesNotMatch(r.stdout + r.stderr, /Koepel-demo-2026!|@delinde\.example|simulator lets you pick/);
    }
  });

  test('a short or malformed master key is a clear refusal, not a stack trace', async () => {
    for (const key of [Buffer.alloc(16, 1).toString('base64'), 'not base64 at all!', '1:abc,2:']) {
      const r = await start({ ...PROD, KOEPEL_MASTER_KEY: key });
      assert.equal(r.code, 1, key);
      assert.match(r.stderr, /Koepel cannot start: KOEPEL_MASTER_KEY is not usable/);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      assert.ok(!r.stderr.includes(key), 'the key is not echoed');
    }
  });

  test('without KOEPEL_BRP_URL it exits with a clear message (no fixture BRP in production)', async () => {
    const r = await start(without(PROD, 'KOEPEL_BRP_URL'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Production mode needs KOEPEL_BRP_URL/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  });

  test('without a signed-checkpoint key or file, or with an unusable key, production refuses clearly', async () => {
    assert.throws(() => loadConfig(without(PROD, 'KOEPEL_AUDIT_CHECKPOINT_KEY')), /KOEPEL_AUDIT_CHECKPOINT_KEY/);
    assert.throws(() => loadConfig(without(PROD, 'KOEPEL_AUDIT_CHECKPOINT_FILE')), /KOEPEL_AUDIT_CHECKPOINT_FILE/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'der', type: 'pkcs8' })
      .toString('base64');
    for (const bad of ['not a key', rsa]) {
      assert.throws(
        () => loadConfig({ ...PROD, KOEPEL_AUDIT_CHECKPOINT_KEY: bad }),
        (err: Error) =>
          err.name === 'Error' && /Ed25519 private key is needed/.test(err.message) && !err.message.includes(bad),
      );
    }
    const r = await start(without(PROD, 'KOEPEL_AUDIT_CHECKPOINT_FILE'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /KOEPEL_AUDIT_CHECKPOINT_FILE/);
    assert.doesNotMatch(r.stderr, /\s+at /, 'no stack trace');
  });

  test('a complete production configuration is accepted', () => {
    const c = loadConfig(PROD);
    assert.equal(c.production, true);
    assert.equal(c.demoSeed, false);
    assert.equal(c.session.idleMs, 15 * 60_000);
  });

  test(
    'a production start on PostgreSQL serves, and its banner names no demo account and no simulator',
    {
      skip: testDatabaseUrl ? false : 'needs KOEPEL_TEST_DATABASE_URL',
    },
    async () => {
      const db = await createTestDatabase();
      const port = await freePort();
      const clean = Object.fromEntries(
        Object.entries(process.env).filter(
          ([k]) => !k.startsWith('KOEPEL_') && k !== 'DATABASE_URL' && k !== 'NODE_ENV',
        ),
      );
      const child = spawn(process.execPath, entryArgs('src/main.ts'), {
        env: { ...clean, ...PROD, DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'silent' },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      try {
        const deadline = Date.now() + 60_000;
        while (!out.includes('Koepel is running') && Date.now() < deadline && child.exitCode === null) {
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.match(out, /Koepel is running at https:\/\/portaal\.example/);
        const health = await fetch(`http://127.0.0.1:${port}/health`);
        assert.equal(health.status, 200);
        assert.doesNotMatch(out, /demo|simulator|Koepel-demo-2026!|@[a-z]+\.example/i);
        // Nothing of the demo is in the database either: no portal, no organisation, no staff account.
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        try {
          const counts = await c.query<{ n: number }>(
            'select (select count(*) from portal) + (select count(*) from organisation) + (select count(*) from staff_account) as n',
          );
          assert.equal(Number(counts.rows[0]?.n), 0);
        } finally {
          await c.end();
        }
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        await db.drop();
      }
    },
  );
});

describe('start-up with the DigiD simulator off: configuration errors at start, not a 503 at login', () => {
  const DEV_BRIDGE = {
    NODE_ENV: 'development',
    KOEPEL_DIGID_SIMULATOR: 'false',
    KOEPEL_DIGID_ISSUER: 'https://max.example/',
    KOEPEL_DIGID_CLIENT_ID: 'koepel',
    KOEPEL_DIGID_KEYS: testRpKeySet().json,
  };

  function assertOneLine(r: { code: number; stderr: string }, message: RegExp): void {
    assert.equal(r.code, 1);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }

  test('an http:// issuer outside loopback is refused at start, in development and in production', async () => {
    for (const issuer of ['http://max.example/', 'http://10.0.0.5:8006', 'http://127.0.0.1.nip.io/']) {
      assert.throws(
        () => loadConfig({ ...DEV_BRIDGE, KOEPEL_DIGID_ISSUER: issuer }),
        /KOEPEL_DIGID_ISSUER must be an https:\/\/ URL/,
      );
      assert.throws(
        () => loadConfig({ ...PROD, KOEPEL_DIGID_ISSUER: issuer }),
        /KOEPEL_DIGID_ISSUER must be an https:\/\/ URL/,
      );
    }
    assertOneLine(
      await start({ ...DEV_BRIDGE, KOEPEL_DIGID_ISSUER: 'http://max.example/' }),
      /^Koepel cannot start: KOEPEL_DIGID_ISSUER must be an https:\/\/ URL; plain http:\/\/ is only allowed on loopback/,
    );
    assertOneLine(
      await start({ ...PROD, KOEPEL_DIGID_ISSUER: 'http://max.example/' }),
      /^Koepel cannot start: KOEPEL_DIGID_ISSUER must be an https:\/\/ URL in production mode/,
    );
  });

  test('an http:// loopback issuer is accepted outside production (plain http allowed to it only), refused in production', () => {
    for (const issuer of ['http://localhost:8006', 'http://127.0.0.1:8006/', 'http://[::1]:8006']) {
      const c = loadConfig({ ...DEV_BRIDGE, KOEPEL_DIGID_ISSUER: issuer });
      assert.equal(c.digid.allowHttp, true, issuer);
      assert.equal(c.digid.issuer, issuer);
      assert.throws(() => loadConfig({ ...PROD, KOEPEL_DIGID_ISSUER: issuer }), /https:\/\/ URL in production mode/);
    }
    assert.equal(loadConfig(DEV_BRIDGE).digid.allowHttp, false, 'https: no plain http at all');
    assert.equal(loadConfig(PROD).digid.allowHttp, false);
    assert.throws(() => loadConfig({ ...DEV_BRIDGE, KOEPEL_DIGID_ISSUER: 'ftp://max.example/' }), /https:\/\//);
  });

  test('missing bridge settings with the simulator off are refused at start, naming what is missing', async () => {
    for (const name of ['KOEPEL_DIGID_ISSUER', 'KOEPEL_DIGID_CLIENT_ID']) {
      assert.throws(
        () => loadConfig(without(DEV_BRIDGE, name)),
        (err: Error) =>
          err.message.includes(`${name} is not set`) && err.message.includes('KOEPEL_DIGID_SIMULATOR=false'),
        name,
      );
      assert.throws(() => loadConfig(without(PROD, name)), /Production mode needs KOEPEL_DIGID_ISSUER/);
    }
    assertOneLine(
      await start(without(without(DEV_BRIDGE, 'KOEPEL_DIGID_CLIENT_ID'), 'KOEPEL_DIGID_ISSUER')),
      /^Koepel cannot start: With the DigiD simulator off .*KOEPEL_DIGID_ISSUER, KOEPEL_DIGID_CLIENT_ID are not set\.$/m,
    );
  });

  test("Koepel's own keys: private_key_jwt by default, a missing or unusable key refused at start, never showing a key", async () => {
    const keys = testRpKeySet();
    const set = JSON.parse(keys.json) as { keys: Record<string, unknown>[] };
    const sig = set.keys.find((k) => k.use === 'sig') as Record<string, unknown>;
    const enc = set.keys.find((k) => k.use === 'enc') as Record<string, unknown>;
    const withKeys = (...k: Record<string, unknown>[]) => ({
      ...DEV_BRIDGE,
      KOEPEL_DIGID_KEYS: JSON.stringify({ keys: k }),
    });

    const ok = loadConfig(DEV_BRIDGE).digid;
    assert.equal(ok.clientAuth, 'private_key_jwt', 'the default without a client secret, as MAX');
    assert.equal(ok.clientSecret, '');
    assert.deepEqual(
      ok.keys.map((k) => [k.use, k.alg]),
      [
        ['sig', 'RS256'],
        ['enc', 'RSA-OAEP'],
      ],
    );
    assert.equal(loadConfig({ ...DEV_BRIDGE, KOEPEL_DIGID_CLIENT_AUTH: 'none' }).digid.clientAuth, 'none');
    assert.equal(
      loadConfig({
        ...without(DEV_BRIDGE, 'KOEPEL_DIGID_KEYS'),
        KOEPEL_DIGID_KEYS: JSON.stringify({ keys: [enc] }),
        KOEPEL_DIGID_CLIENT_AUTH: 'none',
      }).digid.keys.length,
      1,
      'none needs no signing key',
    );
    const secret = loadConfig({ ...DEV_BRIDGE, KOEPEL_DIGID_CLIENT_SECRET: 's3cret' }).digid;
    assert.equal(secret.clientAuth, 'client_secret_basic', 'a secret alone means client_secret_basic');

    const refusals: [Record<string, string | undefined>, RegExp][] = [
      [without(DEV_BRIDGE, 'KOEPEL_DIGID_KEYS'), /private_key_jwt needs a signing key .*npm run digid:keys/],
      [withKeys(enc), /private_key_jwt needs a signing key/],
      [withKeys(sig), /needs an encryption key \("use": "enc"\)/],
      [
        { ...DEV_BRIDGE, KOEPEL_DIGID_CLIENT_AUTH: 'client_secret_post' },
        /client_secret_post needs KOEPEL_DIGID_CLIENT_SECRET/,
      ],
      [
        { ...DEV_BRIDGE, KOEPEL_DIGID_CLIENT_SECRET: 'x', KOEPEL_DIGID_CLIENT_AUTH: 'private_key_jwt' },
        /remove the secret/,
      ],
      [{ ...DEV_BRIDGE, KOEPEL_DIGID_KEYS: 'not json' }, /KOEPEL_DIGID_KEYS is not usable: it is not JSON/],
      [withKeys({ ...sig, d: undefined }, enc), /must be a private key/],
      [withKeys({ ...sig, kid: undefined }, enc), /key 1 needs a "kid"/],
      [withKeys(sig, { ...enc, kid: sig.kid }), /is used twice/],
      [withKeys(sig, { ...enc, use: undefined }), /needs "use": "sig" or "enc"/],
      [withKeys({ ...sig, alg: 'HS256' }, enc), /has "alg" "HS256"/],
      [withKeys({ ...sig, n: 'AQAB' }, enc), /not a usable RSA private key|shorter than 2048/],
      [{ ...DEV_BRIDGE, KOEPEL_DIGID_KEYS_FILE: '/nonexistent/keys.json' }, /both|KOEPEL_DIGID_KEYS_FILE/],
      [
        { ...without(DEV_BRIDGE, 'KOEPEL_DIGID_KEYS'), KOEPEL_DIGID_KEYS_FILE: '/nonexistent/keys.json' },
        /KOEPEL_DIGID_KEYS_FILE cannot be read \(ENOENT\)/,
      ],
    ];
    for (const [env, message] of refusals) {
      assert.throws(
        () => loadConfig(env),
        (err: Error) => {
          assert.match(err.message, message);
          assert.ok(!err.message.includes(String(sig.d).slice(0, 16)), 'never a private key in the message');
          return true;
        },
        JSON.stringify(message.source),
      );
    }
    assertOneLine(
      await start(without(DEV_BRIDGE, 'KOEPEL_DIGID_KEYS')),
      /^Koepel cannot start: KOEPEL_DIGID_CLIENT_AUTH=private_key_jwt needs a signing key/,
    );
  });

  test('with the simulator off, the start-up text does not describe the simulator', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'koepel-startup-'));
    const port = await freePort();
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('KOEPEL_') && k !== 'DATABASE_URL' && k !== 'NODE_ENV'),
    );
    const child = spawn(process.execPath, entryArgs('src/main.ts'), {
      env: {
        ...clean,
        ...DEV_BRIDGE,
        KOEPEL_DIGID_ISSUER: 'http://127.0.0.1:9/',
        KOEPEL_DATA_DIR: dataDir,
        KOEPEL_DEMO_SEED: 'false',
        PORT: String(port),
        LOG_LEVEL: 'silent',
      },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const deadline = Date.now() + 90_000;
      while (!out.includes('Koepel is running') && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 200));
      assert.match(out, /Koepel is running at http:\/\/localhost:/);
      assert.match(out, /Citizens log in with DigiD through the bridge at http:\/\/127\.0\.0\.1:9\//);
      assert.doesNotMatch(out, /simulator|test person|testpersoon/i);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
