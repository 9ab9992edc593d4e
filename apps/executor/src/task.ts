import type { BuilderSpec, PhaseCi, PhaseScope } from '@autopack/contracts';

/** What one attempt of a phase is about: everything a builder or auditor may need to know. */
export interface PhaseTask {
  runId: string;
  phaseId: string;
  attempt: number;
  name: string;
  description: string | null;
  /** The run's goal_anchor: the intent every phase serves. */
  goal: string | null;
  scope: PhaseScope;
  ci: PhaseCi | null;
  builder: BuilderSpec | null;
}

/** What earlier attempts of the same phase taught (SPEC §4.6: kept for the builder). */
export interface AttemptFeedback {
  attempt: number;
  failureReason: string | null;
  message: string | null;
  /** Sorted test ids that broke, when tests were the reason. */
  newlyFailing: string[];
  /** Auditor issues, in its words. */
  auditorIssues: string[];
}

/** One LLM call, successful or not: the server sums these into tokens_used (SPEC §4.5). */
export interface UsageRecord {
  provider: string;
  model: string;
  role: 'builder' | 'auditor';
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  succeeded: boolean;
}
