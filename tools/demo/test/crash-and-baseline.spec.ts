import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { branchCommits } from '../src/demo-repo';
import { watchRun } from '../src/watch-run';
import { makeRepo, NODE_TESTS, patchesFor, planOf } from './support/plans';
import { stackDialects, startStack, type Stack } from './support/stack';

jest.setTimeout(180_000);

const nodeTest = (name: string, body: string) =>
  `const test = require('node:test');\nconst assert = require('node:assert/strict');\ntest(${JSON.stringify(name)}, () => {\n${body}\n});\n`;

for (const dialect of stackDialects()) {
  describe(`an executor killed mid-phase on ${dialect}`, () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(dialect, { executors: 1, serverEnv: { AUTOPACK_LEASE_SECONDS: '5' } });
    });
    afterAll(() => stack.stop());

    it('loses its lease; another executor finishes the phase on a rebuilt workspace, once', async () => {
      const repo = makeRepo({ 'src/a.txt': 'a\n', 'test/slow.test.js': nodeTest('slow', 'assert.ok(true);') });
      const [one, two] = patchesFor(repo, [{ 'src/a.txt': 'one\n' }, { 'src/b.txt': 'two\n' }]);
      // The second phase's tests take a while: long enough to kill the executor while they run.
      const slow = { command: ['node', '-e', 'setTimeout(() => {}, 3000)'], timeout_seconds: 60 };
      await stack.admin.startRun(planOf('crash', repo, [{ id: 'first', patches: [one!] }, { id: 'second', patches: [two!, two!], ci: slow, maxAttempts: 2 }]));

      for (;;) {
        const phase = (await stack.admin.getRun('crash')).phases[1]!;
        if (phase.state === 'CI_RUNNING') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // The operator's branch moves on meanwhile: the rebuild must still start from the run's base.
      const base = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
      writeFileSync(join(repo, 'src/later.txt'), 'later\n');
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', 'add', '-A'], { cwd: repo });
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qm', 'later'], { cwd: repo });
      stack.executors[0]!.proc.kill('SIGKILL');
      stack.addExecutor();

      const { state, events } = await watchRun(stack.admin, 'crash', { timeoutMs: 90_000 });
      expect(state).toBe('DONE_SUCCESS');
      expect(events.filter((e) => e.type === 'lease_expired' && e.phase_id === 'second')).toHaveLength(1);
      const patches = (await stack.admin.getArtifactIndex('crash')).artifacts.filter((a) => a.kind === 'patch' && a.phase_id === 'second');
      expect(patches).toHaveLength(1);
      // The second executor never saw the first phase happen: it rebuilt the worktree from its patch.
      expect(branchCommits(stack.workDir(1), 'crash')).toEqual([
        'autopack: run crash, phase first, attempt 1',
        'autopack: run crash, phase second, attempt 2',
      ]);
      expect(readFileSync(join(stack.workDir(1), 'runs/crash/src/a.txt'), 'utf8')).toBe('one\n');
      expect(existsSync(join(stack.workDir(1), 'runs/crash/src/later.txt'))).toBe(false);
      expect(execFileSync('git', ['rev-parse', 'HEAD~2'], { cwd: join(stack.workDir(1), 'runs/crash'), encoding: 'utf8' }).trim()).toBe(base);
      expect((await stack.admin.getRun('crash')).base_commit).toBe(base);
    });
  });
}

