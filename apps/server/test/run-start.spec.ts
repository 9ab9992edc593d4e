import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, startTestApp, type TestApp } from './support/test-app';

for (const dialect of testDialects()) {
  describe(`POST /runs/start on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterAll(() => t.database.close());

    const start = (body: unknown) => t.http.post('/runs/start').send(body as object);

    it('creates the run with the predecessor defaults and every phase QUEUED', async () => {
      const res = await start(makePlan('defaults', { tiers: 2, perTier: 2 }));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        run_id: 'defaults',
        state: 'RUN_CREATED',
        token_cap: 5_000_000,
        max_phases: 25,
        max_duration_minutes: 120,
        safety_profile: 'normal',
        run_scope: 'multi_tier',
        on_phase_failure: 'stop',
        tokens_used: 0,
      });
      expect(res.body.phases.map((p: { phase_id: string; state: string; max_attempts: number }) => [p.phase_id, p.state, p.max_attempts])).toEqual([
        ['t0-p0', 'QUEUED', 5],
        ['t0-p1', 'QUEUED', 5],
        ['t1-p0', 'QUEUED', 5],
        ['t1-p1', 'QUEUED', 5],
      ]);
      expect(res.body.tiers.map((x: { state: string }) => x.state)).toEqual(['PENDING', 'PENDING']);
      const events = (await t.http.get('/runs/defaults/events')).body.events;
      expect(events).toEqual([expect.objectContaining({ type: 'run_created', actor: 'anonymous', payload: { tiers: 2, phases: 4, externally_driven: false } })]);
    });

    it('orders phases by (tier_index, phase_index) whatever the order of the plan', async () => {
      const plan = makePlan('order', { tiers: 2, perTier: 2 });
      plan.tiers.reverse();
      plan.phases.reverse();
      const res = await start(plan);
      expect(res.body.phases.map((p: { phase_id: string }) => p.phase_id)).toEqual(['t0-p0', 't0-p1', 't1-p0', 't1-p1']);
      expect(res.body.tiers.map((x: { tier_id: string }) => x.tier_id)).toEqual(['t0', 't1']);
    });

    it('keeps the full phase spec: scope, ci argv and builder kind', async () => {
      const plan = makePlan('spec');
      Object.assign(plan.phases[0]!, {
        scope: { paths: ['src/**'], read_only_context: ['README.md'], deliverables: ['a passing test'] },
        ci: { command: ['npm', 'test'], timeout_seconds: 600, junit_path: 'junit.xml' },
        builder: { kind: 'command', argv: ['aider', '--yes'] },
        complexity: 'high',
      });
      const phase = (await start(plan)).body.phases[0];
      expect(phase).toMatchObject({
        scope: { paths: ['src/**'], read_only_context: ['README.md'], deliverables: ['a passing test'], allow_mass_deletion: false },
        ci: { command: ['npm', 'test'], timeout_seconds: 600, junit_path: 'junit.xml' },
        builder_kind: 'command',
        complexity: 'high',
      });
    });

    it('rejects a duplicate run_id with 409 run_exists and leaves the first run alone', async () => {
      await start(makePlan('dup', { perTier: 1 })).expect(201);
      const again = await start(makePlan('dup', { perTier: 3 }));
      expect(again.status).toBe(409);
      expectEnvelope(again.body, 'run_exists');
      expect((await t.http.get('/runs/dup')).body.phases).toHaveLength(1);
    });

    it('lets exactly one of several simultaneous submissions of one run_id win', async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => start(makePlan('race', { perTier: 2 }))));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      expect((await t.http.get('/runs/race/events')).body.events).toHaveLength(1);
    });

    const invalid: [string, (plan: ReturnType<typeof makePlan>) => unknown, string, RegExp][] = [
      ['an unknown top-level field', (p) => ({ ...p, extra: 1 }), 'body.extra', /unknown field "extra"/],
      ['an unknown field in run', (p) => ({ ...p, run: { ...p.run, colour: 'red' } }), 'body.run.colour', /unknown field "colour"/],
      ['an unknown field in a phase', (p) => { Object.assign(p.phases[0]!, { sneaky: true }); return p; }, 'body.phases.0.sneaky', /unknown field/],
      ['a path-like run_id', (p) => ({ ...p, run: { ...p.run, run_id: '../x' } }), 'body.run.run_id', /must start with a letter or digit/],
      ['a run_id with a slash', (p) => ({ ...p, run: { ...p.run, run_id: 'a/b' } }), 'body.run.run_id', /letters, digits/],
      ['a run_id of 129 characters', (p) => ({ ...p, run: { ...p.run, run_id: 'a'.repeat(129) } }), 'body.run.run_id', /at most 128/],
      ['a phase naming an unknown tier', (p) => { p.phases[0]!.tier_id = 'ghost'; return p; }, 'body.phases.0.tier_id', /unknown tier "ghost"/],
      ['a duplicate phase_id', (p) => { p.phases[1]!.phase_id = p.phases[0]!.phase_id; return p; }, 'body.phases.1.phase_id', /duplicate phase_id/],
      ['a duplicate tier_id', (p) => { p.tiers.push({ ...p.tiers[0]!, tier_index: 7 }); return p; }, 'body.tiers.1.tier_id', /duplicate tier_id/],
      ['two phases at one position', (p) => { p.phases[1]!.phase_index = 0; return p; }, 'body.phases.1.phase_index', /duplicate phase_index/],
      ['more phases than max_phases', (p) => ({ ...p, run: { ...p.run, max_phases: 1 } }), 'body.phases', /exceed run.max_phases \(1\)/],
      ['token_cap out of range', (p) => ({ ...p, run: { ...p.run, token_cap: 0 } }), 'body.run.token_cap', /./],
      ['max_duration_minutes out of range', (p) => ({ ...p, run: { ...p.run, max_duration_minutes: 999999 } }), 'body.run.max_duration_minutes', /./],
      ['a fractional max_attempts', (p) => { p.phases[0]!.max_attempts = 1.5; return p; }, 'body.phases.0.max_attempts', /./],
      ['repo with both path and url', (p) => ({ ...p, run: { ...p.run, repo: { path: '/a', url: 'https://x/y.git' } } }), 'body.run.repo', /exactly one/],
      ['a ci command given as a shell string', (p) => { Object.assign(p.phases[0]!, { ci: { command: 'npm test && rm -rf /' } }); return p; }, 'body.phases.0.ci.command', /./],
      ['ci with neither command nor skip', (p) => { Object.assign(p.phases[0]!, { ci: { timeout_seconds: 5 } }); return p; }, 'body.phases.0.ci', /either "command"/],
      ['an unknown builder kind', (p) => { Object.assign(p.phases[0]!, { builder: { kind: 'magic' } }); return p; }, 'body.phases.0.builder.kind', /./],
      ['more replay patches than attempts', (p) => { Object.assign(p.phases[0]!, { max_attempts: 1, builder: { kind: 'patch', patches: ['a', 'b'] } }); return p; }, 'body.phases.0.builder.patches', /2 patches but max_attempts is 1/],
    ];

    it.each(invalid)('rejects %s with 400 naming the field', async (_name, mutate, path, message) => {
      const runId = `bad-${Math.random().toString(36).slice(2)}`;
      const res = await start(mutate(makePlan(runId, { perTier: 2 })));
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 'validation_failed');
      expect(res.body.error.details).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
      expect(res.body.error.message).toContain(path);
      expect((await t.http.get(`/runs/${runId}`)).status).toBe(404);
    });

    it('rejects a body that is not JSON, not an object, or missing, without a 5xx', async () => {
      const malformed = await t.http.post('/runs/start').set('content-type', 'application/json').send('{"run": ');
      expect(malformed.status).toBe(400);
      expectEnvelope(malformed.body, 'invalid_json');
      const array = await t.http.post('/runs/start').send([1, 2]);
      expect(array.status).toBe(400);
      const empty = await t.http.post('/runs/start');
      expect(empty.status).toBe(400);
      expectEnvelope(empty.body, 'validation_failed');
      const text = await t.http.post('/runs/start').set('content-type', 'text/plain').send('run please');
      expect(text.status).toBe(415);
      expectEnvelope(text.body, 'unsupported_media_type');
    });
  });
}
