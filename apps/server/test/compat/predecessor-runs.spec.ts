import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, startTestApp, type TestApp } from '../support/test-app';
import { EXECUTOR, OPERATOR, VIEWER } from '../support/work';
import {
  expectFields,
  PHASE_RESPONSE,
  PROGRESS_PHASE,
  RUN_LIST,
  RUN_LIST_ITEM,
  RUN_PROGRESS,
  RUN_RESPONSE,
  TIER_RESPONSE,
} from './predecessor-fields';

/**
 * The predecessor's clients against our server: request bodies written from its schemas
 * (RunStartRequest, PhaseCreate with a free-form scope, PhaseStatusUpdate), answers checked
 * against its response models' field lists. See docs/migration.md.
 */

/** A RunStartRequest as the predecessor's operators wrote them: no repo, nulls for defaults. */
function predecessorStart(runId: string) {
  return {
    run: { run_id: runId, safety_profile: 'normal', run_scope: 'multi_tier', token_cap: null, max_phases: null, max_duration_minutes: null },
    tiers: [
      { tier_id: 'T1', tier_index: 0, name: 'Foundation', description: null },
      { tier_id: 'T2', tier_index: 1, name: 'Features', description: 'user-facing' },
    ],
    phases: [
      {
        phase_id: 'F1.1',
        phase_index: 0,
        tier_id: 'T1',
        name: 'Schema',
        description: 'Add the users table',
        task_category: 'schema_change',
        complexity: 'medium',
        builder_mode: 'tweak_light',
        scope: {
          paths: ['src/db/'],
          allowed_paths: ['migrations/'],
          protected_paths: ['src/db/legacy.py'],
          goal: 'A users table with a unique email',
          read_only_context: ['docs/schema.md', { path: 'src/db/models.py', reason: 'existing models to follow' }],
          deliverables: ['migrations/0002_users.py'],
          ci: { pytest: 'tests/db' },
        },
        intention_refs: { success_criteria: [0, 2], constraints_must: [1] },
      },
      { phase_id: 'F2.1', phase_index: 0, tier_id: 'T2', name: 'API', description: null, task_category: null, complexity: null, builder_mode: null, scope: null },
    ],
  };
}

