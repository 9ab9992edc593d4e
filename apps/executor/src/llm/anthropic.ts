import { z } from 'zod';
import { tokenCount, type TokenCounts, type WireDialect } from './dialect';

/** Messages API version this client speaks. */
export const ANTHROPIC_VERSION = '2023-06-01';

const Usage = z.object({
  input_tokens: tokenCount,
  output_tokens: tokenCount,
  cache_creation_input_tokens: tokenCount.nullish(),
  cache_read_input_tokens: tokenCount.nullish(),
});

const Message = z.object({
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullable(),
  usage: Usage,
});

/** Cached input is billed input too, so it counts as prompt tokens. */
function tokens(usage: z.infer<typeof Usage>): TokenCounts {
  const prompt = usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
  return { prompt, completion: usage.output_tokens, total: prompt + usage.output_tokens };
}

/** Anthropic Messages API: `POST /v1/messages`. */
export const anthropicDialect: WireDialect = {
  provider: 'anthropic',
  path: '/messages',
  headers: (apiKey) => ({ 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_VERSION }),
  body: (request) => ({
    model: request.model,
    max_tokens: request.maxTokens,
    system: request.system,
    messages: [{ role: 'user', content: request.user }],
  }),
  readAnswer(body) {
    const parsed = Message.safeParse(body);
    if (!parsed.success) return { ok: false, message: 'not a Messages API response (expected content[], stop_reason, usage)' };
    const { content, stop_reason, usage } = parsed.data;
    // Only text blocks carry the answer; thinking or other blocks are not part of it.
    const text = content.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('');
    return {
      ok: true,
      answer: {
        text,
        stopReason: stop_reason,
        truncated: stop_reason === 'max_tokens',
        refusal: stop_reason === 'refusal' ? 'the model declined to answer (stop_reason "refusal")' : null,
        tokens: tokens(usage),
      },
    };
  },
  readTokens(body) {
    const parsed = z.object({ usage: Usage }).safeParse(body);
    return parsed.success ? tokens(parsed.data.usage) : null;
  },
};
