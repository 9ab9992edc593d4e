import { backoffDelay, DEFAULT_RETRY, retryAfterMs, retryDelay, sleep } from '../src';

describe('the shared retry policy', () => {
  const headers = (init: Record<string, string>) => new Headers(init);

  it('backs off with equal jitter: retry n waits between half and all of a doubling, capped ceiling', () => {
    const backoff = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(backoff, 1, () => 0)).toBe(50);
    expect(backoffDelay(backoff, 1, () => 0.999999)).toBe(100);
    expect(backoffDelay(backoff, 3, () => 0)).toBe(200);
    expect(backoffDelay(backoff, 3, () => 0.5)).toBe(300);
    expect(backoffDelay(backoff, 10, () => 0)).toBe(500);
    expect(backoffDelay(backoff, 10, () => 0.999999)).toBe(1000);
  });

  it("lets a server's wait win over the backoff, cut to maxRetryAfterMs (default maxDelayMs)", () => {
    expect(retryDelay(DEFAULT_RETRY, 1, 2000, () => 0)).toBe(2000);
    expect(retryDelay(DEFAULT_RETRY, 1, 600_000, () => 0)).toBe(10_000);
    expect(retryDelay({ ...DEFAULT_RETRY, maxRetryAfterMs: 60_000 }, 1, 600_000, () => 0)).toBe(60_000);
    expect(retryDelay(DEFAULT_RETRY, 1, 0, () => 0.9)).toBe(0);
    expect(retryDelay(DEFAULT_RETRY, 2, null, () => 0)).toBe(250);
  });

  it('reads retry-after as seconds, as an HTTP date, and prefers retry-after-ms', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), now)).toBe(7000);
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), now)).toBe(0);
    expect(retryAfterMs(headers({ 'retry-after': '2', 'retry-after-ms': '1500' }), now)).toBe(1500);
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(retryAfterMs(headers({}), now)).toBeNull();
  });

  it('sleeps the given time, and rejects with the reason as soon as its signal aborts', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(sleep(60_000, controller.signal)).rejects.toThrow('stop');
  });
});
