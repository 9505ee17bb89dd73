// Configuration is read once, from the environment, through one validated schema.
// Production fails fast: no fallback secrets, no simulator, no embedded database key generation.
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MasterKeyring } from './crypto/envelope.js';
import {
  encryptionKeys,
  generateRpKeySet,
  parseRpKeys,
  RpKeyError,
  signingKey,
  type RpKey,
} from './crypto/private-jwks.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'])
  .transform((v) => ['true', '1', 'on', 'yes'].includes(v));

/** How Koepel authenticates at the DigiD bridge's token endpoint. */
export const DIGID_CLIENT_AUTH_METHODS = [
  'private_key_jwt',
  'none',
  'client_secret_basic',
  'client_secret_post',
] as const;
export type DigidClientAuth = (typeof DIGID_CLIENT_AUTH_METHODS)[number];

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  KOEPEL_FHIR_CANONICAL_BASE: z.url().optional(),
  DATABASE_URL: z.string().startsWith('postgres').optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_START_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  DATABASE_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  DATABASE_STATEMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  KOEPEL_DATA_DIR: z.string().default('./data'),
  KOEPEL_MASTER_KEY: z.string().optional(),
  KOEPEL_DEMO_SEED: bool.optional(),
  KOEPEL_DIGID_SIMULATOR: bool.optional(),
  KOEPEL_DIGID_ISSUER: z.url().optional(),
  KOEPEL_DIGID_CLIENT_ID: z.string().optional(),
  KOEPEL_DIGID_CLIENT_SECRET: z.string().optional(),
  KOEPEL_DIGID_CLIENT_AUTH: z.enum(DIGID_CLIENT_AUTH_METHODS).optional(),
  KOEPEL_DIGID_KEYS: z.string().optional(),
  KOEPEL_DIGID_KEYS_FILE: z.string().min(1).optional(),
  KOEPEL_BRP_URL: z.url().optional(),
  KOEPEL_BRP_API_KEY: z.string().optional(),
  KOEPEL_BRP_CLIENT_CERT_FILE: z.string().min(1).optional(),
  KOEPEL_BRP_CLIENT_KEY_FILE: z.string().min(1).optional(),
  KOEPEL_BRP_CA_FILE: z.string().min(1).optional(),
  KOEPEL_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(15).default(15),
  KOEPEL_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24).default(8),
  KOEPEL_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  KOEPEL_TRUST_PROXY: bool.default(false),
  KOEPEL_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  KOEPEL_AUDIT_CHECKPOINT_KEY: z.string().optional(),
  KOEPEL_AUDIT_CHECKPOINT_PUBLIC_KEY: z.string().optional(),
  KOEPEL_AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  KOEPEL_AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  KOEPEL_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(25),
  // Background jobs (issue 14, src/platform/jobs): jobs this process runs at once (0: this process runs none, e.g. a
  // node that only serves), how long a claimed job is the worker's, and how often it looks for scheduled jobs.
  KOEPEL_JOB_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(4),
  KOEPEL_JOB_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  KOEPEL_JOB_POLL_SECONDS: z.coerce.number().min(0.05).max(600).default(5),
  // Issue 14 (delivery to organisation systems, src/org-delivery): may deliveries reach loopback/private addresses and
  // plain http (default: no in production, yes otherwise); timeout, response cut-off, attempts, first back-off.
  KOEPEL_DELIVERY_ALLOW_PRIVATE: bool.optional(),
  KOEPEL_DELIVERY_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(60).default(10),
  KOEPEL_DELIVERY_MAX_RESPONSE_BYTES: z.coerce.number().int().min(0).max(10_485_760).default(65_536),
  KOEPEL_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  KOEPEL_DELIVERY_RETRY_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  // Video consult (issue 12): TURN servers for networks where peer-to-peer fails; none means no TURN.
  KOEPEL_TURN_URLS: z.string().optional(),
  KOEPEL_TURN_SECRET: z.string().optional(),
  KOEPEL_TURN_RELAY_ONLY: bool.default(false),
  // Issue 14 (e-mail notifications): the SMTP server (smtp://host:port or smtps://user:pass@host:port) and the sender.
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).max(200).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  production: boolean;
  port: number;
  host: string;
  publicUrl: string;
  /** The canonical base of Koepel's own FHIR definitions (the source-organization extension): docs/interop.md. */
  fhirCanonicalBase: string;
  database:
    | { kind: 'pglite'; dataDir: string | null }
    | {
        kind: 'postgres';
        url: string;
        poolSize: number;
        /** Defaults: src/platform/db/database.ts, DATABASE_TIMEOUT_DEFAULTS. */
        startTimeoutMs?: number;
        connectTimeoutMs?: number;
        statementTimeoutMs?: number;
      };
  dataDir: string;
  masterKey: string | undefined;
  demoSeed: boolean;
  digid: {
    simulator: boolean;
    issuer: string;
    /**
     * Whether the relying party may speak plain http to the issuer: the built-in simulator (in-process), or an
     * http:// issuer on this machine's loopback (localhost, 127.0.0.1, ::1) outside production — a bridge or mock
     * run next to Koepel for development. Any other http:// issuer is refused at start.
     */
    allowHttp: boolean;
    clientId: string;
    /** Empty unless clientAuth is client_secret_basic or client_secret_post. */
    clientSecret: string;
    /**
     * Token endpoint client authentication. private_key_jwt (MAX) signs with the first "sig" key of `keys`; none sends
     * only client_id (with PKCE, as every login does).
     */
    clientAuth: DigidClientAuth;
    /**
     * Koepel's own key pairs towards the bridge (platform/crypto/private-jwks.ts): "sig" for private_key_jwt, "enc"
     * for userinfo encrypted to Koepel (JWE). With the simulator and none configured: made at start, for this
     * process only.
     */
    keys: RpKey[];
  };
  brp: BrpConfig;
  session: { idleMs: number; absoluteMs: number };
  bodyLimit: number;
  trustProxy: boolean;
  loginMaxFailures: number;
  logLevel: string;
  /** On SIGTERM/SIGINT: how long requests in flight may take to finish before the process closes anyway. */
  shutdownGraceMs: number;
  /**
   * Issue 14 (e-mail notifications, src/notifications): the SMTP server's URL (null: none) and the sender. Without an
   * SMTP server (never in production) mail goes to the dev outbox page (/dev/outbox).
   */
  mail: { smtpUrl: string | null; from: string; devOutbox: boolean };
  /** The job worker of this process (src/platform/jobs/worker.ts); concurrency 0 runs no worker. */
  jobs: { concurrency: number; leaseMs: number; pollMs: number };
  // Issue 14 (delivery to organisation systems): src/org-delivery/http.ts.
  delivery: {
    allowPrivate: boolean;
    timeoutMs: number;
    maxResponseBytes: number;
    maxAttempts: number;
    retryMs: number;
  };
  /**
   * TURN for the video consult (src/video-consult): the servers' URLs and the static-auth-secret they share with
   * Koepel (coturn use-auth-secret, the TURN REST API scheme); null when none is configured. relayOnly: media
   * always goes through TURN (iceTransportPolicy 'relay'), so neither side learns the other's IP address.
   */
  turn: { urls: string[]; secret: string; relayOnly: boolean } | null;
  /** Signed checkpoints of the audit chain heads (src/platform/audit/checkpoint.ts). */
  auditCheckpoint: {
    /** Ed25519 private key; null outside production without one (the server then makes an ephemeral one). */
    privateKey: KeyObject | null;
    /** The key checkpoints are verified with: from the private key, or KOEPEL_AUDIT_CHECKPOINT_PUBLIC_KEY alone. */
    publicKey: KeyObject | null;
    /** The append-only JSON-lines file outside the database; null outside production without one. */
    file: string | null;
    intervalMs: number;
  };
}

