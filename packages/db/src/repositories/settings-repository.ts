import type { Db } from '../transaction';

export interface Setting<T> {
  value: T;
  updated_at: Date;
  updated_by: string;
}

/** Server-wide settings shared by every instance through the database (e.g. the execution pause). */
export async function getSetting<T>(db: Db, key: string): Promise<Setting<T> | undefined> {
  const row = await db
    .selectFrom('server_settings')
    .select(['value', 'updated_at', 'updated_by'])
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? { value: row.value as T, updated_at: row.updated_at, updated_by: row.updated_by } : undefined;
}

export async function putSetting(db: Db, key: string, value: unknown, by: string, now: Date): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('server_settings')
    .values({ key, value: json, updated_at: now, updated_by: by })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: now, updated_by: by }))
    .execute();
}