for (const dialect of stackDialects()) {
  describe(`tests against the baseline on ${dialect}`, () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(dialect);
    });
    afterAll(() => stack.stop());

    it('blocks only on what the change broke, not on a test that was already failing', async () => {
      const repo = makeRepo({
        'src/value.js': 'module.exports = 1;\n',
        'test/value.test.js': nodeTest('value is one', "assert.equal(require('../src/value'), 1);"),
        'test/old.test.js': nodeTest('already broken', 'assert.fail("broken before the run");'),
      });
      const [breaking] = patchesFor(repo, [{ 'src/value.js': 'module.exports = 2;\n' }]);
      await stack.admin.startRun(planOf('baseline', repo, [{ id: 'break', patches: [breaking!], ci: NODE_TESTS }]));
      const { state, events } = await watchRun(stack.admin, 'baseline', { timeoutMs: 60_000 });
      expect(state).toBe('DONE_FAILED_REQUIRES_HUMAN_REVIEW');
      const failed = events.find((e) => e.type === 'phase_state_changed' && e.payload['to'] === 'FAILED')!;
      expect(failed.payload['failure_reason']).toBe('ci_fail');
      expect(failed.payload['message']).toBe('newly failing: test::value is one');
    });

    it("hands a retried attempt the previous attempt's feedback (a coding-agent command builder)", async () => {
      const record = join(tmpdir(), `autopack-agent-${process.pid}-${Date.now()}`);
      const agent = join(tmpdir(), `autopack-agent-${process.pid}-${Date.now()}.js`);
      writeFileSync(
        agent,
        `const fs = require('fs');
         const attempt = Number(process.env.AUTOPACK_ATTEMPT);
         fs.writeFileSync(${JSON.stringify(record)} + '-' + attempt, fs.readFileSync(process.env.AUTOPACK_TASK_FILE));
         fs.writeFileSync('src/value.js', 'module.exports = ' + (attempt === 1 ? 2 : 1) + '; // attempt ' + attempt + '\\n');`,
      );
      const repo = makeRepo({ 'src/value.js': 'module.exports = 1;\n', 'test/value.test.js': nodeTest('value is one', "assert.equal(require('../src/value'), 1);") });
      const plan = planOf('agent', repo, [{ id: 'fix', patches: ['unused'], ci: NODE_TESTS, maxAttempts: 2 }]);
      plan.phases![0]!.builder = { kind: 'command', argv: [process.execPath, agent] };
      await stack.admin.startRun(plan);
      const { state, events } = await watchRun(stack.admin, 'agent', { timeoutMs: 60_000 });
      expect(state).toBe('DONE_SUCCESS');
      expect(events.filter((e) => e.payload['failure_reason']).map((e) => e.payload)).toEqual([
        expect.objectContaining({ attempt: 1, failure_reason: 'ci_fail', to: 'QUEUED', message: 'newly failing: test::value is one' }),
      ]);
      const second = JSON.parse(readFileSync(`${record}-2`, 'utf8'));
      expect(second.feedback).toEqual([
        expect.objectContaining({ attempt: 1, failureReason: 'ci_fail', newlyFailing: ['test::value is one'] }),
      ]);
      expect(JSON.parse(readFileSync(`${record}-1`, 'utf8')).feedback).toEqual([]);
    });

    it('fails an attempt whose repository is not a git repository with workspace_error and the cause', async () => {
      const notARepo = mkdtempSync(join(tmpdir(), 'autopack-not-a-repo-'));
      await stack.admin.startRun(planOf('norepo', notARepo, [{ id: 'only', patches: ['unused', 'unused'], maxAttempts: 2 }]));
      const { state, events } = await watchRun(stack.admin, 'norepo', { timeoutMs: 60_000 });
      expect(state).toBe('DONE_FAILED_REQUIRES_HUMAN_REVIEW');
      const failures = events.filter((e) => e.type === 'phase_state_changed' && e.payload['failure_reason']).map((e) => e.payload);
      expect(failures.map((p) => [p['attempt'], p['to'], p['failure_reason']])).toEqual([
        [1, 'QUEUED', 'workspace_error'],
        [2, 'FAILED', 'workspace_error'],
      ]);
      expect(String(failures[0]!['message'])).toContain(`cannot prepare the workspace from ${notARepo}`);
    });

    it('marks a test that fails once as flaky and completes the phase', async () => {
      const counter = join(tmpdir(), `autopack-flaky-${process.pid}-${Date.now()}`);
      // Passes in the baseline (1st run), fails after the change (2nd), passes on the re-run (3rd).
      const flaky = `const fs = require('fs');\nconst n = (fs.existsSync(${JSON.stringify(counter)}) ? Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8')) : 0) + 1;\nfs.writeFileSync(${JSON.stringify(counter)}, String(n));\nassert.notEqual(n, 2);`;
      const repo = makeRepo({ 'src/a.txt': 'a\n', 'test/flaky.test.js': nodeTest('sometimes', flaky), 'test/old.test.js': nodeTest('already broken', 'assert.fail("x");') });
      const [change] = patchesFor(repo, [{ 'src/a.txt': 'b\n' }]);
      await stack.admin.startRun(planOf('flaky', repo, [{ id: 'touch', patches: [change!], ci: NODE_TESTS }]));
      const { state } = await watchRun(stack.admin, 'flaky', { timeoutMs: 60_000 });
      expect(state).toBe('DONE_SUCCESS');
      const report = (await stack.admin.getArtifactIndex('flaky')).artifacts.find((a) => a.kind === 'test_report')!;
      const body = JSON.parse(Buffer.from(await stack.admin.getArtifactFile('flaky', { artifact_id: report.artifact_id })).toString('utf8'));
      expect(body.delta).toEqual({ newlyFailing: [], newlyPassing: [], newCollectionErrors: [], flaky: ['test::sometimes'] });
    });
  });
}