/** An Ed25519 key in PEM, or base64 DER (PKCS#8 for a private key, SPKI for a public one). */
function ed25519Key(value: string, kind: 'private' | 'public', name: string): KeyObject {
  try {
    const pem = value.includes('-----BEGIN');
    const key =
      kind === 'private'
        ? createPrivateKey(pem ? value : { key: Buffer.from(value, 'base64'), format: 'der', type: 'pkcs8' })
        : createPublicKey(pem ? value : { key: Buffer.from(value, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType ?? 'unknown'} key`);
    return key;
  } catch (err) {
    // The message names the problem, never the value.
    throw new ConfigError(
      `${name} is not usable: an Ed25519 ${kind} key is needed (PEM, or base64 ${kind === 'private' ? 'PKCS#8' : 'SPKI'} DER); ${(err as Error).message.split('\n')[0] ?? ''}.`,
    );
  }
}

export class ConfigError extends Error {}

/** How Koepel reaches the BRP (Haal Centraal BRP Personen bevragen); docs/operations.md, "The BRP". */
export interface BrpConfig {
  /** The API's base URL (Koepel posts to {url}/personen); null: the embedded fixture BRP (never in production). */
  url: string | null;
  apiKey: string | undefined;
  /**
   * Mutual TLS, for suppliers that require it besides the API key: Koepel's client certificate (PEM, may carry the
   * intermediate certificates after it) and its private key (PEM, unencrypted). Null when not configured.
   */
  clientCert: { cert: string; key: string } | null;
  /** Extra CA certificate(s) (PEM) to trust for the BRP's server certificate, besides the usual public roots. */
  ca: string | null;
}

/** A PEM file named by a BRP variable, read at start; an unreadable file is a ConfigError naming the variable. */
function readPemFile(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${name} cannot be read (${code ?? 'error'}): ${path}.`);
  }
}

/** Parses the certificate(s) of a PEM file: every certificate must parse; at least one is needed. */
function pemCertificates(name: string, pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  try {
    if (blocks.length === 0) throw new Error('no PEM certificate in it');
    return blocks.map((b) => new X509Certificate(b));
  } catch (err) {
    throw new ConfigError(`${name} is not usable: ${(err as Error).message.split('\n')[0] ?? ''}.`);
  }
}

/**
 * The BRP settings: URL, API key and, when the supplier requires it, mutual TLS. Read and checked at start, so that a
 * missing file, a certificate without its key or a key that does not belong to the certificate is a clear refusal to
 * start (ConfigError naming the variable, never a key) rather than a failing login.
 */
function brpConfig(
  e: {
    KOEPEL_BRP_URL?: string;
    KOEPEL_BRP_API_KEY?: string;
    KOEPEL_BRP_CLIENT_CERT_FILE?: string;
    KOEPEL_BRP_CLIENT_KEY_FILE?: string;
    KOEPEL_BRP_CA_FILE?: string;
  },
  production: boolean,
): BrpConfig {
  const url = e.KOEPEL_BRP_URL ? new URL(e.KOEPEL_BRP_URL) : null;
  if (production) {
    if (!url) {
      throw new ConfigError(
        'Production mode needs KOEPEL_BRP_URL (and KOEPEL_BRP_API_KEY): identity data comes from the BRP, not the fixture.',
      );
    }
    if (url.protocol !== 'https:') throw new ConfigError('KOEPEL_BRP_URL must be an https:// URL in production mode.');
  }
  if (url && url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('KOEPEL_BRP_URL must be an https:// URL.');
  }
  const certFile = e.KOEPEL_BRP_CLIENT_CERT_FILE;
  const keyFile = e.KOEPEL_BRP_CLIENT_KEY_FILE;
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError(
      `Mutual TLS with the BRP needs both KOEPEL_BRP_CLIENT_CERT_FILE and KOEPEL_BRP_CLIENT_KEY_FILE; only ${certFile ? 'KOEPEL_BRP_CLIENT_CERT_FILE' : 'KOEPEL_BRP_CLIENT_KEY_FILE'} is set.`,
    );
  }
  if ((certFile || e.KOEPEL_BRP_CA_FILE) && url?.protocol !== 'https:') {
    throw new ConfigError(
      'KOEPEL_BRP_CLIENT_CERT_FILE, KOEPEL_BRP_CLIENT_KEY_FILE and KOEPEL_BRP_CA_FILE need an https:// KOEPEL_BRP_URL.',
    );
  }
  let clientCert: BrpConfig['clientCert'] = null;
  if (certFile && keyFile) {
    const cert = readPemFile('KOEPEL_BRP_CLIENT_CERT_FILE', certFile);
    const key = readPemFile('KOEPEL_BRP_CLIENT_KEY_FILE', keyFile);
    const [leaf] = pemCertificates('KOEPEL_BRP_CLIENT_CERT_FILE', cert);
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(key);
    } catch (err) {
      throw new ConfigError(
        `KOEPEL_BRP_CLIENT_KEY_FILE is not usable: a PEM private key without a passphrase is needed; ${(err as Error).message.split('\n')[0] ?? ''}.`,
      );
    }
    if (!leaf?.checkPrivateKey(privateKey)) {
      throw new ConfigError(
        'KOEPEL_BRP_CLIENT_KEY_FILE is not the private key of the (first) certificate in KOEPEL_BRP_CLIENT_CERT_FILE.',
      );
    }
    clientCert = { cert, key };
  }
  let ca: string | null = null;
  if (e.KOEPEL_BRP_CA_FILE) {
    ca = readPemFile('KOEPEL_BRP_CA_FILE', e.KOEPEL_BRP_CA_FILE);
    pemCertificates('KOEPEL_BRP_CA_FILE', ca);
  }
  return { url: e.KOEPEL_BRP_URL ?? null, apiKey: e.KOEPEL_BRP_API_KEY, clientCert, ca };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL's host is this machine's loopback interface (by name or address). */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname.toLowerCase());
}

