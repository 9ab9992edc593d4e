import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

/** A handle that is either the pool or an open transaction: services accept both. */
export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

/**
 * Runs `fn` in one transaction (or in the caller's, when `db` already is one). Inside it, use only
 * `trx`: on PGlite (one connection) a query on the outer handle would wait for the transaction to
 * end, which waits for the query: a deadlock.
 */
export function transaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Trx);
  return db.transaction().execute(fn);
}
