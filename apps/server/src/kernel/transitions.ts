import {
  ACTIVE_PHASE_STATES,
  PHASE_TRANSITIONS,
  RETRY_REQUEUE,
  RUN_TRANSITIONS,
  canRunTransition,
  canTransition,
  isRunFinished,
  type AttemptOutcome,
  type FailureReason,
  type PhaseState,
  type RunState,
  type TierState,
  type UpdateStatusResponse,
} from '@autopack/contracts';
import {
  announceWork,
  cancelPendingApprovals,
  endAttempt,
  endLiveLease,
  listTiers,
  startAttempt,
  toPhase,
  updatePhase,
  updateRun,
  updateTierState,
  type LeaseEndReason,
  type PhaseRow,
  type PhaseUpdate,
  type Trx,
} from '@autopack/db';
import { conflict } from '../http/app-error';
import { deriveTierState, finalRunVerdict } from './derived-states';
import { recordEvent } from './events';
import { replacePhase, type LockedRun } from './locked-run';

/*
 * A phase change and its cascade (SPEC §4.1, §4.6): the transition table, the retry rule, the
 * attempt record and lease, "stop" skipping, tiers derived from their phases, the run moved and
 * finalised exactly once, one event per change. Every function here runs on a run its caller has
 * locked (`withLockedRun`).
 */

/** Failures a new attempt cannot fix: they are final at once (SPEC §4.6 retries the others). */
const FINAL_FAILURES: readonly FailureReason[] = ['policy_rejected', 'budget', 'operator'];

export interface Transition {
  to: PhaseState;
  actor: string;
  failureReason?: FailureReason;
  message?: string;
  /** Tests the attempt broke (executor's CI delta), kept on the attempt as feedback for the next. */
  newlyFailing?: readonly string[];
  /** How the attempt ends when the phase leaves an active state (default: from the new state). */
  outcome?: Exclude<AttemptOutcome, 'running'>;
  /** Tell the lease holder to stop (heartbeat answers cancel_requested). */
  cancelLease?: boolean;
  /** A server-side ending (budget, time, cancel): no retry, no skipping of later phases. */
  finalizing?: boolean;
  /** An operator retry queuing again a phase the "stop" policy skipped (contracts' RETRY_REQUEUE). */
  requeueSkipped?: boolean;
  /** Extra fields of the phase_state_changed event. */
  payload?: Record<string, unknown>;
}

const OUTCOME_OF: Partial<Record<PhaseState, Exclude<AttemptOutcome, 'running'>>> = {
  COMPLETE: 'complete',
  FAILED: 'failed',
  QUEUED: 'requeued',
  CANCELLED: 'cancelled',
  BLOCKED: 'blocked',
};

export const isActive = (s: PhaseState) => ACTIVE_PHASE_STATES.includes(s);

