import { z } from 'zod';
import { tokenCount, type TokenCounts, type WireDialect } from './dialect';
import type { LlmSettings } from './settings';

const Usage = z.object({
  prompt_tokens: tokenCount,
  completion_tokens: tokenCount,
  total_tokens: tokenCount.optional(),
});

const Completion = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional(), refusal: z.string().nullish() }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1),
  // Some compatible servers omit usage; the call then counts 0 tokens.
  usage: Usage.nullish(),
});

function tokens(usage: z.infer<typeof Usage> | null | undefined): TokenCounts {
  if (!usage) return { prompt: 0, completion: 0, total: 0 };
  const { prompt_tokens: prompt, completion_tokens: completion } = usage;
  return { prompt, completion, total: usage.total_tokens ?? prompt + completion };
}

/** OpenAI Chat Completions, or any server that speaks it: `POST /v1/chat/completions`. */
export function openaiDialect(maxTokensField: LlmSettings['openaiMaxTokensField']): WireDialect {
  return {
    provider: 'openai',
    path: '/chat/completions',
    headers: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    body: (request) => ({
      model: request.model,
      [maxTokensField]: request.maxTokens,
      messages: [
        { role: 'system', content: request.system },
        { role: 'user', content: request.user },
      ],
    }),
    readAnswer(body) {
      const parsed = Completion.safeParse(body);
      if (!parsed.success) return { ok: false, message: 'not a Chat Completions response (expected choices[0].message, usage)' };
      const choice = parsed.data.choices[0]!;
      const filtered = choice.finish_reason === 'content_filter' ? 'the answer was withheld by the content filter' : null;
      const answer = {
        text: choice.message.content ?? '',
        stopReason: choice.finish_reason,
        truncated: choice.finish_reason === 'length',
        refusal: choice.message.refusal ? `the model declined to answer: ${choice.message.refusal}` : filtered,
        tokens: tokens(parsed.data.usage),
      };
      return { ok: true, answer };
    },
    readTokens(body) {
      const parsed = z.object({ usage: Usage }).safeParse(body);
      return parsed.success ? tokens(parsed.data.usage) : null;
    },
  };
}
