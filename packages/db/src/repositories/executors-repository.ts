import { sql } from 'kysely';
import type { LlmProvider } from '@autopack/contracts';
import type { Db } from '../transaction';

export interface ExecutorSighting {
  executorId: string;
  actor: string;
  providers: readonly LlmProvider[];
  now: Date;
}

/** Notes that a claim loop asked for work (one upsert per claim request). */
export async function recordExecutorSeen(db: Db, seen: ExecutorSighting): Promise<void> {
  const providers = JSON.stringify([...new Set(seen.providers)].sort());
  await db
    .insertInto('executors')
    .values({ executor_id: seen.executorId, actor: seen.actor, providers, first_seen_at: seen.now, last_seen_at: seen.now })
    .onConflict((oc) => oc.column('executor_id').doUpdateSet({ actor: seen.actor, providers, last_seen_at: seen.now }))
    .execute();
}

export interface ExecutorActivity {
  /** Claim loops seen since `since` or holding a live lease. */
  active: number;
  /** Claim loops holding a live lease: working on a phase now. */
  working: number;
  /** LLM providers the active claim loops have keys for. */
  providers: LlmProvider[];
}

export async function executorActivity(db: Db, since: Date): Promise<ExecutorActivity> {
  const working = db.selectFrom('phase_leases').select('executor_id').where('ended_at', 'is', null);
  const rows = await db
    .selectFrom('executors')
    .select(['executor_id', 'providers'])
    .where((eb) => eb.or([eb('last_seen_at', '>=', since), eb('executor_id', 'in', working)]))
    .execute();
  const busy = await db
    .selectFrom('phase_leases')
    .select(sql<string>`count(distinct executor_id)`.as('n'))
    .where('ended_at', 'is', null)
    .executeTakeFirstOrThrow();
  return {
    active: rows.length,
    working: Number(busy.n),
    providers: [...new Set(rows.flatMap((r) => r.providers))].sort(),
  };
}
