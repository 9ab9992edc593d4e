import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { PhaseCi } from '@autopack/contracts';
import { runCommand } from '../process/run-command';
import { parseJunit } from './junit';
import type { TestRun } from './test-delta';

export const DEFAULT_TEST_TIMEOUT_SECONDS = 600;

export interface TestRunOptions {
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** The JUnit report path must stay inside the worktree (it comes from the plan). */
function junitFile(worktree: string, junitPath: string): string {
  const root = resolve(worktree);
  const file = resolve(root, junitPath);
  if (!file.startsWith(root + sep)) throw new Error(`junit_path "${junitPath}" leaves the workspace`);
  return file;
}

/**
 * Runs the phase's test command in the worktree (argv, no shell) and reads its outcome: from the
 * JUnit report when `junit_path` is set, otherwise from the exit code (the command is then the
 * one test, named after its argv).
 */
export async function runTests(worktree: string, ci: PhaseCi, opts: TestRunOptions = {}): Promise<TestRun> {
  const argv = ci.command ?? [];
  const report = ci.junit_path ? junitFile(worktree, ci.junit_path) : undefined;
  if (report) await rm(report, { force: true });
  const result = await runCommand(argv, {
    cwd: worktree,
    timeoutMs: (ci.timeout_seconds ?? DEFAULT_TEST_TIMEOUT_SECONDS) * 1000,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  const base = { exitCode: result.exitCode, timedOut: result.timedOut, output: result.output };
  if (report) {
    const xml = await readFile(report, 'utf8').catch(() => undefined);
    // The report is the runner's output, not part of the change: it never reaches a commit.
    await rm(report, { force: true });
    if (xml !== undefined) {
      const parsed = parseJunit(xml);
      // A run that died before reporting anything failed as a whole.
      if (parsed.passed.length + parsed.failed.length + parsed.collectionErrors.length > 0) return { ...base, ...parsed };
    }
  }
  const id = argv.join(' ');
  const ok = result.exitCode === 0 && !result.timedOut;
  return { ...base, passed: ok ? [id] : [], failed: ok ? [] : [id], collectionErrors: [] };
}

/**
 * Baselines are cached by (commit, command): every attempt of a phase, and every executor that
 * resumes it, starts from the same commit, so its tests need to run there once only.
 */
export class BaselineCache {
  constructor(private readonly dir: string) {}

  private file(commit: string, ci: PhaseCi): string {
    const key = createHash('sha256').update(JSON.stringify([commit, ci.command, ci.junit_path ?? null])).digest('hex');
    return join(this.dir, `${key.slice(0, 32)}.json`);
  }

  async get(commit: string, ci: PhaseCi, measure: () => Promise<TestRun>): Promise<TestRun> {
    const file = this.file(commit, ci);
    const cached = await readFile(file, 'utf8').catch(() => undefined);
    if (cached !== undefined) return JSON.parse(cached) as TestRun;
    const run = await measure();
    if (!run.timedOut) {
      await mkdir(this.dir, { recursive: true });
      await writeFile(file, JSON.stringify(run));
    }
    return run;
  }
}