/** Koepel's DigiD key pairs from KOEPEL_DIGID_KEYS or KOEPEL_DIGID_KEYS_FILE, checked; [] when neither is set. */
function configuredDigidKeys(e: { KOEPEL_DIGID_KEYS?: string; KOEPEL_DIGID_KEYS_FILE?: string }): RpKey[] {
  if (e.KOEPEL_DIGID_KEYS && e.KOEPEL_DIGID_KEYS_FILE) {
    throw new ConfigError('Set KOEPEL_DIGID_KEYS or KOEPEL_DIGID_KEYS_FILE, not both.');
  }
  const name = e.KOEPEL_DIGID_KEYS_FILE ? 'KOEPEL_DIGID_KEYS_FILE' : 'KOEPEL_DIGID_KEYS';
  let json = e.KOEPEL_DIGID_KEYS;
  if (e.KOEPEL_DIGID_KEYS_FILE) {
    try {
      json = readFileSync(e.KOEPEL_DIGID_KEYS_FILE, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `KOEPEL_DIGID_KEYS_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
  }
  if (json === undefined) return [];
  try {
    return parseRpKeys(json);
  } catch (err) {
    // The message names the key and the problem, never a key's value.
    if (err instanceof RpKeyError) throw new ConfigError(`${name} is not usable: ${err.message}.`);
    throw err;
  }
}

let simulatorKeys: RpKey[] | null = null;
/** Keys for talking to the built-in simulator when none are configured: made once per process, never stored. */
function ephemeralDigidKeys(): RpKey[] {
  simulatorKeys ??= parseRpKeys(JSON.stringify(generateRpKeySet({ modulusLength: 2048 })));
  return simulatorKeys;
}

/** The simulator's client keys: the configured set (which must hold both kinds), else ephemeral ones. */
function simulatorDigidKeys(e: { KOEPEL_DIGID_KEYS?: string; KOEPEL_DIGID_KEYS_FILE?: string }): RpKey[] {
  const keys = configuredDigidKeys(e);
  if (keys.length === 0) return ephemeralDigidKeys();
  if (!signingKey(keys) || encryptionKeys(keys).length === 0) {
    throw new ConfigError(
      'The DigiD keys (KOEPEL_DIGID_KEYS or KOEPEL_DIGID_KEYS_FILE) need a signing key ("use": "sig") and an encryption key ("use": "enc").',
    );
  }
  return keys;
}

const KEYS_HINT = 'make a key set with `npm run digid:keys` (docs/operations.md, "DigiD through MAX")';

/**
 * The DigiD bridge settings when the simulator is off: an issuer Koepel can reach the way it is configured, the
 * client authentication and what it needs, and Koepel's own keys. Refused at start (ConfigError, one line, naming the
 * variable, never a value) rather than at the first login with a 503.
 */
function externalDigid(
  e: {
    KOEPEL_DIGID_ISSUER?: string;
    KOEPEL_DIGID_CLIENT_ID?: string;
    KOEPEL_DIGID_CLIENT_SECRET?: string;
    KOEPEL_DIGID_CLIENT_AUTH?: DigidClientAuth;
    KOEPEL_DIGID_KEYS?: string;
    KOEPEL_DIGID_KEYS_FILE?: string;
  },
  production: boolean,
): Omit<Config['digid'], 'simulator'> {
  const missing = (['KOEPEL_DIGID_ISSUER', 'KOEPEL_DIGID_CLIENT_ID'] as const).filter((name) => !e[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      production
        ? "Production mode needs KOEPEL_DIGID_ISSUER and KOEPEL_DIGID_CLIENT_ID (the DigiD bridge), and Koepel's keys (KOEPEL_DIGID_KEYS_FILE)."
        : `With the DigiD simulator off (KOEPEL_DIGID_SIMULATOR=false), Koepel needs a DigiD bridge: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set.`,
    );
  }
  const issuer = new URL(e.KOEPEL_DIGID_ISSUER ?? '');
  let allowHttp = false;
  if (issuer.protocol === 'http:') {
    if (production || !isLoopbackUrl(issuer)) {
      throw new ConfigError(
        production
          ? 'KOEPEL_DIGID_ISSUER must be an https:// URL in production mode.'
          : 'KOEPEL_DIGID_ISSUER must be an https:// URL; plain http:// is only allowed on loopback (localhost, 127.0.0.1, [::1]) outside production.',
      );
    }
    allowHttp = true;
  } else if (issuer.protocol !== 'https:') {
    throw new ConfigError('KOEPEL_DIGID_ISSUER must be an https:// URL.');
  }
  if (issuer.search || issuer.hash || issuer.username || issuer.password) {
    throw new ConfigError('KOEPEL_DIGID_ISSUER must be a plain issuer URL: no query, fragment or credentials.');
  }

  const clientAuth: DigidClientAuth =
    e.KOEPEL_DIGID_CLIENT_AUTH ?? (e.KOEPEL_DIGID_CLIENT_SECRET ? 'client_secret_basic' : 'private_key_jwt');
  const usesSecret = clientAuth === 'client_secret_basic' || clientAuth === 'client_secret_post';
  if (usesSecret && !e.KOEPEL_DIGID_CLIENT_SECRET) {
    throw new ConfigError(`KOEPEL_DIGID_CLIENT_AUTH=${clientAuth} needs KOEPEL_DIGID_CLIENT_SECRET.`);
  }
  if (!usesSecret && e.KOEPEL_DIGID_CLIENT_SECRET) {
    throw new ConfigError(
      `KOEPEL_DIGID_CLIENT_SECRET is set but KOEPEL_DIGID_CLIENT_AUTH is ${clientAuth}: remove the secret, or choose client_secret_basic or client_secret_post.`,
    );
  }
  const keys = configuredDigidKeys(e);
  if (clientAuth === 'private_key_jwt' && !signingKey(keys)) {
    throw new ConfigError(
      `KOEPEL_DIGID_CLIENT_AUTH=private_key_jwt needs a signing key ("use": "sig") in KOEPEL_DIGID_KEYS_FILE or KOEPEL_DIGID_KEYS: ${KEYS_HINT}.`,
    );
  }
  if (encryptionKeys(keys).length === 0) {
    throw new ConfigError(
      `Koepel needs an encryption key ("use": "enc") in KOEPEL_DIGID_KEYS_FILE or KOEPEL_DIGID_KEYS: DigiD bridges such as MAX encrypt userinfo to it. ${KEYS_HINT.charAt(0).toUpperCase()}${KEYS_HINT.slice(1)}.`,
    );
  }
  return {
    issuer: e.KOEPEL_DIGID_ISSUER ?? '',
    clientId: e.KOEPEL_DIGID_CLIENT_ID ?? '',
    clientSecret: usesSecret ? (e.KOEPEL_DIGID_CLIENT_SECRET ?? '') : '',
    clientAuth,
    keys,
    allowHttp,
  };
}

/**
 * The driver (pg) connects to one host. A multi-host URL (host1,host2/db?target_session_attrs=read-write, libpq's way
 * to find the primary) is refused with a clear message rather than failing later with a raw TypeError: put a proxy or
 * VIP that always points at the primary in front (docs/operations.md, "PostgreSQL: high availability").
 */
function singleHostDatabaseUrl(url: string): string {
  const hint = 'point DATABASE_URL at one address that always reaches the primary (a proxy or VIP: docs/operations.md)';
  const authority = /^[a-z]+:\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(url)?.[1] ?? '';
  const params = new URLSearchParams(/\?([^#]*)/.exec(url)?.[1] ?? '');
  if (authority.includes(',') || (params.get('host') ?? '').includes(',')) {
    throw new ConfigError(`DATABASE_URL names several hosts, which Koepel's driver does not support: ${hint}.`);
  }
  const attrs = params.get('target_session_attrs');
  if (attrs !== null && attrs !== 'any') {
    throw new ConfigError(`DATABASE_URL: target_session_attrs is not supported by Koepel's driver: ${hint}.`);
  }
  return url;
}

/** Reads and validates configuration. Throws ConfigError with a message meant for the operator. */
const TURN_URL = /^turns?:[A-Za-z0-9.\-[\]:]+(\?transport=(udp|tcp))?$/;

/** KOEPEL_TURN_URLS (comma-separated turn:/turns: URLs) and KOEPEL_TURN_SECRET: both or neither. */
function turnConfig(e: z.infer<typeof envSchema>): Config['turn'] {
  const urls = (e.KOEPEL_TURN_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  const secret = e.KOEPEL_TURN_SECRET ?? '';
  if (urls.length === 0 && secret === '') {
    if (e.KOEPEL_TURN_RELAY_ONLY)
      throw new ConfigError('KOEPEL_TURN_RELAY_ONLY needs KOEPEL_TURN_URLS and KOEPEL_TURN_SECRET.');
    return null;
  }
  if (urls.length === 0 || secret === '') {
    throw new ConfigError('KOEPEL_TURN_URLS and KOEPEL_TURN_SECRET go together: set both, or neither for no TURN.');
  }
  const bad = urls.find((u) => !TURN_URL.test(u));
  if (bad !== undefined) {
    throw new ConfigError(
      'KOEPEL_TURN_URLS: each URL is turn:host[:port] or turns:host[:port], optionally ?transport=udp|tcp.',
    );
  }
  if (secret.length < 16) throw new ConfigError('KOEPEL_TURN_SECRET must be at least 16 characters.');
  return { urls, secret, relayOnly: e.KOEPEL_TURN_RELAY_ONLY };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (e.KOEPEL_MASTER_KEY !== undefined) {
    // The same check the keyring makes at use, here, so that a short or malformed key is a clear refusal at start.
    try {
      new MasterKeyring(e.KOEPEL_MASTER_KEY);
    } catch (err) {
      throw new ConfigError(`KOEPEL_MASTER_KEY is not usable: ${(err as Error).message}.`);
    }
  }
  const checkpointKey = e.KOEPEL_AUDIT_CHECKPOINT_KEY
    ? ed25519Key(e.KOEPEL_AUDIT_CHECKPOINT_KEY, 'private', 'KOEPEL_AUDIT_CHECKPOINT_KEY')
    : null;
  const checkpointPublicKey = checkpointKey
    ? createPublicKey(checkpointKey)
    : e.KOEPEL_AUDIT_CHECKPOINT_PUBLIC_KEY
      ? ed25519Key(e.KOEPEL_AUDIT_CHECKPOINT_PUBLIC_KEY, 'public', 'KOEPEL_AUDIT_CHECKPOINT_PUBLIC_KEY')
      : null;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const simulator = e.KOEPEL_DIGID_SIMULATOR ?? !production;

  if (production) {
    if (!e.KOEPEL_MASTER_KEY) {
      throw new ConfigError('Production mode refuses to start without KOEPEL_MASTER_KEY (32 random bytes, base64).');
    }
    if (simulator) {
      throw new ConfigError(
        'Production mode refuses to start with the DigiD simulator on. Set KOEPEL_DIGID_SIMULATOR=false and configure KOEPEL_DIGID_ISSUER.',
      );
    }
    if (!e.DATABASE_URL) {
      throw new ConfigError('Production mode needs DATABASE_URL: the embedded PGlite database is not for production.');
    }
    if (!publicUrl.startsWith('https://')) {
      throw new ConfigError('Production mode needs an https:// PUBLIC_URL.');
    }
    if (e.KOEPEL_FHIR_CANONICAL_BASE && !e.KOEPEL_FHIR_CANONICAL_BASE.startsWith('https://')) {
      throw new ConfigError('Production mode needs an https:// KOEPEL_FHIR_CANONICAL_BASE.');
    }
    if (e.KOEPEL_DEMO_SEED) {
      // The demo's staff accounts have a published password: loaded into production they would be open doors.
      throw new ConfigError(
        'Production mode refuses to start with the demo seed on (KOEPEL_DEMO_SEED): its accounts have a published password.',
      );
    }
    if (!checkpointKey || !e.KOEPEL_AUDIT_CHECKPOINT_FILE) {
      // Without them a database superuser could rewrite the audit log unseen (docs/ARCHITECTURE.md, audit log).
      throw new ConfigError(
        'Production mode needs KOEPEL_AUDIT_CHECKPOINT_KEY (an Ed25519 private key the database never holds) and KOEPEL_AUDIT_CHECKPOINT_FILE (an append-only file outside the database) for signed audit checkpoints.',
      );
    }
  }

  const digid = simulator ? null : externalDigid(e, production);

  return {
    production,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    // By default the portal's own FHIR base, where Koepel serves its definitions (so the canonical resolves).
    fhirCanonicalBase: (e.KOEPEL_FHIR_CANONICAL_BASE ?? `${publicUrl}/fhir`).replace(/\/$/, ''),
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: singleHostDatabaseUrl(e.DATABASE_URL),
          poolSize: e.DATABASE_POOL_SIZE,
          startTimeoutMs: e.DATABASE_START_TIMEOUT_SECONDS * 1000,
          connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
          statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000,
        }
      : { kind: 'pglite', dataDir: e.KOEPEL_DATA_DIR },
    dataDir: e.KOEPEL_DATA_DIR,
    masterKey: e.KOEPEL_MASTER_KEY,
    demoSeed: !production && (e.KOEPEL_DEMO_SEED ?? true),
    digid: digid
      ? { simulator, ...digid }
      : {
          simulator,
          issuer: `${publicUrl}/digid-simulator`,
          clientId: 'koepel',
          // As with MAX: private_key_jwt, and userinfo encrypted to Koepel's key (the simulator reads the public
          // halves from Koepel's JWKS).
          clientSecret: '',
          clientAuth: 'private_key_jwt',
          keys: simulatorDigidKeys(e),
          allowHttp: true,
        },
    brp: brpConfig(e, production),
    session: {
      idleMs: e.KOEPEL_SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: e.KOEPEL_SESSION_ABSOLUTE_HOURS * 3_600_000,
    },
    bodyLimit: e.KOEPEL_BODY_LIMIT_BYTES,
    trustProxy: e.KOEPEL_TRUST_PROXY,
    loginMaxFailures: e.KOEPEL_LOGIN_MAX_FAILURES,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.KOEPEL_SHUTDOWN_GRACE_SECONDS * 1000,
    // Issue 14 (e-mail notifications)
    mail: mailConfig(e, production, publicUrl),
    jobs: {
      concurrency: e.KOEPEL_JOB_CONCURRENCY,
      leaseMs: e.KOEPEL_JOB_LEASE_SECONDS * 1000,
      pollMs: e.KOEPEL_JOB_POLL_SECONDS * 1000,
    },
    // Issue 14 (delivery to organisation systems)
    delivery: {
      allowPrivate: e.KOEPEL_DELIVERY_ALLOW_PRIVATE ?? !production,
      timeoutMs: e.KOEPEL_DELIVERY_TIMEOUT_SECONDS * 1000,
      maxResponseBytes: e.KOEPEL_DELIVERY_MAX_RESPONSE_BYTES,
      maxAttempts: e.KOEPEL_DELIVERY_MAX_ATTEMPTS,
      retryMs: e.KOEPEL_DELIVERY_RETRY_SECONDS * 1000,
    },
    turn: turnConfig(e),
    auditCheckpoint: {
      privateKey: checkpointKey,
      publicKey: checkpointPublicKey,
      file: e.KOEPEL_AUDIT_CHECKPOINT_FILE ?? null,
      intervalMs: e.KOEPEL_AUDIT_CHECKPOINT_INTERVAL_SECONDS * 1000,
    },
  };
}

// Issue 14 (e-mail notifications): production needs a real SMTP server; elsewhere, without one, the dev outbox.
function mailConfig(e: z.infer<typeof envSchema>, production: boolean, publicUrl: string): Config['mail'] {
  if (production && !e.SMTP_URL) {
    throw new ConfigError('Production mode needs SMTP_URL (smtp://host:port) for the e-mail notifications.');
  }
  return {
    smtpUrl: e.SMTP_URL ?? null,
    from: e.MAIL_FROM ?? `Koepel <noreply@${new URL(publicUrl).hostname}>`,
    devOutbox: !production && !e.SMTP_URL,
  };
}
