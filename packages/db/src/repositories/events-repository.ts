import type { RunEventType } from '@autopack/contracts';
import type { RunEventRow } from '../schema';
import type { Db } from '../transaction';

export interface NewRunEvent {
  run_id: string;
  tier_id?: string | null;
  phase_id?: string | null;
  type: RunEventType;
  actor: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** Append-only: callers hold the run lock (see findRun), so ids are in commit order per run. */
export async function appendEvent(db: Db, event: NewRunEvent): Promise<void> {
  await db
    .insertInto('run_events')
    .values({
      run_id: event.run_id,
      tier_id: event.tier_id ?? null,
      phase_id: event.phase_id ?? null,
      type: event.type,
      actor: event.actor,
      payload: JSON.stringify(event.payload),
      created_at: event.created_at,
    })
    .execute();
}

export async function listEvents(db: Db, runId: string, after: number, limit: number): Promise<RunEventRow[]> {
  return db
    .selectFrom('run_events')
    .selectAll()
    .where('run_id', '=', runId)
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
}
