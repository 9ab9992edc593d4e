import { createLlmClient, markLastFailed, type CompletionRequest } from '../src/llm/llm-client';
import { endpointUrl, LlmSettings, type LlmProviderKind } from '../src/llm/settings';
import { fakeReply, startFakeProviders, type FakeProviders } from './support/fake-providers';
import { API_KEY, instantRuntime } from './support/llm-fixtures';

const ask: CompletionRequest = { role: 'builder', system: 'You are a test.', user: 'Say hi.' };

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe('llm helpers', () => {
  it('builds endpoints from a bare origin or an SDK-style /v1 base URL', () => {
    expect(endpointUrl('https://api.anthropic.com', '/messages')).toBe('https://api.anthropic.com/v1/messages');
    expect(endpointUrl('http://localhost:8000/v1/', '/chat/completions')).toBe('http://localhost:8000/v1/chat/completions');
    expect(endpointUrl('https://proxy.example/openai', '/chat/completions')).toBe('https://proxy.example/openai/v1/chat/completions');
  });

  it('validates settings with one message per bad field', () => {
    const parsed = LlmSettings.safeParse({ provider: 'gemini', apiKey: '', baseUrl: 'ftp://x', maxAttempts: 0 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['apiKey', 'baseUrl', 'maxAttempts', 'provider']);
  });

  it('marks only the last usage record failed', () => {
    const rec = { provider: 'openai', model: 'm', role: 'builder' as const, prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
    expect(markLastFailed([{ ...rec, succeeded: false }, { ...rec, succeeded: true }]).map((u) => u.succeeded)).toEqual([false, false]);
    expect(markLastFailed([])).toEqual([]);
  });
});

describe.each<LlmProviderKind>(['anthropic', 'openai'])('%s client against the fake provider', (provider) => {
  const client = (runtime = instantRuntime(), extra: Partial<LlmSettings> = {}) =>
    createLlmClient({ provider, apiKey: API_KEY, baseUrl: fake.url, model: 'test-model', maxTokens: 1234, maxAttempts: 3, ...extra }, runtime);

  it('sends the key, model, max tokens, system and user prompt in the provider format', async () => {
    fake.enqueue(fakeReply.text('hi', { input: 11, output: 2 }));
    const outcome = await client().complete(ask);
    expect(outcome).toMatchObject({ ok: true, completion: { text: 'hi', model: 'test-model' } });
    const [request] = fake.requests;
    expect(request).toMatchObject({ provider, apiKey: API_KEY, model: 'test-model', maxTokens: 1234, system: 'You are a test.', prompt: 'Say hi.' });
    if (provider === 'anthropic') {
      expect(request!.path).toBe('/v1/messages');
      expect(request!.headers['anthropic-version']).toBe('2023-06-01');
      expect(request!.headers['authorization']).toBeUndefined();
    } else {
      expect(request!.path).toBe('/v1/chat/completions');
      expect(request!.headers['authorization']).toBe(`Bearer ${API_KEY}`);
      expect(request!.headers['x-api-key']).toBeUndefined();
    }
    expect(outcome.usage).toEqual([
      { provider, model: 'test-model', role: 'builder', prompt_tokens: 11, completion_tokens: 2, total_tokens: 13, succeeded: true },
    ]);
  });

  it('lets a request override the model and max tokens', async () => {
    fake.enqueue(fakeReply.text('ok'));
    await client().complete({ ...ask, model: 'other-model', maxTokens: 99 });
    expect(fake.requests[0]).toMatchObject({ model: 'other-model', maxTokens: 99 });
  });

  it('honours retry-after on 429, capped, and records the failed call', async () => {
    const runtime = instantRuntime({ retry: { maxRetryAfterMs: 5_000 } });
    fake.enqueue(fakeReply.rateLimited(2), fakeReply.rateLimited(3600), fakeReply.text('done', { input: 5, output: 1 }));
    const outcome = await client(runtime).complete(ask);
    expect(outcome.ok).toBe(true);
    expect(runtime.waits).toEqual([2000, 5000]);
    expect(outcome.usage.map((u) => [u.succeeded, u.total_tokens])).toEqual([
      [false, 0],
      [false, 0],
      [true, 6],
    ]);
  });

  it('backs off with jitter when the provider gives no retry-after', async () => {
    const runtime = instantRuntime({ retry: { baseDelayMs: 100 }, random: () => 0 });
    fake.enqueue(fakeReply.error(502), fakeReply.error(503), fakeReply.text('ok'));
    expect((await client(runtime).complete(ask)).ok).toBe(true);
    expect(runtime.waits).toEqual([50, 100]);
  });

  it('does not retry a client error and names the status and the provider error', async () => {
    fake.enqueue(fakeReply.error(400, 'max_tokens: too large'));
    const outcome = await client().complete(ask);
    expect(fake.requests).toHaveLength(1);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'http', status: 400, attempts: 1 } });
    if (!outcome.ok) expect(outcome.error.message).toMatch(new RegExp(`^${provider} \\(test-model\\): HTTP 400 .*invalid_request_error.*max_tokens: too large; request id req_fake_`));
  });

  it('gives up after maxAttempts on 5xx with one failed usage record per call', async () => {
    fake.respondWith(() => fakeReply.error(500));
    const outcome = await client().complete(ask);
    expect(fake.requests).toHaveLength(3);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'http', status: 500, attempts: 3 } });
    if (!outcome.ok) expect(outcome.error.message).toContain('HTTP 500');
    if (!outcome.ok) expect(outcome.error.message).toContain('(after 3 attempts)');
    expect(outcome.usage).toHaveLength(3);
    expect(outcome.usage.every((u) => !u.succeeded && u.total_tokens === 0)).toBe(true);
  });

  it('reports a 200 whose body is not JSON, or not the provider shape, without retrying', async () => {
    fake.enqueue(fakeReply.raw(200, '<html>gateway</html>'), fakeReply.raw(200, '{"hello":"world"}', { 'content-type': 'application/json' }));
    const notJson = await client().complete(ask);
    const wrongShape = await client().complete(ask);
    expect(notJson).toMatchObject({ ok: false, error: { kind: 'invalid_response', status: 200 } });
    if (!notJson.ok) expect(notJson.error.message).toContain('not JSON: <html>gateway</html>');
    expect(wrongShape).toMatchObject({ ok: false, error: { kind: 'invalid_response' } });
    if (!wrongShape.ok) expect(wrongShape.error.message).toMatch(/not a (Messages API|Chat Completions) response/);
    fake.enqueue(fakeReply.raw(200, JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'boom' } })));
    const errorBody = await client().complete(ask);
    expect(errorBody).toMatchObject({ ok: false, error: { kind: 'invalid_response', message: expect.stringContaining('error body: api_error: boom') } });
    expect(fake.requests).toHaveLength(3);
  });

  it('reports a truncated answer with the tokens it cost', async () => {
    fake.enqueue(fakeReply.truncated('{"operations": [', { input: 100, output: 1234 }));
    const outcome = await client().complete(ask);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    if (!outcome.ok) expect(outcome.error.message).toContain('max tokens 1234');
    expect(outcome.usage).toEqual([expect.objectContaining({ prompt_tokens: 100, completion_tokens: 1234, succeeded: false })]);
  });

  it('reports a refusal', async () => {
    fake.enqueue(fakeReply.refusal('I cannot help with that.'));
    const outcome = await client().complete(ask);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'refused' } });
  });

  it('times out a slow call per attempt and retries it', async () => {
    fake.respondWith(() => fakeReply.slow(5_000, fakeReply.text('too late')));
    const started = Date.now();
    const outcome = await client(instantRuntime(), { timeoutMs: 100, maxAttempts: 2 }).complete(ask);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'timeout', status: null, attempts: 2 } });
    if (!outcome.ok) expect(outcome.error.message).toContain('no complete answer within 100 ms');
    expect(outcome.usage).toHaveLength(2);
  });

  it("stops at once when the caller's signal aborts, and says when it was a deadline", async () => {
    fake.respondWith(() => fakeReply.slow(5_000, fakeReply.text('too late')));
    const cancelled = new AbortController();
    setTimeout(() => cancelled.abort(), 50);
    const outcome = await client().complete({ ...ask, signal: cancelled.signal });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'aborted', attempts: 1 } });
    const deadline = await client().complete({ ...ask, signal: AbortSignal.timeout(50) });
    expect(deadline).toMatchObject({ ok: false, error: { kind: 'timeout', attempts: 1 } });
  });

  it('makes no call when the signal is already aborted', async () => {
    const outcome = await client().complete({ ...ask, signal: AbortSignal.abort() });
    expect(outcome).toEqual({ ok: false, error: { kind: 'aborted', status: null, attempts: 0, message: `${provider} (test-model): cancelled by the caller` }, usage: [] });
    expect(fake.requests).toHaveLength(0);
  });

  it('does not sleep through a cancellation between attempts', async () => {
    const cancelled = new AbortController();
    fake.enqueue(fakeReply.rateLimited(1));
    const runtime = instantRuntime({ sleep: () => { cancelled.abort(); return Promise.reject(new Error('aborted')); } });
    const outcome = await client(runtime).complete({ ...ask, signal: cancelled.signal });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'aborted', status: 429 } });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries network errors and names the cause', async () => {
    const closed = await startFakeProviders();
    const url = closed.url;
    await closed.close();
    const outcome = await client(instantRuntime(), { baseUrl: url, maxAttempts: 2 }).complete(ask);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'network', attempts: 2 } });
    if (!outcome.ok) expect(outcome.error.message).toContain('ECONNREFUSED');
  });

  it('never puts the API key in a message, even when the provider echoes it', async () => {
    fake.enqueue(fakeReply.error(401, `Incorrect API key provided: ${API_KEY}`));
    const outcome = await client().complete(ask);
    expect(outcome.ok).toBe(false);
    expect(JSON.stringify(outcome)).not.toContain(API_KEY);
    if (!outcome.ok) expect(outcome.error.message).toContain('[redacted]');
  });
});

