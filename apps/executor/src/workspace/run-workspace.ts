import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { git } from './git';

export interface RepoSource {
  path?: string;
  url?: string;
  base_ref?: string;
}

/** A phase the server says is done, with its accepted patch (fetched only when needed). */
export interface CompletedPhase {
  phaseId: string;
  attempt: number;
  patch: () => Promise<string>;
}

const TRAILER_PHASE = 'Autopack-Phase';

function commitMessage(runId: string, phaseId: string, attempt: number): string {
  return `autopack: run ${runId}, phase ${phaseId}, attempt ${attempt}\n\nAutopack-Run: ${runId}\n${TRAILER_PHASE}: ${phaseId}\nAutopack-Attempt: ${attempt}\n`;
}

/**
 * The per-run git worktree (SPEC §5 step 1): under the executor's work dir, on branch
 * `autopack/<run_id>`, at base + one commit per completed phase. It is built from a bare cache of
 * the source repository, so the operator's checkout is only ever read. When it is missing or does
 * not match what the server says is done, it is rebuilt from the accepted patches: any executor
 * can resume any run.
 */
export class RunWorkspace {
  private constructor(
    readonly dir: string,
    readonly branch: string,
    private readonly cache: string,
    private readonly runId: string,
  ) {}

  /**
   * `baseCommit`: the commit the server pinned for the run (what base_ref resolved to for the first
   * executor); without it, base_ref is resolved here and `base` tells the caller what to report.
   */
  static async open(opts: { workDir: string; runId: string; repo: RepoSource; baseCommit?: string | null; completed: CompletedPhase[] }): Promise<RunWorkspace> {
    const workDir = resolve(opts.workDir);
    const cache = await ensureCache(workDir, opts.repo);
    const dir = join(workDir, 'runs', opts.runId);
    const ws = new RunWorkspace(dir, `autopack/${opts.runId}`, cache, opts.runId);
    if (existsSync(dir) && (await ws.matches(opts.completed, opts.baseCommit ?? undefined))) {
      await ws.discardUncommitted();
      return ws;
    }
    await ws.rebuild(opts.baseCommit ?? opts.repo.base_ref ?? 'HEAD', opts.completed);
    return ws;
  }

  /** The commit the run's phases are built on: HEAD before the first phase commit. */
  async base(): Promise<string> {
    const phases = (await this.committedPhases()).length;
    return (await git(['rev-parse', '--verify', `HEAD~${phases}^{commit}`], this.dir)).trim();
  }

  /** Phases committed on the branch, oldest first, read from the commit trailers. */
  async committedPhases(): Promise<string[]> {
    const log = await git(['log', '--reverse', `--format=%(trailers:key=${TRAILER_PHASE},valueonly)`, '--grep', `^${TRAILER_PHASE}:`], this.dir);
    return log.split('\n').map((l) => l.trim()).filter(Boolean);
  }

  async head(): Promise<string> {
    return (await git(['rev-parse', 'HEAD'], this.dir)).trim();
  }

  /** Throws away what a failed or crashed attempt left, keeping every committed phase. */
  async discardUncommitted(): Promise<void> {
    await git(['reset', '--hard', '--quiet', 'HEAD'], this.dir);
    await git(['clean', '-fd', '--quiet'], this.dir);
  }

  /** The uncommitted change (tracked and new files), as a binary-safe patch. */
  async diff(): Promise<string> {
    await git(['add', '--all'], this.dir);
    const patch = await git(['diff', '--cached', '--binary', '--full-index', 'HEAD'], this.dir);
    await git(['reset', '--quiet'], this.dir);
    return patch;
  }

  /** Commits the applied change as the phase's one commit and returns it with its patch. */
  async commitPhase(phaseId: string, attempt: number): Promise<{ commit: string; patch: string }> {
    await git(['add', '--all'], this.dir);
    await git(['commit', '--quiet', '--allow-empty', '-F', '-'], this.dir, commitMessage(this.runId, phaseId, attempt));
    const patch = await git(['diff', '--binary', '--full-index', 'HEAD~1', 'HEAD'], this.dir);
    return { commit: await this.head(), patch };
  }

  /** A throwaway worktree at HEAD for a coding agent; removed by `dispose`. */
  async scratch(): Promise<{ dir: string; dispose: () => Promise<void> }> {
    const dir = join(resolve(this.dir, '..', '..'), 'scratch', `${this.runId}-${randomBytes(6).toString('hex')}`);
    await git(['worktree', 'add', '--quiet', '--detach', dir, await this.head()], this.cache);
    return {
      dir,
      dispose: async () => {
        await git(['worktree', 'remove', '--force', dir], this.cache).catch(() => rm(dir, { recursive: true, force: true }));
        await git(['worktree', 'prune'], this.cache).catch(() => undefined);
      },
    };
  }

  private async matches(completed: CompletedPhase[], baseCommit: string | undefined): Promise<boolean> {
    try {
      const committed = await this.committedPhases();
      if (committed.length !== completed.length || !committed.every((id, i) => id === completed[i]!.phaseId)) return false;
      return baseCommit === undefined || (await this.base()) === baseCommit;
    } catch {
      return false;
    }
  }

  private async rebuild(baseRef: string, completed: CompletedPhase[]): Promise<void> {
    await git(['worktree', 'remove', '--force', this.dir], this.cache).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
    await git(['worktree', 'prune'], this.cache);
    const base = await resolveBase(this.cache, baseRef);
    await mkdir(resolve(this.dir, '..'), { recursive: true });
    await git(['worktree', 'add', '--quiet', '-B', this.branch, this.dir, base], this.cache);
    // Accepted patches were checked by governed apply when they were made; replay them exactly.
    for (const phase of completed) {
      const patch = await phase.patch();
      if (patch.trim()) await git(['apply', '--index', '--binary', '--whitespace=nowarn', '-'], this.dir, patch);
      await git(['commit', '--quiet', '--allow-empty', '-F', '-'], this.dir, commitMessage(this.runId, phase.phaseId, phase.attempt));
    }
  }
}

async function ensureCache(workDir: string, repo: RepoSource): Promise<string> {
  const source = repo.url ?? (repo.path && isAbsolute(repo.path) ? repo.path : resolve(repo.path ?? '.'));
  const cache = join(workDir, 'cache', `${createHash('sha256').update(source).digest('hex').slice(0, 16)}.git`);
  if (!existsSync(cache)) {
    await mkdir(join(workDir, 'cache'), { recursive: true });
    // Clone aside, then rename: a half-made cache is never mistaken for a whole one.
    const partial = `${cache}.${randomBytes(4).toString('hex')}.tmp`;
    await git(['clone', '--quiet', '--bare', '--no-hardlinks', source, partial], workDir);
    if (existsSync(cache)) await rm(partial, { recursive: true, force: true });
    else await rename(partial, cache);
  }
  return cache;
}

async function resolveBase(cache: string, ref: string): Promise<string> {
  const verify = () => git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cache).then((s) => s.trim());
  try {
    return await verify();
  } catch {
    // Not in the cache yet: the source moved on since it was cloned.
    await git(['fetch', '--quiet', 'origin', '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'], cache);
    return verify();
  }
}
