import type { ApplyRollback } from '@autopack/contracts';
import { parentOf } from '../policy/repo-view';
import { repoPath, type EntryInfo, type FsLayer } from './fs-layer';
import type { Step } from './plan';
import type { Snapshot } from './snapshot';

/** What has been done so far, newest last; rollback undoes it in reverse. */
type JournalEntry =
  | { type: 'temp'; rel: string }
  | { type: 'created'; rel: string }
  | { type: 'replaced'; rel: string; original: Snapshot }
  | { type: 'removed'; rel: string; original: Snapshot }
  | { type: 'created-dir'; rel: string }
  | { type: 'removed-dir'; rel: string; perm: number };

export type TransactionResult = { ok: true } | { ok: false; error: string; rollback: ApplyRollback };

class ApplyAbort extends Error {}

let tempCounter = 0;

/**
 * Carries out planned steps atomically: removals, then writes (each through a temp file in the same
 * directory and a rename), then removal of directories the removals emptied (as git does). Any
 * failure undoes every step taken, in reverse, byte for byte.
 */
export class WriteTransaction {
  private readonly journal: JournalEntry[] = [];

  constructor(
    private readonly fs: FsLayer,
    private readonly root: string,
  ) {}

  private abs(rel: string): string {
    return repoPath(this.root, rel);
  }

