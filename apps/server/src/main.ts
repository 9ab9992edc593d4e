import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { generateApiKey } from '@autopack/auth';
import { Role } from '@autopack/contracts';
import { anyCredentialExists } from '@autopack/db';
import { createLogger, type Logger } from '@autopack/logging';
import { createApp, createKeyring } from './app';
import { AuthService } from './auth/auth-service';
import { bootstrapAuth } from './auth/bootstrap';
import { createWorkSignal } from './claims/work-signal';
import { systemClock } from './clock';
import { ConfigError, loadConfig, type ServerConfig } from './config';
import { openDatabase, StartupError } from './database-startup';
import { createReaper } from './reaper/reaper';
import { SERVER_VERSION } from './version';

const USAGE = `usage: node apps/server/dist/main.js [command]
  serve                                        start the HTTP server (default)
  migrate                                      apply pending database migrations and exit
  keys create --role <role> --name <name> [--expires-in-days <n>]
                                               create an API key in the database and print it once
  keys generate                                print a new key for AUTOPACK_API_KEY (stores nothing)`;

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

async function serve(config: ServerConfig, logger: Logger): Promise<void> {
  const database = await openDatabase(config, logger, { migrate: false });
  const ctx = { config, database, logger, clock: systemClock };
  try {
    await bootstrapAuth(ctx);
  } catch (err) {
    await database.close();
    throw err;
  }
  const open = config.env === 'development' && !(await anyCredentialExists(database.db));
  if (open && !isLoopback(config.host)) {
    await database.close();
    throw new StartupError(
      `refusing to serve an open development server (no API key or user yet: every caller would be an admin) on ${config.host}; ` +
        'create a key first (node apps/server/dist/main.js keys create --role admin --name ops, or AUTOPACK_API_KEY) or listen on 127.0.0.1 (AUTOPACK_HOST)',
    );
  }
  const work = createWorkSignal(database, logger);
  const app = createApp({ ...ctx, work });
  const reaper = createReaper(ctx);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  reaper.start();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info('autopack server listening', { url: `http://${config.host}:${port}`, version: SERVER_VERSION, dialect: database.dialect });
  if (open) {
    logger.warn(
      'OPEN DEVELOPMENT SERVER: no API key or user exists, so every local caller is an admin (but may not create credentials). Create a key to close it: ' +
        'node apps/server/dist/main.js keys create --role admin --name ops',
      { host: config.host, port },
    );
  }

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

async function keys(args: string[], config: ServerConfig, logger: Logger): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'generate') {
    console.log(generateApiKey().key);
    return;
  }
  if (action !== 'create') throw new StartupError(`unknown keys command "${action ?? ''}"\n${USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: { role: { type: 'string' }, name: { type: 'string' }, 'expires-in-days': { type: 'string' } },
  });
  const role = Role.safeParse(values.role);
  if (!role.success) throw new StartupError(`--role must be one of ${Role.options.join(', ')}`);
  if (!values.name?.trim()) throw new StartupError('--name is required (e.g. --name ops)');
  const days = values['expires-in-days'] === undefined ? undefined : Number(values['expires-in-days']);
  if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new StartupError('--expires-in-days must be a positive whole number');
  const database = await openDatabase(config, logger, { migrate: false });
  try {
    const ctx = { config, database, logger, clock: systemClock };
    const service = new AuthService(database.db, systemClock, createKeyring(ctx), config.auth.jwt);
    const created = await service.createApiKey(
      { name: values.name.trim(), role: role.data, ...(days ? { expires_in_days: days } : {}) },
      'cli',
    );
    console.log(`Created API key "${created.name}" (role ${created.role}, id ${created.id}). It is shown this once:`);
    console.log(created.key);
  } finally {
    await database.close();
  }
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
  // Commands that print a result keep the log to warnings, so the output stays readable.
  const logger = createLogger({ service: 'autopack-server', level: command === 'keys' ? 'warn' : config.logLevel });
  try {
    if (command === 'serve') await serve(config, logger);
    else if (command === 'migrate') await migrate(config, logger);
    else if (command === 'keys') await keys(process.argv.slice(3), config, logger);
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
