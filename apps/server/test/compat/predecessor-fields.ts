/**
 * The field lists of the predecessor's response models (hshk99/Autopack: src/autopack/schemas.py,
 * api/routes/runs.py), written out by hand: its clients read these keys, so every answer of ours
 * must carry them (ours may carry more).
 */
export const RUN_RESPONSE = [
  'id',
  'state',
  'safety_profile',
  'run_scope',
  'created_at',
  'started_at',
  'completed_at',
  'tokens_used',
  'ci_runs_used',
  'minor_issues_count',
  'major_issues_count',
  'promotion_eligible_to_main',
  'debt_status',
  'failure_reason',
  'tiers',
  'phases',
] as const;

export const TIER_RESPONSE = ['id', 'tier_id', 'name', 'state', 'tier_index', 'cleanliness', 'minor_issues_count', 'major_issues_count', 'phases'] as const;

export const PHASE_RESPONSE = [
  'id',
  'phase_id',
  'run_id',
  'tier_id',
  'name',
  'description',
  'state',
  'task_category',
  'complexity',
  'builder_mode',
  'phase_index',
  'scope',
  'intention_refs',
] as const;

/** `GET /runs`: the page and each item. */
export const RUN_LIST = ['runs', 'total', 'limit', 'offset'] as const;
export const RUN_LIST_ITEM = ['id', 'state', 'created_at', 'tokens_used', 'token_cap', 'phases_total', 'phases_completed', 'current_phase_name'] as const;

/** `GET /runs/{run_id}/progress` and each of its phases. */
export const RUN_PROGRESS = [
  'run_id',
  'state',
  'started_at',
  'completed_at',
  'elapsed_seconds',
  'tokens_used',
  'token_cap',
  'phases_total',
  'phases_completed',
  'phases_in_progress',
  'phases_pending',
  'phases',
] as const;
export const PROGRESS_PHASE = ['phase_id', 'name', 'state', 'phase_index', 'tokens_used', 'builder_attempts'] as const;

/** Asserts `body` has every key of `fields` (values may be null where the predecessor's were Optional). */
export function expectFields(body: unknown, fields: readonly string[], where: string): void {
  expect(body).toEqual(expect.any(Object));
  const missing = fields.filter((f) => !Object.prototype.hasOwnProperty.call(body, f));
  expect({ where, missing }).toEqual({ where, missing: [] });
}
