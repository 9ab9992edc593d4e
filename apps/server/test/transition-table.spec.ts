import { PHASE_STATES, PHASE_TRANSITIONS, type PhaseState } from '@autopack/contracts';
import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, setState, startTestApp, type TestApp } from './support/test-app';

/** How a phase reaches each state from QUEUED, through legal transitions only. */
const PATH_TO: Record<PhaseState, PhaseState[]> = {
  QUEUED: [],
  EXECUTING: ['EXECUTING'],
  GATE: ['EXECUTING', 'GATE'],
  CI_RUNNING: ['EXECUTING', 'CI_RUNNING'],
  BLOCKED: ['EXECUTING', 'BLOCKED'],
  COMPLETE: ['EXECUTING', 'COMPLETE'],
  FAILED: ['EXECUTING', 'FAILED'],
  SKIPPED: ['SKIPPED'],
  CANCELLED: ['CANCELLED'],
};

const cases = PHASE_STATES.flatMap((from) =>
  PHASE_STATES.map((to) => ({ from, to, legal: PHASE_TRANSITIONS[from].includes(to) })),
);

const body = (state: PhaseState) => (state === 'FAILED' ? { failure_reason: 'ci_fail' } : {});

for (const dialect of testDialects()) {
  describe(`the phase transition table over HTTP on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterAll(() => t.database.close());

    // Every pair of the 9×9 matrix: each legal one is accepted, each other one is 409 naming both states.
    it.each(cases)('$from → $to is legal: $legal', async ({ from, to, legal }) => {
      const runId = `m-${from}-${to}`.toLowerCase();
      // A second phase keeps the run open, so the pair is judged by the phase table alone.
      // max_attempts 1: a FAILED attempt is final (with attempts left it would be QUEUED again, SPEC §4.6).
      await t.http.post('/runs/start').send(makePlan(runId, { perTier: 2, onPhaseFailure: 'continue', maxAttempts: 1 })).expect(201);
      for (const step of PATH_TO[from]) await setState(t, runId, 't0-p0', step, body(step)).expect(200);
      const before = (await t.http.get(`/runs/${runId}/events`)).body.events.length;

      const res = await setState(t, runId, 't0-p0', to, body(to));
      const after = (await t.http.get(`/runs/${runId}/events`)).body.events;
      if (legal) {
        expect(res.status).toBe(200);
        expect(res.body.phase.state).toBe(to);
        expect(after.filter((e: { type: string }) => e.type === 'phase_state_changed').at(-1).payload).toMatchObject({ from, to });
      } else {
        expect(res.status).toBe(409);
        expectEnvelope(res.body, 'illegal_transition');
        expect(res.body.error.message).toContain(`${from} → ${to}`);
        expect(res.body.error.details).toMatchObject({ from, to });
        expect(after).toHaveLength(before);
        expect((await t.http.get(`/runs/${runId}`)).body.phases[0].state).toBe(from);
      }
    });
  });
}
