import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { branchCommits, copyDemoRepo, demoPlan } from '../src/demo-repo';
import { watchRun } from '../src/watch-run';
import { stackDialects, startStack, type Stack } from './support/stack';

jest.setTimeout(180_000);

for (const dialect of stackDialects()) {
  describe(`the main job on ${dialect}: server and two executor processes`, () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(dialect, { executors: 2 });
    });
    afterAll(() => stack.stop());

    it('completes the demo plan: the failed attempt is retried with its feedback, one commit per phase', async () => {
      const runId = `e2e-demo-${dialect}`;
      await stack.admin.startRun(demoPlan(copyDemoRepo(), runId));
      const { state, events } = await watchRun(stack.admin, runId, { timeoutMs: 150_000 });
      expect(state).toBe('DONE_SUCCESS');

      // The story, in order.
      const story = events
        .filter((e) => e.type === 'phase_state_changed')
        .map((e) => `${e.phase_id} ${String(e.payload['to'])}`);
      expect(story).toEqual([
        'farewell EXECUTING', 'farewell CI_RUNNING', 'farewell GATE', 'farewell COMPLETE',
        'excited EXECUTING', 'excited CI_RUNNING', 'excited QUEUED',
        'excited EXECUTING', 'excited CI_RUNNING', 'excited GATE', 'excited COMPLETE',
        'readme EXECUTING', 'readme CI_RUNNING', 'readme GATE', 'readme COMPLETE',
      ]);
      // Attempt 1 of "excited" broke the plain greeting; the feedback names the test.
      const retry = events.find((e) => e.type === 'phase_state_changed' && e.phase_id === 'excited' && e.payload['to'] === 'QUEUED')!;
      expect(retry.payload).toMatchObject({ failure_reason: 'ci_fail', message: expect.stringMatching(/newly failing: .*greets by name/) });
      const claims = events.filter((e) => e.type === 'phase_claimed' && e.phase_id === 'excited');
      expect(claims.map((e) => e.payload['attempt'])).toEqual([1, 2]);

      // The last executor's worktree holds the branch: base + one commit per phase.
      const dir = [0, 1].map((i) => stack.workDir(i)).find((d) => existsSync(join(d, 'runs', runId, 'README.md')) && branchCommits(d, runId).length === 3)!;
      expect(branchCommits(dir, runId)).toEqual([
        `autopack: run ${runId}, phase farewell, attempt 1`,
        `autopack: run ${runId}, phase excited, attempt 2`,
        `autopack: run ${runId}, phase readme, attempt 1`,
      ]);
      const patches = (await stack.admin.getArtifactIndex(runId)).artifacts.filter((a) => a.kind === 'patch');
      expect(patches.map((a) => a.path)).toEqual(['farewell/1/accepted.patch', 'excited/2/accepted.patch', 'readme/1/accepted.patch']);
    });
  });
}
