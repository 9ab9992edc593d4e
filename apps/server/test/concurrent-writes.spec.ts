import { ACTIVE_PHASE_STATES, canTransition, type PhaseState } from '@autopack/contracts';
import { testDialects } from '@autopack/db/testing';
import { deriveTierState } from '../src/kernel';
import { makePlan, setState, startTestApp, type TestApp } from './support/test-app';

interface Event {
  type: string;
  phase_id: string | null;
  tier_id: string | null;
  payload: { from?: string; to?: string; created?: boolean };
}

for (const dialect of testDialects()) {
  describe(`concurrent writes to one run on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterAll(() => t.database.close());

    it('50 concurrent update_status calls (plus issues and results) leave states, counters and events consistent', async () => {
      const plan = makePlan('storm', { tiers: 2, perTier: 5, onPhaseFailure: 'continue' });
      await t.http.post('/runs/start').send(plan).expect(201);
      const ids = plan.phases.map((p) => p.phase_id);
      const wanted: PhaseState[] = ['EXECUTING', 'SKIPPED', 'EXECUTING', 'CANCELLED', 'EXECUTING'];
      const statusCalls = ids.flatMap((id) => wanted.map((state) => async () => ({ kind: 'status', res: await setState(t, 'storm', id, state) })));
      const issueCalls = Array.from({ length: 20 }, (_, i) => async () => ({
        kind: 'issue',
        res: await t.http.post(`/runs/storm/phases/${ids[(i % 5) % 2]}/record_issue`).send({
          issue_key: `key-${i % 5}`,
          severity: i % 5 === 0 ? 'major' : 'minor',
          source: 'auditor',
          category: 'quality',
        }),
      }));
      const resultCalls = ids.map((id) => async () => ({
        kind: 'result',
        res: await t.http.post(`/runs/storm/phases/${id}/builder_result`).send({ run_id: 'storm', phase_id: id, status: 'success', tokens_used: 100 }),
      }));
      const calls = [...statusCalls, ...issueCalls, ...resultCalls].sort(() => Math.random() - 0.5);
      const answers = await Promise.all(calls.map((call) => call()));

      expect(answers.filter((a) => a.res.status >= 500)).toEqual([]);
      const statusAnswers = answers.filter((a) => a.kind === 'status').map((a) => a.res);
      expect(statusAnswers).toHaveLength(50);
      expect(statusAnswers.every((a) => a.status === 200 || a.status === 409)).toBe(true);

      const run = (await t.http.get('/runs/storm')).body;
      const events: Event[] = (await t.http.get('/runs/storm/events?limit=500')).body.events;
      const phaseEvents = events.filter((e) => e.type === 'phase_state_changed');
      expect(phaseEvents).toHaveLength(statusAnswers.filter((a) => a.status === 200).length);

      // Each phase's events replay, through legal transitions only, to the state it is in.
      for (const phase of run.phases as { phase_id: string; state: PhaseState; tier_id: string }[]) {
        let state: PhaseState = 'QUEUED';
        for (const e of phaseEvents.filter((x) => x.phase_id === phase.phase_id)) {
          expect(e.payload.from).toBe(state);
          expect(canTransition(state, e.payload.to as PhaseState)).toBe(true);
          state = e.payload.to as PhaseState;
        }
        expect(phase.state).toBe(state);
      }
      const active = (run.phases as { state: PhaseState }[]).filter((p) => ACTIVE_PHASE_STATES.includes(p.state));
      expect(active.length).toBeLessThanOrEqual(1);
      for (const tier of run.tiers as { tier_id: string; state: string; phases: { state: PhaseState }[] }[]) {
        expect(tier.state).toBe(deriveTierState(tier.phases.map((p) => p.state)));
      }

      // Counters: 5 distinct issue keys, key-0 major; 10 results of 100 tokens each.
      expect(run).toMatchObject({ major_issues_count: 1, minor_issues_count: 4, tokens_used: 1000 });
      const phaseIssues = run.phases.reduce((n: number, p: { minor_issues_count: number; major_issues_count: number }) => n + p.minor_issues_count + p.major_issues_count, 0);
      expect(phaseIssues).toBe(5);
      expect(run.phases.every((p: { tokens_used: number }) => p.tokens_used === 100)).toBe(true);
      const issueEvents = events.filter((e) => e.type === 'issue_recorded');
      expect(issueEvents).toHaveLength(20);
      expect(issueEvents.filter((e) => e.payload.created)).toHaveLength(5);
      const backlog = (await t.http.get('/project/issues/backlog')).body;
      expect(backlog.issues.reduce((n: number, i: { occurrences: number }) => n + i.occurrences, 0)).toBe(20);
      expect(events.filter((e) => e.type === 'builder_result')).toHaveLength(10);
      const ids2 = events.map((e) => (e as unknown as { id: number }).id);
      expect(new Set(ids2).size).toBe(ids2.length);
    });
  });
}
