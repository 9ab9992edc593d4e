import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchRun } from '../src/watch-run';
import { makeRepo, patchesFor } from './support/plans';
import { stackDialects, startStack, type Stack } from './support/stack';
import { waitFor } from './support/wait';

jest.setTimeout(120_000);


/** A coding agent (a node script) that writes the phase's goal, read from its task file, into GOAL-<phase>.md. */
function goalWritingAgent(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'autopack-e2e-agent-')), 'agent.js');
  writeFileSync(
    file,
    `const fs = require('fs');
     const { task } = JSON.parse(fs.readFileSync(process.env.AUTOPACK_TASK_FILE, 'utf8'));
     fs.writeFileSync('GOAL-' + process.env.AUTOPACK_PHASE_ID + '.md', String(task.scope.goal) + '\\n');`,
  );
  return file;
}

for (const dialect of stackDialects()) {
  describe(`predecessor plans with a real executor on ${dialect}`, () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(dialect);
    });
    afterAll(() => stack.stop());

    it("refuses a change to a file of the phase's protected_paths: governed apply files a governance request and the phase waits", async () => {
      const repo = makeRepo({ 'src/a.js': 'a\n', 'src/frozen.js': 'frozen\n' });
      const [patch] = patchesFor(repo, [{ 'src/a.js': 'b\n', 'src/frozen.js': 'thawed\n' }]);
      await stack.admin.startRun({
        run: { run_id: 'pp-protected', repo: { path: repo }, token_cap: null },
        tiers: [{ tier_id: 'T1', tier_index: 0, name: 'One' }],
        phases: [
          {
            phase_id: 'touch',
            tier_id: 'T1',
            phase_index: 0,
            name: 'touch both',
            // The predecessor's scope keys: allowed_paths joins paths; protected_paths is enforced.
            scope: { allowed_paths: ['src/'], protected_paths: ['src/frozen.js'] },
            builder: { kind: 'patch', patches: [patch!] },
            max_attempts: 1,
          },
        ],
      });
      const request = await waitFor(async () => (await stack.admin.listGovernancePending()).requests.find((r) => r.run_id === 'pp-protected'));
      expect(request.requested_paths).toEqual(['src/frozen.js']);
      expect((await stack.admin.getRun('pp-protected')).phases[0]!.state).toBe('BLOCKED');
      const report = await waitFor(async () => {
        const index = await stack.admin.getArtifactIndex('pp-protected');
        return index.artifacts.find((a) => a.kind === 'apply_report');
      });
      const bytes = await stack.admin.getArtifactFile('pp-protected', { artifact_id: String(report.artifact_id) });
      const applied = JSON.parse(Buffer.from(bytes).toString('utf8')) as { outcome: string; violations: { code: string; path: string }[] };
      expect(applied).toMatchObject({ outcome: 'rejected', violations: [{ code: 'protected_path', path: 'src/frozen.js' }] });
      await stack.admin.decideGovernance(request.request_id, { approved: false, reason: 'frozen stays frozen' });
      expect((await watchRun(stack.admin, 'pp-protected', { timeoutMs: 60_000 })).state).toBe('DONE_FAILED_POLICY_VIOLATION');
    });

    it('imports a predecessor plan file and runs it to DONE_SUCCESS, each phase goal reaching the builder', async () => {
      // The same file without a repository is driven from outside: the running executor never takes it.
      await stack.admin.importRun({ run_id: 'pp-external', goal: 'Document the goals', phases: [{ phase_id: 'first', goal: 'say hello' }] });
      const repo = makeRepo({ 'README.md': '# app\n' });
      const agent = { kind: 'command' as const, argv: [process.execPath, goalWritingAgent()] };
      const imported = await stack.admin.importRun({
        run_id: 'pp-import',
        goal: 'Document the goals',
        phases: [
          { phase_id: 'first', goal: 'say hello', scope: { deliverables: ['GOAL-first.md'] }, builder: agent },
          { phase_id: 'second', goal: 'say goodbye', builder: agent },
        ],
        repo: { path: repo },
      });
      expect(imported.tiers.map((t) => t.tier_id)).toEqual(['T1']);
      const { state } = await watchRun(stack.admin, 'pp-import', { timeoutMs: 90_000 });
      expect(state).toBe('DONE_SUCCESS');
      const branch = join(stack.workDir(0), 'runs', 'pp-import');
      const show = (path: string) => execFileSync('git', ['show', `autopack/pp-import:${path}`], { cwd: branch, encoding: 'utf8' });
      expect(show('GOAL-first.md')).toBe('say hello\n');
      expect(show('GOAL-second.md')).toBe('say goodbye\n');
      const external = await stack.admin.getRun('pp-external');
      expect([external.state, external.phases.map((p) => p.state)]).toEqual(['RUN_CREATED', ['QUEUED']]);
      expect((await stack.admin.listRunEvents('pp-external')).events.map((e) => e.type)).toEqual(['run_created']);
    });
  });
}
