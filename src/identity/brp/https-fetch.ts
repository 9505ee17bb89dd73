// A `fetch` for the BRP over HTTPS with Koepel's own TLS settings: a client certificate (mutual TLS, which some BRP
// suppliers require besides the API key) and an extra CA for the supplier's server certificate.
//
// Why node:https and not undici: Node's global fetch takes no client certificate. undici's Agent can (as the
// dispatcher of undici's own fetch), but undici is not a dependency of Koepel, and the current undici (8.x) needs
// Node >= 22.19 while Koepel supports Node 20.19 — so it would mean pinning the older 7.x line, and an npm undici next
// to the one inside Node must be kept in step with it. node:https has taken `cert`, `key` and `ca` for as long as
// Node has existed, adds no dependency, and the BRP client needs only one small POST with a JSON answer.
import { request, Agent } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface BrpTls {
  /** Koepel's client certificate and key (PEM), for suppliers that require mutual TLS. */
  clientCert: { cert: string; key: string } | null;
  /** Extra CA certificate(s) (PEM) for the BRP's server certificate, trusted besides the public roots. */
  ca: string | null;
}

/** A BRP answer is one person: anything this big is not a BRP answer. */
const MAX_BODY_BYTES = 1_048_576;

/** A network or TLS failure, with Node's error code (never a body or a header). */
export class HttpsFetchError extends Error {
  constructor(readonly code: string) {
    super(`BRP connection failed (${code})`);
    this.name = 'HttpsFetchError';
  }
}

/**
 * A FetchLike that speaks HTTPS with these TLS settings, through one agent. It supports what
 * HttpBrpClient uses: method, headers, a string body, an AbortSignal; redirects are never followed (a 3xx is
 * returned as it is). The answer is a standard Response.
 */
export function httpsFetch(tls: BrpTls): (url: string, init: RequestInit) => Promise<Response> {
  const agent = new Agent({
    // One request per login: a new connection each time costs a handshake, and never meets a socket the BRP's side
    // has closed while it sat idle (a spurious failed lookup).
    keepAlive: false,
    ...(tls.clientCert ? { cert: tls.clientCert.cert, key: tls.clientCert.key } : {}),
    // An extra CA adds to the public roots Node ships; it does not replace them.
    ...(tls.ca ? { ca: [...rootCertificates, tls.ca] } : {}),
    minVersion: 'TLSv1.2',
  });
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      if (target.protocol !== 'https:') {
        reject(new HttpsFetchError('ERR_NOT_HTTPS'));
        return;
      }
      const headers = new Headers(init.headers);
      const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : null;
      if (body) headers.set('content-length', String(body.length));
      const req = request(
        target,
        {
          method: init.method ?? 'GET',
          headers: Object.fromEntries(headers.entries()),
          agent,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
              res.destroy(new HttpsFetchError('ERR_BODY_TOO_LARGE'));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (err) => reject(asFetchError(err)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
            }
            try {
              const nullBody = [101, 204, 205, 304].includes(status);
              resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
            } catch {
              reject(new HttpsFetchError('ERR_BAD_STATUS'));
            }
          });
        },
      );
      req.on('error', (err) => reject(asFetchError(err)));
      req.end(body ?? undefined);
    });
}

function asFetchError(err: unknown): HttpsFetchError {
  if (err instanceof HttpsFetchError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e.name === 'AbortError' ? 'ABORTED' : (e.code ?? 'ERR_UNKNOWN');
  // Node's error codes are short upper-case words (ECONNRESET, ERR_SSL_…, CERT_HAS_EXPIRED): nothing else passes.
  return new HttpsFetchError(/^[A-Z0-9_]{1,80}$/.test(code) ? code : 'ERR_UNKNOWN');
}
