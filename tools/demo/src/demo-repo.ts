import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunPlanInput } from '@autopack/contracts';
import { REPO_ROOT } from './processes';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Autopack demo', '-c', 'user.email=demo@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });

/** A copy of examples/demo-repo in a temp dir, as a git repository with one commit. */
export function copyDemoRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'autopack-demo-repo-'));
  cpSync(join(REPO_ROOT, 'examples/demo-repo'), dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'demo repo');
  return dir;
}

/** examples/demo-run.json, pointed at `repoPath`, under a fresh run id. */
export function demoPlan(repoPath: string, runId: string): RunPlanInput {
  const plan = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/demo-run.json'), 'utf8')) as RunPlanInput;
  return { ...plan, run: { ...plan.run, run_id: runId, repo: { path: repoPath } } };
}

/** Subjects of the commits on a run branch, oldest first (from the executor's worktree). */
export function branchCommits(workDir: string, runId: string): string[] {
  return git(join(workDir, 'runs', runId), 'log', '--reverse', '--format=%s', `main..autopack/${runId}`).split('\n').filter(Boolean);
}
