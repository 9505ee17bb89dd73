// A TCP proxy in front of PostgreSQL whose behaviour a test sets, to play a database host that goes away:
//   'pass'      forwards (the normal state);
//   'blackhole' a host that stopped answering: open connections stop forwarding in both directions, new ones are
//               accepted and never answered (like a server whose process hangs, or a firewall that drops silently);
//   'closed'    nothing listens on the port (connection refused).
// It can also start closed, for a database that is not up yet when Koepel starts.
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'blackhole' | 'closed';

export interface TcpProxy {
  port: number;
  set(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(
  target: { host: string; port: number },
  port: number,
  initial: ProxyMode = 'pass',
): Promise<TcpProxy> {
  let mode: ProxyMode = initial;
  let server: Server | null = null;
  /** Every socket, and for a forwarded connection the function that stops forwarding it. */
  const sockets = new Set<Socket>();
  const stops = new Set<() => void>();

  const track = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => s.destroy()).on('close', () => sockets.delete(s));
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const srv = createServer((client) => {
        track(client);
        if (mode !== 'pass') return; // accepted, never answered
        const upstream = connect(target.port, target.host);
        track(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('close', drop);
        upstream.on('close', drop);
        stops.add(() => {
          client.unpipe(upstream);
          upstream.unpipe(client);
          client.pause();
          upstream.pause();
        });
      });
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        server = srv;
        resolve();
      });
    });

  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      stops.clear();
      const srv = server;
      server = null;
      if (srv) srv.close(() => resolve());
      else resolve();
    });

  if (initial !== 'closed') await listen();
  return {
    port,
    async set(next) {
      if (next === 'closed') {
        mode = next;
        await close();
        return;
      }
      if (next === 'blackhole') for (const stop of stops) stop();
      else {
        // Back from a black hole: the stalled connections are reset, as after a network failure.
        for (const s of sockets) s.destroy();
        sockets.clear();
      }
      stops.clear();
      mode = next;
      if (!server) await listen();
    },
    close,
  };
}
