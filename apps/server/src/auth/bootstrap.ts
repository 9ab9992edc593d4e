import { hashApiKey, newApiKeyId, parseApiKey, SigningKeyError } from '@autopack/auth';
import { countActiveAdminKeys, findApiKey, findApiKeyByHash, insertApiKey, revokeEnvironmentKeys, type Db } from '@autopack/db';
import type { Logger } from '@autopack/logging';
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
  const parsed = key ? parseApiKey(key) : null;
  const legacyId = key && !parsed ? await storeLegacyKey(database.db, key, clock.now(), logger) : undefined;
  // The environment names one free-form key at a time, as the predecessor compared it on every
  // request: a changed or removed-for-apk_ value must not leave the old one valid.
  if (key) await retireLegacyKeys(database.db, legacyId, clock.now(), logger);
  if (key && parsed) {
    const { id } = parsed;
    const existing = await findApiKey(database.db, id);
    if (!existing) {
      await insertApiKey(database.db, {
        id,
        name: 'bootstrap (AUTOPACK_API_KEY)',
        description: null,
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

const legacyKeyHint = (id: string) =>
  'switch to an Autopack key: `node apps/server/dist/main.js keys generate`, put it in AUTOPACK_API_KEY, restart, ' +
  `then revoke the free-form one (DELETE /api/auth/api-keys/${id}); or create one with ` +
  '`node apps/server/dist/main.js keys create --role admin --name ops`';

const LEGACY_KEY_NAME = 'legacy free-form key (AUTOPACK_API_KEY)';

/** pg and PGlite both report a unique violation with SQLSTATE 23505. */
const isUniqueViolation = (err: unknown) => (err as { code?: unknown })?.code === '23505';

/**
 * The predecessor's free-form AUTOPACK_API_KEY (config checked its length): stored hashed as an
 * admin key under a fresh id, found again by its hash (unique: two instances starting at once
 * store it once). Accepted, with a warning at every start. Answers the key's id.
 */
async function storeLegacyKey(db: Db, key: string, now: Date, logger: Logger): Promise<string> {
  const hash = hashApiKey(key);
  let row = await findApiKeyByHash(db, hash);
  if (!row) {
    try {
      row = await insertApiKey(db, {
        id: newApiKeyId(),
        name: LEGACY_KEY_NAME,
        description: "the predecessor's AUTOPACK_API_KEY, accepted as an admin key",
        role: 'admin',
        hash,
        created_by: 'environment',
        created_at: now,
        last_used_at: null,
        expires_at: null,
        revoked_at: null,
      });
      logger.info('free-form admin API key from the environment stored (hashed)', { key_id: row.id });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      row = (await findApiKeyByHash(db, hash))!;
    }
  }
  if (row.revoked_at) {
    logger.warn('AUTOPACK_API_KEY names a revoked key; it stays revoked: remove it from the environment', { key_id: row.id });
    return row.id;
  }
  logger.warn(`AUTOPACK_API_KEY is a free-form key, accepted as an admin credential (X-API-Key) for compatibility; ${legacyKeyHint(row.id)}`, {
    key_id: row.id,
  });
  return row.id;
}

/** Revokes every free-form key the environment stored before, except the current one. */
async function retireLegacyKeys(db: Db, currentId: string | undefined, now: Date, logger: Logger): Promise<void> {
  const retired = await revokeEnvironmentKeys(db, LEGACY_KEY_NAME, currentId, now);
  if (retired.length > 0) {
    logger.warn('earlier free-form AUTOPACK_API_KEY values revoked: the environment names another key now', { key_ids: retired });
  }
}
