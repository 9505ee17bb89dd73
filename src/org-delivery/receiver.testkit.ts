// A webhook receiver on loopback for tests and the benchmark: records what arrives, verifies each signature with the
// standardwebhooks library, and answers as told (a status, a hang, a redirect, a huge body).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  body: { type: string; timestamp: string; data: { id: string; resourceType: string; organisation?: string } };
  raw: string;
  headers: Record<string, string>;
  /** The signature verified with this secret (the receiver's current one). */
  verified: boolean;
  at: number;
}

export type Answer = 'ok' | 'fail' | 'hang' | 'redirect' | 'huge';

export class Receiver {
  readonly received: Received[] = [];
  secret: string | null = null;
  /** What to answer next; after `times` answers of this kind it answers 'ok'. */
  answer: Answer = 'ok';
  times = Infinity;
  hits = 0;
  onReceive: ((r: Received) => void) | null = null;
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(path = '/hook'): Promise<Receiver> {
    const server = http.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const receiver = new Receiver(server, `http://127.0.0.1:${port}${path}`);
    server.on('request', (req, res) => receiver.handle(req, res));
    return receiver;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.hits++;
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      let answer: Answer = this.answer;
      if (this.times <= 0) answer = 'ok';
      else if (answer !== 'ok') this.times--;
      if (answer === 'ok') {
        let verified = false;
        try {
          if (this.secret) {
            new Webhook(this.secret).verify(raw, headers);
            verified = true;
          }
        } catch {
          verified = false;
        }
        const r: Received = {
          id: headers['webhook-id'] ?? '',
          body: JSON.parse(raw) as Received['body'],
          raw,
          headers,
          verified,
          at: Date.now(),
        };
        this.received.push(r);
        this.onReceive?.(r);
        res.writeHead(204).end();
      } else if (answer === 'fail') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('down');
      } else if (answer === 'redirect') {
        res.writeHead(302, { location: `${this.url}/elsewhere` }).end();
      } else if (answer === 'huge') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const block = Buffer.alloc(1024 * 1024, 120);
        let sent = 0;
        const write = () => {
          while (sent < 10) {
            sent++;
            if (!res.write(block)) return void res.once('drain', write);
          }
          res.end();
        };
        res.on('error', () => undefined);
        write();
      }
      // 'hang': never answers.
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }
}
