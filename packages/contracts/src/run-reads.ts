import { z } from 'zod';
import { Count, Identifier, JsonObject, queryInteger, Severity, Timestamp } from './common';
import { FAILURE_REASONS, type FailureReason } from './phase-writes';
import { Phase } from './runs';
import { PhaseState } from './states';

/*
 * Reads that the predecessor's tools call, in the predecessor's shapes (issue 13): the run's issue
 * index, its failures ("errors") and their summary, and the paged list of phases. Fields the
 * predecessor had keep its names and meaning; our additions are extra keys, never wrappers.
 */

/* ------------------------------------------------------------ GET /runs/{run_id}/issues/index */

export const RunIssueIndexEntry = z.strictObject({
  category: z.string().describe('Category of the first recording of this key in the run'),
  severity: Severity.describe('Severity of the first recording of this key in the run'),
  effective_severity: Severity.describe('"major" when any recording of this key in the run was major, else "minor"'),
  first_phase_index: Count.describe('phase_index of the phase where the key was first recorded'),
  last_phase_index: Count.describe('phase_index of the phase where the key was last recorded'),
  occurrence_count: Count.describe('Times the key was recorded in the run, over all its phases'),
  seen_in_tiers: z.array(Identifier).describe('Tiers where the key was recorded, in order of first recording'),
  seen_in_phases: z.array(Identifier).describe('Phases where the key was recorded, in order of first recording'),
  first_phase_id: Identifier.describe('The phase of first_phase_index (phase_index alone is only unique within a tier)'),
  last_phase_id: Identifier.describe('The phase of last_phase_index'),
  first_seen_at: Timestamp,
  last_seen_at: Timestamp,
  evidence_refs: z.array(z.string()).describe('Evidence references of every recording, without repeats, in order of first recording'),
});
export type RunIssueIndexEntry = z.infer<typeof RunIssueIndexEntry>;

export const RunIssueIndex = z.strictObject({
  run_id: Identifier,
  issues_by_key: z
    .record(z.string(), RunIssueIndexEntry)
    .describe('One entry per issue_key recorded in the run (record_issue), keys in order of first recording'),
});
export type RunIssueIndex = z.infer<typeof RunIssueIndex>;

/* ------------------------------------------------------------------ GET /runs/{run_id}/errors */

/**
 * Which part of the system a failure points at, from its failure reason. The predecessor's
 * `component` named where an exception was raised; ours names the stage whose verdict failed.
 */
export const FAILURE_COMPONENTS = {
  builder_error: 'builder',
  empty_patch: 'builder',
  patch_apply_error: 'governed_apply',
  policy_violation: 'governed_apply',
  policy_rejected: 'governance',
  ci_fail: 'ci',
  auditor_reject: 'auditor',
  budget: 'budget',
  timeout: 'time_limit',
  workspace_error: 'workspace',
  lease_expired: 'lease',
  operator: 'operator',
} as const satisfies Record<FailureReason, string>;

export type ErrorComponent = (typeof FAILURE_COMPONENTS)[FailureReason] | 'run';
export const ErrorComponent = z.enum([
  'builder',
  'governed_apply',
  'governance',
  'ci',
  'auditor',
  'budget',
  'time_limit',
  'workspace',
  'lease',
  'operator',
  'run',
] as const satisfies readonly ErrorComponent[]);

export const RUN_ERRORS_MAX_LIMIT = 1000;

export const RunErrorsQuery = z.strictObject({
  after: queryInteger(0, Number.MAX_SAFE_INTEGER).prefault(0).describe('Return failures with id greater than this'),
  limit: queryInteger(1, RUN_ERRORS_MAX_LIMIT).prefault(RUN_ERRORS_MAX_LIMIT),
});
export type RunErrorsQuery = z.infer<typeof RunErrorsQuery>;

export const RunErrorEntry = z.strictObject({
  id: Count.describe('The id of the run event that recorded the failure; entries are in id order'),
  timestamp: Timestamp.describe('When the failure was recorded'),
  run_id: Identifier,
  tier_id: Identifier.nullable(),
  phase_id: Identifier.nullable().describe('Null for a failure of the run itself'),
  attempt: Count.nullable().describe('The attempt of the phase that failed; null for a failure of the run'),
  error_type: z
    .string()
    .describe(
      `A phase failure: its failure reason (${FAILURE_REASONS.join(', ')}). A failure of the run: the DONE_FAILED_* state it ended in`,
    ),
  error_message: z.string().describe('The message sent with the failure, or the run\'s failure_reason; else a sentence the server writes'),
  component: ErrorComponent.describe('The stage the failure points at (FAILURE_COMPONENTS in contracts); "run" for a failure of the run'),
  operation: z
    .string()
    .describe('What was under way: the state the phase failed in (EXECUTING, GATE, CI_RUNNING, BLOCKED), or "run_finalisation"'),
  retried: z.boolean().describe('The phase had attempts left and was queued again; false when the failure was final'),
  executor_id: z.string().nullable().describe("The executor that held the attempt's lease; null when none did"),
  actor: z.string().describe('Who reported it: a principal id, or "system:reaper" for lease expiry and time limits'),
  context_data: JsonObject.describe('Other facts recorded with the failure (lease_id, attempts_left, request_id, …)'),
});
export type RunErrorEntry = z.infer<typeof RunErrorEntry>;

export const RunErrorList = z.strictObject({
  run_id: Identifier,
  error_count: Count.describe('Failures recorded for the run in all (equals errors.length unless paged)'),
  errors: z.array(RunErrorEntry).describe('Oldest first'),
  next_after: Count.nullable().describe('Pass as "after" for the next page; null on the last page'),
});
export type RunErrorList = z.infer<typeof RunErrorList>;

export const RUN_ERROR_SUMMARY_LISTED = 100;

export const RunErrorSummary = z.strictObject({
  run_id: Identifier,
  summary: z.string().describe(`Plain text: counts, then the first ${RUN_ERROR_SUMMARY_LISTED} failures one per entry, oldest first`),
  error_count: Count,
  by_error_type: z.record(z.string(), Count).describe('Failures per error_type'),
  by_component: z.record(z.string(), Count).describe('Failures per component'),
});
export type RunErrorSummary = z.infer<typeof RunErrorSummary>;

/* ------------------------------------------------------------------------------- GET /phases */

export const PHASE_LIST_MAX_PAGE_SIZE = 100;
export const PHASE_LIST_MAX_PAGE = 100_000;

export const PhaseListQuery = z.strictObject({
  run_id: Identifier.optional().describe('Only the phases of this run'),
  state: PhaseState.optional().describe('Only phases in this state'),
  page: queryInteger(1, PHASE_LIST_MAX_PAGE).prefault(1).describe('1-based'),
  page_size: queryInteger(1, PHASE_LIST_MAX_PAGE_SIZE).prefault(50),
});
export type PhaseListQuery = z.infer<typeof PhaseListQuery>;

export const PhasePage = z.strictObject({
  items: z.array(Phase).describe('Oldest run first (run created_at, run_id), then execution order (tier_index, phase_index)'),
  total: Count.describe('Phases matching the filters, over all pages'),
  page: Count,
  page_size: Count,
  has_next: z.boolean(),
});
export type PhasePage = z.infer<typeof PhasePage>;
