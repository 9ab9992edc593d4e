import { OPEN_PHASE_STATES, type PhaseState, type RunState, type TierState } from '@autopack/contracts';

/** SPEC §4.1: a tier's state follows from its phases' states. */
export function deriveTierState(states: readonly PhaseState[]): TierState {
  if (states.length === 0 || states.every((s) => s === 'SKIPPED')) return 'SKIPPED';
  if (states.every((s) => s === 'COMPLETE' || s === 'SKIPPED')) return 'COMPLETE';
  if (states.every((s) => s === 'QUEUED')) return 'PENDING';
  const settled = states.every((s) => !OPEN_PHASE_STATES.includes(s));
  // FAILED and CANCELLED are FAILED for the tier, once nothing in it can still run.
  return settled ? 'FAILED' : 'IN_PROGRESS';
}

export interface PhaseOutcome {
  phase_id: string;
  state: PhaseState;
  failure_reason: string | null;
}

export interface RunVerdict {
  state: RunState;
  failure_reason: string | null;
}

/**
 * SPEC §4.6: once no phase can run any more, the run's final state. `null` while work remains.
 * `phases` must be in execution order: the first failure is the one named.
 */
export function finalRunVerdict(phases: readonly PhaseOutcome[]): RunVerdict | null {
  if (phases.some((p) => OPEN_PHASE_STATES.includes(p.state))) return null;
  if (phases.every((p) => p.state === 'COMPLETE' || p.state === 'SKIPPED')) {
    return { state: 'DONE_SUCCESS', failure_reason: null };
  }
  const rejected = phases.find((p) => p.state === 'FAILED' && p.failure_reason === 'policy_rejected');
  if (rejected) {
    return {
      state: 'DONE_FAILED_POLICY_VIOLATION',
      failure_reason: `phase ${rejected.phase_id}: governance rejected the change`,
    };
  }
  const first = phases.find((p) => p.state === 'FAILED' || p.state === 'CANCELLED')!;
  const why = first.state === 'FAILED' ? `failed (${first.failure_reason ?? 'no reason given'})` : 'was cancelled';
  return { state: 'DONE_FAILED_REQUIRES_HUMAN_REVIEW', failure_reason: `phase ${first.phase_id} ${why}` };
}
