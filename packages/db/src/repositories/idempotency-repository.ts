import type { Db } from '../transaction';

export interface IdempotencyScope {
  principal: string;
  route: string;
  key: string;
}

export interface StoredAnswer {
  request_hash: string;
  status: number | null;
  body: unknown;
}

/**
 * Claims the key for this request inside the caller's transaction. `true`: first use, go ahead.
 * `false`: the key exists. On PostgreSQL a concurrent first use of the same key makes this wait
 * until that transaction ends, so a committed answer is always there to replay.
 */
export async function reserveIdempotencyKey(db: Db, scope: IdempotencyScope, requestHash: string, now: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ ...scope, request_hash: requestHash, status: null, body: null, created_at: now })
    .onConflict((oc) => oc.columns(['principal', 'route', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findIdempotentAnswer(db: Db, scope: IdempotencyScope): Promise<StoredAnswer | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status', 'body'])
    .where('principal', '=', scope.principal)
    .where('route', '=', scope.route)
    .where('key', '=', scope.key)
    .executeTakeFirst();
}

export async function storeIdempotentAnswer(db: Db, scope: IdempotencyScope, status: number, body: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status, body: JSON.stringify(body ?? null) })
    .where('principal', '=', scope.principal)
    .where('route', '=', scope.route)
    .where('key', '=', scope.key)
    .execute();
}

/** Forgets keys older than `before`; returns how many. */
export async function purgeIdempotencyKeys(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
