import { sql, type Insertable } from 'kysely';
import type { ApiKeyRow, ApiKeysTable, SigningKeyRow, SigningKeysTable, UserRow, UsersTable } from '../schema';
import type { Db } from '../transaction';

export async function insertUser(db: Db, user: Insertable<UsersTable>): Promise<UserRow> {
  return db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
}

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where(sql`lower(username)`, '=', username.toLowerCase()).executeTakeFirst();
}

/**
 * The user a login names, by username or by email, in one query (so both take the same time).
 * A username match wins over an email match; creating users keeps the two from colliding anyway.
 */
export async function findUserByLogin(db: Db, login: string): Promise<UserRow | undefined> {
  const name = login.toLowerCase();
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb(sql`lower(username)`, '=', name), eb(sql`lower(email)`, '=', name)]))
    .orderBy(sql`lower(username) = ${name}`, 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Users whose username or email equals any of `logins` (case-insensitive): what a new user would clash with. */
export async function findUsersByLogins(db: Db, logins: readonly string[]): Promise<UserRow[]> {
  const names = logins.map((l) => l.toLowerCase());
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb(sql`lower(username)`, 'in', names), eb(sql`lower(email)`, 'in', names)]))
    .execute();
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function touchUserLogin(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('users').set({ last_login_at: now }).where('id', '=', id).execute();
}

export async function insertApiKey(db: Db, key: Insertable<ApiKeysTable>): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(key).returningAll().executeTakeFirstOrThrow();
}

export async function findApiKey(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** For keys without an id inside them (the predecessor's free-form AUTOPACK_API_KEY). */
export async function findApiKeyByHash(db: Db, hash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
}

/** Revokes the live keys the environment stored under `name`, except `keepId`; answers their ids. */
export async function revokeEnvironmentKeys(db: Db, name: string, keepId: string | undefined, now: Date): Promise<string[]> {
  let query = db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('created_by', '=', 'environment')
    .where('name', '=', name)
    .where('revoked_at', 'is', null);
  if (keepId) query = query.where('id', '!=', keepId);
  return (await query.returning('id').execute()).map((r) => r.id);
}

export async function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
}

export async function revokeApiKey(db: Db, id: string, now: Date): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: sql`coalesce(revoked_at, ${now})` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Writes last_used_at at most once per `every` ms per key, so reads do not become writes. */
export async function touchApiKey(db: Db, id: string, now: Date, everyMs: number): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(now.getTime() - everyMs))]))
    .execute();
}

/** Whether any credential was ever created: until then a development server runs open. */
export async function anyCredentialExists(db: Db): Promise<boolean> {
  const row = await sql<{ exists: boolean }>`select (exists (select 1 from api_keys) or exists (select 1 from users)) as exists`.execute(db);
  return row.rows[0]?.exists ?? false;
}

export async function countActiveAdminKeys(db: Db, now: Date): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('role', '=', 'admin')
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function listSigningKeys(db: Db): Promise<SigningKeyRow[]> {
  return db.selectFrom('signing_keys').selectAll().orderBy('activates_at').execute();
}

export async function insertSigningKey(db: Db, key: Insertable<SigningKeysTable>): Promise<void> {
  await db.insertInto('signing_keys').values(key).execute();
}

export async function replaceSigningKeyPem(db: Db, kid: string, privatePem: string): Promise<void> {
  await db.updateTable('signing_keys').set({ private_pem: privatePem }).where('kid', '=', kid).execute();
}

export async function retireSigningKey(db: Db, kid: string, retiredAt: Date, expiresAt: Date): Promise<void> {
  await db.updateTable('signing_keys').set({ retired_at: retiredAt, expires_at: expiresAt }).where('kid', '=', kid).execute();
}

/** Serialises key creation across server instances (first start, rotation). */
export async function lockSigningKeys(db: Db): Promise<void> {
  await sql`lock table signing_keys in share row exclusive mode`.execute(db);
}

/**
 * One hit on a fixed-window counter, atomically: a new window starts when the old one has passed.
 * Returns the hits in the current window and when it resets.
 */
export async function hitRateLimit(db: Db, key: string, windowMs: number, now: Date): Promise<{ hits: number; reset_at: Date }> {
  const reset = new Date(now.getTime() + windowMs);
  const row = await db
    .insertInto('rate_limit_hits')
    .values({ key, hits: 1, reset_at: reset })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql`case when rate_limit_hits.reset_at <= ${now} then 1 else rate_limit_hits.hits + 1 end`,
        reset_at: sql`case when rate_limit_hits.reset_at <= ${now} then ${reset} else rate_limit_hits.reset_at end`,
      }),
    )
    .returning(['hits', 'reset_at'])
    .executeTakeFirstOrThrow();
  return row;
}

export async function unhitRateLimit(db: Db, key: string): Promise<void> {
  await db.updateTable('rate_limit_hits').set({ hits: sql`greatest(hits - 1, 0)` }).where('key', '=', key).execute();
}

export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.deleteFrom('rate_limit_hits').where('key', '=', key).execute();
}