for (const dialect of testDialects()) {
  describe(`predecessor clients: runs on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterAll(() => t.database.close());

    const start = (body: object) => t.http.post('/runs/start').set(OPERATOR).send(body);
    const getRun = async (runId: string) => (await t.http.get(`/runs/${runId}`).set(VIEWER).expect(200)).body;
    const status = (runId: string, phaseId: string, body: object) =>
      t.http.post(`/runs/${runId}/phases/${phaseId}/update_status`).set(OPERATOR).send(body);

    it('starts a RunStartRequest with nulls, a free-form scope, read_only_context objects and intention_refs (201)', async () => {
      const res = await start(predecessorStart('compat-full'));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: 'compat-full', token_cap: 5_000_000, max_phases: 25, max_duration_minutes: 120, repo: null });
      const [first, second] = res.body.phases;
      expect(first.scope).toEqual({
        paths: ['src/db/', 'migrations/'],
        allowed_paths: ['migrations/'],
        protected_paths: ['src/db/legacy.py'],
        goal: 'A users table with a unique email',
        read_only_context: ['docs/schema.md', { path: 'src/db/models.py', reason: 'existing models to follow' }],
        deliverables: ['migrations/0002_users.py'],
        allow_mass_deletion: false,
        ci: { pytest: 'tests/db' },
      });
      expect(first.intention_refs).toEqual({ success_criteria: [0, 2], constraints_must: [1], constraints_must_not: [], constraints_preferences: [] });
      expect(second).toMatchObject({ scope: { paths: [], protected_paths: [] }, intention_refs: null, description: null });
      expect(res.body.warnings).toEqual([
        { path: 'run.repo', message: expect.stringMatching(/externally driven/) },
        { path: 'phases.0.scope.ci', message: expect.stringMatching(/kept verbatim/) },
      ]);
    });

    it('starts the predecessor defaults: an empty run, and a tier without phases', async () => {
      const empty = await start({ run: { run_id: 'compat-empty' } });
      expect(empty.status).toBe(201);
      expect(empty.body).toMatchObject({ id: 'compat-empty', state: 'RUN_CREATED', tiers: [], phases: [] });
      const lonely = await start({ run: { run_id: 'compat-lonely' }, tiers: [{ tier_id: 'T1', tier_index: 0, name: 'Later' }] });
      expect(lonely.status).toBe(201);
      expect(lonely.body.tiers).toEqual([expect.objectContaining({ tier_id: 'T1', state: 'PENDING', phases: [] })]);
    });

    it('still refuses fields outside the predecessor schemas, with detail', async () => {
      const res = await start({ ...predecessorStart('compat-strict'), priority: 'high' });
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 'validation_failed');
      expect(res.body.detail).toMatch(/body\.priority: unknown field "priority"/);
      const bad = await start({ run: { run_id: 'compat-bad-roc' }, tiers: [{ tier_id: 'T1', tier_index: 0, name: 'x' }], phases: [{ phase_id: 'p', phase_index: 0, tier_id: 'T1', name: 'p', scope: { read_only_context: [{ reason: 'no path' }] } }] });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toMatch(/phases\.0\.scope\.read_only_context\.0/);
    });

    it('refuses text PostgreSQL cannot store and deep nesting in free-form scope keys with 400, storing nothing', async () => {
      let deep: unknown = 'leaf';
      for (let i = 0; i < 100; i++) deep = { d: deep };
      const cases: [string, (body: ReturnType<typeof predecessorStart>) => void, RegExp][] = [
        ['compat-nul', (b) => Object.assign(b.phases[0]!.scope!, { notes: 'a\u0000b' }), /body\.phases\.0\.scope\.notes: contains a NUL/],
        ['compat-surrogate', (b) => Object.assign(b.run, { goal_anchor: 'x\ud800y' }), /body\.run\.goal_anchor: contains a lone UTF-16 surrogate/],
        ['compat-nul-key', (b) => Object.assign(b.phases[0]!.scope!, { ['k\u0000']: 1 }), /field name contains a NUL/],
        ['compat-deep', (b) => Object.assign(b.phases[0]!.scope!, { deep }), /nested deeper than 64 levels/],
      ];
      for (const [runId, mutate, message] of cases) {
        const body = predecessorStart(runId);
        mutate(body);
        const res = await start(body);
        expect([runId, res.status]).toEqual([runId, 400]);
        expectEnvelope(res.body, 'validation_failed');
        expect(res.body.detail).toMatch(message);
        expect((await t.http.get(`/runs/${runId}`).set(VIEWER)).status).toBe(404);
      }
    });

    it('answers GET /runs/{id} in the flat RunResponse shape, tiers and phases included', async () => {
      const run = await getRun('compat-full');
      expectFields(run, RUN_RESPONSE, 'run');
      expect(run).not.toHaveProperty('run');
      expect(run).toMatchObject({ id: 'compat-full', run_id: 'compat-full', ci_runs_used: 0, promotion_eligible_to_main: 'false', debt_status: 'clean' });
      for (const tier of run.tiers) {
        expectFields(tier, TIER_RESPONSE, `tier ${tier.tier_id}`);
        expect(tier).toMatchObject({ id: tier.tier_id, cleanliness: 'clean' });
        for (const phase of tier.phases) expectFields(phase, PHASE_RESPONSE, `tier ${tier.tier_id} phase ${phase.phase_id}`);
      }
      for (const phase of run.phases) expectFields(phase, PHASE_RESPONSE, `phase ${phase.phase_id}`);
      expect(run.phases.map((p: { id: string }) => p.id)).toEqual(['F1.1', 'F2.1']);
    });

    it('never hands a phase of an externally driven run to an executor', async () => {
      const claim = await t.http.post('/executors/claim').set(EXECUTOR).send({ executor_id: 'ex-compat' });
      expect(claim.status).toBe(204);
      expect((await getRun('compat-full')).phases.map((p: { state: string }) => p.state)).toEqual(['QUEUED', 'QUEUED']);
    });

    it('drives an externally driven run to DONE_SUCCESS the way the predecessor executor does, with every field right at each step', async () => {
      await start(predecessorStart('compat-drive')).expect(201);
      const states = async () => {
        const run = await getRun('compat-drive');
        expectFields(run, RUN_RESPONSE, 'run');
        return { run: run.state, tiers: run.tiers.map((x: { state: string }) => x.state), phases: run.phases.map((p: { state: string }) => p.state), run_body: run };
      };

      // Phase F1.1: EXECUTING, builder_result, CI_RUNNING, auditor_result, COMPLETE.
      await status('compat-drive', 'F1.1', { state: 'EXECUTING' }).expect(200);
      expect(await states()).toMatchObject({ run: 'PHASE_EXECUTION', tiers: ['IN_PROGRESS', 'PENDING'], phases: ['EXECUTING', 'QUEUED'] });
      expect((await states()).run_body.started_at).toEqual(expect.any(String));
      await t.http
        .post('/runs/compat-drive/phases/F1.1/builder_result')
        .set(OPERATOR)
        .send({ phase_id: 'F1.1', run_id: 'compat-drive', status: 'success', patch_content: 'diff --git a/x b/x\n', files_changed: ['x'], lines_added: 1, tokens_used: 1200 })
        .expect(201);
      await status('compat-drive', 'F1.1', { state: 'CI_RUNNING' }).expect(200);
      await t.http
        .post('/runs/compat-drive/phases/F1.1/auditor_result')
        .set(OPERATOR)
        .send({ phase_id: 'F1.1', run_id: 'compat-drive', review_notes: 'fine', recommendation: 'approve', confidence: 'high' })
        .expect(201);
      await status('compat-drive', 'F1.1', { state: 'COMPLETE' }).expect(200);
      const afterFirst = await states();
      expect(afterFirst).toMatchObject({ run: 'PHASE_EXECUTION', tiers: ['COMPLETE', 'PENDING'], phases: ['COMPLETE', 'QUEUED'] });
      expect(afterFirst.run_body).toMatchObject({ tokens_used: 1200, ci_runs_used: 1, completed_at: null, promotion_eligible_to_main: 'false' });

      // An illegal move is still refused: QUEUED → COMPLETE skips the work.
      const illegal = await status('compat-drive', 'F2.1', { state: 'COMPLETE' });
      expect(illegal.status).toBe(409);
      expect(illegal.body).toMatchObject({ error: { code: 'illegal_transition' }, detail: expect.stringMatching(/QUEUED → COMPLETE/) });

      await status('compat-drive', 'F2.1', { state: 'EXECUTING' }).expect(200);
      await status('compat-drive', 'F2.1', { state: 'COMPLETE' }).expect(200);
      const done = await states();
      expect(done).toMatchObject({ run: 'DONE_SUCCESS', tiers: ['COMPLETE', 'COMPLETE'], phases: ['COMPLETE', 'COMPLETE'] });
      expect(done.run_body).toMatchObject({ completed_at: expect.any(String), failure_reason: null, promotion_eligible_to_main: 'true', debt_status: 'clean' });

      // Finalised exactly once: one run_state_changed into DONE_SUCCESS.
      const events = (await t.http.get('/runs/compat-drive/events').set(VIEWER)).body.events as { type: string; payload: { to?: string } }[];
      expect(events.filter((e) => e.type === 'run_state_changed' && e.payload.to === 'DONE_SUCCESS')).toHaveLength(1);
      // And no executor ever worked on it.
      expect(events.filter((e) => e.type === 'phase_claimed')).toHaveLength(0);
    });

    it('lists runs with the predecessor fields and a total', async () => {
      const page = (await t.http.get('/runs?limit=2').set(VIEWER).expect(200)).body;
      expectFields(page, RUN_LIST, 'page');
      expect(page.runs).toHaveLength(2);
      for (const item of page.runs) expectFields(item, RUN_LIST_ITEM, `run ${item.id}`);
      const all = (await t.http.get('/runs?limit=100').set(VIEWER).expect(200)).body;
      expect(page.total).toBe(all.runs.length);
      const drive = all.runs.find((r: { id: string }) => r.id === 'compat-drive');
      expect(drive).toMatchObject({ phases_total: 2, phases_completed: 2, current_phase_name: null, token_cap: 5_000_000 });
      const full = all.runs.find((r: { id: string }) => r.id === 'compat-full');
      expect(full).toMatchObject({ phases_total: 2, phases_completed: 0, current_phase_name: 'Schema' });
      expect((await t.http.get('/runs?state=DONE_SUCCESS').set(VIEWER)).body.total).toBe(1);
    });

    it('answers /progress with the predecessor fields', async () => {
      const progress = (await t.http.get('/runs/compat-drive/progress').set(VIEWER).expect(200)).body;
      expectFields(progress, RUN_PROGRESS, 'progress');
      for (const phase of progress.phases) expectFields(phase, PROGRESS_PHASE, `progress phase ${phase.phase_id}`);
      expect(progress).toMatchObject({ phases_total: 2, phases_completed: 2, phases_in_progress: 0, phases_pending: 0, tokens_used: 1200 });
      expect(progress.elapsed_seconds).toEqual(expect.any(Number));
      expect(progress.phases.map((p: { builder_attempts: number }) => p.builder_attempts)).toEqual([1, 1]);
      const waiting = (await t.http.get('/runs/compat-full/progress').set(VIEWER).expect(200)).body;
      expect(waiting).toMatchObject({ elapsed_seconds: null, phases_pending: 2, phases_in_progress: 0 });
    });
  });
}
