import { z } from 'zod';
import type { LlmProviderKind } from './settings';

export interface TokenCounts {
  prompt: number;
  completion: number;
  total: number;
}

export interface WireRequest {
  model: string;
  maxTokens: number;
  system: string;
  user: string;
}

/** A 2xx answer read into what every caller needs. */
export interface WireAnswer {
  text: string;
  /** The provider's own word (`end_turn`, `max_tokens`, `stop`, `length`, …). */
  stopReason: string | null;
  /** The output budget ran out: the text is incomplete. */
  truncated: boolean;
  /** Why the model declined to answer, when it did (refusal, content filter). */
  refusal: string | null;
  tokens: TokenCounts;
}

/** One provider's wire format; the HTTP, retry and usage logic around it is shared (llm-client.ts). */
export interface WireDialect {
  provider: LlmProviderKind;
  path: string;
  headers(apiKey: string): Record<string, string>;
  body(request: WireRequest): unknown;
  /** A parsed 2xx body, or why it is not an answer. */
  readAnswer(body: unknown): { ok: true; answer: WireAnswer } | { ok: false; message: string };
  /** Token counts in any body (error bodies rarely carry them). */
  readTokens(body: unknown): TokenCounts | null;
}

export const tokenCount = z.int().min(0);

/**
 * Both providers put errors under `error`: Anthropic `{type: 'error', error: {type, message}}`,
 * OpenAI `{error: {message, type, param, code}}`.
 */
const ErrorBody = z.object({
  error: z.object({
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
    message: z.string().nullish(),
  }),
});

/** `rate_limit_error: Number of requests exceeded` from an error body, or null when it has none. */
export function describeErrorBody(body: unknown): string | null {
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) return null;
  const { type, code, message } = parsed.data.error;
  const label = [type, code].filter((part) => part !== null && part !== undefined && part !== '').join('/');
  const text = [label, message].filter(Boolean).join(': ');
  return text === '' ? null : text;
}
