import { z } from 'zod';

export const RUN_STATES = [
  'RUN_CREATED',
  'PHASE_EXECUTION',
  'DONE_SUCCESS',
  'DONE_FAILED_BUDGET_EXHAUSTED',
  'DONE_FAILED_POLICY_VIOLATION',
  'DONE_FAILED_REQUIRES_HUMAN_REVIEW',
  'DONE_FAILED_ENVIRONMENT',
  'CANCELLED',
] as const;
export const RunState = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunState>;

export const TIER_STATES = ['PENDING', 'IN_PROGRESS', 'COMPLETE', 'FAILED', 'SKIPPED'] as const;
export const TierState = z.enum(TIER_STATES);
export type TierState = z.infer<typeof TierState>;

export const PHASE_STATES = [
  'QUEUED',
  'EXECUTING',
  'GATE',
  'CI_RUNNING',
  'BLOCKED',
  'COMPLETE',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
] as const;
export const PhaseState = z.enum(PHASE_STATES);
export type PhaseState = z.infer<typeof PhaseState>;

/** SPEC §4.1: the only phase transitions any writer may make. */
export const PHASE_TRANSITIONS: Readonly<Record<PhaseState, readonly PhaseState[]>> = {
  QUEUED: ['EXECUTING', 'SKIPPED', 'CANCELLED'],
  EXECUTING: ['GATE', 'CI_RUNNING', 'COMPLETE', 'FAILED', 'BLOCKED', 'QUEUED', 'CANCELLED'],
  GATE: ['CI_RUNNING', 'EXECUTING', 'COMPLETE', 'FAILED', 'BLOCKED', 'QUEUED', 'CANCELLED'],
  CI_RUNNING: ['GATE', 'COMPLETE', 'FAILED', 'BLOCKED', 'QUEUED', 'CANCELLED'],
  BLOCKED: ['QUEUED', 'FAILED', 'CANCELLED'],
  FAILED: ['QUEUED'],
  COMPLETE: [],
  SKIPPED: [],
  CANCELLED: [],
};

/**
 * The one way out of SKIPPED, open only to an operator's retry (never to a plain state change): retrying
 * the FAILED phase whose failure made `on_phase_failure: "stop"` skip the later phases queues those
 * phases again. Otherwise the resumed run would finish DONE_SUCCESS without the work it skipped.
 */
export const RETRY_REQUEUE = { from: 'SKIPPED', to: 'QUEUED' } as const satisfies { from: PhaseState; to: PhaseState };

const DONE_FAILED: readonly RunState[] = [
  'DONE_FAILED_BUDGET_EXHAUSTED',
  'DONE_FAILED_POLICY_VIOLATION',
  'DONE_FAILED_REQUIRES_HUMAN_REVIEW',
  'DONE_FAILED_ENVIRONMENT',
];

/** SPEC §4.1: runs finish once; a DONE_FAILED_* run resumes when an operator retries a phase. */
export const RUN_TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  RUN_CREATED: ['PHASE_EXECUTION', 'DONE_SUCCESS', ...DONE_FAILED, 'CANCELLED'],
  PHASE_EXECUTION: ['DONE_SUCCESS', ...DONE_FAILED, 'CANCELLED'],
  DONE_FAILED_BUDGET_EXHAUSTED: ['PHASE_EXECUTION'],
  DONE_FAILED_POLICY_VIOLATION: ['PHASE_EXECUTION'],
  DONE_FAILED_REQUIRES_HUMAN_REVIEW: ['PHASE_EXECUTION'],
  DONE_FAILED_ENVIRONMENT: ['PHASE_EXECUTION'],
  DONE_SUCCESS: [],
  CANCELLED: [],
};

/** Phases an executor is working on (they hold the run's workspace). */
export const ACTIVE_PHASE_STATES: readonly PhaseState[] = ['EXECUTING', 'GATE', 'CI_RUNNING'];
/** Phases that may still change without an operator: active, waiting for work or for approval. */
export const OPEN_PHASE_STATES: readonly PhaseState[] = ['QUEUED', ...ACTIVE_PHASE_STATES, 'BLOCKED'];
export const FINISHED_RUN_STATES: readonly RunState[] = ['DONE_SUCCESS', ...DONE_FAILED, 'CANCELLED'];

/** Whether a phase may go from one state to the other (SPEC §4.1). */
export function canTransition(from: PhaseState, to: PhaseState): boolean {
  return PHASE_TRANSITIONS[from]?.includes(to) ?? false;
}

/** Whether a run may go from one state to the other. (CANCELLED names both a run and a phase state.) */
export function canRunTransition(from: RunState, to: RunState): boolean {
  return RUN_TRANSITIONS[from]?.includes(to) ?? false;
}

export function isRunFinished(state: RunState): boolean {
  return FINISHED_RUN_STATES.includes(state);
}
