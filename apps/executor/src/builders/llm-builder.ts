import type { FileOperation } from '@autopack/governed-apply';
import { z } from 'zod';
import { parseJsonAnswer } from '../llm/json-answer';
import { createLlmClient, markLastFailed, type LlmRuntime } from '../llm/llm-client';
import { builderPrompt } from '../llm/prompts';
import type { LlmSettingsInput } from '../llm/settings';
import type { BuildOutcome, BuildRequest, Builder } from './builder';

const path = z.string().min(1).max(4096);

/** What the builder prompt asks for. Strict: an unknown field could hide part of the intended change. */
export const BuilderAnswer = z.strictObject({
  operations: z
    .array(
      z.discriminatedUnion('mode', [
        z.strictObject({ path, mode: z.enum(['create', 'modify']), content: z.string() }),
        z.strictObject({ path, mode: z.literal('delete') }),
      ]),
    )
    .max(1000),
  notes: z.string().max(100_000).optional(),
});
export type BuilderAnswer = z.infer<typeof BuilderAnswer>;

/** A builder backed by one LLM provider (SPEC §5 step 4): full-file JSON operations, all or nothing. */
export function createLlmBuilder(settings: LlmSettingsInput, runtime?: LlmRuntime): Builder {
  const client = createLlmClient(settings, runtime);
  return {
    async build(request: BuildRequest): Promise<BuildOutcome> {
      const spec = request.task.builder;
      // A phase's builder spec tunes the call only when it names this client's provider.
      const overrides = spec?.kind === client.provider ? { model: spec.model, maxTokens: spec.max_tokens } : {};
      const prompt = builderPrompt(request.task, request.context, request.feedback);
      const outcome = await client.complete({ role: 'builder', ...prompt, ...overrides, signal: request.signal });
      if (!outcome.ok) {
        const reason = outcome.error.kind === 'timeout' ? 'timeout' : 'builder_error';
        return { ok: false, reason, message: `builder call failed: ${outcome.error.message}`, usage: outcome.usage };
      }
      const usage = outcome.usage;
      const rejected = (reason: 'builder_error' | 'empty_patch', message: string): BuildOutcome => ({
        ok: false,
        reason,
        message: client.redact(`${client.provider} (${outcome.completion.model}): ${message}`),
        usage: markLastFailed(usage),
      });
      const answer = parseJsonAnswer(outcome.completion.text, BuilderAnswer);
      if (!answer.ok) return rejected('builder_error', answer.message);
      const { operations, notes } = answer.value;
      if (operations.length === 0) return rejected('empty_patch', 'the answer holds no file operations');
      const partial = operations.find((op) => op.mode === 'modify' && request.context.some((f) => f.truncated && f.path === op.path));
      if (partial) return rejected('builder_error', `the answer rewrites ${partial.path}, of which only a truncated part was shown; refusing a change that would cut the file`);
      const change = { kind: 'operations' as const, operations: operations.map(toFileOperation) };
      return notes === undefined ? { ok: true, change, usage } : { ok: true, change, usage, notes };
    },
  };
}

function toFileOperation(op: BuilderAnswer['operations'][number]): FileOperation {
  return op.mode === 'delete' ? { path: op.path, mode: 'delete' } : { path: op.path, mode: op.mode, content: op.content };
}
