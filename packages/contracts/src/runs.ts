import { z } from 'zod';
import { CommitSha, Count, Identifier, queryInteger, Timestamp } from './common';
import { IntentionRefs, PhaseCi, PhaseScope, RunSettings } from './run-plan';
import { PHASE_STATES, PhaseState, RunState, TierState } from './states';

const nullableText = z.string().nullable();

/** What runs and phases both keep about their progress. */
const progressFields = {
  tokens_used: Count,
  minor_issues_count: Count,
  major_issues_count: Count,
  failure_reason: nullableText,
  created_at: Timestamp,
  updated_at: Timestamp,
  started_at: Timestamp.nullable(),
  completed_at: Timestamp.nullable(),
};

/**
 * The predecessor's RunResponse fields that are not ours by another name. Its clients read `id`;
 * the rest are derived (see docs/migration.md).
 */
const predecessorRunFields = {
  id: Identifier.describe('= run_id (the predecessor\'s name for it)'),
  ci_runs_used: Count.describe('How many times a phase of this run entered CI_RUNNING'),
  promotion_eligible_to_main: z.enum(['true', 'false']).describe('"true" when the run is DONE_SUCCESS with no major issue (a string, as the predecessor sent it)'),
  debt_status: z.enum(['clean', 'has_minor_issues', 'has_major_issues']).describe('From the run\'s issue counters'),
};

export const Run = z.strictObject({
  ...predecessorRunFields,
  run_id: Identifier,
  state: RunState,
  safety_profile: RunSettings.shape.safety_profile.unwrap(),
  run_scope: RunSettings.shape.run_scope.unwrap(),
  token_cap: Count,
  max_phases: Count,
  max_duration_minutes: Count,
  goal_anchor: nullableText,
  repo: z
    .strictObject({
      path: z.string().optional(),
      url: z.string().optional(),
      base_ref: z.string().optional(),
    })
    .nullable()
    .describe('null: the run is externally driven (no executor claims its phases)'),
  base_commit: CommitSha.nullable().describe(
    'The commit base_ref resolved to when the first executor prepared the workspace; every rebuild starts from it',
  ),
  on_phase_failure: RunSettings.shape.on_phase_failure.unwrap(),
  ...progressFields,
});
export type Run = z.infer<typeof Run>;

export const Tier = z.strictObject({
  id: Identifier.describe('= tier_id (the predecessor\'s TierResponse.id was a row number; ours is the tier_id)'),
  cleanliness: z.enum(['clean', 'not_clean']).describe('"not_clean" once a major issue was recorded in the tier'),
  run_id: Identifier,
  tier_id: Identifier,
  tier_index: Count,
  name: z.string(),
  description: nullableText,
  state: TierState,
  minor_issues_count: Count,
  major_issues_count: Count,
});
export type Tier = z.infer<typeof Tier>;

export const Phase = z.strictObject({
  id: Identifier.describe('= phase_id (the predecessor\'s PhaseResponse.id was a row number; ours is the phase_id)'),
  run_id: Identifier,
  phase_id: Identifier,
  tier_id: Identifier,
  tier_index: Count,
  phase_index: Count,
  name: z.string(),
  description: nullableText,
  task_category: nullableText,
  complexity: z.enum(['low', 'medium', 'high']).nullable(),
  builder_mode: nullableText,
  builder_kind: nullableText.describe('Kind of builder the plan chose ("patch", "command", ...); null = executor default'),
  scope: PhaseScope.describe('As given in the plan (allowed_paths joined into paths); keys this server does not interpret are kept'),
  intention_refs: IntentionRefs.nullable(),
  ci: PhaseCi.nullable(),
  max_attempts: Count,
  attempt: Count.describe('Attempts started so far (0 before the first claim)'),
  state: PhaseState,
  ...progressFields,
});
export type Phase = z.infer<typeof Phase>;

export const TierWithPhases = Tier.extend({ phases: z.array(Phase) });
export type TierWithPhases = z.infer<typeof TierWithPhases>;

/**
 * `GET /runs/{run_id}`: the predecessor's flat RunResponse (`id`, `state`, …, `tiers[]` with their
 * `phases[]`, and a flat `phases[]`) with our run fields as additional keys.
 */
