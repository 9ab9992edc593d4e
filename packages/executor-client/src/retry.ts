export interface RetryPolicy {
  /** Retries after the first attempt (0 = never retry). Default 4. */
  retries: number;
  /** First backoff ceiling in ms; it doubles per retry up to `maxDelayMs`. Default 250. */
  baseDelayMs: number;
  /** Largest wait between attempts, also the cap on a server's Retry-After. Default 10 000. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 10_000 };

/** Statuses that say "try again": a gateway or an overloaded server, never a verdict on the request. */
export const RETRYABLE_STATUSES: readonly number[] = [502, 503, 504];

/**
 * "Full jitter" backoff: a uniformly random wait up to the exponential ceiling, so that many
 * executors failing together do not come back together. A server's Retry-After (seconds) wins,
 * capped at maxDelayMs.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, retryAfter: string | null, random: () => number = Math.random): number {
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
