import { z } from 'zod';
import { Count, Identifier, Timestamp } from './common';
import { RunState } from './states';

const reason = z.string().min(1).max(4000);

/** Body of the operator actions cancel, retry and skip: an optional note kept in the event. */
export const OperatorActionRequest = z.strictObject({
  reason: reason.optional().describe('Why; recorded in the event with the operator as actor'),
});
export type OperatorActionRequest = z.infer<typeof OperatorActionRequest>;

/** `POST /admin/pause` and `/admin/resume`: claims stop (or start again) on every server instance. */
export const ExecutionStatus = z.strictObject({
  paused: z.boolean(),
  reason: z.string().nullable(),
  changed_at: Timestamp.nullable(),
  changed_by: z.string().nullable(),
});
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

const tokens = z.int().min(0).max(1_000_000_000);

/** `POST /runs/{run_id}/usage`: one LLM call (SPEC §4.5). Failed calls are recorded too. */
export const UsageRequest = z
  .strictObject({
    phase_id: Identifier.optional().describe('The phase the call was for; required from an executor (it is fenced by its lease)'),
    provider: z.string().min(1).max(64),
    model: z.string().min(1).max(200),
    role: z.string().min(1).max(64).describe('What the call was for: builder, auditor, …'),
    prompt_tokens: tokens,
    completion_tokens: tokens,
    total_tokens: tokens.optional().describe('Default: prompt_tokens + completion_tokens'),
    succeeded: z.boolean().default(true),
  })
  .superRefine((u, ctx) => {
    if (u.total_tokens !== undefined && u.total_tokens < u.prompt_tokens + u.completion_tokens) {
      ctx.addIssue({ code: 'custom', path: ['total_tokens'], message: 'must be at least prompt_tokens + completion_tokens' });
    }
  });
export type UsageRequest = z.infer<typeof UsageRequest>;

export const UsageResponse = z.strictObject({
  run_id: Identifier,
  phase_id: Identifier.nullable(),
  total_tokens: Count,
  run_tokens_used: Count,
  token_cap: Count,
  budget_exhausted: z.boolean().describe('The run has reached token_cap: it is DONE_FAILED_BUDGET_EXHAUSTED'),
  run_state: RunState,
});
export type UsageResponse = z.infer<typeof UsageResponse>;
