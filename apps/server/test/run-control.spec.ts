import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, startTestApp, type TestApp } from './support/test-app';
import { cancelOpenRuns, claim, claimRequest, eventsOf, EXECUTOR, heartbeat, leased, OPERATOR, VIEWER } from './support/work';

const usage = (phaseId: string, tokens: number) => ({
  phase_id: phaseId,
  provider: 'anthropic',
  model: 'claude-x',
  role: 'builder',
  prompt_tokens: tokens,
  completion_tokens: 0,
});

for (const dialect of testDialects()) {
  describe(`retries, budgets and operator actions on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterEach(() => cancelOpenRuns(t));
    afterAll(() => t.database.close());

    it('queues a failed attempt again while attempts are left, keeping its feedback for the next one', async () => {
      await t.http.post('/runs/start').send(makePlan('r-retry', { maxAttempts: 2 })).expect(201);
      const first = await claim(t);
      await leased(t, first, 'builder_result', { run_id: 'r-retry', phase_id: 't0-p0', status: 'failed', notes: 'compile error', files_changed: ['a.ts'] }).expect(201);
      await leased(t, first, 'auditor_result', {
        run_id: 'r-retry',
        phase_id: 't0-p0',
        recommendation: 'revise',
        confidence: 'medium',
        review_notes: 'tests missing',
        issues_found: [{ text: 'no test' }],
      }).expect(201);
      await leased(t, first, 'artifacts', { kind: 'test_report', path: 'junit.json', content: '{"failed":2}' }).expect(201);
      const failed = await leased(t, first, 'update_status', { state: 'FAILED', failure_reason: 'ci_fail', message: '2 tests failed: a, b', newly_failing: ['a', 'b'] });
      expect(failed.status).toBe(200);
      expect(failed.body.phase).toMatchObject({ state: 'QUEUED', attempt: 1, failure_reason: null });
      expect(failed.body.run.state).toBe('PHASE_EXECUTION');
      const change = (await eventsOf(t, 'r-retry')).filter((e) => e.type === 'phase_state_changed').at(-1)!;
      expect(change.payload).toMatchObject({ from: 'EXECUTING', to: 'QUEUED', requested: 'FAILED', retry: true, attempts_left: 1, failure_reason: 'ci_fail' });

      const second = await claim(t);
      expect(second.attempt).toBe(2);
      expect(second.prior_attempts).toEqual([
        {
          attempt: 1,
          outcome: 'failed',
          failure_reason: 'ci_fail',
          message: '2 tests failed: a, b',
          newly_failing: ['a', 'b'],
          started_at: expect.any(String),
          ended_at: expect.any(String),
          builder: { status: 'failed', notes: 'compile error', files_changed: ['a.ts'] },
          auditor: { recommendation: 'revise', confidence: 'medium', review_notes: 'tests missing', issues_found: [{ text: 'no test' }] },
          artifacts: [{ artifact_id: expect.any(Number), kind: 'test_report', path: 't0-p0/1/junit.json', sha256: expect.any(String) }],
        },
      ]);
      // Attempts exhausted: the failure is final and the run finishes.
      const last = await leased(t, second, 'update_status', { state: 'FAILED', failure_reason: 'ci_fail' });
      expect(last.body.phase).toMatchObject({ state: 'FAILED', attempt: 2, failure_reason: 'ci_fail' });
      expect(last.body.run.state).toBe('DONE_FAILED_REQUIRES_HUMAN_REVIEW');
    });

    it('lets an operator retry a FAILED phase (reopening the run) and skip a QUEUED one; others may not', async () => {
      await t.http.post('/runs/start').send(makePlan('r-op', { perTier: 3, maxAttempts: 1, onPhaseFailure: 'continue' })).expect(201);
      const c = await claim(t);
      await leased(t, c, 'update_status', { state: 'FAILED', failure_reason: 'builder_error' }).expect(200);
      expect((await t.http.post('/runs/r-op/phases/t0-p1/skip').set(EXECUTOR).send({})).status).toBe(403);
      expect((await t.http.post('/runs/r-op/phases/t0-p1/skip').set(VIEWER).send({})).status).toBe(403);
      const skipped = await t.http.post('/runs/r-op/phases/t0-p1/skip').set(OPERATOR).send({ reason: 'not needed' });
      expect(skipped.status).toBe(200);
      expect(skipped.body.phase).toMatchObject({ state: 'SKIPPED' });
      const skipAgain = await t.http.post('/runs/r-op/phases/t0-p1/skip').set(OPERATOR).send({});
      expect(skipAgain.status).toBe(409);
      expectEnvelope(skipAgain.body, 'illegal_transition');
      const c2 = await claim(t);
      expect(c2.phase.phase_id).toBe('t0-p2');
      const done = await leased(t, c2, 'update_status', { state: 'COMPLETE' });
      expect(done.body.run).toMatchObject({ state: 'DONE_FAILED_REQUIRES_HUMAN_REVIEW', failure_reason: 'phase t0-p0 failed (builder_error)' });

      const notFailed = await t.http.post('/runs/r-op/phases/t0-p2/retry').set(OPERATOR).send({});
      expectEnvelope(notFailed.body, 'illegal_transition');
      const retried = await t.http.post('/runs/r-op/phases/t0-p0/retry').set(OPERATOR).send({ reason: 'flaky CI' });
      expect(retried.status).toBe(200);
      expect(retried.body.phase).toMatchObject({ state: 'QUEUED', attempt: 1 });
      expect(retried.body.run).toMatchObject({ state: 'PHASE_EXECUTION', completed_at: null });
      const c3 = await claim(t);
      expect([c3.phase.phase_id, c3.attempt]).toEqual(['t0-p0', 2]);
      const ok = await leased(t, c3, 'update_status', { state: 'COMPLETE' });
      expect(ok.body.run.state).toBe('DONE_SUCCESS');
      const actions = (await eventsOf(t, 'r-op')).filter((e) => e.payload['operator_action']).map((e) => [e.actor, e.payload['operator_action']]);
      expect(actions).toEqual([
        ['ops', 'skip'],
        ['ops', 'retry'],
      ]);
    });

    it('retrying the phase whose failure stopped the run queues the phases it skipped again, but not those skipped by hand', async () => {
      await t.http.post('/runs/start').send(makePlan('r-resume', { tiers: 2, perTier: 2, maxAttempts: 1 })).expect(201);
      const first = await claim(t);
      await leased(t, first, 'update_status', { state: 'COMPLETE' }).expect(200);
      await t.http.post('/runs/r-resume/phases/t1-p1/skip').set(OPERATOR).send({ reason: 'done by hand' }).expect(200);
      const failing = await claim(t);
      expect(failing.phase.phase_id).toBe('t0-p1');
      const failed = await leased(t, failing, 'update_status', { state: 'FAILED', failure_reason: 'ci_fail' });
      expect(failed.body.run.state).toBe('DONE_FAILED_REQUIRES_HUMAN_REVIEW');
      const stateOf = async () => {
        const run = await t.http.get('/runs/r-resume').set(OPERATOR).expect(200);
        return Object.fromEntries(run.body.phases.map((p: { phase_id: string; state: string }) => [p.phase_id, p.state]));
      };
      expect(await stateOf()).toEqual({ 't0-p0': 'COMPLETE', 't0-p1': 'FAILED', 't1-p0': 'SKIPPED', 't1-p1': 'SKIPPED' });

      const retried = await t.http.post('/runs/r-resume/phases/t0-p1/retry').set(OPERATOR).send({});
      expect(retried.status).toBe(200);
      expect(retried.body.run.state).toBe('PHASE_EXECUTION');
      expect(await stateOf()).toEqual({ 't0-p0': 'COMPLETE', 't0-p1': 'QUEUED', 't1-p0': 'QUEUED', 't1-p1': 'SKIPPED' });
      const requeued = (await eventsOf(t, 'r-resume')).filter((e) => e.payload['operator_action'] === 'retry');
      expect(requeued.map((e) => [e.phase_id, e.payload['from'], e.payload['to']])).toEqual([
        ['t0-p1', 'FAILED', 'QUEUED'],
        ['t1-p0', 'SKIPPED', 'QUEUED'],
      ]);

      // The run does the skipped work before it can succeed.
      for (const expected of ['t0-p1', 't1-p0']) {
        const c = await claim(t);
        expect(c.phase.phase_id).toBe(expected);
        const done = await leased(t, c, 'update_status', { state: 'COMPLETE' });
        expect(done.body.run.state).toBe(expected === 't1-p0' ? 'DONE_SUCCESS' : 'PHASE_EXECUTION');
      }
      // Only a retry may leave SKIPPED; update_status may not.
      const unskip = await t.http.post('/runs/r-resume/phases/t1-p1/update_status').set(OPERATOR).send({ state: 'QUEUED' });
      expect(unskip.status).toBe(409);
    });

    it('ends a run at its token cap: no more claims, the active lease told to stop, DONE_FAILED_BUDGET_EXHAUSTED', async () => {
      const plan = makePlan('r-budget', { perTier: 2 });
      plan.run.token_cap = 1000;
      await t.http.post('/runs/start').send(plan).expect(201);
      const c = await claim(t);
      const under = await t.http.post('/runs/r-budget/usage').set(EXECUTOR).set('X-Lease-Token', c.lease_token).send(usage('t0-p0', 600));
      expect(under.status).toBe(201);
      expect(under.body).toMatchObject({ run_tokens_used: 600, token_cap: 1000, budget_exhausted: false, run_state: 'PHASE_EXECUTION' });
      const over = await t.http.post('/runs/r-budget/usage').set(EXECUTOR).set('X-Lease-Token', c.lease_token).send(usage('t0-p0', 500));
      expect(over.body).toMatchObject({ run_tokens_used: 1100, budget_exhausted: true, run_state: 'DONE_FAILED_BUDGET_EXHAUSTED' });

      const run = (await t.http.get('/runs/r-budget')).body;
      expect(run).toMatchObject({ state: 'DONE_FAILED_BUDGET_EXHAUSTED', failure_reason: 'token budget exhausted: 1100 of 1000 tokens used', tokens_used: 1100 });
      expect(run.phases.map((p: { state: string; failure_reason: string | null }) => [p.state, p.failure_reason])).toEqual([
        ['FAILED', 'budget'],
        ['CANCELLED', null],
      ]);
      const beat = await heartbeat(t, c);
      expect(beat.body).toMatchObject({ cancel_requested: true });
      // Tokens the executor spent before it heard of the cancel are still recorded.
      const late = await t.http.post('/runs/r-budget/usage').set(EXECUTOR).set('X-Lease-Token', c.lease_token).send(usage('t0-p0', 5));
      expect(late.status).toBe(201);
      expectEnvelope((await leased(t, c, 'update_status', { state: 'COMPLETE' })).body, 'lease_lost');
      expect((await claimRequest(t)).status).toBe(204);
      const types = (await eventsOf(t, 'r-budget')).map((e) => e.type);
      expect(types).toContain('budget_exhausted');
      expect(types.at(-1)).toBe('run_state_changed');
      // A retry could never be claimed: refused, and nothing changes.
      const retry = await t.http.post('/runs/r-budget/phases/t0-p0/retry').set(OPERATOR).send({});
      expect(retry.status).toBe(409);
      expectEnvelope(retry.body, 'budget_exhausted');
      expect(retry.body.error.message).toContain('token_cap');
      const requeue = await t.http.post('/runs/r-budget/phases/t0-p0/update_status').set(OPERATOR).send({ state: 'QUEUED' });
      expectEnvelope(requeue.body, 'budget_exhausted');
      expect((await t.http.get('/runs/r-budget')).body.state).toBe('DONE_FAILED_BUDGET_EXHAUSTED');
      expect((await eventsOf(t, 'r-budget')).map((e) => e.type)).toEqual(types);
    });

    it('counts builder and auditor tokens against the budget too', async () => {
      const plan = makePlan('r-budget2');
      plan.run.token_cap = 100;
      await t.http.post('/runs/start').send(plan).expect(201);
      const c = await claim(t);
      await leased(t, c, 'builder_result', { run_id: 'r-budget2', phase_id: 't0-p0', status: 'success', tokens_used: 150 }).expect(201);
      expect((await t.http.get('/runs/r-budget2')).body.state).toBe('DONE_FAILED_BUDGET_EXHAUSTED');
    });

    it('cancels a run: open phases CANCELLED, the lease holder told to stop; only operators may, once', async () => {
      await t.http.post('/runs/start').send(makePlan('r-cancel', { perTier: 3 })).expect(201);
      const c = await claim(t);
      expect((await t.http.post('/runs/r-cancel/cancel').set(EXECUTOR).send({})).status).toBe(403);
      const cancelled = await t.http.post('/runs/r-cancel/cancel').set(OPERATOR).send({ reason: 'wrong repo' });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ state: 'CANCELLED', failure_reason: 'cancelled by ops: wrong repo', completed_at: expect.any(String) });
      expect(cancelled.body.phases.map((p: { state: string }) => p.state)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
      expect((await heartbeat(t, c)).body.cancel_requested).toBe(true);
      const release = await t.http.post(`/executors/leases/${c.lease_id}/release`).set(EXECUTOR).send({ lease_token: c.lease_token });
      expect(release.body).toMatchObject({ released: false, phase: { state: 'CANCELLED' } });
      const again = await t.http.post('/runs/r-cancel/cancel').set(OPERATOR).send({});
      expect(again.status).toBe(409);
      expectEnvelope(again.body, 'run_finished');
      const events = await eventsOf(t, 'r-cancel');
      expect(events.find((e) => e.type === 'run_cancelled')).toMatchObject({ actor: 'ops', payload: { reason: 'cancelled by ops: wrong repo' } });
    });

    it('ends a run past max_duration_minutes as DONE_FAILED_ENVIRONMENT with a reason (reaper)', async () => {
      const plan = makePlan('r-slow', { perTier: 2 });
      plan.run.max_duration_minutes = 10;
      await t.http.post('/runs/start').send(plan).expect(201);
      const c = await claim(t);
      // The executor keeps its lease alive for 9½ minutes: the run is still within its time.
      for (let i = 0; i < 12; i++) {
        t.clock.advance(47_500);
        await heartbeat(t, c).expect(200);
      }
      expect((await t.reaper.sweep()).runs_timed_out).toBe(0);
      t.clock.advance(31_000);
      expect(await t.reaper.sweep()).toMatchObject({ runs_timed_out: 1, leases_expired: 0 });
      const run = (await t.http.get('/runs/r-slow')).body;
      expect(run).toMatchObject({ state: 'DONE_FAILED_ENVIRONMENT', failure_reason: expect.stringMatching(/max_duration_minutes \(10\)/) });
      expect(run.phases.map((p: { state: string; failure_reason: string | null }) => [p.state, p.failure_reason])).toEqual([
        ['FAILED', 'timeout'],
        ['CANCELLED', null],
      ]);
      expect((await heartbeat(t, c)).body.cancel_requested).toBe(true);
      expect((await eventsOf(t, 'r-slow')).find((e) => e.type === 'run_timed_out')?.actor).toBe('system:reaper');
      // A retry would be timed out again by the next sweep: refused, whichever route asks.
      const events = (await eventsOf(t, 'r-slow')).length;
      for (const retry of [
        t.http.post('/runs/r-slow/phases/t0-p0/retry').set(OPERATOR).send({}),
        t.http.post('/runs/r-slow/phases/t0-p0/update_status').set(OPERATOR).send({ state: 'QUEUED' }),
      ]) {
        const refused = await retry;
        expect(refused.status).toBe(409);
        expectEnvelope(refused.body, 'run_timed_out');
        expect(refused.body.error.message).toContain('max_duration_minutes (10');
      }
      expect((await t.http.get('/runs/r-slow')).body.state).toBe('DONE_FAILED_ENVIRONMENT');
      expect((await eventsOf(t, 'r-slow')).length).toBe(events);
    });

    it("treats an operator's update_status FAILED → QUEUED as a retry: the phases the stop policy skipped are queued again", async () => {
      await t.http.post('/runs/start').send(makePlan('r-requeue', { perTier: 3, maxAttempts: 1 })).expect(201);
      const c = await claim(t);
      await leased(t, c, 'update_status', { state: 'FAILED', failure_reason: 'ci_fail' }).expect(200);
      const requeued = await t.http.post('/runs/r-requeue/phases/t0-p0/update_status').set(OPERATOR).send({ state: 'QUEUED', message: 'fixed the runner' });
      expect(requeued.status).toBe(200);
      expect(requeued.body.run.state).toBe('PHASE_EXECUTION');
      const run = (await t.http.get('/runs/r-requeue')).body;
      expect(run.phases.map((p: { state: string }) => p.state)).toEqual(['QUEUED', 'QUEUED', 'QUEUED']);
      // The run cannot finish DONE_SUCCESS without the skipped work.
      for (const expected of ['t0-p0', 't0-p1', 't0-p2']) {
        const next = await claim(t);
        expect(next.phase.phase_id).toBe(expected);
        await leased(t, next, 'update_status', { state: 'COMPLETE' }).expect(200);
      }
      expect((await t.http.get('/runs/r-requeue')).body.state).toBe('DONE_SUCCESS');
    });
  });
}
