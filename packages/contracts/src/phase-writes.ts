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

/** Test names as the test runner reports them (a JUnit `classname::name`, a pytest node id, …). */
export const MAX_NEWLY_FAILING = 500;
export const NewlyFailingTests = z
  .array(z.string().min(1).max(1000))
  .max(MAX_NEWLY_FAILING)
  .describe(`Names of tests an attempt broke, at most ${MAX_NEWLY_FAILING}`);

/** A predecessor field that may be sent as null (its schemas default them to None). */
const predecessorOptional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/** The predecessor's quality gate verdict (PhaseStatusUpdate.quality_level). */
export const QualityLevel = z.enum(['ok', 'needs_review', 'blocked']);

/**
 * `POST /runs/{run_id}/phases/{phase_id}/update_status`. Our fields plus the predecessor's
 * PhaseStatusUpdate fields (SPEC §3: accepted; what each means here is in docs/api.md).
 */
export const UpdateStatusRequest = z
  .strictObject({
    state: PhaseState,
    failure_reason: FailureReason.optional().describe(
      'Why the phase failed; only with state FAILED. Required from an executor; an operator or admin writing without a lease may omit it (then "operator")',
    ),
    message: z.string().max(4000).optional().describe('Human-readable note stored with the event'),
    newly_failing: NewlyFailingTests.optional().describe(
      "Only with state FAILED: the tests this attempt broke (failing after its change, passing at its starting commit, failing again on a re-run). Kept on the attempt; the next attempt's claim carries them in prior_attempts[].newly_failing",
    ),
    base_commit: CommitSha.optional().describe(
      "The commit the run's base_ref resolved to, reported once by the executor that first prepared the workspace; pinned on the run (a different one later is 409 base_commit_mismatch)",
    ),
    tokens_used: predecessorOptional(z.int().min(0).max(1_000_000_000)).describe(
      "Predecessor field: the phase's cumulative token total. The increase over what is already recorded for the phase is recorded as LLM usage (never negative, so a repeat records nothing)",
    ),
    builder_attempts: predecessorOptional(z.int().min(0).max(1_000_000)).describe('Predecessor field; ignored: the server counts attempts itself'),
    minor_issues_count: predecessorOptional(Count).describe('Predecessor field; checked against the counters record_issue maintains (see `predecessor_fields` in the answer), never written'),
    major_issues_count: predecessorOptional(Count).describe('Predecessor field; checked like minor_issues_count'),
    quality_level: predecessorOptional(QualityLevel).describe(
      'Predecessor field; kept in the state-change event only. To hold a phase on a quality gate, file POST /approval/request',
    ),
    quality_blocked: predecessorOptional(z.boolean()).describe('Predecessor field; kept in the state-change event only (see quality_level)'),
  })
  .superRefine((body, ctx) => {
    if (body.state !== 'FAILED' && body.failure_reason !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['failure_reason'], message: 'only allowed when state is FAILED' });
    }
    if (body.state !== 'FAILED' && body.newly_failing !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['newly_failing'], message: 'only allowed when state is FAILED' });
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

/** What the server made of the predecessor fields of an update_status body. */
export const PredecessorStatusFields = z.strictObject({
  tokens_recorded: Count.describe('Tokens recorded as usage from tokens_used (its increase over the phase total; 0 when none)'),
  recorded_issue_counts: z.strictObject({ minor: Count, major: Count }).describe("The phase's counters, maintained by record_issue"),
  issue_counts_match: z
    .boolean()
    .nullable()
    .describe('Whether the reported minor/major_issues_count equal ours; null when none was reported. A mismatch is not an error'),
  ignored: z.array(z.string()).describe('Predecessor fields that were accepted without effect (builder_attempts, quality_level, quality_blocked)'),
});
export type PredecessorStatusFields = z.infer<typeof PredecessorStatusFields>;

/** The answer of update_status: the change, plus the predecessor's `message` line. */
export const UpdatePhaseStatusResponse = UpdateStatusResponse.extend({
  message: z.string().describe('"Phase <id> updated to state <state>" (the predecessor\'s answer line)'),
  predecessor_fields: PredecessorStatusFields.optional().describe('Present when the body carried predecessor fields'),
});
export type UpdatePhaseStatusResponse = z.infer<typeof UpdatePhaseStatusResponse>;

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
  probe_results: z
    .array(JsonObject)
    .max(1000)
    .default([])
    .describe("Stored as sent; the predecessor's clients send {probe_type, exit_code, stdout, stderr, duration_seconds}"),
  suggested_issues: z
    .array(JsonObject)
    .max(1000)
    .default([])
    .describe(
      "Stored as sent, not counted (issues are counted by record_issue); the predecessor's clients send {issue_key, severity, source, category, evidence_refs, description}",
    ),
  notes: z.string().max(100_000).nullable().optional(),
  run_type: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('Predecessor field; stored with the result, no effect: it chose whether its server applied the patch, and this server never applies patches'),
  allowed_paths: z
    .array(z.string().max(4096))
    .max(10_000)
    .optional()
    .describe("Predecessor field; stored with the result, no effect: the executor's governed apply enforces the phase's scope and grants"),
  builder_attempts: z.int().min(0).max(1_000_000).optional().describe('Predecessor field; stored with the result, no effect: the server counts attempts'),
  ...usageSource,
});
export type BuilderResult = z.infer<typeof BuilderResult>;

/** The predecessor's AuditorSuggestedPatch. Loose like its model. */
export const SuggestedPatch = z.looseObject({
  description: z.string().max(4000),
  patch_content: z.string().max(2 * 1024 * 1024),
  files_affected: z.array(z.string().max(4096)).max(10_000).default([]),
});

export const AuditorResult = z.strictObject({
  phase_id: Identifier,
  run_id: Identifier,
  review_notes: z.string().max(100_000).default(''),
  issues_found: z.array(JsonObject).max(1000).default([]),
  suggested_patches: z
    .array(z.union([z.string().max(2 * 1024 * 1024), SuggestedPatch]))
    .max(100)
    .default([])
    .describe("Patches as text, or the predecessor's {description, patch_content, files_affected}"),
  recommendation: z.enum(['approve', 'revise', 'escalate']),
  confidence: z.enum(['high', 'medium', 'low']).default('medium').describe('Default medium, as the predecessor'),
  tokens_used: tokens.default(0),
  auditor_attempts: z.int().min(0).max(1_000_000).optional().describe('Predecessor field; stored with the result, no effect: the server counts attempts'),
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

/**
 * `record_issue`: as a JSON body or, as the predecessor's clients send it, as query parameters
 * (`?issue_key=…&evidence_refs=a&evidence_refs=b`), never both.
 */
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
  task_category: z
    .string()
    .max(64)
    .optional()
    .describe("Predecessor field; ignored: the phase's own task_category (from the plan) is what counts"),
  complexity: z.string().max(64).optional().describe("Predecessor field; ignored: the phase's own complexity is what counts"),
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
