import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, phaseIds, setState, startTestApp, type TestApp } from './support/test-app';
import { claim, leased, OPERATOR, phaseOf } from './support/work';

for (const dialect of testDialects()) {
  describe(`run lifecycle on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterAll(() => t.database.close());

    it('drives a 3-tier, 10-phase plan to DONE_SUCCESS with one event per change, in order', async () => {
      const plan = makePlan('ten', { tiers: 3, perTier: 4 });
      plan.phases = plan.phases.slice(0, 10);
      const created = await t.http.post('/runs/start').send(plan);
      expect(created.status).toBe(201);
      expect(created.body.state).toBe('RUN_CREATED');
      expect(created.body.phases).toHaveLength(10);
      expect(created.body.tiers.map((x: { phases: unknown[] }) => x.phases.length)).toEqual([4, 4, 2]);

      for (const id of phaseIds(plan)) {
        expect((await setState(t, 'ten', id, 'EXECUTING')).status).toBe(200);
        const done = await setState(t, 'ten', id, 'COMPLETE');
        expect(done.status).toBe(200);
      }

      const run = await t.http.get('/runs/ten');
      expect(run.body.state).toBe('DONE_SUCCESS');
      expect(run.body.completed_at).toEqual(expect.any(String));
      expect(run.body.failure_reason).toBeNull();
      expect(run.body.tiers.map((x: { state: string }) => x.state)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE']);
      expect(run.body.phases.every((p: { state: string; attempt: number }) => p.state === 'COMPLETE' && p.attempt === 1)).toBe(true);

      const events = await t.http.get('/runs/ten/events?limit=500');
      const story = events.body.events.map((e: { type: string; phase_id: string | null; tier_id: string | null; payload: { to?: string } }) =>
        [e.type, e.phase_id ?? e.tier_id ?? '', e.payload.to ?? ''].join(' '),
      );
      const expected = ['run_created  '];
      phaseIds(plan).forEach((id, i) => {
        const tier = `t${Math.floor(i / 4)}`;
        expected.push(`phase_state_changed ${id} EXECUTING`);
        if (i % 4 === 0) expected.push(`tier_state_changed ${tier} IN_PROGRESS`);
        if (i === 0) expected.push('run_state_changed  PHASE_EXECUTION');
        expected.push(`phase_state_changed ${id} COMPLETE`);
        if (i === 3 || i === 7 || i === 9) expected.push(`tier_state_changed ${tier} COMPLETE`);
      });
      expected.push('run_state_changed  DONE_SUCCESS');
      expect(story).toEqual(expected);
      const ids = events.body.events.map((e: { id: number }) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it('stops at a failed phase: later phases SKIPPED with a reason, run needs human review', async () => {
      const plan = makePlan('stop', { tiers: 2, perTier: 2, maxAttempts: 1 });
      await t.http.post('/runs/start').send(plan).expect(201);
      await setState(t, 'stop', 't0-p0', 'EXECUTING').expect(200);
      await setState(t, 'stop', 't0-p0', 'COMPLETE').expect(200);
      await setState(t, 'stop', 't0-p1', 'EXECUTING').expect(200);
      const failed = await setState(t, 'stop', 't0-p1', 'FAILED', { failure_reason: 'ci_fail', message: '2 tests broke' });
      expect(failed.status).toBe(200);
      expect(failed.body.run).toMatchObject({
        state: 'DONE_FAILED_REQUIRES_HUMAN_REVIEW',
        failure_reason: 'phase t0-p1 failed (ci_fail)',
        completed_at: expect.any(String),
      });
      const run = (await t.http.get('/runs/stop')).body;
      expect(run.phases.map((p: { state: string }) => p.state)).toEqual(['COMPLETE', 'FAILED', 'SKIPPED', 'SKIPPED']);
      expect(run.phases[2].failure_reason).toMatch(/t0-p1 failed and on_phase_failure is "stop"/);
      expect(run.tiers.map((x: { state: string }) => x.state)).toEqual(['FAILED', 'SKIPPED']);
    });

    it('continues past a failed phase with on_phase_failure "continue", then needs review', async () => {
      const plan = makePlan('cont', { perTier: 2, onPhaseFailure: 'continue', maxAttempts: 1 });
      await t.http.post('/runs/start').send(plan).expect(201);
      await setState(t, 'cont', 't0-p0', 'EXECUTING').expect(200);
      const failed = await setState(t, 'cont', 't0-p0', 'FAILED', { failure_reason: 'builder_error' });
      expect(failed.body.run.state).toBe('PHASE_EXECUTION');
      await setState(t, 'cont', 't0-p1', 'EXECUTING').expect(200);
      const last = await setState(t, 'cont', 't0-p1', 'COMPLETE');
      expect(last.body.run).toMatchObject({ state: 'DONE_FAILED_REQUIRES_HUMAN_REVIEW', failure_reason: 'phase t0-p0 failed (builder_error)' });
      expect(last.body.tier.state).toBe('FAILED');
    });

    it('reopens a DONE_FAILED run when an operator retries the failed phase, and counts a new attempt', async () => {
      await t.http.post('/runs/start').send(makePlan('retry', { maxAttempts: 1 })).expect(201);
      await setState(t, 'retry', 't0-p0', 'EXECUTING').expect(200);
      await setState(t, 'retry', 't0-p0', 'FAILED', { failure_reason: 'ci_fail' }).expect(200);
      const requeued = await setState(t, 'retry', 't0-p0', 'QUEUED');
      expect(requeued.body.run).toMatchObject({ state: 'PHASE_EXECUTION', completed_at: null, failure_reason: null });
      expect(requeued.body.phase).toMatchObject({ state: 'QUEUED', failure_reason: null, attempt: 1 });
      const again = await setState(t, 'retry', 't0-p0', 'EXECUTING');
      expect(again.body.phase.attempt).toBe(2);
      const done = await setState(t, 'retry', 't0-p0', 'COMPLETE');
      expect(done.body.run.state).toBe('DONE_SUCCESS');
    });

    it('finishes a run whose phases were all skipped as DONE_SUCCESS without starting it', async () => {
      await t.http.post('/runs/start').send(makePlan('skipall', { perTier: 2 })).expect(201);
      await setState(t, 'skipall', 't0-p0', 'SKIPPED').expect(200);
      const last = await setState(t, 'skipall', 't0-p1', 'SKIPPED');
      expect(last.body.run).toMatchObject({ state: 'DONE_SUCCESS', completed_at: expect.any(String) });
      expect(last.body.tier.state).toBe('SKIPPED');
      expect((await t.http.get('/runs/skipall')).body.started_at).toBeNull();
    });

    it('runs one phase of a run at a time: a second active phase is 409 phase_active', async () => {
      await t.http.post('/runs/start').send(makePlan('busy', { perTier: 2 })).expect(201);
      await setState(t, 'busy', 't0-p0', 'EXECUTING').expect(200);
      const second = await setState(t, 'busy', 't0-p1', 'EXECUTING');
      expect(second.status).toBe(409);
      expectEnvelope(second.body, 'phase_active');
      expect(second.body.error.details).toEqual({ active_phase_id: 't0-p0', state: 'EXECUTING' });
      await setState(t, 'busy', 't0-p0', 'GATE').expect(200);
      await setState(t, 'busy', 't0-p0', 'EXECUTING').expect(200);
    });

    it('requires failure_reason when an executor reports FAILED, and refuses it with any other state', async () => {
      await t.http.post('/runs/start').set(OPERATOR).send(makePlan('reason')).expect(201);
      const c = await claim(t, 'ex-reason');
      const missing = await leased(t, c, 'update_status', { state: 'FAILED' });
      expect(missing.status).toBe(400);
      expect(missing.body.error.details).toEqual([{ path: 'body.failure_reason', message: expect.stringMatching(/^required when state is FAILED/) }]);
      const misplaced = await leased(t, c, 'update_status', { state: 'COMPLETE', failure_reason: 'ci_fail' });
      expect(misplaced.status).toBe(400);
      expect((await phaseOf(t, 'reason', 't0-p0')).state).toBe('EXECUTING');
    });

    it('answers 404 with the envelope for an unknown run or phase', async () => {
      const noRun = await setState(t, 'nope', 'p', 'EXECUTING');
      expect(noRun.status).toBe(404);
      expectEnvelope(noRun.body, 'run_not_found');
      await t.http.post('/runs/start').send(makePlan('known')).expect(201);
      const noPhase = await setState(t, 'known', 'nope', 'EXECUTING');
      expect(noPhase.status).toBe(404);
      expectEnvelope(noPhase.body, 'phase_not_found');
      expect((await t.http.get('/runs/nope/progress')).status).toBe(404);
      expect((await t.http.get('/runs/nope/events')).status).toBe(404);
    });

    it('reports progress with counts, the current phase and per-tier progress', async () => {
      await t.http.post('/runs/start').send(makePlan('prog', { tiers: 2, perTier: 2 })).expect(201);
      await setState(t, 'prog', 't0-p0', 'EXECUTING').expect(200);
      await setState(t, 'prog', 't0-p0', 'COMPLETE').expect(200);
      await setState(t, 'prog', 't0-p1', 'EXECUTING').expect(200);
      const progress = (await t.http.get('/runs/prog/progress')).body;
      expect(progress).toMatchObject({
        run_id: 'prog',
        state: 'PHASE_EXECUTION',
        percent_complete: 25,
        current_phase: { phase_id: 't0-p1', tier_id: 't0', state: 'EXECUTING' },
        tiers: [
          { tier_id: 't0', state: 'IN_PROGRESS', phases_total: 2, phases_complete: 1 },
          { tier_id: 't1', state: 'PENDING', phases_total: 2, phases_complete: 0 },
        ],
      });
      expect(progress.phase_counts).toMatchObject({ total: 4, QUEUED: 2, EXECUTING: 1, COMPLETE: 1 });
    });
  });
}
