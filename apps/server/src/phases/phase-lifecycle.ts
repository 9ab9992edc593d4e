import {
  ACTIVE_PHASE_STATES,
  PHASE_TRANSITIONS,
  RUN_TRANSITIONS,
  canRunTransition,
  canTransition,
  isRunFinished,
  type FailureReason,
  type PhaseState,
  type RunState,
  type UpdateStatusResponse,
} from '@autopack/contracts';
import {
  appendEvent,
  endAttempt,
  findRun,
  listPhases,
  listTiers,
  startAttempt,
  toPhase,
  transaction,
  updatePhase,
  updateRun,
  updateTierState,
  type AttemptOutcome,
  type Db,
  type PhaseRow,
  type PhaseUpdate,
  type RunRow,
  type Trx,
} from '@autopack/db';
import type { Clock } from '../clock';
import { conflict, notFound } from '../http/app-error';
import { deriveTierState, finalRunVerdict } from './derive-states';

export interface PhaseChange {
  runId: string;
  phaseId: string;
  to: PhaseState;
  failureReason?: FailureReason;
  message?: string;
  actor: string;
}

/**
 * The only code that changes the state of a phase, and through it of tiers and runs (SPEC §4.1,
 * §4.6). One transaction: the phase, the phases it skips, the derived tier states, the run's state
 * and one event per change commit together or not at all.
 */
