// The BRP settings are read and checked at start (config.ts brpConfig): mutual TLS files that cannot be read, a
// certificate without its key, a key of another certificate, or plain http in production stop Koepel with a
// ConfigError naming the variable — never a login that fails later. Uses the test-only PEM files of test/fixtures/tls.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { testRpKeySet } from '../../../test/support/digid-keys.js';
import { ConfigError, loadConfig } from '../../platform/config.js';

const tls = (name: string) => fileURLToPath(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url));
const URL_HTTPS = 'https://brp.leverancier.example/haalcentraal/api/brp';
const MTLS = {
  KOEPEL_BRP_URL: URL_HTTPS,
  KOEPEL_BRP_API_KEY: 'sleutel',
  KOEPEL_BRP_CLIENT_CERT_FILE: tls('client.pem'),
  KOEPEL_BRP_CLIENT_KEY_FILE: tls('client-key.pem'),
  KOEPEL_BRP_CA_FILE: tls('ca.pem'),
};

function refused(env: Record<string, string | undefined>, message: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.message, message);
      // Never the key itself in the message.
      assert.doesNotMatch(err.message, /BEGIN|PRIVATE KEY/);
      return true;
    },
  );
}

describe('BRP configuration: URL, API key and mutual TLS', () => {
  test('with a client certificate, its key and an extra CA, the PEM texts are read at start', () => {
    const { brp } = loadConfig(MTLS);
    assert.equal(brp.url, URL_HTTPS);
    assert.equal(brp.apiKey, 'sleutel');
    assert.equal(brp.clientCert?.cert, readFileSync(tls('client.pem'), 'utf8'));
    assert.equal(brp.clientCert?.key, readFileSync(tls('client-key.pem'), 'utf8'));
    assert.equal(brp.ca, readFileSync(tls('ca.pem'), 'utf8'));
  });

  test('without them: no mutual TLS, the usual public roots', () => {
    const { brp } = loadConfig({ KOEPEL_BRP_URL: URL_HTTPS, KOEPEL_BRP_API_KEY: 'sleutel' });
    assert.deepEqual(brp, { url: URL_HTTPS, apiKey: 'sleutel', clientCert: null, ca: null });
    // An extra CA alone (a supplier with its own CA, without mutual TLS) is fine.
    assert.equal(loadConfig({ KOEPEL_BRP_URL: URL_HTTPS, KOEPEL_BRP_CA_FILE: tls('ca.pem') }).brp.clientCert, null);
  });

  test('only one of certificate and key is refused, naming what is missing', () => {
    const certOnly = { ...MTLS, KOEPEL_BRP_CLIENT_KEY_FILE: undefined };
    refused(
      certOnly,
      /needs both KOEPEL_BRP_CLIENT_CERT_FILE and KOEPEL_BRP_CLIENT_KEY_FILE; only KOEPEL_BRP_CLIENT_CERT_FILE/,
    );
    const keyOnly = { ...MTLS, KOEPEL_BRP_CLIENT_CERT_FILE: undefined };
    refused(keyOnly, /only KOEPEL_BRP_CLIENT_KEY_FILE is set/);
  });

  test('a file that cannot be read is refused, naming the variable', () => {
    refused(
      { ...MTLS, KOEPEL_BRP_CLIENT_CERT_FILE: tls('missing.pem') },
      /KOEPEL_BRP_CLIENT_CERT_FILE cannot be read \(ENOENT\)/,
    );
    refused(
      { ...MTLS, KOEPEL_BRP_CLIENT_KEY_FILE: tls('missing-key.pem') },
      /KOEPEL_BRP_CLIENT_KEY_FILE cannot be read/,
    );
    refused({ ...MTLS, KOEPEL_BRP_CA_FILE: tls('') }, /KOEPEL_BRP_CA_FILE cannot be read \(EISDIR\)/);
  });

  test('a file with the wrong content is refused: no certificate, no key, the key of another certificate', () => {
    refused(
      { ...MTLS, KOEPEL_BRP_CLIENT_CERT_FILE: tls('client-key.pem') },
      /KOEPEL_BRP_CLIENT_CERT_FILE is not usable/,
    );
    refused({ ...MTLS, KOEPEL_BRP_CLIENT_KEY_FILE: tls('client.pem') }, /KOEPEL_BRP_CLIENT_KEY_FILE is not usable/);
    refused(
      { ...MTLS, KOEPEL_BRP_CLIENT_KEY_FILE: tls('other-client-key.pem') },
      /KOEPEL_BRP_CLIENT_KEY_FILE is not the private key of the \(first\) certificate/,
    );
    refused({ ...MTLS, KOEPEL_BRP_CA_FILE: tls('README.md') }, /KOEPEL_BRP_CA_FILE is not usable/);
  });

  test('mutual TLS needs an https:// BRP URL; production refuses a plain http:// BRP URL', () => {
    refused({ ...MTLS, KOEPEL_BRP_URL: 'http://127.0.0.1:8080/brp' }, /need an https:\/\/ KOEPEL_BRP_URL/);
    refused({ ...MTLS, KOEPEL_BRP_URL: 'ftp://brp.example/brp' }, /KOEPEL_BRP_URL must be an https:\/\/ URL/);
    // Outside production a plain http BRP (a local mock, the fixture endpoint) is allowed without mutual TLS.
    assert.equal(loadConfig({ KOEPEL_BRP_URL: 'http://127.0.0.1:8080/brp' }).brp.url, 'http://127.0.0.1:8080/brp');
    const production = {
      NODE_ENV: 'production',
      KOEPEL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      KOEPEL_DIGID_SIMULATOR: 'false',
      KOEPEL_DIGID_ISSUER: 'https://max.example',
      KOEPEL_DIGID_CLIENT_ID: 'koepel',
      KOEPEL_DIGID_KEYS: testRpKeySet().json,
      DATABASE_URL: 'postgres://koepel@db.example/koepel',
      PUBLIC_URL: 'https://portaal.example',
      KOEPEL_AUDIT_CHECKPOINT_KEY: generateKeyPairSync('ed25519')
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString(),
      KOEPEL_AUDIT_CHECKPOINT_FILE: '/var/lib/koepel/checkpoints.jsonl',
      SMTP_URL: 'smtp://mail.portaal.example:587', // Issue 14 (e-mail notifications)
    };
    refused(
      { ...production, KOEPEL_BRP_URL: 'http://brp.leverancier.example/brp' },
      /KOEPEL_BRP_URL must be an https:\/\/ URL in production/,
    );
    refused(production, /Production mode needs KOEPEL_BRP_URL/);
    assert.equal(loadConfig({ ...production, ...MTLS }).brp.clientCert?.cert.includes('BEGIN CERTIFICATE'), true);
  });
});
