import type { UpdateStatusResponse } from '@autopack/contracts';
import type { PhaseRow, Trx } from '@autopack/db';
import type { LockedRun } from './locked-run';
import { changeLocked, illegal, isActive } from './transitions';

/* What governance and approvals (SPEC §4.7) do to a phase, on a run the caller has locked. */

/** The executor asked for a decision: its active phase waits in BLOCKED (the lease ends). */
export async function blockPhase(trx: Trx, now: Date, locked: LockedRun, phase: PhaseRow, actor: string, message: string) {
  if (!isActive(phase.state)) throw illegal(phase, 'BLOCKED');
  return changeLocked(trx, now, locked, phase, { to: 'BLOCKED', actor, message });
}

/** A decision on a BLOCKED phase: approved → QUEUED (grants apply to its next attempt); rejected → FAILED. */
export async function resolveBlocked(
  trx: Trx,
  now: Date,
  locked: LockedRun,
  phase: PhaseRow,
  decision: { approved: boolean; actor: string; reason: string; requestId: string },
): Promise<UpdateStatusResponse> {
  return changeLocked(trx, now, locked, phase, {
    to: decision.approved ? 'QUEUED' : 'FAILED',
    actor: decision.actor,
    message: decision.reason,
    ...(decision.approved ? {} : { failureReason: 'policy_rejected' as const }),
    payload: { request_id: decision.requestId, approved: decision.approved },
  });
}
