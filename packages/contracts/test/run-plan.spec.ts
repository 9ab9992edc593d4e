import { RunPlan, describeIssues, RUN_DEFAULTS } from '../src';

const plan = () => ({
  run: { run_id: 'r1', repo: { path: '/repo' } },
  tiers: [{ tier_id: 't', tier_index: 0, name: 'T' }],
  phases: [{ phase_id: 'p', tier_id: 't', phase_index: 0, name: 'P' }],
});

describe('RunPlan', () => {
  it('fills the predecessor defaults', () => {
    const parsed = RunPlan.parse(plan());
    expect(parsed.run).toMatchObject({ token_cap: RUN_DEFAULTS.token_cap, max_phases: 25, max_duration_minutes: 120, on_phase_failure: 'stop' });
    expect(parsed.phases[0]!.max_attempts).toBe(5);
  });

  it('names unknown fields one by one', () => {
    const result = RunPlan.safeParse({ ...plan(), a: 1, b: 2 });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!.issues).map((i) => i.path)).toEqual(['a', 'b']);
  });

  it.each(['../x', '/abs', '.hidden', '', 'a b', 'a/b', 'x'.repeat(129), 'ü'])('rejects the run_id %j', (runId) => {
    expect(RunPlan.safeParse({ ...plan(), run: { ...plan().run, run_id: runId } }).success).toBe(false);
  });

  it.each(['a', 'A-1', 'run_2026.11.22', '9', 'x'.repeat(128)])('accepts the run_id %j', (runId) => {
    expect(RunPlan.safeParse({ ...plan(), run: { ...plan().run, run_id: runId } }).success).toBe(true);
  });
});
