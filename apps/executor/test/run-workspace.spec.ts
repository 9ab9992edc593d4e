import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunWorkspace, type CompletedPhase } from '../src/workspace/run-workspace';
import { makeRepo, tempDir } from './support/git-repo';

describe('the run workspace', () => {
  let repo: ReturnType<typeof makeRepo>;
  let work: ReturnType<typeof tempDir>;
  beforeEach(() => {
    repo = makeRepo({ 'src/a.txt': 'one\n', 'README.md': '# demo\n' });
    work = tempDir();
  });
  afterEach(() => {
    repo.remove();
    work.remove();
  });

  const open = (runId: string, completed: CompletedPhase[] = []) =>
    RunWorkspace.open({ workDir: work.dir, runId, repo: { path: repo.dir }, completed });

  it('is a worktree on autopack/<run_id> at the base, outside the operator checkout, which it never changes', async () => {
    const ws = await open('r1');
    expect(ws.dir).toBe(join(work.dir, 'runs', 'r1'));
    expect(ws.branch).toBe('autopack/r1');
    expect(readFileSync(join(ws.dir, 'src/a.txt'), 'utf8')).toBe('one\n');
    writeFileSync(join(ws.dir, 'src/a.txt'), 'two\n');
    await ws.commitPhase('p1', 1);
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(repo.git('branch', '--list')).not.toContain('autopack');
    expect(readFileSync(join(repo.dir, 'src/a.txt'), 'utf8')).toBe('one\n');
  });

  it('commits one commit per phase naming run, phase and attempt, and returns its patch', async () => {
    const ws = await open('r2');
    writeFileSync(join(ws.dir, 'new.txt'), 'hello\n');
    const { commit, patch } = await ws.commitPhase('p1', 2);
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(patch).toContain('+++ b/new.txt');
    const message = execFileSync('git', ['log', '-1', '--format=%B'], { cwd: ws.dir, encoding: 'utf8' });
    expect(message).toMatch(/^autopack: run r2, phase p1, attempt 2\n/);
    expect(message).toContain('Autopack-Attempt: 2');
    expect(execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: ws.dir, encoding: 'utf8' }).trim()).toBe('autopack/r2');
    expect(await ws.committedPhases()).toEqual(['p1']);
  });

  it('is rebuilt from accepted patches when missing, so another executor can resume the run', async () => {
    const first = await open('r3');
    writeFileSync(join(first.dir, 'src/a.txt'), 'phase one\n');
    const one = await first.commitPhase('p1', 1);
    writeFileSync(join(first.dir, 'b.bin'), Buffer.from([0, 1, 2, 255]));
    const two = await first.commitPhase('p2', 3);

    const elsewhere = tempDir();
    try {
      const patches: string[] = [];
      const resumed = await RunWorkspace.open({
        workDir: elsewhere.dir,
        runId: 'r3',
        repo: { path: repo.dir },
        completed: [
          { phaseId: 'p1', attempt: 1, patch: async () => (patches.push('p1'), one.patch) },
          { phaseId: 'p2', attempt: 3, patch: async () => (patches.push('p2'), two.patch) },
        ],
      });
      expect(patches).toEqual(['p1', 'p2']);
      expect(readFileSync(join(resumed.dir, 'src/a.txt'), 'utf8')).toBe('phase one\n');
      expect(readFileSync(join(resumed.dir, 'b.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
      expect(await resumed.committedPhases()).toEqual(['p1', 'p2']);
    } finally {
      elsewhere.remove();
    }
  });

  it('keeps a matching worktree (discarding a crashed attempt) and rebuilds one that does not match', async () => {
    const ws = await open('r4');
    writeFileSync(join(ws.dir, 'src/a.txt'), 'done\n');
    const one = await ws.commitPhase('p1', 1);
    writeFileSync(join(ws.dir, 'src/a.txt'), 'half-written by a crash\n');
    writeFileSync(join(ws.dir, 'stray.txt'), 'x');
    const completed = [{ phaseId: 'p1', attempt: 1, patch: async () => one.patch }];
    const again = await open('r4', completed);
    expect(readFileSync(join(again.dir, 'src/a.txt'), 'utf8')).toBe('done\n');
    expect(existsSync(join(again.dir, 'stray.txt'))).toBe(false);

    // The server never accepted p1 (the executor died before reporting): start over from the base.
    const fresh = await open('r4', []);
    expect(readFileSync(join(fresh.dir, 'src/a.txt'), 'utf8')).toBe('one\n');
    expect(await fresh.committedPhases()).toEqual([]);
  });

  it('gives a coding agent a scratch copy and reports its change as a diff', async () => {
    const ws = await open('r5');
    const scratch = await ws.scratch();
    writeFileSync(join(scratch.dir, 'src/a.txt'), 'agent\n');
    expect(readFileSync(join(ws.dir, 'src/a.txt'), 'utf8')).toBe('one\n');
    await scratch.dispose();
    expect(existsSync(scratch.dir)).toBe(false);
  });

  it('starts from base_ref when given', async () => {
    repo.write({ 'src/a.txt': 'later\n' });
    repo.git('commit', '-qam', 'later');
    const first = repo.git('rev-list', '--max-parents=0', 'HEAD').trim();
    const ws = await RunWorkspace.open({ workDir: work.dir, runId: 'r6', repo: { path: repo.dir, base_ref: first }, completed: [] });
    expect(readFileSync(join(ws.dir, 'src/a.txt'), 'utf8')).toBe('one\n');
    expect(await ws.base()).toBe(first);
  });

  it('builds on the pinned base commit even after the branch moved, and rebuilds a worktree on another base', async () => {
    const pinned = repo.git('rev-parse', 'HEAD').trim();
    const first = await open('r7');
    expect(await first.base()).toBe(pinned);
    writeFileSync(join(first.dir, 'src/a.txt'), 'phase one\n');
    const one = await first.commitPhase('p1', 1);
    expect(await first.base()).toBe(pinned);

    // The operator's branch moves on; another executor (a fresh cache) resumes the run.
    repo.write({ 'src/a.txt': 'moved\n', 'later.txt': 'later\n' });
    repo.git('commit', '-qam', 'moved on');
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'more');
    const completed = [{ phaseId: 'p1', attempt: 1, patch: async () => one.patch }];
    const elsewhere = tempDir();
    try {
      const open2 = (baseCommit?: string) =>
        RunWorkspace.open({ workDir: elsewhere.dir, runId: 'r7', repo: { path: repo.dir }, completed, ...(baseCommit ? { baseCommit } : {}) });
      const resumed = await open2(pinned);
      expect(await resumed.base()).toBe(pinned);
      expect(readFileSync(join(resumed.dir, 'src/a.txt'), 'utf8')).toBe('phase one\n');
      expect(existsSync(join(resumed.dir, 'later.txt'))).toBe(false);

      // A worktree left on another base (built before the pin was known) is not reused.
      const moved = repo.git('rev-parse', 'HEAD').trim();
      const other = tempDir();
      try {
        const onMoved = await RunWorkspace.open({ workDir: other.dir, runId: 'r8', repo: { path: repo.dir }, completed: [] });
        expect(await onMoved.base()).toBe(moved);
        const rebuilt = await RunWorkspace.open({ workDir: other.dir, runId: 'r8', repo: { path: repo.dir }, baseCommit: pinned, completed: [] });
        expect(await rebuilt.base()).toBe(pinned);
        expect(readFileSync(join(rebuilt.dir, 'src/a.txt'), 'utf8')).toBe('one\n');
      } finally {
        other.remove();
      }
    } finally {
      elsewhere.remove();
    }
  });

  it('fetches a pinned commit the cache does not have yet, and fails clearly when the source lost it', async () => {
    const ws = await open('r9'); // the cache is cloned now
    expect(await ws.base()).toBe(repo.git('rev-parse', 'HEAD').trim());
    repo.write({ 'src/a.txt': 'newer\n' });
    repo.git('commit', '-qam', 'newer');
    const newer = repo.git('rev-parse', 'HEAD').trim();
    const fetched = await RunWorkspace.open({ workDir: work.dir, runId: 'r10', repo: { path: repo.dir }, baseCommit: newer, completed: [] });
    expect(readFileSync(join(fetched.dir, 'src/a.txt'), 'utf8')).toBe('newer\n');
    await expect(
      RunWorkspace.open({ workDir: work.dir, runId: 'r11', repo: { path: repo.dir }, baseCommit: 'f'.repeat(40), completed: [] }),
    ).rejects.toThrow();
  });
});
