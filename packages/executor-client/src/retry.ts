/**
 * The one backoff policy and the one `sleep` of Autopack's clients: this package's transport, the
 * executor's LLM provider clients and its claim loop all wait through these functions. Which
 * failures are worth another attempt, and how many attempts there are, stays with each caller.
 */

/** How long to wait before another attempt. */
export interface Backoff {
  /** Ceiling of the first retry's wait, in ms; it doubles per retry up to `maxDelayMs`. */
  baseDelayMs: number;
  /** Ceiling of any backoff wait, in ms. */
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this long (ms); a longer one is cut to it. Default `maxDelayMs`. */
  maxRetryAfterMs?: number;
}

/**
 * Exponential backoff with "equal jitter": retry `n` (1-based) waits between half and all of
 * `min(maxDelayMs, baseDelayMs · 2^(n-1))`. The random half keeps callers that failed together from
 * coming back together; the fixed half keeps a retry from arriving at once at a server (or a
 * provider) that has just said it is overloaded.
 */
export function backoffDelay(backoff: Backoff, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** The wait before retry `n`: the server's Retry-After when it gave one (capped), else `backoffDelay`. */
export function retryDelay(backoff: Backoff, retry: number, retryAfter: number | null, random: () => number = Math.random): number {
  if (retryAfter !== null) return Math.min(retryAfter, backoff.maxRetryAfterMs ?? backoff.maxDelayMs);
  return backoffDelay(backoff, retry, random);
}

/**
 * The wait a server asked for, in ms: `retry-after-ms` (OpenAI), else `retry-after` as seconds or
 * an HTTP date. Null when absent or unreadable; never negative.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.round(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The transport's retries: how many, and how long to wait between them. */
export interface RetryPolicy extends Backoff {
  /** Retries after the first attempt (0 = never retry). Default 4. */
  retries: number;
}

/** 250 ms doubling up to 10 s; a server's Retry-After is honoured up to 10 s too. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 10_000 };

/** Statuses that say "try again": a gateway or an overloaded server, never a verdict on the request. */
export const RETRYABLE_STATUSES: readonly number[] = [502, 503, 504];
