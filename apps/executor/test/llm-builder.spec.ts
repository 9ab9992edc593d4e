import type { BuildOutcome } from '../src/builders/builder';
import { createLlmBuilder } from '../src/builders/llm-builder';
import type { LlmProviderKind, LlmSettingsInput } from '../src/llm/settings';
import { fakeReply, startFakeProviders, type FakeProviders } from './support/fake-providers';
import { API_KEY, buildRequest, instantRuntime, phaseTask } from './support/llm-fixtures';

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const greet = { path: 'src/greet.js', mode: 'create', content: 'exports.greet = (name) => `Hello, ${name}!`;\n' };

function failure(outcome: BuildOutcome) {
  if (outcome.ok) throw new Error(`expected a failed build, got ${JSON.stringify(outcome.change)}`);
  return outcome;
}

describe.each<LlmProviderKind>(['anthropic', 'openai'])('%s builder against the fake provider', (provider) => {
  const builder = (runtime = instantRuntime(), extra: Partial<LlmSettingsInput> = {}) =>
    createLlmBuilder({ provider, apiKey: API_KEY, baseUrl: fake.url, model: 'builder-model', maxTokens: 4000, maxAttempts: 3, ...extra }, runtime);

  it('turns a valid answer into full-file operations and records the usage the provider reported', async () => {
    fake.enqueue(fakeReply.operations([greet, { path: 'src/old.js', mode: 'delete' }], 'added greet', { input: 1200, output: 80 }));
    const outcome = await builder().build(buildRequest());
    expect(outcome).toEqual({
      ok: true,
      change: { kind: 'operations', operations: [greet, { path: 'src/old.js', mode: 'delete' }] },
      notes: 'added greet',
      usage: [{ provider, model: 'builder-model', role: 'builder', prompt_tokens: 1200, completion_tokens: 80, total_tokens: 1280, succeeded: true }],
    });
    expect(fake.requests[0]).toMatchObject({ apiKey: API_KEY, model: 'builder-model', maxTokens: 4000 });
    expect(fake.requests[0]!.prompt).toContain('Add a greet(name) function');
  });

  it('accepts the answer inside one ```json fence', async () => {
    fake.enqueue(fakeReply.text('```json\n' + JSON.stringify({ operations: [greet] }, null, 2) + '\n```'));
    expect((await builder().build(buildRequest())).ok).toBe(true);
  });

  it('uses the model and max_tokens of the phase builder spec for its provider', async () => {
    fake.enqueue(fakeReply.operations([greet]), fakeReply.operations([greet]));
    await builder().build(buildRequest({ task: phaseTask({ builder: { kind: provider, model: 'phase-model', max_tokens: 321 } }) }));
    const other = provider === 'anthropic' ? 'openai' : 'anthropic';
    await builder().build(buildRequest({ task: phaseTask({ builder: { kind: other, model: 'not-mine' } }) }));
    expect(fake.requests.map((r) => [r.model, r.maxTokens])).toEqual([
      ['phase-model', 321],
      ['builder-model', 4000],
    ]);
  });

  it.each([
    ['prose around the JSON', 'Here is the change:\n{"operations": []}', /not valid JSON/],
    ['malformed JSON', '{"operations": [{"path": "a.js", "mode": "create", "content": "x"}', /not valid JSON/],
    ['an unknown mode', JSON.stringify({ operations: [{ path: 'a.js', mode: 'rename', content: 'x' }] }), /operations\[0\]\.mode/],
    ['modify without content', JSON.stringify({ operations: [{ path: 'a.js', mode: 'modify' }] }), /operations\[0\]\.content/],
    ['content on delete', JSON.stringify({ operations: [{ path: 'a.js', mode: 'delete', content: '' }] }), /operations\[0\].*content/],
    ['an unknown top-level field', JSON.stringify({ operations: [greet], files: [] }), /files/],
    ['an array instead of the object', JSON.stringify([greet]), /expected object/],
  ])('fails with builder_error on %s, and never a partial change', async (_case, text, why) => {
    fake.enqueue(fakeReply.text(text, { input: 10, output: 5 }));
    const outcome = failure(await builder().build(buildRequest()));
    expect(outcome.reason).toBe('builder_error');
    expect(outcome.message).toMatch(why);
    expect(outcome.message).toContain(`${provider} (builder-model)`);
    // The tokens were spent, but the answer was unusable.
    expect(outcome.usage).toEqual([expect.objectContaining({ total_tokens: 15, succeeded: false })]);
  });

  it('fails with empty_patch when the answer has no operations', async () => {
    fake.enqueue(fakeReply.operations([], 'nothing to do'));
    const outcome = failure(await builder().build(buildRequest()));
    expect(outcome.reason).toBe('empty_patch');
    expect(outcome.usage).toHaveLength(1);
  });

  it('fails with builder_error when the output was truncated, even if what came parses', async () => {
    fake.enqueue(fakeReply.truncated(JSON.stringify({ operations: [greet] }), { input: 900, output: 4000 }));
    const outcome = failure(await builder().build(buildRequest()));
    expect(outcome.reason).toBe('builder_error');
    expect(outcome.message).toMatch(/cut off at the output limit \(max tokens 4000/);
    expect(outcome.usage).toEqual([expect.objectContaining({ prompt_tokens: 900, completion_tokens: 4000, succeeded: false })]);
  });

  it('refuses to rewrite a file it was shown only in part', async () => {
    fake.enqueue(fakeReply.operations([{ path: 'src/big.js', mode: 'modify', content: 'short' }]));
    const context = [{ path: 'src/big.js', content: 'x'.repeat(100), truncated: true, readOnly: false }];
    const outcome = failure(await builder().build(buildRequest({ context })));
    expect(outcome).toMatchObject({ reason: 'builder_error', message: expect.stringContaining('src/big.js') });
  });

  it('waits as retry-after says on 429, then succeeds with two usage records', async () => {
    const runtime = instantRuntime();
    fake.enqueue(fakeReply.rateLimited(7), fakeReply.operations([greet], undefined, { input: 50, output: 20 }));
    const outcome = await builder(runtime).build(buildRequest());
    expect(outcome.ok).toBe(true);
    expect(runtime.waits).toEqual([7000]);
    expect(fake.requests).toHaveLength(2);
    expect(outcome.usage.map((u) => [u.succeeded, u.total_tokens])).toEqual([
      [false, 0],
      [true, 70],
    ]);
  });

  it('retries an overloaded provider, then succeeds', async () => {
    const runtime = instantRuntime();
    fake.enqueue(fakeReply.overloaded(), fakeReply.operations([greet]));
    const outcome = await builder(runtime).build(buildRequest());
    expect(outcome.ok).toBe(true);
    expect(runtime.waits).toHaveLength(1);
    expect(outcome.usage.map((u) => u.succeeded)).toEqual([false, true]);
  });

  it('fails with builder_error naming the status when 500 lasts until attempts run out', async () => {
    fake.respondWith(() => fakeReply.error(500));
    const outcome = failure(await builder().build(buildRequest()));
    expect(outcome.reason).toBe('builder_error');
    expect(outcome.message).toMatch(/HTTP 500 .*\(after 3 attempts\)$/);
    expect(fake.requests).toHaveLength(3);
    expect(outcome.usage).toHaveLength(3);
    expect(outcome.usage.every((u) => !u.succeeded)).toBe(true);
  });

  it('fails with timeout when no attempt answers in time', async () => {
    fake.respondWith(() => fakeReply.slow(5_000, fakeReply.operations([greet])));
    const outcome = failure(await builder(instantRuntime(), { timeoutMs: 80, maxAttempts: 2 }).build(buildRequest()));
    expect(outcome.reason).toBe('timeout');
    expect(outcome.usage).toHaveLength(2);
  });

  it('never returns the API key in a message', async () => {
    const leaky = [
      fakeReply.error(401, `invalid key ${API_KEY}`),
      fakeReply.error(400, `bad request from Bearer ${API_KEY}`),
      fakeReply.raw(200, `oops ${API_KEY}`),
      fakeReply.text(`not json ${API_KEY}`),
    ];
    for (const reply of leaky) {
      fake.enqueue(reply);
      const outcome = await builder().build(buildRequest());
      expect(outcome.ok).toBe(false);
      expect(JSON.stringify(outcome)).not.toContain(API_KEY);
    }
  });
});
