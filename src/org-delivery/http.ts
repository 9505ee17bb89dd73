// Outbound HTTP to an organisation's endpoint (issue 14, MG-5): the one request Koepel makes to a URL an admin typed.
// Guarded against server-side request forgery:
// - only the registered URL, https only (plain http only when private addresses are allowed: outside production);
// - no userinfo in the URL; no redirects followed (a 3xx is a failure);
// - in production no loopback, link-local, private, unique-local, CGNAT, multicast or reserved address, checked at
//   registration (an IP literal) and again at delivery AFTER the DNS lookup: every address the name resolves to is
//   checked, and the connection goes to the checked address (a custom `lookup` on the request), so a name that
//   resolves to a public address at the check and to 127.0.0.1 a moment later (DNS rebinding) cannot slip through;
// - a timeout over the whole exchange, and at most `maxResponseBytes` of the answer read (the rest is dropped).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

export interface DeliveryHttpOptions {
  /** Loopback/private addresses and plain http allowed (outside production; tests). */
  allowPrivate: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped or -compatible IPv6 address (::ffff:7f00:1, ::ffff:127.0.0.1), if any. */
function embeddedV4(ip: string): string | null {
  const m = /^(?:0{0,4}:){0,5}(?::|ffff:)(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m?.[1]) return m[1];
  const h = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (h?.[1] && h[2]) {
    const a = parseInt(h[1], 16);
    const b = parseInt(h[2], 16);
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  return null;
}

/** Is this IP address one a production Koepel never connects to? (Not an IP at all: yes.) */
export function isForbiddenAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family === 6) {
    const v4 = embeddedV4(ip);
    if (v4) return blocked.check(v4, 'ipv4');
    return blocked.check(ip, 'ipv6');
  }
  return true;
}

/** Why a URL may not be registered, as a short code (null: it may). Names are checked again after DNS at delivery. */
export function urlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url-invalid';
  }
  if (raw.length > 2000) return 'url-invalid';
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return 'url-not-https';
  if (url.username || url.password) return 'url-userinfo';
  if (url.hash) return 'url-fragment';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return 'url-invalid';
  if (!allowPrivate) {
    if (isIP(host) !== 0) return isForbiddenAddress(host) ? 'url-private' : null;
    const lower = host.toLowerCase().replace(/\.$/, '');
    if (lower === 'localhost' || lower.endsWith('.localhost') || !lower.includes('.')) return 'url-private';
    if (/\.(local|internal|intranet|lan|home\.arpa)$/.test(lower)) return 'url-private';
  }
  return null;
}

/** A delivery attempt that did not reach a 2xx: `code` is what the log shows (never the answer's content). */
export class DeliveryError extends Error {
  constructor(
    readonly code: string,
    readonly status: number | null = null,
  ) {
    super(code);
    this.name = 'DeliveryError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses a name when ANY of its addresses is forbidden, and connects only to a checked one. */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses) => {
      if (err) return callback(err, []);
      if (addresses.length === 0) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), []);
      if (!allowPrivate && addresses.some((a) => isForbiddenAddress(a.address))) {
        return callback(Object.assign(new Error('forbidden address'), { code: 'EPRIVATE' }), []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (first) callback(null, first.address, first.family);
    });
  };
}

/** POSTs `body` to `url` with `headers`; resolves with the 2xx status, throws DeliveryError otherwise. */
export function postOnce(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: DeliveryHttpOptions,
  signal?: AbortSignal,
  /** Issue 14 (FHIR Subscription): a notification Bundle is application/fhir+json. */
  contentType = 'application/json',
): Promise<number> {
  const problem = urlProblem(url, options.allowPrivate);
  if (problem) return Promise.reject(new DeliveryError(problem));
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const finish = (err: DeliveryError | null, status = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      if (err) reject(err);
      else resolve(status);
    };
    const req = client.request(
      target,
      {
        method: 'POST',
        agent: false,
        lookup: guardedLookup(options.allowPrivate) as unknown as typeof dnsLookup,
        headers: {
          ...headers,
          'content-type': contentType,
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Koepel-Webhooks/1',
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          // The answer is not used; read no more than the limit of it, then hang up.
          if (read >= options.maxResponseBytes) done();
        });
        const done = () => {
          if (status >= 200 && status < 300) finish(null, status);
          else if (status >= 300 && status < 400) finish(new DeliveryError('redirect', status));
          else finish(new DeliveryError(`http-${status}`, status));
        };
        res.on('end', done);
        res.on('error', () => done());
      },
    );
    const timer = setTimeout(() => finish(new DeliveryError('timeout')), options.timeoutMs);
    const onAbort = () => finish(new DeliveryError('aborted'));
    signal?.addEventListener('abort', onAbort);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code === 'EPRIVATE' ? 'address-private' : (err.code ?? 'network').toLowerCase().slice(0, 40);
      finish(new DeliveryError(code));
    });
    req.end(body);
  });
}
