import { z } from 'zod';
import { CommitSha, Count, Identifier, queryInteger, Timestamp } from './common';
import { PhaseCi, PhaseScope, RunSettings } from './run-plan';
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

export const Run = z.strictObject({
  run_id: Identifier,
  state: RunState,
  safety_profile: RunSettings.shape.safety_profile.unwrap(),
  run_scope: RunSettings.shape.run_scope.unwrap(),
  token_cap: Count,
  max_phases: Count,
  max_duration_minutes: Count,
  goal_anchor: nullableText,
  repo: z.strictObject({
    path: z.string().optional(),
    url: z.string().optional(),
    base_ref: z.string().optional(),
  }),
  base_commit: CommitSha.nullable().describe(
    'The commit base_ref resolved to when the first executor prepared the workspace; every rebuild starts from it',
  ),
  on_phase_failure: RunSettings.shape.on_phase_failure.unwrap(),
  ...progressFields,
});
export type Run = z.infer<typeof Run>;

export const Tier = z.strictObject({
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
  scope: PhaseScope,
  ci: PhaseCi.nullable(),
  max_attempts: Count,
  attempt: Count.describe('Attempts started so far (0 before the first claim)'),
  state: PhaseState,
  ...progressFields,
});
export type Phase = z.infer<typeof Phase>;

export const TierWithPhases = Tier.extend({ phases: z.array(Phase) });
export type TierWithPhases = z.infer<typeof TierWithPhases>;

/** `GET /runs/{run_id}` and the answer of `POST /runs/start`. */
export const RunDetail = z.strictObject({
  run: Run,
  tiers: z.array(TierWithPhases),
  phases: z.array(Phase).describe('All phases in execution order (tier_index, phase_index)'),
});
export type RunDetail = z.infer<typeof RunDetail>;

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
});
export type RunPage = z.infer<typeof RunPage>;

export const TierProgress = z.strictObject({
  tier_id: Identifier,
  name: z.string(),
  state: TierState,
  phases_total: Count,
  phases_complete: Count,
});

export const RunProgress = z.strictObject({
  run_id: Identifier,
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
