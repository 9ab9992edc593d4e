import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunPlanInput } from '@autopack/contracts';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });

function write(dir: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** A git repository in a temp dir holding `files`, one commit. */
export function makeRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'autopack-e2e-repo-'));
  write(dir, files);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  return dir;
}

/**
 * The git diffs that take `repo` through each step in turn (each step's files written over the
 * previous step's state): the patches a `patch` builder replays.
 */
export function patchesFor(repo: string, steps: Record<string, string>[]): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'autopack-e2e-patch-'));
  try {
    git(scratch, 'clone', '-q', repo, 'w');
    const w = join(scratch, 'w');
    return steps.map((files) => {
      write(w, files);
      git(w, 'add', '-A');
      const diff = git(w, 'diff', '--cached', '--binary');
      git(w, 'commit', '-q', '-m', 'step');
      return diff;
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export const NODE_TESTS = { command: ['node', '--test', '--test-reporter=junit', '--test-reporter-destination=junit.xml'], junit_path: 'junit.xml' };

/** A one-tier plan: each phase replays its patches (one per attempt). */
export function planOf(runId: string, repo: string, phases: { id: string; patches: string[]; paths?: string[]; ci?: object; maxAttempts?: number }[]): RunPlanInput {
  return {
    run: { run_id: runId, repo: { path: repo }, on_phase_failure: 'stop' },
    tiers: [{ tier_id: 't', tier_index: 0, name: 'T' }],
    phases: phases.map((p, i) => ({
      phase_id: p.id,
      tier_id: 't',
      phase_index: i,
      name: p.id,
      scope: { paths: p.paths ?? ['src/**', 'test/**'] },
      ci: p.ci ?? { skip: true },
      max_attempts: p.maxAttempts ?? 1,
      builder: { kind: 'patch' as const, patches: p.patches },
    })),
  };
}
