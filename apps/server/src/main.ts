import type { Server } from 'node:http';
import { createLogger, type Logger } from '@autopack/logging';
import { createApp } from './app';
import { createWorkSignal } from './claims/work-signal';
import { systemClock } from './clock';
import { ConfigError, loadConfig, type ServerConfig } from './config';
import { openDatabase, StartupError } from './database-startup';
import { createReaper } from './reaper/reaper';
import { SERVER_VERSION } from './version';

const USAGE = `usage: node apps/server/dist/main.js [serve|migrate]
  serve    start the HTTP server (default)
  migrate  apply pending database migrations and exit`;

async function serve(config: ServerConfig, logger: Logger): Promise<void> {
  const database = await openDatabase(config, logger, { migrate: false });
  const work = createWorkSignal(database, logger);
  const app = createApp({ config, database, logger, clock: systemClock, work });
  const reaper = createReaper({ config, database, logger, clock: systemClock });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  reaper.start();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info('autopack server listening', { url: `http://${config.host}:${port}`, version: SERVER_VERSION, dialect: database.dialect });
  logger.warn(
    'DEVELOPMENT SERVER WITHOUT AUTHENTICATION: anyone who can reach this address can do everything; keep it on a trusted host',
    { host: config.host, port },
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down: no new connections, finishing in-flight requests', { signal });
    // Past the grace period, open connections are cut so the process always ends.
    const force = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
    force.unref();
    // Long-polling claims answer 204 now instead of holding the shutdown for up to 30 s.
    void work.close();
    server.close(async () => {
      clearTimeout(force);
      await reaper.stop();
      await database.close();
      logger.info('stopped');
      process.exitCode = 0;
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function migrate(config: ServerConfig, logger: Logger): Promise<void> {
  const database = await openDatabase(config, logger, { migrate: true });
  await database.close();
}

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'serve';
  if (command === '--help' || command === 'help') {
    console.log(USAGE);
    return;
  }
  let config: ServerConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`autopack server: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ service: 'autopack-server', level: config.logLevel });
  try {
    if (command === 'serve') await serve(config, logger);
    else if (command === 'migrate') await migrate(config, logger);
    else {
      console.error(`autopack server: unknown command "${command}"\n${USAGE}`);
      process.exit(2);
    }
  } catch (err) {
    if (err instanceof StartupError) {
      logger.error(`cannot start: ${err.message}`);
      console.error(`autopack server: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

void main().catch((err: unknown) => {
  console.error('autopack server: fatal error', err);
  process.exit(1);
});
