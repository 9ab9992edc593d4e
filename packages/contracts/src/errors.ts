import { z } from 'zod';

/** Every error code the API answers with; clients switch on these, never on messages. */
export const ERROR_CODES = [
  'validation_failed',
  'invalid_json',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'method_not_allowed',
  'run_not_found',
  'phase_not_found',
  'run_exists',
  'illegal_transition',
  'run_finished',
  'budget_exhausted',
  'run_timed_out',
  'base_commit_mismatch',
  'phase_active',
  'lease_lost',
  'lease_required',
  'already_decided',
  'request_not_found',
  'artifact_not_found',
  'artifact_exists',
  'idempotency_key_reused',
  'unauthenticated',
  'invalid_credentials',
  'registration_closed',
  'user_exists',
  'forbidden',
  'rate_limited',
  'service_unavailable',
  'internal_error',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ValidationIssue = z.strictObject({
  path: z.string().describe('Dotted path of the bad field ("" for the whole body), e.g. "phases.2.tier_id"'),
  message: z.string(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export const ErrorEnvelope = z.strictObject({
  error: z.strictObject({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
    correlation_id: z.string(),
  }),
  detail: z.string().describe("The message again: the predecessor's clients read `detail`"),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** The one way to build an error body (SPEC §3). */
export function errorEnvelope(code: ErrorCode, message: string, correlationId: string, details?: unknown): ErrorEnvelope {
  return {
    error: { code, message, ...(details === undefined ? {} : { details }), correlation_id: correlationId },
    detail: message,
  };
}

/** Turns zod issues into the `details` list of a `validation_failed` error. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...base, key].join('.'),
        message: `unknown field "${key}"; remove it (fields are checked strictly)`,
      }));
    }
    return [{ path: base.join('.'), message: issue.message }];
  });
}
