import { Severity } from '@autopack/contracts';
import { z } from 'zod';
import { parseJsonAnswer } from '../llm/json-answer';
import { createLlmClient, markLastFailed, type LlmRuntime } from '../llm/llm-client';
import { auditorPrompt } from '../llm/prompts';
import type { LlmSettingsInput } from '../llm/settings';
import type { AuditOutcome, AuditRequest, Auditor } from './auditor';

/**
 * What the auditor prompt asks for. Unknown fields are dropped rather than refused: unlike a
 * builder's extra field, an extra remark cannot make a verdict partial.
 */
export const AuditorAnswer = z.object({
  recommendation: z.enum(['approve', 'revise', 'escalate']),
  confidence: z.enum(['high', 'medium', 'low']),
  review_notes: z.string().max(100_000),
  issues_found: z
    .array(
      z.object({
        severity: Severity,
        description: z.string().min(1).max(10_000),
        path: z.string().min(1).max(4096).nullish(),
      }),
    )
    .max(1000),
});
export type AuditorAnswer = z.infer<typeof AuditorAnswer>;

/** Auditor `llm`: one review call to a provider; the verdict is validated, never guessed. */
export function createLlmAuditor(settings: LlmSettingsInput, runtime?: LlmRuntime): Auditor {
  const client = createLlmClient(settings, runtime);
  return {
    async audit(request: AuditRequest): Promise<AuditOutcome> {
      const prompt = auditorPrompt(request.task, request.diff, request.delta);
      const outcome = await client.complete({ role: 'auditor', ...prompt, signal: request.signal });
      if (!outcome.ok) return { ok: false, message: `auditor call failed: ${outcome.error.message}`, usage: outcome.usage };
      const answer = parseJsonAnswer(outcome.completion.text, AuditorAnswer);
      if (!answer.ok) {
        const message = client.redact(`${client.provider} (${outcome.completion.model}): invalid verdict: ${answer.message}`);
        return { ok: false, message, usage: markLastFailed(outcome.usage) };
      }
      const { recommendation, confidence, review_notes, issues_found } = answer.value;
      const verdict = {
        recommendation,
        confidence,
        review_notes,
        issues_found: issues_found.map(({ severity, description, path }) => (path ? { severity, description, path } : { severity, description })),
        suggested_patches: [],
        tokens_used: outcome.usage.reduce((sum, u) => sum + u.total_tokens, 0),
      };
      return { ok: true, verdict, usage: outcome.usage };
    },
  };
}
