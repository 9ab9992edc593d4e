import { AutopackClient, AutopackHttpError, AutopackNetworkError, AutopackRequestError, AutopackResponseError } from '../src';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A scripted fetch: each call takes the next answer (a Response, or an Error to throw). */
function scripted(answers: (Response | Error)[]) {
  const sent: Sent[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    sent.push({
      url,
      method: String(init.method),
      headers: init.headers as Record<string, string>,
      body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
    });
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    if (next instanceof Error) throw next;
    return next;
  }) as unknown as typeof globalThis.fetch;
  return { fetch, sent };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const envelope = (code: string, message = 'no') => ({ error: { code, message, correlation_id: 'corr-1', details: { from: 'A' } }, detail: message });
const status = { paused: false, reason: null, changed_at: null, changed_by: null };

const client = (answers: (Response | Error)[], retries = 3) => {
  const s = scripted(answers);
  return { ...s, client: new AutopackClient({ baseUrl: 'http://server/', fetch: s.fetch, retry: { retries, baseDelayMs: 1, maxDelayMs: 5 }, apiKey: 'k' }) };
};

describe('executor-client transport', () => {
  it('retries 502/503/504 and network errors with the same Idempotency-Key, then answers', async () => {
    const { client: c, sent } = client([json(503, envelope('service_unavailable')), new TypeError('fetch failed'), json(504, {}), json(200, status)]);
    expect(await c.pauseExecution({ reason: 'x' })).toEqual(status);
    expect(sent).toHaveLength(4);
    const keys = sent.map((s) => s.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[0]).toMatchObject({ url: 'http://server/admin/pause', method: 'POST', body: { reason: 'x' } });
    expect(sent[0]!.headers['x-api-key']).toBe('k');
  });

  it('does not retry other errors and reports status, code, details and correlation id', async () => {
    const { client: c, sent } = client([json(409, envelope('lease_lost', 'gone'))]);
    const err = await c.cancelRun('r1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AutopackHttpError);
    expect(err).toMatchObject({ status: 409, code: 'lease_lost', details: { from: 'A' }, correlationId: 'corr-1', attempts: 1, operationId: 'cancelRun' });
    expect(sent).toHaveLength(1);
  });

  it('gives up after the configured retries with the last status, or a network error', async () => {
    const { client: c } = client([json(502, 'bad gateway'), json(502, 'bad gateway')], 1);
    await expect(c.getExecutionStatus()).rejects.toMatchObject({ status: 502, code: 'unknown', attempts: 2 });
    const { client: d } = client([new TypeError('ECONNREFUSED'), new TypeError('ECONNREFUSED')], 1);
    const err = await d.getExecutionStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AutopackNetworkError);
    expect(err).toMatchObject({ attempts: 2 });
  });

  it('validates input before sending anything', async () => {
    const { client: c, sent } = client([]);
    const err = await c.claim({ executor_id: 'bad id!', wait_seconds: 99 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AutopackRequestError);
    expect((err as AutopackRequestError).issues.map((i) => i.path).sort()).toEqual(['body.executor_id', 'body.wait_seconds']);
    await expect(c.getRun('../etc')).rejects.toBeInstanceOf(AutopackRequestError);
    expect(sent).toHaveLength(0);
  });

  it('rejects answers that break the contract', async () => {
    const { client: c } = client([json(200, { paused: 'yes' })]);
    await expect(c.getExecutionStatus()).rejects.toBeInstanceOf(AutopackResponseError);
  });

  it('stops at once when the signal aborts, also during a backoff wait', async () => {
    const controller = new AbortController();
    const s = scripted([json(503, {}), json(200, status)]);
    const c = new AutopackClient({ baseUrl: 'http://server', fetch: s.fetch, retry: { retries: 3, baseDelayMs: 10_000, maxDelayMs: 10_000 }, random: () => 1 });
    const pending = c.getExecutionStatus({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    const started = Date.now();
    await expect(pending).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(s.sent).toHaveLength(1);
  });

  it('answers null for 204 from claim, and builds paths and queries from the contract', async () => {
    const { client: c, sent } = client([new Response(null, { status: 204 }), json(200, { artifacts: [], next_after: null })]);
    expect(await c.claim({ executor_id: 'e1' })).toBeNull();
    await c.getArtifactIndex('run.1', { limit: 5 });
    expect(sent[1]!.url).toBe('http://server/runs/run.1/artifacts/index?after=0&limit=5');
    expect(sent[1]!.headers['idempotency-key']).toBeUndefined();
  });

  it("waits as a 503's Retry-After asks, up to maxDelayMs", async () => {
    const s = scripted([json(503, {}, { 'retry-after': '0.05' }), json(200, status)]);
    const c = new AutopackClient({ baseUrl: 'http://server', fetch: s.fetch, retry: { retries: 1, baseDelayMs: 10_000, maxDelayMs: 10_000 } });
    const started = Date.now();
    expect(await c.getExecutionStatus()).toEqual(status);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(s.sent).toHaveLength(2);
  });
});
