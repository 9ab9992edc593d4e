import type { ExecutionStatus } from '@autopack/contracts';
import { announceWork, getSetting, putSetting, transaction, type Db } from '@autopack/db';
import type { Clock } from '../clock';

/** Kept in the database, so that a pause stops claims on every server instance at once. */
const PAUSE_KEY = 'execution_paused';

interface PauseValue {
  paused: boolean;
  reason: string | null;
}

export async function executionStatus(db: Db): Promise<ExecutionStatus> {
  const setting = await getSetting<PauseValue>(db, PAUSE_KEY);
  return {
    paused: setting?.value.paused ?? false,
    reason: setting?.value.reason ?? null,
    changed_at: setting?.updated_at.toISOString() ?? null,
    changed_by: setting?.updated_by ?? null,
  };
}

export async function isExecutionPaused(db: Db): Promise<boolean> {
  return (await getSetting<PauseValue>(db, PAUSE_KEY))?.value.paused ?? false;
}

/** `POST /admin/pause|resume` (SPEC §8): new claims stop or start again; running leases are not touched. */
export async function setExecutionPaused(
  db: Db,
  clock: Clock,
  paused: boolean,
  actor: string,
  reason: string | undefined,
): Promise<ExecutionStatus> {
  return transaction(db, async (trx) => {
    await putSetting(trx, PAUSE_KEY, { paused, reason: reason ?? null } satisfies PauseValue, actor, clock.now());
    // Resuming makes every queued phase claimable: wake the long-polls.
    if (!paused) await announceWork(trx);
    return executionStatus(trx);
  });
}
