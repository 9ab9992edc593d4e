import { z } from 'zod';
import { Count, Identifier, JsonObject, Timestamp } from './common';
import { FailureReason, NewlyFailingTests } from './phase-writes';
import { BuilderSpec, LlmProvider } from './run-plan';
import { Phase, Run } from './runs';

/** Header that fences every executor write about a phase (SPEC §4.3). */
export const LEASE_TOKEN_HEADER = 'X-Lease-Token';
/** Header that makes a write safe to repeat: a replay answers what the first request answered. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set on an answer that is the stored answer of an earlier request with the same Idempotency-Key. */
export const IDEMPOTENT_REPLAY_HEADER = 'Idempotent-Replayed';
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const CLAIM_MAX_WAIT_SECONDS = 30;

/** How an attempt of a phase ended. */
export const ATTEMPT_OUTCOMES = [
  'running',
  'complete',
  'failed',
  'requeued',
  'released',
  'expired',
  'blocked',
  'cancelled',
] as const;
export const AttemptOutcome = z.enum(ATTEMPT_OUTCOMES);
export type AttemptOutcome = z.infer<typeof AttemptOutcome>;

export const ExecutorId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, {
    message: 'must start with a letter or digit and contain only letters, digits, ".", "_", ":", "@" or "-" (at most 128)',
  })
  .describe('Names the executor process, e.g. "host-1:worker-2"; recorded on the lease and in events');

/** Tokens are compared, never parsed: any string may be sent, a wrong one is simply `lease_lost`. */
const LeaseToken = z.string().min(1).max(512);

/** `POST /executors/claim` */
export const ClaimRequest = z.strictObject({
  executor_id: ExecutorId,
  wait_seconds: z
    .int()
    .min(0)
    .max(CLAIM_MAX_WAIT_SECONDS)
    .default(0)
    .describe('Long-poll: wait up to this long for work before answering 204'),
  providers: z
    .array(LlmProvider)
    .max(LlmProvider.options.length)
    .default([])
    .describe('LLM providers this executor has keys for (shown in /health as llm_providers.configured)'),
});
export type ClaimRequest = z.infer<typeof ClaimRequest>;

export const ClaimRun = Run.pick({
  run_id: true,
  state: true,
  safety_profile: true,
  run_scope: true,
  goal_anchor: true,
  repo: true,
  base_commit: true,
  on_phase_failure: true,
  token_cap: true,
  tokens_used: true,
  max_duration_minutes: true,
  started_at: true,
});

export const APPROVAL_KINDS = ['mass_deletion', 'quality_gate', 'other'] as const;
export const ApprovalKind = z.enum(APPROVAL_KINDS);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

export const ClaimPhase = Phase.extend({
  builder: BuilderSpec.nullable().describe('What builds the change; null = the executor default'),
  grants: z.array(z.string()).describe('Protected paths governance approved for this phase (added to its scope)'),
  approvals: z.array(ApprovalKind).describe('Risky decisions approved for this phase (e.g. mass_deletion)'),
});
export type ClaimPhase = z.infer<typeof ClaimPhase>;

export const ArtifactRef = z.strictObject({
  artifact_id: Count,
  kind: z.string(),
  path: z.string(),
  sha256: z.string(),
});
export type ArtifactRef = z.infer<typeof ArtifactRef>;

/** What an earlier attempt left for the next one (SPEC §4.6: feedback is kept). */
export const PriorAttempt = z.strictObject({
  attempt: Count,
  outcome: AttemptOutcome,
  failure_reason: FailureReason.nullable(),
  message: z.string().nullable().describe('The note sent with the state change that ended the attempt (e.g. a test output digest)'),
  newly_failing: NewlyFailingTests.describe('Tests the attempt broke, as its executor reported them with FAILED (empty when none were reported)'),
  started_at: Timestamp,
  ended_at: Timestamp.nullable(),
  builder: z
    .strictObject({ status: z.string(), notes: z.string().nullable(), files_changed: z.array(z.string()) })
    .nullable()
    .describe("The attempt's last builder result"),
  auditor: z
    .strictObject({
      recommendation: z.string(),
      confidence: z.string(),
      review_notes: z.string(),
      issues_found: z.array(JsonObject),
    })
    .nullable()
    .describe("The attempt's last auditor result"),
  artifacts: z.array(ArtifactRef).describe('Artifacts stored by the attempt (test reports, logs, …)'),
});
export type PriorAttempt = z.infer<typeof PriorAttempt>;

export const CompletedPhase = z.strictObject({
  phase_id: Identifier,
  tier_id: Identifier,
  attempt: Count,
  completed_at: Timestamp.nullable(),
  patch_artifact_ids: z.array(Count).describe('Accepted patches of the completing attempt, in upload order'),
});
export type CompletedPhase = z.infer<typeof CompletedPhase>;

/** A granted claim: everything an executor needs to do the phase, or to resume the run elsewhere. */
export const Claim = z.strictObject({
  lease_id: z.uuid(),
  lease_token: z.string().describe('Secret: send it as X-Lease-Token with every write about this phase'),
  lease_expires_at: Timestamp,
  executor_id: ExecutorId,
  attempt: Count.describe('This attempt (1 for the first)'),
  run: ClaimRun,
  phase: ClaimPhase,
  prior_attempts: z.array(PriorAttempt).describe('Earlier attempts of this phase, oldest first'),
  completed_phases: z
    .array(CompletedPhase)
    .describe('COMPLETE phases of the run in execution order: replay their patches on repo + base_ref to rebuild the workspace'),
});
export type Claim = z.infer<typeof Claim>;

export const LeasePathParams = z.strictObject({ lease_id: z.uuid({ message: 'must be a lease id (UUID)' }) });

/** `POST /executors/leases/{lease_id}/heartbeat` */
export const HeartbeatRequest = z.strictObject({
  lease_token: LeaseToken,
  stage: z.string().min(1).max(64).optional().describe('What the executor is doing, e.g. "build" or "test"'),
  progress: z.number().min(0).max(100).optional().describe('Percent done, as far as the executor can tell'),
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>;

export const HeartbeatResponse = z.strictObject({
  lease_id: z.uuid(),
  lease_expires_at: Timestamp,
  cancel_requested: z
    .boolean()
    .describe('Stop working on the phase: the run was cancelled, ran out of budget or time, or an operator took the phase'),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

/** `POST /executors/leases/{lease_id}/release` */
export const ReleaseRequest = z.strictObject({
  lease_token: LeaseToken,
  reason: z.string().max(1000).optional(),
});
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;

export const ReleaseResponse = z.strictObject({
  lease_id: z.uuid(),
  released: z.boolean().describe('false when the lease had already ended because the phase was cancelled'),
  phase: z.strictObject({ run_id: Identifier, phase_id: Identifier, state: Phase.shape.state, attempt: Count }),
});
export type ReleaseResponse = z.infer<typeof ReleaseResponse>;
