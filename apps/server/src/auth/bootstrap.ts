import { hashApiKey, parseApiKey, SigningKeyError } from '@autopack/auth';
import { countActiveAdminKeys, findApiKey, insertApiKey } from '@autopack/db';
import { createKeyring } from '../app';
import type { AppContext } from '../app-context';
import { StartupError } from '../database-startup';

export const ADMIN_KEY_HINT =
  'set AUTOPACK_API_KEY (or AUTOPACK_API_KEY_FILE) to a key from `node apps/server/dist/main.js keys generate`, ' +
  'or create one with `node apps/server/dist/main.js keys create --role admin --name ops`';

/**
 * Before the server listens: a usable JWT signing key (created on first start, opened with
 * AUTOPACK_SECRET_KEY), the environment's admin key stored hashed, and the production posture.
 */
export async function bootstrapAuth(ctx: AppContext): Promise<void> {
  const { config, database, clock, logger } = ctx;
  try {
    await createKeyring(ctx).ensureSigningKey();
  } catch (err) {
    if (err instanceof SigningKeyError) throw new StartupError(err.message);
    throw err;
  }

  const key = config.secrets.bootstrapApiKey;
  if (key) {
    const { id } = parseApiKey(key)!;
    const existing = await findApiKey(database.db, id);
    if (!existing) {
      await insertApiKey(database.db, {
        id,
        name: 'bootstrap (AUTOPACK_API_KEY)',
        role: 'admin',
        hash: hashApiKey(key),
        created_by: 'environment',
        created_at: clock.now(),
        last_used_at: null,
        expires_at: null,
        revoked_at: null,
      });
      logger.info('admin API key from the environment stored (hashed)', { key_id: id });
    } else if (existing.revoked_at) {
      logger.warn('AUTOPACK_API_KEY names a revoked key; it stays revoked: remove it from the environment', { key_id: id });
    }
  }

  if (config.env === 'production' && (await countActiveAdminKeys(database.db, clock.now())) === 0) {
    throw new StartupError(`AUTOPACK_ENV=production needs an admin API key: ${ADMIN_KEY_HINT}`);
  }
  if (config.env === 'development' && !config.secrets.secretKey) {
    logger.warn('AUTOPACK_SECRET_KEY is not set: JWT signing keys are stored unencrypted (development only)');
  }
}