  run(steps: readonly Step[]): TransactionResult {
    try {
      for (const step of steps) if (step.kind === 'remove') this.remove(step.rel, step.before);
      // Every new content is written to its temp file before any target is replaced: running out
      // of space (the likeliest failure) then happens while the targets are still untouched.
      const stagedDirs = new Set<string>();
      const staged = steps.filter((step) => step.kind !== 'remove').map((step) => this.stage(step, stagedDirs));
      const replacedDirs = new Set<string>();
      for (const { step, temp } of staged) this.replace(step, temp, replacedDirs);
      this.pruneEmptiedDirs(steps);
      return { ok: true };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), rollback: this.rollback() };
    }
  }

  /** The entry must still be what the plan read; otherwise someone changed it meanwhile. */
  private expect(rel: string, before: Snapshot | null): void {
    const now = this.fs.lstat(this.abs(rel));
    const was: EntryInfo | null = before?.info ?? null;
    const same = now === null ? was === null : was !== null && now.kind === was.kind && now.ino === was.ino && now.size === was.size && now.mtimeMs === was.mtimeMs;
    if (!same) throw new ApplyAbort(`${rel} changed on disk after it was checked`);
  }

  /**
   * Checks, right before each step, that every parent is a real directory (never a symlink, whatever
   * the policy saw earlier), creating missing ones one level at a time when `create` is set. Removals
   * and rollback check afresh each time, so a directory swapped for a symlink mid-apply is caught at
   * the next one. (Node has no openat(), so the window between this check and the call that follows
   * cannot be closed fully.)
   */
  private ensureParents(rel: string, create: boolean, verified?: Set<string>): void {
    const segments = rel.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      if (verified?.has(dir)) continue;
      verified?.add(dir);
      const info = this.fs.lstat(this.abs(dir));
      if (info === null && create) {
        this.fs.mkdir(this.abs(dir), 0o777, false);
        this.journal.push({ type: 'created-dir', rel: dir });
      } else if (info?.kind !== 'dir') {
        throw new ApplyAbort(`${dir} is not a directory`);
      }
    }
  }

  private tempName(rel: string): string {
    const dir = parentOf(rel) ?? '';
    const name = `.ga-${process.pid}-${++tempCounter}.tmp`;
    return dir === '' ? name : `${dir}/${name}`;
  }

  /**
   * Writes a step's content (or symlink) to a new temp file in the target's directory. Directories
   * checked once per staging pass (a temp file is never a reader's file; `replace` checks again).
   */
  private stage(step: Exclude<Step, { kind: 'remove' }>, verified: Set<string>): { step: typeof step; temp: string } {
    this.ensureParents(step.rel, true, verified);
    const temp = this.tempName(step.rel);
    this.journal.push({ type: 'temp', rel: temp });
    if (step.kind === 'write') this.fs.writeNewFile(this.abs(temp), Buffer.from(step.content, 'latin1'), step.perm, step.exactPerm);
    else this.fs.symlink(step.target, this.abs(temp));
    return { step, temp };
  }

  /**
   * Renames the temp file over the target: readers see the old file or the new one, never half.
   * Parents are checked once per pass: the temp file sits in the real directory, so a rename through
   * a parent swapped for a symlink afterwards does not find it and fails.
   */
  private replace(step: Exclude<Step, { kind: 'remove' }>, temp: string, verified: Set<string>): void {
    this.ensureParents(step.rel, false, verified);
    this.expect(step.rel, step.before);
    this.fs.rename(this.abs(temp), this.abs(step.rel));
    this.journal.push(step.before ? { type: 'replaced', rel: step.rel, original: step.before } : { type: 'created', rel: step.rel });
  }

  private remove(rel: string, before: Snapshot): void {
    this.ensureParents(rel, false);
    this.expect(rel, before);
    this.fs.unlink(this.abs(rel));
    this.journal.push({ type: 'removed', rel, original: before });
  }

  private pruneEmptiedDirs(steps: readonly Step[]): void {
    const candidates = new Set<string>();
    for (const step of steps) {
      if (step.kind !== 'remove') continue;
      for (let dir = parentOf(step.rel); dir !== null && dir !== ''; dir = parentOf(dir)) candidates.add(dir);
    }
    // Deepest first, so a parent is looked at after its emptied children are gone.
    for (const dir of [...candidates].sort((a, b) => b.split('/').length - a.split('/').length)) {
      const info = this.fs.lstat(this.abs(dir));
      if (info?.kind !== 'dir' || this.fs.readdir(this.abs(dir)).length > 0) continue;
      this.fs.rmdir(this.abs(dir));
      this.journal.push({ type: 'removed-dir', rel: dir, perm: info.perm });
    }
  }

  private restore(rel: string, original: Snapshot): void {
    // Rollback obeys the same rule: nothing is put back through a symlink.
    this.ensureParents(rel, false);
    if (original.kind === 'file') {
      this.placeForRollback(rel, (temp) => this.fs.writeNewFile(temp, original.data, original.info.perm, true));
    } else if (original.kind === 'symlink') {
      this.placeForRollback(rel, (temp) => this.fs.symlink(original.target, temp));
    }
  }

  private placeForRollback(rel: string, make: (tempAbs: string) => void): void {
    const temp = this.abs(this.tempName(rel));
    try {
      make(temp);
      this.fs.rename(temp, this.abs(rel));
    } catch (err) {
      this.tryUnlink(temp);
      throw err;
    }
  }

  private tryUnlink(abs: string): void {
    try {
      this.fs.unlink(abs);
    } catch {
      // Nothing there (the failed step never created it).
    }
  }

  /** Undoes the journal newest first; keeps going past errors and reports them. */
  private rollback(): ApplyRollback {
    const rollback: ApplyRollback = { status: 'complete', restored: [], removed: [], errors: [] };
    while (this.journal.length > 0) {
      const entry = this.journal.pop()!;
      try {
        switch (entry.type) {
          case 'temp':
            if (this.fs.lstat(this.abs(entry.rel))) this.fs.unlink(this.abs(entry.rel));
            break;
          case 'created':
            this.ensureParents(entry.rel, false);
            this.fs.unlink(this.abs(entry.rel));
            rollback.removed.push(entry.rel);
            break;
          case 'replaced':
          case 'removed':
            this.restore(entry.rel, entry.original);
            rollback.restored.push(entry.rel);
            break;
          case 'created-dir':
            this.fs.rmdir(this.abs(entry.rel));
            rollback.removed.push(entry.rel);
            break;
          case 'removed-dir':
            this.fs.mkdir(this.abs(entry.rel), entry.perm, true);
            break;
        }
      } catch (err) {
        rollback.status = 'incomplete';
        rollback.errors.push({ path: entry.rel, message: err instanceof Error ? err.message : String(err) });
      }
    }
    return rollback;
  }
}
