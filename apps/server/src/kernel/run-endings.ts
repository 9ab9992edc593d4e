import { isRunFinished, type FailureReason, type RunEventType, type RunState } from '@autopack/contracts';
import { findRun, listPhases, type Db, type Trx } from '@autopack/db';
import type { Clock } from '../clock';
import { conflict } from '../http/app-error';
import { recordEvent } from './events';
import { withLockedRun, type LockedRun } from './locked-run';
import { isActive, moveRun, refreshTiers, transition } from './transitions';

/* Finishing a run early (SPEC §4.3, §4.6): cancel, budget exhausted, out of time. */

interface RunEnding {
  state: RunState;
  reason: string;
  actor: string;
  /** What happens to the active phase: FAILED with this reason, or CANCELLED. */
  activeFailure: FailureReason | null;
  eventType: RunEventType;
  payload: Record<string, unknown>;
}

/**
 * Cancel, budget exhausted, out of time: every open phase ends at once (QUEUED and BLOCKED
 * CANCELLED; the active one FAILED or CANCELLED, its lease ended with cancel_requested so the
 * executor's heartbeat tells it to stop), then the run takes its final state. A finished run never
 * has open phases; an operator retry of the failed phase reopens a DONE_FAILED_* run.
 * The terminal event (`run_state_changed` to the final state) is the last one the run gets: a
 * reader that stops at it has seen every event of the run.
 */
async function finishRun(trx: Trx, now: Date, locked: LockedRun, ending: RunEnding): Promise<void> {
  await recordEvent(trx, now, locked.run, ending.eventType, ending.actor, { reason: ending.reason, ...ending.payload });
  const open = locked.phases.filter((p) => p.state === 'QUEUED' || p.state === 'BLOCKED');
  for (const phase of open) {
    await transition(trx, now, locked, phase, { to: 'CANCELLED', actor: ending.actor, finalizing: true, message: ending.reason });
  }
  for (const phase of locked.phases.filter((p) => isActive(p.state))) {
    await transition(trx, now, locked, phase, {
      to: ending.activeFailure ? 'FAILED' : 'CANCELLED',
      ...(ending.activeFailure ? { failureReason: ending.activeFailure } : {}),
      actor: ending.actor,
      finalizing: true,
      cancelLease: true,
      message: ending.reason,
    });
  }
  await refreshTiers(trx, now, locked, ending.actor);
  await moveRun(trx, now, locked, ending.state, ending.reason, ending.actor);
}

/** `POST /runs/{run_id}/cancel` */
export async function cancelRun(db: Db, clock: Clock, input: { runId: string; actor: string; reason?: string }): Promise<void> {
  await withLockedRun(db, input.runId, async (trx, locked) => {
    const now = clock.now();
    if (isRunFinished(locked.run.state)) {
      throw conflict('run_finished', `run ${input.runId} is ${locked.run.state} already`, { run_state: locked.run.state });
    }
    await finishRun(trx, now, locked, {
      state: 'CANCELLED',
      reason: input.reason ? `cancelled by ${input.actor}: ${input.reason}` : `cancelled by ${input.actor}`,
      actor: input.actor,
      activeFailure: null,
      eventType: 'run_cancelled',
      payload: {},
    });
  });
}

/**
 * After usage was recorded (same transaction, run locked): at token_cap the run is
 * DONE_FAILED_BUDGET_EXHAUSTED, no more claims, the active lease told to stop (SPEC §4.6).
 */
export async function enforceBudget(trx: Trx, now: Date, locked: LockedRun, actor: string): Promise<boolean> {
  const run = (await findRun(trx, locked.run.run_id))!;
  locked.run = run;
  const used = Number(run.tokens_used);
  const cap = Number(run.token_cap);
  if (used < cap || isRunFinished(run.state)) return used >= cap;
  locked.phases = await listPhases(trx, run.run_id);
  await finishRun(trx, now, locked, {
    state: 'DONE_FAILED_BUDGET_EXHAUSTED',
    reason: `token budget exhausted: ${used} of ${cap} tokens used`,
    actor,
    activeFailure: 'budget',
    eventType: 'budget_exhausted',
    payload: { tokens_used: used, token_cap: cap },
  });
  return true;
}

/** Reaper: a run past max_duration_minutes (counted from its first claim) ends DONE_FAILED_ENVIRONMENT. */
export async function timeOutRun(db: Db, clock: Clock, runId: string): Promise<boolean> {
  return withLockedRun(db, runId, async (trx, locked) => {
    const now = clock.now();
    const { run } = locked;
    if (isRunFinished(run.state) || !run.started_at) return false;
    const deadline = run.started_at.getTime() + run.max_duration_minutes * 60_000;
    if (deadline > now.getTime()) return false;
    await finishRun(trx, now, locked, {
      state: 'DONE_FAILED_ENVIRONMENT',
      reason: `run exceeded max_duration_minutes (${run.max_duration_minutes}); remaining work cancelled`,
      actor: 'system:reaper',
      activeFailure: 'timeout',
      eventType: 'run_timed_out',
      payload: { max_duration_minutes: run.max_duration_minutes, started_at: run.started_at.toISOString() },
    });
    return true;
  });
}
