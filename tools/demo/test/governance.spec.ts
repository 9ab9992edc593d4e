import { watchRun } from '../src/watch-run';
import { makeRepo, patchesFor, planOf } from './support/plans';
import { stackDialects, startStack, type Stack } from './support/stack';
import { waitFor } from './support/wait';

jest.setTimeout(120_000);


for (const dialect of stackDialects()) {
  describe(`a phase that touches a protected path (governance) on ${dialect}`, () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(dialect);
    });
    afterAll(() => stack.stop());

    const workflow = (runId: string) => {
      const repo = makeRepo({ 'src/a.js': 'a\n', '.github/workflows/ci.yml': 'on: push\n' });
      const [patch] = patchesFor(repo, [{ '.github/workflows/ci.yml': 'on: [push, pull_request]\n', 'src/a.js': 'b\n' }]);
      // Scope includes the workflow: only the protected-path rule stands in the way.
      return planOf(runId, repo, [{ id: 'ci', patches: [patch!, patch!], paths: ['src/**', '.github/**'], maxAttempts: 2 }]);
    };

    const blocked = (runId: string) =>
      waitFor(async () => {
        const pending = await stack.admin.listGovernancePending();
        return pending.requests.find((r) => r.run_id === runId);
      });

    it('is BLOCKED until an operator approves, then COMPLETE with the change', async () => {
      await stack.admin.startRun(workflow('gov-approve'));
      const request = await blocked('gov-approve');
      expect(request.requested_paths).toEqual(['.github/workflows/ci.yml']);
      expect((await stack.admin.getRun('gov-approve')).phases[0]!.state).toBe('BLOCKED');
      await stack.admin.decideGovernance(request.request_id, { approved: true, reason: 'CI change reviewed' });
      const { state, events } = await watchRun(stack.admin, 'gov-approve', { timeoutMs: 60_000 });
      expect(state).toBe('DONE_SUCCESS');
      expect(events.some((e) => e.type === 'approval_decided' && e.actor.startsWith('key:'))).toBe(true);
    });

    it('fails the phase and the run (DONE_FAILED_POLICY_VIOLATION) when an operator rejects', async () => {
      await stack.admin.startRun(workflow('gov-reject'));
      const request = await blocked('gov-reject');
      await stack.admin.decideGovernance(request.request_id, { approved: false, reason: 'not in this run' });
      const { state } = await watchRun(stack.admin, 'gov-reject', { timeoutMs: 60_000 });
      expect(state).toBe('DONE_FAILED_POLICY_VIOLATION');
      expect((await stack.admin.getRun('gov-reject')).phases[0]).toMatchObject({ state: 'FAILED', failure_reason: 'policy_rejected' });
    });
  });
}
