// Starts a Koepel process: reads the configuration (refusing what is unsafe with a clear message, never a stack
// trace), boots, listens, prints a short banner, and stops cleanly on SIGINT/SIGTERM. Both entry points use it.
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
  await koepel.app.listen({ port: config.port, host: config.host });
  console.log(banner(config, koepel));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void koepel.close().then(() => process.exit(0));
    });
  }
  return koepel;
}
