import type { AuditRequest } from '../src/auditor/auditor';
import { createAuditor } from '../src/auditor/create-auditor';
import { createLlmBuilder } from '../src/builders/llm-builder';
import { fakeReply, startFakeProviders, type FakeProviders } from './support/fake-providers';
import { API_KEY, buildRequest, instantRuntime, phaseTask } from './support/llm-fixtures';

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const request: AuditRequest = {
  task: phaseTask(),
  diff: 'diff --git a/src/greet.js b/src/greet.js\n+exports.greet = () => 1;\n',
  delta: { newlyFailing: ['greet › says hello'], newlyPassing: [], newCollectionErrors: [], flaky: [] },
  signal: new AbortController().signal,
};

const llmAuditor = (provider: 'anthropic' | 'openai' = 'anthropic') =>
  createAuditor({ kind: 'llm', llm: { provider, apiKey: API_KEY, baseUrl: fake.url, model: 'auditor-model', maxAttempts: 2 } }, instantRuntime());

describe('auditor none', () => {
  it('approves with high confidence and says auditing is disabled', async () => {
    expect(await createAuditor({ kind: 'none' }).audit(request)).toEqual({
      ok: true,
      verdict: { recommendation: 'approve', confidence: 'high', review_notes: 'auditing disabled', issues_found: [], suggested_patches: [], tokens_used: 0 },
      usage: [],
    });
  });
});

describe('auditor llm against the fake provider', () => {
  it('approves, with the review call recorded as auditor usage', async () => {
    fake.enqueue(fakeReply.verdict('approve', [], { input: 700, output: 40 }));
    const outcome = await llmAuditor().audit(request);
    expect(outcome).toEqual({
      ok: true,
      verdict: { recommendation: 'approve', confidence: 'high', review_notes: 'fake review: approve', issues_found: [], suggested_patches: [], tokens_used: 740 },
      usage: [{ provider: 'anthropic', model: 'auditor-model', role: 'auditor', prompt_tokens: 700, completion_tokens: 40, total_tokens: 740, succeeded: true }],
    });
    expect(fake.requests[0]!.prompt).toContain('+exports.greet = () => 1;');
    expect(fake.requests[0]!.prompt).toContain('- greet › says hello');
  });

  it('asks for revision with its issues, over OpenAI too', async () => {
    const issues = [
      { severity: 'major' as const, description: 'greet ignores its argument', path: 'src/greet.js' },
      { severity: 'minor' as const, description: 'no test for greet' },
    ];
    fake.enqueue(fakeReply.verdict('revise', issues));
    const outcome = await llmAuditor('openai').audit(request);
    expect(outcome).toMatchObject({ ok: true, verdict: { recommendation: 'revise', issues_found: issues } });
  });

  it('tolerates extra remarks and null paths, but not a verdict outside the enums', async () => {
    fake.enqueue(
      fakeReply.json({ recommendation: 'escalate', confidence: 'low', review_notes: 'unsure', issues_found: [{ severity: 'major', description: 'touches auth', path: null }], mood: 'wary' }),
      fakeReply.json({ recommendation: 'lgtm', confidence: 'high', review_notes: '', issues_found: [] }),
    );
    const extra = await llmAuditor().audit(request);
    expect(extra).toMatchObject({ ok: true, verdict: { recommendation: 'escalate', issues_found: [{ severity: 'major', description: 'touches auth' }] } });
    const invalid = await llmAuditor().audit(request);
    expect(invalid).toMatchObject({ ok: false, message: expect.stringMatching(/invalid verdict: .*recommendation/) });
    expect(invalid.usage).toEqual([expect.objectContaining({ role: 'auditor', succeeded: false })]);
  });

  it.each([
    ['not JSON', fakeReply.text('Looks good to me!'), /invalid verdict: the answer is not valid JSON/],
    ['a missing field', fakeReply.json({ recommendation: 'approve', review_notes: '', issues_found: [] }), /confidence/],
    ['an unknown severity', fakeReply.json({ recommendation: 'revise', confidence: 'high', review_notes: '', issues_found: [{ severity: 'critical', description: 'x' }] }), /issues_found\[0\]\.severity/],
    ['a truncated answer', fakeReply.truncated('{"recommendation": "appr'), /auditor call failed: .*cut off/],
    ['a provider that keeps failing', fakeReply.error(500), /auditor call failed: .*HTTP 500/],
  ])('fails without a verdict on %s', async (_case, reply, why) => {
    fake.respondWith(() => reply);
    const outcome = await llmAuditor().audit(request);
    expect(outcome).toMatchObject({ ok: false, message: expect.stringMatching(why) });
    expect(JSON.stringify(outcome)).not.toContain(API_KEY);
  });
});

describe('fake providers scripted by role', () => {
  it('answers builder and auditor calls from one handler, as an end-to-end test would', async () => {
    fake.respondWith((r) => (r.role === 'auditor' ? fakeReply.verdict('approve') : fakeReply.operations([{ path: 'a.txt', mode: 'create', content: 'a\n' }])));
    const settings = { provider: 'openai' as const, apiKey: API_KEY, baseUrl: fake.url };
    const built = await createLlmBuilder(settings).build(buildRequest());
    const audited = await createAuditor({ kind: 'llm', llm: settings }).audit(request);
    expect(built.ok && audited.ok).toBe(true);
    expect(fake.requests.map((r) => r.role)).toEqual(['builder', 'auditor']);
  });
});