describe('fake providers', () => {
  it('rejects a wrong key in the provider format when it is given one', async () => {
    const strict = await startFakeProviders({ apiKey: 'right-key', handler: () => fakeReply.text('ok') });
    try {
      const wrong = await createLlmClient({ provider: 'anthropic', apiKey: 'wrong-key', baseUrl: strict.url }).complete(ask);
      expect(wrong).toMatchObject({ ok: false, error: { kind: 'http', status: 401 } });
      if (!wrong.ok) expect(wrong.error.message).toContain('authentication_error');
      const right = await createLlmClient({ provider: 'openai', apiKey: 'right-key', baseUrl: `${strict.url}/v1` }).complete(ask);
      expect(right.ok).toBe(true);
    } finally {
      await strict.close();
    }
  });

  it('sends max_completion_tokens to OpenAI when configured', async () => {
    fake.enqueue(fakeReply.text('ok'));
    await createLlmClient({ provider: 'openai', apiKey: API_KEY, baseUrl: fake.url, maxTokens: 77, openaiMaxTokensField: 'max_completion_tokens' }).complete(ask);
    const body = fake.requests[0]!.body as Record<string, unknown>;
    expect(body['max_completion_tokens']).toBe(77);
    expect(body['max_tokens']).toBeUndefined();
  });
});
