import { z } from 'zod';
import { CommitSha, Count, Identifier, JsonObject, queryInteger, Severity, Timestamp } from './common';
import { Phase } from './runs';
import { PhaseState, RunState, TierState } from './states';

/** Machine-readable reasons an attempt failed (SPEC §5), plus operator and policy outcomes. */
export const FAILURE_REASONS = [
  'patch_apply_error',
  'ci_fail',
  'auditor_reject',
  'policy_violation',
  'policy_rejected',
  'budget',
  'empty_patch',
  'builder_error',
  'timeout',
  'workspace_error',
  'lease_expired',
  'operator',
] as const;
export const FailureReason = z.enum(FAILURE_REASONS);
export type FailureReason = z.infer<typeof FailureReason>;

/** `POST /runs/{run_id}/phases/{phase_id}/update_status` */
export const UpdateStatusRequest = z
  .strictObject({
    state: PhaseState,
    failure_reason: FailureReason.optional().describe('Why the phase failed; required with state FAILED'),
    message: z.string().max(4000).optional().describe('Human-readable note stored with the event'),
    base_commit: CommitSha.optional().describe(
      "The commit the run's base_ref resolved to, reported once by the executor that first prepared the workspace; pinned on the run (a different one later is 409 base_commit_mismatch)",
    ),
  })
  .superRefine((body, ctx) => {
    if (body.state === 'FAILED' && body.failure_reason === undefined) {
      ctx.addIssue({ code: 'custom', path: ['failure_reason'], message: 'required when state is FAILED' });
    }
    if (body.state !== 'FAILED' && body.failure_reason !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['failure_reason'], message: 'only allowed when state is FAILED' });
    }
  });
export type UpdateStatusRequest = z.infer<typeof UpdateStatusRequest>;

export const UpdateStatusResponse = z.strictObject({
  phase: Phase,
  tier: z.strictObject({ tier_id: Identifier, state: TierState }),
  run: z.strictObject({
    run_id: Identifier,
    state: RunState,
    failure_reason: z.string().nullable(),
    completed_at: Timestamp.nullable(),
  }),
});
export type UpdateStatusResponse = z.infer<typeof UpdateStatusResponse>;

const tokens = z.int().min(0).max(1_000_000_000);
const usageSource = {
  provider: z.string().min(1).max(64).optional().describe('LLM provider that produced the tokens'),
  model: z.string().min(1).max(200).optional(),
};

/** The predecessor's BuilderResult (SPEC §4.5); ids must equal the path ids. */
export const BuilderResult = z.strictObject({
  phase_id: Identifier,
  run_id: Identifier,
  status: z.enum(['success', 'failed', 'needs_review']),
  patch_content: z.string().max(8 * 1024 * 1024).nullable().optional(),
  files_changed: z.array(z.string().max(4096)).max(10_000).default([]),
  lines_added: z.int().min(0).default(0),
  lines_removed: z.int().min(0).default(0),
  tokens_used: tokens.default(0),
  duration_minutes: z.number().min(0).max(100_000).default(0),
  probe_results: z.array(JsonObject).max(1000).default([]),
  suggested_issues: z.array(JsonObject).max(1000).default([]),
  notes: z.string().max(100_000).nullable().optional(),
  ...usageSource,
});
export type BuilderResult = z.infer<typeof BuilderResult>;

export const AuditorResult = z.strictObject({
  phase_id: Identifier,
  run_id: Identifier,
  review_notes: z.string().max(100_000).default(''),
  issues_found: z.array(JsonObject).max(1000).default([]),
  suggested_patches: z.array(z.string().max(2 * 1024 * 1024)).max(100).default([]),
  recommendation: z.enum(['approve', 'revise', 'escalate']),
  confidence: z.enum(['high', 'medium', 'low']),
  tokens_used: tokens.default(0),
  ...usageSource,
});
export type AuditorResult = z.infer<typeof AuditorResult>;

/** Answer of builder_result and auditor_result: what was stored, for which attempt. */
export const ResultReceipt = z.strictObject({
  id: Count,
  run_id: Identifier,
  phase_id: Identifier,
  attempt: Count,
  created_at: Timestamp,
});
export type ResultReceipt = z.infer<typeof ResultReceipt>;

export const RecordIssueRequest = z.strictObject({
  issue_key: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' }),
  severity: Severity,
  source: z.string().min(1).max(64),
  category: z.string().min(1).max(64),
  evidence_refs: z.array(z.string().min(1).max(1024)).max(100).default([]),
  description: z.string().max(4000).optional(),
});
export type RecordIssueRequest = z.infer<typeof RecordIssueRequest>;

export const PhaseIssue = z.strictObject({
  run_id: Identifier,
  phase_id: Identifier,
  tier_id: Identifier,
  issue_key: z.string(),
  severity: Severity,
  source: z.string(),
  category: z.string(),
  evidence_refs: z.array(z.string()),
  description: z.string().nullable(),
  occurrence_count: Count,
  first_seen_at: Timestamp,
  last_seen_at: Timestamp,
});
export type PhaseIssue = z.infer<typeof PhaseIssue>;

export const RecordIssueResponse = z.strictObject({
  issue: PhaseIssue,
  created: z.boolean().describe('false when the issue_key was already recorded for this phase'),
});
export type RecordIssueResponse = z.infer<typeof RecordIssueResponse>;

export const BacklogQuery = z.strictObject({
  limit: queryInteger(1, 200).prefault(50),
  offset: queryInteger(0, 1_000_000).prefault(0),
});
export type BacklogQuery = z.infer<typeof BacklogQuery>;

export const BacklogEntry = z.strictObject({
  issue_key: z.string(),
  severity: Severity.describe('major if any occurrence was major'),
  categories: z.array(z.string()),
  occurrences: Count,
  runs_affected: Count,
  phases_affected: Count,
  first_seen_at: Timestamp,
  last_seen_at: Timestamp,
});
export type BacklogEntry = z.infer<typeof BacklogEntry>;

export const BacklogPage = z.strictObject({
  issues: z.array(BacklogEntry).describe('major before minor, then most occurrences, then issue_key'),
  limit: Count,
  offset: Count,
  total: Count,
});
export type BacklogPage = z.infer<typeof BacklogPage>;