export function illegal(phase: PhaseRow, to: PhaseState) {
  const from = phase.state;
  const allowed = PHASE_TRANSITIONS[from];
  return conflict(
    'illegal_transition',
    `illegal transition ${from} → ${to} for phase ${phase.phase_id}; from ${from} the allowed states are: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
    { from, to, allowed },
  );
}

/**
 * One phase change and what follows from it for the phase itself: the retry rule (a failed attempt
 * with attempts left goes back to QUEUED, its feedback kept on the attempt), the attempt record,
 * the lease, pending approvals, "stop" skipping, the event, and the work announcement.
 * Tiers and the run are settled by the caller (`settle`).
 */
export async function transition(trx: Trx, now: Date, locked: LockedRun, phase: PhaseRow, t: Transition): Promise<PhaseRow> {
  const { run } = locked;
  const from = phase.state;
  const requeue = t.requeueSkipped === true && from === RETRY_REQUEUE.from && t.to === RETRY_REQUEUE.to;
  if (!canTransition(from, t.to) && !requeue) throw illegal(phase, t.to);
  if (RUN_TRANSITIONS[run.state].length === 0) {
    throw conflict('run_finished', `run ${run.run_id} is ${run.state}; its phases can no longer change`, { run_state: run.state });
  }
  const retry =
    t.to === 'FAILED' &&
    isActive(from) &&
    !t.finalizing &&
    !FINAL_FAILURES.includes(t.failureReason!) &&
    phase.attempt < phase.max_attempts;
  const to: PhaseState = retry ? 'QUEUED' : t.to;
  if (isActive(to) && !isActive(from)) {
    const busy = locked.phases.find((p) => p.phase_id !== phase.phase_id && isActive(p.state));
    if (busy) {
      throw conflict(
        'phase_active',
        `phase ${busy.phase_id} of run ${run.run_id} is ${busy.state}; phases of one run execute one at a time`,
        { active_phase_id: busy.phase_id, state: busy.state },
      );
    }
  }

  const patch: PhaseUpdate = { state: to, updated_at: now };
  let attempt = phase.attempt;
  if (from === 'QUEUED' && to === 'EXECUTING') {
    attempt += 1;
    patch.attempt = attempt;
    patch.started_at = phase.started_at ?? now;
    await startAttempt(trx, run.run_id, phase.phase_id, attempt, now);
  } else if (isActive(from) && !isActive(to)) {
    const outcome = retry ? 'failed' : (t.outcome ?? OUTCOME_OF[to]!);
    await endAttempt(trx, run.run_id, phase.phase_id, attempt, outcome, t.failureReason ?? null, now, t.message ?? null, t.newlyFailing ?? null);
    const leaseEnd: LeaseEndReason = outcome;
    await endLiveLease(trx, phase, leaseEnd, now, t.cancelLease ?? false);
  }
  if (from === 'BLOCKED') {
    await cancelPendingApprovals(trx, phase, t.actor, `the phase left BLOCKED (→ ${to})`, now);
  }
  patch.failure_reason = to === 'FAILED' ? (t.failureReason ?? null) : null;
  patch.completed_at = ['COMPLETE', 'FAILED', 'SKIPPED', 'CANCELLED'].includes(to) ? now : null;
  const updated = await updatePhase(trx, run.run_id, phase.phase_id, patch);
  replacePhase(locked, updated);
  if (to === 'CI_RUNNING') {
    locked.run = await updateRun(trx, run.run_id, { ci_runs_used: locked.run.ci_runs_used + 1, updated_at: now });
  }
  await recordEvent(trx, now, phase, 'phase_state_changed', t.actor, {
    from,
    to,
    attempt,
    ...(retry ? { requested: 'FAILED', retry: true, attempts_left: phase.max_attempts - attempt } : {}),
    ...(t.failureReason ? { failure_reason: t.failureReason } : {}),
    ...(t.message ? { message: t.message } : {}),
    ...t.payload,
  });
  if (to === 'FAILED' && !t.finalizing && run.on_phase_failure === 'stop') {
    await skipLaterPhases(trx, now, locked, updated, t.actor);
  }
  // Any change may make a phase claimable (this one requeued, or the next one of the run).
  await announceWork(trx);
  return updated;
}

export const stopSkipReason = (failedPhaseId: string) => `skipped: phase ${failedPhaseId} failed and on_phase_failure is "stop"`;

/** on_phase_failure "stop": every QUEUED phase after the failed one is SKIPPED, with the reason. */
async function skipLaterPhases(trx: Trx, now: Date, locked: LockedRun, failed: PhaseRow, actor: string) {
  const later = locked.phases.filter(
    (p) =>
      p.state === 'QUEUED' &&
      (p.tier_index > failed.tier_index || (p.tier_index === failed.tier_index && p.phase_index > failed.phase_index)),
  );
  const reason = stopSkipReason(failed.phase_id);
  for (const p of later) {
    replacePhase(
      locked,
      await updatePhase(trx, p.run_id, p.phase_id, { state: 'SKIPPED', failure_reason: reason, updated_at: now, completed_at: now }),
    );
    await recordEvent(trx, now, p, 'phase_state_changed', actor, { from: 'QUEUED', to: 'SKIPPED', attempt: p.attempt, reason });
  }
}

/** Derives every tier from its phases and writes the ones that changed, with events. */
export async function refreshTiers(trx: Trx, now: Date, locked: LockedRun, actor: string): Promise<Map<string, TierState>> {
  const states = new Map<string, TierState>();
  for (const tier of await listTiers(trx, locked.run.run_id)) {
    const next = deriveTierState(locked.phases.filter((p) => p.tier_id === tier.tier_id).map((p) => p.state));
    states.set(tier.tier_id, next);
    if (next === tier.state) continue;
    await updateTierState(trx, locked.run.run_id, tier.tier_id, next, now);
    await recordEvent(trx, now, tier, 'tier_state_changed', actor, { from: tier.state, to: next });
  }
  return states;
}

export async function moveRun(trx: Trx, now: Date, locked: LockedRun, to: RunState, failureReason: string | null, actor: string) {
  const current = locked.run;
  if (!canRunTransition(current.state, to)) {
    throw new Error(`run state machine broken: ${current.state} → ${to} for run ${current.run_id}`);
  }
  const finished = isRunFinished(to);
  locked.run = await updateRun(trx, current.run_id, {
    state: to,
    failure_reason: failureReason,
    updated_at: now,
    completed_at: finished ? now : null,
    ...(to === 'PHASE_EXECUTION' && !current.started_at ? { started_at: now } : {}),
  });
  await recordEvent(trx, now, { run_id: current.run_id }, 'run_state_changed', actor, {
    from: current.state,
    to,
    ...(failureReason ? { failure_reason: failureReason } : {}),
  });
}

/**
 * After phase changes: tiers follow their phases; the run starts on its first real work, reopens
 * when an operator retries a phase of a DONE_FAILED_* run, and is finalised exactly once when no
 * phase can run any more (SPEC §4.6).
 */
export async function settle(trx: Trx, now: Date, locked: LockedRun, actor: string, working: boolean) {
  const tiers = await refreshTiers(trx, now, locked, actor);
  if (working && (locked.run.state === 'RUN_CREATED' || isRunFinished(locked.run.state))) {
    await moveRun(trx, now, locked, 'PHASE_EXECUTION', null, actor);
  }
  const verdict = isRunFinished(locked.run.state) ? null : finalRunVerdict(locked.phases);
  if (verdict) await moveRun(trx, now, locked, verdict.state, verdict.failure_reason, actor);
  return tiers;
}

export function answer(locked: LockedRun, phase: PhaseRow, tiers: Map<string, TierState>): UpdateStatusResponse {
  const updated = locked.phases.find((p) => p.phase_id === phase.phase_id)!;
  const { run } = locked;
  return {
    phase: toPhase(updated),
    tier: { tier_id: updated.tier_id, state: tiers.get(updated.tier_id)! },
    run: {
      run_id: run.run_id,
      state: run.state,
      failure_reason: run.failure_reason,
      completed_at: run.completed_at ? run.completed_at.toISOString() : null,
    },
  };
}

/** One change and its consequences, on a run the caller has locked. */
export async function changeLocked(trx: Trx, now: Date, locked: LockedRun, phase: PhaseRow, t: Transition): Promise<UpdateStatusResponse> {
  const updated = await transition(trx, now, locked, phase, t);
  const tiers = await settle(trx, now, locked, t.actor, updated.state !== 'SKIPPED' && updated.state !== 'CANCELLED');
  return answer(locked, updated, tiers);
}
