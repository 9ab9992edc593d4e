import { PHASE_TRANSITIONS, type PhaseState, type UpdateStatusResponse } from '@autopack/contracts';
import type { Db, PhaseRow, Trx } from '@autopack/db';
import type { Clock } from '../clock';
import { conflict } from '../http/app-error';
import { findPhaseIn, withLockedRun, type LockedRun } from './locked-run';
import { answer, settle, stopSkipReason, transition } from './transitions';

/* An operator's retry and skip of one phase (SPEC §4.1, §4.6). */

export interface OperatorAction {
  runId: string;
  phaseId: string;
  actor: string;
  reason?: string;
}

/**
 * `POST …/retry`: a FAILED phase gets one more attempt and a DONE_FAILED_* run reopens (SPEC §4.6);
 * the phases its failure skipped under on_phase_failure "stop" are queued again behind it.
 */
export async function retryPhase(db: Db, clock: Clock, action: OperatorAction): Promise<UpdateStatusResponse> {
  return withLockedRun(db, action.runId, async (trx, locked) => {
    const now = clock.now();
    const phase = expectState(findPhaseIn(locked, action.phaseId), 'FAILED', 'QUEUED', 'retry');
    return retryLocked(trx, now, locked, phase, action);
  });
}

/** A retry on a run the caller has locked; refusals throw before anything is written. */
export async function retryLocked(trx: Trx, now: Date, locked: LockedRun, phase: PhaseRow, action: OperatorAction): Promise<UpdateStatusResponse> {
  const { run } = locked;
  if (Number(run.tokens_used) >= Number(run.token_cap)) {
    throw conflict(
      'budget_exhausted',
      `run ${run.run_id} has used ${Number(run.tokens_used)} of its ${Number(run.token_cap)} tokens; a retry could not be claimed (start a new run with a higher token_cap)`,
      { tokens_used: Number(run.tokens_used), token_cap: Number(run.token_cap) },
    );
  }
  // The deadline counts from the first claim, so the reaper would end a reopened run again at once.
  if (run.started_at && run.started_at.getTime() + run.max_duration_minutes * 60_000 <= now.getTime()) {
    throw conflict(
      'run_timed_out',
      `run ${run.run_id} is past its max_duration_minutes (${run.max_duration_minutes}, counted from ${run.started_at.toISOString()}); a retry would be timed out again (start a new run)`,
      { max_duration_minutes: run.max_duration_minutes, started_at: run.started_at.toISOString() },
    );
  }
  const updated = await transition(trx, now, locked, phase, {
    to: 'QUEUED',
    actor: action.actor,
    ...(action.reason ? { message: action.reason } : {}),
    payload: { operator_action: 'retry' },
  });
  const skipped = locked.phases.filter((p) => p.state === 'SKIPPED' && p.failure_reason === stopSkipReason(phase.phase_id));
  for (const p of skipped) {
    await transition(trx, now, locked, p, {
      to: 'QUEUED',
      actor: action.actor,
      requeueSkipped: true,
      message: `queued again: phase ${phase.phase_id} is retried`,
      payload: { operator_action: 'retry', retried_phase_id: phase.phase_id },
    });
  }
  const tiers = await settle(trx, now, locked, action.actor, true);
  return answer(locked, updated, tiers);
}

/** `POST …/skip`: a QUEUED phase will not run. */
export async function skipPhase(db: Db, clock: Clock, action: OperatorAction): Promise<UpdateStatusResponse> {
  return withLockedRun(db, action.runId, async (trx, locked) => {
    const now = clock.now();
    const phase = expectState(findPhaseIn(locked, action.phaseId), 'QUEUED', 'SKIPPED', 'skip');
    const updated = await transition(trx, now, locked, phase, {
      to: 'SKIPPED',
      actor: action.actor,
      ...(action.reason ? { message: action.reason } : {}),
      payload: { operator_action: 'skip' },
    });
    const tiers = await settle(trx, now, locked, action.actor, false);
    return answer(locked, updated, tiers);
  });
}

function expectState(phase: PhaseRow, from: PhaseState, to: PhaseState, name: string): PhaseRow {
  if (phase.state === from) return phase;
  throw conflict('illegal_transition', `only a ${from} phase can be given "${name}"; phase ${phase.phase_id} is ${phase.state}`, {
    from: phase.state,
    to,
    allowed: PHASE_TRANSITIONS[phase.state],
  });
}
