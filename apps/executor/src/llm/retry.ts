import type { Backoff } from '@autopack/executor-client';

/** When to wait before another LLM call: the shared backoff (`@autopack/executor-client`), with its values for providers. */
export type RetryPolicy = Required<Backoff>;

/** 1 s doubling up to 30 s; a provider's `retry-after` is honoured up to 60 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 };

/** 408, 429 (rate limit), 529 (Anthropic overloaded) and every 5xx are transient; other 4xx are not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
