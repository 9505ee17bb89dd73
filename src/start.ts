// Starts a Koepel process: reads the configuration (refusing what is unsafe with a clear message, never a stack
// trace), boots, listens, prints a short banner, and stops gracefully on SIGINT/SIGTERM: readiness turns 503, the
// requests in flight get KOEPEL_SHUTDOWN_GRACE_SECONDS to finish, then the listener and the database close and the
// process exits 0 (docs/operations.md). A second signal while draining stops at once. Both entry points use it.
import { boot, createLogger, type BootExtension, type Koepel } from './boot.js';
import { ConfigError, loadConfig, type Config } from './platform/config.js';

export async function start(
  extensions: readonly BootExtension[],
  banner: (config: Config, koepel: Koepel) => string,
  check: (config: Config) => void = () => undefined,
): Promise<Koepel> {
  let config: Config;
  try {
    config = loadConfig();
    check(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Koepel cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  const logger = createLogger(config);
  if (config.database.kind === 'pglite') {
    logger.warn(
      `Using the embedded PGlite database in ${config.dataDir}: fine for a demo, a trial or tests, NOT for production ` +
        '(it runs as superuser and does not fsync). Set DATABASE_URL to use PostgreSQL.',
    );
  }
  const koepel = await boot(config, logger, extensions);
  // Fastify's "listening" line names the socket; the address that works is PUBLIC_URL, and the line says so.
  await koepel.app.listen({
    port: config.port,
    host: config.host,
    listenTextResolver: (address) =>
      `Koepel listens on ${address}; open it at ${config.publicUrl} (PUBLIC_URL), the one address where logging in works`,
  });
  console.log(banner(config, koepel));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal while draining: stopping now');
      process.exit(1);
    }
    stopping = true;
    logger.info(
      { signal, graceSeconds: config.shutdownGraceMs / 1000, inFlight: koepel.app.lifecycle.requestsInFlight },
      'shutting down: not ready, refusing new requests, draining the requests in flight',
    );
    koepel.shutdown(config.shutdownGraceMs).then(
      ({ drained, cut }) => {
        if (drained) logger.info('every request in flight finished; stopped');
        else logger.warn({ cut }, 'the grace time ended with requests in flight: they were cut; stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err: { type: (err as Error).name, stack: (err as Error).stack } }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return koepel;
}
