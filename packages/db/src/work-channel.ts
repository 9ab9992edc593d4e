import { sql } from 'kysely';
import type { Db } from './transaction';

/** The LISTEN/NOTIFY channel on which writers announce that a phase may have become claimable. */
export const WORK_CHANNEL = 'autopack_work';

/**
 * Inside a transaction: every subscriber (on PostgreSQL, every server instance) hears it when the
 * transaction commits, and never when it rolls back. PGlite delivers the same NOTIFY in-process.
 */
export async function announceWork(db: Db): Promise<void> {
  await sql`select pg_notify(${WORK_CHANNEL}, '')`.execute(db);
}

/** Called on every announcement, and after a lost listener connection is back (anything may be ready). */
export type WorkListener = () => void;
