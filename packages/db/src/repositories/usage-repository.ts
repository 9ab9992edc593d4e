import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { LlmUsageEventsTable } from '../schema';
import type { Db } from '../transaction';

export type UsageInput = Omit<Selectable<LlmUsageEventsTable>, 'id' | 'created_at'>;

/** Records one LLM call and adds its tokens to the phase and the run in the same transaction. */
export async function recordUsage(db: Db, usage: UsageInput, now: Date): Promise<void> {
  await db.insertInto('llm_usage_events').values({ ...usage, created_at: now }).execute();
  if (usage.total_tokens === 0) return;
  if (usage.phase_id !== null) {
    await db
      .updateTable('phases')
      .set({ tokens_used: sql<number>`tokens_used + ${usage.total_tokens}` })
      .where('run_id', '=', usage.run_id)
      .where('phase_id', '=', usage.phase_id)
      .execute();
  }
  await db
    .updateTable('runs')
    .set({ tokens_used: sql<number>`tokens_used + ${usage.total_tokens}` })
    .where('run_id', '=', usage.run_id)
    .execute();
}