export const RunDetail = Run.extend({
  tiers: z.array(TierWithPhases),
  phases: z.array(Phase).describe('All phases in execution order (tier_index, phase_index)'),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const PlanWarning = z.strictObject({
  path: z.string().describe('Where in the plan, e.g. "phases.0.scope.ci"'),
  message: z.string(),
});
export type PlanWarning = z.infer<typeof PlanWarning>;

/** The answer of `POST /runs/start` and `POST /runs/import`. */
export const StartedRun = RunDetail.extend({
  warnings: z.array(PlanWarning).describe('What the plan holds that this server keeps but does not interpret'),
});
export type StartedRun = z.infer<typeof StartedRun>;

export const PhaseCounts = z.strictObject({
  total: Count,
  ...(Object.fromEntries(PHASE_STATES.map((s) => [s, Count])) as Record<PhaseState, typeof Count>),
});
export type PhaseCounts = z.infer<typeof PhaseCounts>;

export const CurrentPhase = z.strictObject({
  phase_id: Identifier,
  tier_id: Identifier,
  name: z.string(),
  state: PhaseState,
});
export type CurrentPhase = z.infer<typeof CurrentPhase>;

export const RunSummary = Run.extend({
  phase_counts: PhaseCounts,
  current_phase: CurrentPhase.nullable().describe('The active phase, else the next queued one, else null'),
  phases_total: Count,
  phases_completed: Count.describe('Phases COMPLETE'),
  current_phase_name: z.string().nullable().describe('Name of current_phase (predecessor field)'),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RUN_LIST_MAX_LIMIT = 100;

export const RunListQuery = z
  .strictObject({
    limit: queryInteger(1, RUN_LIST_MAX_LIMIT).prefault(20),
    offset: queryInteger(0, 1_000_000).optional(),
    cursor: z.string().min(1).max(512).optional().describe('Opaque; from next_cursor of the previous page'),
    state: RunState.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.offset !== undefined && q.cursor !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'use either "cursor" or "offset", not both' });
    }
  });
export type RunListQuery = z.infer<typeof RunListQuery>;

export const RunPage = z.strictObject({
  runs: z.array(RunSummary).describe('Newest first (created_at, then run_id, descending)'),
  limit: Count,
  offset: Count.nullable(),
  next_cursor: z.string().nullable().describe('Stable under inserts: pass it as "cursor" for the next page'),
  total: Count.describe('Runs matching the filter, over all pages'),
});
export type RunPage = z.infer<typeof RunPage>;

export const TierProgress = z.strictObject({
  tier_id: Identifier,
  name: z.string(),
  state: TierState,
  phases_total: Count,
  phases_complete: Count,
});

export const PhaseProgress = z.strictObject({
  phase_id: Identifier,
  tier_id: Identifier,
  name: z.string(),
  state: PhaseState,
  phase_index: Count,
  tokens_used: Count,
  builder_attempts: Count.describe('Attempts started so far'),
});

export const RunProgress = z.strictObject({
  run_id: Identifier,
  elapsed_seconds: Count.nullable().describe('From started_at to completed_at (or now); null before the run started'),
  phases_total: Count,
  phases_completed: Count.describe('Phases COMPLETE'),
  phases_in_progress: Count.describe('Phases EXECUTING, GATE or CI_RUNNING'),
  phases_pending: Count.describe('Phases QUEUED'),
  phases: z.array(PhaseProgress).describe('Every phase in execution order'),
  state: RunState,
  phase_counts: PhaseCounts,
  percent_complete: z.number().min(0).max(100).describe('Share of phases that are COMPLETE or SKIPPED'),
  current_phase: CurrentPhase.nullable(),
  tiers: z.array(TierProgress),
  tokens_used: Count,
  token_cap: Count,
  failure_reason: nullableText,
  started_at: Timestamp.nullable(),
  completed_at: Timestamp.nullable(),
});
export type RunProgress = z.infer<typeof RunProgress>;

export const RunPathParams = z.strictObject({ run_id: Identifier });
export const PhasePathParams = z.strictObject({ run_id: Identifier, phase_id: Identifier });
