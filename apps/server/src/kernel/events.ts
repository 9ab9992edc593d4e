import type { RunEventType } from '@autopack/contracts';
import { appendEvent, type Trx } from '@autopack/db';

/*
 * The one module that appends run events (ESLint forbids `appendEvent` anywhere else in
 * apps/server/src). Callers hold the run lock (`withLockedRun`), so a run's event ids follow commit
 * order, and write the event in the transaction of the change it describes.
 */

/** What an event is about: a phase row (run, tier and phase ids), a tier, or a run row. */
export interface EventSubject {
  run_id: string;
  tier_id?: string | null;
  phase_id?: string | null;
}

/** Appends one event about `about`, stamped `now`. */
export async function recordEvent(
  trx: Trx,
  now: Date,
  about: EventSubject,
  type: RunEventType,
  actor: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await appendEvent(trx, {
    run_id: about.run_id,
    tier_id: about.tier_id ?? null,
    phase_id: about.phase_id ?? null,
    type,
    actor,
    payload,
    created_at: now,
  });
}
