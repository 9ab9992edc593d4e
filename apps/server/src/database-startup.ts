import { createDatabase, judgeSchema, maskDatabaseUrl, migrateToLatest, schemaStatus, type DatabaseHandle } from '@autopack/db';
import type { Logger } from '@autopack/logging';
import type { ServerConfig } from './config';

export class StartupError extends Error {}

/**
 * Opens the configured database and makes sure its schema is the one this build expects (SPEC §9):
 * the embedded database migrates itself; PostgreSQL only when told to (bootstrap or `migrate`).
 */
export async function openDatabase(
  config: ServerConfig,
  logger: Logger,
  opts: { migrate: boolean },
): Promise<DatabaseHandle> {
  const { url, dataDir, bootstrap } = config.database;
  const where = url ? maskDatabaseUrl(url) : `PGlite at ${dataDir}`;
  const database = await createDatabase({
    ...(url ? { url } : { dataDir }),
    onPoolError: (err) => logger.warn('database connection lost; the pool will reconnect', { error: err.message }),
  });
  try {
    const status = await schemaStatus(database.db).catch((err: Error) => {
      throw new StartupError(`cannot reach the database (${where}): ${err.message}`);
    });
    const migrateNow = opts.migrate || database.dialect === 'pglite' || (bootstrap && status.pending.length > 0);
    const decision = judgeSchema(status, migrateNow);
    if (!decision.ok) throw new StartupError(decision.message);
    if (migrateNow && status.pending.length > 0) {
      const applied = await migrateToLatest(database.db);
      logger.info('migrations applied', { database: where, applied });
    }
    logger.info('database ready', { dialect: database.dialect, database: where, identity: database.identity });
    return database;
  } catch (err) {
    await database.close();
    throw err;
  }
}