export async function changePhaseState(db: Db, clock: Clock, change: PhaseChange): Promise<UpdateStatusResponse> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const { run, phases } = await lockRunPhases(trx, change.runId);
    const phase = phases.find((p) => p.phase_id === change.phaseId);
    if (!phase) throw notFound('phase_not_found', `run ${change.runId} has no phase ${change.phaseId}`);
    const from = phase.state;
    if (!canTransition(from, change.to)) {
      const allowed = PHASE_TRANSITIONS[from];
      throw conflict(
        'illegal_transition',
        `illegal transition ${from} → ${change.to} for phase ${phase.phase_id}; from ${from} the allowed states are: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
        { from, to: change.to, allowed },
      );
    }
    if (RUN_TRANSITIONS[run.state].length === 0) {
      throw conflict('run_finished', `run ${run.run_id} is ${run.state}; its phases can no longer change`, {
        run_state: run.state,
      });
    }
    if (ACTIVE_PHASE_STATES.includes(change.to) && !ACTIVE_PHASE_STATES.includes(from)) {
      const busy = phases.find((p) => p.phase_id !== phase.phase_id && ACTIVE_PHASE_STATES.includes(p.state));
      if (busy) {
        throw conflict(
          'phase_active',
          `phase ${busy.phase_id} of run ${run.run_id} is ${busy.state}; phases of one run execute one at a time`,
          { active_phase_id: busy.phase_id, state: busy.state },
        );
      }
    }

    const updated = await applyPhaseChange(trx, now, run, phase, change);
    replace(phases, updated);
    const touchedTiers = new Set([phase.tier_id]);
    if (change.to === 'FAILED' && run.on_phase_failure === 'stop') {
      for (const skipped of await skipLaterPhases(trx, now, phases, phase, change.actor)) {
        replace(phases, skipped);
        touchedTiers.add(skipped.tier_id);
      }
    }
    const tiers = await refreshTiers(trx, now, run.run_id, phases, touchedTiers, change.actor);
    const finalRun = await refreshRun(trx, now, run, phases, change);
    return {
      phase: toPhase(updated),
      tier: { tier_id: updated.tier_id, state: tiers.get(updated.tier_id)! },
      run: {
        run_id: finalRun.run_id,
        state: finalRun.state,
        failure_reason: finalRun.failure_reason,
        completed_at: finalRun.completed_at ? finalRun.completed_at.toISOString() : null,
      },
    };
  });
}

/** Locks the run row first: all writers of a run queue here, so they never interleave. */
export async function lockRunPhases(trx: Trx, runId: string): Promise<{ run: RunRow; phases: PhaseRow[] }> {
  const run = await findRun(trx, runId, { lock: true });
  if (!run) throw notFound('run_not_found', `no run ${runId}`);
  return { run, phases: await listPhases(trx, runId) };
}

const ATTEMPT_OUTCOME: Partial<Record<PhaseState, Exclude<AttemptOutcome, 'running'>>> = {
  COMPLETE: 'complete',
  FAILED: 'failed',
  QUEUED: 'requeued',
  CANCELLED: 'cancelled',
  BLOCKED: 'blocked',
};

async function applyPhaseChange(trx: Trx, now: Date, run: RunRow, phase: PhaseRow, change: PhaseChange) {
  const from = phase.state;
  const to = change.to;
  const patch: PhaseUpdate = { state: to, updated_at: now };
  let attempt = phase.attempt;
  if (from === 'QUEUED' && to === 'EXECUTING') {
    attempt += 1;
    patch.attempt = attempt;
    patch.started_at = phase.started_at ?? now;
    await startAttempt(trx, run.run_id, phase.phase_id, attempt, now);
  } else if (ACTIVE_PHASE_STATES.includes(from) && !ACTIVE_PHASE_STATES.includes(to)) {
    await endAttempt(trx, run.run_id, phase.phase_id, attempt, ATTEMPT_OUTCOME[to]!, change.failureReason ?? null, now);
  }
  if (to === 'FAILED') patch.failure_reason = change.failureReason ?? null;
  if (to === 'QUEUED') patch.failure_reason = null;
  patch.completed_at = ['COMPLETE', 'FAILED', 'SKIPPED', 'CANCELLED'].includes(to) ? now : null;
  const updated = await updatePhase(trx, run.run_id, phase.phase_id, patch);
  await appendEvent(trx, {
    run_id: run.run_id,
    tier_id: phase.tier_id,
    phase_id: phase.phase_id,
    type: 'phase_state_changed',
    actor: change.actor,
    payload: {
      from,
      to,
      attempt,
      ...(change.failureReason ? { failure_reason: change.failureReason } : {}),
      ...(change.message ? { message: change.message } : {}),
    },
    created_at: now,
  });
  return updated;
}

/** on_phase_failure "stop": every QUEUED phase after the failed one is SKIPPED, with the reason. */
async function skipLaterPhases(trx: Trx, now: Date, phases: PhaseRow[], failed: PhaseRow, actor: string) {
  const later = phases.filter(
    (p) =>
      p.state === 'QUEUED' &&
      (p.tier_index > failed.tier_index || (p.tier_index === failed.tier_index && p.phase_index > failed.phase_index)),
  );
  const reason = `skipped: phase ${failed.phase_id} failed and on_phase_failure is "stop"`;
  const skipped: PhaseRow[] = [];
  for (const p of later) {
    skipped.push(
      await updatePhase(trx, p.run_id, p.phase_id, { state: 'SKIPPED', failure_reason: reason, updated_at: now, completed_at: now }),
    );
    await appendEvent(trx, {
      run_id: p.run_id,
      tier_id: p.tier_id,
      phase_id: p.phase_id,
      type: 'phase_state_changed',
      actor,
      payload: { from: 'QUEUED', to: 'SKIPPED', attempt: p.attempt, reason },
      created_at: now,
    });
  }
  return skipped;
}

async function refreshTiers(trx: Trx, now: Date, runId: string, phases: PhaseRow[], touched: Set<string>, actor: string) {
  const states = new Map<string, ReturnType<typeof deriveTierState>>();
  for (const tier of await listTiers(trx, runId)) {
    const next = deriveTierState(phases.filter((p) => p.tier_id === tier.tier_id).map((p) => p.state));
    states.set(tier.tier_id, next);
    if (!touched.has(tier.tier_id) || next === tier.state) continue;
    await updateTierState(trx, runId, tier.tier_id, next, now);
    await appendEvent(trx, {
      run_id: runId,
      tier_id: tier.tier_id,
      type: 'tier_state_changed',
      actor,
      payload: { from: tier.state, to: next },
      created_at: now,
    });
  }
  return states;
}

async function refreshRun(trx: Trx, now: Date, run: RunRow, phases: PhaseRow[], change: PhaseChange): Promise<RunRow> {
  let current = run;
  const moveRun = async (to: RunState, failureReason: string | null) => {
    if (!canRunTransition(current.state, to)) {
      throw new Error(`run state machine broken: ${current.state} → ${to} for run ${current.run_id}`);
    }
    const from = current.state;
    const finished = isRunFinished(to);
    current = await updateRun(trx, current.run_id, {
      state: to,
      failure_reason: failureReason,
      updated_at: now,
      completed_at: finished ? now : null,
      ...(to === 'PHASE_EXECUTION' && !current.started_at ? { started_at: now } : {}),
    });
    await appendEvent(trx, {
      run_id: current.run_id,
      type: 'run_state_changed',
      actor: change.actor,
      payload: { from, to, ...(failureReason ? { failure_reason: failureReason } : {}) },
      created_at: now,
    });
  };

  const working = change.to !== 'SKIPPED' && change.to !== 'CANCELLED';
  if (working && (current.state === 'RUN_CREATED' || isRunFinished(current.state))) {
    // First real work, or an operator retry that reopens a DONE_FAILED_* run.
    await moveRun('PHASE_EXECUTION', null);
  }
  const verdict = isRunFinished(current.state) ? null : finalRunVerdict(phases);
  if (verdict) await moveRun(verdict.state, verdict.failure_reason);
  return current;
}

function replace(phases: PhaseRow[], updated: PhaseRow): void {
  const i = phases.findIndex((p) => p.phase_id === updated.phase_id);
  phases[i] = updated;
}
